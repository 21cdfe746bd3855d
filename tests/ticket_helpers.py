"""Tickets as a connector hands them over, for store, workbook and metric tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import Ticket, TicketCategory, TicketMessage, TicketState


def ticket(ticket_id: str, state: TicketState = TicketState.AWAITING_MERCHANT, *, category: TicketCategory = TicketCategory.PRE_PURCHASE,
           opened: datetime | None = None, waiting_hours: float = 1.0, first_reply_hours: float | None = None,
           csat: float | None = None, locale: str = "en", mall: str = "wish", text: str = "Is this in stock?") -> Ticket:
    """A ticket opened at ``opened`` (default: an hour ago) and waiting for the merchant ``waiting_hours``."""
    now = now_kst()
    opened = opened or now - timedelta(hours=max(waiting_hours, 1.0))
    return Ticket(
        mall=mall, account="기본", ticket_id=ticket_id, category=category, state=state, state_raw=state.name, label="제품 관련 질문",
        subject="Size question", opened_at=opened, updated_at=now, customer_name="Anna Schmidt", locale=locale,
        order_ids=["ORD1"] if category is not TicketCategory.PRE_PURCHASE else [], product_ids=["PRD1"],
        messages=[TicketMessage("USER", text, opened)], awaiting_since=now - timedelta(hours=waiting_hours),
        first_reply_at=opened + timedelta(hours=first_reply_hours) if first_reply_hours is not None else None, csat=csat,
        raw={"buyer_info": {"name": "Anna Schmidt"}},
    )
