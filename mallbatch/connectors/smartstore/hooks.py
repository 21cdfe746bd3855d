"""What is genuinely special to 스마트스토어: the bcrypt-signed token with its GW.AUTHN re-issue,
products (one body carries the sale state), the catalogue's prepare (option values → combination
id, from the origin product), the order lookup that also accepts an orderId, the inquiry lookup
(neither inquiry system reads by id), and the read-back predicates.

Paths, codes and lifetimes come from :mod:`.spec` as arguments or declared lookups.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import bcrypt
import httpx

from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.http import json_body
from mallbatch.connectors.runtime.paging import dig
from mallbatch.connectors.runtime.reads import run_read
from mallbatch.connectors.runtime.spec import Read
from mallbatch.connectors.runtime.writes import PREPARED
from mallbatch.connectors.smartstore import mapping
from mallbatch.connectors.smartstore.mapping import order_line, product_body
from mallbatch.domain.clock import KST
from mallbatch.domain.records import Inquiry, ListingChange, OrderLine, OrderStatus, ProductListing, ProductRef, split_target
from mallbatch.errors import AuthError, RejectedError
from mallbatch.redact import register

SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})


# --- the token -------------------------------------------------------------------------------
def client_secret_sign(client_id: str, client_secret: str, timestamp_ms: int) -> str:
    """Base64 of ``bcrypt(client_id + "_" + timestamp, salt=client_secret)`` (reference §2.1)."""
    hashed = bcrypt.hashpw(f"{client_id}_{timestamp_ms}".encode(), client_secret.encode())
    return base64.b64encode(hashed).decode("ascii")


class NaverTokenAuth(httpx.Auth):
    """Bearer token holder; re-issues once when the gateway answers 401 with ``reissue_code``.

    The token is issued through the connector's own client (limiter, deadline, body cap, masking,
    retries as a read: issuing is idempotent). Only a small 401 body (declared length) is read
    here; every other body is left to the HTTP layer's capped read.
    """

    UNAUTHORIZED_BODY_MAX = 2**16

    def __init__(self, client_id: str, client_secret: str, *, path: str, form: dict[str, str],
                 reissue_code: str, lifetime: timedelta, renew_before: timedelta) -> None:
        self._client_id, self._client_secret = client_id, client_secret
        self._path, self._form, self._reissue_code = path, form, reissue_code
        self._lifetime, self._renew_before = lifetime.total_seconds(), renew_before.total_seconds()
        self._connector: Connector | None = None
        self._lock = threading.Lock()
        self._token = ""
        self._expires = 0.0

    def attach(self, connector: Connector) -> None:
        self._connector = connector

    def token(self, stale: str | None = None) -> str:
        """The cached token, or a new one when it is near expiry or equals ``stale``."""
        with self._lock:
            if not self._token or time.monotonic() >= self._expires - self._renew_before or self._token == stale:
                self._token, self._expires = self._issue()
            return self._token

    def _issue(self) -> tuple[str, float]:
        assert self._connector is not None, "attached by Connector.__init__"
        timestamp = int(time.time() * 1000)
        signed = client_secret_sign(self._client_id, self._client_secret, timestamp)
        register(signed)  # a credential too: masked wherever a refusal echoes the form
        form = {"client_id": self._client_id, "timestamp": str(timestamp), "client_secret_sign": signed, **self._form}
        try:
            body = self._connector.call("POST", self._path, send="data", payload=form) or {}
        except (RejectedError, AuthError) as exc:  # every refusal but 429/5xx means the credentials are wrong
            detail = f" ({exc.message_ko})" if exc.message_ko else ""
            raise AuthError(f"스마트스토어 토큰 발급 실패{detail}. 애플리케이션 ID·시크릿과 API 호출 IP 등록을 확인하세요",
                            code=exc.code, status=exc.status) from None
        if not body.get("access_token"):
            raise AuthError("스마트스토어 토큰 응답에 access_token 이 없습니다")
        return str(body["access_token"]), time.monotonic() + float(body.get("expires_in", self._lifetime))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.path.endswith(self._path):  # the token call itself
            yield request
            return
        used = self.token()
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        declared = response.headers.get("Content-Length", "")
        if response.status_code != 401 or not declared.isdigit() or int(declared) > self.UNAUTHORIZED_BODY_MAX:
            return  # not the gateway's small JSON refusal: the HTTP layer reads (and caps) the body
        response.read()
        if json_body(response).get("code") == self._reissue_code:
            # The gateway refused before the API ran, so resending a write is safe.
            request.headers["Authorization"] = f"Bearer {self.token(stale=used)}"
            assert self._connector is not None
            self._connector.http.limiter.acquire()
            yield request


# --- products --------------------------------------------------------------------------------
def _product_body(connector: Connector, listing: ProductListing) -> dict[str, Any]:
    problems = connector.listing_problems(listing)
    if problems:
        raise RejectedError("; ".join(problems), code="LISTING")
    return product_body(listing, str(connector.account.option("as_phone", "")))


def _ref(answer: dict[str, Any], listing: ProductListing) -> ProductRef:
    """The sale state went with the body: statusType SALE / SUSPENSION (product_body)."""
    return ProductRef(str(answer["originProductNo"]),
                      {"channel_product_no": str(answer.get("smartstoreChannelProductNo") or ""), "on_sale": listing.on_sale})


def create_product(connector: Connector, listing: ProductListing, *, path: str) -> ProductRef:
    return _ref(connector.call("POST", path, write=True, payload=_product_body(connector, listing)), listing)


def update_product(connector: Connector, ref: ProductRef, listing: ProductListing, *, path: str) -> ProductRef:
    body = _product_body(connector, listing)
    answer = connector.call("PUT", path.format(key=ref.product_id), write=True, payload=body) or {}
    if answer.get("originProductNo"):
        return _ref(answer, listing)
    return ProductRef(ref.product_id, {**ref.extra, "on_sale": listing.on_sale})


def find_product(connector: Connector, seller_code: str) -> ProductRef | None:
    answer = connector.lookup("products_by_code", seller_code) or {}
    matches = [
        (int(content["originProductNo"]), channel)
        for content in answer.get("contents") or []
        for channel in content.get("channelProducts") or []
        if channel.get("sellerManagementCode") == seller_code
    ]
    if not matches:
        return None
    origin_no, channel = max(matches, key=lambda m: m[0])  # the latest registration
    extra: dict[str, Any] = {"channel_product_no": str(channel.get("channelProductNo") or "")}
    if channel.get("statusType"):  # inferred: the search row carries the channel product's statusType
        extra["on_sale"] = channel["statusType"] == "SALE"
    return ProductRef(str(origin_no), extra)


def product_matches(connector: Connector, product_id: str, name: str, sale_price: int) -> bool:
    origin = (connector.lookup("origin_product", product_id) or {}).get("originProduct") or {}
    # salePrice is the list price; our sale price is what the immediate discount leaves (see product_body)
    return origin.get("name") == name and mapping.sale_price(origin) == sale_price


# --- the catalogue ---------------------------------------------------------------------------
def find_listing(connector: Connector, target: str) -> dict[str, Any] | None:
    """The origin product a ListingChange target names (its option is judged by the ReadBack)."""
    product_id, _ = split_target(target)
    try:
        return connector.lookup("origin_product", product_id)
    except RejectedError:  # 404: the mall has no such product
        return None


def prepare_change(connector: Connector, change: ListingChange) -> ListingChange | str | tuple[str, str]:
    """The change with the origin product it edits and its option combination's id, read once per
    product and write (``memo[PREPARED]``); or a Korean refusal before any write call."""
    product_id, name = change.product_id.strip(), f"스마트스토어 상품 {change.product_id}"
    if not product_id.isdigit():
        return "PRODUCT", f"{name}: 원상품번호는 숫자여야 합니다. 연동된 상품번호를 확인하세요"
    read: dict[str, dict[str, Any] | None] = connector.memo[PREPARED]
    if product_id not in read:
        try:
            found = connector.lookup("origin_product", product_id) or {}
        except RejectedError as exc:
            return "NOT_FOUND", f"{name}을(를) 스마트스토어에서 찾지 못했습니다 ({exc.message_ko}). 연동된 상품번호를 확인하세요"
        read[product_id] = found.get("originProduct") or None
    origin = read[product_id]
    if origin is None:
        return "NOT_FOUND", f"{name}을(를) 스마트스토어에서 찾지 못했습니다. 연동된 상품번호를 확인하세요"
    combination = mapping.find_combination(origin, change.option) if change.option else None
    if change.option and combination is None:
        known = ", ".join("/".join(mapping.combination_values(c, len(mapping.option_names(origin))))
                          for c in mapping.combinations(origin)[:10]) or "옵션 없음"
        return "OPTION", (f"{name}에 옵션 '{'/'.join(change.option)}'이(가) 없습니다 (있는 옵션: {known}). "
                          "옵션 값을 스마트스토어 상품과 똑같이 적어 주세요")
    if change.sale_price is not None and change.option:
        return "OPTION", f"{name}: 판매가는 상품 전체에만 보낼 수 있습니다. 옵션 칸을 비워 주세요"
    if change.sale_price is not None and mapping.percent_discount(origin):
        return "DISCOUNT", f"{name}에 정률(%) 즉시할인이 걸려 있어 판매가를 정확히 맞출 수 없습니다. 스마트스토어에서 할인을 원(WON) 단위로 바꿔 주세요"
    return replace(change, extra={**change.extra, mapping.ORIGIN: origin,
                                  mapping.COMBINATION: combination.get("id") if combination else None})


# --- orders ----------------------------------------------------------------------------------
def _details(connector: Connector, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Product-order details through the orders read's declared Expand (its batch size and body)."""
    expand = connector.spec.reads["orders"].expand
    assert expand is not None
    items: list[dict[str, Any]] = []
    for start in range(0, len(ids), expand.batch):
        data = connector.call(expand.method, expand.path, send=expand.send, payload=expand.body(list(ids[start:start + expand.batch])))
        items.extend(dig(data, expand.records) or [])
    return items


