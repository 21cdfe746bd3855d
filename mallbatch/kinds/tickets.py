"""지원 티켓 (Wish support tickets, seed 004): the 티켓 workbook collection writes and the
티켓처리 sheet it reads back as (the same Column objects, like 클레임 → 클레임처리).

The seed's 48-hour clock (응답까지 남은 시간) runs from ``Ticket.awaiting_since`` while the
ticket waits for the merchant. Which 처리 a ticket offers is :func:`offered`: the ticket's state
and category (seed 004: 답변 only while 판매자 응답 대기, 답변후종료 for 구매 전 질문 and 고객 지원
후 질문, Wish지원요청 and 환불 for 구매 후 티켓, 재오픈 never for 영구 종료) and what its mall's
spec declares; the dropdown, the 처리가능 column and the push all ask it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mallbatch.connectors.registry import connector_class
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import KST
from mallbatch.domain.records import Ticket, TicketCategory, TicketState
from mallbatch.kinds.common import (
    ACCOUNT,
    ANSWER,
    ANSWER_ACTION,
    COLLECTED_AT,
    MALL,
    NEW,
    TEMPLATE,
    check_account,
    check_template_unused,
)
from mallbatch.malls import mall_name
from mallbatch.sheets.columns import Column, Kind, SheetKind
from mallbatch.sheets.dropdowns import ROW_CHOICES
from mallbatch.sheets.issues import Issue
from mallbatch.sheets.rows import Row, SheetContext
from mallbatch.sheets.writer import CELL_STYLE

REPLY_HOURS = 48  # seed 004: answer within 48 hours
URGENT_HOURS = 12  # under this the 응답까지 남은 시간 cell is highlighted
REPLY_MAX = 2000  # reference §3: a reply is at most 2000 characters
LATEST_MESSAGES = 3
OPEN = (TicketState.AWAITING_MERCHANT, TicketState.AWAITING_USER, TicketState.AWAITING_WISH)
_ALL = tuple(TicketCategory)
SENDERS = {"USER": "고객", "MERCHANT": "판매자", "WISH_SUPPORT": "Wish 지원팀", "WISH_AUTOMATED_SUPPORT": "Wish 자동응답",
           "LIVE_CHAT": "Wish 채팅"}


@dataclass(frozen=True)
class Action:
    """One 처리 choice on a ticket: the capability, the states and categories it fits, what it needs."""

    name: str
    capability: Capability
    states: tuple[TicketState, ...]
    categories: tuple[TicketCategory, ...] = _ALL
    text: bool = False  # 답변 (or a 템플릿) is the message sent
    reason: bool = False  # 환불사유 required
    reaches: TicketState | None = None  # what the mall's state becomes once it is done


REPLY, CLOSE, APPEAL, REOPEN, REFUND = "답변", "답변후종료", "Wish지원요청", "재오픈", "환불"
ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action(REPLY, Capability.TICKET_REPLY, (TicketState.AWAITING_MERCHANT,), text=True, reaches=TicketState.AWAITING_USER),
    Action(CLOSE, Capability.TICKET_CLOSE, (TicketState.AWAITING_MERCHANT,),
           (TicketCategory.PRE_PURCHASE, TicketCategory.POST_CUSTOMER_SUPPORT), text=True, reaches=TicketState.CLOSED),
    Action(APPEAL, Capability.TICKET_APPEAL, (TicketState.AWAITING_MERCHANT, TicketState.AWAITING_USER), (TicketCategory.ORDER,),
           reaches=TicketState.AWAITING_WISH),
    Action(REOPEN, Capability.TICKET_REOPEN, (TicketState.CLOSED,), reaches=TicketState.AWAITING_MERCHANT),
    Action(REFUND, Capability.TICKET_REFUND, OPEN, (TicketCategory.ORDER,), reason=True, reaches=TicketState.CLOSED),
)}


def offered(ticket: Ticket) -> tuple[str, ...]:
    """The 처리 choices for this ticket: its mall declares the action, its state and category allow it."""
    cls = connector_class(ticket.mall)
    if cls is None:
        return ()
    return tuple(a.name for a in ACTIONS.values()
                 if a.capability in cls.spec.capabilities and ticket.state in a.states and ticket.category in a.categories)


def offered_text(ticket: Ticket) -> str:
    if ticket.state is TicketState.PERMANENTLY_CLOSED:
        return "처리할 것 없음 (영구 종료: 다시 열 수 없습니다)"
    return ", ".join(offered(ticket)) or f"지금 할 수 있는 처리 없음 ({ticket.state})"


def reply_due(ticket: Ticket) -> datetime | None:
    """When the 48 hours end; only while the ticket waits for the merchant."""
    if ticket.state is not TicketState.AWAITING_MERCHANT or ticket.awaiting_since is None:
        return None
    return ticket.awaiting_since + timedelta(hours=REPLY_HOURS)


def time_left(due: datetime | None, now: datetime) -> tuple[str, str]:
    """(응답까지 남은 시간 text, cell style): warn under 12 hours, bad once past."""
    if due is None:
        return "", ""
    minutes = int((due - now).total_seconds() // 60)
    if minutes < 0:
        late = -minutes
        return f"기한 지남 ({late // 60}시간 {late % 60}분 지남)", "bad"
    return f"{minutes // 60}시간 {minutes % 60}분", "warn" if minutes < URGENT_HOURS * 60 else ""


def latest_messages(ticket: Ticket) -> str:
    """The last few messages, oldest first, each with who wrote it and when (KST)."""
    lines = []
    for message in ticket.messages[-LATEST_MESSAGES:]:
        when = f" {message.at.astimezone(KST):%m-%d %H:%M}" if message.at else ""
        lines.append(f"[{SENDERS.get(message.sender, message.sender)}{when}] {message.text}")
    return "\n".join(lines)


def _kst(when: datetime | None) -> datetime | None:
    return when.astimezone(KST) if when else None


TICKET_ID = Column(
    "티켓번호", "ticket_id", Kind.CODE, required=True, synonyms=("티켓 ID", "티켓ID", "티켓 번호", "ticket id"),
    help="수집한 티켓 엑셀의 티켓번호", example="5f1a2b3c4d5e6f7a8b9c0d1e", width=26,
)
TICKET_ACTION = dataclasses.replace(
    ANSWER_ACTION, name="ticket_action", choices=tuple(ACTIONS), aliases={"응답": REPLY, "응답및해결": CLOSE, "답변 후 종료": CLOSE,
                                                                         "종료": CLOSE, "재검토요청": APPEAL, "Wish 지원 요청": APPEAL,
                                                                         "다시열기": REOPEN, "표시된주문환불": REFUND},
    variants={"답변완료": REPLY, "해결": CLOSE, "지원요청": APPEAL, "재개": REOPEN},
    help=(f"{REPLY}(답변을 보내면 고객 응답 대기로), {CLOSE}(답변을 보내고 종료: 구매 전 질문·고객 지원 후 질문), "
          f"{APPEAL}(구매 후 티켓을 Wish 지원팀에 재검토 요청), {REOPEN}(종료된 티켓, 영구 종료는 불가), "
          f"{REFUND}(구매 후 티켓의 주문 환불, 환불사유 필수). 답변이나 템플릿만 채우면 {REPLY}"),
    example=REPLY, default=REPLY,
)
REFUND_REASON = Column(
    "환불사유", "refund_reason", Kind.TEXT, synonyms=("환불 사유", "환불사유코드"),
    help="환불할 때 필수: Wish 환불 사유 (목록에서 고르세요)", width=16,
)
REFUND_ORDERS = Column(
    "환불주문", "refund_orders", Kind.TEXT, synonyms=("환불할 주문", "환불 주문"),
    help="환불할 이 티켓의 주문번호 (쉼표로 구분). 비우면 티켓의 주문을 모두 환불합니다", width=20,
)
ANSWER_OPTIONAL = dataclasses.replace(ANSWER, required=False,
                                      help=f"고객에게 보낼 답변 ({REPLY_MAX}자 이내, 판매자 응답 대기일 때만). 재오픈에는 다시 여는 사유")

CATEGORY = Column("카테고리", "category", help="구매 전 질문 / 구매 후 티켓 / 고객 지원 후 질문", width=14)
LABEL = Column("문제 유형", "label", help="고객이 고른 문제 유형 (Wish 가 주는 그대로)", width=18)
STATE = Column("상태", "state", help="판매자 응답 대기 / 고객 응답 대기 / Wish 검토 중 / 종료 / 영구 종료 (Wish 코드는 '쇼핑몰 상태')",
               width=14)
STATE_RAW = Column("쇼핑몰 상태", "state_raw", width=18)
TIME_LEFT = Column("응답까지 남은 시간", "time_left",
                   help=f"판매자 응답 대기가 된 때부터 {REPLY_HOURS}시간. {URGENT_HOURS}시간 미만은 노란색, 기한 지남은 빨간색", width=14)
DUE = Column("응답기한", "due", Kind.DATETIME, help="이 시각(한국 시간)까지 답변하세요", width=18)
OPENED = Column("접수일시", "opened_at", Kind.DATETIME, help="한국 시간", width=18)
UPDATED = Column("최근변경", "updated_at", Kind.DATETIME, help="한국 시간", width=18)
CUSTOMER = Column("고객", "customer_name", width=14)
LANGUAGE = Column("언어", "locale", help="고객의 언어: 템플릿은 이 언어로 채웁니다 (없으면 기본 언어, 그다음 en)", width=6)
ORDERS = Column("주문번호", "order_ids", help="티켓의 주문 (환불은 이 주문들을 환불합니다)", width=26)
PRODUCTS = Column("상품번호", "product_ids", width=26)
SUBJECT = Column("제목", "subject", width=24)
MESSAGES = Column("최근 메시지", "messages", help=f"마지막 {LATEST_MESSAGES}개 (보낸 사람, 한국 시간)", width=60)
OFFERED = Column("처리가능", "offered", help="이 티켓에 지금 할 수 있는 처리 (처리 칸의 목록)", width=24)


def check_ticket_action(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    """What the 처리 itself needs from the row; what the ticket's state allows is checked at send time."""
    action = ACTIONS.get(row.get("ticket_action", ""))
    if action is None:
        return
    if action.text and not row.has("answer") and not row.has("template"):
        yield ctx.issue(row, "answer", "answer-missing", f"{action.name}에는 답변이 필요합니다",
                        "답변 칸에 고객에게 보낼 글을 쓰거나 템플릿 칸에 템플릿 이름을 적으세요")
    if row.has("answer") and len(str(row.get("answer"))) > REPLY_MAX:
        yield ctx.issue(row, "answer", "answer-long", f"답변은 {REPLY_MAX}자 이내여야 합니다 (현재 {len(str(row.get('answer')))}자)",
                        f"{REPLY_MAX}자 이내로 줄이세요")
    if action.reason and not row.has("refund_reason"):
        yield ctx.issue(row, "refund_reason", "reason-missing", "환불에는 환불사유가 필요합니다", "환불사유 칸에서 사유를 고르세요")


