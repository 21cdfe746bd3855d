"""스마트스토어 (네이버 커머스API) simulator.

Independent implementation of reference §2: bcrypt-signed token issue, Bearer calls with
``GW.AUTHN``/``GW.RATE_LIMIT`` gateway errors, ``last-changed-statuses`` polling (24 h windows,
300 rows, ``more`` cursor), product-order query, 발주확인/발송처리 with per-id results, the two
inquiry systems (상품 Q&A and 네이버페이 고객문의), v2 product registration and the catalogue.

The seller's claim actions (reference §2.7) run on the shared claim state machine
(smartstore_claims); each applied one is audited as ``claim.<kind>`` by productOrderId, a 판매취소 as
``order.cancel``. Sandbox controls open a buyer's claim, deliver an order and bring a return back
(:meth:`SmartstoreSimulator.control`).

Test hooks (not part of the mall's protocol): :meth:`SmartstoreSimulator.expire_tokens`,
``token_ttl_seconds`` and the ``calls`` log of (method, path, query string).

The catalogue: option-stock and change-status writes (second-hand paths), each applied change
audited (``listing.stock`` / ``listing.price`` / ``listing.sale`` by ``no`` or ``no#골드/M``); stock
never below 0, OUTOFSTOCK at 0 and SALE again with stock unless SUSPENSION (smartstore_data.settle);
generated orders take from registered products' stock and never come for sold-out or stopped ones.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import re
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import bcrypt

from mallbatch.sandbox import smartstore_claims as sc
from mallbatch.sandbox import smartstore_data as data
from mallbatch.sandbox.engine import catalogue, inquiries, invoices, orders
from mallbatch.sandbox.engine.orders import Claim, Invoice, Line, Policy, Stage, Unit
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.server import Request, Response, Simulator
from mallbatch.sandbox.smartstore_data import KST, iso

# Sandbox-only values; the secret was made once with bcrypt.gensalt(4, prefix=b"2a").
SANDBOX_CREDENTIALS: dict[str, str] = {
    "client_id": "mallbatchSandboxApp01",
    "client_secret": "$2a$04$haLg8rpF5Url.sQxy/xck.",
}

API = "/external/v1"
ORDERS = f"{API}/pay-order/seller/product-orders"
TOKEN_PATH = f"{API}/oauth2/token"
READ_POSTS = (TOKEN_PATH, f"{ORDERS}/query", f"{API}/products/search")

CHANGE_TYPES = {
    "PAY_WAITING", "PAYED", "EXCHANGE_OPTION", "DELIVERY_ADDRESS_CHANGED", "GIFT_RECEIVED", "CLAIM_REJECTED",
    "DISPATCHED", "CLAIM_REQUESTED", "COLLECT_DONE", "CLAIM_HOLDBACK_RELEASED", "CLAIM_COMPLETED",
    "PURCHASE_DECIDED", "HOPE_DELIVERY_INFO_CHANGED", "CLAIM_REDELIVERING",
}
DELIVERY_METHODS = {
    "DELIVERY", "GDFW_ISSUE_SVC", "VISIT_RECEIPT", "DIRECT_DELIVERY", "QUICK_SVC", "NOTHING",
    "RETURN_DESIGNATED", "RETURN_DELIVERY", "RETURN_INDIVIDUAL", "RETURN_MERCHANT", "UNKNOWN",
}
# A subset of the ~190 dispatch codes (reference §2.8).
COMPANY_CODES = {
    "CJGLS", "HYUNDAI", "HANJIN", "KGB", "EPOST", "KDEXP", "DAESIN", "ILYANG", "CHUNIL", "HDEXP", "CUPARCEL",
    "CVSNET", "KUNYOUNG", "HONAM", "REGISTPOST", "GENERALPOST", "DHL", "FEDEX", "UPS", "EMS", "CH1",
}
# invented: Naver does not publish its 104122 rule; digit counts per big courier, else 8..20 digits.
TRACKING_LENGTHS = {"CJGLS": (10, 12), "HANJIN": (10, 12), "HYUNDAI": (10, 12, 13), "KGB": (10, 11), "EPOST": (13,)}
OPEN_CANCEL = {"CANCEL_REQUEST", "CANCELING"}
CLAIM_ACTIONS = ("cancel/approve", "return/approve", "return/reject", "return/holdback", "return/holdback/release",
                 "exchange/collect/approve", "exchange/dispatch", "exchange/reject", "exchange/holdback",
                 "exchange/holdback/release")
MAX_WINDOW = timedelta(hours=24)
# productOrderStatus → engine stage; PAYED is split by placeOrderStatus (발주확인 keeps PAYED, reference §2.6).
STAGES = {"PAYED": Stage.PAID, "DELIVERING": Stage.SHIPPED, "DELIVERED": Stage.DELIVERED, "PURCHASE_DECIDED": Stage.DECIDED}
POLICY = Policy(same_invoice_is_done=True)

# Engine refusals as per-id (code, message). The codes are reference §2.3's; which rule answers
# which code is inferred, and these readings are invented: 105306 ("same status as before") for
# a repeated 발주확인 or a repeated 발송처리 with the same invoice, 104443 ("place-order status
# check") for 발송처리 before 발주확인, 104105 ("dispatch due-date range") for a future dispatchDate.
STATE = "상품주문 상태를 확인해 주세요. (현재 상태: {status})"
CONFIRM_REFUSED = {
    Code.CANCELLED: ("104442", STATE),
    Code.PAST_STAGE: ("104442", STATE),
    Code.CANCEL_REQUESTED: ("104442", "취소 요청된 상품주문은 발주확인할 수 없습니다."),
    Code.ALREADY_CONFIRMED: ("105306", "이미 발주확인된 상품주문입니다."),
}
DISPATCH_REFUSED = {
    Code.CANCELLED: ("104442", STATE),
    Code.SHIPPED_SAME: ("105306", "이미 같은 송장으로 발송처리된 상품주문입니다."),
    Code.ALREADY_SHIPPED: ("104442", "이미 발송처리된 상품주문입니다."),
    Code.CANCEL_REQUESTED: ("104442", "취소 요청된 상품주문은 발송처리할 수 없습니다. 취소 요청을 먼저 처리해 주세요."),
    Code.NOT_CONFIRMED: ("104443", "발주확인 후 발송처리할 수 있습니다."),
    Code.INVOICE_IN_USE: ("104121", "이미 사용된 송장번호입니다."),
}


def _now() -> datetime:
    return datetime.now(KST)


def _parse_dt(text: str | None) -> datetime | None:
    """ISO-8601 with an explicit offset, as Naver requires; anything else is None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _invoice(method: Any, company: Any, tracking: Any) -> Invoice:
    """Parcels by courier and number; other delivery methods by their name alone."""
    return Invoice(str(company or ""), str(tracking or "")) if method == "DELIVERY" else Invoice(str(method or ""), "")


