"""Tickets in the store: upserted by ticket id like inquiries, masked by retention once closed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import Ticket, TicketMessage, TicketState
from mallbatch.store import Store
from mallbatch.store.records import MASK, TICKETS
from tests.ticket_helpers import ticket


def test_ticket_round_trips_and_upserts_by_id(store_factory: Callable[..., Store]) -> None:
    first = ticket("T1")
    with store_factory() as store:
        assert store.records.upsert([first, ticket("T2")], "run1") == 2
        replied = dataclasses.replace(first, state=TicketState.AWAITING_USER,
                                      messages=[*first.messages, TicketMessage("MERCHANT", "Yes, it is.", now_kst())])
        assert store.records.upsert([replied], "run2") == 0
        back = store.records.ticket("wish", "기본", "T1")
        assert back == replied
        assert isinstance(back.messages[1], TicketMessage) and back.state is TicketState.AWAITING_USER
        assert [t.ticket_id for t, _, _ in store.records.all(Ticket, TICKETS)] == ["T1", "T2"]
        assert store.records.ticket("wish", "기본", "nope") is None


def test_closed_tickets_lose_name_and_message_text_after_retention(store_factory: Callable[..., Store]) -> None:
    with store_factory() as store:
        store.records.upsert([ticket("OPEN"), ticket("DONE", TicketState.CLOSED)], "run1")
        store.db.execute("UPDATE records SET updated_at=?", ((now_kst() - timedelta(days=100)).isoformat(),))
        assert store.records.mask_personal(now_kst() - timedelta(days=90)) == 1
        done = store.records.ticket("wish", "기본", "DONE")
        assert done.customer_name == MASK and [m.text for m in done.messages] == [MASK] and done.raw == {}
        assert done.messages[0].sender == "USER" and done.state is TicketState.CLOSED  # what metrics need stays
        still = store.records.ticket("wish", "기본", "OPEN")
        assert still.customer_name == "Anna Schmidt" and still.messages[0].text == "Is this in stock?"
