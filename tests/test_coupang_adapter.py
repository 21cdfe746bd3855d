"""Contract tests: CoupangAdapter against CoupangSimulator over real loopback sockets.

Protocol checks that must not depend on the adapter sign requests here with hmac directly.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from mallbatch.domain.records import (
    Answer,
    ClaimKind,
    ClaimStatus,
    Invoice,
    OptionCombo,
    OrderStatus,
    ProductRef,
)
from mallbatch.connectors.coupang.mapping import COURIER_CODES
from mallbatch.connectors.coupang.spec import CoupangAuth, authorization, signature, signed_date
from mallbatch.connectors.coupang.spec import CoupangConnector as CoupangAdapter
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.config import Account, resolve_value
from mallbatch.domain.couriers import COURIERS
from mallbatch.errors import AuthError, RateLimited, RejectedError
from mallbatch.sandbox.registry import sandbox_credentials
from mallbatch.sandbox.server import SandboxServer
from tests.contract.harness import coupang_listing, coupang_signed

KST = ZoneInfo("Asia/Seoul")
FAST = RetryPolicy(attempts=6, base_delay=0.01, max_delay=0.05)
CREDS = sandbox_credentials("coupang")
VENDOR_PATH = f"/v2/providers/openapi/apis/api/v5/vendors/{CREDS['vendor_id']}"
PRODUCTS = "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"


# --- helpers ----------------------------------------------------------------------------
@pytest.fixture
def sim(start_sim: Any) -> Iterator[tuple[SandboxServer, CoupangAdapter]]:
    """Simulator and adapter with the rate limits lifted so functional tests run fast."""
    server, account = start_sim("coupang", faults={"rate_limit": 1000}, rate_limit=1000)
    adapter = CoupangAdapter(account, retry=FAST)
    yield server, adapter
    adapter.close()


raw = coupang_signed  # signed by hand from the documented algorithm, independent of the adapter


def account_for(server: SandboxServer, **overrides: Any) -> Account:
    """Another account on the same simulator (e.g. a wrong secret), without starting a new server."""
    options = {**CREDS, "rate_limit": 1000, **overrides}
    return Account("coupang", "test", server.url, True, {k: resolve_value(k, v, "test") for k, v in options.items()})


def fresh(server: SandboxServer, orders: int) -> list[dict[str, Any]]:
    """Generate orders and return only the new boxes, so one simulator can serve several checks."""
    before = {b["shipmentBoxId"] for b in boxes(server)}
    server.simulator.generate(orders, 0, 0)
    return [b for b in boxes(server) if b["shipmentBoxId"] not in before]


def now() -> datetime:
    return datetime.now(KST)


def recent() -> tuple[datetime, datetime]:
    return now() - timedelta(days=1), now() + timedelta(minutes=1)


def boxes(server: SandboxServer, status: str | None = None) -> list[dict[str, Any]]:
    return [b for b in server.simulator.store.all("box") if status is None or b["status"] == status]


def invoice(box: dict[str, Any], number: str, courier: str = "CJ", *, lines: bool = True) -> Invoice:
    unit = str(box["shipmentBoxId"])
    line_ids = tuple(f"{unit}-{i['vendorItemId']}" for i in box["orderItems"]) if lines else ()
    return Invoice(unit, line_ids, str(box["orderId"]) if lines else "", courier, number)


make_listing = coupang_listing


# --- signing ----------------------------------------------------------------------------
def test_signature_matches_fixed_vector() -> None:
    moment = datetime(2025, 7, 16, 14, 30, 12, tzinfo=KST)  # 05:30:12 UTC
    path = "/v2/providers/openapi/apis/api/v5/vendors/A00012345/ordersheets"
    query = "createdAtFrom=2025-07-15%2B09%3A00&createdAtTo=2025-07-16%2B09%3A00&status=ACCEPT"
    message = "250716T053012Z" + "GET" + path + query
    expected = hmac.new(b"test-secret", message.encode(), hashlib.sha256).hexdigest()
    assert signed_date(moment) == "250716T053012Z"
    assert signature("test-secret", "250716T053012Z", "GET", path, query) == expected
    assert expected == "bdec4c883f92ea1a68e50881db5f27a3566be40ea746d82d6af5d17cecda7e06"  # pinned, lowercase hex
    assert authorization("ak", "250716T053012Z", expected) == (
        f"CEA algorithm=HmacSHA256, access-key=ak, signed-date=250716T053012Z, signature={expected}"
    )


def test_auth_signs_the_exact_query_on_the_wire() -> None:
    seen: list[httpx.Request] = []
    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    auth = CoupangAuth("A00012345", "ak", "sk", lambda: moment)
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth, base_url="https://api-gateway.coupang.com") as client:
        client.get("/v2/x/ordersheets", params={"createdAtFrom": "2025-01-01+09:00", "status": "ACCEPT"})
    request = seen[0]
    path, _, query = request.url.raw_path.decode().partition("?")
    assert "%2B09" in query  # "+" is sent percent-encoded and signed that way
    expected = hmac.new(b"sk", f"250102T030405ZGET{path}{query}".encode(), hashlib.sha256).hexdigest()
    assert request.headers["Authorization"].endswith(f"signature={expected}")
    assert request.headers["X-Requested-By"] == "A00012345"


def test_signature_checks_and_auth_errors(sim: Any) -> None:
    server, _ = sim
    params = {"createdAtFrom": f"{now().date()}+09:00", "createdAtTo": f"{now().date()}+09:00", "status": "ACCEPT"}
    path = f"{VENDOR_PATH}/ordersheets"
    assert raw(server, "GET", path, params).status_code == 200
    assert raw(server, "GET", path, params, sep=",").status_code == 200
    bad = raw(server, "GET", path, params, secret="wrong")
    assert bad.status_code == 401 and bad.json()["code"] == "ERROR" and bad.json()["message"] == "Invalid signature."
    old = raw(server, "GET", path, params, when=datetime.now(UTC) - timedelta(minutes=6))
    assert old.status_code == 401 and old.json()["message"] == "Specified signature is expired."

    requests = server.requests
    with pytest.raises(AuthError) as info:
        CoupangAdapter(account_for(server, secret_key="not-the-secret"), retry=FAST).check_auth()
    assert "서명" in info.value.message_ko and info.value.status == 401
    assert server.requests == requests + 1  # not retried

    skewed = CoupangAdapter(account_for(server), retry=FAST, clock=lambda: datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(AuthError, match="시계"):
        skewed.check_auth()
    with pytest.raises(AuthError, match="vendor_id"):
        CoupangAdapter(account_for(server, vendor_id="A99999999"), retry=FAST).check_auth()

    requests = server.requests
    expired = account_for(server, key_issued=(date.today() - timedelta(days=181)).isoformat())
    with pytest.raises(AuthError) as info:
        CoupangAdapter(expired, retry=FAST).check_auth()
    assert info.value.code == "KEY_EXPIRED" and server.requests == requests


def test_client_rate_defaults_a_little_under_the_documented_limit() -> None:
    adapter = CoupangAdapter(Account("coupang", "rate", "http://127.0.0.1:9", True, dict(CREDS)))
    assert CoupangAdapter.spec.rate_per_second == 10.0
    assert (adapter.http.limiter.rate, adapter.http.limiter.burst) == (9.5, 2)


def test_access_denied_block_backs_off_and_collects_later(sim: Any) -> None:
    """Repeated 429s bring 쿠팡's 403 "Access Denied" page for a while: a rate limit to wait out, not 인증 실패."""
    server, adapter = sim
    made = {str(b["shipmentBoxId"]) for b in fresh(server, 5)}
    # 5 s of block: room for the impatient call below on a loaded machine (each hand-signed request opens a client)
    server.simulator.faults.update({"rate_limit": 2, "block_after_429": 3, "block_seconds": 5})
    params = {"createdAtFrom": f"{now().date()}+09:00", "createdAtTo": f"{now().date()}+09:00", "status": "ACCEPT"}
    answers = [raw(server, "GET", f"{VENDOR_PATH}/ordersheets", params)]
    while answers[-1].status_code != 403 and len(answers) < 20:
        answers.append(raw(server, "GET", f"{VENDOR_PATH}/ordersheets", params))
    assert 429 in {a.status_code for a in answers} and answers[-1].status_code == 403 and "Access Denied" in answers[-1].text
    server.simulator.faults.update({"rate_limit": 1000})

    impatient = CoupangAdapter(adapter.account, retry=RetryPolicy(attempts=1))
    with pytest.raises(RateLimited) as info:
        impatient.check_auth()
    assert "인증" not in info.value.message_ko and info.value.retry_after == 60

    patient = CoupangAdapter(adapter.account, retry=RetryPolicy(attempts=60, base_delay=0.05, max_delay=0.3))
    assert made <= {line.ship_unit for line in patient.orders(*recent())}
    assert patient.http.calls > len(CoupangAdapter.spec.reads["orders"].partitions)  # waited through the block


