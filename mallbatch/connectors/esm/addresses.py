"""Orders whose address the buyer changed after paying (OrderCheck ``IsChanged`` 1, reference §4.3), kept
until the seller has looked.

ESM says so only in the answer to OrderCheck; RequestOrders never shows it again and the API has no call to
acknowledge it. So mallbatch keeps it locally, per account, in ``esm_addresses.db`` of the workspace's state
folder (in memory when the connector has none): every collected line of such an order is held (보류,
:data:`~.mapping.ADDRESS_HOLD`) and its invoice refused, until the seller's 보류해제 records the
acknowledgement here (after re-reading the order, so the new address is what the next workbook shows).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

SCHEMA = ("CREATE TABLE IF NOT EXISTS changed (account TEXT NOT NULL, order_no TEXT NOT NULL, seen_at TEXT NOT NULL, "
          "acknowledged_at TEXT, PRIMARY KEY (account, order_no))")


class AddressChanges:
    def __init__(self, account: str, state_dir: Path | None) -> None:
        self.account = account
        path = ":memory:" if state_dir is None else str(Path(state_dir) / "esm_addresses.db")
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if state_dir is not None and os.name == "posix":
            os.chmod(path, 0o600)  # order numbers of customers: owner only, like mallbatch.db
        self._db.execute(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def changed(self, order_no: str) -> None:
        """OrderCheck said the address changed: hold the order until acknowledged."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO changed(account, order_no, seen_at) VALUES (?,?,?)",
                             (self.account, order_no, datetime.now().isoformat(timespec="seconds")))

    def acknowledge(self, order_no: str) -> None:
        with self._lock:
            self._db.execute("UPDATE changed SET acknowledged_at=? WHERE account=? AND order_no=? AND acknowledged_at IS NULL",
                             (datetime.now().isoformat(timespec="seconds"), self.account, order_no))

    def state(self, order_no: str) -> str:
        """"" (never changed), "held" (changed, not yet acknowledged) or "acknowledged"."""
        with self._lock:
            row = self._db.execute("SELECT acknowledged_at FROM changed WHERE account=? AND order_no=?",
                                   (self.account, order_no)).fetchone()
        if row is None:
            return ""
        return "acknowledged" if row[0] else "held"
