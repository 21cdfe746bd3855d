"""The support-ticket half of the contract (seed 004): tickets collected with keyset paging and every ticket
action sent once with the mall's state rules, through the harness's ticket methods, over real sockets.
A mall whose spec declares no "tickets" read is skipped, naming what it does not declare.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from mallbatch.domain.capability import Capability
from mallbatch.domain.records import Ticket, TicketAction, TicketCategory, TicketState
from mallbatch.store.journal import DONE
from tests.contract.test_contract import HANGUL, KST, Mall, mall, refused_text  # noqa: F401 - the fixture


def needs(mall: Mall, *capabilities: Capability) -> Any:
    adapter = mall.adapter()
    missing = [str(c) for c in (Capability.TICKETS_COLLECT, *capabilities) if c not in adapter.spec.capabilities]
    if missing:
        pytest.skip(f"{mall.harness.mall} 의 spec 이 선언하지 않음: {', '.join(missing)}")
    return adapter


def week() -> tuple[datetime, datetime]:
    now = datetime.now(KST)
    return now - timedelta(days=7), now + timedelta(minutes=1)


def collected(adapter: Any, ticket_id: str) -> Ticket:
    found = [t for t in adapter.tickets(*week()) if t.ticket_id == ticket_id]
    assert found, f"ticket {ticket_id} not collected"
    return found[0]


def act(mall: Mall, adapter: Any, capability: Capability, actions: list[TicketAction]) -> dict[str, Any]:
    """Through the journal as the 티켓 workbook's round trip sends them."""
    return mall.execute(adapter, str(capability), [(a.target, a.payload(), a) for a in actions])


def test_tickets_of_every_category_are_collected_with_their_clock_and_customer(mall: Mall) -> None:
    adapter = needs(mall)
    ids = {kind: mall.harness.open_ticket(mall.server, kind.name, locale)
           for kind, locale in zip(TicketCategory, ("de", "fr", "en"), strict=True)}
    mall.harness.age_ticket(mall.server, ids[TicketCategory.ORDER], 40)
    for kind, ticket_id in ids.items():
        ticket = collected(adapter, ticket_id)
        assert ticket.category is kind and ticket.state is TicketState.AWAITING_MERCHANT
        assert ticket.customer_name and ticket.locale and ticket.messages and ticket.messages[0].sender == "USER"
        assert ticket.awaiting_since is not None and ticket.awaiting_since.utcoffset() == timedelta(hours=9)
        assert ticket.first_reply_at is None
        assert bool(ticket.order_ids) is (kind is not TicketCategory.PRE_PURCHASE)
    aged = collected(adapter, ids[TicketCategory.ORDER])
    assert timedelta(hours=39) < datetime.now(KST) - aged.awaiting_since < timedelta(hours=41)  # aged, not slept


def test_tickets_are_read_across_keyset_pages(mall: Mall) -> None:
    adapter = needs(mall)
    page = adapter.spec.reads["tickets"].paginator.limit
    mall.control("generate", {"inquiries": page + 5})
    found = list(adapter.tickets(*week()))
    assert len({t.ticket_id for t in found}) == len(found) >= page + 5  # every ticket once
    assert len(mall.sent("tickets?")) >= 2


def test_a_reply_goes_once_then_the_customer_answers_and_the_clock_starts_again(mall: Mall) -> None:
    adapter = needs(mall, Capability.TICKET_REPLY)
    ticket_id = mall.harness.open_ticket(mall.server, "PRE_PURCHASE", "de")
    ticket = collected(adapter, ticket_id)
    reply = TicketAction(ticket_id, text="Hallo, ja, in Schwarz erhältlich.", ticket=ticket)
    assert act(mall, adapter, Capability.TICKET_REPLY, [reply])[ticket_id].state == DONE
    answered = collected(adapter, ticket_id)
    assert answered.state is TicketState.AWAITING_USER and answered.first_reply_at is not None
    assert answered.awaiting_since is None
    again = adapter.act_on_tickets(Capability.TICKET_REPLY, [reply])  # sent again outside the journal
    assert again[0].ok and again[0].already, again
    assert mall.harness.ticket_actions(mall.server, ticket_id) == 1
    mall.harness.customer_replies(mall.server, ticket_id)
    back = collected(adapter, ticket_id)
    assert back.state is TicketState.AWAITING_MERCHANT and back.awaiting_since > answered.first_reply_at


def test_a_reply_is_refused_unless_the_ticket_awaits_the_merchant_and_over_2000_characters(mall: Mall) -> None:
    adapter = needs(mall, Capability.TICKET_REPLY)
    ticket_id = mall.harness.open_ticket(mall.server, "POST_CUSTOMER_SUPPORT", "it")
    ticket = collected(adapter, ticket_id)
    before = len(mall.sent("/replies"))
    long = adapter.act_on_tickets(Capability.TICKET_REPLY, [TicketAction(ticket_id, text="x" * 2001, ticket=ticket)])
    assert not long[0].ok and "2,000" in long[0].message_ko and len(mall.sent("/replies")) == before  # before any call
    assert adapter.act_on_tickets(Capability.TICKET_REPLY, [TicketAction(ticket_id, text="Ecco il tracking.", ticket=ticket)])[0].ok
    text = refused_text(lambda: adapter.act_on_tickets(Capability.TICKET_REPLY,
                                                       [TicketAction(ticket_id, text="Un altro messaggio", ticket=ticket)]))
    assert HANGUL.search(text) and "AWAITING_USER" in text, text  # the mall's state rule, in Korean with its words
    assert mall.harness.ticket_actions(mall.server, ticket_id) == 1


