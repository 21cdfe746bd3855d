"""A mall account's rate limit held in the PostgreSQL store, so every process and machine that
works for the account stays under it together (workers on one store), not each on its own.

The rules are :class:`~mallbatch.connectors.runtime.http.RateLimiter`'s, unchanged: a token bucket
of ``rate`` per second with ``burst`` saved up, and, with ``per_second``, a send waits until the
oldest of the last ``per_second`` sends is ``RateLimiter.WINDOW`` old. Each acquire is one short
transaction on the limiter's row (``SELECT … FOR UPDATE``: processes take turns) timed by the
server's ``clock_timestamp()``, so machines whose clocks disagree still share one time line; the
wait happens after the transaction, holding no lock. The transaction runs on a connection borrowed from the
process's idle ones (as every store statement), never inside a store transaction. The row is keyed by a hash of the
limiter's key (an endpoint key may hold an account value, which is not stored).

A SQLite store keeps the in-process limiter: a SQLite workspace is one process on one machine.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from mallbatch.connectors.runtime.http import RateLimiter
from mallbatch.store.postgres import IDLE, Server, translated

_CLOCK = "extract(epoch FROM clock_timestamp())::float8"  # the server's time now, not the transaction's start


class SharedRateLimiter(RateLimiter):
    """One (mall, account) or endpoint limiter, shared through the database; see the module's docstring.
    Its bucket and window are the in-process limiter's :meth:`~RateLimiter.turn`, on the row's state.

    The window is wider than in one process: between the grant (the server's clock, in the row's
    transaction) and the request reaching the mall lie the commit, the answer back to the worker and
    a worker thread waiting for the CPU among its process's others. Measured on a loaded 2-core machine
    (bench/agency.py, 4 workers): with the in-process 1.05 s, one-second windows by arrival held one
    request over the limit; the extra fifth of a second costs nothing an account notices (accounts
    average a few hundredths of a request a second; only paging and bulk sends come near the limit).
    A mall whose spec declares only an average (위메프: 5/s, a bucket of one) gets the window too, at its
    rate rounded down: spacing alone is what jitter undoes (two sends 0.2 s apart by grant arrive together)."""

    WINDOW = 1.25

    def __init__(self, server: Server, key: tuple[str, str], rate: float, burst: int = 1, per_second: int | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(rate, burst, per_second if per_second is not None else max(1, int(rate)), sleep=sleep)
        self.row = hashlib.sha256(json.dumps(list(key), ensure_ascii=False).encode()).hexdigest()[:32]
        self._server = server

    def acquire(self) -> float:  # type: ignore[override]
        """Wait for this send's turn; returns the server's time (epoch seconds) the send was granted at."""
        while True:
            granted, wait = self._try()
            if granted is not None:
                return granted
            self._sleep(max(wait, 1e-6))

    def _try(self) -> tuple[float | None, float]:
        conn = IDLE.borrow(self._server)  # never the store's open transaction: an acquire neither waits for nor joins it
        try:
            with translated(self._server), conn.transaction():
                return self._turn_on(conn)
        finally:
            IDLE.give_back(self._server, conn)

    def _turn_on(self, conn: Any) -> tuple[float | None, float]:
        # a grant is answered before its commit reaches the disk: a crash forgets the last second's sends (the
        # next ones may come a little early once), never a command or a record
        conn.execute("SET LOCAL synchronous_commit TO off")
        conn.execute(f"INSERT INTO rate_limits(limit_key, tokens, last_at, sent) VALUES (%s, %s, {_CLOCK}, '') "
                     "ON CONFLICT (limit_key) DO NOTHING", (self.row, float(self.burst)))
        tokens, last, text = conn.execute("SELECT tokens, last_at, sent FROM rate_limits WHERE limit_key=%s FOR UPDATE",
                                          (self.row,)).fetchone()  # type: ignore[misc]
        now = conn.execute(f"SELECT {_CLOCK}").fetchone()[0]  # type: ignore[index]  # after the lock: the turn's own time
        sent = [float(t) for t in text.split(",") if t][-(self.per_second or 1):]
        tokens, wait = self.turn(tokens, now - last, sent, now)
        if wait == 0.0:
            sent = (sent + [now])[-self.per_second:] if self.per_second is not None else []
            conn.execute("UPDATE rate_limits SET tokens=%s, last_at=%s, sent=%s WHERE limit_key=%s",
                         (max(0.0, tokens - 1), now, ",".join(repr(t) for t in sent), self.row))
            return now, 0.0
        return None, wait


class SharedLimits:
    """``limiter_for`` for a PostgreSQL store: the same keys, the limiter in the database."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._limiters: dict[tuple[str, str], tuple[tuple[float, int, int | None], SharedRateLimiter]] = {}
        self._lock = threading.Lock()

    def __call__(self, key: tuple[str, str], rate: float, burst: int, per_second: int | None = None) -> SharedRateLimiter:
        asked = (rate, burst, per_second)
        with self._lock:
            known = self._limiters.get(key)
            if known is None or known[0] != asked:
                known = self._limiters[key] = (asked, SharedRateLimiter(self.server, key, rate, burst, per_second))
            return known[1]
