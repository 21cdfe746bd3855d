"""Contract tests: the 스마트스토어 connector against SmartstoreSimulator over loopback sockets."""

from __future__ import annotations

import base64
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import bcrypt
import httpx
import pytest

import mallbatch.connectors.smartstore.spec as smartstore
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import (
    Answer,
    ClaimKind,
    ClaimStatus,
    Invoice,
    OptionCombo,
    OrderStatus,
    ProductRef,
)
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.connectors.smartstore.spec import SmartstoreConnector as SmartstoreAdapter
from mallbatch.connectors.smartstore.spec import classify, client_secret_sign
from mallbatch.config import resolve_value
from mallbatch.errors import AuthError, RateLimited, RejectedError
from mallbatch.sandbox.smartstore import SANDBOX_CREDENTIALS
from tests.contract.harness import smartstore_listing, smartstore_token_form

KST = ZoneInfo("Asia/Seoul")
FAST = RetryPolicy(attempts=6, base_delay=0.01, max_delay=0.05)
LAST_CHANGED = "/external/v1/pay-order/seller/product-orders/last-changed-statuses"


@pytest.fixture
def sim(start_sim: Any) -> Any:
    """Start the simulator with generous rate limits unless a test asks otherwise."""
    adapters: list[SmartstoreAdapter] = []

    def start(faults: dict[str, Any] | None = None) -> tuple[Any, SmartstoreAdapter]:
        server, account = start_sim("smartstore", {"rate_limit": 1000, **(faults or {})}, rate_limit=1000)
        # Local workaround: the shared SandboxServer writes headers and body in two sends, and Nagle
        # plus delayed ACK then costs ~40 ms per request on loopback. TCP_NODELAY keeps this file fast.
        server._httpd.RequestHandlerClass.disable_nagle_algorithm = True
        adapter = SmartstoreAdapter(account, retry=FAST)
        adapters.append(adapter)
        return server, adapter

    yield start
    for adapter in adapters:
        adapter.close()


def window() -> tuple[datetime, datetime]:
    now = datetime.now(KST)
    return now - timedelta(hours=1), now + timedelta(minutes=1)


def calls(server: Any, path_end: str) -> list[dict[str, list[str]]]:
    return [parse_qs(q) for _, p, q in server.simulator.calls if p.endswith(path_end)]


listing = smartstore_listing


# --- signing and tokens ---------------------------------------------------------------------
def test_client_secret_sign_matches_documented_vector() -> None:
    # The docs' example: client_id "aaaabbbb", timestamp 1643956077762, secret "$2a$04$XRkBhFNBXdNClAqPoDs.Iu".
    secret, timestamp = "$2a$04$XRkBhFNBXdNClAqPoDs.Iu", 1643956077762
    expected = "JDJhJDA0JFhSa0JoRk5CWGROQ2xBcVBvRHMuSXVZZTRscTh2WkRHNG5TQjE3Mml1LnEyY0tjWmozaUhH"
    assert base64.b64encode(bcrypt.hashpw(b"aaaabbbb_1643956077762", secret.encode())).decode() == expected
    assert client_secret_sign("aaaabbbb", secret, timestamp) == expected
    assert base64.b64decode(expected).decode().startswith(secret)


def test_sandbox_secret_is_a_bcrypt_salt() -> None:
    secret = SANDBOX_CREDENTIALS["client_secret"]
    assert secret.startswith("$2a$04$") and len(secret) == 29
    assert bcrypt.hashpw(b"x_1", secret.encode()).startswith(secret.encode())


_token_form = smartstore_token_form


