"""스마트스토어's catalogue against its simulator over loopback sockets: the changes of one product
go in one option-stock call, an option the product does not have is refused before any write,
stock 0 is 품절 (OUTOFSTOCK) and never a stop (SUSPENSION), orders take from the stock, and
``mallbatch import``'s product list follows the mall's pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.connectors.smartstore.spec import SPEC, SmartstoreConnector
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ListingChange, OptionCombo
from tests.contract.harness import Smartstore, smartstore_listing

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
OPTION_STOCK = "/option-stock"
HARNESS = Smartstore()


@pytest.fixture
def mall(start_sim: Any) -> Any:
    connectors: list[SmartstoreConnector] = []

    def start(cls: type[SmartstoreConnector] = SmartstoreConnector) -> tuple[Any, SmartstoreConnector]:
        server, account = start_sim("smartstore", {"rate_limit": 1000}, rate_limit=1000)
        server._httpd.RequestHandlerClass.disable_nagle_algorithm = True  # as test_smartstore_adapter.py
        connector = cls(account, retry=FAST)
        connectors.append(connector)
        return server, connector

    yield start
    for connector in connectors:
        connector.close()


def writes(server: Any, path: str) -> list[str]:
    return [p for m, p, _ in server.simulator.calls if m == "PUT" and p.endswith(path)]


def change(product_id: str, option: tuple[str, ...] = (), **values: Any) -> ListingChange:
    return ListingChange("SKU", product_id, option, **values)


def status(server: Any, product_id: str) -> str:
    return str(server.simulator.store.get("product", product_id)["statusType"])


def test_the_options_of_one_product_go_in_one_call_and_each_product_in_its_own(mall: Any) -> None:
    server, connector = mall()
    first = connector.create_product(smartstore_listing("A-1")).product_id
    second = connector.create_product(smartstore_listing("B-1")).product_id
    changes = [change(first, ("블랙", "M"), stock=0), change(second, ("블랙", "L"), stock=9),
               change(first, ("블랙", "L"), stock=2), change(first, ("그레이", "XL"), stock=30)]
    results = connector.set_stock(changes)
    assert [r.key for r in results] == [c.target for c in changes] and all(r.ok for r in results), results
    assert sorted(writes(server, OPTION_STOCK)) == sorted(f"/external/v1/products/origin-products/{n}/option-stock"
                                                          for n in (first, second))
    assert [HARNESS.stock_in(server, first, o) for o in (("블랙", "M"), ("블랙", "L"), ("그레이", "XL"))] == [0, 2, 30]
    assert HARNESS.stock_in(server, second, ("블랙", "L")) == 9 and HARNESS.stock_in(server, second, ("블랙", "M")) == 10
    assert server.simulator.store.audit_counts("listing.stock") == {
        f"{first}#블랙/M": 1, f"{first}#블랙/L": 1, f"{first}#그레이/XL": 1, f"{second}#블랙/L": 1}


def test_stock_and_price_of_one_product_keep_each_other(mall: Any) -> None:
    """Both go through option-stock, which carries every combination and the price: one never undoes the other."""
    server, connector = mall()
    product = connector.create_product(smartstore_listing("P-1")).product_id
    assert connector.set_stock([change(product, ("블랙", "L"), stock=1)])[0].ok
    assert connector.set_price([change(product, sale_price=19900)])[0].ok
    assert HARNESS.price_in(server, product) == 19900 and HARNESS.stock_in(server, product, ("블랙", "L")) == 1
    assert HARNESS.stock_in(server, product, ("블랙", "M")) == 10  # the combination no change named is as it was


def test_an_option_the_product_does_not_have_is_refused_in_korean_before_any_write(mall: Any) -> None:
    server, connector = mall()
    product = connector.create_product(smartstore_listing("OPT-1")).product_id
    results = connector.set_stock([change(product, ("빨강", "S"), stock=3), change("12x", stock=1)])
    assert not any(r.ok for r in results)
    assert "옵션 '빨강/S'" in results[0].message_ko and "블랙/M" in results[0].message_ko, results[0]
    assert "원상품번호는 숫자" in results[1].message_ko
    assert writes(server, OPTION_STOCK) == []
    good, bad = connector.set_stock([change(product, ("블랙", "M"), stock=4), change(product, ("빨강", "S"), stock=3)])
    assert good.ok and not bad.ok and len(writes(server, OPTION_STOCK)) == 1  # the refusal keeps no good change back


def test_option_level_price_and_sale_are_refused_before_any_call(mall: Any) -> None:
    server, connector = mall()
    product = connector.create_product(smartstore_listing("OPT-2")).product_id
    price = connector.set_price([change(product, ("블랙", "M"), sale_price=1000)])[0]
    sale = connector.set_sale([change(product, ("블랙", "M"), on_sale=False)])[0]
    assert not price.ok and "상품 전체" in price.message_ko
    assert not sale.ok and "재고를 0" in sale.message_ko
    assert writes(server, OPTION_STOCK) == writes(server, "/change-status") == []


def test_stock_zero_is_sold_out_and_stock_again_is_on_sale(mall: Any) -> None:
    server, connector = mall()
    product = connector.create_product(smartstore_listing("ZERO-1")).product_id
    assert all(r.ok for r in connector.set_stock([change(product, stock=0)]))
    assert status(server, product) == "OUTOFSTOCK" and not HARNESS.on_sale_in(server, product)
    listed = next(p for p in connector.list_products() if p.product_id == product)
    assert listed.on_sale and listed.stock == 0  # 품절, not 판매중지
    assert connector.set_stock([change(product, ("블랙", "M"), stock=2)])[0].ok
    assert status(server, product) == "SALE" and HARNESS.on_sale_in(server, product)


def test_a_stop_outlasts_stock_and_a_resume_without_stock_shows_sold_out(mall: Any) -> None:
    server, connector = mall()
    product = connector.create_product(smartstore_listing("STOP-1")).product_id
    assert connector.set_sale([change(product, on_sale=False)])[0].ok
    assert connector.set_stock([change(product, stock=0)])[0].ok
    assert connector.set_stock([change(product, stock=6)])[0].ok
    assert status(server, product) == "SUSPENSION" and HARNESS.stock_in(server, product, ()) == 6  # stock never resumes
    assert connector.set_stock([change(product, stock=0)])[0].ok
    resumed = connector.set_sale([change(product, on_sale=True)])[0]
    assert resumed.ok and status(server, product) == "OUTOFSTOCK"  # resumed, sold out until stock comes
    again = connector.read_back(Capability.SALE_STATUS, {product: change(product, on_sale=True).payload()})
    assert again is not None and again[product].already  # the read-back agrees: resumed


def test_whole_product_stock_is_shared_over_the_options_as_they_stand(mall: Any) -> None:
    server, connector = mall()
    product = connector.create_product(smartstore_listing("SHARE-1")).product_id  # 10 / 5 / 3
    assert connector.set_stock([change(product, stock=9)])[0].ok
    values = [HARNESS.stock_in(server, product, o) for o in (("블랙", "M"), ("블랙", "L"), ("그레이", "XL"))]
    assert values == [5, 3, 1] and HARNESS.stock_in(server, product, ()) == 9


def test_orders_take_from_stock_and_never_come_for_sold_out_or_stopped_products(mall: Any) -> None:
    server, connector = mall()
    sim = server.simulator
    listing = smartstore_listing("ORD-1", options=(OptionCombo(("블랙", "M"), 0, 4), OptionCombo(("블랙", "L"), 0, 0)))
    product = connector.create_product(listing).product_id
    sim.generate(orders=30, claims=0, inquiries=0)
    lines = [i["detail"]["productOrder"] for i in sim.store.all("product_order")]
    ours = [po for po in lines if po["originalProductId"] == product]
    assert ours and sum(int(po["quantity"]) for po in ours) == 4  # every unit sold once, then nothing more
    assert {po["productOption"] for po in ours} == {"색상: 블랙 / 사이즈: M"}  # never the option at 0
    assert HARNESS.stock_in(server, product, ()) == 0 and status(server, product) == "OUTOFSTOCK"
    assert connector.set_stock([change(product, ("블랙", "L"), stock=5)])[0].ok
    assert connector.set_sale([change(product, on_sale=False)])[0].ok
    before = len(lines)
    sim.generate(orders=20, claims=0, inquiries=0)
    after = [i["detail"]["productOrder"] for i in sim.store.all("product_order")]
    assert len(after) > before and not [po for po in after[before:] if po["originalProductId"] == product]
    assert HARNESS.stock_in(server, product, ("블랙", "L")) == 5


def test_the_product_list_follows_the_pages_with_each_products_options(mall: Any) -> None:
    products = replace(SPEC.reads["products"], partitions=({"size": 2},))

    class SmallPages(SmartstoreConnector):
        spec = replace(SPEC, reads={**SPEC.reads, "products": products})

    server, connector = mall(SmallPages)
    made = {connector.create_product(smartstore_listing(f"LIST-{n}")).product_id: f"LIST-{n}" for n in range(5)}
    found = {p.product_id: p for p in connector.list_products()}
    assert {k: p.seller_code for k, p in found.items()} == made
    assert all({c.values for c in p.options} == {("블랙", "M"), ("블랙", "L"), ("그레이", "XL")} for p in found.values())
    first = next(iter(found.values()))
    assert first.sale_price == 24900 and first.list_price == 29000 and first.stock == 18 and first.sale_end is not None
    assert set(first.extra["option_ids"]) == {"블랙/M", "블랙/L", "그레이/XL"}
    searches = [p for m, p, _ in server.simulator.calls if m == "POST" and p.endswith("/products/search")]
    assert len(searches) == 3  # pages of 2, 2 and 1
