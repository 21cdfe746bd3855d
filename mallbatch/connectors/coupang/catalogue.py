"""쿠팡's catalogue: stock, sale price and sale state live on each vendorItem (option), are set one
vendorItem per call, and exist only once 쿠팡 has approved the product (reference §1.10). So a change
is first resolved to the vendorItemIds of its product (one product read), refused in Korean before
any call when the product or the option is not there, and split into one part per vendorItem.

Second-hand (쿠팡 developer pages and public clients, not in the shared reference): the paths
``vendor-items/{vendorItemId}/quantities/{quantity}``, ``/prices/{price}``, ``/sales/stop|resume`` and
``/inventories`` (``amountInStock``, ``salePrice``, ``onSale``), and the statusName values.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from mallbatch.connectors.runtime.connector import Connector
from mallbatch.domain.records import ListingChange, MallProduct, OptionCombo, split_target
from mallbatch.errors import RejectedError

SELLER_API = "/v2/providers/seller_api/apis/api/v1/marketplace"
VENDOR_ITEM = f"{SELLER_API}/vendor-items/{{vendorItemId}}"
QUANTITY = f"{VENDOR_ITEM}/quantities/{{quantity}}"
PRICE = f"{VENDOR_ITEM}/prices/{{price}}"  # without forceSalePriceUpdate: 쿠팡 refuses −50 % / +100 % at once
SALE = f"{VENDOR_ITEM}/sales/{{action}}"
INVENTORY = f"{VENDOR_ITEM}/inventories"
APPROVED = ("승인완료", "부분승인완료")  # vendorItemIds exist from approval on
NOT_APPROVED, NO_OPTION, NO_PRODUCT = "NOT_APPROVED", "NO_OPTION", "NO_PRODUCT"


def option_values(item: dict[str, Any]) -> tuple[str, ...]:
    """An item's option values in option-name order (its attributes; () without options)."""
    return tuple(str(a.get("attributeValueName") or "") for a in item.get("attributes") or [])


def matching(items: list[dict[str, Any]], option: tuple[str, ...]) -> list[dict[str, Any]]:
    """The items a change of ``option`` touches: every item for the whole product."""
    if not option:
        return list(items)
    return [i for i in items if option_values(i) == option or i.get("itemName") == " ".join(option)]


def _product(connector: Connector, product_id: str) -> dict[str, Any] | None:
    if not product_id.isdigit():
        return None
    try:
        found = connector.lookup("product", product_id)
    except RejectedError:  # 쿠팡 answers 400 for a sellerProductId it does not have
        return None
    return (found or {}).get("data") or None


# --- before any call -------------------------------------------------------------------------
def stock_problem(change: ListingChange) -> tuple[str, str] | None:
    ok = isinstance(change.stock, int) and not isinstance(change.stock, bool) and change.stock >= 0
    return None if ok else ("STOCK", "재고는 0 이상의 정수로 입력하세요 (0은 품절)")


def price_problem(change: ListingChange) -> tuple[str, str] | None:
    ok = isinstance(change.sale_price, int) and not isinstance(change.sale_price, bool) and change.sale_price > 0
    return None if ok else ("PRICE", "판매가는 1원 이상의 정수로 입력하세요")


def sale_problem(change: ListingChange) -> tuple[str, str] | None:
    return None if change.on_sale is not None else ("SALE", "판매상태(판매 / 판매중지)를 입력하세요")


def vendor_items(connector: Connector, change: ListingChange) -> list[ListingChange] | tuple[str, str]:
    """The change split into one part per vendorItem it touches (``extra``: its vendorItemId and,
    for a price, that item's new price), or the Korean reason it cannot be sent.

    A whole-product price keeps each option's surcharge: the cheapest item (the option at +0원)
    gets the new price and the others keep their difference to it."""
    data = _product(connector, change.product_id)
    if data is None:
        return NO_PRODUCT, f"쿠팡에 상품번호 {change.product_id} 인 상품이 없습니다. 판매상품 목록에서 상품번호를 확인하세요"
    status = str(data.get("statusName") or "")
    if status not in APPROVED:
        return NOT_APPROVED, (f"쿠팡에서 아직 승인되지 않은 상품입니다 (상태: {status or '알 수 없음'}). "
                              "승인완료 뒤에 재고·판매가·판매상태를 바꿀 수 있습니다")
    items = data.get("items") or []
    touched = matching(items, change.option)
    if not touched:
        return NO_OPTION, (f"쿠팡 상품에 '{'/'.join(change.option)}' 옵션이 없습니다. "
                           "옵션 칸에 쿠팡 상품에 등록된 조합을 그대로 적으세요 (예: 골드/M)")
    if any(not i.get("vendorItemId") for i in touched):
        return NOT_APPROVED, "쿠팡에서 아직 승인되지 않은 옵션이 있습니다 (옵션ID 없음). 승인완료 뒤에 다시 보내세요"
    base = min(int(i.get("salePrice") or 0) for i in items)
    parts = []
    for item in touched:
        extra = {**change.extra, "vendorItemId": item["vendorItemId"]}
        if change.sale_price is not None:
            surcharge = int(item.get("salePrice") or 0) - base if not change.option else 0
            extra["price"] = change.sale_price + surcharge
        parts.append(dataclasses.replace(change, extra=extra))
    return parts


