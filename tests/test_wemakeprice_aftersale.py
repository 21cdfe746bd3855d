"""위메프 after the sale: 판매취소 per 옵션주문번호 and the seller's actions on claims, through the
connector against the simulator over loopback sockets (reference §1.3 bodies, §1.6 codes)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from mallbatch.connectors.wemakeprice.aftersale import REASONS
from mallbatch.connectors.wemakeprice.spec import WemakepriceConnector
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import Claim, ClaimAction, ClaimKind, OrderCancel, OrderStatus
from mallbatch.domain.states import SELLER_REASONS, State, claim_state
from mallbatch.sandbox.server import SandboxServer
from mallbatch.sandbox.wemakeprice import SANDBOX_CREDENTIALS
from mallbatch.sandbox.wemakeprice_claims import case_of
from tests.contract.harness import KST

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
HANGUL = re.compile("[가-힣]")
TYPES = {ClaimKind.CANCEL: "CANCEL", ClaimKind.RETURN: "RETURN", ClaimKind.EXCHANGE: "EXCHANGE"}


class Wmp:
    """One simulator and a connector on it, with the buyer's side driven through /_sandbox/."""

    def __init__(self, server: SandboxServer, adapter: WemakepriceConnector) -> None:
        self.server, self.adapter, self.sim = server, adapter, server.simulator

    def bundles(self, count: int) -> list[str]:
        before = {b["bundleNo"] for b in self.sim.store.all("bundle")}
        httpx.post(f"{self.server.url}/_sandbox/generate", json={"orders": count})
        return sorted(str(b["bundleNo"]) for b in self.sim.store.all("bundle") if b["bundleNo"] not in before)

    def open(self, unit: str, kind: ClaimKind) -> Claim:
        answer = httpx.post(f"{self.server.url}/_sandbox/claim", json={"bundleNo": int(unit), "claimType": TYPES[kind]})
        assert answer.status_code == 200, answer.text
        return self.collected(str(answer.json()["claimBundleNo"]))

    def collected(self, claim_id: str) -> Claim:
        now = datetime.now(KST)
        found = [c for c in self.adapter.claims(now - timedelta(days=1), now + timedelta(minutes=1)) if c.claim_id == claim_id]
        assert len(found) == 1, found
        return found[0]

    def stored(self, claim: Claim) -> dict[str, Any]:
        return self.sim.store.get("claim", claim.claim_id)

    def step(self, claim: Claim) -> str:
        return str(case_of(self.stored(claim)).step)

    def act(self, capability: Capability, claim: Claim, **values: Any) -> Any:
        action = ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids),
                             claim=claim, **values)
        [result] = self.adapter.act_on_claims(capability, [action])
        return result

    def raw(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return httpx.post(f"{self.server.url}{path}", json=body, headers={"apiKey": SANDBOX_CREDENTIALS["api_key"]})


@pytest.fixture
def wmp(start_sim: Any) -> Iterator[Wmp]:
    server, account = start_sim("wemakeprice", faults={"rate_limit": 1000}, rate_limit=1000)
    adapter = WemakepriceConnector(account, retry=FAST)
    yield Wmp(server, adapter)
    adapter.close()


def test_every_seller_reason_has_a_wemakeprice_code() -> None:
    assert set(REASONS) == set(SELLER_REASONS) == set(WemakepriceConnector.spec.reasons)


# --- 취소거부: CJD3 이미출고 with the invoice ---------------------------------------------------------
def test_a_cancel_is_rejected_only_with_the_invoice_and_the_bundle_ships_with_it(wmp: Wmp) -> None:
    unit = wmp.bundles(1)[0]
    assert wmp.adapter.confirm([unit])[0].ok
    claim = wmp.open(unit, ClaimKind.CANCEL)
    assert claim_state(claim) is State.CANCEL_REQUESTED and claim.blocks_shipping

    calls = wmp.adapter.http.calls
    bare = wmp.act(Capability.CANCEL_REJECT, claim, reason="이미 출고했습니다")
    assert not bare.ok and ("송장번호" in bare.message_ko or "택배사" in bare.message_ko), bare
    assert wmp.adapter.http.calls == calls  # refused before any call

    # the mall itself refuses a CJD3 without the invoice, in its own envelope and in Korean
    raw = wmp.raw("/claim/in/setClaimReject", {"claimBundleNo": int(claim.claim_id), "claimType": "CANCEL",
                                               "rejectReasonCode": "CJD3", "rejectReasonDetail": "출고"})
    assert raw.status_code == 400 and raw.json()["resultCode"] == 400 and "CJD3" in raw.json()["error"]
    other = wmp.raw("/claim/in/setClaimReject", {"claimBundleNo": int(claim.claim_id), "claimType": "CANCEL",
                                                 "rejectReasonCode": "XXX", "rejectReasonDetail": "출고"})
    assert other.status_code == 400 and HANGUL.search(other.json()["error"])

    done = wmp.act(Capability.CANCEL_REJECT, claim, reason="이미 출고했습니다", courier="CJ", tracking_no="6123-4567-8901")
    assert done.ok and not done.already, done
    stored = wmp.stored(claim)
    assert stored["claimStatus"] == "REJECT" and stored["rejectReason"] == "CJD3" and stored["rejectDate"]
    delivery = wmp.sim.store.get("bundle", unit)["delivery"]
    assert (delivery["shipStatus"], delivery["parcelCompany"], delivery["invoiceNo"]) == ("DELIVERY", "D002", "612345678901")
    again = wmp.act(Capability.CANCEL_REJECT, claim, reason="이미 출고했습니다", courier="CJ", tracking_no="612345678901")
    assert again.ok and again.already, again
    assert wmp.sim.store.audit_counts("claim.reject") == {claim.claim_id: 1}

    seen = wmp.collected(claim.claim_id)  # listed again under REJECT
    assert claim_state(seen) is State.CANCEL_REJECTED and seen.status_raw == "REJECT" and not seen.blocks_shipping
    [line] = [l for l in wmp.adapter.lookup_orders([unit]) if l.line_id == claim.line_ids[0]]
    assert line.status is OrderStatus.SHIPPING and line.tracking_no == "612345678901"


# --- 반품보류: RPD5 ------------------------------------------------------------------------------
def test_a_return_is_held_with_rpd5_shows_held_and_cannot_be_approved_while_held(wmp: Wmp) -> None:
    unit = wmp.bundles(1)[0]
    claim = wmp.open(unit, ClaimKind.RETURN)
    assert claim_state(claim) is State.RETURN_REQUESTED

    empty = wmp.act(Capability.RETURN_HOLD, claim)
    assert not empty.ok and "사유" in empty.message_ko
    held = wmp.act(Capability.RETURN_HOLD, claim, reason="회수 상품 검수 중", reason_code="기타")
    assert held.ok, held
    stored = wmp.stored(claim)
    assert stored["pendingReason"] == "RPD5" and stored["pendingReasonDetail"] == "회수 상품 검수 중" and stored["pendingDate"]
    assert wmp.step(claim) == "held"
    seen = wmp.collected(claim.claim_id)
    assert claim_state(seen) is State.HELD and seen.stage == State.HELD and seen.status_raw == "REQUEST"

    again = wmp.act(Capability.RETURN_HOLD, claim, reason="회수 상품 검수 중")
    assert again.ok and again.already
    refused = wmp.act(Capability.RETURN_APPROVE, claim)
    assert not refused.ok and refused.code == "409" and "보류" in refused.message_ko, refused
    assert wmp.sim.store.audit_counts("claim.pending") == {claim.claim_id: 1}
    assert not wmp.sim.store.audit_counts("claim.approve")


# --- approve, routed by kind ------------------------------------------------------------------------
def test_approve_is_one_call_routed_by_kind_and_each_kind_has_its_stage(wmp: Wmp) -> None:
    cancel_unit, return_unit, exchange_unit = wmp.bundles(3)
    cancel = wmp.open(cancel_unit, ClaimKind.CANCEL)
    returned = wmp.open(return_unit, ClaimKind.RETURN)
    exchange = wmp.open(exchange_unit, ClaimKind.EXCHANGE)

    wrong = wmp.act(Capability.RETURN_APPROVE, cancel)
    assert not wrong.ok and "반품" in wrong.message_ko and "취소" in wrong.message_ko
    raw = wmp.raw("/claim/in/setClaimApprove", {"claimBundleNo": int(cancel.claim_id), "claimType": "RETURN"})
    assert raw.status_code == 400 and HANGUL.search(raw.json()["error"])  # the mall checks claimType too

    for capability, claim, step, state in (
            (Capability.CANCEL_APPROVE, cancel, "done", State.CANCELED),
            (Capability.COLLECTED, returned, "collected", State.COLLECTED),
            (Capability.RETURN_APPROVE, returned, "done", State.RETURNED),
            (Capability.EXCHANGE_APPROVE, exchange, "approved", State.EXCHANGE_APPROVED)):
        result = wmp.act(capability, claim)
        assert result.ok and not result.already, (capability, result)
        assert wmp.step(claim) == step, capability
        assert claim_state(wmp.collected(claim.claim_id)) is state, capability
    assert wmp.sim.unit_of(cancel_unit).cancelled
    assert {l.status for l in wmp.adapter.lookup_orders([cancel_unit])} == {OrderStatus.CANCELED}

    twice = wmp.raw("/claim/in/setClaimApprove", {"claimBundleNo": int(cancel.claim_id), "claimType": "CANCEL"})
    assert twice.status_code == 409 and twice.json()["data"] is None and "완료" in twice.json()["error"]
    assert wmp.act(Capability.CANCEL_APPROVE, cancel).already

    reship = wmp.act(Capability.EXCHANGE_RESHIP, exchange, courier="HANJIN", tracking_no="412345678905")
    assert reship.ok, reship
    seen = wmp.collected(exchange.claim_id)
    assert claim_state(seen) is State.RESHIPPING and seen.status_raw == "APPROVE"
    assert wmp.act(Capability.EXCHANGE_RESHIP, exchange, courier="HANJIN", tracking_no="412345678905").already
    assert wmp.sim.store.audit_counts("claim.delivery") == {exchange.claim_id: 1}


def test_a_fee_other_than_the_malls_is_refused_before_any_call(wmp: Wmp) -> None:
    claim = wmp.open(wmp.bundles(1)[0], ClaimKind.RETURN)  # claimFee 5000, not enclosed: 차감
    calls = wmp.adapter.http.calls
    refused = wmp.act(Capability.RETURN_APPROVE, claim, fee="청구")
    assert not refused.ok and "차감" in refused.message_ko and wmp.adapter.http.calls == calls
    assert wmp.act(Capability.RETURN_APPROVE, claim, fee="차감").ok


# --- 판매취소 ---------------------------------------------------------------------------------------
def test_the_seller_cancels_one_option_line_and_not_a_shipped_one(wmp: Wmp) -> None:
    units = wmp.bundles(12)
    lines = wmp.adapter.lookup_orders(units)
    by_unit: dict[str, list[Any]] = {}
    for line in lines:
        by_unit.setdefault(line.ship_unit, []).append(line)
    unit = next(u for u, found in by_unit.items() if len(found) > 1)  # a bundle of two option lines
    first, rest = by_unit[unit][0], by_unit[unit][1:]

    unknown = wmp.adapter.cancel_orders([OrderCancel(first.line_id, first.order_id, unit, "변심", line=first)])[0]
    assert not unknown.ok and "품절" in unknown.message_ko
    done = wmp.adapter.cancel_orders([OrderCancel(first.line_id, first.order_id, unit, "품절", "재고 소진", line=first)])[0]
    assert done.ok and not done.already, done
    shown = {l.line_id: l for l in wmp.adapter.lookup_orders([unit])}
    assert shown[first.line_id].status is OrderStatus.CANCELED and shown[first.line_id].status_raw == "CANCEL"
    assert all(shown[l.line_id].status is OrderStatus.PAID for l in rest)
    assert not wmp.sim.unit_of(unit).cancelled
    option = next(o for p in wmp.sim.store.get("bundle", unit)["orderProduct"] for o in p["orderOption"]
                  if str(o["orderOptionNo"]) == first.line_id)
    assert option["cancelReasonCode"] == REASONS["품절"]
    again = wmp.adapter.cancel_orders([OrderCancel(first.line_id, first.order_id, unit, "품절", line=first)])[0]
    assert again.ok and again.already
    assert wmp.sim.store.audit_counts("order.cancel") == {first.line_id: 1}

    shipped = next(u for u in units if u != unit)
    httpx.post(f"{wmp.server.url}/_sandbox/deliver", json={"bundleNo": int(shipped)})
    line = wmp.adapter.lookup_orders([shipped])[0]
    calls = wmp.adapter.http.calls
    refused = wmp.adapter.cancel_orders([OrderCancel(line.line_id, line.order_id, shipped, "품절", line=line)])[0]
    assert not refused.ok and "발송" in refused.message_ko and wmp.adapter.http.calls == calls
    raw = wmp.raw("/order/in/setOrderCancel", {"orderOptionNo": int(line.line_id)})  # the mall refuses it too
    assert raw.status_code == 409 and "발송" in raw.json()["error"]


class FirstChoice(random.Random):
    """A generator that always takes the first option and rolls low: every claim an approved cancel."""

    def random(self) -> float:
        return 0.1

    def randrange(self, *args: Any, **kwargs: Any) -> int:
        return 0

    def choice(self, seq: Any) -> Any:
        return seq[0]


def test_a_generated_approved_cancel_cancels_only_the_product_it_names(wmp: Wmp) -> None:
    bundle = None
    for _ in range(60):  # orders until one bundle holds two products; the others are cancelled out of the way
        [unit] = wmp.bundles(1)
        found = wmp.sim.store.get("bundle", unit)
        if len(found["orderProduct"]) > 1 and bundle is None:
            bundle = found
            continue
        found["delivery"]["shipStatus"] = "CANCEL"
        wmp.sim.store.put("bundle", unit, found)
    assert bundle is not None
    wmp.sim.rng = FirstChoice()
    assert wmp.sim.generate(0, 1, 0)["claims"] == 1
    [claim] = wmp.sim.store.all("claim")
    assert claim["claimType"] == "취소" and claim["claimStatus"] == "APPROVE"
    named = {o["orderOptionNo"] for p in claim["orderProduct"] for o in p["orderOption"]}
    stored = wmp.sim.store.get("bundle", str(bundle["bundleNo"]))
    assert stored["delivery"]["shipStatus"] != "CANCEL"
    status = {o["orderOptionNo"]: o.get("optionStatus") for p in stored["orderProduct"] for o in p["orderOption"]}
    assert {no for no, s in status.items() if s == "CANCEL"} == named != set(status)