def lookup_orders(connector: Connector, ids: Sequence[str]) -> list[OrderLine]:
    """Ids may be productOrderIds or orderIds; both are 16 digits, so unknown ones are tried as orders."""
    wanted = list(dict.fromkeys(str(i).strip() for i in ids))
    items = _details(connector, wanted)
    found = {str((i.get("productOrder") or {}).get("productOrderId")) for i in items}
    extra: list[str] = []
    for order_id in (i for i in wanted if i not in found):
        extra += [str(p) for p in (connector.lookup("order_product_ids", order_id) or {}).get("data") or []]
    items += _details(connector, [p for p in dict.fromkeys(extra) if p not in found])
    lines = (order_line(i, connector.account.name) for i in items)
    return [line for line in lines if line is not None]


def _lines(found: Any, account: str = "") -> list[OrderLine]:
    lines = (order_line(item, account) for item in (found or {}).get("data") or [])
    return [line for line in lines if line is not None]


def confirmed(found: Any, wanted: dict[str, Any]) -> bool:
    """Read-back of 발주확인: the product order is past PAYED/NOT_YET and not cancelled."""
    return any(line.status not in (OrderStatus.PAID, OrderStatus.CANCELED) for line in _lines(found))


def shipped_as(found: Any, wanted: dict[str, Any]) -> bool:
    """Read-back of 발송처리: shipped with this courier (and number, unless 직접배송)."""
    courier, number = str(wanted.get("courier", "")), str(wanted.get("tracking_no", "")).replace("-", "")
    return any(line.status in SHIPPED and line.courier == courier and (courier == "DIRECT" or line.tracking_no == number)
               for line in _lines(found))


# --- inquiries -------------------------------------------------------------------------------
def find_inquiry(connector: Connector, inquiry_id: str, *, searches: dict[str, tuple[Read, timedelta]]) -> Inquiry | None:
    """Neither inquiry system reads by id: the system the id's prefix names is searched over
    its look-back, newest window first."""
    prefix = inquiry_id.partition("-")[0] + "-"
    if prefix not in searches:
        return None
    read, lookback = searches[prefix]
    span = read.window.span if read.window else lookback
    now = datetime.now(KST) + timedelta(minutes=1)
    end = now
    while end > now - lookback:
        start = max(now - lookback, end - span)
        found = next((i for i in run_read(connector, read, start, end) if i.inquiry_id == inquiry_id), None)
        if found is not None:
            return found
        end = start
    return None


def answered_with(found: Inquiry, wanted: dict[str, Any]) -> bool:
    return found.answered and found.answer.strip() == str(wanted.get("text", "")).strip()
