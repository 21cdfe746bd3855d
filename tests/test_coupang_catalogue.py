"""쿠팡's catalogue against its simulator over loopback: changes resolved to vendorItems and refused
before any call when they cannot apply, a whole product's price keeping its options' surcharges,
the mall's price-range refusal, the paged product list of ``mallbatch import``, and orders that
take stock and never come for a sold-out or stopped option."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from mallbatch.connectors.coupang.spec import CoupangConnector
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.records import ListingChange
from mallbatch.errors import MalformedResponse
from mallbatch.sandbox.server import SandboxServer
from tests.contract.harness import Coupang, coupang_listing
from tests.misbehaving import Misbehaving

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
VENDOR_ITEMS = "/vendor-items/"
HARNESS = Coupang()


@pytest.fixture
def coupang(start_sim: Any) -> Iterator[tuple[SandboxServer, Misbehaving, CoupangConnector]]:
    """The simulator behind a recording proxy, and a connector that talks through the proxy."""
    server, account = start_sim("coupang", faults={"rate_limit": 1000}, rate_limit=1000)
    front = Misbehaving(server.url).start()
    adapter = CoupangConnector(replace(account, base_url=front.url), retry=FAST)
    yield server, front, adapter
    adapter.close()
    front.stop()


def registered(adapter: CoupangConnector, code: str, **changes: Any) -> str:
    return adapter.create_product(coupang_listing(code, **changes)).product_id


def item_writes(front: Misbehaving) -> list[str]:
    return [s.target for s in front.seen if s.method == "PUT" and VENDOR_ITEMS in s.target]


def test_an_option_the_listing_does_not_have_is_refused_before_any_call(coupang: Any) -> None:
    server, front, adapter = coupang
    product = registered(adapter, "OPT-1")
    results = adapter.set_stock([ListingChange("OPT-1", product, ("골드", "M"), stock=3)])
    assert not results[0].ok and results[0].message_ko.startswith("쿠팡 상품에 '골드/M' 옵션이 없습니다"), results
    assert item_writes(front) == []
    assert HARNESS.stock_in(server, product, ("3kg",)) == 10  # untouched


def test_a_product_not_approved_yet_is_refused_saying_why(coupang: Any) -> None:
    _, front, adapter = coupang
    product = registered(adapter, "TEMP-1", on_sale=False)  # requested=false: kept 임시저장
    for send, change in ((adapter.set_stock, ListingChange("TEMP-1", product, stock=0)),
                         (adapter.set_price, ListingChange("TEMP-1", product, sale_price=14900)),
                         (adapter.set_sale, ListingChange("TEMP-1", product, on_sale=True))):
        result = send([change])[0]
        assert not result.ok and result.code == "NOT_APPROVED", result
        assert "아직 승인되지 않은 상품입니다 (상태: 임시저장)" in result.message_ko
    assert item_writes(front) == []


def test_a_whole_products_price_keeps_each_options_surcharge(coupang: Any) -> None:
    server, front, adapter = coupang
    product = registered(adapter, "PRICE-2")  # 3kg 15,900원, 5kg +7,000원
    assert adapter.set_price([ListingChange("PRICE-2", product, sale_price=14900)])[0].ok
    prices = {i["itemName"]: i["salePrice"] for i in server.simulator.store.get("product", product)["items"]}
    assert prices == {"3kg": 14900, "5kg": 21900}
    assert adapter.set_price([ListingChange("PRICE-2", product, ("5kg",), sale_price=20000)])[0].ok
    assert HARNESS.price_in(server, product) == 14900 and len(item_writes(front)) == 3


def test_a_price_beyond_the_malls_change_range_is_refused_with_its_reason(coupang: Any) -> None:
    server, _, adapter = coupang
    product = registered(adapter, "PRICE-3")
    result = adapter.set_price([ListingChange("PRICE-3", product, ("3kg",), sale_price=5000)])[0]
    assert not result.ok and "최대 50% 인하" in result.message_ko, result
    assert HARNESS.price_in(server, product) == 15900


def test_the_product_list_pages_with_each_products_options(coupang: Any) -> None:
    server, front, adapter = coupang
    first = registered(adapter, "LIST-A")
    store = server.simulator.store
    template = store.get("product", first)
    for n in range(1, 105):  # beyond one page of 100, without 104 creates through the API
        product = copy.deepcopy(template)
        product["sellerProductId"] = int(first) + n
        for item in product["items"]:
            item["externalVendorSku"] = f"LIST-{n}"
        store.put("product", str(product["sellerProductId"]), product)
    start = len(front.seen)
    found = list(adapter.list_products())
    lists = [s for s in front.seen if s.method == "GET" and s.path.endswith("/seller-products")]
    assert len(found) == 105 and len(lists) == 2
    assert len(front.seen) - start == 2 + 105  # one list call per 100, one read per product
    mine = next(p for p in found if p.product_id == first)
    assert (mine.seller_code, mine.sale_price, mine.stock, mine.on_sale) == ("LIST-A", 15900, 15, True)
    assert {(c.values, c.extra_price, c.stock) for c in mine.options} == {(("3kg",), 0, 10), (("5kg",), 7000, 5)}
    assert mine.option_names == ("중량",) and str(mine.sale_end) == "2099-12-31"


def test_a_product_list_handing_out_the_same_token_twice_stops_with_an_error(coupang: Any) -> None:
    _, front, adapter = coupang
    registered(adapter, "LOOP-1")

    def same_token(seen: Any, body: Any) -> Any:
        return {**body, "nextToken": "2"} if seen.path.endswith("/seller-products") else body

    front.rewrite = same_token
    with pytest.raises(MalformedResponse, match="같은 다음 페이지"):
        list(adapter.list_products())


def test_a_sold_out_or_stopped_option_gets_no_new_orders_and_orders_take_stock(coupang: Any) -> None:
    server, _, adapter = coupang
    product = registered(adapter, "SOLD-1")
    assert all(r.ok for r in adapter.set_stock([ListingChange("SOLD-1", product, ("3kg",), stock=0),
                                                ListingChange("SOLD-1", product, ("5kg",), stock=40)]))
    server.simulator.generate(12, 0, 0)
    items = {i["itemName"]: i for i in server.simulator.store.get("product", product)["items"]}
    ordered = [o for b in server.simulator.store.all("box") for o in b["orderItems"]]
    assert ordered and all(o["vendorItemId"] == items["5kg"]["vendorItemId"] for o in ordered)
    assert items["5kg"]["maximumBuyCount"] == 40 - sum(o["shippingCount"] for o in ordered)
    assert adapter.set_sale([ListingChange("SOLD-1", product, ("5kg",), on_sale=False)])[0].ok
    before = server.simulator.store.count("box")
    server.simulator.generate(5, 0, 0)  # nothing of this seller's left to buy: only the built-in samples
    new = [o for b in server.simulator.store.all("box")[before:] for o in b["orderItems"]]
    assert not {o["vendorItemId"] for o in new} & {i["vendorItemId"] for i in items.values()}


def test_a_stock_sync_reads_a_product_once_for_all_its_options(coupang: Any) -> None:
    _, front, adapter = coupang
    product = registered(adapter, "SYNC-1")
    start = len(front.seen)
    for values, stock in ((("3kg",), 2), (("5kg",), 0)):  # one change per call, as the journal sends them
        assert adapter.set_stock([ListingChange("SYNC-1", product, values, stock=stock)])[0].ok
    reads = [s for s in front.seen[start:] if s.method == "GET" and s.path.endswith(f"/seller-products/{product}")]
    assert len(reads) == 1 and len(item_writes(front)) == 2
