"""The 11번가 connector against its independently written simulator over real loopback sockets:
≤ 7-day path windows, confirm → ship → read back, partial shipping, 판매불가, claims, Q&A, products
with the seed-001 rules refused before any call, EUC-KR, and the push pipeline end to end."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

import pytest

from mallbatch.connectors.elevenst.mapping import decode
from mallbatch.connectors.elevenst.spec import ElevenstConnector
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import (
    Address,
    Answer,
    ClaimKind,
    ClaimStatus,
    Invoice,
    OptionCombo,
    OrderCancel,
    OrderStatus,
    ProductListing,
    ShippingInfo,
)
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from tests.conftest import StartSim
from tests.pipeline_helpers import invoices_file, open_lines, products_file
from tests.test_push_pipeline import messages, statuses

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


def connect(start_sim: StartSim, **faults: object) -> tuple[object, ElevenstConnector]:
    server, account = start_sim("11st", {"rate_limit": 1000, **faults}, rate_limit=1000)
    return server, ElevenstConnector(account, retry=FAST)


def recent(connector: ElevenstConnector, days: float = 1) -> list:
    now = now_kst()
    return list(connector.orders(now - timedelta(days=days), now + timedelta(minutes=2)))


def test_ten_days_are_asked_in_windows_of_at_most_a_week(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    server.simulator.generate(3, 0, 0)
    now = now_kst()
    lines = list(mall.orders(now - timedelta(days=10), now + timedelta(minutes=2)))
    assert len(lines) >= 3 and {l.status for l in lines} == {OrderStatus.PAID}
    assert all(l.line_id == f"{l.order_id}-{l.raw['ordPrdSeq']}" and l.ship_unit == l.raw["dlvNo"] for l in lines)
    assert mall.http.calls == 2 * 4  # two windows × four order lists, none refused as too long
    assert len({l.line_id for l in lines}) == len(lines)


def test_no_data_is_an_empty_list_not_an_error(start_sim: StartSim) -> None:
    _, mall = connect(start_sim)
    assert recent(mall) == [] and list(mall.claims(now_kst() - timedelta(days=1), now_kst())) == []


def test_confirm_ship_and_read_back(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    server.simulator.generate(3, 0, 0)
    lines = recent(mall)
    box = lines[0].ship_unit
    in_box = [l for l in lines if l.ship_unit == box]
    assert [r.ok for r in mall.confirm([box])] == [True]
    assert {l.line_id: l.status for l in mall.lookup_orders([box])} == {l.line_id: OrderStatus.PREPARING for l in in_box}
    fresh = ElevenstConnector(mall.account, retry=FAST)  # a new run: the box is no longer in the paid list
    again = fresh.confirm([box])
    assert again[0].ok and again[0].already and "이미 발주확인" in again[0].message_ko
    invoice = Invoice(box, tuple(l.line_id for l in in_box), in_box[0].order_id, "CJ", "6123-4567-8901")
    assert [r.ok for r in mall.send_invoices([invoice])] == [True]
    shipped = mall.lookup_orders([box])
    assert {(l.status, l.courier, l.tracking_no) for l in shipped} == {(OrderStatus.SHIPPING, "CJ", "612345678901")}
    repeat = ElevenstConnector(mall.account, retry=FAST).send_invoices([invoice])
    assert repeat[0].ok and repeat[0].already  # refused as a repeat, read back as done
    assert server.simulator.store.audit_counts("invoice.send") == {l.line_id: 1 for l in in_box}


def test_a_box_ships_partially_then_the_rest(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    for _ in range(10):
        server.simulator.generate(5, 0, 0)
        boxes: dict[str, list] = {}
        for line in recent(mall):
            boxes.setdefault(line.ship_unit, []).append(line)
        if any(len(v) > 1 for v in boxes.values()):
            break
    box, (one, two) = next((k, v[:2]) for k, v in boxes.items() if len(v) == 2)
    assert mall.confirm([box])[0].ok
    first = mall.send_invoices([Invoice(box, (one.line_id,), one.order_id, "HANJIN", "700000000001")])
    assert first[0].ok
    state = {l.line_id: (l.status, l.tracking_no) for l in mall.lookup_orders([box])}
    assert state == {one.line_id: (OrderStatus.SHIPPING, "700000000001"), two.line_id: (OrderStatus.PREPARING, "")}
    rest = ElevenstConnector(mall.account, retry=FAST)
    assert rest.send_invoices([Invoice(box, (one.line_id, two.line_id), one.order_id, "HANJIN", "700000000002")])[0].ok
    assert {l.line_id: l.tracking_no for l in mall.lookup_orders([box])} == {one.line_id: "700000000001", two.line_id: "700000000002"}


def test_unknown_courier_is_refused_before_sending(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    before = server.requests
    result = mall.send_invoices([Invoice("400000001", (), "", "EPOST", "1234567890123")])
    assert not result[0].ok and "택배사 코드" in result[0].message_ko and server.requests == before


def test_reject_cancels_one_line_and_it_is_listed_as_cancelled(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    server.simulator.generate(2, 0, 0)
    line = next(l for l in recent(mall) if l.raw["ordPrdSeq"] == "1")

    def cancel(reason: str) -> OrderCancel:
        return OrderCancel(line.line_id, line.order_id, line.ship_unit, "품절", reason, line=line)
    before = server.requests
    refused = mall.cancel_orders([cancel("재고 소진😀")])
    assert not refused[0].ok and "판매취소 사유" in refused[0].message_ko and "EUC-KR" in refused[0].message_ko
    assert server.requests == before  # refused before sending
    assert mall.cancel_orders([cancel("재고 소진")])[0].ok
    again = mall.cancel_orders([cancel("재고 소진")])[0]
    assert again.ok and again.already
    claims = list(mall.claims(now_kst() - timedelta(days=1), now_kst() + timedelta(minutes=2)))
    cancel = next(c for c in claims if c.line_ids == [line.line_id])
    assert (cancel.kind, cancel.status, cancel.requester_name, cancel.reason) == (ClaimKind.CANCEL, ClaimStatus.DONE, "판매자", "재고 소진")
    assert not cancel.blocks_shipping


def test_claims_are_mapped_with_their_codes(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    server.simulator.generate(8, 0, 0)
    lines = recent(mall)
    for line in lines[:4]:
        mall.confirm([line.ship_unit])
    shipped = {l.ship_unit for l in lines[:4]}
    fresh = ElevenstConnector(mall.account, retry=FAST)
    for n, unit in enumerate(sorted(shipped)):
        assert fresh.send_invoices([Invoice(unit, (), "", "CJ", f"61234567{n:04d}")])[0].ok
    server.simulator.generate(0, len(lines), 0)
    claims = list(mall.claims(now_kst() - timedelta(days=1), now_kst() + timedelta(minutes=2)))
    kinds = {c.kind for c in claims}
    assert ClaimKind.CANCEL in kinds and kinds & {ClaimKind.RETURN, ClaimKind.EXCHANGE}
    assert {(c.status_raw, c.status) for c in claims} <= {("01", ClaimStatus.REQUESTED), ("02", ClaimStatus.DONE), ("105", ClaimStatus.REQUESTED), ("201", ClaimStatus.REQUESTED)}, {(c.status_raw, c.status) for c in claims}
    assert all(c.blocks_shipping == (c.status is ClaimStatus.REQUESTED) for c in claims if c.kind is ClaimKind.CANCEL)
    assert len({c.claim_id for c in claims}) == len(claims)
    assert {c.status_raw for c in claims if c.kind is ClaimKind.RETURN} <= {"105"}
    assert {c.status_raw for c in claims if c.kind is ClaimKind.EXCHANGE} <= {"201"}


def test_a_question_is_answered_once_and_euc_kr_is_checked_first(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    server.simulator.generate(0, 0, 2)
    now = now_kst()
    first, second = list(mall.inquiries(now - timedelta(days=1), now + timedelta(minutes=2)))
    assert not first.answered and first.inquiry_id == f"{first.raw['brdInfoNo']}-{first.product_id}"
    text = "안녕하세요 고객님, 내일 출고됩니다."
    assert mall.answer([Answer(first.inquiry_id, text)])[0].ok
    repeat = mall.answer([Answer(first.inquiry_id, text)])[0]
    assert repeat.ok and repeat.already  # 210: the same answer is there
    assert [i.answered for i in mall.lookup_inquiries([first.inquiry_id])] == [True]
    before = server.requests
    refused = mall.answer([Answer(second.inquiry_id, "감사합니다 똠")])[0]
    assert not refused.ok and "답변내용" in refused.message_ko and "'똠'" in refused.message_ko
    assert server.requests == before
    assert server.simulator.store.audit_counts("inquiry.answer") == {first.raw["brdInfoNo"]: 1}


@pytest.fixture
def sim_listing():
    """A valid 11번가 listing (10원-unit price, short name, EUC-KR text)."""
    def make(connector: ElevenstConnector) -> ProductListing:
        address = Address("13529", "경기도 성남시 분당구 판교역로 235", "7층")
        shipping = ShippingInfo("기본배송", "상품별배송", "일반-택배배송", "유료", 3000, 0, 3000, 5000, "선결제", 3000, 6000,
                                address, address, 3)
        return ProductListing(
            seller_code="APPLE-5", name="국내산 햇 사과 5kg", on_sale=True, category_path=("식품",), mall_category="1001234",
            model_name="AP-5", model_no="", maker="사과농원", brand="사과농원", made_on=None, expires_on=None,
            origin="국내산", origin_detail="경북 청송", certifications=(), notice_group="", notice={}, keywords=(),
            detail_html="<p>아삭한 햇 사과</p>", main_image="https://example.com/a.jpg", extra_images=(),
            cost_price=20000, list_price=35000, sale_price=29900, tax_type="면세", sale_region="전국", adult_only=False,
            sale_start=date.today(), sale_end=date.today() + timedelta(days=365), option_type="조합형",
            option_names=("구성",), options=(OptionCombo(("5kg",), 0, 10), OptionCombo(("10kg",), 20000, 5)),
            stock=15, shipping=shipping, group="11번가 기본")
    return make


@pytest.mark.parametrize(("change", "words"), [
    ({"options": tuple(OptionCombo((f"옵션{i}",), 0, 5) for i in range(101))}, "옵션 조합은 100개"),
    ({"name": "가" * 26}, "50바이트"),
    ({"sale_price": 29905}, "10원 단위"),
    ({"name": "사과😀"}, "상품명에 11번가가 받을 수 없는 글자 '😀'"),
    ({"detail_html": "<p>똠양꿍</p>"}, "상세설명에"),
])
def test_product_rules_are_refused_before_any_call(start_sim: StartSim, sim_listing, change: dict, words: str) -> None:
    server, mall = connect(start_sim)
    bad = dataclasses.replace(sim_listing(mall), **change)
    problems = mall.listing_problems(bad)
    assert any(words in p for p in problems), problems
    with pytest.raises(Exception, match=words.split("'")[0]):
        mall.create_product(bad)
    assert server.requests == 0 and server.simulator.store.audit_counts("product.create") == {}


def test_product_with_100_options_and_25_hangul_is_registered_found_and_stopped(start_sim: StartSim, sim_listing) -> None:
    server, mall = connect(start_sim)
    good = dataclasses.replace(sim_listing(mall), name="가" * 25,
                               options=tuple(OptionCombo((f"옵션{i}",), 0, 5) for i in range(100)), option_names=("구성",))
    assert mall.listing_problems(good) == []
    ref = mall.create_product(good)
    assert mall.find_product(good.seller_code).product_id == ref.product_id
    assert mall.find_product("NOPE") is None
    stopped = mall.update_product(ref, dataclasses.replace(good, on_sale=False, sale_price=31000))
    assert stopped.extra["on_sale"] is False and server.simulator.state()["off_sale"] == [good.seller_code]
    mall.update_product(stopped, good)
    assert server.simulator.state()["off_sale"] == []


def test_a_page_that_is_not_11st_xml_is_malformed_not_empty() -> None:
    from mallbatch.connectors.runtime.xml import decode_xml

    assert decode(b'<?xml version="1.0" encoding="EUC-KR"?><ns2:orders xmlns:ns2="x"><ns2:result_code>0</ns2:result_code>'
                  b"</ns2:orders>")["code"] == "0"
    with pytest.raises(ValueError):
        decode_xml(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>')
    with pytest.raises(ValueError):
        decode_xml(b"<a><b>")


def test_push_pipeline_registers_once_and_ships_once(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("11st",), faults={"11st": {"rate_limit": 1000}}, rate_limit=1000)
    sim = servers["11st"].simulator
    path = products_file(ws, tmp_path / "상품.xlsx", 3)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        first = push_file(ws, store, session, path)
        assert statuses(first.result_path, "상품") == ["성공"] * 3, messages(first.result_path, "상품")
        assert statuses(push_file(ws, store, session, path).result_path, "상품") == ["건너뜀"] * 3
        created = sim.store.audit_counts("product.create")
        assert sorted(created) == ["P00001", "P00002", "P00003"] and set(created.values()) == {1}
        sim.generate(4, 0, 0)
        collect(ws, store, session, kinds=("orders",))
        lines = open_lines(store)
        invoices = invoices_file(tmp_path / "송장.xlsx", lines)
        sent = push_file(ws, store, session, invoices)
        assert set(statuses(sent.result_path, "송장")) == {"성공"}, messages(sent.result_path, "송장")
        assert set(statuses(push_file(ws, store, session, invoices).result_path, "송장")) == {"건너뜀"}
    shipped = sim.store.audit_counts("invoice.send")
    assert sorted(shipped) == sorted(l.line_id for l in lines) and set(shipped.values()) == {1}
    assert set(sim.store.audit_counts("order.confirm").values()) == {1}
