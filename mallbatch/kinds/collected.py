"""Outbox kinds: orders, claims and inquiries collected from the malls.

These workbooks are also inbox templates: the orders workbook is read back as 송장
(the seller picks a 처리 or fills 택배사/송장번호) and the inquiries workbook as 문의답변 (the seller
fills 답변), the claims workbook as 클레임처리 (the seller picks 처리). That works because
these kinds reuse the very same Column objects.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mallbatch.domain.records import Claim, ClaimKind, Inquiry, OrderLine
from mallbatch.domain.states import order_state
from mallbatch.domain.couriers import BY_CODE as COURIERS
from mallbatch.domain.states import RETURN_WINDOW, claim_state
from mallbatch.kinds.claim_actions import (
    ACTION_COURIER,
    ACTION_REASON,
    ACTION_TRACKING,
    CLAIM_ACTION,
    CLAIM_ID,
    FEE,
    REASON_CODE,
    offered,
    offered_text,
)
from mallbatch.kinds.common import (
    ACCOUNT,
    ANSWER,
    ANSWER_ACTION,
    CANCEL_REASON,
    COLLECTED_AT,
    COURIER,
    INQUIRY_NO,
    LINE_ID,
    MALL,
    MALL_PRODUCT_ID,
    NEW,
    OPTION_OUT,
    ORDER_ACTION,
    ORDER_NO,
    PRODUCT_NAME,
    QUANTITY,
    QUANTITY_OUT,
    SHIP_UNIT,
    SHIPPED_ON,
    TEMPLATE,
    TRACKING_NO,
)
from mallbatch.kinds.invoices import offered as order_offered
from mallbatch.kinds.invoices import offered_text as order_offered_text
from mallbatch.malls import mall_name
from mallbatch.sheets.columns import Column, Kind, SheetKind
from mallbatch.sheets.dropdowns import ROW_CHOICES

STATUS = Column("주문상태", "status", help=("mallbatch 의 주문상태 (쇼핑몰마다 같은 이름). 보류: 쇼핑몰이 배송을 보류한 주문 "
                                             "(이유는 '배송보류' 열). 쇼핑몰이 쓰는 상태는 '쇼핑몰 상태' 열"), width=10)
MALL_STATUS = Column("쇼핑몰 상태", "status_raw", help="쇼핑몰이 보낸 상태 그대로 (아임웹: 상품준비·배송대기 …)", width=14)
HOLD = Column("배송보류", "hold", help=("쇼핑몰이 이 주문의 배송을 보류한 이유 (예: 구매자 주소 변경). 바뀐 주소를 확인하고 "
                                     "처리에 보류해제를 골라 넣은 뒤 송장을 보내세요. 보류 중에는 송장을 보내지 않습니다"), width=20)
ORDER_OFFERED = Column(
    "처리가능", "offered", help="이 주문에 mallbatch 로 할 수 있는 처리 (이 행의 처리 칸 목록). 주문 상태와 쇼핑몰 API 에 따라 다릅니다", width=24)
SHIP_BY = Column("발송기한", "ship_by", Kind.DATE, help="이 날까지 발송하세요. 근거는 '발송기한 근거' 열", width=11)
SHIP_BY_RULE = Column("발송기한 근거", "ship_by_rule", width=22,
                      help="쇼핑몰: 쇼핑몰이 준 발송기한. 결제일+출고기한: 판매정보 그룹의 출고기한(주말 제외, 공휴일은 세지 않음)")
CLAIM_STATE = Column("클레임", "claim", help="진행 중인 취소·반품·교환 (취소요청이면 송장을 보내지 않습니다)", width=10)
ORDERED_AT = Column("주문일시", "ordered_at", Kind.DATETIME, width=18)
PAID_AT = Column("결제일시", "paid_at", Kind.DATETIME, width=18)
BUYER = Column("구매자", "buyer_name", width=10)
BUYER_PHONE = Column("구매자연락처", "buyer_phone", Kind.PHONE, width=14)
RECEIVER = Column("수취인", "receiver_name", synonyms=("수취인명", "수령인", "받는분"), width=10)
RECEIVER_PHONE = Column("수취인연락처", "receiver_phone", Kind.PHONE, synonyms=("수취인연락처1", "수취인 연락처"), width=14)
RECEIVER_PHONE2 = Column("수취인연락처2", "receiver_phone2", Kind.PHONE, width=14)
ZIP = Column("우편번호", "zip", Kind.ZIP, synonyms=("수취인우편번호",), width=8)
ADDRESS = Column("주소", "address", synonyms=("수취인주소", "배송지"), width=30)
ADDRESS_DETAIL = Column("상세주소", "address_detail", width=16)
MEMO = Column("배송메시지", "memo", synonyms=("배송메세지", "배송요청사항"), width=20)
SELLER_CODE = Column("판매자상품코드", "seller_code", Kind.CODE, width=12)
UNIT_PRICE = Column("판매단가", "unit_price", Kind.INT, width=10)
AMOUNT = Column("결제금액", "amount", Kind.INT, width=10)
SHIPPING_FEE = Column("배송비(주문)", "shipping_fee", Kind.INT, width=10)

ORDERS = SheetKind(
    code="orders",
    title="주문",
    # what the seller fills sits right after the ids (frozen with the header): 처리, the invoice, and 수량 — the line's
    # quantity, read back as "this many of the line" when the seller lowers it (the same column as the 송장 sheet's);
    # then the line's state, why the mall holds it and what 처리 it can take (the row's own 처리 dropdown)
    columns=(NEW, MALL, ACCOUNT, ORDER_NO, SHIP_UNIT, LINE_ID, ORDER_ACTION, COURIER, TRACKING_NO, QUANTITY, CANCEL_REASON,
             SHIP_BY, STATUS, HOLD, MALL_STATUS, ORDER_OFFERED, CLAIM_STATE, ORDERED_AT, PAID_AT, MALL_PRODUCT_ID, SELLER_CODE,
             PRODUCT_NAME, OPTION_OUT, UNIT_PRICE, AMOUNT, SHIPPING_FEE, BUYER, BUYER_PHONE, RECEIVER, RECEIVER_PHONE,
             RECEIVER_PHONE2, ZIP, ADDRESS, ADDRESS_DETAIL, MEMO, SHIPPED_ON, SHIP_BY_RULE, COLLECTED_AT),
    description=("수집한 주문. 처리(송장·발주확인·판매취소·강제완료·보류해제·송장삭제: 행마다 할 수 있는 것만 목록에)를 고르거나 "
                 "택배사·송장번호를 채워 inbox 에 넣으면 처리됩니다. 일부만 보내거나 취소하려면 수량을 그만큼으로 고치세요"),
    inbox=False,
    reads_as="invoices",
    fill_columns=("courier", "tracking_no", "action"),  # the first names the skip: 송장 미입력
    frozen="line_id",
    column_dropdowns=("courier", "reason_code"),  # 처리: each row's own list (ROW_CHOICES)
)

CLAIM_KIND = Column("유형", "kind", width=6)
CLAIM_STATUS = Column("상태", "claim_status", help="mallbatch 의 한 가지 상태 (쇼핑몰마다 다른 코드는 '쇼핑몰 상태')", width=10)
CLAIM_STATUS_RAW = MALL_STATUS
OFFERED = Column("처리가능", "offered", help="이 쇼핑몰 API 로 이 클레임에 할 수 있는 처리 (처리 칸의 목록)", width=24)
RETURN_DUE = Column("반품기한", "return_due", Kind.DATE, help="반품은 배송완료 후 7일 안에 (배송완료일을 모르면 요청일부터)", width=12)
RETURN_BASIS = Column("기한기준", "return_basis", help="반품기한을 센 날: 배송완료일 또는 요청일", width=16)
REQUESTED_AT = Column("요청일시", "requested_at", Kind.DATETIME, width=18)
REASON = Column("사유", "reason", width=24)
REQUESTER = Column("요청자", "requester_name", width=10)
REQUESTER_PHONE = Column("요청자연락처", "requester_phone", Kind.PHONE, width=14)

CLAIMS = SheetKind(
    code="claims",
    title="클레임",
    columns=(NEW, COLLECTED_AT, MALL, ACCOUNT, CLAIM_ID, CLAIM_KIND, CLAIM_STATUS, CLAIM_STATUS_RAW, OFFERED, CLAIM_ACTION,
             ACTION_REASON, REASON_CODE, FEE, ACTION_COURIER, ACTION_TRACKING, RETURN_DUE, RETURN_BASIS, ORDER_NO, SHIP_UNIT,
             LINE_ID, REQUESTED_AT, REASON, QUANTITY_OUT, PRODUCT_NAME, OPTION_OUT, REQUESTER, REQUESTER_PHONE),
    description="수집한 취소·반품·교환. 처리를 골라(목록은 쇼핑몰마다 API 로 되는 것만) inbox 에 넣으면 처리가 전송됩니다",
    inbox=False,
    reads_as="claim_actions",
    fill_columns=("claim_action",),
)

INQUIRY_KIND = Column("문의유형", "inquiry_kind", width=10)
SUBJECT = Column("제목", "subject", width=24)
BODY = Column("문의내용", "body", width=40)
WRITER = Column("작성자", "writer", width=10)
ASKED_AT = Column("문의일시", "asked_at", Kind.DATETIME, width=18)
DEADLINE = Column("답변기한", "deadline", Kind.DATETIME, width=18)
TIME_LEFT = Column("남은시간", "time_left", help="답변기한까지 남은 시간", width=10)
ANSWERED = Column("답변여부", "answered", width=8)

INQUIRIES = SheetKind(
    code="inquiries",
    title="문의",
    columns=(NEW, COLLECTED_AT, MALL, ACCOUNT, INQUIRY_NO, INQUIRY_KIND, SUBJECT, BODY, MALL_PRODUCT_ID, PRODUCT_NAME,
             ORDER_NO, WRITER, ASKED_AT, DEADLINE, TIME_LEFT, ANSWERED, ANSWER, ANSWER_ACTION, TEMPLATE),
    description="수집한 고객 문의. 답변(또는 템플릿 이름)을 채워 inbox 에 넣으면 답변이 전송됩니다",
    inbox=False,
    reads_as="answers",
    fill_columns=("answer", "template"),
)


def courier_name(code: str) -> str:
    courier = COURIERS.get(code)
    return courier.name if courier else code


def order_values(line: OrderLine, open_claim: Claim | None = None, ship_by: tuple[date | None, str] = (None, "")) -> dict[str, Any]:
    """One row of the 주문 workbook; 처리 and 사유구분 are never pre-filled (only what the seller picks is sent)."""
    return {
        "hold": line.hold, "offered": order_offered_text(line, open_claim),
        ROW_CHOICES: {ORDER_ACTION.name: order_offered(line, open_claim)},  # the row's own 처리 dropdown
        "mall": mall_name(line.mall), "account": line.account, "order_no": line.order_id, "ship_unit": line.ship_unit,
        "line_id": line.line_id, "status": str(order_state(line, open_claim)), "status_raw": line.status_raw,
        "ship_by": ship_by[0], "ship_by_rule": ship_by[1], "claim": line.claim, "ordered_at": line.ordered_at,
        "paid_at": line.paid_at, "buyer_name": line.buyer_name, "buyer_phone": line.buyer_phone,
        "receiver_name": line.receiver_name, "receiver_phone": line.receiver_phone, "receiver_phone2": line.receiver_phone2,
        "zip": line.zip, "address": line.address, "address_detail": line.address_detail, "memo": line.memo,
        "product_id": line.product_id, "seller_code": line.seller_code, "name": line.product_name,
        "option_name": line.option_name, "quantity": line.quantity, "unit_price": line.unit_price, "amount": line.amount,
        "shipping_fee": line.shipping_fee, "courier": courier_name(line.courier) if line.courier else "",
        "tracking_no": line.tracking_no,
    }


def claim_values(claim: Claim, delivered_at: datetime | None = None) -> dict[str, Any]:
    """One 클레임 row; ``delivered_at`` (the line's delivery, when the mall gave it) starts a return's window."""
    due, basis = return_window(claim, delivered_at)
    return {
        "mall": mall_name(claim.mall), "account": claim.account, "claim_id": claim.claim_id, "kind": str(claim.kind),
        "claim_status": str(claim_state(claim)), "status_raw": claim.status_raw, "offered": offered_text(claim),
        "return_due": due, "return_basis": basis, "order_no": claim.order_id,
        "ship_unit": claim.ship_unit, "line_id": ",".join(claim.line_ids), "requested_at": claim.requested_at,
        "reason": claim.reason, "quantity": claim.quantity, "name": claim.product_name, "option_name": claim.option_name,
        "requester_name": claim.requester_name, "requester_phone": claim.requester_phone,
        ROW_CHOICES: {CLAIM_ACTION.name: offered(claim)},  # the row's own 처리 dropdown
    }


def return_window(claim: Claim, delivered_at: datetime | None) -> tuple[date | None, str]:
    """(last day, what it counts from) of a return (seed 002: RETURN_WINDOW after delivery); nothing for other kinds."""
    if claim.kind is not ClaimKind.RETURN:
        return None, ""
    if delivered_at is not None:
        return (delivered_at + RETURN_WINDOW).date(), "배송완료일"
    if claim.requested_at is not None:
        return (claim.requested_at + RETURN_WINDOW).date(), "요청일 (배송완료일 모름)"
    return None, "배송완료일·요청일 모름"


def inquiry_values(inquiry: Inquiry, deadline: datetime | None, now: datetime) -> dict[str, Any]:
    left = ""
    if deadline and not inquiry.answered:
        hours = (deadline - now).total_seconds() / 3600
        left = "기한 지남" if hours < 0 else f"{int(hours)}시간 {int(hours % 1 * 60)}분"
    return {
        "mall": mall_name(inquiry.mall), "account": inquiry.account, "inquiry_id": inquiry.inquiry_id,
        "inquiry_kind": inquiry.kind, "subject": inquiry.subject, "body": inquiry.body, "product_id": inquiry.product_id,
        "name": inquiry.product_name, "order_no": inquiry.order_id, "writer": inquiry.writer, "asked_at": inquiry.asked_at,
        "deadline": deadline, "time_left": left, "answered": "Y" if inquiry.answered else "N",
        # Never pre-filled: a dropped-back workbook must only send answers the seller wrote.
        "answer": "", "action": "", "template": "",
    }