# --- products ---------------------------------------------------------------------------
def test_products_create_update_find_and_listing_rules(sim: Any) -> None:
    server, adapter = sim
    too_long = make_listing(name="가" * 101)
    assert any("100자" in p for p in adapter.listing_problems(too_long))
    assert any("카테고리" in p for p in adapter.listing_problems(make_listing(mall_category="식품>채소")))
    with pytest.raises(RejectedError) as info:
        adapter.create_product(too_long)
    assert info.value.code == "LISTING" and server.requests == 0
    body = {"vendorId": CREDS["vendor_id"], "sellerProductName": "가" * 101, "displayCategoryCode": 1,
            "items": [{"itemName": "a", "salePrice": 1}]}
    answer = raw(server, "POST", PRODUCTS, body=body)
    assert answer.status_code == 400 and answer.json()["code"] == "ERROR"

    ref = adapter.create_product(make_listing())
    assert adapter.find_product("GOGUMA-01") == ProductRef(ref.product_id, {"seller_code": "GOGUMA-01", "status": "승인완료"})
    assert adapter.find_product("NOPE") is None
    stored = server.simulator.store.get("product", ref.product_id)
    assert [i["itemName"] for i in stored["items"]] == ["3kg", "5kg"]
    assert stored["items"][1]["salePrice"] == 15900 + 7000 and stored["items"][0]["externalVendorSku"] == "GOGUMA-01"
    old_ids = {i["itemName"]: i["vendorItemId"] for i in stored["items"]}

    updated = adapter.update_product(ref, make_listing(options=(OptionCombo(("5kg",), 5000, 3), OptionCombo(("10kg",), 7500, 2))))
    assert updated.product_id == ref.product_id
    items = {i["itemName"]: i for i in server.simulator.store.get("product", ref.product_id)["items"]}
    assert items["5kg"]["vendorItemId"] == old_ids["5kg"] and items["5kg"]["salePrice"] == 15900 + 5000
    assert items["3kg"]["maximumBuyCount"] == 0  # 쿠팡 cannot delete an item: kept sold out
    assert items["10kg"]["vendorItemId"] not in old_ids.values()
    audit = server.simulator.store
    assert audit.audit_counts("product.create") == {"GOGUMA-01": 1} and audit.audit_counts("product.update") == {"GOGUMA-01": 1}


