"""A mall account's rate limit held in the PostgreSQL store, so every process and machine that
works for the account stays under it together (workers on one store), not each on its own.

The bucket is :class:`~mallbatch.connectors.runtime.http.RateLimiter`'s, unchanged: ``rate`` per
second with ``burst`` saved up. The one-second window counts what the mall counts, arrivals, which
the grant does not know: between the grant (the server's clock, in the row's transaction) and the
request reaching the mall lie the commit, the answer back to the worker and a worker thread waiting
for the CPU among its process's others. Measured on a loaded 2-core machine (bench/agency.py, 500
accounts, 4 workers): spacing grants 1.25 s apart still let a window by arrival hold one request
over. So a send holds its place from its grant until its answer is back (:meth:`done`, the
server's clock again), and only then ages out of the window: a request arrives between the two, so
no ``per_second`` + 1 arrivals fit in one second whatever the jitter. A mall whose spec declares
only an average (위메프: 5/s, a bucket of one) gets the window too, at its rate rounded down.

Each acquire and each release is one short transaction on the limiter's row (``SELECT … FOR
UPDATE``: processes take turns) on a connection borrowed from the process's idle ones (as every
store statement), never inside a store transaction; waits happen after it, holding no lock. The row
is keyed by a hash of the limiter's key (an endpoint key may hold an account value, which is not
stored). A send whose worker died before its answer stops counting after ``STALE`` seconds.

A SQLite store keeps the in-process limiter: a SQLite workspace is one process on one machine.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from mallbatch.connectors.runtime.http import DEFAULT_DEADLINE, RateLimiter
from mallbatch.errors import StoreError
from mallbatch.store.postgres import IDLE, Server, translated

log = logging.getLogger("mallbatch.http")

_CLOCK = "extract(epoch FROM clock_timestamp())::float8"  # the server's time now, not the transaction's start


class SharedRateLimiter(RateLimiter):
    """One (mall, account) or endpoint limiter, shared through the database; see the module's docstring.

    The row's ``sent`` holds the window: ``~<grant>`` for a send still waiting for its answer, ``<answered>``
    for one answered within the last ``WINDOW``."""

    STALE = DEFAULT_DEADLINE + 30.0  # an attempt never outlives its deadline: older, its worker is gone
    POLL = 0.02  # seconds between looks while only unanswered sends fill the window

    def __init__(self, server: Server, key: tuple[str, str], rate: float, burst: int = 1, per_second: int | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(rate, burst, per_second if per_second is not None else max(1, int(rate)), sleep=sleep)
        self.row = hashlib.sha256(json.dumps(list(key), ensure_ascii=False).encode()).hexdigest()[:32]
        self._server = server
        self._held = threading.local()  # this thread's grants still waiting for their answers

    def acquire(self) -> float:  # type: ignore[override]
        """Wait for this send's turn; returns the server's time (epoch seconds) the send was granted at."""
        while True:
            granted, wait = self._locked(self._turn_on)
            if granted is not None:
                self._grants().append(granted)
                return granted
            self._sleep(max(wait, 1e-6))

    def done(self) -> float | None:  # type: ignore[override]
        """This thread's sends were answered: they count in the window for ``WINDOW`` from now, the server's
        time, which is returned (None: nothing was held, or the database did not take the release). A release
        that fails must not fail the request it follows (a write may have been applied): its places stay
        held, the safe side, until ``STALE``."""
        grants = self._grants()
        if not grants:
            return None
        try:
            answered, _ = self._locked(lambda conn: self._answer_on(conn, set(grants)))
        except StoreError as exc:
            log.warning("rate limiter release not stored (held until it ages out): %s", type(exc).__name__)
            answered = None
        grants.clear()
        return answered

    def _grants(self) -> list[float]:
        if not hasattr(self._held, "grants"):
            self._held.grants = []
        return self._held.grants  # type: ignore[no-any-return]

    def _locked(self, step: Callable[[Any], tuple[float | None, float]]) -> tuple[float | None, float]:
        """``step`` on the row, locked, in a transaction of a borrowed connection (never the store's open one)."""
        conn = IDLE.borrow(self._server)
        try:
            with translated(self._server), conn.transaction():
                # a grant is answered before its commit reaches the disk: a crash forgets the last second's sends
                # (the next ones may come a little early once), never a command or a record
                conn.execute("SET LOCAL synchronous_commit TO off")
                conn.execute(f"INSERT INTO rate_limits(limit_key, tokens, last_at, sent) VALUES (%s, %s, {_CLOCK}, '') "
                             "ON CONFLICT (limit_key) DO NOTHING", (self.row, float(self.burst)))
                return step(conn)
        finally:
            IDLE.give_back(self._server, conn)

    def _row(self, conn: Any) -> tuple[float, float, list[float], list[float], float]:
        """The row, locked: tokens, last turn, unanswered grants, answer times, and the server's time after the lock."""
        tokens, last, text = conn.execute("SELECT tokens, last_at, sent FROM rate_limits WHERE limit_key=%s FOR UPDATE",
                                          (self.row,)).fetchone()
        now = conn.execute(f"SELECT {_CLOCK}").fetchone()[0]  # after the lock: the turn's own time
        entries = [t for t in text.split(",") if t]
        waiting = [float(t[1:]) for t in entries if t.startswith("~") and float(t[1:]) > now - self.STALE]
        answered = sorted(float(t) for t in entries if not t.startswith("~") and float(t) > now - self.WINDOW)
        return tokens, last, waiting, answered, now

    def _store(self, conn: Any, waiting: list[float], answered: list[float], **columns: float) -> None:
        sent = ",".join([f"~{t!r}" for t in waiting] + [repr(t) for t in answered])
        sets = "".join(f", {name}=%s" for name in columns)
        conn.execute(f"UPDATE rate_limits SET sent=%s{sets} WHERE limit_key=%s", (sent, *columns.values(), self.row))

    def _turn_on(self, conn: Any) -> tuple[float | None, float]:
        tokens, last, waiting, answered, now = self._row(conn)
        tokens, wait = self.turn(tokens, now - last, self._window_wait(waiting, answered, now))
        if wait == 0.0:
            self._store(conn, waiting + [now], answered, tokens=max(0.0, tokens - 1), last_at=now)
            return now, 0.0
        return None, wait

    def _answer_on(self, conn: Any, grants: set[float]) -> tuple[float | None, float]:
        _, _, waiting, answered, now = self._row(conn)
        still = [t for t in waiting if t not in grants]
        self._store(conn, still, answered + [now] * (len(waiting) - len(still)))
        return now, 0.0

    def _window_wait(self, waiting: list[float], answered: list[float], now: float) -> float:
        """0.0 while fewer than ``per_second`` sends are unanswered or answered within ``WINDOW``; else until
        enough answered ones age out, or a look again soon when only unanswered ones fill it."""
        assert self.per_second is not None
        over = len(waiting) + len(answered) - self.per_second + 1
        if over <= 0:
            return 0.0
        return answered[over - 1] + self.WINDOW - now if over <= len(answered) else self.POLL


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
