"""티몬 claim actions over sockets: 취소거부 with JCD1 and the invoice the order left with, 교환보류 then 재배송,
반품승인 without a fee, each collected in one Korean state."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.connectors.tmon.spec import TmonConnector
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ClaimAction
from mallbatch.domain.states import State, claim_state
from tests.contract.harness import KST, Tmon
from tests.misbehaving import Misbehaving

HARNESS = Tmon()


@pytest.fixture
def tmon(start_sim: Any) -> Any:
    server, account = start_sim("tmon", faults={"rate_limit": 1000}, rate_limit=1000)
    front = Misbehaving(server.url).start()
    connector = TmonConnector(replace(account, base_url=front.url), retry=RetryPolicy(attempts=2, base_delay=0.01))
    yield server, front, connector
    connector.close()
    front.stop()


def claim_on(server: Any, connector: TmonConnector, kind: str) -> Any:
    server.simulator.generate(1, 0, 0)
    unit = sorted(HARNESS.ship_units(server))[-1]
    HARNESS.open_claim(server, unit, kind)
    now = datetime.now(KST)
    [claim] = [c for c in connector.claims(now - timedelta(days=1), now) if c.ship_unit == unit]
    return unit, claim


def act(connector: TmonConnector, capability: Capability, claim: Any, **values: Any) -> Any:
    return connector.act_on_claims(capability, [ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit,
                                                            tuple(claim.line_ids), claim=claim, **values)])[0]


def test_a_cancel_is_rejected_with_jcd1_and_the_invoice_it_left_with(tmon: Any) -> None:
    server, front, connector = tmon
    unit, claim = claim_on(server, connector, "cancel")
    assert claim_state(claim) is State.CANCEL_REQUESTED and claim.requester_name  # decrypted
    refused = act(connector, Capability.CANCEL_REJECT, claim, reason="이미 출고")
    assert not refused.ok and "택배사" in refused.message_ko  # refused before any call: JCD1 names the invoice
    assert act(connector, Capability.CANCEL_REJECT, claim, courier="CJ", tracking_no="612345678901").ok
    [sent] = [json.loads(s.body) for s in front.seen if s.target.endswith("/reject")]
    assert sent == {"reason": "JCD1", "deliveryInvoice": {"deliveryCorp": 10001, "invoiceNo": "612345678901"}}
    _, deal = HARNESS._order_deal(server, unit)
    assert deal["deliveryStatus"] == "D3" and deal["invoice"]["invoiceNo"] == "612345678901"
    assert HARNESS.claim_step(server, unit, "cancel") == "rejected"


def test_an_exchange_is_held_and_a_return_approved_without_a_fee(tmon: Any) -> None:
    server, _, connector = tmon
    unit, exchange = claim_on(server, connector, "exchange")
    assert act(connector, Capability.EXCHANGE_HOLD, exchange, reason="상품 확인 중").ok
    assert HARNESS.claim_step(server, unit, "exchange") == "held"
    now = datetime.now(KST)
    [held] = [c for c in connector.claims(now - timedelta(days=1), now) if c.claim_id == exchange.claim_id]
    assert claim_state(held) is State.HELD
    again = act(connector, Capability.EXCHANGE_HOLD, exchange, reason="상품 확인 중")
    assert again.ok and again.already
    unit, ret = claim_on(server, connector, "return")
    fee = act(connector, Capability.RETURN_APPROVE, ret, fee="차감")
    assert not fee.ok and "배송비" in fee.message_ko
    assert act(connector, Capability.RETURN_APPROVE, ret).ok
    [done] = [c for c in connector.claims(now - timedelta(days=1), datetime.now(KST)) if c.claim_id == ret.claim_id]
    assert claim_state(done) is State.RETURNED


def test_no_seller_cancel_and_no_inquiries_are_declared(tmon: Any) -> None:
    _, _, connector = tmon
    capabilities = connector.spec.capabilities
    assert Capability.ORDERS_CANCEL not in capabilities and Capability.INQUIRIES_COLLECT not in capabilities
    assert list(connector.inquiries(datetime.now(KST) - timedelta(days=1), datetime.now(KST))) == []


def test_claims_are_declared_as_collected(tmon: Any) -> None:
    """A seller's collect reads 티몬 claims (the capability comes from a read named "claims")."""
    _, _, connector = tmon
    assert Capability.CLAIMS_COLLECT in connector.spec.capabilities