# --- orders -----------------------------------------------------------------------------
def test_orders_paging_mapping_and_protocol(sim: Any) -> None:
    server, adapter = sim
    server.simulator.generate(120, 0, 0)
    lines = list(adapter.orders(*recent()))
    units = {line.ship_unit for line in lines}
    assert len(units) == 120 and len(lines) == sum(len(b["orderItems"]) for b in boxes(server))  # 3 pages of ACCEPT
    line = lines[0]
    box = server.simulator.store.get("box", line.ship_unit)
    item = box["orderItems"][0]
    assert len(line.ship_unit) == 18 and line.line_id == f"{line.ship_unit}-{item['vendorItemId']}"
    assert line.order_id == str(box["orderId"]) and line.status is OrderStatus.PAID and line.status_raw == "ACCEPT"
    assert line.unit_price == item["salesPrice"] and line.amount == item["orderPrice"]  # Money -> won
    assert line.ordered_at is not None and line.ordered_at.utcoffset() == timedelta(hours=9)
    assert line.raw["orderItem"]["salesPrice"]["currencyCode"] == "KRW"

    path = f"{VENDOR_PATH}/ordersheets"
    today = now().date()
    ok = {"createdAtFrom": f"{today}+09:00", "createdAtTo": f"{today}+09:00", "status": "ACCEPT"}
    assert raw(server, "GET", path, {**ok, "maxPerPage": 51}).status_code == 400
    assert raw(server, "GET", path, {k: v for k, v in ok.items() if k != "status"}).status_code == 400
    assert raw(server, "GET", path, {**ok, "createdAtFrom": str(today)}).status_code == 400
    wide = raw(server, "GET", path, {**ok, "createdAtFrom": f"{today - timedelta(days=40)}+09:00"})
    assert wide.status_code == 400 and wide.json()["message"] == "endTime-startTime range should less than31."
    first = raw(server, "GET", path, {**ok, "maxPerPage": 50}).json()
    last = raw(server, "GET", path, {**ok, "maxPerPage": 50, "nextToken": "100"}).json()
    assert first["code"] == 200 and first["nextToken"] and len(first["data"]) == 50 and last["nextToken"] == ""


