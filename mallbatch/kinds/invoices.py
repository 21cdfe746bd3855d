"""송장 (invoices): the seller's action per order line — 송장 (courier and tracking number, sent
after 발주확인), 발주확인 alone, 판매취소, 강제완료, 보류해제, 송장삭제 — chosen in the 처리 column.

수량 says how many of the line to ship or cancel: blank, or the line's own quantity (what the 주문 workbook
shows), is the whole line; a smaller number is a part of it (seed 003 수량 나누기), checked against the
collected line and its mall when sent (``pipeline/quantities.py``).

The orders workbook from ``collect`` is also accepted: it carries the same 쇼핑몰/계정/
주문번호/묶음배송번호/상품주문번호/처리/택배사/송장번호 columns, and rows the seller left
without a 처리 or an invoice are skipped. So is 스마트스토어's own 엑셀 일괄발송 sheet
(상품주문번호, 배송방법, 택배사, 송장번호: no 쇼핑몰 and no 주문번호 column).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mallbatch.connectors.registry import connector_class
from mallbatch.domain.capability import Capability
from mallbatch.domain.couriers import Courier, find_courier
from mallbatch.domain.records import Claim, OrderLine, OrderStatus
from mallbatch.domain.states import SELLER_REASONS, State, order_state
from mallbatch.kinds.common import (
    ACCOUNT,
    CANCEL,
    CANCEL_REASON,
    CONFIRM,
    COURIER,
    DELETE_INVOICE,
    DONE_OUTSIDE,
    LINE_ID,
    MALL,
    ORDER_ACTION,
    ORDER_NO,
    QUANTITY,
    RELEASE,
    SEND,
    SHIP_UNIT,
    SHIPPED_ON,
    TRACKING_NO,
    check_account,
)
from mallbatch.malls import find_mall, mall_name
from mallbatch.sheets.columns import Column, SheetKind
from mallbatch.sheets.issues import WARNING, Issue
from mallbatch.sheets.rows import Row, SheetContext

GENERAL_NO_CANCEL = "종합몰은 판매자에 의한 판매취소처리가 제공되지 않습니다"  # seed 001 주문확인/처리
GENERAL_NO_CANCEL_FIX = "주문고객 또는 제휴몰 담당 MD 와 처리하세요"


def action_of(row: Row) -> str:
    """The row's 처리; empty is 송장 (a 송장 sheet of before the 처리 column)."""
    return str(row.get("action") or SEND)


def waived(row: Row) -> Iterable[str]:
    """A row names its line by 묶음배송번호 or 상품주문번호 as well as by 주문번호; only 송장 needs an invoice."""
    if row.has("ship_unit") or row.has("line_id"):
        yield "order_no"
    if action_of(row) != SEND:
        yield from ("courier", "tracking_no")


def tracking_text(courier: Courier, number: str) -> str:
    """The number as sent: digits without the seller's dashes and spaces, or a 퀵서비스/방문수령/직접배송
    reference (a rider's phone, a note) as typed (seed 003: free text)."""
    return number.replace("-", "").replace(" ", "") if courier.tracked else number.strip()


