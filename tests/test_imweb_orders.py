"""아임웹 (seed 003) over real sockets: the order state machine, split quantities, cancel rules, 송장삭제,
배송보류, bulk chunks, the token and the negative body codes, through the connector and raw requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from mallbatch.connectors.imweb.spec import ERRORS, ENVELOPE, ImwebConnector
from mallbatch.connectors.runtime.errors import classifier
from mallbatch.domain.records import Invoice, OrderCancel, OrderStatus
from mallbatch.domain.states import State, order_state
from mallbatch.errors import AuthError, RateLimited, RejectedError, TransientError
from tests.contract.harness import KST, Imweb, RetryPolicy

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
HARNESS = Imweb()


@pytest.fixture
def shop(start_sim: Any) -> Any:
    server, account = start_sim("imweb", faults={"rate_limit": 1000}, rate_limit=1000)
    connector = ImwebConnector(account, retry=FAST)
    yield server, connector
    connector.close()


def control(server: Any, what: str, **body: Any) -> Any:
    answer = httpx.post(f"{server.url}/_sandbox/{what}", json=body, timeout=30)
    return answer


def new_order(server: Any, **body: Any) -> str:
    answer = control(server, "order", **body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["order_no"])


def lines(connector: Any, unit: str) -> dict[str, Any]:
    return {line.line_id: line for line in connector.lookup_orders([unit])}


def one_line(connector: Any, unit: str) -> Any:
    found = list(lines(connector, unit).values())
    return found[0]


def invoice(line: Any, number: str = "612345678901", courier: str = "CJ", quantity: int = 0) -> Invoice:
    return Invoice(line.ship_unit, (line.line_id,), line.order_id, courier, number, quantity=quantity)


def single_line_order(server: Any, connector: Any, **body: Any) -> tuple[str, Any]:
    """An order with exactly one prod order (the generator makes one or two)."""
    for _ in range(20):
        unit = new_order(server, **body)
        found = lines(connector, unit)
        if len(found) == 1:
            return unit, next(iter(found.values()))
    raise AssertionError("no single-line order")


# --- state machine -----------------------------------------------------------------------
def test_step_by_step_shipped_states_in_korean_and_no_skipping(shop: Any) -> None:
    server, connector = shop
    unit, line = single_line_order(server, connector)
    assert (line.status, line.status_raw) == (OrderStatus.PAID, "상품준비")
    [refused] = connector.send_invoices([invoice(line)])  # 상품준비 → 배송중 skips 배송대기
    assert not refused.ok and "건너뛸 수 없습니다" in refused.message_ko
    assert connector.confirm([unit])[0].ok
    line = one_line(connector, unit)
    assert (line.status, line.status_raw, order_state(line)) == (OrderStatus.PREPARING, "배송대기", State.CONFIRMED)
    again = connector.confirm([unit])[0]
    assert again.ok and again.already  # read back: no prod order waits in 상품준비
    assert connector.send_invoices([invoice(line)])[0].ok
    line = one_line(connector, unit)
    assert (line.status, line.status_raw, line.courier, line.tracking_no) == (OrderStatus.SHIPPING, "배송중", "CJ", "612345678901")
    raw = HARNESS.raw(server, "PATCH", f"/v2/shop/orders/{unit}/complete", body={})
    assert raw.json()["data"]["success"]
    assert one_line(connector, unit).status_raw == "배송완료"
    control(server, "age", order_no=unit, days=8)  # 7 days after 배송완료: 구매확정
    line = one_line(connector, unit)
    assert (line.status, line.status_raw) == (OrderStatus.DECIDED, "구매확정")


def test_complete_needs_delivering_except_for_no_delivery_products(shop: Any) -> None:
    server, connector = shop
    parcel = new_order(server)
    failed = HARNESS.raw(server, "PATCH", f"/v2/shop/orders/{parcel}/complete", body={}).json()["data"]["failed"]
    assert "배송중 상태" in failed[0]["prod_order_list"][0]["msg"]
    digital = new_order(server, deliv_type="no_deliv")
    assert HARNESS.raw(server, "PATCH", f"/v2/shop/orders/{digital}/complete", body={}).json()["data"]["success"]
    assert {l.status for l in lines(connector, digital).values()} == {OrderStatus.DELIVERED}


def test_orders_are_collected_with_options_as_a_list_of_lists_and_one_status_per_call(shop: Any) -> None:
    server, connector = shop
    units = [new_order(server) for _ in range(30)]  # more than 25: two prod-orders reads per status
    now = datetime.now(KST)
    found = list(connector.orders(now - timedelta(hours=1), now + timedelta(minutes=1)))
    assert {l.ship_unit for l in found} == set(units)
    assert all(l.line_id != l.ship_unit and l.quantity >= 1 for l in found)
    with_options = [l for l in found if l.option_name]
    assert with_options and all(":" in l.option_name for l in with_options)  # 사이즈:M from options[0][0]
    two = HARNESS.raw(server, "GET", "/v2/shop/orders", {"status": "PAY_COMPLETE", "claim_type": "CANCEL"})
    assert two.status_code == 400 and two.json()["code"] == -10
    many = HARNESS.raw(server, "GET", "/v2/shop/prod-orders", {"order_no": ",".join(units[:26])})
    assert many.json()["code"] == -10


def test_bulk_writes_go_in_chunks_of_50_orders(shop: Any) -> None:
    server, connector = shop
    units = [new_order(server) for _ in range(60)]
    assert all(r.ok for r in connector.confirm(units))
    assert sorted(server.simulator.store.audit_counts("order.confirm").values()) == [1] * 60
    assert connector.http.calls  # the two PATCHes and nothing resent
    too_many = HARNESS.raw(server, "PATCH", f"/v2/shop/orders/{','.join(units[:51])}/place", body={})
    assert too_many.status_code == 400 and "50" in too_many.json()["msg"]


# --- split quantities (seed 003: 상품준비 only, never npay/talkpay) -----------------------------
def test_ship_two_of_three_splits_the_line_and_leaves_one_in_preparation(shop: Any) -> None:
    server, connector = shop
    unit, line = single_line_order(server, connector, count=3, type="normal")
    [sent] = connector.send_invoices([invoice(line, quantity=2)])
    assert sent.ok and sent.remote_id and sent.remote_id != line.line_id
    after = lines(connector, unit)
    assert after[line.line_id].quantity == 1 and after[line.line_id].status_raw == "상품준비"
    part = after[sent.remote_id]
    assert (part.quantity, part.status_raw, part.tracking_no) == (2, "배송대기", "612345678901")
    # the part waits in 배송대기: it cannot be split again, and the courier's pickup makes it 배송중
    [refused] = connector.send_invoices([invoice(part, "612345678902", quantity=1)])
    assert not refused.ok and "배송대기 상태에서는 수량을 나눌 수 없습니다" in refused.message_ko
    control(server, "pickup", order_no=unit)
    assert lines(connector, unit)[part.line_id].status is OrderStatus.SHIPPING


def test_naverpay_and_talkcheckout_orders_are_never_split(shop: Any) -> None:
    server, connector = shop
    for kind in ("npay", "talkpay"):
        unit, line = single_line_order(server, connector, count=3, type=kind)
        [refused] = connector.send_invoices([invoice(line, quantity=1)])
        assert not refused.ok and "수량을 나눌 수 없습니다" in refused.message_ko
        cancel = OrderCancel(line.line_id, unit, unit, "품절", quantity=1, line=line)
        [before_call] = connector.cancel_orders([cancel])
        assert not before_call.ok and "나눠 취소할 수 없습니다" in before_call.message_ko
    assert server.simulator.store.audit_counts("order.cancel") == {}


def test_a_partial_cancel_cancels_that_many(shop: Any) -> None:
    server, connector = shop
    unit, line = single_line_order(server, connector, count=3, type="normal")
    assert connector.cancel_orders([OrderCancel(line.line_id, unit, unit, "품절", quantity=2, line=line)])[0].ok
    after = lines(connector, unit)
    assert after[line.line_id].quantity == 1 and after[line.line_id].status is OrderStatus.PAID
    assert [l.quantity for l in after.values() if l.status is OrderStatus.CANCELED] == [2]


# --- cancel rules -------------------------------------------------------------------------
def test_no_cancel_once_shipped_and_an_invoice_blocks_it_until_deleted(shop: Any) -> None:
    server, connector = shop
    unit, line = single_line_order(server, connector, count=3, type="normal")
    [sent] = connector.send_invoices([invoice(line, quantity=3 - 1)])  # a part waits in 배송대기 with its invoice
    part = lines(connector, unit)[sent.remote_id]
    cancel = OrderCancel(part.line_id, unit, unit, "품절", line=part)
    [refused] = connector.cancel_orders([cancel])
    assert not refused.ok and "송장삭제" in refused.message_ko  # said before any call, with what to do
    raw = HARNESS.raw(server, "PATCH", f"/v2/shop/orders/{unit}/cancel", body={"prod_order_no": [part.line_id]})
    assert "송장번호를 삭제한 뒤 취소하세요" in raw.json()["data"]["failed"][0]["prod_order_list"][0]["msg"]
    assert connector.delete_invoices([invoice(part)])[0].ok
    part = lines(connector, unit)[part.line_id]
    assert not part.tracking_no
    assert connector.cancel_orders([OrderCancel(part.line_id, unit, unit, "품절", line=part)])[0].ok
    shipped_unit, shipped = single_line_order(server, connector)
    control(server, "deliver", order_no=shipped_unit)
    shipped = one_line(connector, shipped_unit)
    [no] = connector.cancel_orders([OrderCancel(shipped.line_id, shipped_unit, shipped_unit, "품절", line=shipped)])
    assert not no.ok and "반품" in no.message_ko
    raw = HARNESS.raw(server, "PATCH", f"/v2/shop/orders/{shipped_unit}/cancel", body={"prod_order_no": [shipped.line_id]})
    assert "반품으로 처리하세요" in raw.json()["data"]["failed"][0]["prod_order_list"][0]["msg"]


# --- 배송보류 ---------------------------------------------------------------------------------
def test_an_address_change_holds_a_naverpay_order_until_released(shop: Any) -> None:
    server, connector = shop
    unit = new_order(server, type="npay")
    assert control(server, "address", order_no=unit).status_code == 200
    assert control(server, "address", order_no=new_order(server, type="normal")).status_code == 409
    assert connector.confirm([unit])[0].ok
    line = one_line(connector, unit)
    assert line.hold == "배송지 변경" and order_state(line) is State.HELD
    [refused] = connector.send_invoices([Invoice(unit, (), unit, "CJ", "612345678903")])
    assert not refused.ok and "배송보류" in refused.message_ko
    assert connector.release_orders([unit])[0].ok
    again = connector.release_orders([unit])[0]
    assert again.ok and again.already
    assert not one_line(connector, unit).hold
    assert connector.send_invoices([Invoice(unit, (), unit, "CJ", "612345678903")])[0].ok


def test_quick_service_and_visit_take_free_text_numbers(shop: Any) -> None:
    server, connector = shop
    units = [new_order(server) for _ in range(2)]
    connector.confirm(units)
    results = connector.send_invoices([Invoice(units[0], (), units[0], "QUICK", "기사 010-1234-5678"),
                                       Invoice(units[1], (), units[1], "VISIT", "1234")])
    assert all(r.ok for r in results), results
    assert {l.courier for u in units for l in lines(connector, u).values()} == {"QUICK", "VISIT"}


# --- auth, rate and codes --------------------------------------------------------------------
def test_the_token_is_kept_and_renewed_once_when_the_mall_answers_minus_2(shop: Any) -> None:
    server, connector = shop
    unit = new_order(server)
    assert lines(connector, unit)
    issued = server.simulator.store.count("token")
    assert lines(connector, unit) and server.simulator.store.count("token") == issued  # kept
    server.simulator.expire_tokens()
    assert lines(connector, unit)
    assert server.simulator.store.count("token") == issued + 1  # one new token, the call went on


def test_the_full_lists_stay_at_one_per_second_and_the_simulator_refuses_faster(start_sim: Any) -> None:
    server, account = start_sim("imweb")  # the documented limits: 1/s on the lists, 5/s elsewhere
    connector = ImwebConnector(account, retry=FAST)
    try:
        control(server, "generate", orders=2)
        now = datetime.now(KST)
        assert list(connector.orders(now - timedelta(hours=1), now + timedelta(minutes=1)))  # 7 list calls, 1/s
        assert server.rejected_429 == 0
        creds = HARNESS.credentials
        with httpx.Client(base_url=server.url) as client:
            token = client.post("/v2/auth", json={"key": creds["key"], "secret": creds["secret"]}).json()["access_token"]
            # back to back on one connection, so a loaded machine still asks twice within a second
            lists = [client.get("/v2/shop/orders", params={"status": "STANDBY"}, headers={"access-token": token}) for _ in range(4)]
            quick = [client.get("/v2/shop/inquirys", headers={"access-token": token}) for _ in range(12)]
        assert any(r.status_code == 429 and r.json()["code"] == -7 for r in lists)  # 1/s on the full lists
        assert any(r.status_code == 429 and r.json()["code"] == -7 for r in quick)  # 5/s elsewhere
    finally:
        connector.close()


@pytest.mark.parametrize(("code", "status", "error"), [
    (-1, 401, AuthError), (-5, 400, AuthError), (-6, 400, AuthError), (-7, 429, RateLimited), (-10, 400, RejectedError),
    (-11, 404, RejectedError), (-19, 500, TransientError), (-999, 503, TransientError), (-99, 400, RejectedError),
])
def test_negative_body_codes_are_named_errors_in_korean(code: int, status: int, error: type) -> None:
    classify = classifier(ENVELOPE, ERRORS)
    found = classify(httpx.Response(status, json={"code": code, "msg": "x"}))
    assert isinstance(found, error) and any("가" <= ch <= "힣" for ch in found.message_ko)
    assert classify(httpx.Response(200, json={"code": code, "msg": "x"})).__class__ is error  # a 200 with it too