def test_the_malls_31_day_refusal_reaches_the_seller_and_lookup_by_any_id(sim: Any) -> None:
    server, adapter = sim
    made = fresh(server, 3)

    orders = CoupangAdapter.spec.reads["orders"]
    assert orders.window is not None

    class WideWindow(CoupangAdapter):
        spec = replace(CoupangAdapter.spec, reads={**CoupangAdapter.spec.reads,
                                                   "orders": replace(orders, window=replace(orders.window, span=timedelta(days=60)))})

    with pytest.raises(RejectedError, match="less than31"):
        list(WideWindow(adapter.account, retry=FAST).orders(now() - timedelta(days=70), now()))

    a, b, c = made[:3]
    a_lines = {f"{a['shipmentBoxId']}-{i['vendorItemId']}" for i in a["orderItems"]}
    first_b = f"{b['shipmentBoxId']}-{b['orderItems'][0]['vendorItemId']}"
    looked = adapter.lookup_orders([str(a["shipmentBoxId"]), first_b, str(c["orderId"]), "640999999999999999"])
    assert a_lines <= {line.line_id for line in looked} and first_b in {line.line_id for line in looked}
    assert {line.ship_unit for line in looked} == {str(x["shipmentBoxId"]) for x in (a, b, c)}


# --- confirm ----------------------------------------------------------------------------
def test_confirm_per_box_results(sim: Any) -> None:
    server, adapter = sim
    a, b, c = (str(x["shipmentBoxId"]) for x in fresh(server, 3))
    server.simulator.request_cancel(c, complete=True)
    results = adapter.confirm([a, b, c, "640999999999999999"])
    assert [r.ok for r in results] == [True, True, False, False]
    assert results[2].code == "ORDER_DELIVERY_CANCELED" and "취소" in results[2].message_ko
    assert results[3].code == "NOT_FOUND_SHIPMENT_BOX" and results[3].message_ko
    twice = adapter.confirm([a])
    assert twice[0].ok and twice[0].already
    assert server.simulator.store.audit_counts("order.confirm") == {a: 1, b: 1}



