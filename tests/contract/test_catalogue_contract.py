"""The catalogue half of the contract: stock (0 is 품절), sale price, 판매중지/재개 and the product
list of ``mallbatch import``, once per mall through its harness, over real sockets.

A mall that cannot set one option's stock says so in its spec (``ListingRules.option_stock``):
an option-level change is then refused in Korean before any call, and the product's total works.
"""

from __future__ import annotations

from typing import Any

from mallbatch.domain.records import ProductListing
from mallbatch.store.journal import DONE
from tests.contract.harness import Capability, ListingChange
from tests.contract.test_contract import HANGUL, Mall, mall, refused_text  # noqa: F401 - the fixture

CATALOGUE = (Capability.STOCK_UPDATE, Capability.PRICE_UPDATE, Capability.SALE_STATUS, Capability.PRODUCTS_LIST)


def created(mall: Mall, adapter: Any, code: str) -> tuple[ProductListing, ListingChange]:
    """A product made through the journal as push makes it; a blank change naming it on this mall."""
    listing = mall.harness.listing(code)
    outcome = mall.execute(adapter, "product.create", [(code, {"seller_code": code}, listing)])[code]
    assert outcome.state == DONE and outcome.remote_id, outcome
    return listing, ListingChange(code, outcome.remote_id, extra=outcome.extra or {})


def send(mall: Mall, adapter: Any, op: str, changes: list[ListingChange]) -> dict[str, Any]:
    return mall.execute(adapter, op, [(c.target, c.payload(), c) for c in changes])


def test_every_mall_declares_the_catalogue(mall: Mall) -> None:
    adapter = mall.adapter()
    assert set(CATALOGUE) <= adapter.spec.capabilities


def test_an_options_stock_is_set_and_zero_is_sold_out_or_refused_before_any_call(mall: Mall) -> None:
    adapter = mall.adapter()
    listing, blank = created(mall, adapter, "STOCK-1")
    first, second = (combo.values for combo in listing.options[:2])
    changes = [ListingChange(blank.seller_code, blank.product_id, first, stock=0, extra=blank.extra),
               ListingChange(blank.seller_code, blank.product_id, second, stock=7, extra=blank.extra)]
    if adapter.spec.listing.option_stock:
        outcomes = send(mall, adapter, "listing.stock", changes)
        assert all(o.state == DONE for o in outcomes.values()), outcomes
        assert mall.harness.stock_in(mall.server, blank.product_id, first) == 0
        assert mall.harness.stock_in(mall.server, blank.product_id, second) == 7
    else:
        before = len(mall.sent(mall.harness.stock_path))
        results = adapter.set_stock(changes)
        assert not any(r.ok for r in results) and all(HANGUL.search(r.message_ko) for r in results), results
        assert len(mall.sent(mall.harness.stock_path)) == before  # refused before any call
    total = [ListingChange(blank.seller_code, blank.product_id, stock=0, extra=blank.extra)]
    assert send(mall, adapter, "listing.stock", total)[blank.target].state == DONE
    assert mall.harness.stock_in(mall.server, blank.product_id, ()) == 0


def test_a_lost_stock_write_is_read_back_and_applied_once(mall: Mall) -> None:
    adapter = mall.adapter()
    _, blank = created(mall, adapter, "STOCK-2")
    start = len(mall.sent(mall.harness.stock_path))
    first = ListingChange(blank.seller_code, blank.product_id, stock=3, extra=blank.extra)
    assert send(mall, adapter, "listing.stock", [first])[first.target].state == DONE
    calls = len(mall.sent(mall.harness.stock_path)) - start  # requests one change takes (쿠팡: one per option)
    change = ListingChange(blank.seller_code, blank.product_id, stock=4, extra=blank.extra)
    mall.control("faults", {"drop_rate": 1.0})
    start = len(mall.sent(mall.harness.stock_path))
    outcome = send(mall, adapter, "listing.stock", [change])[change.target]
    mall.control("faults", {"drop_rate": 0.0})
    assert outcome.state == DONE, outcome
    assert len(mall.sent(mall.harness.stock_path)) - start == calls  # read back, never resent
    assert mall.harness.stock_in(mall.server, blank.product_id, ()) == 4


def test_the_sale_price_is_set(mall: Mall) -> None:
    adapter = mall.adapter()
    listing, blank = created(mall, adapter, "PRICE-1")
    price = listing.sale_price - 1000
    change = ListingChange(blank.seller_code, blank.product_id, sale_price=price, extra=blank.extra)
    assert send(mall, adapter, "listing.price", [change])[change.target].state == DONE
    assert mall.harness.price_in(mall.server, blank.product_id) == price


def test_a_sale_is_stopped_and_resumed(mall: Mall) -> None:
    adapter = mall.adapter()
    _, blank = created(mall, adapter, "SALE-1")
    stop = ListingChange(blank.seller_code, blank.product_id, on_sale=False, extra=blank.extra)
    assert send(mall, adapter, "listing.sale", [stop])[stop.target].state == DONE
    assert not mall.harness.on_sale_in(mall.server, blank.product_id)
    resume = ListingChange(blank.seller_code, blank.product_id, on_sale=True, extra=blank.extra)
    assert send(mall, adapter, "listing.sale", [resume])[resume.target].state == DONE
    assert mall.harness.on_sale_in(mall.server, blank.product_id)


def test_a_change_of_a_product_the_mall_does_not_have_is_refused_in_korean(mall: Mall) -> None:
    adapter = mall.adapter()
    change = ListingChange("NOPE-1", "987654321", stock=3)
    text = refused_text(lambda: adapter.set_stock([change]))
    assert HANGUL.search(text), text


def test_a_created_product_is_listed_with_its_seller_code_and_options(mall: Mall) -> None:
    adapter = mall.adapter()
    listing, blank = created(mall, adapter, "LIST-1")
    found = {p.product_id: p for p in adapter.list_products()}
    assert blank.product_id in found, sorted(found)
    product = found[blank.product_id]
    assert product.seller_code == "LIST-1" and product.name == listing.name
    assert product.mall == mall.harness.mall and product.account == mall.account.name
    assert {c.values for c in product.options} == {c.values for c in listing.options}
