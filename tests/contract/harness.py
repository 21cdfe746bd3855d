"""One small harness per mall: what the contract suite needs to know of a mall's simulator and protocol.

The suite (``test_contract.py``) runs every scenario once per harness. A harness says how to make
orders exist and how to cancel one in the simulator, what a raw over-long window or an oversized
batch looks like on the wire (signed by hand, never by the adapter), which credential to corrupt,
and the mall's own shapes for an error answer. Adding a mall is one more ``Harness`` subclass here.

Adapters are opened only through :func:`open_adapter`, the one place that names the registry; the
records and limits the suite uses are imported here too, so moving them is an edit of this file alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import bcrypt
import httpx

from mallbatch.connectors.registry import connector_class
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import (
    Address,
    Certification,
    Invoice,
    ItemResult,
    ListingChange,
    OptionCombo,
    ProductListing,
    ShippingInfo,
)
from mallbatch.config import Account, resolve_value
from mallbatch.sandbox.registry import sandbox_credentials
from mallbatch.sandbox.server import SandboxServer

KST = ZoneInfo("Asia/Seoul")
__all__ = ["HARNESSES", "KST", "Capability", "Harness", "Invoice", "ItemResult", "ListingChange", "RetryPolicy", "open_adapter",
           "with_options"]


def open_adapter(account: Account, **kwargs: Any) -> Any:
    """The mall's adapter (connector) for ``account``: the only place the suite names the registry."""
    cls = connector_class(account.mall)
    assert cls is not None, f"no adapter for {account.mall}"
    return cls(account, **kwargs)


@dataclass(frozen=True)
class Harness:
    """The mall specifics of the contract scenarios; every path below is a fragment of the request target."""

    mall: ClassVar[str]
    list_path: ClassVar[str]  # the order list read (faults on reads are injected here)
    confirm_path: ClassVar[str]  # 발주확인
    invoice_path: ClassVar[str]  # 발송처리 / 송장 등록
    secret_keys: ClassVar[tuple[str, ...]]  # credentials that must never appear in any text
    create_path: ClassVar[str]  # the exact path a product create is POSTed to
    missing_unit: ClassVar[str]  # a well-formed ship unit the simulator does not have
    cancelled_reason: ClassVar[str]  # a piece of the mall's own refusal of a write on a cancelled order
    courier: ClassVar[str] = "CJ"  # canonical code every mall ships with
    error_type: ClassVar[str] = "application/json"  # Content-Type of error_body (11번가: EUC-KR XML)
    auth_header: ClassVar[str] = "Authorization"  # the request header that carries the credential

    @property
    def credentials(self) -> dict[str, str]:
        return sandbox_credentials(self.mall)

    # --- the simulator's state (sandbox internals, never the adapter) ----------------------
    def ship_units(self, server: SandboxServer) -> set[str]:
        raise NotImplementedError

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        """Make ``unit`` look ordered (and last changed) at ``moment``."""
        raise NotImplementedError

    def cancel(self, server: SandboxServer, unit: str) -> None:
        """The buyer's cancel of ``unit`` has completed at the mall."""
        raise NotImplementedError

    def page_size(self, server: SandboxServer) -> int | str:
        """Orders one page of the list read holds (a simulator may be told to page smaller); or say
        why this mall's lists have no pages (the scenario is then skipped)."""
        raise NotImplementedError

    def expire_token(self, server: SandboxServer) -> str | None:
        """Expire every issued token; or say why this mall has none (the scenario is then skipped)."""
        raise NotImplementedError

    def listing(self, code: str) -> ProductListing:
        """A product this mall accepts, with 자체상품코드 ``code``."""
        raise NotImplementedError

    # --- misconfigured accounts -------------------------------------------------------
    def bad_credentials(self) -> dict[str, str]:
        """Account options that make the mall refuse authentication."""
        raise NotImplementedError

    # --- raw requests, signed by hand from the mall's documentation -------------------
    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        raise NotImplementedError

    def raw_long_window(self, server: SandboxServer) -> httpx.Response | str:
        """The order list asked for one window longer than the mall allows; or say why it has no limit."""
        raise NotImplementedError

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> httpx.Response | str:
        """발주확인 of more units in one call than the mall takes; or say why one call cannot hold more."""
        raise NotImplementedError

    def sent_credentials(self, seen: Any) -> list[str]:
        """The credential values a request the proxy saw (tests.misbehaving.Seen) carried: its auth header."""
        return [v for k, v in seen.headers.items() if k.lower() == self.auth_header.lower()]

    def refused(self, response: httpx.Response) -> bool:
        """The mall refused this raw request as invalid (HTTP 400 unless its protocol says otherwise)."""
        return response.status_code == 400

    def audit(self, server: SandboxServer, op: str) -> dict[str, int]:
        """How often the simulator applied ``op``, by target (ship unit for order writes)."""
        return server.simulator.store.audit_counts(op)

    def confirm_calls(self, server: SandboxServer, units: list[str], batch: int) -> int:
        """The 발주확인 calls ``units`` need when ``batch`` units fit in one."""
        return math.ceil(len(units) / batch)

    def error_body(self, message: str) -> bytes:
        """The mall's own body (JSON, or error_type) for a refused request saying ``message``."""
        raise NotImplementedError

    # --- claims as the simulator holds them (test_aftersale_contract.py) ---------------------
    def open_claim(self, server: SandboxServer, unit: str, kind: str) -> None:
        """The buyer opens a ``kind`` ("cancel", "return", "exchange") claim on ``unit``, the unit first moved
        to where the mall allows one (a cancel on a paid unit, a return or exchange once delivered)."""
        raise NotImplementedError

    def claim_step(self, server: SandboxServer, unit: str, kind: str) -> str:
        """The step (sandbox.engine.claims.Step value) of the ``kind`` claim on ``unit`` in the simulator."""
        raise NotImplementedError

    def actions_applied(self, server: SandboxServer, unit: str, kind: str) -> int:
        """How many seller actions the simulator applied to the ``kind`` claim on ``unit`` (its audit)."""
        raise NotImplementedError

    def deliver(self, server: SandboxServer, unit: str) -> None:
        """Ship and deliver ``unit`` in the simulator (no claim)."""
        raise NotImplementedError

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        """Is every line of ``unit`` cancelled in the simulator?"""
        raise NotImplementedError

    def courier_returns(self, server: SandboxServer, unit: str) -> None:
        """The courier brings the return on ``unit`` back to the seller, where the mall marks a return
        collected by itself (its API has no seller 수거완료 for returns); elsewhere nothing happens
        here: the seller's 수거완료 does it."""

    # --- the catalogue as the simulator holds it (test_catalogue_contract.py) ---------------
    stock_path: ClassVar[str] = ""  # a fragment of the request target of a stock write

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        """The simulator's stock of one option (its values), or of the whole product when ``option`` is ()."""
        raise NotImplementedError

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        """The simulator's sale price of the product (of its option without extra price)."""
        raise NotImplementedError

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        """Can buyers order the product in the simulator (not 판매중지)?"""
        raise NotImplementedError

    # --- support tickets as the simulator holds them (test_ticket_contract.py) -----------------
    def open_ticket(self, server: SandboxServer, kind: str, locale: str = "en") -> str:
        """A customer opens a ticket of ``kind`` (a TicketCategory name) in ``locale``; its id."""
        raise NotImplementedError

    def customer_replies(self, server: SandboxServer, ticket_id: str) -> None:
        """The customer answers a ticket that waits on them (it comes back to the merchant)."""
        raise NotImplementedError

    def age_ticket(self, server: SandboxServer, ticket_id: str, hours: float) -> None:
        """Move the ticket ``hours`` into the past (the 48-hour clock without sleeping)."""
        raise NotImplementedError

    def close_for_good(self, server: SandboxServer, ticket_id: str) -> None:
        """The mall closes the ticket permanently."""
        raise NotImplementedError

    def ticket_state(self, server: SandboxServer, ticket_id: str) -> str:
        """The ticket's state as the mall names it (a TicketState name)."""
        raise NotImplementedError

    def ticket_actions(self, server: SandboxServer, ticket_id: str) -> int:
        """How many seller actions (replies, state changes, refunds) the simulator applied to the ticket."""
        raise NotImplementedError


