"""What is genuinely special to Wish: invoices with Wish's carrier names, the refund as 판매취소, products
as a parent with variants (v2 product/add then variant/add, each read back by SKU when its answer is
lost), and the catalogue per variant (stock and price are the variants', sale status the product's).
Endpoint names for products and variants are second-hand (the v2 API explorer list,
merchant.wish.com/documentation/api/explorer); their parameters are invented unless the reference shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.wish.mapping import COURIERS, OPTION_FIELDS, option_values, order_line, variants
from mallbatch.domain.couriers import BY_CODE as CANONICAL
from mallbatch.domain.records import (
    Invoice,
    ListingChange,
    OrderCancel,
    OrderLine,
    OrderStatus,
    ProductListing,
    ProductRef,
    split_target,
)
from mallbatch.domain.states import SELLER_REASONS
from mallbatch.errors import OutcomeUnknown, RejectedError

SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})
# 판매취소 (domain.states.SELLER_REASONS) → v2 /order/refund reason_code. invented: every number
REASONS: dict[str, str] = {"품절": "1", "배송지연": "4", "상품정보오류": "2", "구매자요청": "3", "기타": "-1"}
ORIGIN = "KR"  # origin_country_code (reference §3.4, later SDKs): a Korean seller ships from Korea


def tracking(number: str) -> str:
    return re.sub(r"[\s-]", "", number)


# --- invoices ------------------------------------------------------------------------------------
def invoice_problem(invoice: Invoice) -> str | None:
    if invoice.courier not in COURIERS:
        known = ", ".join(CANONICAL[c].name for c in COURIERS)
        return f"Wish 에서 쓸 수 없는 택배사입니다 ({invoice.courier}). Wish 택배사: {known}"
    if invoice.quantity:
        return "Wish 는 주문 단위로만 발송합니다: 수량을 비우세요"
    if not tracking(invoice.tracking_no):
        return "Wish 발송처리에는 송장번호가 필요합니다"
    return None


def invoice_body(invoices: list[Invoice]) -> dict[str, Any]:
    """fulfill-one / modify-tracking: id, tracking_provider, tracking_number, origin_country_code (§3.4)."""
    invoice = invoices[0]
    return {"id": invoice.ship_unit.strip(), "tracking_provider": COURIERS[invoice.courier],
            "tracking_number": tracking(invoice.tracking_no), "origin_country_code": ORIGIN}


def shipped_with(order: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Read-back (also of error 1002 already fulfilled): shipped with this carrier and number."""
    return (order.get("state") == "SHIPPED" and order.get("shipping_provider") == COURIERS.get(str(wanted.get("courier")))
            and str(order.get("tracking_number") or "") == tracking(str(wanted.get("tracking_no") or "")))


# --- 판매취소 (refund before shipping) -----------------------------------------------------------------
def cancel_problem(cancel: OrderCancel) -> str | None:
    line = cancel.line
    if line is not None and line.status in SHIPPED:
        return (f"이미 발송된 Wish 주문({cancel.line_id})은 판매취소할 수 없습니다. "
                "구매자가 티켓으로 환불을 요청하면 티켓에서 환불하세요")
    if cancel.reason_code not in REASONS:
        return f"판매취소 사유를 고르세요: {', '.join(SELLER_REASONS)} (현재 '{cancel.reason_code}')"
    if cancel.quantity and (line is None or cancel.quantity != line.quantity):
        return "Wish 판매취소(환불)는 주문 단위로만 됩니다: 수량을 비우거나 주문수량 전체로 적으세요"
    return None


def cancel_body(cancels: list[OrderCancel]) -> dict[str, Any]:
    cancel = cancels[0]
    return {"id": cancel.line_id.strip(), "reason_code": REASONS[cancel.reason_code],
            "reason_note": cancel.reason or cancel.reason_code}


