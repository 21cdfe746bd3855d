"""아임웹 REST API v2 simulator (reference §4, seed 003): ``/v2/auth`` key + secret → an ``access-token``
header, the ``{code, msg, data}`` envelope with negative codes, unix-second dates, one status filter per
list call, ``pagenation`` paging, 품목주문 (prod orders) read by up to 25 order numbers, ``PATCH
/orders/{order_no}/{action}`` answering success and failed lists, and the 주문관리 v2 state rules of
:mod:`.imweb_orders`.

Rate (reference §4.1): 1 request per second on the full lists (주문 조회, 상품 조회) and 5 per second
elsewhere, both per token's key; above either, HTTP 429 with code -7. ``faults.rate_limit`` scales both
(the lists get a fifth of it). Everything the reference does not show is marked ``invented`` where it is
defined; HTTP statuses of the negative codes are invented (-1/-2 401, -7 429, -11 404, -19 500, -999 503,
the rest 400).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from mallbatch.sandbox import imweb_claims as claim_rules
from mallbatch.sandbox import imweb_data as sample
from mallbatch.sandbox import imweb_orders as rules
from mallbatch.sandbox import imweb_products as products
from mallbatch.sandbox.engine import inquiries, invoices
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Invoice
from mallbatch.sandbox.engine.refusal import Refusal
from mallbatch.sandbox.imweb_data import ApiError
from mallbatch.sandbox.imweb_orders import Refused
from mallbatch.sandbox.server import Request, Response, Simulator

SANDBOX_CREDENTIALS: dict[str, str] = {  # invented: a fixed sandbox key pair (real ones are issued per site)
    "key": "imweb-sandbox-key-5c1f0e7a",
    "secret": "imweb-sandbox-secret-9d24b7c3e18a",
}

SHOP = "/v2/shop"
TOKEN_SECONDS = 3600  # invented: the reference gives no token lifetime
ORDER_WINDOW = 31 * 24 * 3600  # invented: the longest order_date_from..order_date_to one list call takes
MAX_PROD_ORDER_NOS = 25  # reference §4.2: ≤ 25 order numbers per prod-orders call
MAX_BATCH = 50  # seed 003: 50 orders per 주문처리; invented: the same cap on order numbers in one PATCH path
LIST_SHARE = 5.0  # reference §4.1: 1/s on full lists against 5/s elsewhere
STATUS_FILTERS = ("status", "claim_type", "claim_status")  # reference §4.2: only one per call
HTTP_OF = {-1: 401, -2: 401, -7: 429, -11: 404, -19: 500, -999: 503}  # invented; the rest answer 400

Body = dict[str, Any]


def reply(data: Any) -> Response:
    return Response.json({"code": 200, "msg": "SUCCESS", "data": data})


def refuse(code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response.json({"code": code, "msg": message}, HTTP_OF.get(code, 400), headers)


def now_s() -> int:
    return int(time.time())


def as_int(value: Any, name: str) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise ApiError(-10, f"{name} 값이 올바르지 않습니다") from None


class _ListLimit:
    """The slower bucket of the full-list endpoints (the server's own bucket holds the 5/s)."""

    def __init__(self) -> None:
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: float) -> bool:
        with self._lock:
            now = time.monotonic()
            tokens, last = self._state.get(key, (1.0, now))
            tokens = min(1.0, tokens + (now - last) * rate)
            allowed = tokens >= 1 - 1e-9
            self._state[key] = (tokens - 1 if allowed else tokens, now)
            return allowed


