"""스마트스토어 after the sale: the connector's claim actions and 판매취소 against SmartstoreSimulator
over loopback sockets — holds with a delivery fee, releases, reasons, per-item answers, stages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.connectors.smartstore.mapping import claim as map_claim
from mallbatch.connectors.smartstore.spec import SmartstoreConnector
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import KST
from mallbatch.domain.records import FEE_CHARGE, FEE_DEDUCT, Claim, ClaimAction, ClaimKind, ClaimStatus, OrderCancel
from mallbatch.domain.states import State, claim_state

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
C = Capability


@pytest.fixture
def mall(start_sim: Any) -> Any:
    server, account = start_sim("smartstore", {"rate_limit": 1000}, rate_limit=1000)
    server._httpd.RequestHandlerClass.disable_nagle_algorithm = True  # as test_smartstore_adapter: fast loopback
    adapter = SmartstoreConnector(account, retry=FAST)
    yield server, adapter
    adapter.close()


def units(server: Any, n: int) -> list[str]:
    before = {i["productOrderId"] for i in server.simulator.store.all("product_order")}
    while len(after := {i["productOrderId"] for i in server.simulator.store.all("product_order")} - before) < n:
        httpx.post(f"{server.url}/_sandbox/generate", json={"orders": 1}, timeout=30)
    return sorted(after)[:n]


def opened(server: Any, kind: str, n: int = 1) -> list[str]:
    """``n`` product orders with a buyer's ``kind`` claim, opened through the sandbox control."""
    found = units(server, n)
    for unit in found:
        assert httpx.post(f"{server.url}/_sandbox/claims", json={"productOrderId": unit, "kind": kind}, timeout=30).json()["ok"]
    return found


def collected(adapter: SmartstoreConnector, unit: str) -> Claim:
    now = datetime.now(KST)
    return next(c for c in adapter.claims(now - timedelta(hours=1), now + timedelta(minutes=1)) if c.ship_unit == unit)


def action(claim: Claim, **values: Any) -> ClaimAction:
    return ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids), claim=claim, **values)


def stored_claim(server: Any, unit: str, kind: str) -> dict[str, Any]:
    return server.simulator.store.get("product_order", unit)["detail"]["currentClaim"][kind]


def claim_calls(server: Any, unit: str) -> list[str]:
    return [p for m, p, _ in server.simulator.calls if m == "POST" and f"/{unit}/claim/" in p]


def test_a_return_held_for_its_delivery_fee_is_held_with_the_fee_class_and_shows_보류(mall: Any) -> None:
    server, adapter = mall
    charged, deducted = opened(server, "return", 2)
    results = adapter.act_on_claims(C.RETURN_HOLD, [action(collected(adapter, charged), fee=FEE_CHARGE),
                                                    action(collected(adapter, deducted), fee=FEE_DEDUCT, reason="포장 훼손 확인 중")])
    assert all(r.ok for r in results), results
    first, second = stored_claim(server, charged, "return"), stored_claim(server, deducted, "return")
    assert (first["holdbackStatus"], first["holdbackReason"], first["claimStatus"]) == ("HOLDBACK", "RETURN_DELIVERYFEE", "RETURN_REQUEST")
    assert first["holdbackDetailedReason"] == "반품 배송비 구매자에게 청구"
    assert second["holdbackDetailedReason"] == "포장 훼손 확인 중 (반품 배송비 환불금에서 차감)"
    assert first["claimDeliveryFeeDemandAmount"] == 3000
    held = collected(adapter, charged)
    assert claim_state(held) is State.HELD and held.status_raw == "RETURN_REQUEST" and held.status is ClaimStatus.REQUESTED