# --- 쿠팡 -------------------------------------------------------------------------------------
COUPANG_OPENAPI = "/v2/providers/openapi/apis/api"


def coupang_signed(server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None, *,
                   body: Any = None, secret: str | None = None, when: datetime | None = None, sep: str = ", ") -> httpx.Response:
    """A request signed by hand with the documented CEA HmacSHA256 algorithm, independent of the adapter."""
    creds = sandbox_credentials("coupang")
    query = urlencode(params or {})
    stamp = (when or datetime.now(UTC)).astimezone(UTC).strftime("%y%m%dT%H%M%SZ")
    digest = hmac.new((secret or creds["secret_key"]).encode(), f"{stamp}{method}{path}{query}".encode(), hashlib.sha256).hexdigest()
    header = sep.join(["CEA algorithm=HmacSHA256", f"access-key={creds['access_key']}", f"signed-date={stamp}", f"signature={digest}"])
    url = f"{server.url}{path}" + (f"?{query}" if query else "")
    return httpx.request(method, url, headers={"Authorization": header}, json=body)


class Coupang(Harness):
    mall = "coupang"
    list_path = "/ordersheets?"
    confirm_path = "/ordersheets/acknowledgement"
    invoice_path = "/orders/invoices"
    create_path = "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
    secret_keys = ("access_key", "secret_key")
    missing_unit = "640999999999999999"
    cancelled_reason = "취소"

    def vendor(self, version: str) -> str:
        return f"{COUPANG_OPENAPI}/{version}/vendors/{self.credentials['vendor_id']}"

    def ship_units(self, server: SandboxServer) -> set[str]:
        return {str(b["shipmentBoxId"]) for b in server.simulator.store.all("box")}

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        store = server.simulator.store
        box = store.get("box", unit)
        box["orderedAt"] = box["paidAt"] = moment.isoformat(timespec="microseconds")
        store.put("box", unit, box)

    def cancel(self, server: SandboxServer, unit: str) -> None:
        server.simulator.request_cancel(unit, complete=True)

    def page_size(self, server: SandboxServer) -> int:
        from mallbatch.sandbox.coupang import MAX_PAGE
        return MAX_PAGE

    def listing(self, code: str) -> ProductListing:
        return coupang_listing(code)

    def expire_token(self, server: SandboxServer) -> str | None:
        return "쿠팡 signs every request with HMAC (CEA signed-date); there is no access token to expire"

    def bad_credentials(self) -> dict[str, str]:
        return {"secret_key": "not-the-secret"}

    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        return coupang_signed(server, method, path, params, body=body)

    def raw_long_window(self, server: SandboxServer) -> httpx.Response:
        today = datetime.now(KST).date()
        params = {"createdAtFrom": f"{today - timedelta(days=40)}+09:00", "createdAtTo": f"{today}+09:00", "status": "ACCEPT"}
        return self.raw(server, "GET", self.vendor("v5") + "/ordersheets", params)

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> httpx.Response:
        body = {"vendorId": self.credentials["vendor_id"], "shipmentBoxIds": [int(u) for u in units]}
        return self.raw(server, "PATCH", self.vendor("v4") + "/ordersheets/acknowledgement", body=body)

    def error_body(self, message: str) -> bytes:
        return _json({"code": "ERROR", "message": message})

    # claims: 쿠팡's seller-actionable cancel is the 출고중지요청 (RU) of a confirmed box; returns and
    # exchanges open on a delivered one; the claim is found by the box its items name
    def open_claim(self, server: SandboxServer, unit: str, kind: str) -> None:
        sim = server.simulator
        if kind == "cancel":
            box = sim.store.get("box", unit)
            sim.store.put("box", unit, {**box, "status": "INSTRUCT"})  # 발주확인 done: a cancel is a stop request
            sim.request_cancel(unit)
            return
        self.deliver(server, unit)
        sim.request_return(unit) if kind == "return" else sim.request_exchange(unit)

    def _claim(self, server: SandboxServer, unit: str, kind: str) -> tuple[str, dict[str, Any]]:
        """(claim id, stored record) of the newest ``kind`` claim on ``unit``."""
        from mallbatch.sandbox.coupang_claims import receipt_kind
        store = server.simulator.store
        if kind == "exchange":
            found = [x for x in store.all("exchange") if str(x["exchangeItemDtoV1s"][0]["originalShipmentBoxId"]) == unit]
            record = max(found, key=lambda x: x["exchangeId"])
            return f"EX{record['exchangeId']}", record
        found = [r for r in store.all("receipt") if str(r["returnItems"][0]["shipmentBoxId"]) == unit
                 and receipt_kind(r).value == kind]
        record = max(found, key=lambda r: r["receiptId"])
        return str(record["receiptId"]), record

    def claim_step(self, server: SandboxServer, unit: str, kind: str) -> str:
        from mallbatch.sandbox.coupang_claims import exchange_case, receipt_case
        _, record = self._claim(server, unit, kind)
        return str((exchange_case if kind == "exchange" else receipt_case)(record).step)

    def actions_applied(self, server: SandboxServer, unit: str, kind: str) -> int:
        claim_id, _ = self._claim(server, unit, kind)
        return server.simulator.store.audit_counts("claim.action").get(claim_id, 0)

    def deliver(self, server: SandboxServer, unit: str) -> None:
        server.simulator.deliver(unit)

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        items = server.simulator.store.get("box", unit)["orderItems"]
        return all(int(i["cancelCount"]) >= int(i["shippingCount"]) for i in items)

    stock_path = "/quantities/"

    @staticmethod
    def _items(server: SandboxServer, product_id: str, option: tuple[str, ...]) -> list[dict[str, Any]]:
        items = server.simulator.store.get("product", product_id)["items"]
        return [i for i in items if not option or tuple(a["attributeValueName"] for a in i["attributes"]) == option]

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        """쿠팡 keeps stock per vendorItem only: the product's is the one count all its options hold."""
        counts = {int(i["maximumBuyCount"]) for i in self._items(server, product_id, option)}
        assert len(counts) == 1, f"options of {product_id} hold different stock: {counts}"
        return counts.pop()

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        return min(int(i["salePrice"]) for i in self._items(server, product_id, ()))

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        return server.simulator.on_sale(server.simulator.store.get("product", product_id))


# --- 스마트스토어 -------------------------------------------------------------------------------
SMARTSTORE_API = "/external/v1"
SMARTSTORE_ORDERS = f"{SMARTSTORE_API}/pay-order/seller/product-orders"


def smartstore_token_form(client_id: str, secret: str, timestamp_ms: int) -> dict[str, str]:
    """The documented token request: base64(bcrypt(client_id + "_" + timestamp, salt=secret))."""
    sign = base64.b64encode(bcrypt.hashpw(f"{client_id}_{timestamp_ms}".encode(), secret.encode())).decode()
    return {"client_id": client_id, "timestamp": str(timestamp_ms), "client_secret_sign": sign,
            "grant_type": "client_credentials", "type": "SELF"}


