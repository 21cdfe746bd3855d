"""위메프's catalogue against its simulator over loopback sockets: stock only per product (an option's
change is refused before any call), stock and price sent in the product's whole sale block, the sale
status A/S, the product list of ``mallbatch import``, and the simulator's own stock rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import httpx
import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.connectors.wemakeprice.spec import WemakepriceConnector
from mallbatch.domain.records import ListingChange, OptionCombo
from mallbatch.sandbox.server import SandboxServer
from mallbatch.sandbox.wemakeprice import SANDBOX_CREDENTIALS
from tests.contract.harness import wemakeprice_listing
from tests.misbehaving import Misbehaving

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
KEY = SANDBOX_CREDENTIALS["api_key"]


@pytest.fixture
def wmp(start_sim: Any) -> Any:
    """(server, proxy that records every request, connector talking through the proxy)."""
    server, account = start_sim("wemakeprice", faults={"rate_limit": 1000}, rate_limit=1000)
    front = Misbehaving(server.url).start()
    connector = WemakepriceConnector(replace(account, base_url=front.url), retry=FAST)
    yield server, front, connector
    connector.close()
    front.stop()


def shown(server: SandboxServer, product_id: str) -> dict[str, Any]:
    """getProduct as the mall answers it, asked by hand."""
    answer = httpx.get(f"{server.url}/product/out/getProduct", params={"productNo": product_id}, headers={"apiKey": KEY})
    return answer.json()["data"]


def raw_post(server: SandboxServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    return httpx.post(f"{server.url}{path}", json=body, headers={"apiKey": KEY}).json()


def test_an_options_stock_or_sale_is_refused_in_korean_before_any_call(wmp: Any) -> None:
    server, front, connector = wmp
    product_id = connector.create_product(wemakeprice_listing("OPT-1")).product_id
    before = len(front.seen)
    stock = connector.set_stock([ListingChange("OPT-1", product_id, ("옐로우",), stock=0)])
    sale = connector.set_sale([ListingChange("OPT-1", product_id, ("화이트",), on_sale=False)])
    assert len(front.seen) == before  # no call at all, not even the read of the product
    assert not stock[0].ok and "옵션별 재고" in stock[0].message_ko and "파트너센터" in stock[0].message_ko
    assert "상품 전체 재고" in stock[0].message_ko and "옐로우" in stock[0].message_ko
    assert not sale[0].ok and "옵션별 판매중지" in sale[0].message_ko
    assert server.simulator.store.audit_counts("product.sale") == {}


def test_a_negative_stock_is_refused_before_any_call_and_zero_is_sold_out(wmp: Any) -> None:
    server, front, connector = wmp
    product_id = connector.create_product(wemakeprice_listing("ZERO-1")).product_id
    before = len(front.seen)
    refused = connector.set_stock([ListingChange("ZERO-1", product_id, stock=-1)])
    assert not refused[0].ok and "0 이상" in refused[0].message_ko and len(front.seen) == before
    assert connector.set_stock([ListingChange("ZERO-1", product_id, stock=0)])[0].ok
    assert shown(server, product_id)["sale"]["stockCount"] == 0
    assert server.simulator.state()["sold_out"] == ["ZERO-1"]


def test_a_stock_update_leaves_the_price_and_sale_period_as_they_were(wmp: Any) -> None:
    server, _, connector = wmp
    listing = wemakeprice_listing("KEEP-1", sale_start=date(2026, 3, 1), sale_end=date(2026, 12, 31), list_price=260000)
    product_id = connector.create_product(listing).product_id
    sale = shown(server, product_id)["sale"]
    assert sale["salePeriod"] == "P" and sale["stockCount"] == 10  # the options' total
    assert connector.set_stock([ListingChange("KEEP-1", product_id, stock=3)])[0].ok
    assert shown(server, product_id)["sale"] == {**sale, "stockCount": 3}
    assert connector.set_price([ListingChange("KEEP-1", product_id, sale_price=199000)])[0].ok
    assert shown(server, product_id)["sale"] == {**sale, "stockCount": 3, "salePrice": 199000}
    assert server.simulator.store.audit_counts("product.sale") == {"KEEP-1": 2}


def test_a_price_above_the_list_price_raises_the_list_price_with_it(wmp: Any) -> None:
    server, _, connector = wmp
    product_id = connector.create_product(wemakeprice_listing("UP-1", list_price=250000)).product_id
    assert connector.set_price([ListingChange("UP-1", product_id, sale_price=270000)])[0].ok
    sale = shown(server, product_id)["sale"]
    assert (sale["salePrice"], sale["originPrice"]) == (270000, 270000)


def test_stopped_or_sold_out_products_get_no_generated_orders_and_orders_take_stock(wmp: Any) -> None:
    server, _, connector = wmp
    sim = server.simulator
    stopped, empty, few = (connector.create_product(wemakeprice_listing(code)).product_id
                           for code in ("STOP-1", "EMPTY-1", "FEW-1"))
    assert connector.set_sale([ListingChange("STOP-1", stopped, on_sale=False)])[0].ok
    assert connector.set_stock([ListingChange("EMPTY-1", empty, stock=0)])[0].ok
    assert connector.set_stock([ListingChange("FEW-1", few, stock=4)])[0].ok
    assert sim.generate(orders=40, claims=0, inquiries=0)["orders"] == 40
    ordered: dict[str, int] = {}
    for bundle in sim.store.all("bundle"):
        for line in bundle["orderProduct"]:
            ordered[str(line["productNo"])] = ordered.get(str(line["productNo"]), 0) + line["productQty"]
            assert line["productQty"] == sum(o["optionQty"] for o in line["orderOption"]) > 0
    assert stopped not in ordered and empty not in ordered
    assert ordered[few] == 4 and shown(server, few)["sale"]["stockCount"] == 0  # sold out, never below 0
    assert connector.set_sale([ListingChange("STOP-1", stopped, on_sale=True)])[0].ok
    sim.generate(orders=40, claims=0, inquiries=0)
    assert any(line["productNo"] == int(stopped) for b in sim.store.all("bundle") for line in b["orderProduct"])


def test_the_product_list_is_read_across_pages_with_stock_price_status_and_sale_end(wmp: Any) -> None:
    server, front, connector = wmp
    server.simulator.page_size = 2
    dated = wemakeprice_listing("LIST-2", sale_end=date(2026, 12, 31), list_price=260000)
    made = [connector.create_product(listing).product_id
            for listing in (wemakeprice_listing("LIST-1"), dated, wemakeprice_listing("LIST-3", on_sale=False))]
    before = len(front.seen)
    found = {p.product_id: p for p in connector.list_products()}
    assert sorted(found) == sorted(made)
    assert len([s for s in front.seen[before:] if "/getProductList" in s.target]) == 2  # two pages
    first, second, third = (found[n] for n in made)
    assert (first.seller_code, first.stock, first.sale_price, first.on_sale, first.sale_end) == ("LIST-1", 10, 230000, True, None)
    assert first.option_names == ("색상",)
    assert first.options == (OptionCombo(("옐로우",), 0, 5), OptionCombo(("화이트",), 0, 5))
    assert (second.list_price, second.sale_end) == (260000, date(2026, 12, 31))
    assert not third.on_sale and third.extra == {"on_sale": False}  # bound, an update knows it is stopped


def test_the_simulator_keeps_its_own_rules(wmp: Any) -> None:
    server, _, connector = wmp
    product_id = connector.create_product(wemakeprice_listing("RULE-1")).product_id
    sale = shown(server, product_id)["sale"]
    unknown = raw_post(server, "/product/in/setProductSale", {"productNo": 987654321, "sale": sale})
    assert unknown["resultCode"] != 200 and "존재하지 않는 상품번호" in unknown["error"]
    negative = raw_post(server, "/product/in/setProductSale", {"productNo": int(product_id), "sale": {**sale, "stockCount": -1}})
    assert negative["resultCode"] == 400 and "0 이상" in negative["error"]
    status = raw_post(server, "/product/in/setProductStatus", {"productNo": int(product_id), "productStatus": "X"})
    assert status["resultCode"] == 400 and "A(판매)" in status["error"]
    assert shown(server, product_id)["sale"] == sale
    assert server.simulator.store.audit_counts("product.sale") == {}
