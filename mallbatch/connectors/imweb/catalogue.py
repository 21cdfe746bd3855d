"""아임웹 catalogue (second-hand: IMWEBDOC Items/add.md, editOptionsDetail.md): a product's price, 판매 state
(``prod_status`` sale / nosale) and stock without options through ``PATCH /products/{no}``; one option
combination's stock through ``PATCH /products/{no}/options-details/{detail_no}``, the detail found from the
option values just before the call.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mallbatch.connectors.imweb.hooks import SHOP, detail_values, details
from mallbatch.connectors.imweb.mapping import to_mall_product
from mallbatch.connectors.runtime.change_checks import ChangeChecks
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.writes import PREPARED
from mallbatch.domain.records import ListingChange, split_target
from mallbatch.errors import RejectedError

Doc = dict[str, Any]


CHECKS = ChangeChecks("아임웹")
stock_problem, price_problem, sale_problem = CHECKS.stock, CHECKS.price, CHECKS.sale


def listing(connector: Connector, product_id: str) -> Doc | None:
    """The product and its option details."""
    if not product_id.isdigit():
        return None
    try:
        product = connector.call("GET", f"{SHOP}/products/{product_id}", send="params")
        return {"product": product, "details": details(connector, product_id)} if product else None
    except RejectedError:
        return None


def change_key(payload: Doc) -> str:
    """The read-back key of a change: its seller code and target (a product-level change is read from the list)."""
    option = "/".join(payload.get("option") or ())
    return f"{payload.get('seller_code', '')}|{payload.get('product_id', '')}" + (f"#{option}" if option else "")


def read_back(connector: Connector, key: str) -> Doc | None:
    """An option change: the product's details; a product's: its row of the list by 자체상품코드 (invented filter)."""
    code, _, target = key.partition("|")
    product_id, option = split_target(target)
    if option:
        return listing(connector, product_id)
    data = connector.call("GET", f"{SHOP}/products", send="params", payload={"custom_prod_code": code})
    product = next((p for p in (data or {}).get("list") or [] if str(p.get("no")) == product_id), None)
    return {"product": product, "details": []} if product else None


def with_detail(connector: Connector, change: ListingChange) -> ListingChange | str:
    """An option change with its detail number (``extra["detail"]``), the product's details read once per write."""
    if not change.option:
        return change
    cache = connector.memo.setdefault(PREPARED, {})
    found = cache.get(change.product_id)
    if found is None:
        found = cache[change.product_id] = listing(connector, change.product_id) or {}
    detail = next((d for d in found.get("details") or [] if detail_values(d) == change.option), None)
    if detail is None:
        return (f"아임웹 상품 {change.product_id} 에 옵션 {'/'.join(change.option)} 이(가) 없습니다. "
                "아임웹 관리자에서 옵션을 확인하고 상품을 다시 가져오세요")
    return replace(change, extra={**change.extra, "detail": detail["no"]})


def stock_route(changes: list[ListingChange]) -> tuple[str, str]:
    change = changes[0]
    if change.option:
        return "PATCH", f"{SHOP}/products/{change.product_id}/options-details/{change.extra['detail']}"
    return "PATCH", f"{SHOP}/products/{change.product_id}"


def stock_body(changes: list[ListingChange]) -> Doc:
    change = changes[0]
    return {"stock": change.stock} if change.option else {"stock_no_option": change.stock}


def product_route(changes: list[ListingChange]) -> tuple[str, str]:
    return "PATCH", f"{SHOP}/products/{changes[0].product_id}"


def price_body(changes: list[ListingChange]) -> Doc:
    return {"price": changes[0].sale_price}


def sale_body(changes: list[ListingChange]) -> Doc:
    """판매중지 as nosale (숨김): soldout would tell buyers 품절 (Items/add.md prod_status)."""
    return {"prod_status": "sale" if changes[0].on_sale else "nosale"}


def holds_stock(seen: Doc, wanted: Doc) -> bool:
    option = tuple(wanted.get("option") or ())
    if option:
        return any(detail_values(d) == option and d.get("stock") == wanted.get("stock") for d in seen["details"])
    return (seen["product"].get("stock") or {}).get("stock_no_option") == wanted.get("stock")


def holds_price(seen: Doc, wanted: Doc) -> bool:
    return seen["product"].get("price") == wanted.get("sale_price")


def holds_sale(seen: Doc, wanted: Doc) -> bool:
    return wanted.get("on_sale") is not None and (seen["product"].get("prod_status") == "sale") == wanted["on_sale"]


def product_records(data: Any, changes: dict[str, Doc]) -> list[Doc]:
    """invented pairing: each listed product with its option details (the detail read answers one product)."""
    shown = [d for d in (data or {}).get("list") or [] if d.get("status") != "HIDDEN"]  # not sold: left out
    return [{"product": product, "details": shown} for product in changes.values()]


def to_product(record: Doc, account: str) -> Any:
    details_ = record["details"]
    groups = [{"name": name, "values": []} for name in _names(record["product"], details_)]
    return to_mall_product(record["product"], [{**d, "value_code_list": detail_values(d)} for d in details_], groups, account)


def _names(product: Doc, details_: list[Doc]) -> list[str]:
    """Option names: invented, the details' ``option_name_list`` beside their codes."""
    return [str(n) for n in (details_[0].get("option_name_list") or [])] if details_ else []
