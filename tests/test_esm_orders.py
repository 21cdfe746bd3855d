"""ESM orders, claims and CS over the simulator: OrderCheck's IsChanged holds the line (보류) and its invoice
until the seller's 보류해제 (an acknowledgement kept in the store, on both engines), ShippingInfo's ShippingDate,
the 품절-only 판매취소, exchange actions, and answers with messageNo + token within 1000 bytes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx

from mallbatch.connectors.esm.mapping import ADDRESS_HOLD
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import Answer, ClaimAction, OrderCancel
from mallbatch.domain.states import State, order_state
from tests.contract.harness import KST, Invoice, RetryPolicy, open_adapter
from tests.misbehaving import Misbehaving

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


def recent() -> tuple[datetime, datetime]:
    now = datetime.now(KST)
    return now - timedelta(hours=1), now + timedelta(minutes=1)


def new_orders(server: Any, count: int) -> list[str]:
    before = {o["OrderNo"] for o in server.simulator.store.all("order")}
    httpx.post(f"{server.url}/_sandbox/generate", json={"orders": count})
    return sorted(str(o["OrderNo"]) for o in server.simulator.store.all("order") if o["OrderNo"] not in before)


def invoice(adapter: Any, unit: str, number: str = "612345678901") -> Invoice:
    [line] = adapter.lookup_orders([unit])
    return Invoice(unit, (line.line_id,), line.order_id, "CJ", number)


def test_a_changed_address_holds_the_line_and_its_invoice_until_the_seller_releases_it(start_sim: Any, store_factory: Any) -> None:
    server, account = start_sim("gmarket", faults={"rate_limit": 1000}, rate_limit=1000)
    changed, plain = new_orders(server, 2)[:2]
    httpx.post(f"{server.url}/_sandbox/esm/change-address", json={"OrderNo": changed, "address": "부산광역시 해운대구 센텀중앙로 79 3층"})
    adapter = open_adapter(account, retry=FAST, kept=store_factory().kept(account.mall, account.name))
    results = {r.key: r for r in adapter.confirm([changed, plain])}
    assert results[changed].ok and "배송지" in results[changed].message_ko
    assert results[plain].ok and not results[plain].message_ko
    adapter.close()

    again = open_adapter(account, retry=FAST, kept=store_factory().kept(account.mall, account.name))  # the next run: kept in the store
    lines = {l.ship_unit: l for l in again.orders(*recent())}
    assert lines[changed].hold == ADDRESS_HOLD and order_state(lines[changed]) is State.HELD
    assert lines[changed].address.startswith("부산광역시")  # the new address is what the workbook shows
    assert not lines[plain].hold and order_state(lines[plain]) is State.CONFIRMED
    [refused] = again.send_invoices([invoice(again, changed)])
    assert not refused.ok and "보류해제" in refused.message_ko
    assert server.simulator.store.audit_counts("invoice.send") == {}

    [released] = again.release_orders([changed])
    assert released.ok
    assert not {l.ship_unit: l for l in again.orders(*recent())}[changed].hold
    assert again.release_orders([changed])[0].ok  # again: still released, nothing else changes
    assert [r.ok for r in again.send_invoices([invoice(again, changed)])] == [True]
    assert not again.release_orders([plain])[0].ok  # nothing to release: refused before any call
    again.close()


def test_shipping_info_is_dated_now_and_an_old_date_is_refused(start_sim: Any) -> None:
    server, account = start_sim("auction", faults={"rate_limit": 1000}, rate_limit=1000)
    unit = new_orders(server, 1)[0]
    front = Misbehaving(server.url).start()
    adapter = open_adapter(replace(account, base_url=front.url), retry=FAST)
    assert adapter.confirm([unit])[0].ok
    assert [r.ok for r in adapter.send_invoices([invoice(adapter, unit)])] == [True]
    [sent] = [json.loads(s.body) for s in front.seen if s.path == "/shipping/v1/Delivery/ShippingInfo"]
    shipped = datetime.fromisoformat(sent["ShippingDate"]).replace(tzinfo=KST)
    assert abs(shipped - datetime.now(KST)) < timedelta(minutes=5)
    assert sent["DeliveryCompanyCode"] == 10013 and sent["InvoiceNo"] == "612345678901"
    [line] = adapter.lookup_orders([unit])
    assert line.courier == "CJ" and line.tracking_no == "612345678901" and str(line.status) == "배송중"
    adapter.close()
    front.stop()

    other = new_orders(server, 1)[0]
    adapter = open_adapter(account, retry=FAST)
    adapter.confirm([other])
    from tests.test_esm_protocol import raw

    old = (datetime.now(KST) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    body = {"OrderNo": int(other), "ShippingDate": old, "DeliveryCompanyCode": 10013, "InvoiceNo": "612345678902"}
    answer = raw(server, "/shipping/v1/Delivery/ShippingInfo", body).json()
    assert answer["ResultCode"] == 1000 and "2일" in answer["Message"]
    adapter.close()


def test_a_seller_cancel_is_only_the_sold_out_one(start_sim: Any) -> None:
    server, account = start_sim("gmarket", faults={"rate_limit": 1000}, rate_limit=1000)
    unit = new_orders(server, 1)[0]
    adapter = open_adapter(account, retry=FAST)
    [line] = adapter.lookup_orders([unit])
    [refused] = adapter.cancel_orders([OrderCancel(unit, line.order_id, unit, "구매자요청", line=line)])
    assert not refused.ok and "품절" in refused.message_ko
    assert server.simulator.store.audit_counts("order.cancel") == {}
    [done] = adapter.cancel_orders([OrderCancel(unit, line.order_id, unit, "품절", line=line)])
    assert done.ok and server.simulator.store.get("order", unit)["_cancelled"]
    claims = [c for c in adapter.claims(*recent()) if c.ship_unit == unit]
    assert [(c.claim_id, str(c.status)) for c in claims] == [(f"{unit}-C", "완료")]
    adapter.close()


def test_an_exchange_is_held_collected_and_resent(start_sim: Any) -> None:
    server, account = start_sim("auction", faults={"rate_limit": 1000}, rate_limit=1000)
    unit = new_orders(server, 1)[0]
    httpx.post(f"{server.url}/_sandbox/claim", json={"unit": unit, "kind": "exchange"})
    adapter = open_adapter(account, retry=FAST)
    [claim] = [c for c in adapter.claims(*recent()) if c.ship_unit == unit]
    base = {"claim_id": claim.claim_id, "kind": claim.kind, "order_id": claim.order_id, "ship_unit": unit, "claim": claim}
    assert not adapter.act_on_claims(Capability.EXCHANGE_HOLD, [ClaimAction(**base)])[0].ok  # a hold needs its reason
    assert adapter.act_on_claims(Capability.EXCHANGE_HOLD, [ClaimAction(**base, reason="사이즈 재고 확인 중")])[0].ok
    [held] = [c for c in adapter.claims(*recent()) if c.ship_unit == unit]
    assert held.stage == State.HELD
    httpx.post(f"{server.url}/_sandbox/faults", json={})
    server.simulator.store.put("claim", f"{unit}:exchange", {**server.simulator.store.get("claim", f"{unit}:exchange"),
                                                               "_step": "requested"})  # released in ESM PLUS
    assert adapter.act_on_claims(Capability.COLLECTED, [ClaimAction(**base)])[0].ok
    reship = ClaimAction(**base, courier="HANJIN", tracking_no="512345678901")
    assert adapter.act_on_claims(Capability.EXCHANGE_RESHIP, [reship])[0].ok
    assert adapter.act_on_claims(Capability.EXCHANGE_RESHIP, [reship])[0].already
    [resent] = [c for c in adapter.claims(*recent()) if c.ship_unit == unit]
    assert resent.stage == State.RESHIPPING
    adapter.close()


def test_answers_carry_the_messages_token_and_stay_within_1000_bytes(start_sim: Any) -> None:
    server, account = start_sim("auction", faults={"rate_limit": 1000}, rate_limit=1000)
    httpx.post(f"{server.url}/_sandbox/generate", json={"orders": 1, "inquiries": 2})
    adapter = open_adapter(account, retry=FAST)
    inquiries = list(adapter.inquiries(*recent()))
    assert len(inquiries) == 2 and all(i.kind.startswith("옥션") for i in inquiries)
    first, second = inquiries
    too_long = "가" * 334  # 1,002 bytes in UTF-8, 334 characters
    [refused] = adapter.answer([Answer(first.inquiry_id, too_long)])
    assert not refused.ok and "1000바이트" in refused.message_ko
    assert adapter.answer([Answer(first.inquiry_id, "가" * 333)])[0].ok  # 999 bytes
    stored = server.simulator.store.get("qna", first.inquiry_id)
    assert stored["answerStatus"] == 2 and stored["answerComments"] == "가" * 333
    assert adapter.answer([Answer(first.inquiry_id, "가" * 333)])[0].already
    assert adapter.spec.answer_bytes and adapter.spec.answer_length == (1, 1000)
    [found] = adapter.lookup_inquiries([first.inquiry_id])
    assert found.answered and not second.answered
    adapter.close()
