"""Wish support tickets (seed 004, reference §3.3/§3.5): the v3 state rules the simulator enforces.

States: AWAITING_MERCHANT → (reply) AWAITING_USER → (the customer answers) AWAITING_MERCHANT …;
the merchant may close (CLOSED), appeal to Wish support (AWAITING_WISH) or re-open a CLOSED ticket
(AWAITING_MERCHANT); Wish may close a ticket for good (PERMANENTLY_CLOSED), which is never re-opened.
A refund of the marked order items closes an ORDER ticket (seed 004 "표시된 주문 환불").

Each rule raises :class:`TicketRefused` with a Wish error code and message; the codes are invented
(the reference gives 1000 invalid parameter as the generic refusal, reference §3.2).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mallbatch.sandbox.wish_data import follow_up, reply, v3_time

AWAITING_MERCHANT, AWAITING_USER, AWAITING_WISH = "AWAITING_MERCHANT", "AWAITING_USER", "AWAITING_WISH"
CLOSED, PERMANENTLY_CLOSED = "CLOSED", "PERMANENTLY_CLOSED"
STATES = (AWAITING_MERCHANT, AWAITING_USER, AWAITING_WISH, CLOSED, PERMANENTLY_CLOSED)
TYPES = ("PRE_PURCHASE", "ORDER", "POST_CUSTOMER_SUPPORT")
MAX_REPLY = 2000  # reference §3.5: ≤ 2000 characters

INVALID = 1000  # reference §3.2: invalid parameter
NOT_FOUND = 1004  # invented
STATE_RULE = 1018  # invented: the ticket's state does not allow this


class TicketRefused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _touch(ticket: dict[str, Any], state: str, now: datetime) -> None:
    ticket["state"], ticket["updated_at"] = state, v3_time(now)
    if state == AWAITING_MERCHANT:
        ticket["_awaiting_since"] = ticket["updated_at"]


def merchant_reply(ticket: dict[str, Any], message: str, now: datetime) -> dict[str, Any]:
    """Only while AWAITING_MERCHANT, 1–2000 characters; the ticket then waits on the customer."""
    if not message.strip():
        raise TicketRefused(INVALID, "message is required")
    if len(message) > MAX_REPLY:
        raise TicketRefused(INVALID, f"message must be at most {MAX_REPLY} characters (got {len(message)})")
    if ticket["state"] != AWAITING_MERCHANT:
        raise TicketRefused(STATE_RULE, f"Ticket {ticket['id']} is not awaiting merchant (state: {ticket['state']})")
    answer = reply("MERCHANT", message, now)
    ticket["replies"].append(answer)
    _touch(ticket, AWAITING_USER, now)
    return answer


def change_state(ticket: dict[str, Any], state: str, now: datetime) -> None:
    """``PUT /tickets/{id}`` {"state"}: CLOSED (close), AWAITING_MERCHANT (re-open), AWAITING_WISH (appeal)."""
    current = ticket["state"]
    if state not in (CLOSED, AWAITING_MERCHANT, AWAITING_WISH):
        raise TicketRefused(INVALID, f"state must be one of CLOSED, AWAITING_MERCHANT, AWAITING_WISH (got {state!r})")
    if current == PERMANENTLY_CLOSED:
        raise TicketRefused(STATE_RULE, f"Ticket {ticket['id']} is permanently closed and can never be re-opened")
    if current == state:
        raise TicketRefused(STATE_RULE, f"Ticket {ticket['id']} is already {state}")
    if state == AWAITING_MERCHANT and current != CLOSED:
        raise TicketRefused(STATE_RULE, f"Only a closed ticket can be re-opened (state: {current})")
    if state == AWAITING_WISH and current == CLOSED:
        raise TicketRefused(STATE_RULE, f"A closed ticket cannot be appealed to Wish support (state: {current})")
    _touch(ticket, state, now)
    if state == CLOSED:
        ticket["resolution_info"] = {"closed_at": ticket["updated_at"], "closed_by": "MERCHANT"}
    else:
        ticket["resolution_info"] = None


def check_refund(ticket: dict[str, Any], order_id: str) -> None:
    """A refund through a ticket: an open ORDER ticket that names the order (seed 004: 구매 후 티켓 only)."""
    if ticket["type"] != "ORDER":
        raise TicketRefused(STATE_RULE, f"Only ORDER tickets can refund orders (ticket type: {ticket['type']})")
    if ticket["state"] in (CLOSED, PERMANENTLY_CLOSED):
        raise TicketRefused(STATE_RULE, f"Ticket {ticket['id']} is closed (state: {ticket['state']})")
    if order_id not in {o["id"] for o in ticket["orders"]}:
        raise TicketRefused(INVALID, f"Order {order_id} is not part of ticket {ticket['id']}")


def refunded(ticket: dict[str, Any], refunded_orders: set[str], reason: str, now: datetime) -> None:
    """Every order of the ticket refunded: the ticket closes (invented: with its refund reason)."""
    if {o["id"] for o in ticket["orders"]} <= refunded_orders:
        _touch(ticket, CLOSED, now)
        ticket["refund_reason"] = reason
        ticket["resolution_info"] = {"closed_at": ticket["updated_at"], "closed_by": "MERCHANT"}


def customer_reply(ticket: dict[str, Any], now: datetime, message: str = "") -> None:
    """The customer answers: a ticket waiting on them is back with the merchant (seed 004 사용자 대기)."""
    if ticket["state"] != AWAITING_USER:
        raise TicketRefused(STATE_RULE, f"Ticket {ticket['id']} is not awaiting the customer (state: {ticket['state']})")
    ticket["replies"].append(reply("USER", message or follow_up(ticket["buyer_info"]["locale"]), now))
    _touch(ticket, AWAITING_MERCHANT, now)


def close_permanently(ticket: dict[str, Any], now: datetime) -> None:
    """Wish closes the ticket for good (sandbox control)."""
    _touch(ticket, PERMANENTLY_CLOSED, now)
    ticket["resolution_info"] = {"closed_at": ticket["updated_at"], "closed_by": "WISH_SUPPORT"}


def shown(ticket: dict[str, Any]) -> dict[str, Any]:
    """The ticket as the API answers it: without the simulator's own fields (``_…``)."""
    return {k: v for k, v in ticket.items() if not k.startswith("_")}
