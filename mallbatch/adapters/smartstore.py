"""스마트스토어 adapter over 네이버 커머스API (reference §2).

Auth is an OAuth2 client-credentials token signed with bcrypt (:func:`client_secret_sign`),
held by :class:`NaverTokenAuth`, which re-issues it once when the gateway answers
401 ``GW.AUTHN``. Orders and claims are discovered by polling ``last-changed-statuses``
in 24 h windows and read with ``product-orders/query``; 상품 Q&A and 네이버페이 고객문의
are two separate inquiry systems, told apart by the ``QNA-``/``INQ-`` prefix of
``Inquiry.inquiry_id``.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import bcrypt
import httpx

from mallbatch.adapters.base import Adapter, MallSpec, windows
from mallbatch.connectors.runtime.spec import Credential
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import (
    Answer,
    Claim,
    Inquiry,
    Invoice,
    ItemResult,
    OrderLine,
    ProductListing,
    ProductRef,
)
from mallbatch.connectors.runtime.paging import follow_pages
from mallbatch.connectors.runtime.http import (
    Envelope,
    HttpClient,
    RateLimiter,
    RetryPolicy,
    default_classify,
    json_body,
    limiter_for,
)
from mallbatch.adapters.smartstore_mapping import (
    COURIER_CODES,
    claim,
    customer_inquiry,
    iso,
    order_line,
    product_body,
    qna_inquiry,
)
from mallbatch.domain.clock import KST, to_kst
from mallbatch.config import Account
from mallbatch.errors import (
    AuthError,
    RateLimited,
    RejectedError,
    RemoteError,
)
from mallbatch.redact import register

__all__ = ["COURIER_CODES", "NaverTokenAuth", "SmartstoreAdapter", "client_secret_sign", "error_text"]

TOKEN_PATH = "/external/v1/oauth2/token"
ORDERS = "/external/v1/pay-order/seller/product-orders"
LAST_CHANGED_LIMIT = 300
QUERY_BATCH = 300
QNA_PAGE_SIZE = 100
INQUIRY_PAGE_SIZE = 200
QNA_WINDOW = timedelta(days=7)  # inferred: contents/qnas documents no maximum; 7 days keeps pages small
INQUIRY_WINDOW = timedelta(days=365)  # pay-user/inquiries: at most 365 days (error 4003)
QNA_LOOKBACK = timedelta(days=30)  # inferred: how far lookup_inquiries searches for a Q&A id
TOKEN_MARGIN = 300.0  # seconds before expiry at which a cached token is renewed
SAME_STATUS = "105306"  # "same status as before": already confirmed / dispatched with the same data
ALREADY_ANSWERED = "ERR-NC-101010"
# Korean fallbacks when a per-item failure comes without a message (codes: reference §2.3).
ITEM_MESSAGES = {
    "100001": "상품주문이 존재하지 않습니다",
    "104118": "택배사를 입력하세요",
    "104119": "택배사 코드를 확인하세요",
    "104120": "송장번호를 입력하세요",
    "104121": "이미 사용된 송장번호입니다",
    "104122": "유효하지 않은 송장번호입니다",
    "104442": "상품주문 상태를 확인하세요",
    "104443": "발주확인 상태를 확인하세요",
}

T = TypeVar("T")


def client_secret_sign(client_id: str, client_secret: str, timestamp_ms: int) -> str:
    """Base64 of ``bcrypt(client_id + "_" + timestamp, salt=client_secret)`` (reference §2.1)."""
    hashed = bcrypt.hashpw(f"{client_id}_{timestamp_ms}".encode(), client_secret.encode())
    return base64.b64encode(hashed).decode("ascii")


def error_text(response: httpx.Response) -> tuple[str, str]:
    """(code, Korean message) from Naver's envelope ``{code, message, invalidInputs[], …}``."""
    body = json_body(response)
    code, message = str(body.get("code") or ""), str(body.get("message") or "")
    details = [f"{i.get('name', '')}: {i.get('message', '')}" for i in body.get("invalidInputs") or [] if isinstance(i, dict)]
    if details:
        message = f"{message} ({'; '.join(details)})"
    return code, message


