"""A client that keeps sending past the rate limit is blocked for a while.

The limit itself is the server's token bucket; this counts the refusals it caused per client
and, at ``strikes`` within ``WINDOW`` seconds, blocks that client for ``block`` seconds (both
from the simulator's faults, so they change at run time). What a blocked client is answered
is the mall's protocol.
"""

from __future__ import annotations

import threading
import time
from collections import deque

WINDOW = 10.0


class Throttle:
    def __init__(self) -> None:
        self._recent: dict[str, deque[float]] = {}
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def strike(self, client: str, *, strikes: int, block: float) -> None:
        """One request refused for the rate limit; ``strikes`` 0 never blocks."""
        if strikes <= 0:
            return
        now = time.monotonic()
        with self._lock:
            recent = self._recent.setdefault(client, deque())
            recent.append(now)
            while recent[0] < now - WINDOW:
                recent.popleft()
            if len(recent) >= strikes:
                self._until[client] = now + block
                recent.clear()

    def blocked(self, client: str) -> bool:
        with self._lock:
            return self._until.get(client, 0.0) > time.monotonic()