def check_tracking(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    courier = find_courier(row.get("courier", ""))
    number = row.get("tracking_no", "")
    if courier is None or not number:
        return
    problem = courier.check(tracking_text(courier, number))
    if problem:
        yield ctx.issue(row, "tracking_no", "tracking", problem, "송장번호를 다시 확인하세요 (엑셀 서식은 '텍스트')")


def check_action(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    """What each 처리 needs, and what it cannot carry: only 송장 sends the invoice filled beside it."""
    action = action_of(row)
    if action not in ORDER_ACTION.choices:
        return  # reported on the 처리 cell
    if action == CANCEL and row.has("tracking_no"):
        # the 주문 workbook shows the invoice a line already has: whether it stops the cancel is the stored line's business
        yield ctx.issue(row, "tracking_no", "action-invoice", f"{CANCEL}은(는) 송장을 보내지 않습니다. 송장번호는 읽지 않았습니다",
                        "", WARNING)
    elif action not in (SEND, DONE_OUTSIDE, DELETE_INVOICE) and row.has("tracking_no"):
        yield ctx.issue(row, "action", "action-invoice", f"{action}은(는) 송장을 보내지 않는데 송장번호가 있습니다",
                        f"송장까지 보내려면 처리를 '{SEND}'(으)로 고치거나 비우고, {action}만 하려면 송장번호를 지우세요")
    if action == CANCEL:
        mall = find_mall(row.get("mall", ""))
        if mall is not None and mall.general:
            yield ctx.issue(row, "action", "general-no-cancel", GENERAL_NO_CANCEL, GENERAL_NO_CANCEL_FIX)
        if not row.has("reason_code"):
            yield ctx.issue(row, "reason_code", "required", "판매취소에는 사유구분이 필요합니다",
                            f"목록에서 고르세요: {', '.join(SELLER_REASONS)}")
    elif row.has("reason_code"):
        yield ctx.issue(row, "reason_code", "reason-unused", f"사유구분은 {CANCEL}에만 씁니다. {action}에는 읽지 않았습니다",
                        "", WARNING)


SHIPPED = (OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED, OrderStatus.RETURNED, OrderStatus.EXCHANGED)


def offered(line: OrderLine, open_claim: Claim | None = None) -> tuple[str, ...]:
    """The 처리 choices of one 주문 row: what the line's state allows and its mall's spec declares — the row's own
    dropdown and its 처리가능 cell. 송장삭제 appears only on a 배송대기 line with an invoice, where the mall deletes one."""
    cls = connector_class(line.mall)
    if cls is None or line.status in (OrderStatus.CANCELED,):
        return ()
    can = cls.spec.capabilities
    state = order_state(line, open_claim)
    if line.status in SHIPPED:
        return tuple(a for a, ok in ((SEND, Capability.INVOICES_UPDATE in can), (DONE_OUTSIDE, True)) if ok)
    if state is State.HELD:
        return tuple(a for a, ok in ((RELEASE, Capability.ORDERS_RELEASE in can), (CANCEL, Capability.ORDERS_CANCEL in can),
                                     (DONE_OUTSIDE, True)) if ok)
    invoiced = bool(line.tracking_no) and Capability.INVOICES_DELETE in can
    return tuple(a for a, ok in (
        (SEND, Capability.INVOICES_SEND in can),
        (CONFIRM, line.status is OrderStatus.PAID and Capability.ORDERS_CONFIRM in can),
        (DELETE_INVOICE, invoiced),
        (CANCEL, Capability.ORDERS_CANCEL in can and not invoiced),
        (DONE_OUTSIDE, True),
    ) if ok)


def offered_text(line: OrderLine, open_claim: Claim | None = None) -> str:
    """What the 주문 workbook's 처리가능 cell says: the choices, with why 판매취소 waits when it does."""
    choices = offered(line, open_claim)
    if DELETE_INVOICE in choices:
        return f"{', '.join(choices)} (판매취소는 송장삭제 후)"
    return ", ".join(choices) or "처리할 것 없음"


INVOICES = SheetKind(
    code="invoices",
    title="송장",
    columns=(MALL, ACCOUNT, ORDER_NO, SHIP_UNIT, LINE_ID, ORDER_ACTION, COURIER, TRACKING_NO, QUANTITY, CANCEL_REASON, SHIPPED_ON),
    description=("주문별 처리: 송장(택배사·송장번호, 발주확인 후 송장송신까지 한 번에), 발주확인, 판매취소, 강제완료, 보류해제, "
                 "송장삭제. 수량을 비우면 상품주문 전체, 적으면 그만큼만 (수량 나누기를 허용하는 쇼핑몰)"),
    unique=("mall", "account", "order_no", "ship_unit", "line_id"),
    row_rules=(check_tracking, check_account, check_action),
    waived=waived,
    example_rows=({"mall": "쿠팡", "account": "기본", "order_no": "2026112100012345", "action": SEND, "courier": "CJ대한통운",
                   "tracking_no": "612345678901"},),
)

# 스마트스토어 판매자센터 > 발송처리 > 엑셀 일괄발송: the seller's own upload sheet, read as 송장 rows of 스마트스토어
# (headers from the reference's invoice bulk-upload table; its first row is a guide row, found by the header search).
DELIVERY_METHOD = Column("배송방법", "delivery_method", width=12,
                         help="스마트스토어 엑셀 일괄발송의 배송방법 (택배사 칸으로 보냅니다: 직접전달이면 택배사에 직접전달)")
SMARTSTORE_BULK = SheetKind(
    code="smartstore_bulk_dispatch",
    title="엑셀 일괄발송",
    columns=(LINE_ID, DELIVERY_METHOD, COURIER, TRACKING_NO),
    description="스마트스토어 엑셀 일괄발송 양식 (상품주문번호, 배송방법, 택배사, 송장번호)",
    inbox=False,
    reads_as="invoices",
    fill_columns=("courier", "tracking_no"),
    implied={"mall": mall_name("smartstore")},
)