TICKET_ACTIONS = SheetKind(
    code="ticket_actions",
    title="티켓처리",
    columns=(MALL, ACCOUNT, TICKET_ID, ANSWER_OPTIONAL, TICKET_ACTION, REFUND_REASON, REFUND_ORDERS, TEMPLATE),
    description="Wish 지원 티켓의 처리 (답변, 답변후종료, Wish지원요청, 재오픈, 환불)",
    unique=("mall", "account", "ticket_id"),
    row_rules=(check_account, check_ticket_action, check_template_unused),
    example_rows=({"mall": "Wish", "account": "기본", "ticket_id": TICKET_ID.example, "answer": "Hello, your order ships today.",
                   "ticket_action": REPLY},),
)

TICKETS = SheetKind(
    code="tickets",
    title="티켓",
    columns=(NEW, MALL, ACCOUNT, TICKET_ID, STATE, TIME_LEFT, ANSWER_OPTIONAL, TICKET_ACTION, REFUND_REASON, REFUND_ORDERS,
             TEMPLATE, OFFERED,
             CATEGORY, LABEL, SUBJECT, MESSAGES, CUSTOMER, LANGUAGE, ORDERS, PRODUCTS, DUE, OPENED, UPDATED, STATE_RAW,
             COLLECTED_AT),
    description="수집한 Wish 지원 티켓. 답변(또는 템플릿)과 처리를 채워 inbox 에 넣으면 처리가 전송됩니다",
    inbox=False,
    reads_as="ticket_actions",
    fill_columns=("ticket_action", "answer", "template"),
    frozen="ticket_id",
)


def ticket_values(ticket: Ticket, now: datetime) -> dict[str, Any]:
    """One 티켓 row; 답변, 처리, 환불사유, 템플릿 are never pre-filled (only what the seller writes is sent)."""
    due = reply_due(ticket)
    left, style = time_left(due, now)
    return {
        "mall": mall_name(ticket.mall), "account": ticket.account, "ticket_id": ticket.ticket_id, "state": str(ticket.state),
        "state_raw": ticket.state_raw, "time_left": left, "due": _kst(due), "category": str(ticket.category),
        "label": ticket.label, "subject": ticket.subject, "messages": latest_messages(ticket),
        "customer_name": ticket.customer_name, "locale": ticket.locale, "order_ids": ", ".join(ticket.order_ids),
        "product_ids": ", ".join(ticket.product_ids), "opened_at": _kst(ticket.opened_at), "updated_at": _kst(ticket.updated_at),
        "offered": offered_text(ticket), "answer": "", "ticket_action": "", "refund_reason": "", "refund_orders": "",
        "template": "",
        ROW_CHOICES: {TICKET_ACTION.name: offered(ticket)},
        CELL_STYLE: {"time_left": style} if style else {},
    }
