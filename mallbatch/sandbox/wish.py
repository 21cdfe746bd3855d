"""Wish Merchant API simulator (reference §3, seed 004): OAuth 2.0 authorization code with refresh,
the ``{"code", "data", "message"}`` envelope (code 0 = success), v2 orders and products (``access_token``
as a parameter, ``start``/``limit`` paging with ``paging.next`` as a full URL) and v3 tickets (Bearer
token, keyset paging on ``updated_at``, the five ticket states).

Which version serves what follows the reference: the order and fulfilment calls and error 1002 are
documented for v2 (§3.4), the ticket states and keyset paging for v3 (§3.5); v2 and v3 share one OAuth
app (§3.1). HTTP statuses of refusals are invented (the SDK reads only the body code, §3.2): 400 for
a refused parameter or state, 401 for 4000/1015/1016, 404 for an unknown id, 429 with
``Wish-Rate-Limit-Reset``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from mallbatch.sandbox import wish_tickets as tickets
from mallbatch.sandbox import wish_data as sample
from mallbatch.sandbox.engine import invoices, orders
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Invoice, Line, Policy, Stage, Unit
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.server import Request, Response, Simulator

SANDBOX_CREDENTIALS: dict[str, str] = {
    # invented sandbox app: Wish app ids are 24-hex, secrets 32-hex (as seen in public clients)
    "client_id": "5e1f6b0c2a9d4e7f8a1b2c3d",
    "client_secret": "9c4b7a1e2d5f8a0b3c6d9e2f1a4b7c0d",
    "redirect_uri": "https://localhost/mallbatch/wish/callback",
}
MERCHANT_ID = "5d7e8f9a0b1c2d3e4f5a6b7c"  # invented: the sandbox merchant
CODE_SECONDS = 300  # reference §3.1: a code is valid 5 minutes, single use
TOKEN_DAYS = 30  # invented: access-token lifetime (the reference shows only expiry_time)
SCOPES = ["orders:read", "orders:write", "tickets:read", "tickets:write", "products:read", "products:write"]

OK, INVALID, ALREADY_FULFILLED, NOT_FOUND = 0, 1000, 1002, 1004  # §3.2; 1004 invented
EXPIRED, REVOKED, UNAUTHORIZED = 1015, 1016, 4000  # §3.2
ORDER_STATE = 1009  # invented: the order's state does not allow this (refunded, not shipped …)
MAX_LIMIT = 500  # reference §3.2: v3 limit 1–500; invented for v2
DEFAULT_LIMIT = 50
V2, V3 = "/api/v2", "/api/v3"
# invented names in Wish's style; GET /fulfillment/get-shipping-carriers answers them (endpoint from the
# v2 explorer list, second-hand: merchant.wish.com/documentation/api/explorer)
CARRIERS = ("KoreaPost", "CJLogistics", "HanjinExpress", "LotteGlobalLogistics", "Logen", "EMS",
            "USPS", "UPS", "FedEx", "DHL")
# v2 refund reason_code (invented numbers) and v3 refund_reason (ITEM_NEVER_ARRIVED, ITEM_IS_DAMAGED §3.5; rest invented)
V2_REASONS = {-1: "Other", 0: "Store is unable to fulfill order", 1: "Store ran out of stock",
              2: "Product listing was incorrect", 3: "Customer requested cancellation", 4: "Shipping is delayed"}
V3_REASONS = ("ITEM_NEVER_ARRIVED", "ITEM_IS_DAMAGED", "ITEM_DOES_NOT_MATCH_LISTING", "WRONG_ITEM_SENT",
              "ITEM_MISSING", "CUSTOMER_CHANGED_MIND", "OTHER")
STAGES = {"APPROVED": Stage.PAID, "SHIPPED": Stage.SHIPPED}
POLICY = Policy(confirm_before_ship=False)  # Wish has no 발주확인: APPROVED orders ship at once
SHIP_REFUSED = {  # engine refusal → (code, message); invented wording
    Code.ALREADY_SHIPPED: (ALREADY_FULFILLED, "This order has already been fulfilled"),
    Code.CANCELLED: (ORDER_STATE, "This order has been refunded and cannot be fulfilled"),
    Code.INVOICE_IN_USE: (INVALID, "This tracking number is already used by another order"),
    Code.NOT_SHIPPED: (ORDER_STATE, "This order has not been fulfilled yet"),
    Code.INVOICE_UNCHANGED: (INVALID, "The tracking information is unchanged"),
    Code.PAST_STAGE: (ORDER_STATE, "The tracking of this order can no longer be modified"),
}

Body = dict[str, Any]


class WishError(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def envelope(code: int, data: Any, message: str = "", status: int = 200, **extra: Any) -> Response:
    return Response.json({"code": code, "data": data, "message": message, **extra}, status)


def now_utc() -> datetime:
    return datetime.now(UTC)


def parse_time(value: str | None, name: str) -> datetime | None:
    """A v2 time (UTC, no offset) or a v3 ISO time; None when absent."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise WishError(INVALID, f"Invalid {name}: {value!r} (expected YYYY-MM-DDTHH:MM:SS)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_int(value: Any, name: str, low: int = 0, high: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise WishError(INVALID, f"Invalid {name}: {value!r}") from None
    if number < low or (high is not None and number > high):
        raise WishError(INVALID, f"{name} must be between {low} and {high}")
    return number


class WishSimulator(Simulator):
    mall = "wish"
    default_rate_limit = 10.0  # invented: Wish publishes no number (reference §3.2 shows only the headers)
    token_lifetime = timedelta(days=TOKEN_DAYS)

    def routes(self) -> None:
        # OAuth (reference §3.1): authorize page, code exchange, refresh — v2 and v3 paths
        for prefix in ("", "/v3"):
            self.route("GET", f"{prefix}/oauth/authorize", self.authorize)
        for api in (V2, V3):
            self.route("POST", f"{api}/oauth/access_token", self._plain(self.access_token))
            self.route("GET", f"{api}/oauth/refresh_token", self._plain(self.refresh_token))
            self.route("POST", f"{api}/oauth/refresh_token", self._plain(self.refresh_token))
        self.route("GET", f"{V3}/oauth/test", self._api(self.oauth_test))  # invented: a cheap authenticated read
        # v2 orders (reference §3.4)
        self.route("GET", f"{V2}/order", self._api(self.get_order))
        self.route("GET", f"{V2}/order/multi-get", self._api(self.order_multi_get))
        self.route("POST", f"{V2}/order/fulfill-one", self._api(self.fulfill_one, write=True))
        self.route("POST", f"{V2}/order/modify-tracking", self._api(self.modify_tracking, write=True))
        self.route("POST", f"{V2}/order/refund", self._api(self.refund_v2, write=True))
        self.route("GET", f"{V2}/fulfillment/get-shipping-carriers", self._api(self.shipping_carriers))
        # v2 products and variants (endpoint names second-hand: the v2 API explorer list)
        self.route("POST", f"{V2}/product/add", self._api(self.product_add, write=True))
        self.route("GET", f"{V2}/product", self._api(self.get_product))
        self.route("POST", f"{V2}/product/update", self._api(self.product_update, write=True))
        self.route("POST", f"{V2}/product/enable", self._api(lambda r, b: self.product_enable(b, True), write=True))
        self.route("POST", f"{V2}/product/disable", self._api(lambda r, b: self.product_enable(b, False), write=True))
        self.route("GET", f"{V2}/product/multi-get", self._api(self.product_multi_get))
        self.route("POST", f"{V2}/variant/add", self._api(self.variant_add, write=True))
        self.route("GET", f"{V2}/variant", self._api(self.get_variant))
        self.route("POST", f"{V2}/variant/update", self._api(self.variant_update, write=True))
        self.route("POST", f"{V2}/variant/update-inventory", self._api(self.variant_inventory, write=True))
        # v3 tickets (reference §3.5) and the refund of a ticket's order (PUT /orders/{id}/refund)
        self.route("GET", f"{V3}/tickets", self._api(self.list_tickets))
        self.route("GET", f"{V3}/tickets/{{id}}", self._api(lambda r, b: tickets.shown(self._ticket(r.params["id"]))))
        self.route("PUT", f"{V3}/tickets/{{id}}", self._api(self.update_ticket, write=True))
        self.route("POST", f"{V3}/tickets/{{id}}/replies", self._api(self.reply_ticket, write=True))
        self.route("PUT", f"{V3}/orders/{{id}}/refund", self._api(self.refund_v3, write=True))

    # --- protocol plumbing ----------------------------------------------------------
    def is_write(self, request: Request) -> bool:
        """API writes (what drop faults hit); the token endpoints are not: a lost code exchange cannot be
        read back by anyone, the seller authorizes again (invented fault model)."""
        return super().is_write(request) and "/oauth/" not in request.path

    def client_id(self, request: Request) -> str:
        return "merchant"  # reference §3.2: rate limiting is per merchant per app; one sandbox merchant

    def rate_limited(self, request: Request) -> Response:
        reset = str(int(time.time()) + 1)  # invented: unix seconds (the reference says "the time it resets")
        response = envelope(429, None, "Too Many Requests", 429)
        response.headers["Wish-Rate-Limit-Reset"] = reset
        return response

    def limit_headers(self, request: Request, headroom: float) -> dict[str, str]:
        rate = self.faults.rate_limit or self.default_rate_limit
        return {"Wish-Rate-Limit-Remaining": str(max(0, int(headroom * rate))), "Wish-Request-Id": secrets.token_hex(8)}

    def server_error(self, request: Request) -> Response:
        return envelope(9999, None, "Internal Server Error", 500)  # invented code

    def not_found(self, request: Request) -> Response:
        return envelope(NOT_FOUND, None, "Not Found", 404)

    @staticmethod
    def args(request: Request) -> Body:
        """Query parameters, then a form or JSON body (v2 clients send forms, v3 JSON)."""
        values: Body = {k: v[0] for k, v in request.query.items()}
        if not request.body:
            return values
        kind = str(request.headers.get("Content-Type") or "")
        try:
            if "json" in kind:
                body = json.loads(request.body.decode("utf-8"))
                if not isinstance(body, dict):
                    raise ValueError
                values.update(body)
            else:
                values.update({k: v[0] for k, v in parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items()})
        except (ValueError, UnicodeDecodeError):
            raise WishError(INVALID, "The request body could not be read") from None
        return values

    def _plain(self, handler: Callable[[Body], Any]) -> Callable[[Request], Response]:
        """An OAuth endpoint: no access token, answers the envelope."""
        def serve(request: Request) -> Response:
            try:
                body = self.args(request)
                with self.store.transaction():
                    return envelope(OK, handler(body))
            except WishError as exc:
                self.store.audit("oauth.refused", request.path)  # a refused code or refresh token (tests count them)
                return envelope(exc.code, None, exc.message, exc.status)
        return serve

    def _api(self, handler: Callable[[Request, Body], Any], write: bool = False) -> Callable[[Request], Response]:
        """Check the access token (Bearer for v3, ``access_token`` parameter for v2), run, wrap."""
        def serve(request: Request) -> Response:
            try:
                body = self.args(request)
                self._check_token(request, body)
                if write:
                    with self.store.transaction():
                        data = handler(request, body)
                else:
                    data = handler(request, body)
            except WishError as exc:
                return envelope(exc.code, None, exc.message, exc.status)
            if isinstance(data, Response):
                return data
            return envelope(OK, data)
        return serve

    def _check_token(self, request: Request, body: Body) -> None:
        if request.path.startswith(V3):
            header = str(request.headers.get("Authorization") or "")
            token = header[7:].strip() if header.startswith("Bearer ") else ""
        else:
            token = str(body.get("access_token") or "")  # reference §3.1: v2 takes it as a parameter
        record = self.store.get("oauth.access", token) if token else None
        if record is None:
            raise WishError(UNAUTHORIZED, "Unauthorized access", 401)
        if record.get("revoked"):
            raise WishError(REVOKED, "This access token has been revoked.", 401)
        if float(record["expires"]) <= time.time():
            raise WishError(EXPIRED, "This access token has expired.", 401)

    # --- OAuth ------------------------------------------------------------------------
    def authorize(self, request: Request) -> Response:
        """The authorize page. invented: the sandbox merchant is always signed in and approves at once,
        redirecting to the app's registered redirect URI with a single-use code (reference §3.1)."""
        client, state = request.arg("client_id") or "", request.arg("state") or ""
        redirect = request.arg("redirect_uri") or self.credentials.get("redirect_uri", "")
        if client != self.credentials.get("client_id") or redirect != self.credentials.get("redirect_uri"):
            page = b"<html><body><h1>Invalid client_id or redirect_uri</h1></body></html>"
            return Response(400, page, {"Content-Type": "text/html; charset=utf-8"})
        code = secrets.token_hex(16)
        with self.store.transaction():
            self.store.put("oauth.code", code, {"client_id": client, "redirect_uri": redirect,
                                                "expires": time.time() + CODE_SECONDS, "used": False})
        query = urlencode({"code": code, **({"state": state} if state else {})})
        return Response(302, b"", {"Location": f"{redirect}?{query}"})

    def _client(self, body: Body) -> None:
        if body.get("client_id") != self.credentials.get("client_id") or body.get("client_secret") != self.credentials.get("client_secret"):
            raise WishError(UNAUTHORIZED, "Invalid client_id or client_secret", 401)

    def _issue(self, client: str) -> dict[str, Any]:
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        expires = now_utc() + self.token_lifetime
        self.store.put("oauth.access", access, {"client_id": client, "expires": expires.timestamp()})
        self.store.put("oauth.refresh", refresh, {"client_id": client})
        self.store.audit("oauth.issue", client)
        return {"access_token": access, "refresh_token": refresh, "expiry_time": expires.isoformat(timespec="milliseconds"),
                "merchant_id": MERCHANT_ID, "scopes": SCOPES, "token_type": "Bearer"}

    def access_token(self, body: Body) -> dict[str, Any]:
        self._client(body)
        if body.get("grant_type") != "authorization_code":
            raise WishError(INVALID, "grant_type must be authorization_code")
        code = str(body.get("code") or "")
        record = self.store.get("oauth.code", code) if code else None
        if record is None or record["used"] or float(record["expires"]) <= time.time():
            raise WishError(INVALID, "The authorization code is invalid, expired or already used")
        if body.get("redirect_uri") and body["redirect_uri"] != record["redirect_uri"]:
            raise WishError(INVALID, "redirect_uri does not match the authorization request")
        self.store.put("oauth.code", code, {**record, "used": True})
        return self._issue(str(body["client_id"]))

    def refresh_token(self, body: Body) -> dict[str, Any]:
        self._client(body)
        if body.get("grant_type") != "refresh_token":
            raise WishError(INVALID, "grant_type must be refresh_token")
        refresh = str(body.get("refresh_token") or "")
        record = self.store.get("oauth.refresh", refresh) if refresh else None
        if record is None or record.get("revoked"):
            raise WishError(REVOKED if record else INVALID, "The refresh token is invalid or has been revoked", 400)
        # invented: the reference does not say whether Wish rotates refresh tokens; the simulator takes the strict
        # case, a new refresh token each time and the spent one refused, so a client that loses one fails here
        self.store.put("oauth.refresh", refresh, {**record, "revoked": True})
        return self._issue(str(body["client_id"]))

    def oauth_test(self, request: Request, body: Body) -> dict[str, Any]:
        return {"merchant_id": MERCHANT_ID}

    def expire_tokens(self) -> None:
        """Every access token issued so far expires now (sandbox, for tests)."""
        with self.store.transaction():
            for token in self.store.keys("oauth.access"):
                self.store.put("oauth.access", token, {**self.store.get("oauth.access", token), "expires": 0})

    def revoke_tokens(self) -> None:
        """The merchant revoked the app: every access and refresh token is refused (1016)."""
        with self.store.transaction():
            for kind in ("oauth.access", "oauth.refresh"):
                for token in self.store.keys(kind):
                    self.store.put(kind, token, {**self.store.get(kind, token), "revoked": True})

    # --- paging -----------------------------------------------------------------------
    def _v2_page(self, request: Request, body: Body, rows: list[Any]) -> Response:
        """``start``/``limit`` with ``paging.next`` the full URL of the next page (reference §3.2)."""
        start = as_int(body.get("start", 0), "start")
        limit = as_int(body.get("limit", DEFAULT_LIMIT), "limit", 1, MAX_LIMIT)
        page = rows[start:start + limit]
        paging: dict[str, str] = {}
        if start + limit < len(rows):
            host = request.headers.get("Host") or "127.0.0.1"
            query = {k: v for k, v in body.items() if k in request.query} | {"start": start + limit, "limit": limit}
            paging["next"] = f"http://{host}{request.path}?{urlencode(query)}"
        return envelope(OK, page, paging=paging)

    # --- orders -----------------------------------------------------------------------
    def _order(self, order_id: Any) -> dict[str, Any]:
        order = self.store.get("order", str(order_id or ""))
        if order is None:
            raise WishError(NOT_FOUND, f"We could not find an order for id: {order_id!r}", 404)
        return order

    @staticmethod
    def _shown(order: dict[str, Any]) -> dict[str, Any]:
        return {"Order": {k: v for k, v in order.items() if not k.startswith("_")}}

    def get_order(self, request: Request, body: Body) -> dict[str, Any]:
        return self._shown(self._order(body.get("id")))

    def order_multi_get(self, request: Request, body: Body) -> Response:
        """Orders whose ``last_updated`` is in [since, upto) (invented: upto exclusive), oldest first."""
        since = parse_time(body.get("since"), "since") or datetime(2000, 1, 1, tzinfo=UTC)
        upto = parse_time(body.get("upto"), "upto") or now_utc() + timedelta(days=1)
        rows = [o for o in self.store.all("order") if since <= parse_time(o["last_updated"], "last_updated") < upto]
        rows.sort(key=lambda o: (o["last_updated"], o["order_id"]))
        return self._v2_page(request, body, [self._shown(o) for o in rows])

    @staticmethod
    def unit(order: dict[str, Any]) -> Unit:
        """The engine unit of an order: one line, shipped or refunded as a whole."""
        refunded = order["state"] == "REFUNDED"
        invoice = Invoice(str(order.get("shipping_provider") or ""), str(order.get("tracking_number") or "")) \
            if order.get("tracking_number") else None
        line = Line(order["order_id"], int(order["quantity"]), cancelled=int(order["quantity"]) if refunded else 0)
        return Unit(order["order_id"], STAGES.get(order["state"], Stage.PAID), [line], invoice)

    def _tracking(self, body: Body) -> Invoice:
        provider, number = str(body.get("tracking_provider") or ""), str(body.get("tracking_number") or "").strip()
        if provider not in CARRIERS:
            raise WishError(INVALID, f"Unknown tracking_provider: {provider!r}. See fulfillment/get-shipping-carriers")
        if not number or not number.isalnum() or not 8 <= len(number) <= 30:  # invented format rule
            raise WishError(INVALID, f"Invalid tracking_number: {number!r}")
        return Invoice(provider, number)

    def _record_tracking(self, order: dict[str, Any], invoice: Invoice, body: Body) -> None:
        try:
            invoices.check(self.store, invoice, order["order_id"], group=order["transaction_id"])
        except Refusal as refusal:
            raise WishError(*SHIP_REFUSED[refusal.code]) from None
        invoices.record(self.store, invoice, order["order_id"], group=order["transaction_id"])
        order.update(shipping_provider=invoice.courier, tracking_number=invoice.number,
                     ship_note=str(body.get("ship_note") or ""), last_updated=sample.v2_time(now_utc()))

    def fulfill_one(self, request: Request, body: Body) -> dict[str, Any]:
        """APPROVED → SHIPPED with tracking; 1002 when already fulfilled (reference §3.4)."""
        order = self._order(body.get("id"))
        invoice = self._tracking(body)
        try:
            orders.ship(self.unit(order), invoice, POLICY)
        except Refusal as refusal:
            raise WishError(*SHIP_REFUSED[refusal.code]) from None
        self._record_tracking(order, invoice, body)
        order.update(state="SHIPPED", shipped_date=order["last_updated"][:10])
        self.store.put("order", order["order_id"], order)
        self.store.audit("invoice.send", order["order_id"], {"tracking_number": invoice.number})
        return {"success": True}

    def modify_tracking(self, request: Request, body: Body) -> dict[str, Any]:
        order = self._order(body.get("id"))
        invoice = self._tracking(body)
        try:
            orders.change_invoice(self.unit(order), invoice)
        except Refusal as refusal:
            raise WishError(*SHIP_REFUSED[refusal.code]) from None
        self._record_tracking(order, invoice, body)
        self.store.put("order", order["order_id"], order)
        self.store.audit("invoice.update", order["order_id"], {"tracking_number": invoice.number})
        return {"success": True}

    def _refund(self, order: dict[str, Any], reason: str, note: str) -> None:
        """APPROVED or SHIPPED → REFUNDED (Wish refunds shipped orders too: a ticket's refund)."""
        if order["state"] == "REFUNDED":
            raise WishError(ORDER_STATE, "This order has already been refunded")
        if order["state"] not in STAGES:
            raise WishError(ORDER_STATE, f"This order cannot be refunded (state: {order['state']})")
        order.update(state="REFUNDED", refund_reason=reason, refund_note=note, last_updated=sample.v2_time(now_utc()))
        self.store.put("order", order["order_id"], order)
        self.store.audit("order.refund", order["order_id"], {"reason": reason})

    def refund_v2(self, request: Request, body: Body) -> dict[str, Any]:
        """``POST /order/refund`` id, reason_code, reason_note (reference §3.4)."""
        order = self._order(body.get("id"))
        code = as_int(body.get("reason_code"), "reason_code", -1)
        if code not in V2_REASONS:
            raise WishError(INVALID, f"Invalid reason_code: {code}")
        if code == -1 and not str(body.get("reason_note") or "").strip():
            raise WishError(INVALID, "reason_note is required when reason_code is -1 (Other)")
        self._refund(order, str(code), str(body.get("reason_note") or ""))
        return {"success": True}

    def refund_v3(self, request: Request, body: Body) -> dict[str, Any]:
        """``PUT /api/v3/orders/{id}/refund`` {"reason_code", "reason_note", "ticket_id"}: the refund of an
        ORDER ticket's marked order (invented: the body fields and that it names the ticket; seed 004)."""
        order = self._order(request.params["id"])
        reason = str(body.get("reason_code") or "")
        if reason not in V3_REASONS:
            raise WishError(INVALID, f"Invalid reason_code: {reason!r}. See GET /api/v3/orders/{{id}}/refund_reasons")
        ticket = self._ticket(str(body.get("ticket_id") or ""))
        try:
            tickets.check_refund(ticket, order["order_id"])
        except tickets.TicketRefused as exc:
            raise WishError(exc.code, exc.message) from None
        self._refund(order, reason, str(body.get("reason_note") or ""))
        done = {o["id"] for o in ticket["orders"] if (self.store.get("order", o["id"]) or {}).get("state") == "REFUNDED"}
        tickets.refunded(ticket, done, reason, now_utc())
        self.store.put("ticket", ticket["id"], ticket)
        self.store.audit("ticket.refund", ticket["id"], {"order_id": order["order_id"]})
        return {"order_id": order["order_id"], "state": "REFUNDED"}

    def shipping_carriers(self, request: Request, body: Body) -> dict[str, Any]:
        return {"shipping_carriers": list(CARRIERS)}

    # --- products ---------------------------------------------------------------------
    def _product(self, body: Body) -> dict[str, Any]:
        if body.get("id"):
            found = self.store.get("product", str(body["id"]))
        else:
            rows = self.store.find("product", "$.parent_sku", str(body.get("parent_sku") or "")) if body.get("parent_sku") else []
            found = rows[-1] if rows else None
        if found is None:
            raise WishError(NOT_FOUND, f"We could not find a product for id: {body.get('id') or body.get('parent_sku')!r}", 404)
        return found

    def _variant_of(self, sku: str) -> tuple[dict[str, Any], dict[str, Any]]:
        index = self.store.get("variant.sku", sku)
        product = self.store.get("product", index["product"]) if index else None
        variant = next((v for v in (product or {}).get("variants", []) if v["sku"] == sku), None)
        if product is None or variant is None:
            raise WishError(NOT_FOUND, f"We could not find a variant for sku: {sku!r}", 404)
        return product, variant

    @staticmethod
    def _price(value: Any) -> str:
        try:
            price = float(value)
        except (TypeError, ValueError):
            raise WishError(INVALID, f"Invalid price: {value!r}") from None
        if price <= 0:
            raise WishError(INVALID, "price must be greater than 0")
        return f"{price:g}"

    def _variant(self, product: dict[str, Any], body: Body) -> dict[str, Any]:
        sku = str(body.get("sku") or "").strip()
        if not sku:
            raise WishError(INVALID, "sku is required")
        if self.store.get("variant.sku", sku):
            raise WishError(INVALID, f"The sku {sku!r} is already used")
        variant = {"id": sample.hex_id(self.store.next_id, "variant", "61000000"), "sku": sku,
                   "product_id": product["id"], "color": str(body.get("color") or ""), "size": str(body.get("size") or ""),
                   "price": self._price(body.get("price")), "inventory": as_int(body.get("inventory", 0), "inventory"),
                   "shipping": str(body.get("shipping") or "0"), "enabled": "True"}
        self.store.put("variant.sku", sku, {"product": product["id"]})
        product["variants"].append(variant)
        return variant

    @staticmethod
    def _shown_product(product: dict[str, Any]) -> dict[str, Any]:
        """v2 wraps each object in its type name (reference §3.3 ``{"Ticket": …}``, ``{"Order": …}``)."""
        return {"Product": {**{k: v for k, v in product.items() if k != "variants"},
                            "variants": [{"Variant": v} for v in product["variants"]]}}

    def product_add(self, request: Request, body: Body) -> dict[str, Any]:
        """A product with its first variant (``sku``); more variants come with variant/add."""
        name, parent = str(body.get("name") or "").strip(), str(body.get("parent_sku") or body.get("sku") or "").strip()
        if not name or not parent:
            raise WishError(INVALID, "name and parent_sku are required")
        if self.store.find("product", "$.parent_sku", parent):
            raise WishError(INVALID, f"The parent_sku {parent!r} is already used")
        product = {"id": sample.hex_id(self.store.next_id, "product", "60000000"), "name": name,
                   "parent_sku": parent, "description": str(body.get("description") or ""),
                   "tags": str(body.get("tags") or ""), "main_image": str(body.get("main_image") or ""),
                   "enabled": "True", "review_status": "approved", "variants": []}  # invented: approved at once
        self._variant(product, body)
        self.store.put("product", product["id"], product)
        self.store.audit("product.create", parent, {"id": product["id"]})
        return self._shown_product(product)

    def get_product(self, request: Request, body: Body) -> dict[str, Any]:
        return self._shown_product(self._product(body))

    def product_update(self, request: Request, body: Body) -> dict[str, Any]:
        product = self._product(body)
        for key in ("name", "description", "tags", "main_image"):
            if key in body:
                product[key] = str(body[key])
        self.store.put("product", product["id"], product)
        self.store.audit("product.update", product["parent_sku"])
        return {"success": True}

    def product_enable(self, body: Body, enabled: bool) -> dict[str, Any]:
        product = self._product(body)
        product["enabled"] = "True" if enabled else "False"
        self.store.put("product", product["id"], product)
        self.store.audit("product.enable" if enabled else "product.disable", product["id"])
        return {"success": True}

    def product_multi_get(self, request: Request, body: Body) -> Response:
        rows = sorted(self.store.all("product"), key=lambda p: p["id"])
        return self._v2_page(request, body, [self._shown_product(p) for p in rows])

    def variant_add(self, request: Request, body: Body) -> dict[str, Any]:
        product = self._product({"parent_sku": body.get("parent_sku")})
        variant = self._variant(product, body)
        self.store.put("product", product["id"], product)
        self.store.audit("variant.add", variant["sku"])
        return {"Variant": variant}

    def get_variant(self, request: Request, body: Body) -> dict[str, Any]:
        return {"Variant": self._variant_of(str(body.get("sku") or ""))[1]}

    def variant_update(self, request: Request, body: Body) -> dict[str, Any]:
        product, variant = self._variant_of(str(body.get("sku") or ""))
        if "price" in body:
            variant["price"] = self._price(body["price"])
        if "inventory" in body:
            variant["inventory"] = as_int(body["inventory"], "inventory")
        if "enabled" in body:
            variant["enabled"] = "True" if str(body["enabled"]).lower() == "true" else "False"
        self.store.put("product", product["id"], product)
        self.store.audit("variant.update", variant["sku"], {k: body[k] for k in ("price", "inventory", "enabled") if k in body})
        return {"success": True}

    def variant_inventory(self, request: Request, body: Body) -> dict[str, Any]:
        product, variant = self._variant_of(str(body.get("sku") or ""))
        variant["inventory"] = as_int(body.get("inventory"), "inventory")
        self.store.put("product", product["id"], product)
        self.store.audit("variant.inventory", variant["sku"], {"inventory": variant["inventory"]})
        return {"success": True}

    @staticmethod
    def orderable(product: dict[str, Any]) -> bool:
        return product.get("enabled") != "False" and any(int(v.get("inventory") or 0) > 0 and v.get("enabled") != "False"
                                                         for v in product["variants"])

    # --- tickets ----------------------------------------------------------------------
    def _ticket(self, ticket_id: str) -> dict[str, Any]:
        ticket = self.store.get("ticket", ticket_id) if ticket_id else None
        if ticket is None:
            raise WishError(NOT_FOUND, f"We could not find a ticket for id: {ticket_id!r}", 404)
        return ticket

    def list_tickets(self, request: Request, body: Body) -> list[dict[str, Any]]:
        """Keyset paging: ``updated_at_min`` inclusive, ``updated_at_max`` exclusive (invented), sorted by
        ``sort_by=updated_at.asc|desc`` (then by id); ``types`` and ``states`` comma-separated filters."""
        limit = as_int(body.get("limit", DEFAULT_LIMIT), "limit", 1, MAX_LIMIT)
        low = parse_time(body.get("updated_at_min"), "updated_at_min")
        high = parse_time(body.get("updated_at_max"), "updated_at_max")
        sort = str(body.get("sort_by") or "updated_at.asc")
        if sort not in ("updated_at.asc", "updated_at.desc"):
            raise WishError(INVALID, f"Invalid sort_by: {sort!r} (updated_at.asc or updated_at.desc)")
        wanted_types = [t for t in str(body.get("types") or "").split(",") if t]
        wanted_states = [s for s in str(body.get("states") or "").split(",") if s]
        for value, allowed, name in ((wanted_types, tickets.TYPES, "types"), (wanted_states, tickets.STATES, "states")):
            if set(value) - set(allowed):
                raise WishError(INVALID, f"Invalid {name}: {','.join(sorted(set(value) - set(allowed)))}")
        rows = []
        for ticket in self.store.all("ticket"):
            stamp = parse_time(ticket["updated_at"], "updated_at")
            if (low and stamp < low) or (high and stamp >= high):
                continue
            if (wanted_types and ticket["type"] not in wanted_types) or (wanted_states and ticket["state"] not in wanted_states):
                continue
            rows.append(ticket)
        rows.sort(key=lambda t: (t["updated_at"], t["id"]), reverse=sort.endswith("desc"))
        return [tickets.shown(t) for t in rows[:limit]]

    def reply_ticket(self, request: Request, body: Body) -> dict[str, Any]:
        ticket = self._ticket(request.params["id"])
        try:
            answer = tickets.merchant_reply(ticket, str(body.get("message") or ""), now_utc())
        except tickets.TicketRefused as exc:
            raise WishError(exc.code, exc.message) from None
        self.store.put("ticket", ticket["id"], ticket)
        self.store.audit("ticket.reply", ticket["id"], {"length": len(answer["message"])})
        return answer

    def update_ticket(self, request: Request, body: Body) -> dict[str, Any]:
        ticket = self._ticket(request.params["id"])
        state = str(body.get("state") or "")
        try:
            tickets.change_state(ticket, state, now_utc())
        except tickets.TicketRefused as exc:
            raise WishError(exc.code, exc.message) from None
        self.store.put("ticket", ticket["id"], ticket)
        op = {tickets.CLOSED: "ticket.close", tickets.AWAITING_WISH: "ticket.appeal"}.get(state, "ticket.reopen")
        self.store.audit(op, ticket["id"])
        return tickets.shown(ticket)

    # --- sandbox surface ----------------------------------------------------------------
    def _catalogue(self) -> Catalogue:
        return Catalogue(self.store, "product", keep=self.orderable, fallback=sample.SYNTHETIC_PRODUCTS)

    def _new_order(self, catalogue: Catalogue, moment: datetime, locale: str | None = None) -> dict[str, Any]:
        order = sample.make_order(self.rng, self.store.next_id, catalogue.pick(self.rng), moment, locale)
        self.store.put("order", order["order_id"], order)
        return order

    def _new_ticket(self, kind: str, locale: str, moment: datetime, order: dict[str, Any] | None = None) -> dict[str, Any]:
        if kind != "PRE_PURCHASE" and order is None:
            order = self._new_order(self._catalogue(), moment, locale)
            if kind == "ORDER":  # a complaint about an order that arrived
                order.update(state="SHIPPED", shipping_provider="KoreaPost",
                             tracking_number=f"EG{self.store.next_id('sandboxTracking', 100000001)}KR")
                self.store.put("order", order["order_id"], order)
        ticket = sample.make_ticket(self.rng, self.store.next_id, kind, locale, moment, order if kind != "PRE_PURCHASE" else None,
                                    MERCHANT_ID)
        self.store.put("ticket", ticket["id"], ticket)
        return ticket

    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        """New APPROVED orders; ``inquiries`` new tickets of every type in several locales, and customers
        answering tickets that wait on them. Each record a millisecond apart (keyset paging needs order).
        Wish has no claims list: ``claims`` are ignored."""
        rng, start = self.rng, now_utc()
        made = Counter[str]()
        with self.store.transaction():
            catalogue = self._catalogue()
            for n in range(orders):
                self._new_order(catalogue, start + timedelta(milliseconds=n))
                made["orders"] += 1
            waiting = [t for t in self.store.all("ticket") if t["state"] == tickets.AWAITING_USER]
            for n in range(inquiries):
                moment = start + timedelta(milliseconds=orders + n)
                if waiting and rng.random() < 0.3:
                    ticket = waiting.pop(rng.randrange(len(waiting)))
                    tickets.customer_reply(ticket, moment)
                    self.store.put("ticket", ticket["id"], ticket)
                else:
                    self._new_ticket(tickets.TYPES[n % 3], rng.choice(sample.LOCALES), moment)
                made["inquiries"] += 1
        return {"orders": made["orders"], "claims": 0, "inquiries": made["inquiries"]}

    def control(self, request: Request) -> Response | None:
        """Sandbox controls: ``/_sandbox/ticket`` {"type", "locale"} opens a ticket; ``/_sandbox/ticket/reply``
        {"id", "message"} the customer answers; ``/_sandbox/ticket/age`` {"id", "hours"} moves a ticket that
        many hours into the past (48-hour tests without sleeping); ``/_sandbox/ticket/permanently_close``
        {"id"}; ``/_sandbox/order/age`` {"id", "hours"}; ``/_sandbox/tokens`` {"expire": true} or
        {"revoke": true}."""
        if request.method != "POST":
            return None
        actions: dict[str, Callable[[Body], Any]] = {
            "/_sandbox/ticket": self.open_ticket, "/_sandbox/ticket/reply": self.customer_answers,
            "/_sandbox/ticket/age": self.age_ticket, "/_sandbox/ticket/permanently_close": self.close_for_good,
            "/_sandbox/order/age": self.age_order, "/_sandbox/tokens": self.token_control,
        }
        action = actions.get(request.path)
        if action is None:
            return None
        try:
            body = request.json() or {}
            with self.store.transaction():
                return Response.json(action(body))
        except WishError as exc:
            return Response.json({"message": exc.message}, exc.status)
        except tickets.TicketRefused as exc:
            return Response.json({"message": exc.message}, 409)
        except ValueError:
            return Response.json({"message": "the body must be JSON"}, 400)

    def open_ticket(self, body: Body) -> dict[str, Any]:
        kind, locale = str(body.get("type") or "PRE_PURCHASE"), str(body.get("locale") or "en")
        if kind not in tickets.TYPES or locale not in sample.LOCALES:
            raise WishError(INVALID, f"type must be one of {tickets.TYPES} and locale one of {sample.LOCALES}")
        order = self._order(body["order_id"]) if body.get("order_id") else None
        return tickets.shown(self._new_ticket(kind, locale, now_utc(), order))

    def customer_answers(self, body: Body) -> dict[str, Any]:
        ticket = self._ticket(str(body.get("id") or ""))
        tickets.customer_reply(ticket, now_utc(), str(body.get("message") or ""))
        self.store.put("ticket", ticket["id"], ticket)
        return tickets.shown(ticket)

    def age_ticket(self, body: Body) -> dict[str, Any]:
        ticket, hours = self._ticket(str(body.get("id") or "")), float(body.get("hours") or 0)
        for key in ("opened_at", "updated_at", "_awaiting_since"):
            ticket[key] = sample.shifted(ticket.get(key), hours)
        for answer in ticket["replies"]:
            answer["replied_at"] = sample.shifted(answer["replied_at"], hours)
        if ticket.get("resolution_info"):
            ticket["resolution_info"]["closed_at"] = sample.shifted(ticket["resolution_info"]["closed_at"], hours)
        self.store.put("ticket", ticket["id"], ticket)
        return tickets.shown(ticket)

    def close_for_good(self, body: Body) -> dict[str, Any]:
        ticket = self._ticket(str(body.get("id") or ""))
        tickets.close_permanently(ticket, now_utc())
        self.store.put("ticket", ticket["id"], ticket)
        return tickets.shown(ticket)

    def age_order(self, body: Body) -> dict[str, Any]:
        order, hours = self._order(body.get("id")), float(body.get("hours") or 0)
        for key in ("order_time", "last_updated", "released_to_merchant_time"):
            order[key] = sample.shifted(order.get(key), hours, "v2")
        self.store.put("order", order["order_id"], order)
        return self._shown(order)

    def token_control(self, body: Body) -> dict[str, Any]:
        if body.get("expire"):
            self.expire_tokens()
        if body.get("revoke"):
            self.revoke_tokens()
        return {"ok": True}

    def deliver(self, order_id: str) -> None:
        """Ship an APPROVED order with a sandbox tracking number (for tests and controls)."""
        with self.store.transaction():
            order = self._order(order_id)
            if order["state"] == "APPROVED":
                order.update(state="SHIPPED", shipping_provider="KoreaPost", last_updated=sample.v2_time(now_utc()),
                             tracking_number=f"EG{self.store.next_id('sandboxTracking', 100000001)}KR")
                self.store.put("order", order_id, order)

    def state(self) -> dict[str, Any]:
        return {
            "orders": dict(Counter(o["state"] for o in self.store.all("order"))),
            "products": self.store.count("product"),
            "tickets": dict(Counter(f"{t['type']}:{t['state']}" for t in self.store.all("ticket"))),
        }