def _unit(item: dict[str, Any]) -> Unit:
    """The engine's view of one product order (a line of its own)."""
    po, delivery = item["detail"]["productOrder"], item["detail"].get("delivery")
    status, quantity = po["productOrderStatus"], int(po["quantity"])
    stage = STAGES.get(status, Stage.PAID)
    if stage is Stage.PAID and po.get("placeOrderStatus") == "OK":
        stage = Stage.CONFIRMED
    line = Line(po["productOrderId"], quantity, cancelled=0 if status in STAGES else quantity,
                held=quantity if po.get("claimStatus") in OPEN_CANCEL else 0)
    invoice = _invoice(delivery["deliveryMethod"], delivery.get("deliveryCompany"), delivery.get("trackingNumber")) if delivery else None
    return Unit(po["productOrderId"], stage, [line], invoice)


def _refused(pid: str, refusal: Refusal, table: dict[Code, tuple[str, str]], status: str) -> dict[str, str]:
    code, message = table[refusal.code]
    return {"productOrderId": pid, "code": code, "message": message.format(status=status)}


def _tracking_ok(company: str, number: str) -> bool:
    if company in ("EMS", "DHL", "FEDEX", "UPS"):
        return re.fullmatch(r"[A-Z0-9]{8,20}", number) is not None
    if not number.isdigit():
        return False
    lengths = TRACKING_LENGTHS.get(company)
    return len(number) in lengths if lengths else 8 <= len(number) <= 20


