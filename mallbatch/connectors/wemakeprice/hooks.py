"""What is genuinely special to 위메프: products (ship-policy registration, the separate sale-status
call), the catalogue (stock and price in the product's whole sale block, product-level stock only),
the three-way order lookup, and the parcel-or-direct invoice body."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from mallbatch.connectors.runtime.change_checks import ChangeChecks
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.wemakeprice.mapping import (
    COURIER_CODES,
    bundle_lines,
    courier_from_mall,
    kc_block,
    listing_payload,
    order_status,
    ship_policy_payload,
)
from mallbatch.domain.clock import KST
from mallbatch.domain.records import (
    Invoice,
    ListingChange,
    OrderLine,
    OrderStatus,
    ProductListing,
    ProductRef,
    split_target,
)
from mallbatch.errors import OutcomeUnknown, RejectedError

CONFIRMED = frozenset({OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})
SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})


def tracking(invoice: Invoice) -> str:
    return re.sub(r"[\s-]", "", invoice.tracking_no)


# --- checks and bodies ---------------------------------------------------------------------
def bad_unit(unit: str) -> str | None:
    return None if unit.strip().isdigit() else f"위메프 묶음배송번호(bundleNo)는 숫자여야 합니다 ({unit.strip()})"


def invoice_problem(invoice: Invoice, *, update: bool) -> str | None:
    code = COURIER_CODES.get(invoice.courier)
    if bad_unit(invoice.ship_unit):
        return bad_unit(invoice.ship_unit)
    if code is None:
        return f"위메프에서 지원하지 않는 택배사입니다 ({invoice.courier})"
    if update and code == "DIRECT":
        return "직접배송 건은 위메프에서 송장을 수정할 수 없습니다"
    return None


def delivery_body(invoice: Invoice) -> dict[str, Any]:
    """setOrderDelivery body (reference §1.5): PARCEL with a D-code, or DIRECT with a date."""
    bundle_no, code, number = int(invoice.ship_unit.strip()), COURIER_CODES[invoice.courier], tracking(invoice)
    shipped_on = (invoice.shipped_on or datetime.now(KST).date()).isoformat()
    if code == "DIRECT":
        return {"bundleNo": bundle_no, "shipMethod": "DIRECT", "scheduleShipDate": shipped_on,
                "shipMethodMessage": number or "직접배송"}
    return {"bundleNo": bundle_no, "shipMethod": "PARCEL", "parcelCompanyCode": code, "invoiceNo": number,
            "scheduleShipDate": shipped_on, "shipMethodMessage": ""}


def shipped_as(bundle: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Read-back: the bundle is already shipped with this courier (and number, for parcels)."""
    if order_status(bundle)[0] not in SHIPPED:
        return False
    courier, number = str(wanted.get("courier", "")), re.sub(r"[\s-]", "", str(wanted.get("tracking_no", "")))
    delivery = bundle.get("delivery") or {}
    return courier_from_mall(delivery) == courier and (courier == "DIRECT" or str(delivery.get("invoiceNo") or "") == number)


