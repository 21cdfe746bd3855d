"""11번가's catalogue through its connector against its simulator over real loopback sockets: stock
per 재고번호 (an unknown option or product refused before any stock write, 0 is 품절), a
whole-product change on every option, 판매가 in 10원 units, 전시중지/재개 and its read-back, the product
list with options for import, and orders that take stock and skip sold-out or stopped products."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from mallbatch.connectors.elevenst.mapping import SearchPages
from mallbatch.connectors.elevenst.spec import SPEC, ElevenstConnector
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ListingChange, OptionCombo
from mallbatch.errors import OutcomeUnknown
from tests.conftest import StartSim
from tests.contract.harness import elevenst_listing
from tests.test_elevenst_connector import connect


def registered(mall: ElevenstConnector, code: str = "APPLE-5", **changes: Any) -> str:
    return mall.create_product(elevenst_listing(code, **changes)).product_id


def product(server: Any, number: str) -> dict[str, Any]:
    return server.simulator.store.get("product", number)


def stock(server: Any, number: str) -> dict[str, int]:
    return {e["mixDtlOptNm"]: int(e["stckQty"]) for e in product(server, number)["options"]}


def faults(server: Any, **values: float) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=values, timeout=10)


def test_an_unknown_option_or_product_is_refused_in_korean_before_any_stock_write(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    number = registered(mall)
    before = mall.http.calls
    missing, nowhere = mall.set_stock([ListingChange("APPLE-5", number, ("20kg",), stock=3),
                                       ListingChange("NOPE", "987654321", ("5kg",), stock=3)])
    assert not missing.ok and missing.code == "NO_OPTION" and missing.key == f"{number}#20kg"
    assert "옵션 '20kg'" in missing.message_ko and "5kg, 10kg" in missing.message_ko, missing
    assert not nowhere.ok and nowhere.code == "NOT_FOUND" and "987654321" in nowhere.message_ko
    assert server.simulator.store.audit_counts("stock.update") == {}  # no stock write was sent
    assert mall.http.calls - before == 2  # only the two products' stock lists were read
    assert stock(server, number) == {"5kg": 10, "10kg": 5}


@pytest.mark.parametrize(("change", "words"), [
    ({"stock": -1}, "0 이상"),
    ({"product_id": "APPLE"}, "숫자여야"),
])
def test_an_impossible_stock_is_refused_before_any_call(start_sim: StartSim, change: dict[str, Any], words: str) -> None:
    _, mall = connect(start_sim)
    result = mall.set_stock([dataclasses.replace(ListingChange("APPLE-5", "4100000001", stock=1), **change)])[0]
    assert not result.ok and words in result.message_ko and mall.http.calls == 0


def test_an_option_sells_out_at_zero_and_the_whole_product_sets_every_option(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    number = registered(mall)
    assert [r.ok for r in mall.set_stock([ListingChange("APPLE-5", number, ("5kg",), stock=0)])] == [True]
    assert stock(server, number) == {"5kg": 0, "10kg": 5}
    entries = {e["mixDtlOptNm"]: e["prdStckStatCd"] for e in product(server, number)["options"]}
    assert entries == {"5kg": "02", "10kg": "01"} and product(server, number)["selStatCd"] == "103"  # 품절 of one option
    assert [r.ok for r in mall.set_stock([ListingChange("APPLE-5", number, stock=0)])] == [True]
    assert stock(server, number) == {"5kg": 0, "10kg": 0} and product(server, number)["selStatCd"] == "104"  # 품절
    server.simulator.generate(10, 0, 0)
    assert number not in {x["prdNo"] for x in server.simulator.store.all("line")}  # a sold-out product is never ordered
    assert [r.ok for r in mall.set_stock([ListingChange("APPLE-5", number, stock=6)])] == [True]
    assert stock(server, number) == {"5kg": 6, "10kg": 6} and product(server, number)["selStatCd"] == "103"
    writes = server.simulator.store.audit_counts("stock.update")
    assert sorted(writes.values()) == [2, 3] and len(writes) == 2  # 5kg alone, then both twice: one call per 재고번호


def test_orders_take_stock_and_stop_at_zero(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    number = registered(mall, options=(OptionCombo(("5kg",), 0, 3), OptionCombo(("10kg",), 20000, 0)), stock=3)
    server.simulator.generate(20, 0, 0)
    ours = [x for x in server.simulator.store.all("line") if x["prdNo"] == number]
    assert sum(int(x["ordQty"]) for x in ours) == 3  # every piece sold once, none past 0
    assert {x["slctPrdOptNm"].split("-")[0] for x in ours} == {"구성:5kg"}  # the sold-out option never ordered
    assert stock(server, number) == {"5kg": 0, "10kg": 0} and product(server, number)["selStatCd"] == "104"
    found = {s["prdStckNo"]: s for s in mall.lookup("stock", number)["stocks"]}
    assert {s["stckQty"] for s in found.values()} == {"0"} and sum(int(s["selQty"]) for s in found.values()) == 3


def test_the_sale_is_stopped_and_restarted_and_a_lost_answer_is_read_back(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    number = registered(mall)
    stop = ListingChange("APPLE-5", number, on_sale=False)
    assert [r.ok for r in mall.set_sale([stop, stop])] == [True, True]  # stopping a stopped product is no error
    assert product(server, number)["selStatCd"] == "105"
    server.simulator.generate(10, 0, 0)
    assert number not in {x["prdNo"] for x in server.simulator.store.all("line")}  # a stopped product is never ordered
    resume = ListingChange("APPLE-5", number, on_sale=True)
    faults(server, drop_rate=1.0)
    with pytest.raises(OutcomeUnknown):
        mall.set_sale([resume])
    faults(server, drop_rate=0.0)
    held = mall.read_back(Capability.SALE_STATUS, {resume.target: resume.payload()})
    assert held is not None and held[resume.target].already and product(server, number)["selStatCd"] == "103"
    assert mall.read_back(Capability.SALE_STATUS, {stop.target: stop.payload()}) == {}  # not stopped any more
    option = mall.set_sale([ListingChange("APPLE-5", number, ("5kg",), on_sale=False)])[0]
    assert not option.ok and "재고를 0(품절)" in option.message_ko


def test_the_sale_price_is_sent_in_10_won_units_and_read_back(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    number = registered(mall)
    odd, option = mall.set_price([ListingChange("APPLE-5", number, sale_price=28905),
                                  ListingChange("APPLE-5", number, ("5kg",), sale_price=28900)])
    assert not odd.ok and "10원 단위" in odd.message_ko and not option.ok and "상품 단위" in option.message_ko
    assert server.simulator.store.audit_counts("price.update") == {}
    change = ListingChange("APPLE-5", number, sale_price=27900)
    assert [r.ok for r in mall.set_price([change])] == [True] and product(server, number)["selPrc"] == 27900
    assert mall.read_back(Capability.PRICE_UPDATE, {change.target: change.payload()})[change.target].already
    unknown = mall.set_price([ListingChange("NOPE", "987654321", sale_price=27900)])[0]
    assert not unknown.ok and "가격 업데이트 실패" in unknown.message_ko  # 11번가's 500 inside a 200: refused, not resent


def test_the_product_list_has_every_listing_with_its_options_stock_and_state(start_sim: StartSim) -> None:
    server, mall = connect(start_sim)
    plain = registered(mall, "PLAIN-1", option_names=(), options=(), stock=7, option_type="")
    stopped = registered(mall, "STOP-1", on_sale=False)
    sized = registered(mall, "SIZE-1", option_names=("색상", "사이즈"),
                       options=(OptionCombo(("골드", "M"), 0, 2), OptionCombo(("골드", "L"), 1000, 0)))
    paged = type("PagedConnector", (ElevenstConnector,), {"spec": dataclasses.replace(
        SPEC, reads={**SPEC.reads, "products": dataclasses.replace(SPEC.reads["products"], paginator=SearchPages(2))})})
    found = {p.product_id: p for p in paged(mall.account, retry=mall.retry).list_products()}
    assert set(found) == {plain, stopped, sized}  # three products over two pages of two
    assert (found[plain].seller_code, found[plain].stock, found[plain].options, found[plain].on_sale) == ("PLAIN-1", 7, (), True)
    assert found[stopped].on_sale is False and found[stopped].stock == 15
    listed = found[sized]
    assert listed.option_names == ("색상", "사이즈") and listed.stock == 2 and listed.category == "1001234"
    assert set(listed.options) == {OptionCombo(("골드", "M"), 0, 2), OptionCombo(("골드", "L"), 1000, 0)}
    assert (listed.name, listed.sale_price, listed.mall) == ("국내산 햇 사과 5kg", 29900, "11st")
    change = ListingChange("SIZE-1", sized, ("골드", "L"), stock=4)  # an imported option is written by its values
    assert [r.ok for r in mall.set_stock([change])] == [True] and stock(server, sized) == {"골드/M": 2, "골드/L": 4}
