"""Orders whose address the buyer changed after paying (OrderCheck ``IsChanged`` 1, reference §4.3), kept
until the seller has looked.

ESM says so only in the answer to OrderCheck; RequestOrders never shows it again and the API has no call to
acknowledge it. So mallbatch keeps it in the account's kept state (the workspace's store, shared by every
worker; in memory for a connector made without one): every collected line of such an order is held (보류,
:data:`~.mapping.ADDRESS_HOLD`) and its invoice refused, until the seller's 보류해제 records the
acknowledgement there (after re-reading the order, so the new address is what the next workbook shows).

Earlier versions kept this in ``esm_addresses.db`` of the state folder; :meth:`AddressChanges.adopt` copies
that file's rows for the account into the store once, so an upgrade keeps every hold and acknowledgement.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from mallbatch.connectors.runtime.kept import Kept

log = logging.getLogger("mallbatch.esm")

LEGACY_FILE = "esm_addresses.db"
ADOPTED = "addresses.adopted"


def _key(order_no: str) -> str:
    return f"address:{order_no}"


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


class AddressChanges:
    def __init__(self, kept: Kept) -> None:
        self.kept = kept

    def changed(self, order_no: str, seen_at: str = "") -> None:
        """OrderCheck said the address changed: hold the order until acknowledged (a second report changes nothing)."""
        self.kept.add(_key(order_no), json.dumps({"seen_at": seen_at or _now(), "acknowledged_at": ""}))

    def acknowledge(self, order_no: str) -> None:
        """The seller released the order; a worker that acknowledged it first keeps its moment."""
        raw = self.kept.get(_key(order_no))
        if raw is None:
            return
        entry = json.loads(raw)
        if not entry.get("acknowledged_at"):
            self.kept.swap(_key(order_no), raw, json.dumps({**entry, "acknowledged_at": _now()}))

    def state(self, order_no: str) -> str:
        """"" (never changed), "held" (changed, not yet acknowledged) or "acknowledged"."""
        raw = self.kept.get(_key(order_no))
        if raw is None:
            return ""
        return "acknowledged" if json.loads(raw).get("acknowledged_at") else "held"

    def adopt(self, state_dir: Path, label: str) -> None:
        """Copy the account's rows (``label`` = "mall/account") of an earlier version's file into the store, once."""
        path = Path(state_dir) / LEGACY_FILE
        if self.kept.get(ADOPTED) is not None or not path.is_file():
            return
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                rows = db.execute("SELECT order_no, seen_at, acknowledged_at FROM changed WHERE account=?", (label,)).fetchall()
        except sqlite3.Error as exc:  # tried again on the next use; nothing is adopted half
            log.warning("%s could not be read (%s); its address holds are not adopted yet", path, exc)
            return
        for order_no, seen_at, acknowledged_at in rows:
            self.kept.add(_key(str(order_no)), json.dumps({"seen_at": str(seen_at or ""), "acknowledged_at": str(acknowledged_at or "")}))
        self.kept.add(ADOPTED, _now())
