"""What is genuinely special to 아임웹: the ``/v2/auth`` token (kept per connector, issued again once when
the mall answers -2), the success/failed answer of every order write, the order lookup (an order and its
prod orders are two reads), and products (create, then each option combination's stock and price).
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Sequence
from typing import Any

import httpx

from mallbatch.connectors.imweb.mapping import COURIER_CODES, order_lines
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.http import json_body
from mallbatch.domain.records import ItemResult, OrderLine, ProductListing, ProductRef
from mallbatch.errors import AuthError, OutcomeUnknown, RejectedError
from mallbatch.redact import register

AUTH = "/v2/auth"
SHOP = "/v2/shop"
Doc = dict[str, Any]


# --- the token ---------------------------------------------------------------------------------
class ImwebTokenAuth(httpx.Auth):
    """``access-token`` (and ``version: latest``, reference §4.1) on every call; the token is issued through the
    connector's own client (limiter, deadline, masking) with key + secret in a JSON body (reference §4.1: POST
    works), never in a URL. A small 401 whose body says -2 (token no longer valid) issues a new one and resends
    once: the mall refused before anything ran."""

    UNAUTHORIZED_BODY_MAX = 2**16

    def __init__(self, key: str, secret: str) -> None:
        self._key, self._secret = key, secret
        self._connector: Connector | None = None
        self._lock = threading.Lock()
        self._token = ""

    def attach(self, connector: Connector) -> None:
        self._connector = connector

    def token(self, stale: str | None = None) -> str:
        with self._lock:
            if not self._token or self._token == stale:
                self._token = self._issue()
            return self._token

    def _issue(self) -> str:
        assert self._connector is not None, "attached by Connector.__init__"
        try:
            response = self._connector.http.request("POST", AUTH, json={"key": self._key, "secret": self._secret})
        except (RejectedError, AuthError) as exc:
            raise AuthError(f"아임웹 access token 발급 실패 ({exc.message_ko}). config.toml 의 key·secret 을 "
                            "아임웹 관리자 > 환경설정 > API 설정의 값과 맞추세요", code=exc.code, status=exc.status) from None
        body = json_body(response)
        token = body.get("access_token") or (body.get("data") or {}).get("access_token")  # one client handles both (§4.1)
        if not token:
            raise AuthError("아임웹 인증 응답에 access_token 이 없습니다")
        register(str(token))  # a credential too: masked wherever an answer echoes it
        return str(token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.path == AUTH:
            yield request
            return
        used = self.token()
        request.headers["access-token"] = used
        request.headers["version"] = "latest"
        response = yield request
        declared = response.headers.get("Content-Length", "")
        if response.status_code != 401 or not declared.isdigit() or int(declared) > self.UNAUTHORIZED_BODY_MAX:
            return
        response.read()
        if str(json_body(response).get("code")) == "-2":
            request.headers["access-token"] = self.token(stale=used)
            assert self._connector is not None
            self._connector.http.limiter.acquire()
            yield request


# --- order writes: PATCH /orders/{order_no}/{action} -----------------------------------------------
def order_path(action: str) -> Any:
    """The route of a batch: its orders' numbers joined by commas (invented: the reference's path names one order;
    its failed list names each order, so one call takes several — at most 50, seed 003)."""
    def route(items: list[Any]) -> tuple[str, str]:
        numbers = dict.fromkeys(unit_of(item) for item in items)
        return "PATCH", f"{SHOP}/orders/{','.join(numbers)}/{action}"
    return route


def unit_of(item: Any) -> str:
    """The order number an order write names (a ship unit, an Invoice, an OrderCancel)."""
    if isinstance(item, str):
        return item.strip()
    return str(getattr(item, "ship_unit", "") or getattr(item, "order_id", "")).strip()


def results_by_unit(data: Any, items: list[Any]) -> list[ItemResult]:
    """Per order: failed when the failed list names it (every prod order's message joined)."""
    failed = {str(f.get("order_no")): f for f in (data or {}).get("failed") or []}
    done = {str(s.get("order_no")): s for s in (data or {}).get("success") or []}
    answered = []
    for item in items:
        unit = unit_of(item)
        if unit in failed:
            answered.append(ItemResult(unit, False, code="failed", message_ko=failed_text(failed[unit])))
        else:
            made = done.get(unit, {}).get("prod_order_list") or []
            answered.append(ItemResult(unit, True, remote_id=",".join(str(n) for n in made)))
    return answered


def failed_text(entry: Doc) -> str:
    lines = entry.get("prod_order_list") or []
    texts = dict.fromkeys(f"아임웹: {line.get('msg')}" + (f" (품목주문 {line['prod_order_no']})" if line.get("prod_order_no") else "")
                          for line in lines if line.get("msg"))
    return "; ".join(texts) or "아임웹이 처리하지 못했습니다"


# --- lookups ---------------------------------------------------------------------------------
def order_with_lines(connector: Connector, key: str) -> Doc | None:
    """The order ``key`` (or "order/prod order") and its prod orders: ``GET /orders/{no}`` + ``GET /prod-orders``."""
    number = key.split("/")[0].strip()
    if not number.isdigit():
        return None
    try:
        order = connector.call("GET", f"{SHOP}/orders/{number}", send="params")
        lines = connector.call("GET", f"{SHOP}/prod-orders", send="params", payload={"order_no": number})
    except RejectedError:
        return None
    prod_orders = list(((lines or {}).get(number) or {}).values())
    return {"order": order, "prod_orders": prod_orders} if order else None


def lookup_orders(connector: Connector, ids: Sequence[str]) -> list[OrderLine]:
    """Lines of these orders (ship units); an id that is no order of this shop is skipped."""
    found: dict[str, OrderLine] = {}
    for wanted in dict.fromkeys(str(i).strip() for i in ids):
        seen = order_with_lines(connector, wanted)
        if seen is None:
            continue
        for line in order_lines(seen["order"], seen["prod_orders"], connector.account.name):
            found.setdefault(line.line_id, line)
    return list(found.values())


def active(seen: Doc) -> list[Doc]:
    return [p for p in seen["prod_orders"] if p.get("status") != "CANCEL"]


def confirmed(seen: Doc, wanted: Doc) -> bool:
    """발주확인 is done when no prod order of the order waits in 상품준비."""
    lines = active(seen)
    return bool(lines) and all(p.get("status") not in ("PAY_WAIT", "PAY_COMPLETE") for p in lines)


def tracking(number: str) -> str:
    return "".join(str(number).split()).replace("-", "")


def shipped_as(seen: Doc, wanted: Doc) -> bool:
    """A prod order of the order carries this invoice (a split part too)."""
    code = COURIER_CODES.get(str(wanted.get("courier") or ""))
    number = tracking(str(wanted.get("tracking_no") or ""))
    return any(p.get("parcel_code") == code and tracking(p.get("invoice_no") or "") == number for p in seen["prod_orders"])


def invoice_gone(seen: Doc, wanted: Doc) -> bool:
    number = tracking(str(wanted.get("tracking_no") or ""))
    lines = [p for p in seen["prod_orders"] if not wanted.get("line_ids") or p["order_no"] in wanted["line_ids"]]
    return not any(p.get("invoice_no") and (not number or tracking(p["invoice_no"]) == number) for p in lines)


def released(seen: Doc, wanted: Doc) -> bool:
    return not ((seen["order"].get("delivery") or {}).get("hold"))


# --- products ----------------------------------------------------------------------------------
def product_body(listing: ProductListing) -> Doc:
    """``POST /products`` (second-hand: IMWEBDOC Items/add.md fields)."""
    body: Doc = {
        "name": listing.name, "price": listing.sale_price, "price_org": listing.list_price or listing.sale_price,
        "price_tax": listing.tax_type == "과세", "prod_status": "sale" if listing.on_sale else "nosale",
        "custom_prod_code": listing.seller_code, "content": listing.detail_html, "images": [listing.main_image,
                                                                                            *listing.extra_images],
        "origin": listing.origin, "maker": listing.maker, "brand": listing.brand, "adult": listing.adult_only,
        "stock_use": True, "stock_unlimit": False, "stock_no_option": listing.stock,
    }
    if listing.options:
        body["options"] = {"is_mix": True, "list": [
            {"is_require": True, "type": "default", "name": name,
             "values": list(dict.fromkeys(c.values[n] for c in listing.options))}
            for n, name in enumerate(listing.option_names)]}
    return body


def details(connector: Connector, prod_no: str) -> list[Doc]:
    data = connector.call("GET", f"{SHOP}/products/{prod_no}/options-details", send="params")
    return list((data or {}).get("list") or [])


def detail_values(detail: Doc) -> tuple[str, ...]:
    """invented: the detail names its values (``value_name_list``) beside their codes (reference: codes only)."""
    return tuple(str(v) for v in detail.get("value_name_list") or [])


def _set_options(connector: Connector, prod_no: str, listing: ProductListing) -> None:
    """Each combination's stock and extra price (a new product's start empty, invented); 조합형 options make every
    combination of the values, so those the seller does not sell are hidden (status HIDDEN)."""
    wanted = {c.values: c for c in listing.options}
    for detail in details(connector, prod_no):
        combo = wanted.get(detail_values(detail))
        body = {"stock": combo.stock, "price": combo.extra_price, "status": "SALE"} if combo else {"stock": 0, "status": "HIDDEN"}
        connector.call("PATCH", f"{SHOP}/products/{prod_no}/options-details/{detail['no']}", write=True, payload=body)


def create_product(connector: Connector, listing: ProductListing) -> ProductRef:
    data = connector.call("POST", f"{SHOP}/products", write=True, payload=product_body(listing)) or {}
    prod_no = str(data.get("prod_no") or "")  # invented: the answer's field
    if not prod_no:
        raise OutcomeUnknown("아임웹이 상품번호 없이 응답했습니다. 자체상품코드로 등록 여부를 확인합니다")
    _set_options(connector, prod_no, listing)
    return ProductRef(prod_no, {"on_sale": listing.on_sale})


def update_product(connector: Connector, ref: ProductRef, listing: ProductListing) -> ProductRef:
    """``PATCH /products/{no}`` with only what may change (Items/add.md: 변경할 항목만); options are kept."""
    if not ref.product_id.isdigit():
        raise RejectedError(f"아임웹 상품번호는 숫자여야 합니다 ({ref.product_id})")
    body = {k: v for k, v in product_body(listing).items() if k != "options"}
    connector.call("PATCH", f"{SHOP}/products/{ref.product_id}", write=True, payload=body)
    _set_options(connector, ref.product_id, listing)
    return ProductRef(ref.product_id, {**ref.extra, "on_sale": listing.on_sale})


def find_product(connector: Connector, seller_code: str) -> ProductRef | None:
    """invented: the product list filtered by ``custom_prod_code`` (the reference shows prod_status and category)."""
    data = connector.call("GET", f"{SHOP}/products", send="params", payload={"custom_prod_code": seller_code})
    rows = [p for p in (data or {}).get("list") or [] if str(p.get("custom_prod_code")) == seller_code]
    if not rows:
        return None
    latest = max(rows, key=lambda p: int(p["no"]))
    return ProductRef(str(latest["no"]), {"on_sale": latest.get("prod_status") == "sale"})


def product_matches(connector: Connector, product_id: str, name: str, sale_price: int) -> bool:
    data = connector.lookup("product", product_id) or {}
    return data.get("name") == name and int(data.get("price") or 0) == sale_price


def listing_problems(connector: Connector, listing: ProductListing) -> list[str]:
    if listing.option_type == "구매자입력형":
        return [f"{connector.account.label}: 구매자입력형 옵션은 아임웹 API 로 등록하지 않습니다. 아임웹 관리자에서 입력형 옵션을 추가하세요"]
    return []
