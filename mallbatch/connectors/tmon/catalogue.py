"""티몬 deals (reference §2.2 [C2]): ``POST /deals`` creates, ``PUT /deals/{vendorDealNo}`` updates,
``…/deals/{vendorDealNo}/options`` holds the options, ``GET /deals/{vendorDealNo}`` reads by the seller's code
and ``GET /deals/{tmonDealNo}?dealNoType=TMON_DEAL_NUMBER`` by 티몬's number. The bodies are invented (the
reference shows paths only), and so is the deal list (``GET /deals?page=``) behind ``mallbatch import``.

Stock goes per option through the options call; a product-level count sets every option (a deal always has
options, invented: one unnamed option when the seller has none). Price and 판매중지/재개 change the deal
read just before the call and sent back whole.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote

from mallbatch.connectors.runtime.change_checks import ChangeChecks
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.tmon.mapping import to_mall_product
from mallbatch.domain.records import ListingChange, ProductListing, ProductRef, split_target
from mallbatch.errors import OutcomeUnknown, RejectedError

Doc = dict[str, Any]
BY_TMON_NO = {"dealNoType": "TMON_DEAL_NUMBER"}  # reference §2.2 [C]
ON_SALE, STOPPED = "ON_SALE", "STOP"  # invented: saleStatus values


def vendor_path(vendor_deal_no: str, tail: str = "") -> str:
    return f"/deals/{quote(vendor_deal_no, safe='')}{tail}"


def deal_body(listing: ProductListing) -> Doc:
    """invented: the deal body's fields (names follow the order payload's dealTitle / salesPrice, §2.4)."""
    values = [c.values for c in listing.options] or [()]
    extras = [c.extra_price for c in listing.options] or [0]
    stocks = [c.stock for c in listing.options] or [listing.stock]
    return {
        "vendorDealNo": listing.seller_code, "dealTitle": listing.name, "categoryNo": listing.mall_category,
        "salesPrice": listing.sale_price, "originalPrice": listing.list_price or listing.sale_price,
        "saleStatus": ON_SALE if listing.on_sale else STOPPED, "taxType": listing.tax_type,
        "saleStartDate": f"{listing.sale_start}T00:00:00", "saleEndDate": f"{listing.sale_end}T23:59:59",
        "brand": listing.brand, "maker": listing.maker, "origin": listing.origin, "detail": listing.detail_html,
        "images": [listing.main_image, *listing.extra_images], "optionNames": list(listing.option_names),
        "options": [{"vendorDealOptionNo": f"{listing.seller_code}-{n + 1}", "dealOptionTitle": "/".join(v),
                     "optionValues": list(v), "salesPrice": listing.sale_price + extra, "stock": stock}
                    for n, (v, extra, stock) in enumerate(zip(values, extras, stocks, strict=True))],
    }


def by_code(connector: Connector, code: str) -> Doc | None:
    try:
        return connector.call("GET", vendor_path(code), send="params") or None
    except RejectedError:
        return None


def by_number(connector: Connector, number: str) -> Doc | None:
    if not number.isdigit():
        return None
    try:
        return connector.call("GET", f"/deals/{number}", send="params", payload=dict(BY_TMON_NO)) or None
    except RejectedError:
        return None


def create_product(connector: Connector, listing: ProductListing) -> ProductRef:
    data = connector.call("POST", "/deals", write=True, payload=deal_body(listing)) or {}
    number = str(data.get("tmonDealNo") or "")  # invented: the answer names the new deal
    if not number:
        raise OutcomeUnknown("티몬이 딜번호 없이 응답했습니다. 자체상품코드(vendorDealNo)로 등록 여부를 확인합니다")
    return ProductRef(number, {"vendorDealNo": listing.seller_code, "on_sale": listing.on_sale})


def update_product(connector: Connector, ref: ProductRef, listing: ProductListing) -> ProductRef:
    code = str(ref.extra.get("vendorDealNo") or listing.seller_code)
    connector.call("PUT", vendor_path(code), write=True, payload=deal_body(listing))
    return ProductRef(ref.product_id, {**ref.extra, "vendorDealNo": code, "on_sale": listing.on_sale})


def find_product(connector: Connector, seller_code: str) -> ProductRef | None:
    deal = by_code(connector, seller_code)
    if deal is None or str(deal.get("vendorDealNo")) != seller_code:
        return None
    return ProductRef(str(deal["tmonDealNo"]), {"vendorDealNo": seller_code, "on_sale": deal.get("saleStatus") != STOPPED})


def product_matches(connector: Connector, product_id: str, name: str, sale_price: int) -> bool:
    deal = by_number(connector, product_id) or {}
    return deal.get("dealTitle") == name and int(deal.get("salesPrice") or 0) == sale_price


def listing_problems(connector: Connector, listing: ProductListing) -> list[str]:
    if listing.option_type == "구매자입력형":
        return [f"{connector.account.label}: 구매자입력형 옵션은 티몬 API 로 등록하지 않습니다. 티몬 파트너센터에서 추가하세요"]
    return []


# --- stock, price, sale status -----------------------------------------------------------------
CHECKS = ChangeChecks("티몬", number_ko="딜번호", unit_ko="딜")
stock_problem, price_problem, sale_problem = CHECKS.stock, CHECKS.price, CHECKS.sale


def with_deal(connector: Connector, change: ListingChange) -> ListingChange | str:
    """The change with the deal as the mall holds it now (``extra["deal"]``), read by 티몬's number."""
    deal = by_number(connector, change.product_id.strip())
    if deal is None:
        return (f"티몬에 딜번호 {change.product_id} 인 딜이 없습니다. "
                "티몬 파트너센터에서 딜번호를 확인하고 상품 연결을 고치세요")
    if change.option and not any(tuple(o.get("optionValues") or ()) == change.option for o in deal.get("options") or []):
        return f"티몬 딜 {change.product_id} 에 옵션 '{'/'.join(change.option)}' 이(가) 없습니다"
    return replace(change, extra={**change.extra, "deal": deal})


