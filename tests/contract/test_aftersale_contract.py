"""The after-sale half of the contract: 판매취소 and the seller's actions on claims, once per mall
through its harness, over real sockets. A scenario whose action a mall's API does not offer is
skipped, naming the capability its spec does not declare (the workbook refuses it the same way).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from mallbatch.domain.capability import Capability
from mallbatch.domain.records import Claim, ClaimAction, OrderCancel
from mallbatch.domain.states import State, claim_state
from mallbatch.store.journal import DONE
from tests.contract.test_contract import HANGUL, KST, Mall, mall, refused_text  # noqa: F401 - the fixture


def needs(mall: Mall, *capabilities: Capability) -> Any:
    adapter = mall.adapter()
    missing = [str(c) for c in capabilities if c not in adapter.spec.capabilities]
    if missing:
        pytest.skip(f"{mall.harness.mall} 의 spec 이 선언하지 않음: {', '.join(missing)}")
    return adapter


def collected(adapter: Any, unit: str, kind: str) -> Claim:
    """The claim on ``unit`` as the connector collects it."""
    now = datetime.now(KST)
    found = [c for c in adapter.claims(now - timedelta(days=1), now + timedelta(minutes=1))
             if c.kind.name.lower() == kind and (c.ship_unit == unit or any(l.startswith(unit) or unit in l for l in c.line_ids))]
    assert found, f"no {kind} claim collected for {unit}"
    return found[-1]


def action(claim: Claim, **values: Any) -> ClaimAction:
    return ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids), claim=claim, **values)


def act(mall: Mall, adapter: Any, capability: Capability, actions: list[ClaimAction]) -> dict[str, Any]:
    return mall.execute(adapter, str(capability), [(a.target, a.payload(), a) for a in actions])


def test_an_approved_cancel_is_done_and_approving_again_is_already_done(mall: Mall) -> None:
    adapter = needs(mall, Capability.CANCEL_APPROVE)
    unit = mall.units(1)[0]
    mall.harness.open_claim(mall.server, unit, "cancel")
    claim = collected(adapter, unit, "cancel")
    assert claim_state(claim) is State.CANCEL_REQUESTED
    assert act(mall, adapter, Capability.CANCEL_APPROVE, [action(claim)])[claim.claim_id].state == DONE
    assert mall.harness.claim_step(mall.server, unit, "cancel") == "done"
    assert mall.harness.line_cancelled(mall.server, unit)
    again = adapter.act_on_claims(Capability.CANCEL_APPROVE, [action(claim)])  # a second send, not through the journal
    assert again[0].ok and again[0].already, again
    assert claim_state(collected(adapter, unit, "cancel")) is State.CANCELED


def test_rejecting_a_claim_that_is_closed_is_refused_in_korean(mall: Mall) -> None:
    adapter = needs(mall, Capability.CANCEL_APPROVE, Capability.CANCEL_REJECT)
    unit = mall.units(1)[0]
    mall.harness.open_claim(mall.server, unit, "cancel")
    claim = collected(adapter, unit, "cancel")
    assert adapter.act_on_claims(Capability.CANCEL_APPROVE, [action(claim)])[0].ok
    text = refused_text(lambda: adapter.act_on_claims(Capability.CANCEL_REJECT,
                                                      [action(claim, reason="이미 출고했습니다", reason_code="기타")]))
    assert HANGUL.search(text), text
    assert mall.harness.claim_step(mall.server, unit, "cancel") == "done"


def test_a_lost_answer_on_a_claim_action_is_read_back_and_applied_once(mall: Mall) -> None:
    adapter = needs(mall, Capability.CANCEL_APPROVE)
    unit = mall.units(1)[0]
    mall.harness.open_claim(mall.server, unit, "cancel")
    claim = collected(adapter, unit, "cancel")
    mall.control("faults", {"drop_rate": 1.0})
    outcome = act(mall, adapter, Capability.CANCEL_APPROVE, [action(claim)])[claim.claim_id]
    mall.control("faults", {"drop_rate": 0.0})
    assert outcome.state == DONE, outcome
    assert mall.harness.claim_step(mall.server, unit, "cancel") == "done"
    assert mall.harness.actions_applied(mall.server, unit, "cancel") == 1


def test_a_return_is_held_released_collected_and_approved(mall: Mall) -> None:
    adapter = needs(mall, Capability.RETURN_HOLD, Capability.CLAIM_RELEASE, Capability.COLLECTED, Capability.RETURN_APPROVE)
    unit = mall.units(1)[0]
    mall.harness.open_claim(mall.server, unit, "return")
    claim = collected(adapter, unit, "return")
    assert claim_state(claim) in (State.RETURN_REQUESTED, State.COLLECTING)
    steps = [(Capability.RETURN_HOLD, {"reason": "상품 확인 중", "reason_code": "기타"}, "held"),
             (Capability.CLAIM_RELEASE, {}, None), (Capability.COLLECTED, {}, "collected"),
             (Capability.RETURN_APPROVE, {"fee": "차감"}, "done")]
    for capability, values, step in steps:
        if capability is Capability.COLLECTED:
            mall.harness.courier_returns(mall.server, unit)
        assert act(mall, adapter, capability, [action(claim, **values)])[claim.claim_id].state == DONE, capability
        if step:
            assert mall.harness.claim_step(mall.server, unit, "return") == step, capability
    assert claim_state(collected(adapter, unit, "return")) is State.RETURNED


def test_an_exchange_is_reshipped_with_its_invoice(mall: Mall) -> None:
    adapter = needs(mall, Capability.EXCHANGE_RESHIP)
    unit = mall.units(1)[0]
    mall.harness.open_claim(mall.server, unit, "exchange")
    claim = collected(adapter, unit, "exchange")
    before = [c for c in (Capability.COLLECTED, Capability.EXCHANGE_APPROVE) if c in adapter.spec.capabilities]
    for capability in before:
        assert act(mall, adapter, capability, [action(claim)])[claim.claim_id].state == DONE, capability
    reship = action(claim, courier=mall.harness.courier, tracking_no="612345678905")
    assert act(mall, adapter, Capability.EXCHANGE_RESHIP, [reship])[claim.claim_id].state == DONE
    assert mall.harness.claim_step(mall.server, unit, "exchange") == "reshipped"


def test_the_seller_cancels_a_paid_line_and_not_a_shipped_one(mall: Mall) -> None:
    adapter = needs(mall, Capability.ORDERS_CANCEL)
    paid, shipped = mall.units(2)[:2]  # an order may bring several units (스마트스토어: one per product order)
    mall.harness.deliver(mall.server, shipped)
    lines = {l.ship_unit: l for l in adapter.lookup_orders([paid, shipped])}
    cancels = [OrderCancel(lines[u].line_id, lines[u].order_id, u, "품절", line=lines[u]) for u in (paid, shipped)]
    outcomes = mall.execute(adapter, "order.cancel", [(c.target, c.payload(), c) for c in cancels])
    assert outcomes[cancels[0].target].state == DONE, outcomes
    assert mall.harness.line_cancelled(mall.server, paid)
    refused = outcomes[cancels[1].target]
    assert refused.state != DONE and HANGUL.search(refused.message), refused
    assert not mall.harness.line_cancelled(mall.server, shipped)


def test_every_collected_claim_has_one_korean_state(mall: Mall) -> None:
    adapter = needs(mall, Capability.CLAIMS_COLLECT)
    units = mall.units(3)[:3]
    for unit, kind in zip(units, ("cancel", "return", "exchange"), strict=True):
        mall.harness.open_claim(mall.server, unit, kind)
    now = datetime.now(KST)
    claims = list(adapter.claims(now - timedelta(days=1), now + timedelta(minutes=1)))
    assert claims
    assert all(isinstance(claim_state(c), State) for c in claims)