class Smartstore(Harness):
    mall = "smartstore"
    list_path = "/last-changed-statuses"
    confirm_path = "/product-orders/confirm"
    invoice_path = "/product-orders/dispatch"
    create_path = "/external/v2/products"
    secret_keys = ("client_secret",)
    missing_unit = "2099010199999999"
    cancelled_reason = "상품주문 상태"  # 104442: "상품주문 상태를 확인해 주세요. (현재 상태: CANCELED)"

    def ship_units(self, server: SandboxServer) -> set[str]:
        return {i["productOrderId"] for i in server.simulator.store.all("product_order")}

    def _edit(self, server: SandboxServer, unit: str, change: Any) -> None:
        store = server.simulator.store
        item = store.get("product_order", unit)
        change(item)
        store.put("product_order", unit, item)

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        from mallbatch.sandbox.smartstore_data import touch
        self._edit(server, unit, lambda item: touch(item, item["lastChangedType"], moment))

    def cancel(self, server: SandboxServer, unit: str) -> None:
        def cancelled(item: dict[str, Any]) -> None:
            item["detail"]["productOrder"].update(productOrderStatus="CANCELED", claimType="CANCEL", claimStatus="CANCEL_DONE")
        self._edit(server, unit, cancelled)

    def page_size(self, server: SandboxServer) -> int:
        return 300  # limitCount: at most 300 changes per page (reference §2.5)

    def listing(self, code: str) -> ProductListing:
        return smartstore_listing(code)

    def expire_token(self, server: SandboxServer) -> str | None:
        server.simulator.expire_tokens()
        return None

    def bad_credentials(self) -> dict[str, str]:
        return {"client_secret": bcrypt.gensalt(4, prefix=b"2a").decode()}  # a valid salt, not the app's

    def token(self, server: SandboxServer) -> str:
        creds = self.credentials
        form = smartstore_token_form(creds["client_id"], creds["client_secret"], int(time.time() * 1000))
        return str(httpx.post(f"{server.url}{SMARTSTORE_API}/oauth2/token", data=form).json()["access_token"])

    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        return httpx.request(method, f"{server.url}{path}", params=params, json=body,
                             headers={"Authorization": f"Bearer {self.token(server)}"})

    def raw_long_window(self, server: SandboxServer) -> httpx.Response:
        now = datetime.now(KST)
        stamp = lambda moment: moment.isoformat(timespec="milliseconds")  # noqa: E731
        params = {"lastChangedFrom": stamp(now - timedelta(hours=25)), "lastChangedTo": stamp(now)}
        return self.raw(server, "GET", f"{SMARTSTORE_ORDERS}/last-changed-statuses", params)

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> httpx.Response:
        return self.raw(server, "POST", f"{SMARTSTORE_ORDERS}/confirm", body={"productOrderIds": units})

    def error_body(self, message: str) -> bytes:
        return _json({"code": "BAD_REQUEST", "message": message, "timestamp": "2026-01-01T00:00:00.000+09:00", "traceId": "t"})

    stock_path = "/option-stock"

    def _origin(self, server: SandboxServer, product_id: str) -> dict[str, Any]:
        return server.simulator.store.get("product", product_id)["originProduct"]

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        origin = self._origin(server, product_id)
        if not option:
            return int(origin["stockQuantity"])
        combos = origin["detailAttribute"]["optionInfo"]["optionCombinations"]
        return next(int(c["stockQuantity"]) for c in combos
                    if tuple(c.get(f"optionName{i}") for i in range(1, len(option) + 1)) == option)

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        """What the buyer pays: Naver's salePrice less a WON immediate discount."""
        origin = self._origin(server, product_id)
        method = ((origin.get("customerBenefit") or {}).get("immediateDiscountPolicy") or {}).get("discountMethod") or {}
        return int(origin["salePrice"]) - (int(method.get("value") or 0) if method.get("unitType") == "WON" else 0)

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        return bool(server.simulator.on_sale(server.simulator.store.get("product", product_id)))

    # --- claims: the simulator's own controls and its stored product orders -----------------------
    def open_claim(self, server: SandboxServer, unit: str, kind: str) -> None:
        server.simulator.open_claim(unit, kind)

    def claim_step(self, server: SandboxServer, unit: str, kind: str) -> str:
        from mallbatch.sandbox.smartstore_claims import KINDS, case_of
        case = case_of(server.simulator.store.get("product_order", unit))
        assert case is not None and case.kind is KINDS[kind], f"no {kind} claim on {unit}"
        return str(case.step)

    def actions_applied(self, server: SandboxServer, unit: str, kind: str) -> int:
        return server.simulator.store.audit_counts(f"claim.{kind}").get(unit, 0)

    def deliver(self, server: SandboxServer, unit: str) -> None:
        server.simulator.deliver(unit)

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        return server.simulator.store.get("product_order", unit)["detail"]["productOrder"]["productOrderStatus"] == "CANCELED"

    def courier_returns(self, server: SandboxServer, unit: str) -> None:
        """스마트스토어 has no seller 수거완료 of a return: Naver marks it when the courier's pickup arrives."""
        server.simulator.pickup(unit)


# --- 위메프 -------------------------------------------------------------------------------------
class Wemakeprice(Harness):
    mall = "wemakeprice"
    list_path = "/getOrderList"
    confirm_path = "/setOrderConfirm"
    invoice_path = "/setOrderDelivery"
    create_path = "/product/in/setProduct"
    secret_keys = ("api_key",)
    auth_header = "apiKey"
    missing_unit = "4999999999"
    cancelled_reason = "취소"
    small_page = 3

    def ship_units(self, server: SandboxServer) -> set[str]:
        return {str(b["bundleNo"]) for b in server.simulator.store.all("bundle")}

    def _edit(self, server: SandboxServer, unit: str, **fields: Any) -> None:
        store = server.simulator.store
        store.put("bundle", unit, {**store.get("bundle", unit), **fields})

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        stamp = moment.strftime("%Y-%m-%d %H:%M:%S")
        self._edit(server, unit, payDate=stamp, orderDate=stamp)

    def cancel(self, server: SandboxServer, unit: str) -> None:
        delivery = server.simulator.store.get("bundle", unit)["delivery"]
        self._edit(server, unit, delivery={**delivery, "shipStatus": "CANCEL"})

    def page_size(self, server: SandboxServer) -> int:
        server.simulator.page_size = self.small_page  # the simulator's page size is its own (invented paging)
        return self.small_page

    CLAIM_TYPES: ClassVar[dict[str, str]] = {"cancel": "CANCEL", "return": "RETURN", "exchange": "EXCHANGE"}

    def open_claim(self, server: SandboxServer, unit: str, kind: str) -> None:
        answer = httpx.post(f"{server.url}/_sandbox/claim", json={"bundleNo": int(unit), "claimType": self.CLAIM_TYPES[kind]})
        assert answer.status_code == 200, answer.text

    def _claim(self, server: SandboxServer, unit: str, kind: str) -> dict[str, Any]:
        from mallbatch.sandbox.wemakeprice_claims import CLAIM_TYPES
        found = [c for c in server.simulator.store.all("claim")
                 if str(c["bundleNo"]) == unit and c["claimType"] == CLAIM_TYPES[self.CLAIM_TYPES[kind]]]
        assert found, f"no {kind} claim on {unit}"
        return found[-1]

    def claim_step(self, server: SandboxServer, unit: str, kind: str) -> str:
        from mallbatch.sandbox.wemakeprice_claims import case_of
        return str(case_of(self._claim(server, unit, kind)).step)

    def actions_applied(self, server: SandboxServer, unit: str, kind: str) -> int:
        no = str(self._claim(server, unit, kind)["claimBundleNo"])
        store = server.simulator.store
        ops = ("claim.approve", "claim.reject", "claim.pending", "claim.pickup_complete", "claim.delivery")
        return sum(store.audit_counts(op).get(no, 0) for op in ops)

    def deliver(self, server: SandboxServer, unit: str) -> None:
        answer = httpx.post(f"{server.url}/_sandbox/deliver", json={"bundleNo": int(unit)})
        assert answer.status_code == 200, answer.text

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        return server.simulator.unit_of(unit).cancelled

    def listing(self, code: str) -> ProductListing:
        return wemakeprice_listing(code)

    def expire_token(self, server: SandboxServer) -> str | None:
        return "위메프 W-API authenticates with one fixed apiKey header; there is no access token to expire"

    def bad_credentials(self) -> dict[str, str]:
        return {"api_key": "0" * 128}

    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        return httpx.request(method, f"{server.url}{path}", params=params, json=body,
                             headers={"apiKey": self.credentials["api_key"]})

    def raw_long_window(self, server: SandboxServer) -> httpx.Response:
        body = {"fromDate": "2024-01-01 00:00:00", "toDate": "2024-01-02 00:00:01", "type": "NEW", "searchDateType": "NEW"}
        return self.raw(server, "POST", "/order/out/getOrderList", body=body)

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> httpx.Response:
        return self.raw(server, "POST", "/order/in/setOrderConfirm", body={"bundleNo": [int(u) for u in units]})

    def error_body(self, message: str) -> bytes:
        return _json({"resultCode": 400, "data": None, "error": message})

    stock_path = "/product/in/setProductSale"

    def _sale(self, server: SandboxServer, product_id: str) -> dict[str, Any]:
        return server.simulator.store.get("product", product_id)["payload"]["sale"]

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        """The product's sale.stockCount; 위메프 keeps no stock per option (ListingRules.option_stock=False)."""
        if option:
            raise ValueError(f"위메프 has no per-option stock (asked for {'/'.join(option)})")
        return int(self._sale(server, product_id)["stockCount"])

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        return int(self._sale(server, product_id)["salePrice"])

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        return server.simulator.on_sale(server.simulator.store.get("product", product_id))


