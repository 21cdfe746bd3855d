"""송장 (invoices): courier and tracking number per order, sent after 발주확인.

The orders workbook from ``collect`` is also accepted: it carries the same 쇼핑몰/계정/
주문번호/묶음배송번호/상품주문번호/택배사/송장번호 columns, and rows the seller left
without a tracking number are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from mallbatch.domain.couriers import find_courier
from mallbatch.kinds.common import (
    ACCOUNT,
    COURIER,
    LINE_ID,
    MALL,
    ORDER_NO,
    SHIP_UNIT,
    SHIPPED_ON,
    TRACKING_NO,
    check_account,
)
from mallbatch.sheets.columns import SheetKind
from mallbatch.sheets.issues import Issue
from mallbatch.sheets.rows import Row, SheetContext


def check_tracking(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    courier = find_courier(row.get("courier", ""))
    number = row.get("tracking_no", "")
    if courier is None or not number:
        return
    digits = number.replace("-", "").replace(" ", "")
    problem = courier.check(digits)
    if problem:
        yield ctx.issue(row, "tracking_no", "tracking", problem, "송장번호를 다시 확인하세요 (엑셀 서식은 '텍스트')")


INVOICES = SheetKind(
    code="invoices",
    title="송장",
    columns=(MALL, ACCOUNT, ORDER_NO, SHIP_UNIT, LINE_ID, COURIER, TRACKING_NO, SHIPPED_ON),
    description="주문별 택배사·송장번호 (발주확인 후 송장송신까지 한 번에)",
    unique=("mall", "account", "order_no", "ship_unit", "line_id"),
    row_rules=(check_tracking, check_account),
    example_rows=({"mall": "쿠팡", "account": "기본", "order_no": "2026112100012345", "courier": "CJ대한통운", "tracking_no": "612345678901"},),
)
