"""Time windows: how a mall wants a period asked for, replacing each adapter's own split loop.

Every window is computed in KST. A time-granular window sends ``format(start)`` and
``format(end)``; the mall may include its end, so readers drop records outside [since, until)
by their stamp. A mall whose times are coarser than ours (whole seconds) and whose end may be
exclusive would miss what changed in the end's last unit: ``resolution`` rounds the end up to
it. A day-granular window (``by_day``) names days: one parameter gets one day per call, two
parameters get the first and the last included day (or the day after, ``exclusive_end``).
A mall that answers only for periods that ended a while ago (``lag``, 티몬's claims: ≥ 30 minutes) gets windows
ending no later than that, and every read reaches back as far: what one run could not ask yet, the next asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from mallbatch.domain.clock import now_kst, to_kst

UNBOUNDED = timedelta(days=36500)  # a mall that takes any period: one call asks for the whole range


@dataclass(frozen=True)
class Window:
    span: timedelta  # the longest period one call may ask for
    params: tuple[str, ...] = ("fromDate", "toDate")
    format: str | Callable[[datetime], str] = "%Y-%m-%dT%H:%M:%S"  # strftime, or a function (ISO with milliseconds)
    by_day: bool = False
    exclusive_end: bool = False  # by_day only: the end parameter names the day after the last one
    resolution: timedelta | None = None  # time-granular: the mall's time unit; the end is rounded up to it
    lag: timedelta = timedelta(0)  # a window must end at least this long before now (the mall refuses later ends)

    def reach(self, since: datetime, until: datetime) -> tuple[datetime, datetime]:
        """The period a read of [since, until) asks and keeps: both ends ``lag`` earlier, the end never after
        now − ``lag``. The watermark moves to ``until``, so the next read (from it) covers this one's last ``lag``."""
        if not self.lag:
            return since, until
        return since - self.lag, min(until - self.lag, now_kst() - self.lag)

    def calls(self, since: datetime, until: datetime) -> Iterator[dict[str, str]]:
        """The parameters of each call covering [since, until)."""
        since, until = to_kst(since), to_kst(until)
        if since >= until:
            return
        fmt = self.format if callable(self.format) else lambda moment: moment.strftime(str(self.format))
        if not self.by_day:
            start = since
            while start < until:
                end = min(until, start + self.span)
                yield dict(zip(self.params, (fmt(start), fmt(self._round_up(end))), strict=False))
                start = end
            return
        day, last = since.date(), (until - timedelta(microseconds=1)).date()
        step = timedelta(days=max(1, self.span.days))
        while day <= last:
            end = min(last, day + step - timedelta(days=1))
            values = [day.strftime(str(self.format))]
            if len(self.params) > 1:
                values.append((end + timedelta(days=1) if self.exclusive_end else end).strftime(str(self.format)))
            yield dict(zip(self.params, values, strict=False))
            day = end + timedelta(days=1)

    def _round_up(self, end: datetime) -> datetime:
        """``end`` on the mall's next whole unit (a formatter that truncates then still covers it)."""
        if self.resolution is None:
            return end
        epoch = datetime(1970, 1, 1, tzinfo=end.tzinfo)
        part = (end - epoch) % self.resolution
        return end + (self.resolution - part) if part else end
