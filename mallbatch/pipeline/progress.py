"""Counts and an ETA for long pushes and collections, shown at most about once a second.

The work calls :meth:`Meter.advance` as items finish (cheap: a clock read and two additions);
a collection, whose mall does not say how many records will come, also calls :meth:`Meter.reach`
with the share of its windows and pages read. The meter calls ``show`` only when a second has
passed since it last did, so the console, 상태 and ``mallbatch status`` stay current without
slowing the work.
"""

from __future__ import annotations

import time
from collections.abc import Callable

EVERY = 1.0  # seconds between two updates a seller sees


def left_ko(seconds: float) -> str:
    return f"약 {seconds / 60:.0f}분 남음" if seconds >= 90 else f"약 {max(1, round(seconds))}초 남음"


def progress_ko(done: int, total: int, elapsed: float) -> str:
    """``120/300 건, 약 40초 남음`` (no ETA before the first item is done)."""
    text = f"{done}/{total} 건"
    if 0 < done < total and elapsed > 0:
        text += f", {left_ko(elapsed / done * (total - done))}"
    return text


def received_ko(done: int, share: float, elapsed: float) -> str:
    """``1,200건 받음, 진행 40%, 약 30초 남음``: a collection, the share from its windows and pages (no ETA before any)."""
    text = f"{done:,}건 받음, 진행 {share * 100:.0f}%"
    if 0 < share < 1 and elapsed > 0:
        text += f", {left_ko(elapsed / share * (1 - share))}"
    return text


class Meter:
    """Adds up ``advance(just_done, planned)`` (and a collection's ``reach(share)``) and shows the count and ETA."""

    def __init__(self, show: Callable[[str, int, int], None], every: float = EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.show, self.every, self.clock = show, every, clock
        self.started = self.clock()
        self.shown = self.started
        self.done = 0
        self.total = 0
        self.share: float | None = None  # a collection's share read so far; None for a push (its total is planned)

    def advance(self, just_done: int, planned: int) -> None:
        self.done += just_done
        self.total = max(planned, self.done)
        self._tick()

    def reach(self, share: float) -> None:
        """A collection read ``share`` (0…1) of its windows and pages: never backwards."""
        self.share = max(self.share or 0.0, min(1.0, share))
        self._tick()

    def text(self, now: float | None = None) -> str:
        elapsed = (self.clock() if now is None else now) - self.started
        return progress_ko(self.done, self.total, elapsed) if self.share is None else received_ko(self.done, self.share, elapsed)

    def _tick(self) -> None:
        now = self.clock()
        if now - self.shown >= self.every:
            self.shown = now
            self.show(self.text(now), self.done, self.total)
