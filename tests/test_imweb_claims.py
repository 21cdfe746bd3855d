"""아임웹 claims and inquiries over real sockets: each claim collected with its stage as the seller acts
(교환요청 → 수거중 → 교환승인 → 재배송; 반품요청 → 수거완료 → 반품완료; 보류), and an answered inquiry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from mallbatch.connectors.imweb.spec import ImwebConnector
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import Answer, ClaimAction
from mallbatch.domain.states import State, claim_state
from tests.contract.harness import KST, RetryPolicy

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture
def shop(start_sim: Any) -> Any:
    server, account = start_sim("imweb", faults={"rate_limit": 1000}, rate_limit=1000)
    connector = ImwebConnector(account, retry=FAST)
    yield server, connector
    connector.close()


def claim_of(connector: Any, unit: str) -> Any:
    now = datetime.now(KST)
    [found] = [c for c in connector.claims(now - timedelta(days=1), now + timedelta(minutes=1)) if c.ship_unit == unit]
    return found


def opened(server: Any, kind: str) -> str:
    unit = httpx.post(f"{server.url}/_sandbox/order", json={}).json()["order_no"]
    assert httpx.post(f"{server.url}/_sandbox/claim", json={"unit": unit, "kind": kind}).status_code == 200
    return unit


def act(connector: Any, capability: Capability, claim: Any, **values: Any) -> None:
    action = ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids), claim=claim, **values)
    [result] = connector.act_on_claims(capability, [action])
    assert result.ok, result


def test_an_exchange_is_collected_at_each_stage(shop: Any) -> None:
    server, connector = shop
    unit = opened(server, "exchange")
    claim = claim_of(connector, unit)
    assert claim_state(claim) is State.EXCHANGE_REQUESTED and claim.status_raw == "EXCHANGE_REQUEST"
    act(connector, Capability.EXCHANGE_HOLD, claim, reason="추가비용 확인 중")
    assert claim_state(claim_of(connector, unit)) is State.HELD
    act(connector, Capability.CLAIM_RELEASE, claim)
    act(connector, Capability.COLLECTED, claim)
    assert claim_state(claim_of(connector, unit)) is State.COLLECTED
    act(connector, Capability.EXCHANGE_APPROVE, claim, fee="없음")
    assert claim_state(claim_of(connector, unit)) is State.EXCHANGE_APPROVED
    act(connector, Capability.EXCHANGE_RESHIP, claim, courier="CJ", tracking_no="612345678905")
    assert claim_state(claim_of(connector, unit)) is State.RESHIPPING


def test_a_return_goes_from_requested_to_returned_and_a_reject_needs_a_reason(shop: Any) -> None:
    server, connector = shop
    unit = opened(server, "return")
    claim = claim_of(connector, unit)
    assert claim_state(claim) is State.RETURN_REQUESTED
    action = ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids), claim=claim)
    [refused] = connector.act_on_claims(Capability.RETURN_REJECT, [action])
    assert not refused.ok and "사유" in refused.message_ko
    act(connector, Capability.COLLECTED, claim)
    act(connector, Capability.RETURN_APPROVE, claim, fee="차감")
    done = claim_of(connector, unit)
    assert claim_state(done) is State.RETURNED
    assert {l.status_raw for l in connector.lookup_orders([unit]) if l.line_id in done.line_ids} == {"반품완료"}


def test_a_cancel_request_is_approved_and_its_lines_cancelled(shop: Any) -> None:
    server, connector = shop
    unit = opened(server, "cancel")
    claim = claim_of(connector, unit)
    assert claim_state(claim) is State.CANCEL_REQUESTED
    assert {l.claim for l in connector.lookup_orders([unit]) if l.line_id in claim.line_ids} == {"취소요청"}
    [refused] = connector.confirm([unit])  # a prod order with a buyer's cancel request is not placed
    assert not refused.ok and "취소요청" in refused.message_ko
    act(connector, Capability.CANCEL_APPROVE, claim)
    assert claim_state(claim_of(connector, unit)) is State.CANCELED


def test_an_inquiry_is_answered_once(shop: Any) -> None:
    server, connector = shop
    httpx.post(f"{server.url}/_sandbox/generate", json={"inquiries": 2})
    now = datetime.now(KST)
    waiting = [i for i in connector.inquiries(now - timedelta(hours=1), now + timedelta(minutes=1)) if not i.answered]
    assert len(waiting) == 2
    [answered] = connector.answer([Answer(waiting[0].inquiry_id, "재입고는 다음 주 예정입니다.")])
    assert answered.ok
    again = connector.answer([Answer(waiting[0].inquiry_id, "재입고는 다음 주 예정입니다.")])[0]
    assert again.ok and again.already
    [found] = connector.lookup_inquiries([waiting[0].inquiry_id])
    assert found.answered and found.answer == "재입고는 다음 주 예정입니다."