def test_a_hold_without_a_fee_holds_for_the_sellers_reason_and_needs_one(mall: Any) -> None:
    server, adapter = mall
    (unit,) = opened(server, "exchange")
    claim = collected(adapter, unit)
    refused = adapter.act_on_claims(C.EXCHANGE_HOLD, [action(claim, fee="없음")])[0]
    assert not refused.ok and "보류 사유" in refused.message_ko
    assert claim_calls(server, unit) == []  # refused before any call
    assert adapter.act_on_claims(C.EXCHANGE_HOLD, [action(claim, reason="교환 상품 입고 대기")])[0].ok
    held = stored_claim(server, unit, "exchange")
    assert (held["holdbackReason"], held["holdbackDetailedReason"]) == ("ETC", "교환 상품 입고 대기")
    assert "claimDeliveryFeeDemandAmount" not in held


def test_a_release_returns_the_claim_to_its_step_and_a_second_release_is_already_done(mall: Any) -> None:
    server, adapter = mall
    (unit,) = opened(server, "return")
    claim = collected(adapter, unit)
    assert adapter.act_on_claims(C.RETURN_HOLD, [action(claim, reason="확인 중")])[0].ok
    released = adapter.act_on_claims(C.CLAIM_RELEASE, [action(claim)])[0]
    assert released.ok and not released.already
    assert stored_claim(server, unit, "return")["holdbackStatus"] == "RELEASED"
    assert claim_state(collected(adapter, unit)) is State.RETURN_REQUESTED
    again = adapter.act_on_claims(C.CLAIM_RELEASE, [action(claim)])[0]  # the mall refuses; its read-back shows it released
    assert again.ok and again.already, again
    assert server.simulator.store.audit_counts("claim.return")[unit] == 2  # hold and one release


def test_rejections_need_a_reason_and_the_cancel_reasons_map_to_naver_codes(mall: Any) -> None:
    server, adapter = mall
    (unit,) = opened(server, "return")
    claim = collected(adapter, unit)
    blank = adapter.act_on_claims(C.RETURN_REJECT, [action(claim)])[0]
    assert not blank.ok and "거부 사유" in blank.message_ko and claim_calls(server, unit) == []
    assert adapter.act_on_claims(C.RETURN_REJECT, [action(claim, reason="사용 흔적이 있어 반품 불가")])[0].ok
    assert claim_state(collected(adapter, unit)) is State.RETURN_REJECTED

    sold_out, other = units(server, 2)
    lines = {line.line_id: line for line in adapter.lookup_orders([sold_out, other])}
    results = adapter.cancel_orders([OrderCancel(sold_out, "", sold_out, "품절", "재고 소진", line=lines[sold_out]),
                                     OrderCancel(other, "", other, "기타", line=lines[other])])
    assert results[0].ok, results
    assert stored_claim(server, sold_out, "cancel")["cancelReason"] == "SOLD_OUT"
    assert not results[1].ok and "품절·배송지연·상품정보오류·구매자요청" in results[1].message_ko
    assert claim_calls(server, other) == []


def test_one_bad_claim_in_a_batch_fails_alone_with_the_malls_korean_message(mall: Any) -> None:
    server, adapter = mall
    first, closed, last = opened(server, "cancel", 3)
    claims = {unit: collected(adapter, unit) for unit in (first, closed, last)}
    assert adapter.act_on_claims(C.CANCEL_APPROVE, [action(claims[closed])])[0].ok
    missing = ClaimAction("2099010199999999-3999999999", ClaimKind.CANCEL, ship_unit="2099010199999999")
    results = adapter.act_on_claims(C.CANCEL_APPROVE, [action(claims[first]), missing, action(claims[last])])
    assert [r.key for r in results] == [claims[first].claim_id, missing.claim_id, claims[last].claim_id]
    assert results[0].ok and results[2].ok and not results[0].already
    assert not results[1].ok and results[1].code == "100001" and results[1].message_ko == "상품주문이 존재하지 않습니다."
    assert server.simulator.store.get("product_order", first)["detail"]["productOrder"]["productOrderStatus"] == "CANCELED"
    # a return action on a cancel claim never reaches the mall
    wrong = adapter.act_on_claims(C.RETURN_APPROVE, [action(claims[first])])[0]
    assert not wrong.ok and "반품 클레임에만" in wrong.message_ko