def test_token_endpoint_rules(sim: Any) -> None:
    server, _ = sim()
    cid, secret = SANDBOX_CREDENTIALS["client_id"], SANDBOX_CREDENTIALS["client_secret"]
    now_ms = int(time.time() * 1000)
    with httpx.Client(base_url=server.url) as client:
        first = client.post("/external/v1/oauth2/token", data=_token_form(cid, secret, now_ms)).json()
        again = client.post("/external/v1/oauth2/token", data=_token_form(cid, secret, now_ms + 1)).json()
        assert first["token_type"] == "Bearer" and first["expires_in"] == 10800
        assert again["access_token"] == first["access_token"]  # same token while ≥30 min remain
        stale = client.post("/external/v1/oauth2/token", data=_token_form(cid, secret, now_ms - 6 * 60 * 1000))
        assert stale.status_code == 403
        assert client.post("/external/v1/oauth2/token", data={"client_id": cid}).status_code == 400
        unknown = client.get(LAST_CHANGED, headers={"Authorization": "Bearer nope"})
        assert unknown.status_code == 401
        assert unknown.json()["code"] == "GW.AUTHN" and unknown.json()["message"] == "요청을 보낼 권한이 없습니다."


def test_check_auth_and_bad_credentials(sim: Any) -> None:
    _, adapter = sim()
    adapter.check_auth()
    # Wrong credentials, against the same simulator.
    for key, value in (("client_secret", bcrypt.gensalt(4, prefix=b"2a").decode()), ("client_id", "someoneElse")):
        options = {**adapter.account.options, key: resolve_value(key, value, "test")}
        other = SmartstoreAdapter(replace(adapter.account, name=f"wrong-{key}", options=options), retry=FAST)
        with pytest.raises(AuthError) as error:
            other.check_auth()
        other.close()
        assert "토큰 발급 실패" in error.value.message_ko


def test_expired_token_is_reissued_once(sim: Any) -> None:
    server, adapter = sim()
    server.simulator.generate(3, 0, 0)
    assert len(list(adapter.orders(*window()))) >= 3
    server.simulator.expire_tokens()
    assert len(list(adapter.orders(*window()))) >= 3  # 401 GW.AUTHN -> new token -> same call again
    assert len(calls(server, "/oauth2/token")) == 2
    server.simulator.token_ttl_seconds = 0  # every new token is dead on arrival
    server.simulator.expire_tokens()
    before = len(calls(server, "/oauth2/token"))
    with pytest.raises(AuthError):
        list(adapter.orders(*window()))
    assert len(calls(server, "/oauth2/token")) == before + 1  # re-issued once, not in a loop


# --- gateway errors and retries -------------------------------------------------------------
def test_rate_limit_body_and_headers(sim: Any) -> None:
    server, adapter = sim()
    server.simulator.faults.rate_limit = 5
    token = adapter.auth.token()
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
        responses = [client.get(LAST_CHANGED, params={"lastChangedFrom": "2026-01-01T00:00:00.000+09:00"}) for _ in range(15)]
    limited = next(r for r in responses if r.status_code == 429)
    assert limited.json()["code"] == "GW.RATE_LIMIT"
    assert limited.headers["GNCP-GW-RateLimit-Replenish-Rate"] == "5"
    error = classify(limited)
    assert isinstance(error, RateLimited) and error.retry_after == pytest.approx(0.2)


def test_burst_is_twice_the_rate_in_use_as_the_gateway_advertises(sim: Any) -> None:
    server, adapter = sim()
    server.simulator.faults.rate_limit = 7
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {adapter.auth.token()}"}) as client:
        responses = [client.get(LAST_CHANGED, params={"lastChangedFrom": "2026-01-01T00:00:00.000+09:00"}) for _ in range(30)]
    advertised = next(r for r in responses if r.status_code == 429).headers["GNCP-GW-RateLimit-Burst-Capacity"]
    slower = SmartstoreAdapter(replace(adapter.account, name="burst", options={**adapter.account.options, "rate_limit": 7}))
    assert slower.http.limiter.burst == float(advertised) == 14  # one source: the spec's burst_seconds
    slower.close()
    assert SmartstoreAdapter.spec.rate.burst_at(SmartstoreAdapter.spec.rate_per_second) == 10