def classify(response: httpx.Response) -> RemoteError | None:
    """Default mapping, plus a wait derived from the gateway's replenish rate on 429."""
    error = default_classify(response, error_text)
    if isinstance(error, RateLimited) and error.retry_after is None:
        # inferred: Naver sends no Retry-After; one token refills in 1/rate seconds
        try:
            rate = float(response.headers.get("GNCP-GW-RateLimit-Replenish-Rate", "0"))
        except ValueError:
            rate = 0.0
        if rate > 0:
            error.retry_after = 1 / rate
    return error


def classify_token(response: httpx.Response) -> RemoteError | None:
    """On the token call every refusal except 429/5xx means the credentials are wrong."""
    error = classify(response)
    if isinstance(error, RejectedError | AuthError):
        detail = f" ({error.message_ko})" if error.message_ko else ""
        return AuthError(
            f"스마트스토어 토큰 발급 실패{detail}. 애플리케이션 ID·시크릿과 API 호출 IP 등록을 확인하세요",
            code=error.code, status=error.status,
        )
    return error


class NaverTokenAuth(httpx.Auth):
    """Bearer token holder; re-issues once on 401 GW.AUTHN (the documented recovery).

    Only a small 401 body (declared length) is read here; every other body is left to the HTTP layer's
    streaming read, so the size cap holds.
    """

    UNAUTHORIZED_BODY_MAX = 2**16

    def __init__(self, fetch: Callable[[], tuple[str, float]], limiter: RateLimiter) -> None:
        self._fetch = fetch  # returns (token, monotonic expiry)
        self._limiter = limiter
        self._lock = threading.Lock()
        self._token = ""
        self._expires = 0.0

    def token(self, stale: str | None = None) -> str:
        """The cached token, or a new one when it is near expiry or equals ``stale``."""
        with self._lock:
            if not self._token or time.monotonic() >= self._expires - TOKEN_MARGIN or self._token == stale:
                self._token, self._expires = self._fetch()
            return self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        used = self.token()
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        declared = response.headers.get("Content-Length", "")
        if response.status_code != 401 or not declared.isdigit() or int(declared) > self.UNAUTHORIZED_BODY_MAX:
            return  # not the gateway's small JSON refusal: the HTTP layer reads (and caps) the body
        response.read()
        if json_body(response).get("code") == "GW.AUTHN":
            # The gateway refused before the API ran, so resending a write is safe.
            request.headers["Authorization"] = f"Bearer {self.token(stale=used)}"
            self._limiter.acquire()
            yield request


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield list(items[i:i + size])



