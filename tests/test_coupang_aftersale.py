"""쿠팡 after the sale, beyond the shared contract: each declared action refused where 쿠팡's state
does not allow it (in Korean, and nothing applied), 판매취소 of a shipped box refused before any
call, 이미출고 shipping the box with its invoice, and the canonical stage of every 쿠팡 status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from mallbatch.connectors.coupang.mapping import exchange_claim, receipt_claim
from mallbatch.connectors.coupang.spec import CoupangConnector
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import KST
from mallbatch.domain.records import Claim, ClaimAction, ClaimKind, ClaimStatus, ItemResult, OrderCancel, OrderStatus
from mallbatch.domain.states import State, claim_state
from mallbatch.sandbox.server import SandboxServer
from tests.contract.harness import Coupang

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
HARNESS = Coupang()


@pytest.fixture
def sim(start_sim: Any) -> Iterator[tuple[SandboxServer, CoupangConnector]]:
    server, account = start_sim("coupang", faults={"rate_limit": 1000}, rate_limit=1000)
    adapter = CoupangConnector(account, retry=FAST)
    yield server, adapter
    adapter.close()


def boxes(server: SandboxServer, n: int) -> list[str]:
    before = HARNESS.ship_units(server)
    server.simulator.generate(n, 0, 0)
    return sorted(HARNESS.ship_units(server) - before)


def claim_on(adapter: CoupangConnector, unit: str, kind: ClaimKind) -> Claim:
    now = datetime.now(KST)
    found = [c for c in adapter.claims(now - timedelta(days=1), now + timedelta(minutes=1)) if c.kind is kind and c.ship_unit == unit]
    assert found, f"no {kind} on {unit}"
    return found[-1]


def act(adapter: CoupangConnector, capability: Capability, claim: Claim, **values: Any) -> ItemResult:
    action = ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids), claim=claim, **values)
    return adapter.act_on_claims(capability, [action])[0]


def refused_in_korean(result: ItemResult, *words: str) -> None:
    assert not result.ok and not result.already, result
    assert all(w in result.message_ko for w in words), result.message_ko


def applied(server: SandboxServer, claim: Claim) -> int:
    return server.simulator.store.audit_counts("claim.action").get(claim.claim_id, 0)


# --- cancels (출고중지요청) -----------------------------------------------------------------------
def test_a_rejected_cancel_ships_the_box_with_its_invoice_and_cannot_be_approved(sim: Any) -> None:
    server, adapter = sim
    unit = boxes(server, 1)[0]
    HARNESS.open_claim(server, unit, "cancel")
    claim = claim_on(adapter, unit, ClaimKind.CANCEL)
    refused_in_korean(act(adapter, Capability.CANCEL_REJECT, claim), "택배사", "송장번호")  # before any call
    assert act(adapter, Capability.CANCEL_REJECT, claim, courier="CJ", tracking_no="612345678905").ok
    box = server.simulator.store.get("box", unit)
    assert (box["status"], box["invoiceNumber"], box["_deliveryCompanyCode"]) == ("DEPARTURE", "612345678905", "CJGLS")
    assert all(i["holdCountForCancel"] == 0 and i["cancelCount"] == 0 for i in box["orderItems"])
    assert HARNESS.claim_step(server, unit, "cancel") == "rejected"
    again = claim_on(adapter, unit, ClaimKind.CANCEL)
    assert claim_state(again) is State.CANCEL_REJECTED and again.status is ClaimStatus.REJECTED
    assert again.status_raw == "RETURNS_UNCHECKED" and not again.blocks_shipping
    refused_in_korean(act(adapter, Capability.CANCEL_APPROVE, again), "이미 처리가 끝난")
    assert not HARNESS.line_cancelled(server, unit) and applied(server, claim) == 1
    assert act(adapter, Capability.CANCEL_REJECT, again, courier="CJ", tracking_no="612345678905").already


def test_rejecting_an_approved_cancel_is_refused_by_the_mall_and_nothing_ships(sim: Any) -> None:
    server, adapter = sim
    unit = boxes(server, 1)[0]
    HARNESS.open_claim(server, unit, "cancel")
    claim = claim_on(adapter, unit, ClaimKind.CANCEL)
    assert act(adapter, Capability.CANCEL_APPROVE, claim).ok
    refused_in_korean(act(adapter, Capability.CANCEL_REJECT, claim, courier="CJ", tracking_no="612345678905"), "이미 처리가 끝난")
    assert server.simulator.store.get("box", unit)["invoiceNumber"] == "" and applied(server, claim) == 1


def test_a_cancel_at_payment_is_not_the_sellers_to_approve(sim: Any) -> None:
    server, adapter = sim
    unit = boxes(server, 1)[0]
    server.simulator.request_cancel(unit)  # at ACCEPT: receiptType CANCEL, 쿠팡's own
    claim = claim_on(adapter, unit, ClaimKind.CANCEL)
    assert claim_state(claim) is State.CANCEL_REQUESTED
    calls = adapter.http.calls
    refused_in_korean(act(adapter, Capability.CANCEL_APPROVE, claim), "출고중지요청")
    assert adapter.http.calls == calls and applied(server, claim) == 0  # the collected receipt says so
    bare = ClaimAction(claim.claim_id, claim.kind)  # without the collected claim: the receipt is read first
    refused_in_korean(adapter.act_on_claims(Capability.CANCEL_APPROVE, [bare])[0], "출고중지요청")
    assert adapter.http.calls - calls == 1 and applied(server, claim) == 0


# --- returns -----------------------------------------------------------------------------------
def test_a_return_is_collected_then_approved_and_refuses_what_comes_after(sim: Any) -> None:
    server, adapter = sim
    unit = boxes(server, 1)[0]
    HARNESS.open_claim(server, unit, "return")
    claim = claim_on(adapter, unit, ClaimKind.RETURN)
    assert claim_state(claim) is State.RETURN_REQUESTED
    refused_in_korean(act(adapter, Capability.CANCEL_APPROVE, claim), "취소 클레임에만")  # another kind: before any call
    assert act(adapter, Capability.COLLECTED, claim).ok
    assert claim_state(claim_on(adapter, unit, ClaimKind.RETURN)) is State.COLLECTED
    assert act(adapter, Capability.COLLECTED, claim).already  # 쿠팡 refuses, the read-back shows it done
    assert act(adapter, Capability.RETURN_APPROVE, claim, fee="차감").ok
    done = claim_on(adapter, unit, ClaimKind.RETURN)
    assert claim_state(done) is State.RETURNED and done.status_raw == "RETURNS_COMPLETED"
    assert act(adapter, Capability.RETURN_APPROVE, claim).already
    assert applied(server, claim) == 2


def test_a_return_waiting_on_coupangs_check_cannot_be_approved(sim: Any) -> None:
    server, adapter = sim
    unit = boxes(server, 1)[0]
    HARNESS.open_claim(server, unit, "return")
    claim = claim_on(adapter, unit, ClaimKind.RETURN)
    store = server.simulator.store
    store.put("receipt", claim.claim_id, {**store.get("receipt", claim.claim_id), "receiptStatus": "REQUEST_COUPANG_CHECK"})
    held = claim_on(adapter, unit, ClaimKind.RETURN)
    assert claim_state(held) is State.HELD and held.status_raw == "REQUEST_COUPANG_CHECK"
    refused_in_korean(act(adapter, Capability.RETURN_APPROVE, held), "처리할 수 없습니다", "쿠팡확인요청")
    assert applied(server, claim) == 0


# --- exchanges ---------------------------------------------------------------------------------
def test_an_exchange_cannot_be_reshipped_before_it_is_received(sim: Any) -> None:
    server, adapter = sim
    unit = boxes(server, 1)[0]
    HARNESS.open_claim(server, unit, "exchange")
    claim = claim_on(adapter, unit, ClaimKind.EXCHANGE)
    assert claim_state(claim) is State.EXCHANGE_REQUESTED
    refused_in_korean(act(adapter, Capability.EXCHANGE_RESHIP, claim, courier="CJ", tracking_no="612345678905"), "처리할 수 없습니다", "접수")
    assert act(adapter, Capability.COLLECTED, claim).ok
    assert claim_state(claim_on(adapter, unit, ClaimKind.EXCHANGE)) is State.COLLECTED
    refused_in_korean(act(adapter, Capability.EXCHANGE_RESHIP, claim, courier="CJ", tracking_no="1234"), "송장번호")
    bare = ClaimAction(claim.claim_id, claim.kind, courier="CJ", tracking_no="612345678905")  # found by scanning the list
    assert adapter.act_on_claims(Capability.EXCHANGE_RESHIP, [bare])[0].ok
    reshipped = claim_on(adapter, unit, ClaimKind.EXCHANGE)
    assert claim_state(reshipped) is State.RESHIPPING and reshipped.status_raw == "PROGRESS"
    refused_in_korean(act(adapter, Capability.EXCHANGE_REJECT, reshipped, reason_code="품절"), "처리할 수 없습니다")
    assert act(adapter, Capability.EXCHANGE_RESHIP, claim, courier="CJ", tracking_no="612345678905").already
    assert applied(server, claim) == 2


def test_an_exchange_is_rejected_only_for_coupangs_reasons_and_a_withdrawn_one_not_at_all(sim: Any) -> None:
    server, adapter = sim
    first, second = boxes(server, 2)
    HARNESS.open_claim(server, first, "exchange")
    claim = claim_on(adapter, first, ClaimKind.EXCHANGE)
    refused_in_korean(act(adapter, Capability.EXCHANGE_REJECT, claim, reason_code="기타"), "품절", "구매자요청")
    assert act(adapter, Capability.EXCHANGE_REJECT, claim, reason_code="품절").ok
    assert claim_state(claim_on(adapter, first, ClaimKind.EXCHANGE)) is State.EXCHANGE_REJECTED
    refused_in_korean(act(adapter, Capability.COLLECTED, claim), "이미 처리가 끝난", "거부")

    HARNESS.open_claim(server, second, "exchange")
    withdrawn = claim_on(adapter, second, ClaimKind.EXCHANGE)
    server.simulator.withdraw_exchange(withdrawn.claim_id.removeprefix("EX"))
    assert claim_state(claim_on(adapter, second, ClaimKind.EXCHANGE)) is State.WITHDRAWN
    refused_in_korean(act(adapter, Capability.COLLECTED, withdrawn), "철회")
    refused_in_korean(act(adapter, Capability.EXCHANGE_REJECT, withdrawn, reason_code="구매자요청"), "철회")
    assert applied(server, claim) == 1 and applied(server, withdrawn) == 0


# --- 판매취소 ------------------------------------------------------------------------------------
def test_the_seller_cancel_is_refused_before_any_call_once_shipped(sim: Any) -> None:
    server, adapter = sim
    paid, shipped = boxes(server, 2)
    HARNESS.deliver(server, shipped)
    lines = {line.ship_unit: line for line in adapter.lookup_orders([paid, shipped])}
    assert lines[shipped].status is OrderStatus.DELIVERED
    calls = adapter.http.calls
    sheet_says = OrderCancel(lines[shipped].line_id, lines[shipped].order_id, shipped, "품절", line=lines[shipped])
    no_reason = OrderCancel(lines[paid].line_id, lines[paid].order_id, paid, "배송지연", line=lines[paid])
    results = adapter.cancel_orders([sheet_says, no_reason])
    refused_in_korean(results[0], "이미 발송된", "반품")
    refused_in_korean(results[1], "품절", "상품정보오류")
    assert adapter.http.calls == calls  # neither left the computer
    stale = OrderCancel(lines[shipped].line_id, "", shipped, "품절")  # no line: the box is read first
    refused_in_korean(adapter.cancel_orders([stale])[0], "이미 발송된")
    assert adapter.http.calls - calls == 1 and server.simulator.store.audit_counts("order.cancel") == {}


def test_the_seller_cancels_a_confirmed_line_and_a_second_send_is_already_done(sim: Any) -> None:
    server, adapter = sim
    unit = boxes(server, 1)[0]
    adapter.confirm([unit])
    line = adapter.lookup_orders([unit])[0]
    cancel = OrderCancel(line.line_id, line.order_id, unit, "상품정보오류", line=line)
    assert adapter.cancel_orders([cancel])[0].ok
    item = next(i for i in server.simulator.store.get("box", unit)["orderItems"] if f"{unit}-{i['vendorItemId']}" == line.line_id)
    assert item["cancelCount"] == item["shippingCount"]
    again = adapter.cancel_orders([cancel])[0]
    assert again.ok and again.already
    assert server.simulator.store.audit_counts("order.cancel") == {line.line_id: 1}
    receipts = [r for r in server.simulator.store.all("receipt") if r["returnItems"][0]["shipmentBoxId"] == int(unit)]
    assert [(r["receiptType"], r["receiptStatus"]) for r in receipts] == [("CANCEL", "RETURNS_COMPLETED")]


# --- the mapping's stages ------------------------------------------------------------------------
def receipt(status: str, release: str = "비대상", kind: str = "RETURN") -> dict[str, Any]:
    return {"receiptId": 1, "orderId": 2, "receiptType": kind, "receiptStatus": status, "releaseStopStatus": release,
            "returnItems": [{"shipmentBoxId": 3, "vendorItemId": 4, "cancelCount": 1}]}


def exchange(status: str, collect: str = "BeforeDirection", delivery: str = "BeforeDirection", invoices: bool = False) -> dict[str, Any]:
    group = {"shipmentBoxId": 9, "deliveryInvoiceDtos": [{"invoiceNumber": "612345678905"}] if invoices else []}
    return {"exchangeId": 5, "orderId": 2, "exchangeStatus": status, "collectStatus": collect, "deliveryStatus": delivery,
            "deliveryInvoiceGroupDtos": [group], "exchangeItemDtoV1s": [{"originalShipmentBoxId": 3, "orderItemId": 4, "quantity": 1}]}


@pytest.mark.parametrize(("record", "kind", "state"), [
    (receipt("RELEASE_STOP_UNCHECKED", "미처리"), ClaimKind.CANCEL, State.CANCEL_REQUESTED),
    (receipt("RETURNS_UNCHECKED", "미처리"), ClaimKind.CANCEL, State.CANCEL_REQUESTED),  # RU also listed under UC
    (receipt("RETURNS_COMPLETED", "처리(출고중지)"), ClaimKind.CANCEL, State.CANCELED),
    (receipt("RETURNS_UNCHECKED", "처리(이미출고)"), ClaimKind.CANCEL, State.CANCEL_REJECTED),
    (receipt("RETURNS_UNCHECKED", "자동처리(이미출고)"), ClaimKind.CANCEL, State.CANCEL_REJECTED),
    (receipt("VENDOR_WAREHOUSE_CONFIRM", "처리(이미출고)"), ClaimKind.RETURN, State.COLLECTED),  # the parcel came back
    (receipt("RETURNS_UNCHECKED", kind="CANCEL"), ClaimKind.CANCEL, State.CANCEL_REQUESTED),
    (receipt("RETURNS_COMPLETED", kind="CANCEL"), ClaimKind.CANCEL, State.CANCELED),
    (receipt("RETURNS_UNCHECKED"), ClaimKind.RETURN, State.RETURN_REQUESTED),
    (receipt("VENDOR_WAREHOUSE_CONFIRM"), ClaimKind.RETURN, State.COLLECTED),
    (receipt("REQUEST_COUPANG_CHECK"), ClaimKind.RETURN, State.HELD),
    (receipt("RETURNS_COMPLETED"), ClaimKind.RETURN, State.RETURNED),
    (exchange("RECEIPT"), ClaimKind.EXCHANGE, State.EXCHANGE_REQUESTED),
    (exchange("PROGRESS", "Delivering"), ClaimKind.EXCHANGE, State.COLLECTING),
    (exchange("PROGRESS", "CompleteCollect"), ClaimKind.EXCHANGE, State.COLLECTED),
    (exchange("PROGRESS", "CompleteCollect", "CompleteDirection"), ClaimKind.EXCHANGE, State.RESHIPPING),
    (exchange("PROGRESS", "CompleteCollect", invoices=True), ClaimKind.EXCHANGE, State.RESHIPPING),
    (exchange("SUCCESS", "CompleteCollect", "CompleteDelivery"), ClaimKind.EXCHANGE, State.EXCHANGED),
    (exchange("REJECT"), ClaimKind.EXCHANGE, State.EXCHANGE_REJECTED),
    (exchange("CANCEL", "Withdraw"), ClaimKind.EXCHANGE, State.WITHDRAWN),
])
def test_every_coupang_status_has_one_canonical_state(record: dict[str, Any], kind: ClaimKind, state: State) -> None:
    claim = (exchange_claim if "exchangeId" in record else receipt_claim)(record, "coupang", "test")
    assert (claim.kind, claim_state(claim)) == (kind, state)
    assert claim.status_raw == (record.get("exchangeStatus") or record["receiptStatus"])