# --- products -------------------------------------------------------------------------------
def test_product_create_find_update(sim: Any) -> None:
    server, adapter = sim()
    ref = adapter.create_product(listing("SKU-001"))
    assert ref.product_id and ref.extra["channel_product_no"]
    assert adapter.find_product("SKU-001") == ref
    assert adapter.find_product("SKU-404") is None
    stored = server.simulator.store.get("product", ref.product_id)
    origin = stored["originProduct"]
    assert origin["salePrice"] == 29000 and origin["customerBenefit"]["immediateDiscountPolicy"]["discountMethod"]["value"] == 4100
    assert origin["stockQuantity"] == 18
    assert origin["detailAttribute"]["optionInfo"]["optionCombinationGroupNames"] == {"optionGroupName1": "색상", "optionGroupName2": "사이즈"}
    assert adapter.update_product(ref, listing("SKU-001", name="남성 기모 조거팬츠 (겨울용)")) == ref
    assert server.simulator.store.get("product", ref.product_id)["name"] == "남성 기모 조거팬츠 (겨울용)"
    assert server.simulator.store.audit_counts("product.create") == {"SKU-001": 1}
    assert server.simulator.store.audit_counts("product.update") == {"SKU-001": 1}


def test_product_rejections(sim: Any) -> None:
    server, adapter = sim()
    with pytest.raises(RejectedError) as local:
        adapter.create_product(listing(name="가" * 101))
    assert "100자" in local.value.message_ko and not calls(server, "/v2/products")
    with pytest.raises(RejectedError) as remote:
        adapter.create_product(listing(mall_category=""))
    assert remote.value.code == "BAD_REQUEST" and "leafCategoryId" in remote.value.message_ko
    with pytest.raises(RejectedError):
        adapter.update_product(ProductRef("1234"), listing())
    four = listing(option_names=("a", "b", "c", "d"), options=(OptionCombo(("1", "2", "3", "4"), 0, 1),))
    assert any("옵션명은 3개" in p for p in adapter.listing_problems(four))


# --- orders ---------------------------------------------------------------------------------
def test_orders_page_across_more_cursor_and_query_chunks(sim: Any) -> None:
    server, adapter = sim()
    made = server.simulator.generate(250, 0, 0)
    assert made["product_orders"] > 300
    lines = list(adapter.orders(*window()))
    assert len(lines) == len({line.line_id for line in lines}) == made["product_orders"]
    pages = calls(server, "/last-changed-statuses")
    assert len(pages) == 2 and "moreSequence" in pages[1]
    assert len(calls(server, "/product-orders/query")) == 2  # 300 ids per query
    line = lines[0]
    assert line.status is OrderStatus.PAID and line.status_raw == "PAYED/NOT_YET"
    assert line.ship_unit == line.line_id and line.order_id != line.line_id
    assert line.receiver_name and line.address and line.ordered_at and line.ordered_at.tzinfo is not None


def test_confirm_per_item_results_and_batches(sim: Any) -> None:
    server, adapter = sim()
    server.simulator.generate(40, 0, 0)
    units = [line.ship_unit for line in adapter.orders(*window())][:35]
    results = adapter.confirm([*units, "2099010199999999"])
    assert [r.ok for r in results] == [True] * 35 + [False]
    assert results[-1].code == "100001" and results[-1].message_ko
    assert len(calls(server, "/product-orders/confirm")) == 2  # at most 30 per call
    again = adapter.confirm(units[:1])[0]
    assert again.ok and again.already and again.code == "105306"
    assert adapter.lookup_orders(units[:1])[0].status is OrderStatus.PREPARING
    assert set(server.simulator.store.audit_counts("order.confirm").values()) == {1}