def refunded(order: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return order.get("state") == "REFUNDED"


def lookup_orders(connector: Connector, ids: Sequence[str]) -> list[OrderLine]:
    """Each id is an order id (ship unit and line id at once)."""
    found = (connector.lookup("order", i) for i in dict.fromkeys(str(i).strip() for i in ids) if i)
    return [order_line(order, connector.account.name) for order in found if order is not None]


# --- products ----------------------------------------------------------------------------------------
def sku_of(code: str, index: int) -> str:
    """invented: variant SKUs are <자체상품코드>-V<n> (mapping.seller_code_of reads the code back)."""
    return f"{code}-V{index}"


def variant_fields(listing: ProductListing) -> list[dict[str, Any]]:
    """One variant per option combination: colour and size carry its values (one option: the size)."""
    combos = listing.options or ()
    if not combos:
        return [{"sku": sku_of(listing.seller_code, 1), "color": "", "size": "", "price": listing.sale_price,
                 "inventory": listing.stock}]
    fields = OPTION_FIELDS[-len(listing.option_names):] if len(listing.option_names) == 1 else OPTION_FIELDS
    return [{"sku": sku_of(listing.seller_code, n), **dict.fromkeys(OPTION_FIELDS, ""), **dict(zip(fields, c.values, strict=False)),
             "price": listing.sale_price + c.extra_price, "inventory": c.stock} for n, c in enumerate(combos, start=1)]


def listing_problems(connector: Connector, listing: ProductListing) -> list[str]:
    if not listing.main_image.startswith(("http://", "https://")):
        return [f"{connector.account.label}: Wish 대표이미지는 인터넷 주소(URL)여야 합니다 (현재 {listing.main_image[:40]})"]
    return []


def product_fields(listing: ProductListing) -> dict[str, Any]:
    return {"name": listing.name, "description": listing.detail_html, "tags": ",".join(listing.keywords) or listing.name,
            "main_image": listing.main_image, "extra_images": "|".join(listing.extra_images)}


def _sent_or_found(connector: Connector, path: str, payload: dict[str, Any], found: Callable[[], Any]) -> Any:
    """A write whose lost answer is read back at once: applied → carry on; not applied → unknown."""
    try:
        return connector.call("POST", path, write=True, send="data", payload=payload)
    except OutcomeUnknown:
        seen = found()
        if seen is None:
            raise
        return seen
    except RejectedError:
        seen = found()  # "already used": sent before, its answer lost in an earlier run
        if seen is None:
            raise
        return seen


def _variant(connector: Connector, sku: str) -> dict[str, Any] | None:
    return connector.lookup("variant", sku)


def _add_variants(connector: Connector, code: str, fields: list[dict[str, Any]]) -> None:
    for variant in fields:
        if _variant(connector, variant["sku"]) is None:
            _sent_or_found(connector, "/api/v2/variant/add", {"parent_sku": code, **variant},
                           lambda sku=variant["sku"]: _variant(connector, sku))


def set_enabled(connector: Connector, product_id: str, on_sale: bool) -> None:
    connector.call("POST", f"/api/v2/product/{'enable' if on_sale else 'disable'}", write=True, send="data",
                   payload={"id": product_id})


def create_product(connector: Connector, listing: ProductListing) -> ProductRef:
    problems = connector.listing_problems(listing)
    if problems:
        raise RejectedError("; ".join(problems), code="LISTING")
    code, fields = listing.seller_code, variant_fields(listing)
    _sent_or_found(connector, "/api/v2/product/add", {**product_fields(listing), "parent_sku": code, **fields[0]},
                   lambda: connector.lookup("product_by_code", code))
    product = connector.lookup("product_by_code", code)
    if product is None:
        raise OutcomeUnknown("Wish 가 상품을 만들었다고 답했지만 상품을 찾지 못했습니다. 자체상품코드로 다시 확인합니다")
    _add_variants(connector, code, fields[1:])
    if not listing.on_sale:
        set_enabled(connector, str(product["id"]), False)
    return ProductRef(str(product["id"]), {"on_sale": listing.on_sale})


def update_product(connector: Connector, ref: ProductRef, listing: ProductListing) -> ProductRef:
    problems = connector.listing_problems(listing)
    if problems:
        raise RejectedError("; ".join(problems), code="LISTING")
    connector.call("POST", "/api/v2/product/update", write=True, send="data", payload={"id": ref.product_id, **product_fields(listing)})
    fields = variant_fields(listing)
    for variant in fields:
        if _variant(connector, variant["sku"]) is not None:  # the price; stock goes with 재고 (set_stock)
            connector.call("POST", "/api/v2/variant/update", write=True, send="data",
                           payload={"sku": variant["sku"], "price": variant["price"]})
    _add_variants(connector, listing.seller_code, fields)
    if not listing.on_sale or ref.extra.get("on_sale") is False:
        set_enabled(connector, ref.product_id, listing.on_sale)
    return ProductRef(ref.product_id, {**ref.extra, "on_sale": listing.on_sale})


def find_product(connector: Connector, seller_code: str) -> ProductRef | None:
    product = connector.lookup("product_by_code", seller_code)
    if product is None or str(product.get("parent_sku")) != seller_code:
        return None
    return ProductRef(str(product["id"]), {"on_sale": str(product.get("enabled", "True")) != "False"})


def product_matches(connector: Connector, product_id: str, name: str, sale_price: int) -> bool:
    product = connector.lookup("product", product_id) or {}
    prices = [float(v.get("price") or 0) for v in variants(product)]
    return product.get("name") == name and bool(prices) and round(min(prices)) == sale_price


# --- catalogue: per variant ---------------------------------------------------------------------------
@dataclass(frozen=True)
class VariantChange:
    """One variant's part of a ListingChange (keyed by the change's target)."""

    target: str
    sku: str
    stock: int | None = None
    price: float | None = None
    option: tuple[str, ...] = ()
    sale_price: int | None = None


def _positive(change: ListingChange) -> str | None:
    if not change.product_id.strip():
        return "Wish 상품번호가 비어 있습니다. 상품 연결을 확인하세요"
    return None


def stock_problem(change: ListingChange) -> str | None:
    if change.stock is None or change.stock < 0:
        return f"재고는 0 이상이어야 합니다 (현재 {change.stock}). 품절은 0 으로 보내세요"
    return _positive(change)


def price_problem(change: ListingChange) -> str | None:
    if change.sale_price is None or change.sale_price <= 0:
        return f"판매가는 0보다 커야 합니다 (현재 {change.sale_price})"
    return _positive(change)


def sale_problem(change: ListingChange) -> str | None:
    if change.option:
        return ("Wish 판매중지/재개는 상품 단위로 보냅니다. 옵션만 막으려면 그 옵션의 재고를 0 으로 보내세요 "
                f"(옵션 {'/'.join(change.option)})")
    if change.on_sale is None:
        return "판매상태(판매/판매중지)가 비어 있습니다"
    return _positive(change)


def _matching(product: dict[str, Any], option: tuple[str, ...]) -> list[dict[str, Any]]:
    return [v for v in variants(product) if not option or option_values(v) == option]


def _product_of(connector: Connector, change: ListingChange) -> dict[str, Any] | str:
    product = connector.lookup("listing", change.target)
    if product is None:
        return f"Wish 에 상품번호 {change.product_id} 인 상품이 없습니다. Wish 판매자 센터에서 상품번호를 확인하고 상품 연결을 고치세요"
    return product


def stock_parts(connector: Connector, change: ListingChange) -> list[VariantChange] | str:
    """The variants the change sets: one option's, or every variant for the product's whole stock."""
    product = _product_of(connector, change)
    if isinstance(product, str):
        return product
    found = _matching(product, change.option)
    if not found:
        return f"Wish 상품 {change.product_id} 에 옵션 {'/'.join(change.option)} 이(가) 없습니다"
    return [VariantChange(change.target, str(v["sku"]), stock=change.stock, option=change.option) for v in found]


def price_parts(connector: Connector, change: ListingChange) -> list[VariantChange] | str:
    """Wish prices are per variant: the product's sale price goes to its cheapest variant and the others
    keep their difference (the 옵션추가금액); one option's price is set as given."""
    product = _product_of(connector, change)
    if isinstance(product, str):
        return product
    found = _matching(product, change.option)
    if not found:
        return f"Wish 상품 {change.product_id} 에 옵션 {'/'.join(change.option)} 이(가) 없습니다"
    base = min(float(v.get("price") or 0) for v in found)
    return [VariantChange(change.target, str(v["sku"]), price=float(change.sale_price or 0) + float(v.get("price") or 0) - base,
                          option=change.option, sale_price=change.sale_price) for v in found]


def stock_body(parts: list[VariantChange]) -> dict[str, Any]:
    return {"sku": parts[0].sku, "inventory": parts[0].stock}


def price_body(parts: list[VariantChange]) -> dict[str, Any]:
    return {"sku": parts[0].sku, "price": f"{parts[0].price:g}"}


def sale_route(changes: list[ListingChange]) -> tuple[str, str]:
    return "POST", f"/api/v2/product/{'enable' if changes[0].on_sale else 'disable'}"


def listing_query(target: str) -> dict[str, Any]:
    return {"id": split_target(target)[0]}


def holds_stock(product: dict[str, Any], wanted: dict[str, Any]) -> bool:
    found = _matching(product, tuple(wanted.get("option") or ()))
    return bool(found) and all(int(v.get("inventory") or 0) == wanted.get("stock") for v in found)


def holds_price(product: dict[str, Any], wanted: dict[str, Any]) -> bool:
    found = _matching(product, tuple(wanted.get("option") or ()))
    return bool(found) and round(min(float(v.get("price") or 0) for v in found)) == wanted.get("sale_price")


def holds_sale(product: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return wanted.get("on_sale") is not None and (str(product.get("enabled", "True")) != "False") == wanted["on_sale"]