def test_a_return_is_collected_by_the_courier_not_by_the_seller(mall: Any) -> None:
    server, adapter = mall
    (unit,) = opened(server, "return")
    claim = collected(adapter, unit)
    early = adapter.act_on_claims(C.COLLECTED, [action(claim)])[0]
    assert not early.ok and "택배 수거가 끝나면" in early.message_ko
    server.simulator.pickup(unit)
    assert claim_state(collected(adapter, unit)) is State.COLLECTED
    done = adapter.act_on_claims(C.COLLECTED, [action(claim)])[0]
    assert done.ok and done.already
    assert server.simulator.store.audit_counts("claim.return").get(unit, 0) == 0  # nothing was sent to act on it


def test_an_exchange_is_collected_reshipped_with_its_invoice_and_shows_재배송(mall: Any) -> None:
    server, adapter = mall
    (unit,) = opened(server, "exchange")
    claim = collected(adapter, unit)
    assert claim_state(claim) is State.EXCHANGE_REQUESTED
    early = adapter.act_on_claims(C.EXCHANGE_RESHIP, [action(claim, courier="CJ", tracking_no="612345678905")])[0]
    assert not early.ok and early.code == "104442" and "EXCHANGE_REQUEST" in early.message_ko  # not collected yet
    assert adapter.act_on_claims(C.COLLECTED, [action(claim)])[0].ok
    assert claim_state(collected(adapter, unit)) is State.COLLECTED
    unknown = adapter.act_on_claims(C.EXCHANGE_RESHIP, [action(claim, courier="NHLOGIS", tracking_no="1")])[0]
    assert not unknown.ok and "택배사" in unknown.message_ko
    assert adapter.act_on_claims(C.EXCHANGE_RESHIP, [action(claim, courier="CJ", tracking_no="6123-4567-8905")])[0].ok
    shipped = stored_claim(server, unit, "exchange")
    assert (shipped["reDeliveryCompany"], shipped["reDeliveryTrackingNumber"]) == ("CJGLS", "612345678905")
    again = collected(adapter, unit)
    assert claim_state(again) is State.RESHIPPING and again.status_raw == "EXCHANGE_REDELIVERING"


def test_claim_ids_name_the_product_order_and_stages_follow_naver_codes() -> None:
    def item(status: str, kind: str = "return", **claim: Any) -> dict[str, Any]:
        body = {"claimId": "3000000007", "claimStatus": status, **claim}
        return {"order": {"orderId": "O1"}, "productOrder": {"productOrderId": "2026010150000001", "claimType": kind.upper(),
                                                              "claimStatus": status}, "currentClaim": {kind: body}}

    found = map_claim(item("COLLECT_DONE"), "기본")
    assert found is not None and found.claim_id == "2026010150000001-3000000007" and found.status_raw == "COLLECT_DONE"
    expected = {
        ("cancel", "CANCEL_REQUEST"): State.CANCEL_REQUESTED, ("cancel", "CANCELING"): State.CANCELED,
        ("cancel", "CANCEL_DONE"): State.CANCELED, ("return", "COLLECTING"): State.COLLECTING,
        ("return", "COLLECT_DONE"): State.COLLECTED, ("return", "RETURN_DONE"): State.RETURNED,
        ("exchange", "EXCHANGE_REDELIVERING"): State.RESHIPPING, ("exchange", "EXCHANGE_DONE"): State.EXCHANGED,
        ("exchange", "EXCHANGE_REJECT"): State.EXCHANGE_REJECTED,
    }
    for (kind, status), state in expected.items():
        mapped = map_claim(item(status, kind), "기본")
        assert mapped is not None and claim_state(mapped) is state, (kind, status)
    held = map_claim(item("COLLECTING", holdbackStatus="HOLDBACK"), "기본")
    closed = map_claim(item("RETURN_DONE", holdbackStatus="HOLDBACK"), "기본")
    assert held is not None and claim_state(held) is State.HELD and held.status_raw == "COLLECTING"
    assert closed is not None and claim_state(closed) is State.RETURNED  # a closed claim is no longer on hold
