"""Counts and an ETA for long pushes and collections, shown at most about once a second.

The work calls :meth:`Meter.advance` as items finish (cheap: a clock read and two additions);
the meter calls ``show`` only when a second has passed since it last did, so the console,
상태 and ``mallbatch status`` stay current without slowing the work.
"""

from __future__ import annotations

import time
from collections.abc import Callable

EVERY = 1.0  # seconds between two updates a seller sees


def progress_ko(done: int, total: int, elapsed: float) -> str:
    """``120/300 건, 약 40초 남음`` (no ETA before the first item is done)."""
    text = f"{done}/{total} 건"
    if 0 < done < total and elapsed > 0:
        left = elapsed / done * (total - done)
        text += f", 약 {left / 60:.0f}분 남음" if left >= 90 else f", 약 {max(1, round(left))}초 남음"
    return text


class Meter:
    """Adds up ``advance(just_done, planned)`` and shows the running count and ETA."""

    def __init__(self, show: Callable[[str, int, int], None], every: float = EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.show, self.every, self.clock = show, every, clock
        self.started = self.clock()
        self.shown = self.started
        self.done = 0
        self.total = 0

    def advance(self, just_done: int, planned: int) -> None:
        self.done += just_done
        self.total = max(planned, self.done)
        now = self.clock()
        if now - self.shown >= self.every:
            self.shown = now
            self.show(progress_ko(self.done, self.total, now - self.started), self.done, self.total)