class SmartstoreAdapter(Adapter):
    """네이버 커머스API for one seller application (type=SELF)."""

    spec = MallSpec(
        mall="smartstore",
        base_url="https://api.commerce.naver.com",
        capabilities=frozenset({
            Capability.PRODUCTS_CREATE, Capability.PRODUCTS_UPDATE, Capability.ORDERS_COLLECT,
            Capability.ORDERS_CONFIRM, Capability.INVOICES_SEND, Capability.CLAIMS_COLLECT,
            Capability.INQUIRIES_COLLECT, Capability.INQUIRIES_ANSWER,
        }),
        rate_per_second=5.0,  # inferred: Naver publishes no numbers; override with account option rate_limit
        # Naver answers in several shapes (reference §2); any JSON object, and the named keys where a
        # call's answer is documented. pay-order wraps everything in {timestamp, traceId, data}.
        envelope=Envelope("스마트스토어", shapes=(
            ("*", "/external/v1/pay-order/", ("data",)),
            ("POST", TOKEN_PATH, ("access_token",)),
            ("GET", "/external/v1/contents/qnas", ("contents",)),
            ("GET", "/external/v1/pay-user/inquiries", ("content",)),
            ("POST", "/external/v1/products/search", ("contents",)),
            ("GET", "/external/v2/products/origin-products/", ("originProduct",)),
            ("POST", "/external/v2/products", ("originProductNo",)),
        )),
        credentials=(
            Credential("client_id", "네이버 커머스API센터에 등록한 애플리케이션 ID", secret=False),
            Credential("client_secret", "그 애플리케이션의 시크릿"),  # does not expire
        ),
        burst=10,  # GNCP-GW-RateLimit-Burst-Capacity = 2 × rate
        batch_sizes={Capability.ORDERS_CONFIRM: 30, Capability.INVOICES_SEND: 30},
        windows={"orders": timedelta(hours=24), "claims": timedelta(hours=24), "inquiries": QNA_WINDOW},
        confirm_before_invoice=True,
        max_option_names=3,
        max_option_values=500,
        max_name_length=100,  # inferred
        key_lifetime_days=None,  # the application secret does not expire
    )

    def __init__(self, account: Account, *, retry: RetryPolicy | None = None) -> None:
        super().__init__(account, retry=retry)
        rate = float(account.option("rate_limit", self.spec.rate_per_second))
        limiter = limiter_for((self.spec.mall, account.name), rate, max(1, round(rate * 2)))
        self._client_id = account.secret("client_id")
        self._client_secret = account.secret("client_secret")
        common: dict[str, Any] = {"limiter": limiter, "error_text": error_text, **self.http_options()}
        self._token_http = HttpClient(self.base_url, classify=classify_token, **common)
        self.auth = NaverTokenAuth(self._fetch_token, limiter)
        self._http = HttpClient(self.base_url, auth=self.auth, classify=classify, **common)

    def close(self) -> None:
        self._http.close()
        self._token_http.close()

    # --- transport ----------------------------------------------------------------------
    def _fetch_token(self) -> tuple[str, float]:
        timestamp = int(time.time() * 1000)
        signed = client_secret_sign(self._client_id, self._client_secret, timestamp)
        register(signed)  # a credential too: masked wherever a refusal echoes the form
        form = {
            "client_id": self._client_id,
            "timestamp": str(timestamp),
            "client_secret_sign": signed,
            "grant_type": "client_credentials",
            "type": "SELF",
        }
        # Issuing a token is idempotent (same token while ≥30 min remain), so it retries as a read.
        body = json_body(self._token_http.request("POST", TOKEN_PATH, data=form))
        if not body.get("access_token"):
            raise AuthError("스마트스토어 토큰 응답에 access_token 이 없습니다")
        return str(body["access_token"]), time.monotonic() + float(body.get("expires_in", 10800))

    def _call(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> dict[str, Any]:
        return json_body(self._http.request(method, path, write=write, **kwargs))

    def _data(self, method: str, path: str, **kwargs: Any) -> Any:
        """pay-order APIs wrap their answer in ``{timestamp, traceId, data}``."""
        return self._call(method, path, **kwargs).get("data")

    # --- auth ---------------------------------------------------------------------------
    def check_auth(self) -> None:
        """Issue a token (proves the signature) and make one tiny read (proves the IP and API group)."""
        now = datetime.now(KST)
        self._data("GET", f"{ORDERS}/last-changed-statuses",
                   params={"lastChangedFrom": iso(now - timedelta(minutes=1)), "lastChangedTo": iso(now), "limitCount": 1})

    # --- products -----------------------------------------------------------------------
    def create_product(self, listing: ProductListing) -> ProductRef:
        problems = self.listing_problems(listing)
        if problems:
            raise RejectedError("; ".join(problems), code="LISTING")
        body = product_body(listing, str(self.account.option("as_phone", "")))
        answer = self._call("POST", "/external/v2/products", write=True, json=body)
        return self._ref(answer, listing)

    def update_product(self, ref: ProductRef, listing: ProductListing) -> ProductRef:
        problems = self.listing_problems(listing)
        if problems:
            raise RejectedError("; ".join(problems), code="LISTING")
        body = product_body(listing, str(self.account.option("as_phone", "")))
        # inferred path: PUT /v2/products/origin-products/{originProductNo}
        answer = self._call("PUT", f"/external/v2/products/origin-products/{ref.product_id}", write=True, json=body)
        if answer.get("originProductNo"):
            return self._ref(answer, listing)
        return ProductRef(ref.product_id, {**ref.extra, "on_sale": listing.on_sale})

    @staticmethod
    def _ref(answer: dict[str, Any], listing: ProductListing) -> ProductRef:
        """The sale state went with the body: statusType SALE / SUSPENSION (product_body)."""
        return ProductRef(str(answer["originProductNo"]),
                          {"channel_product_no": str(answer.get("smartstoreChannelProductNo") or ""), "on_sale": listing.on_sale})

    def find_product(self, seller_code: str) -> ProductRef | None:
        # inferred: POST /v1/products/search with searchKeywordType=SELLER_CODE
        search = {"searchKeywordType": "SELLER_CODE", "sellerManagementCode": seller_code, "page": 1, "size": 50}
        answer = self._call("POST", "/external/v1/products/search", json=search)
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

    def product_matches(self, product_id: str, name: str, sale_price: int) -> bool:
        origin = self._call("GET", f"/external/v2/products/origin-products/{product_id}").get("originProduct") or {}
        # salePrice is the list price; our sale price is what the immediate discount leaves (see product_body)
        discount = ((origin.get("customerBenefit") or {}).get("immediateDiscountPolicy") or {}).get("discountMethod") or {}
        cut = int(discount.get("value") or 0) if discount.get("unitType") == "WON" else 0
        return origin.get("name") == name and int(origin.get("salePrice") or 0) - cut == sale_price

    # --- orders and claims ----------------------------------------------------------------
    def _changes(self, since: datetime, until: datetime, span: timedelta) -> Iterator[list[dict[str, Any]]]:
        """Pages of ``lastChangeStatuses`` over [since, until), ``span`` per call, following ``more``."""
        for start, end in windows(to_kst(since), to_kst(until), span):
            params: dict[str, Any] = {
                "lastChangedFrom": iso(start), "lastChangedTo": iso(end), "limitCount": LAST_CHANGED_LIMIT}
            yield from follow_pages("스마트스토어", "변경 주문", lambda more, p=params: self._change_page(p, more))

    def _change_page(self, params: dict[str, Any], more: tuple[str, str] | None) -> tuple[list[list[dict[str, Any]]], tuple[str, str] | None]:
        """One page of ``lastChangeStatuses`` (as a single item) and the ``more`` cursor to the next."""
        if more is not None:
            params = {**params, "lastChangedFrom": more[0], "moreSequence": more[1]}
        data = self._data("GET", f"{ORDERS}/last-changed-statuses", params=params) or {}
        following = data.get("more")
        cursor = (str(following.get("moreFrom")), str(following.get("moreSequence"))) if following else None
        rows = list(data.get("lastChangeStatuses") or [])
        return ([rows] if rows else []), cursor

    def _details(self, product_order_ids: Sequence[str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for chunk in _chunks(product_order_ids, QUERY_BATCH):
            data = self._data("POST", f"{ORDERS}/query", json={"productOrderIds": chunk, "quantityClaimCompatibility": True})
            items.extend(data or [])
        return items

    def _changed_items(self, since: datetime, until: datetime, *, claims_only: bool) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        span = self.spec.windows["claims" if claims_only else "orders"]
        for rows in self._changes(since, until, span):
            ids = [
                str(r["productOrderId"]) for r in rows
                if str(r.get("productOrderId")) not in seen and (r.get("claimType") or not claims_only)
            ]
            seen.update(ids)
            yield from self._details(list(dict.fromkeys(ids)))

    def orders(self, since: datetime, until: datetime) -> Iterator[OrderLine]:
        for item in self._changed_items(since, until, claims_only=False):
            line = order_line(item, self.account.name)
            if line is not None:
                yield line

    def claims(self, since: datetime, until: datetime) -> Iterator[Claim]:
        for item in self._changed_items(since, until, claims_only=True):
            found = claim(item, self.account.name)
            if found is not None:
                yield found

    def lookup_orders(self, ids: Sequence[str]) -> list[OrderLine]:
        """Ids may be productOrderIds or orderIds; both are 16 digits, so unknown ones are tried as orders."""
        wanted = list(dict.fromkeys(str(i) for i in ids))
        items = self._details(wanted)
        found = {str((i.get("productOrder") or {}).get("productOrderId")) for i in items}
        extra: list[str] = []
        for order_id in (i for i in wanted if i not in found):
            try:
                ids_of_order = self._data("GET", f"/external/v1/pay-order/seller/orders/{order_id}/product-order-ids")
            except RejectedError:
                continue
            extra += [str(p) for p in ids_of_order or []]
        items += self._details([p for p in dict.fromkeys(extra) if p not in found])
        lines = (order_line(i, self.account.name) for i in items)
        return [line for line in lines if line is not None]

    # --- inquiries ----------------------------------------------------------------------
    def _qnas(self, since: datetime, until: datetime) -> Iterator[Inquiry]:
        seen: set[str] = set()
        for start, end in windows(to_kst(since), to_kst(until), QNA_WINDOW):
            for row in follow_pages("스마트스토어", "상품 Q&A", lambda page, s=start, e=end: self._qna_page(s, e, page or 1)):
                inquiry = qna_inquiry(row, self.account.name)
                # toDate is inclusive on the mall side; keep [start, end) so windows do not overlap
                if inquiry.inquiry_id not in seen and inquiry.asked_at and start <= inquiry.asked_at < end:
                    seen.add(inquiry.inquiry_id)
                    yield inquiry

    def _qna_page(self, start: datetime, end: datetime, page: int) -> tuple[list[dict[str, Any]], int | None]:
        answer = self._call("GET", "/external/v1/contents/qnas", params={
            "fromDate": iso(start), "toDate": iso(end), "page": page, "size": QNA_PAGE_SIZE})
        rows = list(answer.get("contents") or [])
        return rows, page + 1 if rows and page < int(answer.get("totalPages") or 0) else None

    def _customer_inquiries(self, since: datetime, until: datetime) -> Iterator[Inquiry]:
        seen: set[str] = set()
        for start, end in windows(to_kst(since), to_kst(until), INQUIRY_WINDOW):
            last_day = (end - timedelta(milliseconds=1)).date()
            pages = follow_pages("스마트스토어", "고객문의", lambda page, s=start, d=last_day: self._inquiry_page(s, d, page or 1))
            for row in pages:
                inquiry = customer_inquiry(row, self.account.name)
                # the mall filters by whole days; keep [start, end) exactly
                if inquiry.inquiry_id not in seen and inquiry.asked_at and start <= inquiry.asked_at < end:
                    seen.add(inquiry.inquiry_id)
                    yield inquiry

    def _inquiry_page(self, start: datetime, last_day: date, page: int) -> tuple[list[dict[str, Any]], int | None]:
        answer = self._call("GET", "/external/v1/pay-user/inquiries", params={
            "startSearchDate": start.date().isoformat(), "endSearchDate": last_day.isoformat(),
            "page": page, "size": INQUIRY_PAGE_SIZE})
        rows = list(answer.get("content") or [])
        more = rows and not answer.get("last", True) and page < int(answer.get("totalPages") or 0)
        return rows, page + 1 if more else None

    def inquiries(self, since: datetime, until: datetime) -> Iterator[Inquiry]:
        yield from self._qnas(since, until)
        yield from self._customer_inquiries(since, until)

    def lookup_inquiries(self, ids: Sequence[str]) -> list[Inquiry]:
        """Neither system has a read-by-id call, so recent windows are searched, newest first."""
        wanted = set(ids)
        found: dict[str, Inquiry] = {}
        now = datetime.now(KST) + timedelta(minutes=1)
        searches = (
            ("QNA-", self._qnas, QNA_LOOKBACK, QNA_WINDOW),
            ("INQ-", self._customer_inquiries, INQUIRY_WINDOW, INQUIRY_WINDOW),
        )
        for prefix, search, lookback, span in searches:
            targets = {i for i in wanted if i.startswith(prefix)}
            if not targets:
                continue
            for start, end in reversed(list(windows(now - lookback, now, span))):
                found.update((i.inquiry_id, i) for i in search(start, end) if i.inquiry_id in targets)
                if targets <= found.keys():
                    break
        return [found[i] for i in dict.fromkeys(ids) if i in found]

    # --- writes -------------------------------------------------------------------------
    @staticmethod
    def _failure(key: str, info: dict[str, Any]) -> ItemResult:
        code = str(info.get("code") or "")
        if code == SAME_STATUS:
            return ItemResult(key, ok=True, code=code, message_ko=str(info.get("message") or ""), already=True)
        message = str(info.get("message") or ITEM_MESSAGES.get(code, f"스마트스토어가 처리하지 않았습니다 ({code})"))
        return ItemResult(key, ok=False, code=code, message_ko=message)

    @staticmethod
    def _missing(key: str) -> ItemResult:
        return ItemResult(key, ok=False, message_ko="스마트스토어 응답에 이 상품주문의 결과가 없습니다")

    def confirm(self, ship_units: Sequence[str]) -> list[ItemResult]:
        results: dict[str, ItemResult] = {}
        for chunk in _chunks(list(dict.fromkeys(ship_units)), self.spec.batch(Capability.ORDERS_CONFIRM)):
            data = self._data("POST", f"{ORDERS}/confirm", write=True, json={"productOrderIds": chunk}) or {}
            for info in data.get("successProductOrderInfos") or []:
                key = str(info.get("productOrderId"))
                results[key] = ItemResult(key, ok=True, remote_id=key)
            for info in data.get("failProductOrderInfos") or []:
                key = str(info.get("productOrderId"))
                results[key] = self._failure(key, info)
        return [results.get(u) or self._missing(u) for u in ship_units]

    def send_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        results: dict[str, ItemResult] = {}
        entries: list[dict[str, Any]] = []
        now = datetime.now(KST)
        for invoice in invoices:
            entry = self._dispatch_entry(invoice, now)
            if isinstance(entry, ItemResult):
                results[invoice.ship_unit] = entry
            elif invoice.ship_unit not in {e["productOrderId"] for e in entries}:
                entries.append(entry)
        for chunk in _chunks(entries, self.spec.batch(Capability.INVOICES_SEND)):
            data = self._data("POST", f"{ORDERS}/dispatch", write=True, json={"dispatchProductOrders": chunk}) or {}
            for key in data.get("successProductOrderIds") or []:
                results[str(key)] = ItemResult(str(key), ok=True, remote_id=str(key))
            for info in data.get("failProductOrderInfos") or []:
                key = str(info.get("productOrderId"))
                results[key] = self._failure(key, info)
        return [results.get(i.ship_unit) or self._missing(i.ship_unit) for i in invoices]

    @staticmethod
    def _dispatch_entry(invoice: Invoice, now: datetime) -> dict[str, Any] | ItemResult:
        when = now
        if invoice.shipped_on and invoice.shipped_on != now.date():
            when = datetime(invoice.shipped_on.year, invoice.shipped_on.month, invoice.shipped_on.day, 12, tzinfo=KST)
        entry: dict[str, Any] = {"productOrderId": invoice.ship_unit, "dispatchDate": iso(when)}
        if invoice.courier == "DIRECT":
            return {**entry, "deliveryMethod": "DIRECT_DELIVERY"}
        code = COURIER_CODES.get(invoice.courier)
        if code is None:
            return ItemResult(invoice.ship_unit, ok=False, code="COURIER",
                              message_ko=f"스마트스토어에서 지원하지 않는 택배사입니다 ({invoice.courier})")
        return {**entry, "deliveryMethod": "DELIVERY", "deliveryCompanyCode": code, "trackingNumber": invoice.tracking_no}

    def answer(self, answers: Sequence[Answer]) -> list[ItemResult]:
        """One call per answer; Q&A answers overwrite (PUT), 고객문의 answers are once only."""
        results = []
        for item in answers:
            text = item.text.strip()
            if not text:
                results.append(ItemResult(item.inquiry_id, ok=False, message_ko="답변 내용이 비어 있습니다"))
                continue
            try:
                results.append(self._answer_one(item.inquiry_id, text))
            except RejectedError as exc:
                results.append(ItemResult(item.inquiry_id, ok=False, code=exc.code, message_ko=exc.message_ko))
        return results

    def _answer_one(self, inquiry_id: str, text: str) -> ItemResult:
        kind, _, number = inquiry_id.partition("-")
        if kind == "QNA" and number.isdigit():
            self._call("PUT", f"/external/v1/contents/qnas/{number}", write=True, json={"commentContent": text})
            return ItemResult(inquiry_id, ok=True, remote_id=number)
        if kind != "INQ" or not number.isdigit():
            return ItemResult(inquiry_id, ok=False, message_ko="문의번호 형식을 알 수 없습니다 (QNA-번호 또는 INQ-번호)")
        try:
            answer = self._call("POST", f"/external/v1/pay-merchant/inquiries/{number}/answer", write=True,
                                json={"answerComment": text})
        except RejectedError as exc:
            if exc.code != ALREADY_ANSWERED:
                raise
            current = self.lookup_inquiries([inquiry_id])
            if current and current[0].answer.strip() == text:
                return ItemResult(inquiry_id, ok=True, code=exc.code, message_ko="이미 같은 답변이 등록되어 있습니다", already=True)
            return ItemResult(inquiry_id, ok=False, code=exc.code, message_ko="이미 다른 답변이 등록된 문의입니다")
        comment = str((answer.get("data") or {}).get("inquiryCommentNo") or "")
        return ItemResult(inquiry_id, ok=True, remote_id=comment)