def _deal(changes: list[ListingChange]) -> Doc:
    return changes[0].extra["deal"]


def options_route(changes: list[ListingChange]) -> tuple[str, str]:
    return "PUT", vendor_path(str(_deal(changes)["vendorDealNo"]), "/options")


def deal_route(changes: list[ListingChange]) -> tuple[str, str]:
    return "PUT", vendor_path(str(_deal(changes)["vendorDealNo"]))


def stock_body(changes: list[ListingChange]) -> Doc:
    """Every option as the deal holds it, with the changed stock: one option's, or every option's."""
    change = changes[0]
    options = [{**o, "stock": change.stock} if not change.option or tuple(o.get("optionValues") or ()) == change.option else o
               for o in _deal(changes).get("options") or []]
    return {"options": options}


def price_body(changes: list[ListingChange]) -> Doc:
    """The deal with the new price; each option keeps its extra over the deal price, and the 정가 is raised to
    the price when lower (inferred: like 위메프, a sale price above the 정가 is refused)."""
    change, deal = changes[0], _deal(changes)
    old, new = int(deal.get("salesPrice") or 0), int(change.sale_price or 0)
    options = [{**o, "salesPrice": int(o.get("salesPrice") or 0) - old + new} for o in deal.get("options") or []]
    return {**deal, "salesPrice": new, "originalPrice": max(int(deal.get("originalPrice") or 0), new), "options": options}


def sale_body(changes: list[ListingChange]) -> Doc:
    return {**_deal(changes), "saleStatus": ON_SALE if changes[0].on_sale else STOPPED}


def listing_lookup(connector: Connector, target: str) -> Doc | None:
    return by_number(connector, split_target(target)[0])


def holds_stock(deal: Doc, wanted: Doc) -> bool:
    option = tuple(wanted.get("option") or ())
    options = [o for o in deal.get("options") or [] if not option or tuple(o.get("optionValues") or ()) == option]
    return bool(options) and all(o.get("stock") == wanted.get("stock") for o in options)


def holds_price(deal: Doc, wanted: Doc) -> bool:
    return deal.get("salesPrice") == wanted.get("sale_price")


def holds_sale(deal: Doc, wanted: Doc) -> bool:
    return wanted.get("on_sale") is not None and (deal.get("saleStatus") != STOPPED) == wanted["on_sale"]


def product_record(deal: Any, _: Any, account: str) -> Any:
    return to_mall_product(deal, account)