# --- 11번가 -------------------------------------------------------------------------------------
ELEVENST_NS = "http://skt.tmall.business.openapi.spring.service.client.domain/"


def elevenst_path_time(moment: datetime) -> str:
    """yyyyMMddHHmm in KST, as 11번가's path windows take it (reference §3.1)."""
    return moment.astimezone(KST).strftime("%Y%m%d%H%M")


class Elevenst(Harness):
    mall = "11st"
    list_path = "/ordservices/complete/"
    confirm_path = "/ordservices/reqpackaging/"
    invoice_path = "/ordservices/reqdelivery/"
    create_path = "/prodservices/product"
    secret_keys = ("openapikey",)
    auth_header = "openapikey"
    missing_unit = "499999999"
    cancelled_reason = "취소"
    error_type = "text/xml;charset=EUC-KR"

    def _lines(self, server: SandboxServer, unit: str) -> list[dict[str, Any]]:
        store = server.simulator.store
        return [line for key in store.get("box", unit)["lines"] if (line := store.get("line", key)) is not None]

    def _put(self, server: SandboxServer, line: dict[str, Any]) -> None:
        server.simulator.store.put("line", f"{line['ordNo']}-{line['ordPrdSeq']}", line)

    def ship_units(self, server: SandboxServer) -> set[str]:
        return {str(line["dlvNo"]) for line in server.simulator.store.all("line")}

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        from mallbatch.sandbox.elevenst_data import minutes, stamp
        when = stamp(moment.astimezone(KST).replace(tzinfo=None))
        for line in self._lines(server, unit):
            line.update(ordDt=when, ordStlEndDt=when, listAt=minutes(when))
            self._put(server, line)

    def cancel(self, server: SandboxServer, unit: str) -> None:
        """Every line of the box 취소완료 by the buyer: ordPrdStat 701 and a 02 record in the cancel list."""
        from mallbatch.sandbox.elevenst_data import CANCELLED, make_cancel, now_kst, stamp
        store = server.simulator.store
        for line in self._lines(server, unit):
            record = make_cancel(store.next_id, line, "02", stamp(now_kst()))
            store.put("cancel", record["ordPrdCnSeq"], record)
            line.update(ordPrdStat=CANCELLED, _claim="cancel", _cancels=[*line.get("_cancels", []), record["ordPrdCnSeq"]])
            self._put(server, line)

    def page_size(self, server: SandboxServer) -> int | str:
        return "11번가 order lists have no paging: one answer holds every line of its ≤ 7-day path window (reference §3.2)"

    def listing(self, code: str) -> ProductListing:
        return elevenst_listing(code)

    def expire_token(self, server: SandboxServer) -> str | None:
        return "11번가 authenticates with one fixed openapikey header; there is no access token to expire"

    def bad_credentials(self) -> dict[str, str]:
        return {"openapikey": "0" * 32}

    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        return httpx.request(method, f"{server.url}{path}", params=params, content=body,
                             headers={"openapikey": self.credentials["openapikey"]})

    def raw_long_window(self, server: SandboxServer) -> httpx.Response:
        now = datetime.now(KST)
        start, end = elevenst_path_time(now - timedelta(days=8)), elevenst_path_time(now)
        return self.raw(server, "GET", f"/ordservices/complete/{start}/{end}")

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> httpx.Response | str:
        return ("11번가 발주확인 (reqpackaging) names one line (ordNo/ordPrdSeq/…/dlvNo) in its path: "
                "one call cannot hold more than one")

    def refused(self, response: httpx.Response) -> bool:
        """11번가 refuses a list call with HTTP 200 and a non-zero result_code (the simulator's convention)."""
        from defusedxml.ElementTree import fromstring
        text = response.content.decode("euc_kr")
        root = fromstring(text[text.index("?>") + 2:])
        code = root.findtext(f"{{{ELEVENST_NS}}}result_code") or root.findtext("result_code")
        return response.status_code == 200 and code not in (None, "0")

    def audit(self, server: SandboxServer, op: str) -> dict[str, int]:
        """11번가's simulator audits order writes per line: a box counts n when each of its lines was applied n times."""
        counts = server.simulator.store.audit_counts(op)
        if op not in ("order.confirm", "invoice.send"):
            return counts
        by_unit: dict[str, list[int]] = {}
        for line in server.simulator.store.all("line"):
            by_unit.setdefault(str(line["dlvNo"]), []).append(counts.get(f"{line['ordNo']}-{line['ordPrdSeq']}", 0))
        return {unit: n[0] if len(set(n)) == 1 else -1 for unit, n in by_unit.items() if any(n)}  # -1: lines differ

    def confirm_calls(self, server: SandboxServer, units: list[str], batch: int) -> int:
        return sum(len(self._lines(server, unit)) for unit in units)  # one call per line of each box

    # 11번가 claims and cancels are per line (ordNo + ordPrdSeq): a claim is opened on one line of the box
    def _claim_of(self, server: SandboxServer, unit: str, kind: str) -> dict[str, Any]:
        store = server.simulator.store
        found = [c for c in store.all("cancel" if kind == "cancel" else "claim")
                 if c["dlvNo"] == unit and (kind == "cancel" or c["_kind"] == kind)]
        assert found, f"no {kind} claim on {unit}"
        return found[-1]

    def open_claim(self, server: SandboxServer, unit: str, kind: str) -> None:
        response = httpx.post(f"{server.url}/_sandbox/claim", json={"unit": unit, "kind": kind}, timeout=30)
        assert response.status_code == 200, response.text

    def claim_step(self, server: SandboxServer, unit: str, kind: str) -> str:
        from mallbatch.sandbox.elevenst_claims import case_of
        from mallbatch.sandbox.engine.orders import Claim
        return str(case_of(Claim(kind), self._claim_of(server, unit, kind)).step)

    def actions_applied(self, server: SandboxServer, unit: str, kind: str) -> int:
        claim = self._claim_of(server, unit, kind)
        counts = server.simulator.store.audit_counts(f"claim.{kind}")
        return counts.get(claim["ordPrdCnSeq"] if kind == "cancel" else claim["clmReqSeq"], 0)

    def deliver(self, server: SandboxServer, unit: str) -> None:
        with server.simulator.store.transaction():
            server.simulator.deliver(unit)

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        """11번가 cancels one line (판매불가, an approved cancel), never the box: every line of ``unit`` that a
        cancel names is cancelled, and there is one."""
        from mallbatch.sandbox.elevenst_data import CANCELLED
        named = [line for line in self._lines(server, unit) if line.get("_cancels")]
        return bool(named) and all(line["ordPrdStat"] == CANCELLED for line in named)

    stock_path = "/prodservices/stockqty/"

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        """One option's stckQty (its 재고번호, registered with the values joined by "/"); for the whole
        product the one count all its 재고번호 hold (11번가 keeps stock per 재고번호 only)."""
        entries = server.simulator.store.get("product", product_id)["options"]
        counts = {int(e["stckQty"]) for e in entries if not option or e["mixDtlOptNm"] == "/".join(option)}
        assert len(counts) == 1, f"재고번호 of {product_id} {option} hold different stock: {counts}"
        return counts.pop()

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        return int(server.simulator.store.get("product", product_id)["selPrc"])

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        return bool(server.simulator.on_sale(server.simulator.store.get("product", product_id)))

    def error_body(self, message: str) -> bytes:
        return (f'<?xml version="1.0" encoding="EUC-KR" standalone="yes"?><ns2:ResultOrder xmlns:ns2="{ELEVENST_NS}">'
                f"<result_code>-100</result_code><result_text>{escape(message)}</result_text></ns2:ResultOrder>"
                ).encode("euc_kr", errors="xmlcharrefreplace")