class SmartstoreSimulator(Simulator):
    """네이버 커머스API as seen by one seller application."""

    mall = "smartstore"
    default_rate_limit = 10.0  # inferred: Naver publishes no per-API numbers (reference §2.2)
    ordered_kinds = {"product_order": "changed_ms"}  # last-changed-statuses reads a time range
    token_ttl_seconds = 10800

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.calls: list[tuple[str, str, str]] = []  # test hook: (method, path, query string)
        super().__init__(*args, **kwargs)

    def routes(self) -> None:
        self.route("POST", TOKEN_PATH, self._token)
        authed: list[tuple[str, str, Callable[[Request], Response]]] = [
            ("GET", f"{ORDERS}/last-changed-statuses", self._last_changed),
            ("POST", f"{ORDERS}/query", self._query),
            ("POST", f"{ORDERS}/confirm", self._confirm),
            ("POST", f"{ORDERS}/dispatch", self._dispatch),
            # reference §2.7 [C-code]: the seller's claim actions, one product order per call
            ("POST", f"{ORDERS}/{{productOrderId}}/claim/cancel/request", self._cancel_request),
            *(("POST", f"{ORDERS}/{{productOrderId}}/claim/{action}", partial(self._claim_action, action))
              for action in CLAIM_ACTIONS),
            # [2nd] order id -> product order ids (reference §2.4)
            ("GET", f"{API}/pay-order/seller/orders/{{orderId}}/product-order-ids", self._order_ids),
            ("GET", f"{API}/contents/qnas", self._qnas),
            ("PUT", f"{API}/contents/qnas/{{questionId}}", self._answer_qna),
            ("GET", f"{API}/pay-user/inquiries", self._inquiries),
            ("POST", f"{API}/pay-merchant/inquiries/{{inquiryNo}}/answer", self._answer_inquiry),
            ("POST", "/external/v2/products", self._create_product),
            # invented: origin-products/{originProductNo} for update (PUT) and 원상품 조회 (GET); the
            # reference shows only POST /external/v2/products
            ("PUT", "/external/v2/products/origin-products/{originProductNo}", self._update_product),
            ("GET", "/external/v2/products/origin-products/{originProductNo}", self._get_product),
            # second-hand: the seller's product list (page/size); search by 판매자 관리 코드 inferred
            ("POST", f"{API}/products/search", self._search_products),
            # second-hand (public clients): stock and price of option combinations, and the sale state
            ("PUT", f"{API}/products/origin-products/{{originProductNo}}/option-stock", self._option_stock),
            ("PUT", f"{API}/products/origin-products/{{originProductNo}}/change-status", self._change_status),
        ]
        for method, path, handler in authed:
            self.route(method, path, self._authed(handler))

    # --- framework hooks ---------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        self.calls.append((request.method, request.path, request.query_string))
        return super().dispatch(request)

    def client_id(self, request: Request) -> str:
        """Token bucket per API × application (reference §2.2)."""
        if request.path == TOKEN_PATH:
            app = request.form().get("client_id", "anonymous")
        else:
            app = self._app_for(request) or "anonymous"
        api = re.sub(r"/\d+", "/#", request.path)
        return f"{app}|{request.method} {api}"

    def is_write(self, request: Request) -> bool:
        return super().is_write(request) and request.path not in READ_POSTS

    def burst(self, rate: float) -> float:
        """Reference §2.2: the advertised burst capacity is 2 × rate, and it is what is enforced."""
        return rate * 2

    def rate_limited(self, request: Request) -> Response:
        rate = self.faults.rate_limit or self.default_rate_limit
        headers = {
            "GNCP-GW-RateLimit-Replenish-Rate": f"{rate:g}",
            "GNCP-GW-RateLimit-Burst-Capacity": f"{self.burst(rate):g}",
            "GNCP-GW-RateLimit-Remaining": "0",
        }
        # invented: message text; the code and headers are documented.
        return self._error(429, "GW.RATE_LIMIT", "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.", headers=headers)

    def server_error(self, request: Request) -> Response:
        return self._error(500, "INTERNAL_SERVER_ERROR", "일시적인 오류가 발생했습니다.")

    def not_found(self, request: Request) -> Response:
        return self._error(404, "NOT_FOUND", "요청한 API를 찾을 수 없습니다.")  # invented body

    # --- test hooks ---------------------------------------------------------------------
    def expire_tokens(self) -> None:
        """Make every issued token expired, as three hours passing would."""
        with self.store.transaction():
            for token in self.store.all("token"):
                token["expires_at"] = time.time() - 1
                self.store.put("token", token["access_token"], token)

    # --- envelopes ----------------------------------------------------------------------
    def _error(
        self, status: int, code: str, message: str, invalid: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        body: dict[str, Any] = {"code": code, "message": message, "timestamp": iso(_now()), "traceId": secrets.token_hex(8)}
        if invalid is not None:
            body["invalidInputs"] = invalid
        return Response.json(body, status, {"gncp-gw-trace-id": body["traceId"], **(headers or {})})

    def _bad(self, name: str, message: str, type_: str = "Invalid") -> Response:
        return self._error(400, "BAD_REQUEST", "요청 값이 올바르지 않습니다.", [{"name": name, "type": type_, "message": message}])

    def _ok(self, payload: Any) -> Response:
        return Response.json({"timestamp": iso(_now()), "traceId": secrets.token_hex(8), "data": payload})

    def _body(self, request: Request) -> dict[str, Any] | None:
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    # --- auth ---------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        form = request.form()
        for name in ("client_id", "timestamp", "client_secret_sign", "grant_type", "type"):
            if not form.get(name):
                return self._bad(name, f"{name} 값이 필요합니다.", "NotNull")
        if form["grant_type"] != "client_credentials":
            return self._bad("grant_type", "grant_type 은 client_credentials 이어야 합니다.")
        if form["type"] != "SELF":
            # invented: the sandbox has no other sellers to act for
            return self._bad("type", "샌드박스는 type=SELF 만 지원합니다.")
        if not form["timestamp"].isdigit():
            return self._bad("timestamp", "timestamp 는 밀리초 단위 숫자여야 합니다.")
        # invented bodies: the reference documents 403 for these cases but not its text
        if form["client_id"] != self.credentials.get("client_id"):
            return self._error(403, "FORBIDDEN", "등록되지 않은 애플리케이션입니다.")
        if abs(time.time() * 1000 - int(form["timestamp"])) > 5 * 60 * 1000:
            return self._error(403, "FORBIDDEN", "timestamp 가 유효 범위(5분)를 벗어났습니다.")
        if not self._sign_ok(form["client_id"], form["timestamp"], form["client_secret_sign"]):
            return self._error(403, "FORBIDDEN", "전자서명(client_secret_sign)이 올바르지 않습니다.")
        token, expires_in = self._issue(form["client_id"])
        return Response.json({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"})

    def _sign_ok(self, client_id: str, timestamp: str, sign: str) -> bool:
        expected = bcrypt.hashpw(f"{client_id}_{timestamp}".encode(), self.credentials["client_secret"].encode())
        # Standard and URL-safe Base64 both appear in official samples (reference §2.1).
        for decode in (lambda s: base64.b64decode(s, validate=True), base64.urlsafe_b64decode):
            try:
                if hmac.compare_digest(decode(sign), expected):
                    return True
            except (binascii.Error, ValueError):
                continue
        return False

    def _issue(self, client_id: str) -> tuple[str, int]:
        """Same token while ≥30 min remain, else a new one (the old stays valid until expiry)."""
        now = time.time()
        with self.store.transaction():
            current = self.store.get("app_token", client_id)
            token = self.store.get("token", current["access_token"]) if current else None
            if token and token["expires_at"] - now >= 1800:
                return token["access_token"], int(token["expires_at"] - now)
            token = {"access_token": secrets.token_urlsafe(24), "client_id": client_id,
                     "expires_at": now + self.token_ttl_seconds}
            self.store.put("token", token["access_token"], token)
            self.store.put("app_token", client_id, {"access_token": token["access_token"]})
            self.store.next_id("tokens_issued", 1)
        return token["access_token"], self.token_ttl_seconds

    def _app_for(self, request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        token = self.store.get("token", header[7:].strip())
        if token is None or token["expires_at"] <= time.time():
            return None
        return str(token["client_id"])

    def _authed(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            if self._app_for(request) is None:
                return self._error(401, "GW.AUTHN", "요청을 보낼 권한이 없습니다.")
            return handler(request)
        return run

    # --- orders -------------------------------------------------------------------------
    def _last_changed(self, request: Request) -> Response:
        start = _parse_dt(request.arg("lastChangedFrom"))
        if start is None:
            return self._bad("lastChangedFrom", "lastChangedFrom 은 yyyy-MM-ddTHH:mm:ss.SSS+09:00 형식이어야 합니다.")
        raw_end = request.arg("lastChangedTo")
        end = _parse_dt(raw_end) if raw_end else start + MAX_WINDOW
        if end is None or end < start:
            return self._bad("lastChangedTo", "lastChangedTo 형식 또는 범위가 올바르지 않습니다.")
        if end - start > MAX_WINDOW:
            return self._bad("lastChangedTo", "조회 기간은 최대 24시간입니다.", "Range")
        limit_raw = request.arg("limitCount", "300") or "300"
        if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= 300:
            return self._bad("limitCount", "limitCount 는 1~300 이어야 합니다.", "Range")
        change_type = request.arg("lastChangedType")
        if change_type and change_type not in CHANGE_TYPES:
            return self._bad("lastChangedType", "lastChangedType 값이 올바르지 않습니다.")
        sequence = request.arg("moreSequence") or ""
        start_ms, end_ms, limit = data.ms(start), data.ms(end), int(limit_raw)
        # invented: moreSequence is the productOrderId the next page starts at, within moreFrom's millisecond
        rows = self.store.between("product_order", start_ms, end_ms, from_key=sequence,
                                  limit=-1 if change_type else limit + 1)
        if change_type:
            rows = [r for r in rows if r["lastChangedType"] == change_type]
        page = [self._change_row(r) for r in rows[:limit]]
        payload: dict[str, Any] = {"lastChangeStatuses": page, "count": len(page)}
        if len(rows) > limit:
            nxt = rows[limit]
            payload["more"] = {"moreFrom": nxt["lastChangedDate"], "moreSequence": nxt["productOrderId"]}
        return self._ok(payload)

    @staticmethod
    def _change_row(item: dict[str, Any]) -> dict[str, Any]:
        po, order = item["detail"]["productOrder"], item["detail"]["order"]
        row = {
            "orderId": order["orderId"], "productOrderId": po["productOrderId"],
            "lastChangedType": item["lastChangedType"], "paymentDate": order.get("paymentDate"),
            "lastChangedDate": item["lastChangedDate"], "productOrderStatus": po["productOrderStatus"],
            "claimType": po.get("claimType"), "claimStatus": po.get("claimStatus"), "receiverAddressChanged": False,
        }
        return {k: v for k, v in row.items() if v is not None}

    def _query(self, request: Request) -> Response:
        body = self._body(request) or {}
        ids = body.get("productOrderIds")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            return self._bad("productOrderIds", "productOrderIds 는 문자열 배열이어야 합니다.", "NotEmpty")
        if len(ids) > 300:
            return self._bad("productOrderIds", "한 번에 최대 300개까지 조회할 수 있습니다.", "Size")
        found = [self.store.get("product_order", pid) for pid in dict.fromkeys(ids)]
        return self._ok([item["detail"] for item in found if item])

    def _order_ids(self, request: Request) -> Response:
        order_id = request.params["orderId"]
        ids = [i["productOrderId"] for i in self.store.all("product_order") if i["detail"]["order"]["orderId"] == order_id]
        return self._ok(ids)  # invented: an unknown orderId answers an empty list

    def _confirm(self, request: Request) -> Response:
        body = self._body(request) or {}
        ids = body.get("productOrderIds")
        if not isinstance(ids, list) or not ids:
            return self._bad("productOrderIds", "productOrderIds 가 필요합니다.", "NotEmpty")
        if len(ids) > 30:
            return self._bad("productOrderIds", "한 번에 최대 30개까지 처리할 수 있습니다.", "Size")
        success, fail, seen, now = [], [], set(), _now()
        with self.store.transaction():
            for pid in map(str, ids):
                item = self.store.get("product_order", pid)
                if pid in seen or item is None:
                    fail.append(self._missing(pid, seen))
                    continue
                seen.add(pid)
                try:
                    orders.confirm(_unit(item), POLICY)
                except Refusal as refusal:
                    fail.append(_refused(pid, refusal, CONFIRM_REFUSED, item["detail"]["productOrder"]["productOrderStatus"]))
                    continue
                item["detail"]["productOrder"].update(placeOrderStatus="OK", placeOrderDate=iso(now))
                self.store.put("product_order", pid, item)
                self.store.audit("order.confirm", pid)
                success.append({"productOrderId": pid, "isReceiverAddressChanged": False})
        return self._ok({"successProductOrderInfos": success, "failProductOrderInfos": fail})

    @staticmethod
    def _missing(pid: str, seen: set[str]) -> dict[str, str]:
        if pid in seen:
            return {"productOrderId": pid, "code": "104131", "message": "중복된 상품주문번호입니다."}
        seen.add(pid)
        return {"productOrderId": pid, "code": "100001", "message": "상품주문이 존재하지 않습니다."}

    def _dispatch(self, request: Request) -> Response:
        body = self._body(request) or {}
        items = body.get("dispatchProductOrders")
        if not isinstance(items, list) or not items:
            return self._bad("dispatchProductOrders", "dispatchProductOrders 가 필요합니다.", "NotEmpty")
        if len(items) > 30:
            return self._bad("dispatchProductOrders", "한 번에 최대 30개까지 처리할 수 있습니다.", "Size")
        success: list[str] = []
        fail: list[dict[str, str]] = []
        seen: set[str] = set()
        now = _now()
        with self.store.transaction():
            for entry in items:
                entry = entry if isinstance(entry, dict) else {}
                pid = str(entry.get("productOrderId", ""))
                item = self.store.get("product_order", pid)
                if pid in seen or item is None:
                    fail.append(self._missing(pid, seen))
                    continue
                seen.add(pid)
                problem = self._dispatch_problem(item, entry, now)
                if problem:
                    fail.append({"productOrderId": pid, "code": problem[0], "message": problem[1]})
                    continue
                method = entry["deliveryMethod"]
                company = (entry.get("deliveryCompanyCode") or "") if method == "DELIVERY" else ""
                tracking = str(entry.get("trackingNumber") or "") if method == "DELIVERY" else ""
                item["detail"]["productOrder"]["productOrderStatus"] = "DELIVERING"
                item["detail"]["productOrder"]["shippingStartDate"] = iso(now)
                item["detail"]["delivery"] = {
                    "deliveryMethod": method, "deliveryCompany": company or None, "trackingNumber": tracking or None,
                    "deliveryStatus": "DELIVERING", "sendDate": entry["dispatchDate"], "pickupDate": iso(now),
                    "isWrongTrackingNumber": False,
                }
                data.touch(item, "DISPATCHED", now)
                self.store.put("product_order", pid, item)
                if tracking:
                    invoices.record(self.store, Invoice(company, tracking), pid, group=item["detail"]["order"]["orderId"])
                self.store.audit("invoice.send", pid, {"company": company, "tracking": tracking})
                success.append(pid)
        return self._ok({"successProductOrderIds": success, "failProductOrderInfos": fail})

    def _dispatch_problem(self, item: dict[str, Any], entry: dict[str, Any], now: datetime) -> tuple[str, str] | None:
        method = entry.get("deliveryMethod")
        if method not in DELIVERY_METHODS:
            return "104133", "배송 방법(deliveryMethod)을 확인해 주세요."
        company = str(entry.get("deliveryCompanyCode") or "")
        tracking = str(entry.get("trackingNumber") or "")
        state, invoice = _unit(item), _invoice(method, company, tracking)
        try:
            orders.ship(state, invoice, POLICY)
        except Refusal as refusal:
            found = _refused(state.id, refusal, DISPATCH_REFUSED, item["detail"]["productOrder"]["productOrderStatus"])
            return found["code"], found["message"]
        sent_at = _parse_dt(entry.get("dispatchDate"))
        if sent_at is None:
            return "4000", "발송일(dispatchDate)을 확인해 주세요."
        if sent_at > now + timedelta(minutes=5):
            return "104105", "발송일은 미래일 수 없습니다."  # invented reading of "dispatch due-date range"
        if method != "DELIVERY":
            return None
        if not company:
            return "104118", "택배사를 입력해 주세요."
        if company not in COMPANY_CODES:
            return "104119", "택배사 코드를 확인해 주세요."
        if not tracking:
            return "104120", "송장번호를 입력해 주세요."
        if not _tracking_ok(company, tracking):
            return "104122", "유효하지 않은 송장번호입니다."
        try:
            invoices.check(self.store, invoice, state.id, group=item["detail"]["order"]["orderId"])
        except Refusal as refusal:
            return DISPATCH_REFUSED[refusal.code]
        return None

    # --- claims (smartstore_claims) -----------------------------------------------------------
    def _claim_answer(self, pid: str, apply: Callable[[dict[str, Any]], None]) -> Response:
        """One product order's action in the 주문-클레임 처리 반환 구조체; ``apply`` moves and writes
        back the stored product order, or raises Refusal (a fail info) / ValueError(field) (a 400)."""
        with self.store.transaction():
            item = self.store.get("product_order", pid)
            if item is None:
                return self._ok({"successProductOrderIds": [], "failProductOrderInfos": [
                    {"productOrderId": pid, "code": "100001", "message": "상품주문이 존재하지 않습니다."}]})
            status = sc.status_of(item)
            try:
                apply(item)
            except ValueError as bad:
                return self._bad(str(bad), f"{bad} 값을 확인해 주세요.", "NotBlank")
            except Refusal as refused:
                return self._ok({"successProductOrderIds": [], "failProductOrderInfos": [sc.refusal(pid, refused, status)]})
            self.store.put("product_order", pid, item)
        return self._ok({"successProductOrderIds": [pid], "failProductOrderInfos": []})

    def _claim_action(self, action: str, request: Request) -> Response:
        body, pid = self._body(request) or {}, request.params["productOrderId"]

        def apply(item: dict[str, Any]) -> None:
            case = sc.case_of(item)
            if case is None:
                raise Refusal(Code.CLAIM_KIND, "클레임 없음")
            sc.act(action, case, body, COMPANY_CODES)
            now = _now()
            sc.applied(item, case, body, now)
            self.store.audit(f"claim.{case.kind.value}", pid, {"action": action, "claimId": case.id})

        return self._claim_answer(pid, apply)

    def _cancel_request(self, request: Request) -> Response:
        """판매취소 (cancel/request): a line not shipped is cancelled with a reason of the enum."""
        body, pid = self._body(request) or {}, request.params["productOrderId"]
        reason = body.get("cancelReason")
        if reason not in sc.CANCEL_REASONS:
            return self._bad("cancelReason", "취소 사유(cancelReason)가 올바르지 않습니다.")
        quantity = body.get("cancelQuantity")

        def apply(item: dict[str, Any]) -> None:
            if quantity is not None and quantity != item["detail"]["productOrder"]["quantity"]:
                raise ValueError("cancelQuantity")  # invented: the sandbox cancels whole product orders only
            sc.seller_cancel(self.store, item, _unit(item), str(reason), str(body.get("cancelDetailedReason") or ""), _now())
            self.store.audit("order.cancel", pid, {"reason": reason})

        return self._claim_answer(pid, apply)

    def control(self, request: Request) -> Response | None:
        """Sandbox controls (never the mall's): ``POST /_sandbox/claims`` {productOrderId, kind
        (cancel/return/exchange)} opens the buyer's claim (a return or exchange delivers the order
        first); {productOrderId, pickup: true} is the courier bringing a return or exchange back;
        ``POST /_sandbox/deliver`` {productOrderId} ships and delivers an order."""
        if request.method != "POST" or request.path not in ("/_sandbox/claims", "/_sandbox/deliver"):
            return None
        body = request.json() or {}
        pid = str(body.get("productOrderId") or "")
        try:
            if request.path == "/_sandbox/deliver":
                self.deliver(pid)
            elif body.get("pickup"):
                self.pickup(pid)
            else:
                self.open_claim(pid, str(body.get("kind") or ""))
        except (KeyError, Refusal) as refused:
            return Response.json({"ok": False, "message": str(refused)}, 409)
        return Response.json({"ok": True})

    def _edit(self, pid: str, change: Callable[[dict[str, Any], datetime], None]) -> None:
        with self.store.transaction():
            item = self.store.get("product_order", pid)
            if item is None:
                raise KeyError(pid)
            change(item, _now())
            self.store.put("product_order", pid, item)

    def open_claim(self, pid: str, kind: str) -> None:
        """The buyer opens a claim: a cancel on an order not shipped, a return or exchange once delivered."""
        wanted = sc.KINDS[kind]

        def opened(item: dict[str, Any], now: datetime) -> None:
            if wanted is not Claim.CANCEL and _unit(item).stage < Stage.DELIVERED:
                sc.deliver(item, now)
            if not orders.claimable(_unit(item), wanted):
                raise Refusal(Code.NOT_CLAIMABLE, item["detail"]["productOrder"]["productOrderStatus"])
            sc.open_claim(self.store, item, wanted, now)

        self._edit(pid, opened)

    def deliver(self, pid: str) -> None:
        self._edit(pid, lambda item, now: sc.deliver(item, now))

    def pickup(self, pid: str) -> None:
        self._edit(pid, sc.pickup)

    # --- inquiries ----------------------------------------------------------------------
    def _qnas(self, request: Request) -> Response:
        start, end = _parse_dt(request.arg("fromDate")), _parse_dt(request.arg("toDate"))
        if start is None:
            return self._bad("fromDate", "fromDate 는 필수이며 ISO-8601 형식이어야 합니다.", "NotNull")
        if end is None or end < start:
            return self._bad("toDate", "toDate 는 필수이며 fromDate 이후여야 합니다.", "NotNull")
        page, size = request.arg("page", "1") or "1", request.arg("size", "100") or "100"
        if not page.isdigit() or int(page) < 1:
            return self._bad("page", "page 는 1 이상이어야 합니다.", "Min")
        if not size.isdigit() or not 1 <= int(size) <= 100:
            return self._bad("size", "size 는 1~100 이어야 합니다.", "Range")
        answered = request.arg("answered")
        rows = [
            q for q in self.store.all("qna")
            if start <= datetime.fromisoformat(q["createDate"]) <= end  # inferred: both ends inclusive
            and (answered is None or str(q["answered"]).lower() == answered.lower())
        ]
        rows.sort(key=lambda q: (q["createDate"], q["questionId"]), reverse=True)
        p, s = int(page), int(size)
        total_pages = math.ceil(len(rows) / s)
        return Response.json({
            "contents": rows[(p - 1) * s:p * s], "page": p, "size": s, "totalElements": len(rows),
            "totalPages": total_pages, "sort": {"sorted": True, "fields": [{"name": "createDate", "direction": "DESC"}]},
            "first": p == 1, "last": p >= total_pages,
        })

    def _answer_qna(self, request: Request) -> Response:
        body = self._body(request) or {}
        text = body.get("commentContent")
        if not isinstance(text, str) or not text.strip():
            return self._bad("commentContent", "답변 내용을 입력해 주세요.", "NotBlank")
        with self.store.transaction():
            qna = self.store.get("qna", request.params["questionId"])
            if qna is None:
                return self._error(404, "NOT_FOUND", "존재하지 않는 문의입니다.")
            qna.update(answer=text, answered=True)  # PUT registers or overwrites
            self.store.put("qna", str(qna["questionId"]), qna)
            self.store.audit("inquiry.answer", f"QNA-{qna['questionId']}")
        return Response.json({})  # invented: empty 200 body

    def _pay_error(self, code: str, message: str) -> Response:
        return self._error(400, code, message)

    def _inquiries(self, request: Request) -> Response:
        try:
            start = date.fromisoformat(request.arg("startSearchDate") or "")
            end = date.fromisoformat(request.arg("endSearchDate") or "")
        except ValueError:
            return self._pay_error("4001", "조회 기간(startSearchDate, endSearchDate)은 yyyy-MM-dd 형식으로 입력해 주세요.")
        if end < start:
            return self._pay_error("4002", "조회 종료일은 시작일 이후여야 합니다.")  # invented code
        if (end - start).days > 365:
            return self._pay_error("4003", "최대 365일만 조회 가능합니다.")
        page_raw, size_raw = request.arg("page", "1") or "1", request.arg("size", "10") or "10"
        if not page_raw.isdigit() or not 1 <= int(page_raw) <= 1_000_000:
            return self._pay_error("4005", "page 는 1~1000000 이어야 합니다.")  # invented code
        if not size_raw.isdigit() or int(size_raw) < 10:
            return self._pay_error("4006", "size 는 10 이상이어야 합니다.")
        if int(size_raw) > 200:
            return self._pay_error("4007", "size 는 200 이하여야 합니다.")
        answered = request.arg("answered")
        rows = [
            i for i in self.store.all("inquiry")
            if start <= datetime.fromisoformat(i["inquiryRegistrationDateTime"]).astimezone(KST).date() <= end
            and (answered is None or str(i["answered"]).lower() == answered.lower())
        ]
        rows.sort(key=lambda i: (i["inquiryRegistrationDateTime"], i["inquiryNo"]), reverse=True)
        page, size = int(page_raw), int(size_raw)
        content = rows[(page - 1) * size:page * size]
        total_pages = math.ceil(len(rows) / size)
        return Response.json({
            "content": content, "totalElements": len(rows), "totalPages": total_pages,
            "number": page - 1,  # inferred: Spring's zero-based page number
            "size": size, "numberOfElements": len(content), "first": page == 1, "last": page >= total_pages,
            "empty": not content,
        })

    def _answer_inquiry(self, request: Request) -> Response:
        body = self._body(request) or {}
        text = body.get("answerComment")
        if not isinstance(text, str) or not text.strip():
            return self._pay_error("ERR-NC-101001", "답변 내용을 입력해 주세요.")  # invented code
        with self.store.transaction():
            inquiry = self.store.get("inquiry", request.params["inquiryNo"])
            if inquiry is None:
                return self._pay_error("ERR-NC-101004", "문의를 찾을 수 없습니다.")
            try:
                inquiries.answer(inquiry["answered"])
            except Refusal:
                return self._pay_error("ERR-NC-101010", "이미 답변이 등록된 문의입니다.")
            comment_no = self.store.next_id("inquiryCommentNo", 700000001)
            inquiry.update(answered=True, answerContent=text, answerContentId=comment_no,
                           answerTemplateNo=body.get("answerTemplateId"), answerRegistrationDateTime=iso(_now()))
            self.store.put("inquiry", str(inquiry["inquiryNo"]), inquiry)
            self.store.audit("inquiry.answer", f"INQ-{inquiry['inquiryNo']}")
        return Response.json({
            "code": "SUCCESS", "message": "정상 처리되었습니다.", "timestamp": iso(_now()), "traceId": secrets.token_hex(8),
            "data": {"inquiryNo": inquiry["inquiryNo"], "inquiryCommentNo": comment_no},
        })

    # --- products -----------------------------------------------------------------------
    def _save_product(self, body: dict[str, Any], origin_no: int, channel_no: int) -> dict[str, Any]:
        origin = body["originProduct"]
        code = ((origin.get("detailAttribute") or {}).get("sellerCodeInfo") or {}).get("sellerManagementCode", "")
        now = iso(_now())
        before = self.store.get("product", str(origin_no))
        existing = before or {"regDate": now}
        data.number_combinations(self.store, origin, before)
        product = {
            **existing, "originProductNo": origin_no, "smartstoreChannelProductNo": channel_no,
            "sellerManagementCode": code, "name": origin["name"], "statusType": origin["statusType"],
            "salePrice": origin["salePrice"], "stockQuantity": origin["stockQuantity"], "modifiedDate": now,
            "originProduct": origin, "smartstoreChannelProduct": body.get("smartstoreChannelProduct") or {},
        }
        data.settle(product)
        self.store.put("product", str(origin_no), product)
        catalogue.index(self.store, "seller_code", code, str(origin_no))
        return product

    @staticmethod
    def on_sale(product: dict[str, Any]) -> bool:
        """Buyers can order it: statusType SALE and shown on the smartstore channel."""
        display = product["smartstoreChannelProduct"].get("channelProductDisplayStatusType", "ON")
        return product["statusType"] == "SALE" and display == "ON"

    def _product_body(self, request: Request) -> dict[str, Any] | Response:
        """The product JSON, or the 400 the mall answers for a malformed or incomplete one."""
        body = self._body(request)
        if body is None:
            return self._bad("body", "요청 본문이 JSON 이 아닙니다.")
        problems = data.product_problems(body)
        if problems:
            return self._error(400, "BAD_REQUEST", "요청 값이 올바르지 않습니다.", problems)
        return body

    def _create_product(self, request: Request) -> Response:
        body = self._product_body(request)
        if isinstance(body, Response):
            return body
        with self.store.transaction():
            origin_no = self.store.next_id("originProductNo", 8800000001)  # invented numbering
            channel_no = self.store.next_id("channelProductNo", 8900000001)
            product = self._save_product(body, origin_no, channel_no)
            self.store.audit("product.create", product["sellerManagementCode"] or str(origin_no))
        return Response.json({"originProductNo": origin_no, "smartstoreChannelProductNo": channel_no})

    def _update_product(self, request: Request) -> Response:
        body = self._product_body(request)
        if isinstance(body, Response):
            return body
        with self.store.transaction():
            existing = self.store.get("product", request.params["originProductNo"])
            if existing is None:
                return self._error(404, "NOT_FOUND", "존재하지 않는 상품입니다.")
            product = self._save_product(body, existing["originProductNo"], existing["smartstoreChannelProductNo"])
            self.store.audit("product.update", product["sellerManagementCode"] or str(product["originProductNo"]))
        return Response.json({"originProductNo": product["originProductNo"],
                              "smartstoreChannelProductNo": product["smartstoreChannelProductNo"]})

    def _get_product(self, request: Request) -> Response:
        product = self.store.get("product", request.params["originProductNo"])
        if product is None:
            return self._error(404, "NOT_FOUND", "존재하지 않는 상품입니다.")
        return Response.json({"originProduct": product["originProduct"],
                              "smartstoreChannelProduct": product["smartstoreChannelProduct"]})

    def _option_stock(self, request: Request) -> Response:
        """Stock (≥ 0; 0 is 품절), price and use of combinations by id, and the product's sale price."""
        body = self._body(request)
        if body is None:
            return self._bad("body", "요청 본문이 JSON 이 아닙니다.")
        with self.store.transaction():
            product = self.store.get("product", request.params["originProductNo"])
            if product is None:
                return self._error(404, "NOT_FOUND", "존재하지 않는 상품입니다.")
            problems = data.option_stock_problems(product, body)
            if problems:
                return self._error(400, "BAD_REQUEST", "요청 값이 올바르지 않습니다.", problems)
            changed = data.apply_option_stock(product, body)
            product["modifiedDate"] = iso(_now())
            self.store.put("product", str(product["originProductNo"]), product)
            for op, key, detail in changed:
                self.store.audit(op, key, detail)
        return Response.json({"originProductNo": product["originProductNo"]})  # invented: the answer's body

    def _change_status(self, request: Request) -> Response:
        """판매중지 (SUSPENSION) / 판매재개 (SALE); invented: OUTOFSTOCK is the mall's own state, never asked for,
        a resumed product without stock shows OUTOFSTOCK, and the smartstore channel's display follows."""
        body = self._body(request) or {}
        status = body.get("statusType")
        if status not in ("SALE", "SUSPENSION"):
            return self._bad("statusType", "판매 상태는 SALE 또는 SUSPENSION 이어야 합니다.")
        with self.store.transaction():
            product = self.store.get("product", request.params["originProductNo"])
            if product is None:
                return self._error(404, "NOT_FOUND", "존재하지 않는 상품입니다.")
            was = (product["statusType"], product["smartstoreChannelProduct"].get("channelProductDisplayStatusType"))
            product["originProduct"]["statusType"] = status
            product["smartstoreChannelProduct"]["channelProductDisplayStatusType"] = "ON" if status == "SALE" else "SUSPENSION"
            data.settle(product)
            if (product["statusType"], product["smartstoreChannelProduct"]["channelProductDisplayStatusType"]) != was:
                product["modifiedDate"] = iso(_now())
                self.store.audit("listing.sale", data.target(product), {"statusType": product["statusType"]})
            self.store.put("product", str(product["originProductNo"]), product)
        return Response.json({"originProductNo": product["originProductNo"]})  # invented: the answer's body

    def _search_products(self, request: Request) -> Response:
        body = self._body(request) or {}
        kind = body.get("searchKeywordType")
        if kind == "SELLER_CODE":
            code = str(body.get("sellerManagementCode") or "")
            products = [p for p in catalogue.lookup(self.store, "product", "seller_code", code) if p["sellerManagementCode"] == code]
        elif kind == "PRODUCT_NO":
            found = (self.store.get("product", str(n)) for n in dict.fromkeys(body.get("originProductNos") or []))
            products = [p for p in found if p is not None]
        elif kind is not None:
            return self._bad("searchKeywordType", "검색 유형이 올바르지 않습니다.")
        else:
            products = sorted(self.store.all("product"), key=lambda p: p["originProductNo"])  # invented order
        page, size = body.get("page", 1), body.get("size", 50)
        if not isinstance(page, int) or not isinstance(size, int) or page < 1 or not 1 <= size <= 500:
            return self._bad("size", "page 는 1 이상, size 는 1~500 이어야 합니다.", "Range")
        chunk = products[(page - 1) * size:page * size]
        contents = [data.search_row(p) for p in chunk]
        return Response.json({"contents": contents, "page": page, "size": size, "totalElements": len(products),
                              "totalPages": math.ceil(len(products) / size)})

    # --- generator and state --------------------------------------------------------------
    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        made = {"orders": 0, "product_orders": 0, "claims": 0, "inquiries": 0}
        with self.store.transaction():
            products = catalogue.Catalogue(self.store, "product", reduce=data.catalogue_entry, keep=data.sellable,
                                           fallback=data.SYNTHETIC_PRODUCTS)
            for _ in range(orders):
                made["product_orders"] += data.add_order(self.store, self.rng, products)
                made["orders"] += 1
            if claims:
                made["claims"] = data.add_claims(self.store, self.rng, claims, _unit)
            lines = self.store.keys("product_order") if inquiries else []
            for n in range(inquiries):
                data.add_inquiry(self.store, self.rng, products, lines, qna=n % 2 == 0)
                made["inquiries"] += 1
        return made

    def state(self) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for item in self.store.all("product_order"):
            po = item["detail"]["productOrder"]
            key = po["productOrderStatus"] + ("/" + po["claimStatus"] if po.get("claimStatus") else "")
            statuses[key] = statuses.get(key, 0) + 1
        qnas, inquiries = self.store.all("qna"), self.store.all("inquiry")
        return {
            "product_orders": statuses,
            "products": self.store.count("product"),
            "off_sale": [p["sellerManagementCode"] for p in self.store.all("product") if not self.on_sale(p)],
            "qnas": len(qnas),
            "inquiries": len(inquiries),
            "unanswered": sum(not q["answered"] for q in qnas) + sum(not i["answered"] for i in inquiries),
            "tokens": self.store.count("token"),
        }