def test_invoice_state_rules(sim: Any) -> None:
    server, adapter = sim()
    server.simulator.generate(6, 0, 0)
    lines = list(adapter.orders(*window()))
    first, second, third = lines[0], lines[1], lines[2]
    early = adapter.send_invoices([Invoice(first.ship_unit, (first.line_id,), first.order_id, "CJ", "123456789012")])[0]
    assert not early.ok and early.code == "104443"  # 발주확인 first
    adapter.confirm([first.ship_unit, second.ship_unit, third.ship_unit])
    bad_number = adapter.send_invoices([Invoice(first.ship_unit, (), first.order_id, "CJ", "12AB")])[0]
    assert not bad_number.ok and bad_number.code == "104122"
    unsupported = adapter.send_invoices([Invoice(first.ship_unit, (), first.order_id, "NHLOGIS", "1234567890")])[0]
    assert not unsupported.ok and unsupported.code == "COURIER"
    sent = adapter.send_invoices([Invoice(first.ship_unit, (first.line_id,), first.order_id, "CJ", "123456789012")])[0]
    assert sent.ok and not sent.already
    repeat = adapter.send_invoices([Invoice(first.ship_unit, (first.line_id,), first.order_id, "CJ", "123456789012")])[0]
    assert repeat.ok and repeat.already
    changed = adapter.send_invoices([Invoice(first.ship_unit, (), first.order_id, "CJ", "999999999999")])[0]
    assert not changed.ok and changed.code == "104442"
    if second.order_id != first.order_id:
        reused = adapter.send_invoices([Invoice(second.ship_unit, (), second.order_id, "CJ", "123456789012")])[0]
        assert not reused.ok and reused.code == "104121"
    direct = adapter.send_invoices([Invoice(third.ship_unit, (), third.order_id, "DIRECT", "")])[0]
    assert direct.ok
    shipped = {line.line_id: line for line in adapter.lookup_orders([first.ship_unit, third.ship_unit])}
    assert shipped[first.line_id].status is OrderStatus.SHIPPING
    assert (shipped[first.line_id].courier, shipped[first.line_id].tracking_no) == ("CJ", "123456789012")
    assert shipped[third.line_id].courier == "DIRECT"
    by_order = adapter.lookup_orders([first.order_id])  # an orderId works too
    assert first.line_id in {line.line_id for line in by_order}
    assert server.simulator.store.audit_counts("invoice.send") == {first.ship_unit: 1, third.ship_unit: 1}


def test_claims_discovered_and_cancel_blocks_shipping(sim: Any) -> None:
    server, adapter = sim()
    server.simulator.generate(8, 0, 0)
    lines = list(adapter.orders(*window()))
    adapter.confirm([line.ship_unit for line in lines])
    shipped = lines[:4]
    adapter.send_invoices([Invoice(s.ship_unit, (), s.order_id, "EPOST", f"60{i:011d}") for i, s in enumerate(shipped)])
    assert server.simulator.generate(0, 4, 0)["claims"] == 4
    claims = {c.kind: c for c in adapter.claims(*window())}
    assert set(claims) == {ClaimKind.CANCEL, ClaimKind.RETURN, ClaimKind.EXCHANGE}
    cancel = claims[ClaimKind.CANCEL]
    assert cancel.status is ClaimStatus.REQUESTED and cancel.status_raw == "CANCEL_REQUEST" and cancel.blocks_shipping
    assert not claims[ClaimKind.RETURN].blocks_shipping and claims[ClaimKind.RETURN].requested_at is not None
    blocked = adapter.lookup_orders([cancel.ship_unit])[0]
    assert blocked.claim == "취소요청"
    refused = adapter.send_invoices([Invoice(cancel.ship_unit, (), cancel.order_id, "CJ", "223456789012")])[0]
    assert not refused.ok and refused.code == "104442" and "취소" in refused.message_ko