class ImwebSimulator(Simulator):
    mall = "imweb"
    default_rate_limit = 5.0  # reference §4.1: 5 requests per second outside the full lists
    page_size = 20  # invented: rows per list page (pagenation.pagesize)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lists = _ListLimit()

    def routes(self) -> None:
        api = self._api
        for method in ("GET", "POST"):  # reference §4.1: clients use both
            self.route(method, "/v2/auth", self.auth)
        self.route("GET", f"{SHOP}/orders", api(self.list_orders, full_list=True))
        self.route("GET", f"{SHOP}/orders/{{order_no}}", api(self.get_order))
        self.route("GET", f"{SHOP}/prod-orders", api(self.get_prod_orders))
        self.route("PATCH", f"{SHOP}/orders/{{order_nos}}/{{action}}", api(self.order_action, write=True))
        self.route("PATCH", f"{SHOP}/orders/{{order_no}}/{{kind}}/{{action}}", api(self.claim_action, write=True))
        self.route("GET", f"{SHOP}/products", api(self.list_products, full_list=True))
        self.route("POST", f"{SHOP}/products", api(self.create_product, write=True))
        self.route("GET", f"{SHOP}/products/{{prod_no}}", api(self.get_product))
        self.route("PATCH", f"{SHOP}/products/{{prod_no}}", api(self.update_product, write=True))
        self.route("GET", f"{SHOP}/products/{{prod_no}}/options", api(self.get_options))
        self.route("GET", f"{SHOP}/products/{{prod_no}}/options-details", api(self.get_details))
        self.route("PATCH", f"{SHOP}/products/{{prod_no}}/options-details/{{detail_no}}", api(self.update_detail, write=True))
        self.route("GET", f"{SHOP}/inquirys", api(self.list_inquiries))
        self.route("GET", f"{SHOP}/inquirys/{{idx}}", api(self.get_inquiry))
        self.route("POST", f"{SHOP}/inquirys/{{idx}}/answers", api(self.answer_inquiry, write=True))

    # --- protocol plumbing ----------------------------------------------------------
    def client_id(self, request: Request) -> str:
        token = str(request.headers.get("access-token") or "")
        found = self.store.get("token", token) if token else None
        return str(found["key"]) if found else "anonymous"

    def is_write(self, request: Request) -> bool:
        return request.method in ("POST", "PATCH") and request.path != "/v2/auth"

    def rate_limited(self, request: Request | None) -> Response:
        return refuse(-7, "요청 제한을 초과했습니다. 잠시 후 다시 시도하세요")  # reference §4.1: -7, HTTP 429

    def server_error(self, request: Request | None) -> Response:
        return refuse(-19, "내부 오류가 발생했습니다")

    def not_found(self, request: Request) -> Response:
        return refuse(-99, "존재하지 않는 메소드입니다")

    def expire_tokens(self) -> None:
        """Every issued token is past its lifetime (the next call with one answers -2)."""
        with self.store.transaction():
            for token in self.store.keys("token"):
                self.store.put("token", token, {**(self.store.get("token", token) or {}), "expires": 0})

    def auth(self, request: Request) -> Response:
        """``/v2/auth`` with key + secret as query parameters or a JSON body (reference §4.1)."""
        try:
            body = request.json() if request.body else {}
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        key = request.arg("key") or str(body.get("key") or "")
        secret = request.arg("secret") or str(body.get("secret") or "")
        if key != self.credentials.get("key") or secret != self.credentials.get("secret"):
            return refuse(-1, "API 키 또는 시크릿이 올바르지 않습니다")
        token = secrets.token_hex(16)
        self.store.put("token", token, {"key": key, "expires": now_s() + TOKEN_SECONDS})
        return Response.json({"msg": "SUCCESS", "code": 200, "access_token": token})  # reference §4.1 shape

    def _api(self, handler: Callable[[Request], Any], *, write: bool = False,
             full_list: bool = False) -> Callable[[Request], Response]:
        def serve(request: Request) -> Response:
            token = str(request.headers.get("access-token") or "")
            found = self.store.get("token", token) if token else None
            if found is None or found["expires"] <= now_s():
                return refuse(-2, "유효하지 않은 access token 입니다")
            if full_list:
                rate = (self.faults.rate_limit / LIST_SHARE) if self.faults.rate_limit else 1.0
                if not self._lists.take(f"{found['key']} {request.path}", rate):
                    return self.rate_limited(request)
            try:
                if write:
                    with self.store.transaction():
                        return reply(handler(request))
                return reply(handler(request))
            except ApiError as exc:
                return refuse(exc.code, exc.message)

        return serve

    @staticmethod
    def _body(request: Request) -> Body:
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            raise ApiError(-10, "요청 본문이 올바른 JSON 이 아닙니다") from None
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise ApiError(-10, "요청 본문이 올바른 JSON 이 아닙니다")
        return body

    def _page(self, request: Request, rows: list[Any]) -> dict[str, Any]:
        """``offset`` is the page number (reference §4.2, Django client); ``pagenation`` says how many."""
        page = as_int(request.arg("offset", "1"), "offset")
        if page < 1:
            raise ApiError(-10, "offset 은 1 이상이어야 합니다")
        size = self.page_size
        pages = max(1, -(-len(rows) // size))
        return {"list": rows[(page - 1) * size:page * size],
                "pagenation": {"data_count": len(rows), "current_page": page, "total_page": pages, "pagesize": size}}

    # --- orders -----------------------------------------------------------------------
    def _order(self, order_no: str) -> Body:
        order = self.store.get("order", order_no)
        if order is None:
            raise ApiError(-11, f"존재하지 않는 주문입니다: {order_no}")
        return order

    def _prod_orders(self, order: Body) -> list[Body]:
        return [p for no in order["_prod_orders"] if (p := self.store.get("prod_order", no)) is not None]

    def shown(self, prod_order: Body, now: int | None = None) -> Body:
        """A prod order as the API shows it: 구매확정 computed, the claim's type and status."""
        shown = sample.public(prod_order)
        shown["status"] = rules.shown_status(prod_order, now or now_s())
        claim = self.store.get("claim", prod_order["_claim"]) if prod_order.get("_claim") else None
        shown.update(claim_rules.fields(claim))
        return shown

    def shown_order(self, order: Body) -> Body:
        shown = sample.public(order)
        if order.get("_hold"):  # invented fields: the 배송보류 of an npay/talkpay order (seed 003)
            shown["delivery"] = {**shown["delivery"], "hold": order["_hold"]["code"], "hold_reason": order["_hold"]["reason"],
                                 "hold_time": order["_hold"]["time"]}
        return shown

    def list_orders(self, request: Request) -> dict[str, Any]:
        used = [name for name in STATUS_FILTERS if request.arg(name)]
        if len(used) > 1:
            raise ApiError(-10, "주문서 상태 필터(status, claim_type, claim_status)는 1개만 사용할 수 있습니다")
        start = as_int(request.arg("order_date_from", "0"), "order_date_from")
        end = as_int(request.arg("order_date_to", str(2**40)), "order_date_to")
        if request.arg("order_date_from") and request.arg("order_date_to") and end - start > ORDER_WINDOW:
            raise ApiError(-10, "주문일 조회 기간은 최대 31일입니다")
        kind, now = request.arg("type"), now_s()
        rows = []
        for order in self.store.all("order"):
            if not start <= order["order_time"] <= end or (kind and order["type"] != kind):
                continue
            if used:
                wanted = request.arg(used[0])
                if not any(self.shown(p, now).get(used[0]) == wanted for p in self._prod_orders(order)):
                    continue
            rows.append(self.shown_order(order))
        rows.sort(key=lambda o: (o["order_time"], o["order_no"]))
        return self._page(request, rows)

    def get_order(self, request: Request) -> Body:
        return self.shown_order(self._order(request.params["order_no"]))

    def get_prod_orders(self, request: Request) -> dict[str, dict[str, Body]]:
        """``GET /prod-orders?order_no=a,b`` (invented: numbers joined by commas) → data[order_no][prod_order_no]."""
        numbers = [n for n in str(request.arg("order_no") or "").split(",") if n]
        if not numbers:
            raise ApiError(-10, "order_no 는 필수입니다")
        if len(numbers) > MAX_PROD_ORDER_NOS:
            raise ApiError(-10, f"주문번호는 한 번에 {MAX_PROD_ORDER_NOS}개까지 조회할 수 있습니다")
        now, found = now_s(), {}
        for number in numbers:
            order = self.store.get("order", number)
            if order is not None:
                found[number] = {p["order_no"]: self.shown(p, now) for p in self._prod_orders(order)}
        return found

    # --- order writes ------------------------------------------------------------------
    ACTIONS = {"place": "order.confirm", "send": "invoice.send", "complete": "order.complete", "cancel": "order.cancel",
               "releasehold": "order.release", "delete_invoice": "invoice.delete"}  # invented: the last two

    def order_action(self, request: Request) -> dict[str, Any]:
        """``PATCH /orders/{order_no}/{action}``: several order numbers joined by commas (invented, ≤ 50), the
        prod orders in ``prod_order_no`` (all of the order's when absent), ``count`` for part of one (invented)."""
        action = request.params["action"]
        if action not in self.ACTIONS:
            raise ApiError(-99, f"지원하지 않는 처리입니다: {action}")
        numbers = [n for n in request.params["order_nos"].split(",") if n]
        if not numbers or len(numbers) > MAX_BATCH:
            raise ApiError(-10, f"주문은 한 번에 1~{MAX_BATCH}건까지 처리할 수 있습니다 (요청: {len(numbers)}건)")
        body = self._body(request)
        asked = body.get("prod_order_no")
        asked = {str(n) for n in (asked if isinstance(asked, list) else [asked] if asked else [])}
        count = as_int(body.get("count", 0) or 0, "count")
        if count and len(asked) != 1:
            raise ApiError(-10, "수량(count)은 품목주문 하나(prod_order_no)에만 지정할 수 있습니다")
        etc = body.get("etc") if isinstance(body.get("etc"), dict) else {}
        success, failed = [], []
        for number in numbers:
            done, refused = self._apply(number, action, asked, count, etc)
            if done:
                success.append({"order_no": number, "prod_order_list": done})
                self.store.audit(self.ACTIONS[action], number, {"prod_orders": done, "count": count, **etc})
            if refused:
                failed.append({"order_no": number, "prod_order_list": refused})
        return {"success": success, "failed": failed}

    def _apply(self, number: str, action: str, asked: set[str], count: int, etc: Body) -> tuple[list[str], list[Body]]:
        """(prod order numbers done, failed entries) of one order."""
        order = self.store.get("order", number)
        if order is None:
            return [], [{"prod_order_no": "", "msg": "존재하지 않는 주문입니다", "detail_msg": number}]
        if action == "releasehold":
            if not order.get("_hold"):
                return [], [{"prod_order_no": "", "msg": "배송보류 중인 주문이 아닙니다", "detail_msg": number}]
            self.store.audit("order.hold_released", number, order["_hold"])
            order["_hold"] = None
            self.store.put("order", number, order)
            return order["_prod_orders"], []
        targets = [p for p in self._prod_orders(order) if not asked or p["order_no"] in asked]
        if asked - {p["order_no"] for p in targets}:
            return [], [{"prod_order_no": n, "msg": "이 주문의 품목주문이 아닙니다", "detail_msg": number}
                        for n in sorted(asked - {p["order_no"] for p in targets})]
        if not asked:  # the whole order: what is not cancelled (an order cancelled entirely says so)
            targets = [p for p in targets if p["status"] != rules.CANCEL] or targets[:1]
        done, refused, now = [], [], now_s()
        new_no = lambda: str(self.store.next_id("prod_order_no", 30000001))  # noqa: E731
        for prod_order in targets:
            try:
                changed = self._rule(action, prod_order, order, count, etc, new_no, now)
            except Refused as exc:
                refused.append({"prod_order_no": prod_order["order_no"], "msg": exc.message, "detail_msg": ""})
                continue
            for doc in changed:
                self.store.put("prod_order", doc["order_no"], doc)
            done.append(changed[-1]["order_no"])  # a split answers the part it made
        self.store.put("order", number, order)
        return done, refused

    def _rule(self, action: str, prod_order: Body, order: Body, count: int, etc: Body,
              new_no: Callable[[], str], now: int) -> list[Body]:
        if action == "place":
            return rules.place(prod_order, order, count, new_no)
        if action == "send":
            parcel, number = str(etc.get("parcel_code") or ""), str(etc.get("invoice_no") or "").strip()
            rules.check_invoice(parcel, number)
            try:
                invoices.check(self.store, Invoice(parcel, number), order["order_no"], order["order_no"])
            except Refusal:
                raise Refused("다른 주문에 이미 등록된 송장번호입니다") from None
            changed = rules.send(prod_order, order, count, parcel, number, new_no, now)
            invoices.record(self.store, Invoice(parcel, number), order["order_no"], order["order_no"])
            return changed
        if action == "complete":
            return rules.complete(prod_order, order, now)
        if action == "cancel":
            return rules.cancel(prod_order, order, count, str(etc.get("reason_code") or ""), new_no)
        return rules.delete_invoice(prod_order)

    def claim_action(self, request: Request) -> dict[str, Any]:
        return claim_rules.act(self, request.params["order_no"], request.params["kind"], request.params["action"],
                               self._body(request))

    # --- products (mallbatch.sandbox.imweb_products) ------------------------------------------
    def list_products(self, request: Request) -> dict[str, Any]:
        return self._page(request, products.listed(self.store, request.arg("prod_status"), request.arg("custom_prod_code")))

    def create_product(self, request: Request) -> dict[str, Any]:
        return products.create(self.store, self._body(request), now_s())

    def get_product(self, request: Request) -> Body:
        return sample.public(products.product(self.store, request.params["prod_no"]))

    def update_product(self, request: Request) -> dict[str, Any]:
        return products.update(self.store, request.params["prod_no"], self._body(request), now_s())

    def get_options(self, request: Request) -> dict[str, Any]:
        return {"list": products.product(self.store, request.params["prod_no"])["_options"]}

    def get_details(self, request: Request) -> dict[str, Any]:
        return {"list": products.product(self.store, request.params["prod_no"])["_details"]}

    def update_detail(self, request: Request) -> dict[str, Any]:
        return products.update_detail(self.store, request.params["prod_no"], request.params["detail_no"],
                                      self._body(request), now_s())

    # --- inquiries -------------------------------------------------------------------------
    def list_inquiries(self, request: Request) -> dict[str, Any]:
        status = request.arg("status")
        rows = [q for q in self.store.all("inquiry") if not status or q["status"] == status]
        return self._page(request, rows)

    def _inquiry(self, idx: str) -> Body:
        found = self.store.get("inquiry", idx)
        if found is None:
            raise ApiError(-11, f"존재하지 않는 문의입니다: {idx}")
        return found

    def get_inquiry(self, request: Request) -> Body:
        return self._inquiry(request.params["idx"])

    def answer_inquiry(self, request: Request) -> dict[str, Any]:
        inquiry = self._inquiry(request.params["idx"])
        text = str(self._body(request).get("body") or "").strip()
        if not text:
            raise ApiError(-10, "답변 내용(body)은 필수입니다")
        try:
            inquiries.answer(inquiry["status"] == "COMPLETE")
        except Refusal:
            raise ApiError(-10, "이미 답변이 등록된 문의입니다") from None  # invented: answers cannot be edited
        # invented: the answer as stored (the reference shows only the request's body)
        inquiry.update(status="COMPLETE", answers=[{"body": text, "wtime": now_s()}])
        self.store.put("inquiry", str(inquiry["idx"]), inquiry)
        self.store.audit("inquiry.answer", str(inquiry["idx"]))
        return {"idx": inquiry["idx"]}

    # --- sandbox surface -------------------------------------------------------------------
    def _catalogue(self) -> Catalogue:
        return Catalogue(self.store, "product", keep=lambda p: p.get("prod_status") == "sale", reduce=products.orderable,
                         fallback=sample.SYNTHETIC_PRODUCTS)

    def add_order(self, *, kind: str | None = None, deliv_type: str = "parcel", count: int | None = None) -> Body:
        """One new paid order (also the ``/_sandbox/order`` control)."""
        order, prod_orders = sample.make_order(self.rng, self.store.next_id, self._catalogue(), now_s(), kind=kind,
                                               deliv_type=deliv_type)
        for prod_order in prod_orders:
            if count:
                sample.set_count(prod_order, count)
            self.store.put("prod_order", prod_order["order_no"], prod_order)
        self.store.put("order", order["order_no"], order)
        return order

    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        made = Counter[str]()
        with self.store.transaction():
            for _ in range(orders):
                self.add_order()
                made["orders"] += 1
            made["claims"] = claim_rules.generate(self, claims)
            catalogue = self._catalogue()
            for _ in range(inquiries):
                product = catalogue.pick(self.rng)
                idx = self.store.next_id("inquiry", 7001)
                self.store.put("inquiry", str(idx), products.make_inquiry(self.rng, idx, product, now_s()))
                made["inquiries"] += 1
        return {"orders": made["orders"], "claims": made["claims"], "inquiries": made["inquiries"]}

    def open_claim(self, unit: str, kind: str) -> dict[str, Any]:
        with self.store.transaction():
            return claim_rules.open_claim(self, unit, kind)

    def control(self, request: Request) -> Response | None:
        """``/_sandbox/order`` {type, deliv_type, count}: a new order; ``/_sandbox/address`` {order_no}: the buyer
        changes the address of an npay/talkpay order, which 아임웹 puts on 배송보류 (seed 003); ``/_sandbox/deliver``
        {order_no}: every prod order shipped and delivered; ``/_sandbox/pickup`` {order_no}: the courier scans
        what waits in 배송대기 with an invoice (→ 배송중, seed 003 집하); ``/_sandbox/age`` {order_no, days}: the
        order's times moved back (구매확정 after 7 days)."""
        actions = {"/_sandbox/order": self._control_order, "/_sandbox/address": self.change_address,
                   "/_sandbox/deliver": self.deliver, "/_sandbox/pickup": self.pickup, "/_sandbox/age": self.age}
        action = actions.get(request.path) if request.method == "POST" else None
        if action is None:
            return None
        try:
            body = self._body(request)
            with self.store.transaction():
                return Response.json(action(body))
        except (ApiError, Refused, ValueError) as exc:
            return Response.json({"message": getattr(exc, "message", str(exc))}, 409)

    def _control_order(self, body: Body) -> Body:
        return self.add_order(kind=body.get("type"), deliv_type=str(body.get("deliv_type") or "parcel"),
                              count=int(body.get("count") or 0) or None)

    def change_address(self, body: Body) -> Body:
        order = self._order(str(body.get("order_no") or ""))
        if order["type"] not in rules.EXTERNAL:
            raise ValueError("배송보류는 네이버페이 주문형·톡체크아웃 주문에만 생깁니다")
        address = order["delivery"]["address"]
        address.update(address=str(body.get("address") or "서울특별시 마포구 월드컵북로 400"), address_detail="5층")
        order["_hold"] = {"code": "ADDRESS_CHANGED", "reason": "배송지 변경", "time": now_s()}  # invented code
        self.store.put("order", order["order_no"], order)
        return self.shown_order(order)

    def deliver(self, body: Body) -> Body:
        order = self._order(str(body.get("order_no") or ""))
        now = now_s()
        for prod_order in self._prod_orders(order):
            if prod_order["status"] == rules.PAID:
                prod_order["status"] = rules.STANDBY
            if prod_order["status"] == rules.STANDBY:
                number = prod_order.get("invoice_no") or f"6{self.store.next_id('sandbox_invoice', 10000000001)}"
                prod_order.update(status=rules.DELIVERING, parcel_code=prod_order.get("parcel_code") or "CJ",
                                  invoice_no=number, delivery_time=now)
            if prod_order["status"] == rules.DELIVERING:
                prod_order.update(status=rules.COMPLETE, complete_time=now)
            self.store.put("prod_order", prod_order["order_no"], prod_order)
        return self.shown_order(order)

    def pickup(self, body: Body) -> Body:
        order = self._order(str(body.get("order_no") or ""))
        for prod_order in self._prod_orders(order):
            if prod_order["status"] == rules.STANDBY and prod_order.get("invoice_no"):
                prod_order.update(status=rules.DELIVERING, delivery_time=now_s())
                self.store.put("prod_order", prod_order["order_no"], prod_order)
        return self.shown_order(order)

    def age(self, body: Body) -> Body:
        order = self._order(str(body.get("order_no") or ""))
        shift = int(float(body.get("days") or 0) * 86400)
        order["order_time"] -= shift
        for prod_order in self._prod_orders(order):
            for field in ("pay_time", "delivery_time", "complete_time"):
                if prod_order.get(field):
                    prod_order[field] -= shift
            self.store.put("prod_order", prod_order["order_no"], prod_order)
        self.store.put("order", order["order_no"], order)
        return self.shown_order(order)

    def state(self) -> dict[str, Any]:
        now = now_s()
        return {
            "orders": self.store.count("order"),
            "prod_orders": dict(Counter(rules.shown_status(p, now) for p in self.store.all("prod_order"))),
            "held": [o["order_no"] for o in self.store.all("order") if o.get("_hold")],
            "products": self.store.count("product"),
            "inquiries": self.store.count("inquiry"),
        }
