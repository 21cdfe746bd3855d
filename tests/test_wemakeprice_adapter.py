"""Contract tests: WemakepriceAdapter against WemakepriceSimulator over loopback sockets."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from mallbatch.domain.capability import TICKET_ACTIONS, Capability
from mallbatch.domain.records import (
    Answer,
    Certification,
    ClaimKind,
    ClaimStatus,
    Invoice,
    OrderStatus,
    ProductRef,
)
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.connectors.wemakeprice.mapping import COURIER_CODES
from mallbatch.connectors.wemakeprice.spec import ApiKeyAuth, classify
from mallbatch.connectors.wemakeprice.spec import WemakepriceConnector as WemakepriceAdapter
from mallbatch.domain.couriers import COURIERS
from mallbatch.errors import AuthError, RejectedError, TransientError
from mallbatch.sandbox.server import SandboxServer
from mallbatch.sandbox.wemakeprice import SANDBOX_CREDENTIALS
from mallbatch.sandbox.wemakeprice_data import make_claim
from tests.contract.harness import wemakeprice_listing

KST = ZoneInfo("Asia/Seoul")
FAST = RetryPolicy(attempts=6, base_delay=0.01, max_delay=0.05)
KEY = SANDBOX_CREDENTIALS["api_key"]


@pytest.fixture
def wmp(start_sim: Any) -> Any:
    """Factory: (server, adapter) with fast retries and limits high enough not to slow tests."""
    made: list[WemakepriceAdapter] = []

    def make(faults: dict[str, Any] | None = None, **options: Any) -> tuple[SandboxServer, WemakepriceAdapter]:
        server, account = start_sim("wemakeprice", faults={"rate_limit": 1000, **(faults or {})},
                                    **{"rate_limit": 1000, **options})
        # Workaround, this server only: the shared handler writes headers and body separately, so
        # Nagle + delayed ACK add ~40 ms per request. TCP_NODELAY keeps this file under its time budget.
        server._httpd.RequestHandlerClass.disable_nagle_algorithm = True
        adapter = WemakepriceAdapter(account, retry=FAST)
        made.append(adapter)
        return server, adapter

    yield make
    for adapter in made:
        adapter.close()


def now() -> datetime:
    return datetime.now(KST)


def recent(adapter: WemakepriceAdapter) -> list[Any]:
    return list(adapter.orders(now() - timedelta(hours=1), now() + timedelta(minutes=1)))


def bundles(server: SandboxServer) -> list[dict[str, Any]]:
    return server.simulator.store.all("bundle")


def edit_bundle(server: SandboxServer, bundle_no: int | str, **fields: Any) -> None:
    store = server.simulator.store
    bundle = store.get("bundle", str(bundle_no))
    assert bundle is not None
    bundle.update(fields)
    store.put("bundle", str(bundle_no), bundle)


listing = wemakeprice_listing


# --- auth ---------------------------------------------------------------------------------
def test_api_key_header_is_the_whole_auth() -> None:
    """W-API has no signature: the fixed 128-hex key goes verbatim into ``apiKey``."""
    key = "94d6367ebce5232edaf00e306acb33ee0e1076ec66d6f1395338ad76f9473c29" \
          "6e2f72b0f60fab8a14500950fadf6e6faccc6ee02ffcea8e5fa675b77b1aa6db"
    assert re.fullmatch(r"[0-9a-f]{128}", key) and key == KEY
    request = httpx.Request("POST", "https://w-api.wemakeprice.com/order/in/setOrderConfirm", json={"bundleNo": 1})
    signed = next(ApiKeyAuth(key).auth_flow(request))
    assert signed.headers["apiKey"] == key
    assert "authorization" not in signed.headers


def test_envelope_errors_on_http_200_are_classified() -> None:
    """Success is resultCode == 200, not the HTTP status (reference §1.2)."""
    def answer(body: Any) -> Any:
        return classify(httpx.Response(200, json=body) if not isinstance(body, bytes) else httpx.Response(200, content=body))

    assert answer({"resultCode": 200, "data": {}, "error": None}) is None
    rejected = answer({"resultCode": 400, "data": None, "error": "송장번호 형식 오류"})
    assert isinstance(rejected, RejectedError) and rejected.code == "400" and "송장번호" in rejected.message_ko
    assert isinstance(answer({"resultCode": 401, "data": None, "error": "invalid key"}), AuthError)
    assert isinstance(answer({"resultCode": 503, "data": None, "error": "overload"}), TransientError)
    assert isinstance(answer(b"<html>gateway</html>"), TransientError)


def test_check_auth_and_bad_key(wmp: Any) -> None:
    server, good = wmp()
    good.check_auth()
    _, bad = wmp(api_key="0" * 128)
    with pytest.raises(AuthError) as info:
        bad.check_auth()
    assert info.value.code == "401" and "인증키" in info.value.message_ko
    with pytest.raises(AuthError):
        list(bad.orders(now() - timedelta(hours=1), now()))
    raw = httpx.get(f"{server.url}/product/out/getSellerShipPolicy")  # no header at all
    assert raw.status_code == 401 and raw.json()["resultCode"] == 401 and raw.json()["data"] is None


# --- products -----------------------------------------------------------------------------
def test_create_find_update_product(wmp: Any) -> None:
    server, adapter = wmp()
    ref = adapter.create_product(listing())
    found = adapter.find_product("WMP-TEST-1")
    assert found is not None and found.product_id == ref.product_id
    assert adapter.find_product("NO-SUCH-CODE") is None
    assert adapter.update_product(ref, listing(name="이름 바꾼 상품")) == ref
    store = server.simulator.store
    assert store.audit_counts("product.create") == {"WMP-TEST-1": 1}
    assert store.audit_counts("product.update") == {"WMP-TEST-1": 1}
    payload = httpx.get(f"{server.url}/product/out/getProduct", params={"productNo": ref.product_id},
                        headers={"apiKey": KEY}).json()["data"]
    assert payload["basic"]["productName"] == "이름 바꾼 상품"
    assert payload["basic"]["shipPolicyNo"] == 1242954  # resolved by name
    assert payload["etc"]["kcElectricIsCertification"] == "Y"
    assert payload["option"]["selectOptionList"][1]["optionName"] == "화이트"


def test_product_rejections_and_policy_registration(wmp: Any) -> None:
    server, adapter = wmp()
    with pytest.raises(RejectedError) as info:
        adapter.create_product(listing(list_price=1000))  # 정상가 < 판매가
    assert info.value.code == "400" and "정상가" in info.value.message_ko
    with pytest.raises(RejectedError) as info:
        adapter.update_product(ProductRef("4999999999"), listing())
    assert info.value.code == "404"
    new_policy = dataclasses.replace(listing().shipping, name="제주 포함 택배")
    adapter.create_product(listing("A", shipping=new_policy))
    adapter.create_product(listing("B", shipping=new_policy))
    names = [p["shipPolicyName"] for p in server.simulator.store.all("policy")]
    assert names.count("제주 포함 택배") == 1  # registered once, then reused
    odd = listing(certifications=(Certification("수입식품 신고", "식약처", "1"),))
    assert any("인증유형" in p for p in adapter.listing_problems(odd))


# --- orders -------------------------------------------------------------------------------
def test_orders_mapping(wmp: Any) -> None:
    server, adapter = wmp()
    server.simulator.generate(4, 0, 0)
    lines = recent(adapter)
    raw = bundles(server)
    assert len(lines) == sum(len(p["orderOption"]) for b in raw for p in b["orderProduct"])
    first = raw[0]
    option = first["orderProduct"][0]["orderOption"][0]
    line = next(x for x in lines if x.line_id == str(option["orderOptionNo"]))
    assert line.ship_unit == str(first["bundleNo"]) and line.order_id == str(first["orderProduct"][0]["orderNo"])
    assert line.status is OrderStatus.PAID and line.status_raw == "NEW"
    assert line.paid_at is not None and line.paid_at.utcoffset() == timedelta(hours=9)
    assert line.amount == line.unit_price * line.quantity
    assert line.raw["bundle"]["purchaseNo"] == first["purchaseNo"]
    fees = [x.shipping_fee for x in lines if x.ship_unit == line.ship_unit]
    assert fees[0] == first["shipPrice"] and not any(fees[1:])


def test_lookup_by_bundle_line_or_order_id(wmp: Any) -> None:
    server, adapter = wmp()
    server.simulator.generate(2, 0, 0)
    bundle = bundles(server)[0]
    product = bundle["orderProduct"][0]
    option = product["orderOption"][0]
    by_unit = adapter.lookup_orders([str(bundle["bundleNo"])])
    assert {x.ship_unit for x in by_unit} == {str(bundle["bundleNo"])}
    assert [x.line_id for x in adapter.lookup_orders([str(option["orderOptionNo"])])] == [str(option["orderOptionNo"])]
    assert {x.order_id for x in adapter.lookup_orders([str(product["orderNo"])])} == {str(product["orderNo"])}
    assert adapter.lookup_orders(["123", "abc"]) == []


# --- confirm / invoices -------------------------------------------------------------------
def test_confirm_twice_and_per_item_results(wmp: Any) -> None:
    server, adapter = wmp()
    server.simulator.generate(3, 0, 0)
    a, b, c = (str(x["bundleNo"]) for x in bundles(server))
    edit_bundle(server, b, delivery={**bundles(server)[1]["delivery"], "shipStatus": "CANCEL"})
    results = adapter.confirm([a, b, c])
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].code == "409" and "취소" in results[1].message_ko
    again = adapter.confirm([a])[0]
    assert again.ok and again.already
    assert server.simulator.store.audit_counts("order.confirm") == {a: 1, c: 1}
    assert {x.status for x in adapter.lookup_orders([a])} == {OrderStatus.PREPARING}
    assert adapter.confirm(["x1"])[0].ok is False


def test_invoice_rules_and_update(wmp: Any) -> None:
    server, adapter = wmp()
    server.simulator.generate(3, 0, 0)
    a, b, c = (str(x["bundleNo"]) for x in bundles(server))
    early = adapter.send_invoices([Invoice(a, (), "", "CJ", "123456789012")])[0]
    assert not early.ok and early.code == "409" and "발주확인" in early.message_ko
    adapter.confirm([a, b, c])
    sent = adapter.send_invoices([Invoice(a, (), "", "CJ", "1234-5678-9012")])[0]
    assert sent.ok and not sent.already
    line = adapter.lookup_orders([a])[0]
    assert (line.status, line.courier, line.tracking_no) == (OrderStatus.SHIPPING, "CJ", "123456789012")
    assert server.simulator.store.get("bundle", a)["delivery"]["parcelCompany"] == "D002"
    resent = adapter.send_invoices([Invoice(a, (), "", "CJ", "123456789012")])[0]
    assert resent.ok and resent.already
    dup = adapter.send_invoices([Invoice(b, (), "", "CJ", "123456789012")])[0]
    assert not dup.ok and "송장번호" in dup.message_ko
    changed = adapter.update_invoices([Invoice(a, (), "", "HANJIN", "5555666677")])[0]
    assert changed.ok and not changed.already
    same = adapter.update_invoices([Invoice(a, (), "", "HANJIN", "5555666677")])[0]
    assert same.ok and same.already
    not_shipped = adapter.update_invoices([Invoice(b, (), "", "HANJIN", "5555666678")])[0]
    assert not not_shipped.ok
    direct = adapter.send_invoices([Invoice(c, (), "", "DIRECT", "", date(2024, 5, 1))])[0]
    assert direct.ok and adapter.lookup_orders([c])[0].courier == "DIRECT"
    assert not adapter.send_invoices([Invoice(b, (), "", "UNKNOWN", "1")])[0].ok
    store = server.simulator.store
    assert store.audit_counts("invoice.send") == {a: 1, c: 1}
    assert store.audit_counts("invoice.update") == {a: 1}


def test_cancel_request_blocks_invoice_and_is_collected(wmp: Any) -> None:
    server, adapter = wmp()
    sim = server.simulator
    sim.generate(1, 0, 0)
    bundle = bundles(server)[0]
    unit = str(bundle["bundleNo"])
    adapter.confirm([unit])
    stamp = now().strftime("%Y-%m-%d %H:%M:%S")
    claim = make_claim(sim.rng, sim.store.next_id, bundle, "취소", "REQUEST", stamp)
    sim.store.put("claim", str(claim["claimBundleNo"]), claim)
    sim.reject_invoice_on_cancel_request = True  # a stricter mall refuses
    result = adapter.send_invoices([Invoice(unit, (), "", "CJ", "123456789012")])[0]
    assert not result.ok and result.code == "409" and "취소요청" in result.message_ko
    sim.reject_invoice_on_cancel_request = False  # seed 001's mall (default): accepted, so mallbatch must filter first
    assert adapter.send_invoices([Invoice(unit, (), "", "CJ", "123456789012")])[0].ok
    claims = list(adapter.claims(now() - timedelta(hours=1), now() + timedelta(minutes=1)))
    assert len(claims) == 1 and claims[0].kind is ClaimKind.CANCEL
    assert claims[0].status is ClaimStatus.REQUESTED and claims[0].blocks_shipping
    assert claims[0].ship_unit == unit and claims[0].raw["claimType"] == "취소"


def test_claims_kinds_and_7_day_windows(wmp: Any) -> None:
    server, adapter = wmp()
    sim = server.simulator
    sim.generate(8, 0, 0)
    units = [str(b["bundleNo"]) for b in bundles(server)]
    adapter.confirm(units[:5])
    for i, unit in enumerate(units[:5]):
        adapter.send_invoices([Invoice(unit, (), "", "LOTTE", f"60000000000{i}")])
    made = sim.generate(0, 8, 0)["claims"]
    before = adapter.http.calls
    claims = list(adapter.claims(now() - timedelta(days=20), now() + timedelta(minutes=1)))
    assert adapter.http.calls - before == 3 * 12  # 3 windows of <= 7 days x (3 types x 4 statuses, REJECT invented)
    assert len(claims) == made == len(sim.store.all("claim"))
    korean = {"취소": ClaimKind.CANCEL, "반품": ClaimKind.RETURN, "교환": ClaimKind.EXCHANGE}
    for claim in claims:
        assert claim.kind is korean[claim.raw["claimType"]]
        assert claim.line_ids and claim.requested_at is not None
        if claim.kind is not ClaimKind.CANCEL:
            assert claim.ship_unit in units[:5]
    too_long = {"fromDate": "2024-01-01 00:00:00", "toDate": "2024-01-09 00:00:00", "claimType": "CANCEL",
                "claimStatus": "REQUEST", "searchDateType": "REQUEST"}
    raw = httpx.post(f"{server.url}/claim/out/getClaimList", json=too_long, headers={"apiKey": KEY})
    assert raw.status_code == 400


# --- inquiries ----------------------------------------------------------------------------
def test_inquiries_and_answers(wmp: Any) -> None:
    server, adapter = wmp()
    server.simulator.generate(0, 0, 6)
    before = adapter.http.calls
    found = list(adapter.inquiries(now() - timedelta(days=2), now() + timedelta(minutes=1)))
    assert adapter.http.calls - before in (3, 4)  # one call per KST day touched
    assert len(found) == 6 and all(i.kind == "상품문의" and i.asked_at is not None for i in found)
    todo = next(i for i in found if not i.answered)
    short = adapter.answer([Answer(todo.inquiry_id, "네")])[0]
    assert not short.ok and short.code == "400" and "10자" in short.message_ko
    text = "문의 주셔서 감사합니다. 오늘 출고 예정입니다."
    assert adapter.answer([Answer(todo.inquiry_id, text)])[0].ok
    again = adapter.answer([Answer(todo.inquiry_id, text)])[0]
    assert again.ok and again.already
    other = adapter.answer([Answer(todo.inquiry_id, "다른 내용의 답변을 다시 보냅니다.")])[0]
    assert not other.ok and other.code == "409"
    [read] = adapter.lookup_inquiries([todo.inquiry_id, "999"])
    assert read.answered and read.answer == text and read.answered_at is not None
    assert server.simulator.store.audit_counts("inquiry.answer") == {todo.inquiry_id: 1}


# --- the simulator's throttling answer ---------------------------------------------------
def test_the_simulators_429_is_the_envelope_with_retry_after(wmp: Any) -> None:
    server, _ = wmp()
    limited = server.simulator.rate_limited(None)  # type: ignore[arg-type]
    assert limited.status == 429 and limited.headers["Retry-After"] == "1"


# --- declared spec ------------------------------------------------------------------------
def test_spec_and_courier_table(wmp: Any) -> None:
    spec = WemakepriceAdapter.spec
    # every capability but 보류해제 (reference §1.3 shows no release of an order or a claim), 송장삭제 and
    # support tickets (위메프 has neither)
    assert spec.capabilities == frozenset(Capability) - {Capability.ORDERS_RELEASE, Capability.CLAIM_RELEASE,
                                                          Capability.INVOICES_DELETE, Capability.TICKETS_COLLECT,
                                                          *TICKET_ACTIONS}
    assert spec.rate_per_second == 5.0 and spec.batch(Capability.ORDERS_CONFIRM) == 1
    assert spec.windows == {"orders": timedelta(hours=24), "claims": timedelta(days=7), "inquiries": timedelta(days=1)}
    assert spec.answer_length == (10, 1500) and spec.key_lifetime_days is None
    # every canonical courier but 아임웹's 퀵서비스 and 방문수령 and Wish's international carriers, which 위메프's table lacks
    assert set(COURIER_CODES) == {c.code for c in COURIERS} - {"QUICK", "VISIT", "USPS", "UPS", "FEDEX", "DHL"}
    assert COURIER_CODES["CJ"] == "D002" and COURIER_CODES["CUPARCEL"] == "D040" and COURIER_CODES["NHLOGIS"] == "D041"
    _, default = wmp(rate_limit=None)
    assert default.http.limiter.rate == 5.0
