"""When to collect orders, claims and inquiries, per account and kind.

The interval comes from config.toml, most specific first: ``[collect.<mall>]
<kind>_minutes``, ``[collect.<mall>] interval_minutes``, ``[collect] <kind>_minutes``,
``[collect] interval_minutes``, then 120 (seed 001: every two hours). Malls limit how
often they may be polled, so nothing goes below 5 minutes. The last collection is the
store's watermark, so a restart neither skips nor repeats a due collection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from mallbatch.config import Config
from mallbatch.connectors.registry import connector_class
from mallbatch.pipeline.collect import KINDS
from mallbatch.store import Store
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.watch")
DEFAULT_MINUTES = 120.0
MIN_MINUTES = 5.0
FAILURE_RETRY = timedelta(minutes=5)


@dataclass(frozen=True)
class Slot:
    mall: str
    account: str
    kind: str


def interval_minutes(config: Config, mall: str, kind: str) -> float:
    for section, key in ((f"collect.{mall}", f"{kind}_minutes"), (f"collect.{mall}", "interval_minutes"),
                         ("collect", f"{kind}_minutes"), ("collect", "interval_minutes")):
        value = config.value(section, key, float)
        if value is not None:
            if value < MIN_MINUTES:
                log.warning("[%s] %s = %s 은(는) 너무 짧아 %s분으로 합니다", section, key, value, MIN_MINUTES)
            return max(MIN_MINUTES, value)
    return DEFAULT_MINUTES


class CollectSchedule:
    """Due times per (mall, account, kind); failed collections are retried after 5 minutes."""

    def __init__(self, config: Config, store: Store, kinds_of: dict[tuple[str, str], tuple[str, ...]]) -> None:
        self.store = store
        self.slots = [Slot(m, a, k) for (m, a), kinds in kinds_of.items() for k in kinds if k in KINDS]
        self.every = {s: timedelta(minutes=interval_minutes(config, s.mall, s.kind)) for s in self.slots}
        self._failed: dict[Slot, datetime] = {}
        # The due time last computed per slot. Only a collection moves a watermark, and only forward, and a
        # failure only postpones: it is a lower bound, so the store is not asked again before it (a watcher
        # of 500 sellers would otherwise read 4,500 watermarks every few seconds).
        self._not_before: dict[Slot, datetime] = {}

    def last(self, slot: Slot) -> datetime | None:
        return self.store.records.watermark(slot.mall, slot.account, slot.kind)

    def next_at(self, slot: Slot, now: datetime) -> datetime:
        last = self.last(slot)
        due = now if last is None else last + self.every[slot]
        failed = self._failed.get(slot)
        if failed is not None and (last is None or failed > last):
            due = max(due, failed + min(FAILURE_RETRY, self.every[slot]))
        self._not_before[slot] = due
        return due

    def due(self, now: datetime) -> list[Slot]:
        return [s for s in self.slots if not self._not_before.get(s, now) > now and self.next_at(s, now) <= now]

    def seconds_until_next(self, now: datetime) -> float | None:
        if not self.slots:
            return None
        return max(0.0, min((self.next_at(s, now) - now).total_seconds() for s in self.slots))

    def failed(self, slot: Slot, when: datetime) -> None:
        self._failed[slot] = when


def kinds_of(ws: Workspace) -> dict[tuple[str, str], tuple[str, ...]]:
    """What each account can collect, from its connector's spec (no adapter, no simulator, no call)."""
    kinds: dict[tuple[str, str], tuple[str, ...]] = {}
    for account in ws.config.accounts:
        cls = connector_class(account.mall)
        if cls is None or getattr(cls, "transport", "api") == "file":
            continue
        kinds[(account.mall, account.name)] = tuple(k for k, (cap, _) in KINDS.items() if cap in cls.spec.capabilities)
    return kinds
