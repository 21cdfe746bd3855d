"""매출통계 (seed 001 통계관리): sales from the store by period, mall, category, product, option and region.

Every collected order line counts on the day it was paid (ordered, when the mall gives no payment time), in KST.
What an approved cancel or a completed return takes back is deducted from that line, once: a line the mall shows
취소/반품 takes back all of it, 완료 cancel/return claims take back their quantity (0: the whole line), their sum
never more than the line; the amount deducted is the line's amount × the quantity taken back ÷ its quantity.
Sales are the lines' amounts (배송비 excluded). Nothing personal is kept: 지역 is the 시/도 of the delivery address
(기타 once retention masked it), and a 구매자입력형 option's text (the buyer's words) is never shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from mallbatch.domain.clock import to_kst
from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, OrderLine, OrderStatus
from mallbatch.domain.regions import region_of
from mallbatch.malls import mall_name
from mallbatch.store import Store
from mallbatch.store.records import CLAIMS, ORDERS

GONE = (OrderStatus.CANCELED, OrderStatus.RETURNED)
TAKING_BACK = (ClaimKind.CANCEL, ClaimKind.RETURN)
UNCATEGORISED, NO_DATE, BUYER_TEXT = "미분류", "날짜 없음", "(구매자 입력 옵션)"
OrderKey = tuple[str, str, str]  # mall, account, order id


@dataclass
class Totals:
    """One row of a statistics table."""

    orders: set[OrderKey] = field(default_factory=set)
    quantity: int = 0
    back_quantity: int = 0
    gross: int = 0
    back_amount: int = 0

    @property
    def net(self) -> int:
        return self.gross - self.back_amount

    @property
    def average(self) -> int:
        """객단가: net sales per order."""
        return round(self.net / len(self.orders)) if self.orders else 0

    def add(self, order: OrderKey, quantity: int, back_quantity: int, gross: int, back_amount: int) -> None:
        self.orders.add(order)
        self.quantity += quantity
        self.back_quantity += back_quantity
        self.gross += gross
        self.back_amount += back_amount


@dataclass
class Table:
    """Rows of one breakdown: key cells → totals, in the order the workbook shows them."""

    title: str
    keys: tuple[str, ...]  # the key columns' headers
    rows: list[tuple[tuple[str, ...], Totals]]


@dataclass
class SalesStats:
    start: date | None
    end: date | None
    total: Totals
    days: Table
    weeks: Table
    months: Table
    malls: Table
    categories: Table
    products: Table
    options: Table
    regions: Table
    undated: int = 0  # lines left out because they have no date and a period was asked for
    lines_in_store: int = 0  # every stored order line, in the period or not (an empty period says so)

    @property
    def empty(self) -> bool:
        return not self.total.orders

    def summary_ko(self) -> str:
        t = self.total
        text = (f"주문 {len(t.orders):,}건 · 수량 {t.quantity - t.back_quantity:,}개 · 순매출 {t.net:,}원 "
                f"(총매출 {t.gross:,}원, 취소·반품 {t.back_amount:,}원) · 객단가 {t.average:,}원")
        if self.undated:
            text += f" · 날짜가 없어 기간에서 빠진 주문상품 {self.undated:,}건"
        return text

    def period_ko(self) -> str:
        if self.start is None and self.end is None:
            return "전체 기간"
        return f"{self.start or '처음'} ~ {self.end or '마지막'}"


def sales_stats(store: Store, start: date | None = None, end: date | None = None) -> SalesStats:
    """The statistics of the lines paid from ``start`` to ``end`` (inclusive, KST; None: unbounded)."""
    taken = _taken_back(store)
    products = _Products(store)
    buckets: dict[str, defaultdict[tuple[str, ...], Totals]] = {
        name: defaultdict(Totals) for name in ("days", "weeks", "months", "malls", "categories", "products", "options", "regions")}
    total, undated, names = Totals(), 0, {}
    bounded = start is not None or end is not None
    for line, _, _ in store.records.all(OrderLine, ORDERS, raw=False):
        when = line.paid_at or line.ordered_at
        day = to_kst(when).date() if when else None
        if day is None and bounded:
            undated += 1
            continue
        if day is not None and ((start and day < start) or (end and day > end)):
            continue
        quantity = max(line.quantity, 0)
        back = quantity if line.status in GONE else min(quantity, taken.get((line.mall, line.account, line.line_id), 0))
        back_amount = line.amount if back == quantity else line.amount * back // quantity if quantity else 0
        values = (line.mall, line.account, line.order_id), quantity, back, line.amount, back_amount
        total.add(*values)
        code = products.code_of(line)
        product = (code, names.setdefault(code, products.name(code) or line.product_name)) if code else ("", line.product_name)
        option = BUYER_TEXT if products.buyer_text(code) else line.option_name
        keys = {"days": (day.isoformat(),) if day else (NO_DATE,), "malls": (mall_name(line.mall),),
                "categories": (products.category(code),), "products": product, "options": (*product, option),
                "regions": (region_of(line.address),)}
        if day:
            monday = day - timedelta(days=day.weekday())
            keys |= {"weeks": (f"{monday:%Y-%m-%d}~{monday + timedelta(days=6):%m-%d}",), "months": (f"{day:%Y-%m}",)}
        for name, key in keys.items():
            buckets[name][key].add(*values)
    def ranked(name: str) -> list[tuple[tuple[str, ...], Totals]]:  # best 순매출 first
        return sorted(buckets[name].items(), key=lambda item: (-item[1].net, item[0]))

    def timely(name: str) -> list[tuple[tuple[str, ...], Totals]]:  # in time order, 날짜 없음 last
        return sorted(buckets[name].items(), key=lambda item: (item[0] == (NO_DATE,), item[0]))

    return SalesStats(
        start, end, total,
        days=Table("일별", ("날짜",), timely("days")), weeks=Table("주별", ("주",), timely("weeks")),
        months=Table("월별", ("월",), timely("months")), malls=Table("제휴몰별", ("쇼핑몰",), ranked("malls")),
        categories=Table("카테고리별", ("카테고리",), ranked("categories")),
        products=Table("상품별", ("자체상품코드", "상품명"), ranked("products")),
        options=Table("옵션별", ("자체상품코드", "상품명", "옵션"), ranked("options")),
        regions=Table("지역별", ("시/도",), ranked("regions")), undated=undated,
        lines_in_store=store.records.count(ORDERS))


def _taken_back(store: Store) -> dict[tuple[str, str, str], int]:
    """Per (mall, account, line id): the quantity 완료 cancel/return claims took back, a claim's quantity spread over
    its lines in order (a claim without line ids covers its ship unit's lines)."""
    taken: dict[tuple[str, str, str], int] = defaultdict(int)
    for claim, _, _ in store.records.all(Claim, CLAIMS, raw=False):
        if claim.kind not in TAKING_BACK or claim.status is not ClaimStatus.DONE:
            continue
        ids = claim.line_ids or ([claim.ship_unit] if claim.ship_unit else [])
        if not ids:
            continue
        lines = [l for l in store.records.orders(claim.mall, claim.account, ids) if l.status not in GONE]
        left = claim.quantity if claim.quantity > 0 else None
        for line in _in_order(lines, claim.line_ids):
            part = line.quantity if left is None else min(line.quantity, left)
            if part <= 0:
                break
            taken[(line.mall, line.account, line.line_id)] += part
            left = None if left is None else left - part
    return taken


def _in_order(lines: list[OrderLine], ids: list[str]) -> Iterable[OrderLine]:
    """The claim's lines in the order it names them (the store's order otherwise)."""
    rank = {line_id: i for i, line_id in enumerate(ids)}
    return sorted(lines, key=lambda l: rank.get(l.line_id, len(rank)))


class _Products:
    """The saved product (자체상품코드) behind an order line: its own seller code, else the binding of the mall's product id."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.saved: dict[str, dict[str, Any] | None] = {}
        self.bound: dict[tuple[str, str], dict[str, str]] = {}

    def code_of(self, line: OrderLine) -> str:
        code = line.seller_code.strip()
        if code:
            return code
        if (line.mall, line.account) not in self.bound:
            self.bound[(line.mall, line.account)] = {
                str(b["product_id"]): c for c, b in self.store.journal.bindings_on(line.mall, line.account).items()}
        return self.bound[(line.mall, line.account)].get(str(line.product_id), "")

    def product(self, code: str) -> dict[str, Any] | None:
        if not code:
            return None
        if code not in self.saved:
            self.saved[code] = self.store.product(code)
        return self.saved[code]

    def name(self, code: str) -> str:
        return str((self.product(code) or {}).get("name") or "")

    def category(self, code: str) -> str:
        return str((self.product(code) or {}).get("category") or "").strip() or UNCATEGORISED

    def buyer_text(self, code: str) -> bool:
        return (self.product(code) or {}).get("option_type") == "구매자입력형"