# --- invoices ---------------------------------------------------------------------------
def test_invoice_state_rules_and_per_item_results(sim: Any) -> None:
    server, adapter = sim
    a, b, c, d, e = fresh(server, 5)
    adapter.confirm([str(a["shipmentBoxId"]), str(c["shipmentBoxId"]), str(e["shipmentBoxId"])])
    server.simulator.request_cancel(str(c["shipmentBoxId"]))  # 출고중지요청 on a confirmed box
    server.simulator.request_cancel(str(d["shipmentBoxId"]), complete=True)
    results = adapter.send_invoices([
        invoice(a, "123456789012"),
        invoice(b, "123456789013"),  # not confirmed yet
        invoice(c, "123456789014"),
        invoice(d, "123456789015"),
        invoice(e, "12345", courier="HANJIN"),  # wrong length for 한진
        invoice(e, "EE123456789KR", courier="EMS"),  # no 쿠팡 code
    ])
    assert results[0].ok and not results[0].already
    assert results[1].code == "INVALID_STATUS" and "발주확인" in results[1].message_ko
    assert results[2].code == "ORDER_DELIVERY_CANCELED_HOLDING_FOR_CANCEL" and "발송하지 마세요" in results[2].message_ko
    assert results[3].code == "ORDER_DELIVERY_CANCELED"
    assert results[4].code == "INVALID_INVOICE_NUMBER"
    assert results[5].code == "COURIER" and "EMS" in results[5].message_ko
    shipped = adapter.lookup_orders([str(a["shipmentBoxId"])])
    assert {(line.status, line.courier, line.tracking_no) for line in shipped} == {(OrderStatus.SHIPPING, "CJ", "123456789012")}
    again = adapter.send_invoices([invoice(a, "123456789012", lines=False)])  # ids looked up by the adapter
    assert again[0].ok and again[0].already
    assert server.simulator.store.audit_counts("invoice.send") == {str(a["shipmentBoxId"]): 1}

    # The same number on another receiver's box is a duplicate.
    store = server.simulator.store
    e["receiver"]["name"] = a["receiver"]["name"] + "다른사람"
    store.put("box", str(e["shipmentBoxId"]), {**store.get("box", str(e["shipmentBoxId"])), "receiver": e["receiver"]})
    dup = adapter.send_invoices([invoice(e, "123456789012")])[0]
    assert not dup.ok and dup.code == "DUPLICATE_INVOICE_NUMBER" and "송장번호" in dup.message_ko

    # Updates apply only to boxes already in DEPARTURE.
    changed = adapter.update_invoices([invoice(a, "1234567890", courier="LOGEN")])
    assert changed[0].ok and not changed[0].already
    line = adapter.lookup_orders([str(a["shipmentBoxId"])])[0]
    assert (line.courier, line.tracking_no) == ("LOGEN", "1234567890")
    same = adapter.update_invoices([invoice(a, "1234567890", courier="LOGEN")])
    assert same[0].ok and same[0].already
    early = adapter.update_invoices([invoice(b, "1234567891", courier="LOGEN")])
    assert not early[0].ok and early[0].code == "INVALID_STATUS"
    assert store.audit_counts("invoice.update") == {str(a["shipmentBoxId"]): 1}


def test_invoice_calls_stay_within_50_dtos(sim: Any) -> None:
    server, adapter = sim
    made = fresh(server, 60)
    adapter.confirm([str(b["shipmentBoxId"]) for b in made])
    calls = adapter.http.calls
    results = adapter.send_invoices([invoice(b, f"5{n:011d}") for n, b in enumerate(made)])
    assert all(r.ok for r in results)
    bins, used = 1, 0  # boxes are packed whole, so a call may end below 50 DTOs
    for size in (len(b["orderItems"]) for b in made):
        bins, used = (bins + 1, size) if used + size > 50 else (bins, used + size)
    assert sum(len(b["orderItems"]) for b in made) > 50 and adapter.http.calls - calls == bins


