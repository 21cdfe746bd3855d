"""Wish ticket actions (seed 004, reference §3.5 v3): 답변, 답변후종료, Wish지원요청, 재오픈, 환불 — their
prechecks, the calls each takes, and the read-back that keeps a lost answer from being sent again.

Every action is prepared into :class:`Step` parts, one call each, in order: a reply
(``POST /api/v3/tickets/{id}/replies``), a state change (``PUT /api/v3/tickets/{id}`` with CLOSED,
AWAITING_WISH or AWAITING_MERCHANT) or the refund of one order of the ticket
(``PUT /api/v3/orders/{id}/refund``). A step the ticket already shows (a reply with the same text from
the merchant, the state asked for, an order refunded) is left out, so an action half done before is
finished, not repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mallbatch.domain.capability import Capability
from mallbatch.domain.records import TicketAction, TicketCategory, TicketState

if TYPE_CHECKING:
    from mallbatch.connectors.runtime.connector import Connector

MAX_REPLY = 2000  # reference §3.5
REPLY_PATH = "/api/v3/tickets/{ticket_id}/replies"
TICKET_PATH = "/api/v3/tickets/{ticket_id}"
REFUND_PATH = "/api/v3/orders/{order_id}/refund"
CLOSED_STATES = ("CLOSED", "PERMANENTLY_CLOSED")
# v3 refund_reason (ITEM_NEVER_ARRIVED, ITEM_IS_DAMAGED: reference §3.5; the rest invented), by the Korean
# label a 티켓 workbook can offer; a TicketAction.reason_code may be either the label or the code.
REFUND_REASONS: dict[str, str] = {
    "배송안됨": "ITEM_NEVER_ARRIVED", "파손": "ITEM_IS_DAMAGED", "상품정보와다름": "ITEM_DOES_NOT_MATCH_LISTING",
    "오배송": "WRONG_ITEM_SENT", "구성품누락": "ITEM_MISSING", "구매자변심": "CUSTOMER_CHANGED_MIND", "기타": "OTHER",
}
STATE_OF = {Capability.TICKET_APPEAL: "AWAITING_WISH", Capability.TICKET_REOPEN: "AWAITING_MERCHANT"}


@dataclass(frozen=True)
class Step:
    """One call of a ticket action. Carries the action's payload fields, so a read-back of a step and of
    the journaled action compare the same names."""

    ticket_id: str
    kind: str  # "reply" / "state" / "refund"
    text: str = ""
    state: str = ""
    order_id: str = ""
    reason_code: str = ""
    order_ids: tuple[str, ...] = ()


def key(item: TicketAction | Step) -> str:
    return item.ticket_id.strip()


def reason(code: str) -> str | None:
    """The v3 refund reason of a Korean label or a code; None when neither."""
    return REFUND_REASONS.get(code.strip()) or (code.strip() if code.strip() in REFUND_REASONS.values() else None)


# --- checks made before any call ------------------------------------------------------------
def _text(action: TicketAction, *, required: bool) -> str | None:
    if required and not action.text.strip():
        return "답변 내용이 비어 있습니다. 답변 칸을 채우세요"
    if len(action.text) > MAX_REPLY:
        return f"Wish 답변은 {MAX_REPLY:,}자까지입니다 (현재 {len(action.text):,}자). 줄여서 다시 보내세요"
    return None


def _state(action: TicketAction) -> TicketState | None:
    return action.ticket.state if action.ticket is not None else None


def reply_problem(action: TicketAction) -> str | None:
    return _text(action, required=True)


def close_problem(action: TicketAction) -> str | None:
    return _text(action, required=False)


def appeal_problem(action: TicketAction) -> str | None:
    if _state(action) in (TicketState.CLOSED, TicketState.PERMANENTLY_CLOSED):
        return "종료된 티켓은 Wish 지원팀에 요청할 수 없습니다. 먼저 재오픈하세요"
    return None


def reopen_problem(action: TicketAction) -> str | None:
    if _state(action) is TicketState.PERMANENTLY_CLOSED:
        return "영구 종료(PERMANENTLY_CLOSED)된 티켓은 다시 열 수 없습니다"
    return _text(action, required=False)


def refund_problem(action: TicketAction) -> str | None:
    ticket = action.ticket
    if ticket is not None and ticket.category is not TicketCategory.ORDER:
        return f"환불은 구매 후 티켓에서만 할 수 있습니다 (이 티켓: {ticket.category})"
    if not action.order_ids:
        return "환불할 주문을 고르세요 (티켓의 주문번호)"
    if ticket is not None and set(action.order_ids) - set(ticket.order_ids):
        extra = ", ".join(sorted(set(action.order_ids) - set(ticket.order_ids)))
        return f"이 티켓의 주문이 아닙니다: {extra} (티켓의 주문: {', '.join(ticket.order_ids) or '없음'})"
    if reason(action.reason_code) is None:
        return f"환불 사유를 고르세요: {', '.join(REFUND_REASONS)} (현재 '{action.reason_code}')"
    return None


# --- what the mall shows -------------------------------------------------------------------------
def replied_with(ticket: dict[str, Any], text: str) -> bool:
    """The ticket shows this reply text from the merchant (whitespace at the ends aside)."""
    wanted = text.strip()
    return any(r.get("sender") == "MERCHANT" and str(r.get("message") or "").strip() == wanted
               for r in ticket.get("replies") or [])


def refunded_orders(connector: Connector, ticket: dict[str, Any]) -> set[str]:
    found = set()
    for order in ticket.get("orders") or []:
        seen = connector.lookup("order", str(order.get("id")))
        if seen is not None and seen.get("state") == "REFUNDED":
            found.add(str(order.get("id")))
    return found


def with_refunds(connector: Connector, key: str) -> dict[str, Any] | None:
    """Lookup scan for the refund read-back: the ticket and which of its orders Wish shows refunded."""
    ticket = connector.lookup("ticket", key)
    return None if ticket is None else {**ticket, "_refunded": sorted(refunded_orders(connector, ticket))}


# --- read-backs (holds) ---------------------------------------------------------------------------
def holds_reply(ticket: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return replied_with(ticket, str(wanted.get("text") or ""))


def holds_close(ticket: dict[str, Any], wanted: dict[str, Any]) -> bool:
    text = str(wanted.get("text") or "")
    return ticket.get("state") in CLOSED_STATES and (not text.strip() or replied_with(ticket, text))


def holds_state(state: str) -> Any:
    def holds(ticket: dict[str, Any], wanted: dict[str, Any]) -> bool:
        text = str(wanted.get("text") or "")
        if state == "AWAITING_MERCHANT" and text.strip():  # re-opened, then the reason went as a reply
            return replied_with(ticket, text) and ticket.get("state") not in CLOSED_STATES
        return ticket.get("state") == state
    return holds


def holds_refund(ticket: dict[str, Any], wanted: dict[str, Any]) -> bool:
    asked = {str(o) for o in wanted.get("order_ids") or []}
    return bool(asked) and asked <= set(ticket.get("_refunded") or [])


# --- prepare: the steps still to do ------------------------------------------------------------------
def prepare(capability: Capability) -> Any:
    """Write.prepare for ``capability``: the live ticket read first, then its steps not done yet. When
    every step is done already the last one is sent anyway: Wish refuses it and the read-back reports
    the action as done (never an item without a result)."""
    def steps(connector: Connector, action: TicketAction) -> list[Step] | str:
        ticket_id = key(action)
        ticket = connector.lookup("ticket", ticket_id)
        if ticket is None:
            return f"Wish 에 티켓 {ticket_id} 이(가) 없습니다. 티켓을 다시 수집한 뒤 보내세요"
        state = str(ticket.get("state") or "")
        base = {"ticket_id": ticket_id, "text": action.text, "reason_code": action.reason_code, "order_ids": tuple(action.order_ids)}
        reply = Step(kind="reply", **base)
        replied = not action.text.strip() or replied_with(ticket, action.text)
        if capability is Capability.TICKET_REPLY:
            return [reply]
        if capability is Capability.TICKET_CLOSE:
            if not replied and state != "AWAITING_MERCHANT":
                shown = TicketState[state] if state in TicketState.__members__ else state
                return f"판매자 응답 대기 상태에서만 답변할 수 있습니다 (현재: {shown}). 답변 없이 종료하려면 답변 칸을 비우세요"
            todo = [(reply, replied), (Step(kind="state", state="CLOSED", **base), state in CLOSED_STATES)]
        elif capability is Capability.TICKET_REFUND:
            done = refunded_orders(connector, ticket)
            todo = [(Step(kind="refund", order_id=o, **base), o in done) for o in action.order_ids]
        else:
            wanted = STATE_OF[capability]
            todo = [(Step(kind="state", state=wanted, **base), state == wanted)]
            if capability is Capability.TICKET_REOPEN and action.text.strip():
                todo.append((reply, replied))
        left = [step for step, done in todo if not done]
        return left or [todo[-1][0]]
    return steps


def route(steps: list[Step]) -> tuple[str, str]:
    step = steps[0]
    if step.kind == "reply":
        return "POST", REPLY_PATH
    if step.kind == "refund":
        return "PUT", REFUND_PATH
    return "PUT", TICKET_PATH


def body(steps: list[Step]) -> dict[str, Any]:
    """The step's body; ``ticket_id`` / ``order_id`` fill the path (Connector.call) and are not sent."""
    step = steps[0]
    if step.kind == "reply":
        return {"ticket_id": step.ticket_id, "message": step.text}
    if step.kind == "refund":
        return {"order_id": step.order_id, "reason_code": reason(step.reason_code), "reason_note": step.text,
                "ticket_id": step.ticket_id}  # invented: the refund names its ticket (seed 004 표시된 주문 환불)
    return {"ticket_id": step.ticket_id, "state": step.state}