# --- read-back -------------------------------------------------------------------------------
def listing_state(connector: Connector, target: str) -> dict[str, Any] | None:
    """What 쿠팡 shows for a change's target: each touched vendorItem's stock, price and sale
    state (one product read and one inventories read per vendorItem; read-backs only)."""
    product_id, option = split_target(target)
    data = _product(connector, product_id)
    items = [i for i in matching((data or {}).get("items") or [], option) if i.get("vendorItemId")]
    if not items:
        return None
    states = []
    for item in items:
        found = connector.call("GET", INVENTORY, send="params", payload={"vendorItemId": item["vendorItemId"]})
        inventory = found.get("data") or {}
        states.append({"vendorItemId": item["vendorItemId"], "quantity": int(inventory.get("amountInStock") or 0),
                       "price": int(inventory.get("salePrice") or 0), "on_sale": bool(inventory.get("onSale"))})
    return {"option": option, "items": states}


def _states(found: dict[str, Any], wanted: dict[str, Any]) -> list[dict[str, Any]]:
    """The vendorItems a payload speaks of: one part's item, or every item of the change."""
    only = (wanted.get("extra") or {}).get("vendorItemId")
    return [s for s in found["items"] if only is None or s["vendorItemId"] == only]


def holds_stock(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    states = _states(found, wanted)
    return bool(states) and all(s["quantity"] == wanted.get("stock") for s in states)


def holds_sale(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    states = _states(found, wanted)
    return bool(states) and all(s["on_sale"] == wanted.get("on_sale") for s in states)


def holds_price(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    states, part = _states(found, wanted), (wanted.get("extra") or {}).get("price")
    if not states:
        return False
    if part is not None:
        return all(s["price"] == part for s in states)
    if found["option"]:
        return all(s["price"] == wanted.get("sale_price") for s in states)
    return min(s["price"] for s in states) == wanted.get("sale_price")  # the option at +0원


# --- the product list (mallbatch import) ----------------------------------------------------
def _day(value: Any) -> date | None:
    """The date of ``yyyy-MM-dd'T'HH:mm:ss`` (None when absent or unreadable)."""
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def mall_product(data: dict[str, Any], mall: str, account: str) -> MallProduct:
    """A seller-product as read by sellerProductId: one combination per item, the cheapest item's
    price as the 판매가 and the others' difference as their 옵션추가금액.

    inferred: an item's ``maximumBuyCount`` is its current stock (the quantities change is read back
    through ``inventories``; the product read is assumed to show the same count). The product read
    shows no per-item 판매중지, so ``on_sale`` is the approval (a product stopped in Wing reads as on sale)."""
    items = data.get("items") or []
    prices = [int(i.get("salePrice") or 0) for i in items]
    base = min(prices, default=0)
    first = items[prices.index(base)] if items else {}
    names = tuple(str(a.get("attributeTypeName") or "") for a in first.get("attributes") or [])
    stock = {id(i): int(i.get("maximumBuyCount") or 0) for i in items}
    combos = tuple(OptionCombo(option_values(i), int(i.get("salePrice") or 0) - base, stock[id(i)]) for i in items if option_values(i))
    return MallProduct(
        mall=mall, account=account, product_id=str(data.get("sellerProductId", "")),
        seller_code=next((str(i["externalVendorSku"]) for i in items if i.get("externalVendorSku")), ""),
        name=str(data.get("sellerProductName") or ""), sale_price=base, list_price=int(first.get("originalPrice") or 0),
        stock=sum(stock.values()), on_sale=data.get("statusName") in APPROVED,
        category=str(data.get("displayCategoryCode") or ""), option_names=names if combos else (), options=combos,
        sale_end=_day(data.get("saleEndedAt")),
        extra={"vendor_items": {"/".join(option_values(i)): i["vendorItemId"] for i in items if i.get("vendorItemId")}},
        raw=data)