def confirmed(bundle: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return order_status(bundle)[0] in CONFIRMED


def answered_with(item: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return str(item.get("answer") or "").strip() == str(wanted.get("text", "")).strip()


def listing_problems(connector: Connector, listing: ProductListing) -> list[str]:
    problems = [f"{connector.account.label}: 인증유형 '{cert.kind}' 은(는) 위메프 KC인증 항목과 연결할 수 없습니다"
                for cert in listing.certifications if kc_block(cert.kind) is None]
    if not listing.shipping.name.strip():
        problems.append(f"{connector.account.label}: 배송정보(배송정책) 이름이 필요합니다")
    return problems


# --- products ------------------------------------------------------------------------------
def ship_policy(connector: Connector, listing: ProductListing) -> int:
    """The seller's shipPolicyNo: a number as given, else found by name, else registered once."""
    name = listing.shipping.name.strip()
    if name.isdigit():
        return int(name)
    policies = connector.memo.setdefault("policies", {})
    if name not in policies:
        data = connector.call("GET", "/product/out/getSellerShipPolicy", send="params")
        rows = data if isinstance(data, list) else (data or {}).get("shipPolicy") or []
        found = next((p for p in rows if str(p.get("shipPolicyName", "")).strip() == name), None)
        if found is None:
            found = connector.call("POST", "/product/in/setSellerShipPolicy", write=True,
                                   payload=ship_policy_payload(listing.shipping))
        policies[name] = int(found["shipPolicyNo"])
    return int(policies[name])


def set_status(connector: Connector, product_no: str, *, on_sale: bool) -> None:
    """판매 (A) or 판매중지 (S): the sale status is its own call; displayYn only hides the product."""
    connector.call("POST", "/product/in/setProductStatus", write=True, payload=status_payload(product_no, on_sale))


def status_payload(product_no: str, on_sale: bool) -> dict[str, Any]:
    """setProductStatus (reference §1.8): A = 판매, S = 판매중지."""
    return {"productNo": int(product_no), "productStatus": "A" if on_sale else "S"}


def create_product(connector: Connector, listing: ProductListing) -> ProductRef:
    payload = listing_payload(listing, 0, ship_policy(connector, listing))
    data = connector.call("POST", "/product/in/setProduct", write=True, payload=payload) or {}
    if not data.get("productNo"):
        raise OutcomeUnknown("위메프가 상품번호 없이 응답했습니다. 자체상품코드로 등록 여부를 확인합니다")
    if not listing.on_sale:
        set_status(connector, str(data["productNo"]), on_sale=False)
    return ProductRef(str(data["productNo"]), {"on_sale": listing.on_sale})


def update_product(connector: Connector, ref: ProductRef, listing: ProductListing) -> ProductRef:
    if not ref.product_id.isdigit():
        raise RejectedError(f"위메프 상품번호는 숫자여야 합니다 ({ref.product_id})")
    payload = listing_payload(listing, int(ref.product_id), ship_policy(connector, listing))
    connector.call("POST", "/product/in/setProduct", write=True, payload=payload)
    if not listing.on_sale or ref.extra.get("on_sale") is False:
        set_status(connector, ref.product_id, on_sale=listing.on_sale)
    return ProductRef(ref.product_id, {**ref.extra, "on_sale": listing.on_sale})


def find_product(connector: Connector, seller_code: str) -> ProductRef | None:
    data = connector.lookup("products_by_code", seller_code) or {}
    rows = [p for p in data.get("product") or [] if str(p.get("sellerProdCode")) == seller_code]
    if not rows:
        return None
    latest = max(rows, key=lambda p: int(p["productNo"]))  # a duplicate create leaves the newest last
    return ProductRef(str(latest["productNo"]), {"productName": latest.get("productName", ""),
                                                 "displayYn": latest.get("displayYn", "")})


def product_matches(connector: Connector, product_id: str, name: str, sale_price: int) -> bool:
    data = connector.lookup("product", product_id) or {}
    basic, sale = data.get("basic") or {}, data.get("sale") or {}
    return basic.get("productName") == name and int(sale.get("salePrice") or 0) == sale_price


# --- catalogue -----------------------------------------------------------------------------
OPTION_STOCK_REFUSED = ("위메프는 옵션별 재고를 API 로 바꿀 수 없습니다. 상품 전체 재고(옵션 합계)로 보내거나 "
                        "위메프 파트너센터에서 옵션을 품절 처리하세요")
OPTION_SALE_REFUSED = ("위메프는 옵션별 판매중지를 API 로 할 수 없습니다. 상품 전체로 판매중지하거나 "
                       "위메프 파트너센터에서 옵션을 품절 처리하세요")


# only the product's stock (reference §1.8 sale.stockCount); 0 is 품절, not an error
CHECKS = ChangeChecks("위메프", option_stock=OPTION_STOCK_REFUSED, option_sale=OPTION_SALE_REFUSED)
stock_problem, price_problem, sale_problem = CHECKS.stock, CHECKS.price, CHECKS.sale


def with_sale_block(connector: Connector, change: ListingChange) -> ListingChange | str:
    """The change with the product's current sale block (in ``extra["sale"]``), read just before the
    call: setProductSale takes the block whole, so the fields not changed are sent back as they are."""
    product = connector.lookup("listing", change.target)
    sale = (product or {}).get("sale")
    if not isinstance(sale, dict):
        return (f"위메프에 상품번호 {change.product_id} 인 상품이 없습니다. "
                "위메프 파트너센터에서 상품번호를 확인하고 상품 연결을 고치세요")
    return replace(change, extra={**change.extra, "sale": sale})


def stock_body(changes: list[ListingChange]) -> dict[str, Any]:
    change = changes[0]
    return {"productNo": int(change.product_id), "sale": {**change.extra["sale"], "stockCount": change.stock}}


def price_body(changes: list[ListingChange]) -> dict[str, Any]:
    """The sale price; the 정상가 (originPrice) is raised to it when lower, since the mall refuses a
    sale price above the 정상가 (inferred from the registration rule; mallbatch's 정가 is unchanged)."""
    change, sale = changes[0], changes[0].extra["sale"]
    origin = max(int(sale.get("originPrice") or 0), int(change.sale_price or 0))
    return {"productNo": int(change.product_id),
            "sale": {**sale, "salePrice": change.sale_price, "originPrice": origin}}


def sale_status_body(changes: list[ListingChange]) -> dict[str, Any]:
    return status_payload(changes[0].product_id, bool(changes[0].on_sale))


def listing_query(target: str) -> dict[str, Any]:
    """getProduct of a change's target (the product; this mall has no per-option record)."""
    return {"productNo": int(split_target(target)[0])}  # ValueError (not a number): not found


def holds_stock(product: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return not wanted.get("option") and (product.get("sale") or {}).get("stockCount") == wanted.get("stock")


def holds_price(product: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return not wanted.get("option") and (product.get("sale") or {}).get("salePrice") == wanted.get("sale_price")


def holds_sale(product: dict[str, Any], wanted: dict[str, Any]) -> bool:
    # invented: getProduct shows productStatus (the reference shows it only on setProductStatus)
    return wanted.get("on_sale") is not None and product.get("productStatus", "A") == ("A" if wanted["on_sale"] else "S")


# --- orders --------------------------------------------------------------------------------
def lookup_orders(connector: Connector, ids: Sequence[str]) -> list[OrderLine]:
    """Each id is tried as bundleNo, then orderOptionNo, then orderNo; the first match wins."""
    found: dict[str, OrderLine] = {}
    for wanted in dict.fromkeys(str(i).strip() for i in ids):
        if not wanted.isdigit():
            continue
        for lookup, attr in (("bundle", "ship_unit"), ("bundle_of_line", "line_id"), ("bundle_of_order", "order_id")):
            bundle = connector.lookup(lookup, wanted)
            if bundle is None:
                continue
            for line in bundle_lines(bundle, connector.spec.mall, connector.account.name):
                if getattr(line, attr) == wanted:
                    found.setdefault(line.line_id, line)
            break
    return list(found.values())
