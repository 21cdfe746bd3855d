"""발송기한 of an order line in the 주문 workbook, and the rule it came from.

The mall's own deadline where its data has one (``OrderLine.ship_by``, set by a mapping), else the
paid date plus the 출고기한 of the 판매정보 group the product was sent with (seed 001: N일 이내, 주말·공휴일
제외). Public holidays are not known to mallbatch: only weekends are skipped, and the rule says so.
"""

from __future__ import annotations

from datetime import date, timedelta

from mallbatch.domain.clock import to_kst
from mallbatch.domain.records import OrderLine
from mallbatch.store import Store

MALL_RULE = "쇼핑몰"


def add_working_days(start: date, days: int) -> date:
    """``days`` weekdays after ``start`` (a weekend start counts from the next Monday)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


class Deadlines:
    """Per collection: the 출고기한 of each (mall, account, product) is looked up once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lead: dict[tuple[str, str, str], int | None] = {}

    def of(self, line: OrderLine) -> tuple[date | None, str]:
        if line.ship_by is not None:
            return to_kst(line.ship_by).date(), MALL_RULE
        start = line.paid_at or line.ordered_at
        days = self._lead_days(line)
        if start is None or days is None:
            return None, ""
        return add_working_days(to_kst(start).date(), days), f"결제일+출고기한 {days}일 (주말 제외, 공휴일 미반영)"

    def _lead_days(self, line: OrderLine) -> int | None:
        key = (line.mall, line.account, line.seller_code or line.product_id)
        if key not in self._lead:
            self._lead[key] = self._find(line)
        return self._lead[key]

    def _find(self, line: OrderLine) -> int | None:
        """The 출고기한 of the group this product was last sent with to the line's account."""
        journal = self.store.journal
        code = journal.code_of(line.mall, line.account, line.product_id) if line.product_id else None
        binding = journal.binding(line.mall, line.account, code or line.seller_code)
        if binding is None or not binding.get("group_name"):
            return None
        for group in self.store.groups_named(binding["group_name"]):
            if group.get("mall") == line.mall and group.get("account") in (None, "", line.account):
                try:
                    return int(group["lead_days"])
                except (KeyError, TypeError, ValueError):
                    return None
        return None
