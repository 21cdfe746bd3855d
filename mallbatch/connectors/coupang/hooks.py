"""What is genuinely special to 쿠팡: products (create, update carrying option ids over and the sale
state set again through the SALE_STATUS write), the order lookup by any id, invoices completed with every vendorItem of
their box, the inquiry read-back by scanning the list, and the read-back predicates."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from mallbatch.connectors.coupang.catalogue import NOT_APPROVED
from mallbatch.connectors.coupang.mapping import (
    box_of,
    courier_from,
    line_id,
    merge_items,
    order_lines,
    product_body,
    product_id,
)
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.domain.clock import KST
from mallbatch.domain.records import Invoice, ListingChange, OrderLine, OrderStatus, ProductListing, ProductRef
from mallbatch.errors import RejectedError

CONFIRMED = ("INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING")


# --- read-back predicates ------------------------------------------------------------------
def confirmed(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """The box is past ACCEPT and not wholly cancelled."""
    box = box_of(found)
    return box.get("status") in CONFIRMED and not all(line.status is OrderStatus.CANCELED for line in order_lines(box, "", ""))


def shipped_as(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    box = box_of(found)
    return (str(box.get("invoiceNumber") or "") == str(wanted.get("tracking_no", ""))
            and courier_from(box.get("deliveryCompanyName")) == wanted.get("courier"))


def answered_with(row: dict[str, Any], wanted: dict[str, Any]) -> bool:
    comments = row.get("commentDtoList") or []
    return bool(comments) and str(comments[-1].get("content") or "").strip() == str(wanted.get("text", "")).strip()


# --- lookups ---------------------------------------------------------------------------------
def inquiry_row(connector: Connector, inquiry_id: str, *, lookback: timedelta) -> dict[str, Any] | None:
    """쿠팡 has no single-inquiry read: scan the list back ``lookback``."""
    now = datetime.now(KST)
    return next((q.raw for q in connector.inquiries(now - lookback, now + timedelta(minutes=1))
                 if q.inquiry_id == inquiry_id), None)


def lookup_orders(connector: Connector, ids: Sequence[str]) -> list[OrderLine]:
    """Ids may be shipmentBoxIds, line ids ``box-vendorItemId`` or orderIds."""
    boxes: dict[str, dict[str, Any]] = {}
    wanted: dict[str, set[str] | None] = {}  # box → the line ids asked for (None: every line)
    for raw in ids:
        text = str(raw).strip()
        unit, _, item = text.partition("-")
        if not unit.isdigit():
            continue
        if unit in boxes:
            found = [boxes[unit]]
        else:
            box = box_of(connector.lookup("box", unit) or {})
            found = [box] if box else list((connector.lookup("order", unit) or {}).get("data") or [])
        for box in found:
            key = str(box["shipmentBoxId"])
            boxes[key] = box
            if item and key == unit:
                lines = wanted.get(key, set())
                if lines is not None:
                    wanted[key] = lines | {text}
            else:
                wanted[key] = None
    result = []
    for key, box in boxes.items():
        only = wanted.get(key)
        result += [line for line in order_lines(box, connector.spec.mall, connector.account.name)
                   if only is None or line.line_id in only]
    return result


# --- writes ----------------------------------------------------------------------------------
def with_box_lines(connector: Connector, invoice: Invoice) -> Invoice | tuple[str, str]:
    """The invoice naming every vendorItem of its box and the box's orderId (쿠팡 wants one DTO per
    vendorItem); line ids and orderId the sheet does not give are read from the box."""
    unit = invoice.ship_unit.strip()
    lines = tuple(lid for lid in invoice.line_ids if lid.startswith(f"{unit}-"))
    order_id = invoice.order_id
    if not lines or not order_id:
        box = box_of(connector.lookup("box", unit) or {})
        if not box:
            return "NOT_FOUND_SHIPMENT_BOX", "쿠팡에서 이 묶음배송번호를 찾을 수 없습니다"
        lines = lines or tuple(line_id(unit, i["vendorItemId"]) for i in box.get("orderItems") or [])
        order_id = order_id or str(box.get("orderId"))
    return dataclasses.replace(invoice, ship_unit=unit, line_ids=lines, order_id=order_id)


# --- products --------------------------------------------------------------------------------
def listing_problems(connector: Connector, listing: ProductListing) -> list[str]:
    name, problems = connector.account.label, []
    if not listing.mall_category.strip().isdigit():
        problems.append(f"{name}: 쿠팡 카테고리 코드(숫자, displayCategoryCode)를 입력하세요")
    if listing.option_type == "단독형":
        problems.append(f"{name}: 쿠팡은 단독형 옵션을 지원하지 않습니다. 조합형으로 바꾸세요")
    return problems


def _settings(connector: Connector) -> dict[str, str]:
    """Wing registrations a product needs: optional account options (empty in the sandbox)."""
    option, vendor = connector.account.option, connector.account.secret("vendor_id")
    return {
        # replyBy / vendorUserId want the Wing login id; inferred fallback to the vendorId when unset
        "wing_user_id": str(option("wing_user_id", "") or vendor),
        "outbound_shipping_place_code": str(option("outbound_shipping_place_code", "")),
        "return_center_code": str(option("return_center_code", "")),
        "company_contact": str(option("company_contact", "")),
        "delivery_company": connector.spec.couriers.get(str(option("default_courier", "CJ")), "CJGLS"),
    }


def _body(connector: Connector, listing: ProductListing) -> dict[str, Any]:
    problems = connector.listing_problems(listing)
    if problems:
        raise RejectedError("; ".join(problems), code="LISTING")
    return product_body(listing, connector.account.secret("vendor_id"), _settings(connector))


def _saved(answer: dict[str, Any]) -> str:
    found = product_id(answer)
    if found is None:
        raise RejectedError(f"쿠팡이 상품 등록을 거절했습니다: {answer.get('message') or answer.get('code')}", code=str(answer.get("code")))
    return found


def _product(connector: Connector, product: str) -> dict[str, Any]:
    return (connector.lookup("product", product) or {}).get("data") or {}


def create_product(connector: Connector, listing: ProductListing, *, path: str) -> ProductRef:
    # 판매불가 is created with requested=false: kept 임시저장, never submitted, never on sale
    # (vendorItemIds, needed to stop a sale, exist only after approval)
    product = _saved(connector.call("POST", path, write=True, payload=_body(connector, listing)))
    return ProductRef(product, {"seller_code": listing.seller_code, "on_sale": listing.on_sale})


def update_product(connector: Connector, ref: ProductRef, listing: ProductListing, *, path: str) -> ProductRef:
    body = _body(connector, listing)
    body["sellerProductId"] = int(ref.product_id)
    body["items"] = merge_items(body["items"], _product(connector, ref.product_id).get("items") or [])
    product = _saved(connector.call("PUT", path, write=True, payload=body))
    if not listing.on_sale or ref.extra.get("on_sale") is False:
        set_sale(connector, product, listing.seller_code, listing.on_sale)
    return ProductRef(product, {"seller_code": listing.seller_code, "on_sale": listing.on_sale})


def set_sale(connector: Connector, product: str, seller_code: str, on_sale: bool) -> None:
    """판매중지 or 판매재개 of every option through the SALE_STATUS write: 쿠팡 keeps the sale state per
    vendor item, and a product update does not change it. A product not approved yet has no vendor
    items and is not on sale anyway (inferred), so there is nothing to stop."""
    result = connector.set_sale([ListingChange(seller_code, product, on_sale=on_sale)])[0]
    if not result.ok and result.code != NOT_APPROVED:
        raise RejectedError(result.message_ko, code=result.code)


def find_product(connector: Connector, seller_code: str) -> ProductRef | None:
    found = [row for row in (connector.lookup("products_by_sku", seller_code) or {}).get("data") or [] if row.get("sellerProductId")]
    if not found:
        return None
    latest = max(found, key=lambda row: int(row["sellerProductId"]))  # a duplicate create leaves the newest last
    return ProductRef(str(latest["sellerProductId"]), {"seller_code": seller_code, "status": latest.get("statusName", "")})


def product_matches(connector: Connector, product: str, name: str, sale_price: int) -> bool:
    data = _product(connector, product)
    prices = {int(item.get("salePrice") or 0) for item in data.get("items") or []}
    return data.get("sellerProductName") == name and sale_price in prices  # one option carries +0원