def test_reply_and_close_then_reopen_and_never_a_permanently_closed_one(mall: Mall) -> None:
    adapter = needs(mall, Capability.TICKET_CLOSE, Capability.TICKET_REOPEN)
    ticket_id = mall.harness.open_ticket(mall.server, "PRE_PURCHASE", "fr")
    ticket = collected(adapter, ticket_id)
    close = TicketAction(ticket_id, text="Bonjour, c'est la taille M.", ticket=ticket)
    assert act(mall, adapter, Capability.TICKET_CLOSE, [close])[ticket_id].state == DONE
    closed = collected(adapter, ticket_id)
    assert closed.state is TicketState.CLOSED and closed.messages[-1].text == close.text
    reopen = TicketAction(ticket_id, ticket=closed)
    assert act(mall, adapter, Capability.TICKET_REOPEN, [reopen])[ticket_id].state == DONE
    assert collected(adapter, ticket_id).state is TicketState.AWAITING_MERCHANT
    mall.harness.close_for_good(mall.server, ticket_id)
    final = collected(adapter, ticket_id)
    assert final.state is TicketState.PERMANENTLY_CLOSED
    before = len(mall.front.seen)
    [refused] = adapter.act_on_tickets(Capability.TICKET_REOPEN, [TicketAction(ticket_id, ticket=final)])
    assert not refused.ok and HANGUL.search(refused.message_ko) and len(mall.front.seen) == before  # refused before any call
    stale = adapter.act_on_tickets(Capability.TICKET_REOPEN, [TicketAction(ticket_id, ticket=closed)])  # an old collection
    assert not stale[0].ok and HANGUL.search(stale[0].message_ko)  # the mall itself refuses it
    assert mall.harness.ticket_state(mall.server, ticket_id) == "PERMANENTLY_CLOSED"


def test_an_appeal_goes_to_the_mall_support_once(mall: Mall) -> None:
    adapter = needs(mall, Capability.TICKET_APPEAL)
    ticket_id = mall.harness.open_ticket(mall.server, "ORDER", "es")
    ticket = collected(adapter, ticket_id)
    appeal = TicketAction(ticket_id, ticket=ticket)
    assert act(mall, adapter, Capability.TICKET_APPEAL, [appeal])[ticket_id].state == DONE
    assert collected(adapter, ticket_id).state is TicketState.AWAITING_WISH
    again = adapter.act_on_tickets(Capability.TICKET_APPEAL, [appeal])
    assert again[0].ok and again[0].already, again
    assert mall.harness.ticket_actions(mall.server, ticket_id) == 1


def test_a_refund_is_for_order_tickets_only_and_closes_the_ticket(mall: Mall) -> None:
    adapter = needs(mall, Capability.TICKET_REFUND)
    pre = collected(adapter, mall.harness.open_ticket(mall.server, "PRE_PURCHASE", "en"))
    post = collected(adapter, mall.harness.open_ticket(mall.server, "POST_CUSTOMER_SUPPORT", "en"))
    for ticket in (pre, post):
        [refused] = adapter.act_on_tickets(Capability.TICKET_REFUND, [
            TicketAction(ticket.ticket_id, reason_code="파손", order_ids=tuple(ticket.order_ids) or ("1",), ticket=ticket)])
        assert not refused.ok and "구매 후 티켓" in refused.message_ko, refused
    order = collected(adapter, mall.harness.open_ticket(mall.server, "ORDER", "de"))
    [no_reason] = adapter.act_on_tickets(Capability.TICKET_REFUND, [
        TicketAction(order.ticket_id, order_ids=tuple(order.order_ids), ticket=order)])
    assert not no_reason.ok and "사유" in no_reason.message_ko
    refund = TicketAction(order.ticket_id, text="Sorry!", reason_code="파손", order_ids=tuple(order.order_ids), ticket=order)
    assert act(mall, adapter, Capability.TICKET_REFUND, [refund])[order.ticket_id].state == DONE
    assert collected(adapter, order.ticket_id).state is TicketState.CLOSED
    assert {l.status.name for l in adapter.lookup_orders(order.order_ids)} == {"CANCELED"}
    assert mall.harness.ticket_actions(mall.server, order.ticket_id) == len(order.order_ids)


@pytest.mark.parametrize("capability", [Capability.TICKET_REPLY, Capability.TICKET_CLOSE, Capability.TICKET_REFUND])
def test_a_lost_answer_is_read_back_and_never_sent_again(mall: Mall, capability: Capability) -> None:
    adapter = needs(mall, capability)
    ticket = collected(adapter, mall.harness.open_ticket(mall.server, "ORDER", "it"))
    action = TicketAction(ticket.ticket_id, text="Grazie, rimborso in corso.", reason_code="배송안됨",
                          order_ids=tuple(ticket.order_ids), ticket=ticket)
    mall.control("faults", {"drop_rate": 1.0})  # applied, then the connection closes without an answer
    outcome = act(mall, adapter, capability, [action])[ticket.ticket_id]
    mall.control("faults", {"drop_rate": 0.0})
    assert outcome.state == DONE, outcome
    steps = {Capability.TICKET_REPLY: 1, Capability.TICKET_CLOSE: 2, Capability.TICKET_REFUND: len(ticket.order_ids)}
    assert mall.harness.ticket_actions(mall.server, ticket.ticket_id) == steps[capability]  # each step once
    assert act(mall, adapter, capability, [action])[ticket.ticket_id].skipped  # the journal says done