# --- inquiries ------------------------------------------------------------------------------
def test_inquiries_both_systems_and_answers(sim: Any) -> None:
    server, adapter = sim()
    server.simulator.generate(2, 0, 6)
    inquiries = list(adapter.inquiries(*window()))
    kinds = {i.kind for i in inquiries}
    assert kinds == {"상품문의", "고객문의"} and len(inquiries) == 6
    qna = next(i for i in inquiries if i.inquiry_id.startswith("QNA-"))
    customer = next(i for i in inquiries if i.inquiry_id.startswith("INQ-") and not i.answered)
    assert customer.subject.startswith("[") and customer.asked_at and customer.asked_at.tzinfo is not None
    results = adapter.answer([Answer(qna.inquiry_id, "재입고는 다음 주 예정입니다."), Answer(customer.inquiry_id, "확인 후 연락드리겠습니다.")])
    assert all(r.ok and not r.already for r in results)
    again = adapter.answer([Answer(qna.inquiry_id, "재입고는 다음 주 예정입니다."), Answer(customer.inquiry_id, "확인 후 연락드리겠습니다."),
                            Answer(customer.inquiry_id, "다른 답변"), Answer("INQ-1", "답변"), Answer("X-1", "답변"), Answer(qna.inquiry_id, " ")])
    assert again[0].ok  # Q&A answers are overwritten by PUT
    assert again[1].ok and again[1].already and again[1].code == "ERR-NC-101010"
    assert not again[2].ok and again[2].code == "ERR-NC-101010"
    assert not again[3].ok and again[3].code == "ERR-NC-101004"
    assert not again[4].ok and not again[5].ok
    looked = {i.inquiry_id: i for i in adapter.lookup_inquiries([qna.inquiry_id, customer.inquiry_id])}
    assert looked[qna.inquiry_id].answer == "재입고는 다음 주 예정입니다." and looked[customer.inquiry_id].answered
    assert server.simulator.store.audit_counts("inquiry.answer") == {qna.inquiry_id: 2, customer.inquiry_id: 1}


def test_inquiry_paging_and_windows(sim: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server, adapter = sim()
    server.simulator.generate(1, 0, 230)
    qnas, pay = SmartstoreAdapter.spec.reads["inquiries"], SmartstoreAdapter.spec.reads["inquiries.pay"]
    qnas = replace(qnas, window=replace(qnas.window, span=timedelta(days=100)))  # fewer empty Q&A windows
    pay = replace(pay, partitions=({"size": 10},))  # the mall's minimum, to page 115 rows
    reads = {**SmartstoreAdapter.spec.reads, "inquiries": qnas, "inquiries.pay": pay}
    monkeypatch.setattr(SmartstoreAdapter, "spec", replace(SmartstoreAdapter.spec, reads=reads))
    now = datetime.now(KST)
    inquiries = list(adapter.inquiries(now - timedelta(days=400), now + timedelta(minutes=1)))
    assert len(inquiries) == len({i.inquiry_id for i in inquiries}) == 230
    qna_calls = calls(server, "/contents/qnas")
    assert len(qna_calls) == 5 + 1  # 5 windows, the last holding 115 rows on two pages of 100
    pay_calls = calls(server, "/pay-user/inquiries")
    spans = {(q["startSearchDate"][0], q["endSearchDate"][0]) for q in pay_calls}
    assert len(spans) == 2  # 400 days = two windows of at most 365 days
    assert all((date.fromisoformat(e) - date.fromisoformat(s)).days <= 365 for s, e in spans)
    assert len(pay_calls) == 1 + 12  # 115 rows on pages of 10 in the recent window
    token = adapter.auth.token()
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
        wide = client.get("/external/v1/pay-user/inquiries", params={"startSearchDate": "2024-01-01", "endSearchDate": "2025-06-01"})
        small = client.get("/external/v1/pay-user/inquiries", params={"startSearchDate": "2025-01-01", "endSearchDate": "2025-01-02", "size": 5})
    assert (wide.status_code, wide.json()["code"]) == (400, "4003")
    assert small.json()["code"] == "4006"


def test_spec_declares_documented_limits() -> None:
    spec = SmartstoreAdapter.spec
    assert spec.batch(Capability.ORDERS_CONFIRM) == spec.batch(Capability.INVOICES_SEND) == 30
    assert spec.windows["orders"] == spec.windows["claims"] == timedelta(hours=24)
    assert (spec.max_option_names, spec.max_option_values, spec.key_lifetime_days) == (3, 500, None)
    assert Capability.INVOICES_UPDATE not in spec.capabilities
    assert smartstore.COURIER_CODES["LOTTE"] == "HYUNDAI" and smartstore.COURIER_CODES["LOGEN"] == "KGB"