# --- Wish ---------------------------------------------------------------------------------------
def wish_token(server: SandboxServer) -> str:
    """An access token got by hand through the documented authorization-code flow (reference §3.1)."""
    creds = sandbox_credentials("wish")
    page = httpx.get(f"{server.url}/v3/oauth/authorize", params={"client_id": creds["client_id"], "state": "s",
                                                                "redirect_uri": creds["redirect_uri"]})
    code = parse_qs(urlsplit(page.headers["Location"]).query)["code"][0]
    form = {"client_id": creds["client_id"], "client_secret": creds["client_secret"], "code": code,
            "grant_type": "authorization_code", "redirect_uri": creds["redirect_uri"]}
    return str(httpx.post(f"{server.url}/api/v3/oauth/access_token", data=form).json()["data"]["access_token"])


class Wish(Harness):
    mall = "wish"
    list_path = "/order/multi-get"
    confirm_path = "/order/fulfill-one"  # no 발주확인 at Wish: the suite's first order write is the invoice
    invoice_path = "/order/fulfill-one"
    create_path = "/api/v2/product/add"
    secret_keys = ("client_secret",)
    missing_unit = "5E000000ffffffffffffffff"
    cancelled_reason = "취소"  # 1009: "환불·취소된 주문이거나 …"
    courier = "EPOST"  # KoreaPost
    stock_path = "/variant/update-inventory"

    def ship_units(self, server: SandboxServer) -> set[str]:
        return {o["order_id"] for o in server.simulator.store.all("order")}

    def _edit(self, server: SandboxServer, unit: str, **fields: Any) -> None:
        store = server.simulator.store
        store.put("order", unit, {**store.get("order", unit), **fields})

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        self._edit(server, unit, order_time=stamp, last_updated=stamp, released_to_merchant_time=stamp)

    def cancel(self, server: SandboxServer, unit: str) -> None:
        """Wish refunds the buyer's cancel itself (no claim for the seller): the order's state, changed now."""
        self._edit(server, unit, state="REFUNDED", last_updated=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"))

    def page_size(self, server: SandboxServer) -> int:
        return 100  # the connector asks limit=100 (v2 SDKs ask 50-100); the simulator answers what is asked

    def listing(self, code: str) -> ProductListing:
        return wish_listing(code)

    def expire_token(self, server: SandboxServer) -> str | None:
        server.simulator.expire_tokens()
        return None

    def bad_credentials(self) -> dict[str, str]:
        return {"client_id": "0" * 24}  # not the app: the authorize page refuses it

    def sent_credentials(self, seen: Any) -> list[str]:
        """v2 calls carry the token as the access_token parameter (reference §3.1), v3 calls a Bearer header."""
        query = parse_qs(urlsplit(seen.target).query)
        return query.get("access_token", []) + super().sent_credentials(seen)

    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        token = wish_token(server)
        if path.startswith("/api/v2/"):
            return httpx.request(method, f"{server.url}{path}", params={**(params or {}), "access_token": token}, data=body)
        return httpx.request(method, f"{server.url}{path}", params=params, json=body, headers={"Authorization": f"Bearer {token}"})

    def raw_long_window(self, server: SandboxServer) -> str:
        return "Wish order/multi-get takes any since/upto range (the reference states no limit)"

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> str:
        return "Wish has no 발주확인, and fulfill-one names one order id per call"

    def error_body(self, message: str) -> bytes:
        return _json({"code": 1000, "data": None, "message": message})

    def deliver(self, server: SandboxServer, unit: str) -> None:
        server.simulator.deliver(unit)

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        return server.simulator.store.get("order", unit)["state"] == "REFUNDED"

    def _variants(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> list[dict[str, Any]]:
        variants = server.simulator.store.get("product", product_id)["variants"]
        return [v for v in variants if not option or tuple(x for x in (v["color"], v["size"]) if x) == option]

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        """Wish keeps stock per variant: the product's is the one count all its variants hold."""
        counts = {int(v["inventory"]) for v in self._variants(server, product_id, option)}
        assert len(counts) == 1, f"variants of {product_id} hold different stock: {counts}"
        return counts.pop()

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        return round(min(float(v["price"]) for v in self._variants(server, product_id, ())))

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        return server.simulator.store.get("product", product_id)["enabled"] != "False"

    def _control(self, server: SandboxServer, what: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(f"{server.url}/_sandbox/{what}", json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def open_ticket(self, server: SandboxServer, kind: str, locale: str = "en") -> str:
        return str(self._control(server, "ticket", {"type": kind, "locale": locale})["id"])

    def customer_replies(self, server: SandboxServer, ticket_id: str) -> None:
        self._control(server, "ticket/reply", {"id": ticket_id})

    def age_ticket(self, server: SandboxServer, ticket_id: str, hours: float) -> None:
        self._control(server, "ticket/age", {"id": ticket_id, "hours": hours})

    def close_for_good(self, server: SandboxServer, ticket_id: str) -> None:
        self._control(server, "ticket/permanently_close", {"id": ticket_id})

    def ticket_state(self, server: SandboxServer, ticket_id: str) -> str:
        return str(server.simulator.store.get("ticket", ticket_id)["state"])

    def ticket_actions(self, server: SandboxServer, ticket_id: str) -> int:
        store = server.simulator.store
        ops = ("ticket.reply", "ticket.close", "ticket.appeal", "ticket.reopen", "ticket.refund")
        return sum(store.audit_counts(op).get(ticket_id, 0) for op in ops)


# --- products each mall accepts (also used by the per-mall tests) -----------------------------
PLACE = Address("06236", "서울특별시 강남구 테헤란로 152", "12층")


def coupang_listing(code: str = "GOGUMA-01", **changes: Any) -> ProductListing:
    ship = ShippingInfo("기본배송", "묶음배송", "일반-택배배송", "무료", 0, 0, 3000, 5000, "선결제", 3000, 6000, PLACE, PLACE, 2)
    base = ProductListing(
        seller_code=code, name="국내산 햇 고구마", on_sale=True, category_path=("식품", "채소", "고구마"), mall_category="58920",
        model_name="", model_no="", maker="해남농협", brand="해남", made_on=None, expires_on=None, origin="국내산",
        origin_detail="전남 해남", certifications=(), notice_group="농수축산물", notice={"품목 또는 명칭": "고구마"},
        keywords=("고구마", "꿀고구마"), detail_html="<p>달콤한 고구마</p>", main_image="https://img.example/1.jpg",
        extra_images=("https://img.example/2.jpg",), cost_price=8000, list_price=20000, sale_price=15900, tax_type="면세",
        sale_region="전국", adult_only=False, sale_start=date(2025, 1, 1), sale_end=date(2099, 12, 31),
        option_type="조합형", option_names=("중량",), options=(OptionCombo(("3kg",), 0, 10), OptionCombo(("5kg",), 7000, 5)),
        stock=15, shipping=ship, group="기본",
    )
    return replace(base, **changes)


def smartstore_listing(code: str = "SKU-001", **changes: Any) -> ProductListing:
    ship = ShippingInfo("기본배송", "묶음배송", "일반-택배배송", "조건부 무료", 3000, 30000, 3000, 5000, "선결제",
                        3000, 6000, PLACE, PLACE, 2)
    base = ProductListing(
        seller_code=code, name="남성 기모 조거팬츠", on_sale=True, category_path=("패션의류", "남성의류", "바지"),
        mall_category="50000836", model_name="JG-01", model_no="JG01", maker="한빛섬유", brand="한빛", made_on=None,
        expires_on=None, origin="국산", origin_detail="", certifications=(), notice_group="WEAR",
        notice={"소재": "면 80%, 폴리 20%"}, keywords=("조거팬츠", "기모바지"), detail_html="<p>따뜻한 기모 조거팬츠</p>",
        main_image="https://shop-phinf.pstatic.net/sample.jpg", extra_images=(), cost_price=9000, list_price=29000,
        sale_price=24900, tax_type="과세", sale_region="전국", adult_only=False, sale_start=date(2026, 1, 1),
        sale_end=date(2099, 12, 31), option_type="조합형", option_names=("색상", "사이즈"),
        options=(OptionCombo(("블랙", "M"), 0, 10), OptionCombo(("블랙", "L"), 0, 5), OptionCombo(("그레이", "XL"), 1000, 3)),
        stock=18, shipping=ship, group="기본",
    )
    return replace(base, **changes)


def wemakeprice_listing(code: str = "WMP-TEST-1", **changes: Any) -> ProductListing:
    ship = ShippingInfo("기본 택배배송", "상품별배송", "일반-택배배송", "유료", 3000, 50000, 3000, 5000,
                        "선결제", 3000, 6000, PLACE, PLACE, 2)
    base = ProductListing(
        seller_code=code, name="위메프 테스트 상품", on_sale=True, category_path=("가전", "주방"),
        mall_category="1001234", model_name="GR-1", model_no="GR-1-2020", maker="테스트전자", brand="테스트",
        made_on=None, expires_on=None, origin="국산", origin_detail="", certifications=(
            Certification("전기용품 안전인증", "한국기계전기전자시험연구원", "HU07001-20001"),),
        notice_group="35", notice={"품명 및 모델명": "GR-1"}, keywords=("가스레인지",), detail_html="<p>상세</p>",
        main_image="https://img.example.com/a.jpg", extra_images=(), cost_price=100000, list_price=250000,
        sale_price=230000, tax_type="과세", sale_region="전국", adult_only=False, sale_start=date(2024, 1, 1),
        sale_end=date(2099, 12, 31), option_type="조합형", option_names=("색상",),
        options=(OptionCombo(("옐로우",), 0, 5), OptionCombo(("화이트",), 0, 5)), stock=10, shipping=ship,
        group="위메프",
    )
    return replace(base, **changes)


def elevenst_listing(code: str = "APPLE-5", **changes: Any) -> ProductListing:
    """A listing 11번가 accepts: 상품명 ≤ 50 EUC-KR bytes, 10원-unit price, EUC-KR text, numeric category."""
    address = Address("13529", "경기도 성남시 분당구 판교역로 235", "7층")
    ship = ShippingInfo("기본배송", "상품별배송", "일반-택배배송", "유료", 3000, 0, 3000, 5000, "선결제", 3000, 6000,
                        address, address, 3)
    base = ProductListing(
        seller_code=code, name="국내산 햇 사과 5kg", on_sale=True, category_path=("식품",), mall_category="1001234",
        model_name="AP-5", model_no="", maker="사과농원", brand="사과농원", made_on=None, expires_on=None,
        origin="국내산", origin_detail="경북 청송", certifications=(), notice_group="", notice={}, keywords=(),
        detail_html="<p>아삭한 햇 사과</p>", main_image="https://example.com/a.jpg", extra_images=(),
        cost_price=20000, list_price=35000, sale_price=29900, tax_type="면세", sale_region="전국", adult_only=False,
        sale_start=date(2025, 1, 1), sale_end=date(2099, 12, 31), option_type="조합형",
        option_names=("구성",), options=(OptionCombo(("5kg",), 0, 10), OptionCombo(("10kg",), 20000, 5)),
        stock=15, shipping=ship, group="11번가 기본",
    )
    return replace(base, **changes)


# --- 아임웹 -------------------------------------------------------------------------------------
IMWEB_SHOP = "/v2/shop"


class Imweb(Harness):
    mall = "imweb"
    list_path = "/v2/shop/orders?"
    confirm_path = "/place"
    invoice_path = "/send"
    create_path = "/v2/shop/products"
    secret_keys = ("key", "secret")
    auth_header = "access-token"
    missing_unit = "209901019999999"
    cancelled_reason = "취소"
    small_page = 3
    KINDS: ClassVar[dict[str, str]] = {"cancel": "CANCEL", "return": "RETURN", "exchange": "EXCHANGE"}

    def ship_units(self, server: SandboxServer) -> set[str]:
        return {o["order_no"] for o in server.simulator.store.all("order")}

    def _prod_orders(self, server: SandboxServer, unit: str) -> list[dict[str, Any]]:
        store = server.simulator.store
        return [store.get("prod_order", n) for n in store.get("order", unit)["_prod_orders"]]

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        store, stamp = server.simulator.store, int(moment.timestamp())
        store.put("order", unit, {**store.get("order", unit), "order_time": stamp})
        for prod_order in self._prod_orders(server, unit):
            store.put("prod_order", prod_order["order_no"], {**prod_order, "pay_time": stamp})

    def cancel(self, server: SandboxServer, unit: str) -> None:
        for prod_order in self._prod_orders(server, unit):
            server.simulator.store.put("prod_order", prod_order["order_no"], {**prod_order, "status": "CANCEL"})

    def page_size(self, server: SandboxServer) -> int:
        server.simulator.page_size = self.small_page  # the simulator's page size is its own (invented)
        return self.small_page

    def listing(self, code: str) -> ProductListing:
        return imweb_listing(code)

    def expire_token(self, server: SandboxServer) -> str | None:
        server.simulator.expire_tokens()
        return None

    def bad_credentials(self) -> dict[str, str]:
        return {"secret": "not-the-secret"}

    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        creds = self.credentials
        token = httpx.post(f"{server.url}/v2/auth", json={"key": creds["key"], "secret": creds["secret"]}).json()["access_token"]
        return httpx.request(method, f"{server.url}{path}", params=params, json=body,
                             headers={"access-token": token, "version": "latest"})

    def raw_long_window(self, server: SandboxServer) -> httpx.Response:
        now = int(time.time())
        params = {"order_date_from": now - 40 * 86400, "order_date_to": now, "status": "PAY_COMPLETE"}
        return self.raw(server, "GET", f"{IMWEB_SHOP}/orders", params)

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> httpx.Response:
        return self.raw(server, "PATCH", f"{IMWEB_SHOP}/orders/{','.join(units)}/place", body={})

    def error_body(self, message: str) -> bytes:
        return _json({"code": -10, "msg": message})

    def open_claim(self, server: SandboxServer, unit: str, kind: str) -> None:
        answer = httpx.post(f"{server.url}/_sandbox/claim", json={"unit": unit, "kind": kind}, timeout=30)
        assert answer.status_code == 200, answer.text

    def _claim(self, server: SandboxServer, unit: str, kind: str) -> dict[str, Any]:
        found = server.simulator.store.get("claim", f"{unit}:{self.KINDS[kind]}")
        assert found is not None, f"no {kind} claim on {unit}"
        return found

    def claim_step(self, server: SandboxServer, unit: str, kind: str) -> str:
        return str(self._claim(server, unit, kind)["step"])

    def actions_applied(self, server: SandboxServer, unit: str, kind: str) -> int:
        return server.simulator.store.audit_counts(f"claim.{kind}").get(self._claim(server, unit, kind)["id"], 0)

    def deliver(self, server: SandboxServer, unit: str) -> None:
        answer = httpx.post(f"{server.url}/_sandbox/deliver", json={"order_no": unit}, timeout=30)
        assert answer.status_code == 200, answer.text

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        return all(p["status"] == "CANCEL" for p in self._prod_orders(server, unit))

    stock_path = "/v2/shop/products/"  # PATCH of a product or of one option detail (read-backs use the list)

    def _product(self, server: SandboxServer, product_id: str) -> dict[str, Any]:
        return server.simulator.store.get("product", product_id)

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        """One combination's stock (its options-details entry), or the product's own (stock_no_option)."""
        product = self._product(server, product_id)
        if not option:
            return int(product["stock"]["stock_no_option"])
        return next(int(d["stock"]) for d in product["_details"] if tuple(d["value_name_list"]) == option)

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        return int(self._product(server, product_id)["price"])

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        return self._product(server, product_id)["prod_status"] == "sale"


def imweb_listing(code: str = "IMWEB-1", **changes: Any) -> ProductListing:
    return smartstore_listing(code, name="아임웹 린넨 셔츠", **changes)


def wish_listing(code: str = "WISH-1", **changes: Any) -> ProductListing:
    """A listing Wish accepts: an image URL, at most two options (a variant's colour and size)."""
    return wemakeprice_listing(code, **{"name": "Silver Heart Necklace", "group": "Wish", "sale_price": 23000,
                                        "list_price": 30000, "cost_price": 10000, **changes})


# --- 티몬 -------------------------------------------------------------------------------------
class Tmon(Harness):
    """티몬: ship unit "tmonOrderNo-deliveryNo" (one deal), claims searched only up to 30 minutes ago."""

    mall = "tmon"
    list_path = "/orders?"
    confirm_path = "/confirm"
    invoice_path = "/invoices"
    create_path = "/api/V0001234/deals"  # the sandbox's vendorId (mallbatch.sandbox.tmon.VENDOR_ID)
    secret_keys = ("client_secret", "aes_key")
    missing_unit = "209912319999-99999999"
    cancelled_reason = "취소"
    KINDS: ClassVar[dict[str, str]] = {"cancel": "C", "return": "R", "exchange": "E"}

    def _order_deal(self, server: SandboxServer, unit: str) -> tuple[dict[str, Any], dict[str, Any]]:
        order_no, _, delivery_no = unit.partition("-")
        order = server.simulator.store.get("order", order_no)
        return order, next(d for d in order["deals"] if str(d["deliveryNo"]) == delivery_no)

    def ship_units(self, server: SandboxServer) -> set[str]:
        return {f"{o['tmonOrderNo']}-{d['deliveryNo']}" for o in server.simulator.store.all("order") for d in o["deals"]}

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        order, _ = self._order_deal(server, unit)
        stamp = moment.astimezone(KST).strftime("%Y-%m-%dT%H:%M:%S")
        server.simulator.store.put("order", str(order["tmonOrderNo"]), {**order, "orderDate": stamp, "depositDate": stamp})

    def cancel(self, server: SandboxServer, unit: str) -> None:
        order, deal = self._order_deal(server, unit)
        deal.update(claimType="C", claimStatus="C3")
        server.simulator.store.put("order", str(order["tmonOrderNo"]), order)

    def page_size(self, server: SandboxServer) -> int | str:
        return "티몬 order search has no paging: one answer (a bare JSON array) holds every order of its window (reference §2.2)"

    def listing(self, code: str) -> ProductListing:
        return smartstore_listing(code, name="티몬 기모 조거팬츠")

    def expire_token(self, server: SandboxServer) -> str | None:
        server.simulator.expire_tokens()
        return None

    def bad_credentials(self) -> dict[str, str]:
        return {"client_secret": "not-the-secret"}

    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        creds = self.credentials
        basic = base64.b64encode(f"{creds['client_id']}:{creds['client_secret']}".encode()).decode()
        answer = httpx.post(f"{server.url}/oauth/token?grant_type=client_credentials", headers={"Authorization": f"Basic {basic}"}).json()
        return httpx.request(method, f"{server.url}/api/{answer['vendorId']}{path}", params=params, json=body,
                             headers={"Authorization": f"Bearer {answer['access_token']}"})

    def raw_long_window(self, server: SandboxServer) -> httpx.Response:
        now = datetime.now(KST)
        fmt = "%Y-%m-%dT%H:%M:%S"
        params = {"startDate": (now - timedelta(days=8)).strftime(fmt), "endDate": now.strftime(fmt), "deliveryStatus": "D1"}
        return self.raw(server, "GET", "/orders", params)

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> httpx.Response | str:
        return ("티몬 발주확인 (PUT /orders/{tmonOrderNo}/confirm) names one order in its path and one deal "
                "(tmonDealNo) in its body: one call cannot hold more than one")

    def error_body(self, message: str) -> bytes:
        return _json({"error": "BAD_REQUEST", "message": message})

    def open_claim(self, server: SandboxServer, unit: str, kind: str) -> None:
        """The buyer opened it 40 minutes ago: 티몬's claim search ends at least 30 minutes back."""
        answer = httpx.post(f"{server.url}/_sandbox/claim", json={"unit": unit, "kind": kind}, timeout=30)
        assert answer.status_code == 200, answer.text
        store, claim = server.simulator.store, answer.json()
        stored = store.get("claim", str(claim["claimNo"]))
        stamp = (datetime.now(KST) - timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M:%S")
        store.put("claim", str(claim["claimNo"]), {**stored, "requestedDate": stamp})

    def _claim(self, server: SandboxServer, unit: str, kind: str) -> dict[str, Any]:
        order_no, _, delivery_no = unit.partition("-")
        found = [c for c in server.simulator.store.all("claim") if str(c["tmonOrderNo"]) == order_no
                 and str(c["deliveryNo"]) == delivery_no and c["claimType"] == self.KINDS[kind]]
        assert found, f"no {kind} claim on {unit}"
        return found[-1]

    def claim_step(self, server: SandboxServer, unit: str, kind: str) -> str:
        return str(self._claim(server, unit, kind)["_step"])

    def actions_applied(self, server: SandboxServer, unit: str, kind: str) -> int:
        return server.simulator.store.audit_counts("claim.action").get(str(self._claim(server, unit, kind)["claimNo"]), 0)

    def deliver(self, server: SandboxServer, unit: str) -> None:
        answer = httpx.post(f"{server.url}/_sandbox/deliver", json={"unit": unit}, timeout=30)
        assert answer.status_code == 200, answer.text

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        _, deal = self._order_deal(server, unit)
        return deal.get("claimType") == "C" and deal.get("claimStatus") == "C3"

    stock_path = "/options"

    def _deal(self, server: SandboxServer, product_id: str) -> dict[str, Any]:
        return server.simulator.store.get("product", product_id)

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        """One option's stock, or for the whole deal the one count all its options hold."""
        counts = {int(o["stock"]) for o in self._deal(server, product_id)["options"]
                  if not option or tuple(o["optionValues"]) == option}
        assert len(counts) == 1, f"options of {product_id} {option} hold different stock: {counts}"
        return counts.pop()

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        return int(self._deal(server, product_id)["salesPrice"])

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        return server.simulator.on_sale(self._deal(server, product_id))


def _json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


# --- G마켓 / 옥션 (ESM) -----------------------------------------------------------------------------
def esm_token(creds: dict[str, str], sites: str = "AG", secret: str | None = None) -> str:
    """An ESM JWT built by hand from reference §4.1 (stdlib HMAC), independent of the connector's PyJWT."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    ssi = ",".join(f"{s}:{creds['auction_seller_id' if s == 'A' else 'gmarket_seller_id']}" for s in sites)
    head = part({"typ": "JWT", "alg": "HS256", "kid": creds["master_id"]})
    body = part({"iss": "www.esmplus.com", "sub": "sell", "aud": "sa.esmplus.com", "iat": int(time.time()), "ssi": ssi})
    signature = hmac.new((secret or creds["esm_secret_key"]).encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


class EsmSite:
    """What the G마켓 and 옥션 harnesses share: one ESM simulator protocol, per site."""

    site: ClassVar[str]
    list_path = "/shipping/v1/Order/RequestOrders"
    confirm_path = "/shipping/v1/Order/OrderCheck/"
    invoice_path = "/shipping/v1/Delivery/ShippingInfo"
    create_path = "/item/v1/goods"
    secret_keys = ("esm_secret_key",)
    missing_unit = "3999999999"
    cancelled_reason = "취소"
    stock_path = "/stock"
    KINDS: ClassVar[dict[str, str]] = {"cancel": "cancel", "return": "return", "exchange": "exchange"}

    def _orders(self, server: SandboxServer) -> list[dict[str, Any]]:
        return [o for o in server.simulator.store.all("order") if o["Site"] == self.site]

    def ship_units(self, server: SandboxServer) -> set[str]:
        return {str(o["OrderNo"]) for o in self._orders(server)}

    def backdate(self, server: SandboxServer, unit: str, moment: datetime) -> None:
        store, text = server.simulator.store, moment.astimezone(KST).strftime("%Y-%m-%dT%H:%M:%S")
        store.put("order", unit, {**store.get("order", unit), "OrderDate": text, "PayDate": text})

    def cancel(self, server: SandboxServer, unit: str) -> None:
        store = server.simulator.store
        store.put("order", unit, {**store.get("order", unit), "_cancelled": True})

    def page_size(self, server: SandboxServer) -> int:
        server.simulator.page_size = 3  # the simulator's own (invented) page size
        return 3

    def expire_token(self, server: SandboxServer) -> str | None:
        return "ESM 은 호출마다 새 JWT 를 만들어 보냅니다 (만료되는 토큰이 없습니다)"

    def bad_credentials(self) -> dict[str, str]:
        return {"esm_secret_key": "0" * 32}

    def raw(self, server: SandboxServer, method: str, path: str, params: dict[str, Any] | None = None,
            body: Any = None) -> httpx.Response:
        token = esm_token(sandbox_credentials(self.mall))  # type: ignore[attr-defined]
        return httpx.request(method, f"{server.url}{path}", params=params, json=body, headers={"Authorization": f"Bearer {token}"})

    def raw_long_window(self, server: SandboxServer) -> httpx.Response:
        now = datetime.now(KST)
        days = 40 if self.site == "G" else 200
        body = {"siteType": 2 if self.site == "G" else 1, "orderStatus": 1, "requestDateType": 2,
                "requestDateFrom": (now - timedelta(days=days)).strftime("%Y-%m-%d %H:%M"), "requestDateTo": now.strftime("%Y-%m-%d %H:%M")}
        return self.raw(server, "POST", self.list_path, body=body)

    def raw_oversized_confirm(self, server: SandboxServer, units: list[str]) -> httpx.Response | str:
        return "OrderCheck 는 경로에 주문번호 하나를 담습니다 (reference §4.3)"

    def refused(self, response: httpx.Response) -> bool:
        """ESM refuses inside HTTP 200: ResultCode ≠ 0 (reference §4.2)."""
        return response.status_code == 200 and response.json().get("ResultCode") not in (0, None)

    def error_body(self, message: str) -> bytes:
        return _json({"ResultCode": 1000, "Message": message, "Data": None})

    def open_claim(self, server: SandboxServer, unit: str, kind: str) -> None:
        answer = httpx.post(f"{server.url}/_sandbox/claim", json={"unit": unit, "kind": kind}, timeout=30)
        assert answer.status_code == 200, answer.text

    def _claim(self, server: SandboxServer, unit: str, kind: str) -> dict[str, Any]:
        found = server.simulator.store.get("claim", f"{unit}:{kind}")
        assert found is not None, f"no {kind} claim on {unit}"
        return found

    def claim_step(self, server: SandboxServer, unit: str, kind: str) -> str:
        return str(self._claim(server, unit, kind)["_step"])

    def actions_applied(self, server: SandboxServer, unit: str, kind: str) -> int:
        return server.simulator.store.audit_counts(f"claim.{kind}").get(self._claim(server, unit, kind)["_id"], 0)

    def deliver(self, server: SandboxServer, unit: str) -> None:
        answer = httpx.post(f"{server.url}/_sandbox/deliver", json={"OrderNo": unit}, timeout=30)
        assert answer.status_code == 200, answer.text

    def line_cancelled(self, server: SandboxServer, unit: str) -> bool:
        return bool(server.simulator.store.get("order", unit)["_cancelled"])

    def _goods(self, server: SandboxServer, product_id: str) -> dict[str, Any]:
        return server.simulator.store.get("product", product_id)

    def _key(self) -> str:
        return "Gmkt" if self.site == "G" else "Iac"

    def stock_in(self, server: SandboxServer, product_id: str, option: tuple[str, ...]) -> int:
        return int(self._goods(server, product_id)["itemAddtionalInfo"]["stock"][self._key()])

    def price_in(self, server: SandboxServer, product_id: str) -> int:
        return int(self._goods(server, product_id)["itemAddtionalInfo"]["price"][self._key()])

    def on_sale_in(self, server: SandboxServer, product_id: str) -> bool:
        return bool(self._goods(server, product_id)["isSell"]["gmkt" if self.site == "G" else "iac"])

    def listing(self, code: str) -> ProductListing:
        return esm_listing(code)


class Gmarket(EsmSite, Harness):
    mall = "gmarket"
    site = "G"


class Auction(EsmSite, Harness):
    mall = "auction"
    site = "A"


def esm_listing(code: str = "ESM-1", **changes: Any) -> ProductListing:
    """A listing both ESM sites accept (no certifications, so no 경고)."""
    return smartstore_listing(code, **{"name": "ESM 기모 조거팬츠", "mall_category": "200001234", "maker": "", "brand": "", **changes})


HARNESSES: tuple[Harness, ...] = tuple(cls() for cls in Harness.__subclasses__())  # a new mall: one more class


def with_options(account: Account, **options: Any) -> Account:
    """``account`` with some options replaced (values resolved as config.toml would)."""
    return replace(account, options={**account.options, **{k: resolve_value(k, v, "test") for k, v in options.items()}})