# --- claims -----------------------------------------------------------------------------
def test_claims_map_cancels_returns_and_exchanges(sim: Any) -> None:
    server, adapter = sim
    a, b, c = (str(x["shipmentBoxId"]) for x in fresh(server, 3))
    adapter.confirm([b])
    server.simulator.request_cancel(a)  # at ACCEPT: cancelType=CANCEL, not completed
    server.simulator.request_cancel(b)  # at INSTRUCT: RU 출고중지요청 (listed under RU and UC)
    server.simulator.request_cancel(c, complete=True)
    server.simulator.generate(0, 6, 0)  # adds returns and exchanges on shipped boxes
    claims = list(adapter.claims(now() - timedelta(days=20), now() + timedelta(minutes=1)))  # 3 exchange windows
    assert len({cl.claim_id for cl in claims}) == len(claims)
    by_unit = {cl.ship_unit: cl for cl in claims if cl.ship_unit in (a, b, c)}
    assert by_unit[a].kind is ClaimKind.CANCEL and by_unit[a].blocks_shipping
    assert by_unit[b].kind is ClaimKind.CANCEL and by_unit[b].status is ClaimStatus.REQUESTED and by_unit[b].blocks_shipping
    assert by_unit[b].status_raw == "RELEASE_STOP_UNCHECKED"
    assert by_unit[c].kind is ClaimKind.CANCEL and by_unit[c].status is ClaimStatus.DONE and not by_unit[c].blocks_shipping
    assert {ClaimKind.RETURN, ClaimKind.EXCHANGE} <= {cl.kind for cl in claims}
    exchange = next(cl for cl in claims if cl.kind is ClaimKind.EXCHANGE)
    assert exchange.claim_id.startswith("EX") and exchange.line_ids[0].startswith(exchange.ship_unit + "-")
    assert {line.claim for line in adapter.lookup_orders([b])} == {"취소요청"}

    today = now().date()
    returns = f"/v2/providers/openapi/apis/api/v6/vendors/{CREDS['vendor_id']}/returnRequests"
    assert raw(server, "GET", returns, {"createdAtFrom": str(today), "createdAtTo": str(today)}).status_code == 400
    cancels = raw(server, "GET", returns, {"createdAtFrom": str(today), "createdAtTo": str(today), "cancelType": "CANCEL"})
    assert cancels.status_code == 200 and {r["receiptType"] for r in cancels.json()["data"]} == {"CANCEL"}
    exchanges = f"/v2/providers/openapi/apis/api/v4/vendors/{CREDS['vendor_id']}/exchangeRequests"
    start = (now() - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%S")
    assert raw(server, "GET", exchanges, {"createdAtFrom": start, "createdAtTo": now().strftime("%Y-%m-%dT%H:%M:%S")}).status_code == 400


# --- inquiries --------------------------------------------------------------------------
def test_inquiries_paging_and_answers(sim: Any) -> None:
    server, adapter = sim
    server.simulator.generate(0, 0, 60)
    found = list(adapter.inquiries(*recent()))
    assert len(found) == 60 and len({q.inquiry_id for q in found}) == 60
    open_one = next(q for q in found if not q.answered)
    text = "안녕하세요 고객님, 내일 출고됩니다.\n감사합니다."
    assert adapter.answer([Answer(open_one.inquiry_id, text)])[0].ok
    again = adapter.answer([Answer(open_one.inquiry_id, text), Answer(open_one.inquiry_id, "다른 답변")])
    assert again[0].ok and again[0].already
    assert not again[1].ok and "이미" in again[1].message_ko
    assert not adapter.answer([Answer(open_one.inquiry_id, "가" * 2001)])[0].ok
    assert not adapter.answer([Answer("999999999", "답변")])[0].ok
    looked = adapter.lookup_inquiries([open_one.inquiry_id])
    assert looked[0].answered and looked[0].answer == text and looked[0].answered_at is not None
    assert server.simulator.store.audit_counts("inquiry.answer") == {open_one.inquiry_id: 1}
    path = f"{VENDOR_PATH}/onlineInquiries"
    week = {"inquiryStartAt": str(now().date() - timedelta(days=8)), "inquiryEndAt": str(now().date()), "answeredType": "ALL"}
    assert raw(server, "GET", path, week).status_code == 400
    assert raw(server, "GET", path, {**week, "inquiryStartAt": str(now().date()), "pageSize": 51}).status_code == 400


# --- tables -----------------------------------------------------------------------------
def test_courier_table_covers_canonical_codes() -> None:
    documented = {"CJGLS", "HANJIN", "HYUNDAI", "KGB", "EPOST", "KDEXP", "DAESIN", "ILYANG", "CHUNIL", "HDEXP", "CVS", "DIRECT"}
    canonical = {c.code for c in COURIERS}
    assert set(COURIER_CODES) <= canonical and set(COURIER_CODES.values()) == documented
    # QUICK and VISIT are 아임웹's 퀵서비스 / 방문수령 (seed 003), USPS … DHL the carriers Wish ships with; 쿠팡 has no code for them
    assert canonical - set(COURIER_CODES) == {"NHLOGIS", "KUNYOUNG", "CUPARCEL", "EMS", "QUICK", "VISIT", "USPS", "UPS", "FEDEX", "DHL"}
    assert COURIER_CODES["LOTTE"] == "HYUNDAI" and COURIER_CODES["LOGEN"] == "KGB"
