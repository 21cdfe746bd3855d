"""ESM Trading API simulator (G마켓 / 옥션, reference §4): one protocol for both sites, served once per
mall code (``GmarketSimulator``, ``AuctionSimulator``: each generates its own site's orders).

* Every call carries an HS256 JWT, checked here by hand (:mod:`.esm_jwt`); a bad one, or one without the
  seller id of the site asked, gets the no-permission 401 body of reference §4.1.
* Order, shipping and claim APIs answer HTTP 200 ``{"ResultCode", "Message", "Data"}`` (ResultCode ≠ 0 is a
  refusal, ``Data`` null); item APIs answer camelCase with ``resultCode``/``message`` beside their fields.
* RequestOrders / PreRequestOrders: one call per 5 s per seller id in the token (ResultCode 3000), order-number
  look-ups exempt; windows 31 days (G마켓) / 180 days (옥션); claims strictly under 7 days (2000); CS 7 days.
* The cancel list's trap: G마켓 is SiteType 3 there, and SiteType 2 silently answers no rows.
* OrderCheck answers ``IsChanged`` (1 when the buyer changed the address after paying); ShippingInfo wants a
  ShippingDate within 2 days of now; edits of a product right after its creation fail for a while.

Codes and wording the reference does not show are marked ``invented``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from mallbatch.sandbox import esm_data as sample
from mallbatch.sandbox.engine import claims, inquiries, orders
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.claims import Case, Step
from mallbatch.sandbox.engine.orders import Claim, Invoice, Line, Policy, Stage, Unit
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.esm_jwt import BadToken, verify
from mallbatch.sandbox.server import Request, Response, Simulator

KST = ZoneInfo("Asia/Seoul")

SANDBOX_CREDENTIALS: dict[str, str] = {
    "master_id": "mallbatch_master",
    "esm_secret_key": "5f0c1a9e7b3d4c2a8e6f1b0d9c7a5e3f",  # invented: a 32-hex sandbox secret
    "gmarket_seller_id": "gmkt_mallbatch",
    "auction_seller_id": "iac_mallbatch",
}
NO_PERMISSION = {"status": {"message": "The user does not have right access to the api", "status_code": 401}}  # §4.1
ORDER_LIST_SECONDS = 5.0  # reference §4.2: 1 call / 5 s per seller id
ORDER_WINDOWS = {"G": timedelta(days=31), "A": timedelta(days=180)}  # reference §4.3
CLAIM_WINDOW = timedelta(days=7)  # reference §4.4: strictly less (exactly 7 → 2000)
CS_WINDOW = timedelta(days=7)  # reference §4.5
SHIP_DATE_SLACK = timedelta(days=2)  # reference §4.3: ShippingDate within ~2 days of the call
EDIT_LOCK_SECONDS = 150.0  # reference §4.6: edits right after create fail for 2–3 minutes
ANSWER_BYTES = 1000  # reference §4.5: comments ≤ 1000 bytes; inferred: counted in UTF-8
SITE_OF_TYPE = {1: "A", 2: "G"}  # RequestOrders / Returns / Exchanges siteType (reference §4.3)
CANCEL_SITE_OF_TYPE = {1: "A", 3: "G"}  # Cancels: G마켓 is 3; 2 answers nothing (reference §4.4 quirk)
SITE_KEY = {"G": "gmkt", "A": "iac"}
COURIERS = frozenset({10013, 10007, 10008, 10003, 10005, 10022, 10023, 10036, 10031, 10039, 10143, 10070})  # §4.6
MAX_OPTION_VALUES = 50  # seed 001 / issue 13: at most 50 values per option name (invented: this refusal)
LIST_PATHS = ("/shipping/v1/Order/RequestOrders", "/shipping/v1/Order/PreRequestOrders")
READ_PATHS = frozenset({*LIST_PATHS, "/claim/v1/sa/Cancels", "/claim/v1/sa/Returns", "/claim/v1/sa/Exchanges",
                        "/item/v1/communications/customer/bulletin-board", "/item/v1/goods/search"})
POLICY = Policy(confirm_before_ship=True)
# invented: claim status numbers per engine step (the reference gives CancelStatus 0..6, ReturnStatus 1..6)
CLAIM_CODES: dict[str, dict[Step, int]] = {
    "cancel": {Step.REQUESTED: 1, Step.DONE: 3, Step.WITHDRAWN: 4, Step.REJECTED: 5},
    "return": {Step.REQUESTED: 1, Step.COLLECTING: 2, Step.COLLECTED: 3, Step.HELD: 4, Step.DONE: 5, Step.WITHDRAWN: 6,
               Step.REJECTED: 6},
    "exchange": {Step.REQUESTED: 1, Step.COLLECTING: 2, Step.COLLECTED: 3, Step.HELD: 4, Step.RESHIPPED: 5, Step.DONE: 6,
                 Step.APPROVED: 3, Step.WITHDRAWN: 7, Step.REJECTED: 7},
}
STATUS_FIELD = {"cancel": "CancelStatus", "return": "ReturnStatus", "exchange": "ExchangeStatus"}
# Engine refusals as ESM answers them: (ResultCode, Message). invented: the codes beyond 1000/2000/3000 and all wording.
REFUSED: dict[Code, tuple[int, str]] = {
    Code.CANCELLED: (3000, "취소된 주문입니다"),
    Code.PAST_STAGE: (3000, "주문 상태가 맞지 않습니다 (이미 처리된 주문입니다)"),
    Code.ALREADY_CONFIRMED: (3000, "이미 주문확인된 주문입니다"),
    Code.NOT_CONFIRMED: (3000, "주문확인(발주확인) 후에 발송처리할 수 있습니다"),
    Code.ALREADY_SHIPPED: (3000, "이미 발송처리된 주문입니다"),
    Code.SHIPPED_SAME: (3000, "이미 발송처리된 주문입니다"),
    Code.CANCEL_REQUESTED: (3000, "취소요청이 접수된 주문입니다. 취소승인 후 처리하세요"),
    Code.NOT_CLAIMABLE: (3000, "클레임을 처리할 수 없는 주문 상태입니다"),
    Code.ALREADY_ANSWERED: (3000, "이미 답변이 완료된 문의입니다"),
    Code.CLAIM_CLOSED: (3000, "이미 종료된 클레임입니다"),
    Code.CLAIM_STEP: (3000, "클레임 진행 상태가 맞지 않습니다"),
    Code.CLAIM_KIND: (3000, "클레임 종류가 맞지 않습니다"),
    Code.CLAIM_SAME: (3000, "이미 처리된 클레임입니다"),
    Code.NEEDS_INVOICE: (1000, "송장번호가 필요합니다"),
}

Body = dict[str, Any]


class EsmError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def now() -> datetime:
    return datetime.now(KST).replace(tzinfo=None, microsecond=0)


def parse_moment(value: Any, name: str) -> datetime:
    """``YYYY-MM-DD`` (00:00, reference §4.4) or ``YYYY-MM-DD HH:mm`` (§4.3); ``T`` accepted too."""
    text = str(value or "").replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise EsmError(1000, f"{name} 형식이 올바르지 않습니다 (YYYY-MM-DD 또는 YYYY-MM-DD HH:mm)")  # invented wording


def minute(value: str) -> datetime:
    """A record's time to the minute: a ``HH:mm`` bound covers its whole minute (inferred)."""
    return parse_moment(value, "date").replace(second=0)


def as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise EsmError(1000, f"{name} 값이 올바르지 않습니다") from None


def refused(refusal: Refusal) -> EsmError:
    return EsmError(*REFUSED[refusal.code])


class EsmSimulator(Simulator):
    """Both sites' protocol; ``site`` ("G" or "A") is whose orders this server's generator makes."""

    site: ClassVar[str]
    default_rate_limit = 10.0  # invented: ESM publishes no general limit (gateway 502 under bursts, §4.2)
    page_size = 100  # invented: RequestOrders pages (pageIndex / pageSize)
    edit_lock_seconds = EDIT_LOCK_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._list_calls: dict[str, float] = {}
        self._list_lock = threading.Lock()

    # --- protocol plumbing ------------------------------------------------------------
    def routes(self) -> None:
        r, api = self.route, self._api
        r("POST", "/shipping/v1/Order/RequestOrders", api(self.request_orders, site_from=("siteType",)))
        r("POST", "/shipping/v1/Order/PreRequestOrders", api(self.pre_request_orders, site_from=("siteType",)))
        r("POST", "/shipping/v1/Order/OrderCheck/{order}", api(self.order_check, write=True))
        r("POST", "/shipping/v1/Delivery/ShippingInfo", api(self.shipping_info, write=True))
        r("POST", "/claim/v1/sa/Cancels", api(self.cancels, site_from=("SiteType",), cancel_sites=True))
        r("POST", "/claim/v1/sa/Returns", api(lambda q, b: self.claim_list(b, "return"), site_from=("SiteType",)))
        r("POST", "/claim/v1/sa/Exchanges", api(lambda q, b: self.claim_list(b, "exchange"), site_from=("SiteType",)))
        r("PUT", "/claim/v1/sa/Cancel/{order}", api(self.cancel_approve, write=True))
        r("POST", "/claim/v1/sa/Cancel/{order}/SoldOut", api(self.sold_out, write=True))
        r("PUT", "/claim/v1/sa/return/{order}", api(lambda q, b: self.claim_act(q, "return", "approve"), write=True))
        r("POST", "/claim/v1/sa/return/{order}/pickup", api(lambda q, b: self.claim_act(q, "return", "collected"), write=True))
        r("POST", "/claim/v1/sa/return/{order}/hold", api(lambda q, b: self.claim_act(q, "return", "hold", b), write=True))
        r("PUT", "/claim/v1/sa/exchange/{order}/pickup", api(lambda q, b: self.claim_act(q, "exchange", "collected"), write=True))
        r("POST", "/claim/v1/sa/exchange/{order}/resend", api(lambda q, b: self.claim_act(q, "exchange", "reship", b), write=True))
        r("POST", "/claim/v1/sa/exchange/{order}/hold", api(lambda q, b: self.claim_act(q, "exchange", "hold", b), write=True))
        r("DELETE", "/claim/v1/sa/exchange/{order}/hold", api(lambda q, b: self.claim_act(q, "exchange", "release"), write=True))
        r("POST", "/item/v1/communications/customer/bulletin-board", api(self.bulletin_board, item=True))
        r("POST", "/item/v1/communications/customer/bulletin-board/qna", api(self.answer, write=True, item=True))
        r("GET", "/item/v1/shipping/delivery-company", api(self.delivery_companies, item=True))
        r("POST", "/item/v1/goods", api(self.create_goods, write=True, item=True))
        r("GET", "/item/v1/goods/{goods}", api(self.get_goods, item=True))
        r("PUT", "/item/v1/goods/{goods}", api(self.modify_goods, write=True, item=True))
        r("PUT", "/item/v1/goods/{goods}/sell-status", api(self.sell_status, write=True, item=True))
        r("PUT", "/item/v1/goods/{goods}/price", api(self.set_price, write=True, item=True))
        r("PUT", "/item/v1/goods/{goods}/stock", api(self.set_stock, write=True, item=True))
        r("GET", "/item/v1/site-goods/{site_goods}/goods-no", api(self.master_of, item=True))
        r("POST", "/item/v1/goods/search", api(self.search_goods, item=True))

    def client_id(self, request: Request) -> str:
        return str(request.headers.get("Authorization") or "anonymous")[-24:]

    def is_write(self, request: Request) -> bool:
        return request.method != "GET" and request.path not in READ_PATHS

    def rate_limited(self, request: Request | None) -> Response:
        # invented: the gateway's answer to a burst (reference §4.2 names 502 under bursts, no 429 body)
        return Response.json({"ResultCode": 429, "Message": "요청이 너무 많습니다. 잠시 후 다시 시도하세요", "Data": None}, 429)

    def server_error(self, request: Request | None) -> Response:
        return Response.json({"ResultCode": 500, "Message": "일시적인 시스템 오류입니다", "Data": None}, 500)  # invented

    def not_found(self, request: Request) -> Response:
        return Response.json(NO_PERMISSION, 401)  # inferred: an API not granted and an unknown one look alike

    def _api(self, handler: Callable[[Request, Body], Any], *, write: bool = False, item: bool = False,
             site_from: tuple[str, ...] = (), cancel_sites: bool = False) -> Callable[[Request], Response]:
        def serve(request: Request) -> Response:
            creds = {**SANDBOX_CREDENTIALS, **self.credentials}
            try:
                sites = verify(request.headers.get("Authorization"), creds["master_id"], creds["esm_secret_key"])
            except BadToken:
                return Response.json(NO_PERMISSION, 401)
            known = {"G": creds["gmarket_seller_id"], "A": creds["auction_seller_id"]}
            if any(known[s] != seller for s, seller in sites.items()):
                return Response.json(NO_PERMISSION, 401)
            try:
                body = self._body(request)
                if site_from:
                    table = CANCEL_SITE_OF_TYPE if cancel_sites else SITE_OF_TYPE
                    value = next((body[k] for k in site_from if k in body), None)
                    site = table.get(as_int(value, site_from[0])) if value is not None else None
                    if site is not None and site not in sites:
                        return Response.json(NO_PERMISSION, 401)  # the token lacks this site's seller id
                    body["_site"], body["_sites"] = site, sites
                if request.path in LIST_PATHS and as_int(body.get("orderStatus", 0), "orderStatus") != 0:
                    self._order_list_limit(sites)
                if write:
                    with self.store.transaction():
                        data = handler(request, body)
                else:
                    data = handler(request, body)
            except EsmError as exc:
                if item:
                    return Response.json({"resultCode": exc.code, "message": exc.message})
                return Response.json({"ResultCode": exc.code, "Message": exc.message, "Data": None})
            if item:
                return Response.json({**(data or {}), "resultCode": 0, "message": None})
            return Response.json({"ResultCode": 0, "Message": "성공", "Data": data})  # invented: "성공"
        return serve

    @staticmethod
    def _body(request: Request) -> Body:
        if request.method in ("GET", "DELETE") and not request.body:
            return {}
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            raise EsmError(1000, "요청 본문이 올바른 JSON 이 아닙니다") from None  # invented
        if not isinstance(body, dict):
            raise EsmError(1000, "요청 본문이 올바른 JSON 이 아닙니다")
        return body

    def _order_list_limit(self, sites: dict[str, str]) -> None:
        """One list call per ``ORDER_LIST_SECONDS`` per seller id of the token (every id it names counts:
        inferred from "per site seller-id in the token"); a test mall's rate_limit shortens it alike."""
        interval = ORDER_LIST_SECONDS * (self.default_rate_limit / self.faults.rate_limit if self.faults.rate_limit else 1)
        with self._list_lock:
            moment = time.monotonic()
            if any(moment - self._list_calls.get(seller, -1e9) < interval for seller in sites.values()):
                # second-hand: ESMREF ("…5초당 1회…", ResultCode 3000); invented: the rest of the wording
                raise EsmError(3000, "주문조회 API는 판매자 아이디당 5초당 1회만 호출할 수 있습니다")
            for seller in sites.values():
                self._list_calls[seller] = moment

    # --- orders ---------------------------------------------------------------------------
    def _order(self, number: Any) -> dict[str, Any]:
        found = self.store.get("order", str(number).strip())
        if found is None:
            raise EsmError(1000, f"주문번호가 존재하지 않습니다 ({number})")  # invented
        return found

    @staticmethod
    def unit(doc: dict[str, Any]) -> Unit:
        qty = int(doc["ContrAmount"])
        line = Line(str(doc["OrderNo"]), qty, qty if doc["_cancelled"] else 0, qty if doc["_held"] else 0)
        invoice = Invoice(*doc["_invoice"]) if doc.get("_invoice") else None
        return Unit(str(doc["OrderNo"]), Stage(doc["_stage"]), [line], invoice)

    def _save_unit(self, doc: dict[str, Any], unit: Unit) -> None:
        doc["_stage"] = int(unit.stage)
        doc["_cancelled"] = unit.cancelled
        doc["_held"] = unit.held
        doc["_invoice"] = [unit.invoice.courier, unit.invoice.number] if unit.invoice else None
        doc["OrderStatus"] = {1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 5}[int(unit.stage)]
        if unit.invoice:
            doc["TakbaeName"], doc["NoSongjang"] = unit.invoice.courier, unit.invoice.number
        self.store.put("order", str(doc["OrderNo"]), doc)

    @staticmethod
    def shown(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if not k.startswith("_") and k != "Site"}

    def request_orders(self, request: Request, body: Body) -> dict[str, Any]:
        site = body["_site"]
        if site is None:
            raise EsmError(1000, "siteType 은 1(옥션) 또는 2(G마켓)입니다")  # invented
        status = as_int(body.get("orderStatus", 0), "orderStatus")
        if status == 0:  # by order number, or (invented) by basket: exempt from the 5 s limit
            number, basket = str(body.get("orderNo") or ""), str(body.get("payNo") or "")
            found = ([self.store.get("order", number)] if number else
                     [d for d in self.store.all("order") if basket and str(d["PayNo"]) == basket])
            found = [d for d in found if d and d["Site"] == site and not d["_cancelled"] and not self._claimed(d)]
        else:
            start, end = parse_moment(body.get("requestDateFrom"), "requestDateFrom"), parse_moment(body.get("requestDateTo"), "requestDateTo")
            if end < start:
                raise EsmError(1000, "조회 종료일이 시작일보다 빠릅니다")  # invented
            if end - start > ORDER_WINDOWS[site]:
                raise EsmError(1000, f"조회 기간은 최대 {ORDER_WINDOWS[site].days}일입니다")  # invented code and wording
            field = {1: "OrderDate", 2: "PayDate", 3: "TransDueDate"}.get(as_int(body.get("requestDateType", 2), "requestDateType"))
            if field is None:
                raise EsmError(1000, "requestDateType 값이 올바르지 않습니다")
            found = [d for d in self.store.all("order") if d["Site"] == site and d["OrderStatus"] == status
                     and not d["_cancelled"] and not self._claimed(d) and start <= minute(d[field]) <= end]
            found.sort(key=lambda d: (d[field], d["OrderNo"]))
        page = max(1, as_int(body.get("pageIndex", 1), "pageIndex"))
        rows = found[(page - 1) * self.page_size: page * self.page_size]
        creds = {**SANDBOX_CREDENTIALS, **self.credentials}
        seller = creds["gmarket_seller_id" if site == "G" else "auction_seller_id"]
        return {"SiteType": 2 if site == "G" else 1, "TotalCount": len(found), "SellerId": seller,
                "RequestOrders": [self.shown(d) for d in rows]}

    def _claimed(self, doc: dict[str, Any]) -> bool:
        """Reference §4.3: claim orders are never returned by RequestOrders (an open or finished claim)."""
        found = (self.store.get("claim", f"{doc['OrderNo']}:{k}") for k in ("cancel", "return", "exchange"))
        return any(c and c["_step"] not in (Step.REJECTED, Step.WITHDRAWN) for c in found)

    def pre_request_orders(self, request: Request, body: Body) -> dict[str, Any]:
        return {"SiteType": body.get("siteType"), "TotalCount": 0, "RequestOrders": []}  # invented: no 입금확인중 orders here

    def order_check(self, request: Request, body: Body) -> dict[str, Any]:
        doc = self._order(request.params["order"])
        unit = self.unit(doc)
        try:
            orders.confirm(unit, POLICY)
        except Refusal as exc:
            raise refused(exc) from None
        self._save_unit(doc, unit)
        self.store.audit("order.confirm", unit.id)
        return {"IsChanged": 1 if doc["_changed"] else 0}  # reference §4.3

    def shipping_info(self, request: Request, body: Body) -> dict[str, Any]:
        doc = self._order(body.get("OrderNo"))
        shipped = parse_moment(body.get("ShippingDate"), "ShippingDate")
        if abs(shipped - now()) > SHIP_DATE_SLACK:
            raise EsmError(1000, "발송일(ShippingDate)은 현재 시각 기준 2일 이내여야 합니다")  # invented wording
        courier = as_int(body.get("DeliveryCompanyCode"), "DeliveryCompanyCode")
        if courier not in COURIERS:
            raise EsmError(1000, f"택배사 코드가 올바르지 않습니다 ({courier})")  # invented
        number = str(body.get("InvoiceNo") or "").strip()
        if not number:
            raise EsmError(1000, "송장번호(InvoiceNo)는 필수입니다")
        unit = self.unit(doc)
        try:
            orders.ship(unit, Invoice(str(courier), number), POLICY)
        except Refusal as exc:
            raise refused(exc) from None
        doc["ShippingDate"] = sample.stamp(shipped)
        self._save_unit(doc, unit)
        self.store.audit("invoice.send", unit.id, {"courier": courier, "number": number})
        return None

    # --- claims ---------------------------------------------------------------------------
    def _claim_rows(self, body: Body, kind: str) -> list[dict[str, Any]]:
        site = body["_site"]
        if site is None:
            return []  # reference §4.4: a SiteType the list does not know answers nothing, silently
        kind_type = as_int(body.get("Type", 2), "Type")
        rows = [c for c in self.store.all("claim") if c["_kind"] == kind and c["_site"] == site]
        if kind_type == 0:  # by order number (reference §4.4 Type 0)
            return [c for c in rows if str(c["OrderNo"]) == str(body.get("OrderNo") or "")]
        start, end = parse_moment(body.get("StartDate"), "StartDate"), parse_moment(body.get("EndDate"), "EndDate")
        if end - start >= CLAIM_WINDOW:
            raise EsmError(2000, "조회 기간은 7일 미만이어야 합니다")  # reference §4.4: exactly 7 → 2000; invented wording
        field = {2: "RequestDate", 3: "CompleteDate", 4: "RequestDate"}.get(kind_type)  # invented: 4 결제일 read as 신청일
        if field is None:
            raise EsmError(1000, "Type 값이 올바르지 않습니다")
        return [c for c in rows if c.get(field) and start <= parse_moment(c[field], field) < end]  # EndDate is 00:00

    def cancels(self, request: Request, body: Body) -> list[dict[str, Any]]:
        return [self._shown_claim(c) for c in self._claim_rows(body, "cancel")]

    def claim_list(self, body: Body, kind: str) -> list[dict[str, Any]]:
        return [self._shown_claim(c) for c in self._claim_rows(body, kind)]

    @staticmethod
    def _shown_claim(claim: dict[str, Any]) -> dict[str, Any]:
        # reference §4.4: claim rows lack goods name, price and quantity
        return {k: v for k, v in claim.items() if not k.startswith("_")}

    def _case(self, claim: dict[str, Any]) -> Case:
        return Case(claim["_id"], Claim(claim["_kind"]), Step(claim["_step"]),
                    Step(claim["_held_from"]) if claim.get("_held_from") else None, claim.get("_reason", ""))

    def _put_claim(self, claim: dict[str, Any], case: Case) -> None:
        kind = claim["_kind"]
        claim.update(_step=str(case.step), _held_from=str(case.held_from) if case.held_from else "", _reason=case.reason)
        claim[STATUS_FIELD[kind]] = CLAIM_CODES[kind][case.step]
        if case.step in (Step.DONE, Step.REJECTED, Step.WITHDRAWN) and not claim.get("CompleteDate"):
            claim["CompleteDate"] = sample.stamp(now())
        if case.invoice:
            claim["ResendDeliveryCompanyCode"], claim["ResendInvoiceNo"] = case.invoice.courier, case.invoice.number
        self.store.put("claim", f"{claim['OrderNo']}:{kind}", claim)

    def _claim_of(self, order: str, kind: str) -> dict[str, Any]:
        claim = self.store.get("claim", f"{str(order).strip()}:{kind}")
        if claim is None:
            raise EsmError(3000, f"클레임이 없는 주문입니다 ({order})")  # invented
        return claim

    def cancel_approve(self, request: Request, body: Body) -> None:
        claim = self._claim_of(request.params["order"], "cancel")
        case = self._case(claim)
        try:
            claims.approve(case)
        except Refusal as exc:
            raise refused(exc) from None
        doc = self._order(claim["OrderNo"])
        unit = self.unit(doc)
        orders.cancel(unit, complete=True) if orders.claimable(unit, Claim.CANCEL) else None
        self._save_unit(doc, unit)
        self._put_claim(claim, case)
        self.store.audit("claim.cancel", claim["_id"])

    def sold_out(self, request: Request, body: Body) -> None:
        """판매취소(품절): the seller cancels a line not yet shipped; it shows in the cancel list as done."""
        doc = self._order(request.params["order"])
        unit = self.unit(doc)
        if unit.stage >= Stage.SHIPPED:
            raise EsmError(3000, "발송처리된 주문은 판매취소할 수 없습니다")  # invented wording
        try:
            orders.cancel(unit, complete=True)
        except Refusal as exc:
            raise refused(exc) from None
        self._save_unit(doc, unit)
        claim = self._new_claim(doc, "cancel", "품절")  # invented: the seller's cancel listed as a finished cancel
        case = self._case(claim)
        case.step = Step.DONE
        self._put_claim(claim, case)
        self.store.audit("order.cancel", str(doc["OrderNo"]))

    def claim_act(self, request: Request, kind: str, action: str, body: Body | None = None) -> None:
        claim = self._claim_of(request.params["order"], kind)
        case = self._case(claim)
        body = body or {}
        try:
            if action == "approve":
                claims.approve(case)
            elif action == "collected":
                claims.collected(case)
            elif action == "hold":
                reason = str(body.get("HoldReason") or "").strip()  # invented field
                if not reason:
                    raise EsmError(1000, "보류 사유(HoldReason)는 필수입니다")
                claims.hold(case, reason)
            elif action == "release":
                claims.release(case)
            else:  # reship
                courier, number = as_int(body.get("DeliveryCompanyCode"), "DeliveryCompanyCode"), str(body.get("InvoiceNo") or "")
                if courier not in COURIERS or not number:
                    raise EsmError(1000, "재발송 택배사 코드와 송장번호가 필요합니다")
                claims.reship(case, Invoice(str(courier), number))
        except Refusal as exc:
            raise refused(exc) from None
        self._put_claim(claim, case)
        self.store.audit(f"claim.{kind}", claim["_id"])

    def _new_claim(self, doc: dict[str, Any], kind: str, reason: str) -> dict[str, Any]:
        claim = {"OrderNo": doc["OrderNo"], "PayNo": doc["PayNo"], "RequestDate": sample.stamp(now()), "CompleteDate": "",
                 "ClaimReason": reason, "BuyerName": doc["BuyerName"], "_id": f"{doc['OrderNo']}:{kind}",
                 "_kind": kind, "_site": doc["Site"], "_step": str(Step.REQUESTED)}
        claim[STATUS_FIELD[kind]] = CLAIM_CODES[kind][Step.REQUESTED]
        return claim

    def open_claim(self, unit: str, kind: str) -> dict[str, Any]:
        with self.store.transaction():
            doc = self.store.get("order", unit)
            if doc is None or kind not in STATUS_FIELD:
                raise ValueError(f"주문 {unit} 에 {kind} 클레임을 열 수 없습니다")
            order = self.unit(doc)
            if kind != "cancel" and order.stage < Stage.DELIVERED:
                order.stage, doc["_delivered"] = Stage.DELIVERED, sample.stamp(now())
                order.invoice = order.invoice or Invoice("10013", f"6{doc['OrderNo']:011d}"[-12:])
            if not orders.claimable(order, Claim(kind)):
                raise ValueError(f"주문 {unit} 은 {kind} 클레임을 열 수 없는 상태입니다")
            if kind == "cancel":
                orders.cancel(order, complete=False)
            self._save_unit(doc, order)
            claim = self._new_claim(doc, kind, self.rng.choice(sample.CLAIM_REASONS[kind]))
            self.store.put("claim", claim["_id"], claim)
            return self._shown_claim(claim)

    # --- CS -------------------------------------------------------------------------------
    def bulletin_board(self, request: Request, body: Body) -> dict[str, Any]:
        if as_int(body.get("type", 0), "type") != 1:
            raise EsmError(1000, "type 은 1(접수일)이어야 합니다")  # reference §4.5: server-required
        qna_type = as_int(body.get("qnaType"), "qnaType")
        if body.get("messageNo"):  # invented: one message by its number (the read-back)
            found = self.store.get("qna", str(body["messageNo"]))
            return {"data": [found] if found and found["qnaType"] == qna_type else []}
        start, end = parse_moment(body.get("startDate"), "startDate"), parse_moment(body.get("endDate"), "endDate")
        if end - start > CS_WINDOW:
            raise EsmError(1000, "조회 기간은 최대 7일입니다")  # invented code and wording
        status = as_int(body.get("status", 1), "status")
        rows = [m for m in self.store.all("qna") if m["qnaType"] == qna_type
                and start <= minute(m["regDate"]) <= end
                and (status == 1 or (status == 2) == (m["answerStatus"] != 2))]
        return {"data": sorted(rows, key=lambda m: m["messageNo"])}

    def answer(self, request: Request, body: Body) -> dict[str, Any]:
        message = self.store.get("qna", str(body.get("messageNo") or ""))
        if message is None:
            raise EsmError(1000, f"문의가 존재하지 않습니다 ({body.get('messageNo')})")
        if str(body.get("token") or "") != message["token"]:
            raise EsmError(1000, "token 이 올바르지 않습니다")  # invented wording
        comments = str(body.get("comments") or "")
        if not comments.strip() or len(comments.encode("utf-8")) > ANSWER_BYTES:
            raise EsmError(1000, f"답변 내용은 1~{ANSWER_BYTES}바이트여야 합니다")
        try:
            inquiries.answer(message["answerStatus"] == 2)
        except Refusal as exc:
            raise refused(exc) from None
        message.update(answerStatus=as_int(body.get("answerStatus", 2), "answerStatus"), answerComments=comments,
                       answerDate=sample.stamp(now()))
        self.store.put("qna", str(message["messageNo"]), message)
        self.store.audit("inquiry.answer", str(message["messageNo"]))
        return {"messageNo": message["messageNo"]}

    # --- products ---------------------------------------------------------------------------
    def delivery_companies(self, request: Request, body: Body) -> dict[str, Any]:
        names = {10013: "CJ대한통운", 10007: "한진택배", 10008: "롯데택배", 10003: "로젠택배", 10005: "우체국택배",
                 10022: "DHL", 10023: "FedEx", 10036: "EMS", 10031: "직접배송", 10039: "우리택배", 10143: "농협택배",
                 10070: "기타"}
        return {"deliveryCompanies": [{"deliveryCompCode": c, "deliveryCompName": n} for c, n in names.items()]}

    def _goods(self, number: Any) -> dict[str, Any]:
        found = self.store.get("product", str(number).strip())
        if found is None:
            raise EsmError(1000, f"상품번호가 존재하지 않습니다 ({number})")  # invented
        return found

    @staticmethod
    def _check_goods(body: Body) -> tuple[str, list[tuple[str, str]]]:
        basic = body.get("itemBasicInfo") if isinstance(body.get("itemBasicInfo"), dict) else {}
        name = str((basic.get("goodsName") or {}).get("kor") or "").strip()
        if not name:
            raise EsmError(1000, "상품명(goodsName.kor)은 필수입니다")
        sites = [(str(s.get("siteType")), str(s.get("catCode") or "")) for s in (basic.get("category") or {}).get("site") or []]
        if not sites or any(t not in ("1", "2") or not c for t, c in sites):
            raise EsmError(1000, "카테고리(category.site: siteType, catCode)는 필수입니다")
        extra = body.get("itemAddtionalInfo") if isinstance(body.get("itemAddtionalInfo"), dict) else {}
        for option in (extra.get("options") or {}).get("names") or []:  # invented option block
            values = {tuple(i.get("values") or ())[option["index"]] for i in extra["options"].get("items") or []}
            if len(values) > MAX_OPTION_VALUES:
                raise EsmError(1000, f"옵션값은 옵션명당 {MAX_OPTION_VALUES}개까지 등록할 수 있습니다")
        return name, sites

    def create_goods(self, request: Request, body: Body) -> dict[str, Any]:
        name, sites = self._check_goods(body)
        goods_no = self.store.next_id("goodsNo", 3200000001)
        site_goods = {}
        for site_type, _ in sites:
            site = SITE_OF_TYPE[int(site_type)]
            number = self.store.next_id(f"siteGoodsNo.{site}", 2100000001 if site == "G" else 1100000001)
            site_goods[SITE_KEY[site]] = f"{'' if site == 'G' else 'B'}{number}"  # invented: 옥션 numbers start with B
            self.store.put("site_goods", site_goods[SITE_KEY[site]], {"goodsNo": goods_no})
        doc = self._stored(body, goods_no, site_goods, time.time())
        self.store.put("product", str(goods_no), doc)
        self.store.audit("product.create", doc["managedCode"] or str(goods_no), {"goodsNo": goods_no})
        return {"goodsNo": goods_no, "siteDetail": {k: {"SiteGoodsNo": v, "SiteGoodsComment": "성공"} for k, v in site_goods.items()}}

    @staticmethod
    def _stored(body: Body, goods_no: int, site_goods: dict[str, str], created: float) -> dict[str, Any]:
        extra = body.get("itemAddtionalInfo") or {}
        return {**body, "goodsNo": goods_no, "siteGoods": site_goods, "_created": created,
                "managedCode": str(extra.get("managedCode") or ""),
                "isSell": {k: True for k in site_goods}}

    def _editable(self, doc: dict[str, Any]) -> None:
        if time.time() - float(doc["_created"]) < self.edit_lock_seconds:
            # second-hand: ESMREF (edits fail 2–3 minutes after create); invented: code and wording
            raise EsmError(5001, "상품 등록 후 반영 중입니다. 2~3분 뒤에 다시 시도해 주세요")

    def get_goods(self, request: Request, body: Body) -> dict[str, Any]:
        return {k: v for k, v in self._goods(request.params["goods"]).items() if not k.startswith("_")}

    def modify_goods(self, request: Request, body: Body) -> dict[str, Any]:
        doc = self._goods(request.params["goods"])
        self._editable(doc)
        _, sites = self._check_goods(body)
        site_goods = dict(doc["siteGoods"])
        for site_type, _ in sites:  # a site added to the master gets its own goods number
            site = SITE_OF_TYPE[int(site_type)]
            if SITE_KEY[site] not in site_goods:
                number = self.store.next_id(f"siteGoodsNo.{site}", 2100000001 if site == "G" else 1100000001)
                site_goods[SITE_KEY[site]] = f"{'' if site == 'G' else 'B'}{number}"
                self.store.put("site_goods", site_goods[SITE_KEY[site]], {"goodsNo": doc["goodsNo"]})
        new = {**self._stored(body, doc["goodsNo"], site_goods, doc["_created"]), "isSell": {**doc["isSell"], **{
            k: True for k in site_goods if k not in doc["isSell"]}}}
        self.store.put("product", str(doc["goodsNo"]), new)
        self.store.audit("product.update", new["managedCode"] or str(doc["goodsNo"]))
        return {"goodsNo": doc["goodsNo"], "siteDetail": {k: {"SiteGoodsNo": v, "SiteGoodsComment": "성공"} for k, v in site_goods.items()}}

    def _site_values(self, doc: dict[str, Any], values: Any, name: str) -> dict[str, int]:
        if not isinstance(values, dict) or not values:
            raise EsmError(1000, f"{name} 값이 필요합니다 ({{gmkt, iac}})")
        out = {}
        for key, value in values.items():
            if key not in doc["siteGoods"]:
                raise EsmError(1000, f"이 상품은 {'G마켓' if key == 'gmkt' else '옥션'}에 등록되어 있지 않습니다")
            number = as_int(value, name)
            if number < 0:
                raise EsmError(1000, f"{name} 값은 0 이상이어야 합니다")
            out[key] = number
        return out

    def sell_status(self, request: Request, body: Body) -> dict[str, Any]:
        doc = self._goods(request.params["goods"])
        is_sell = body.get("isSell")
        if not isinstance(is_sell, dict) or any(k not in doc["siteGoods"] for k in is_sell):
            raise EsmError(1000, "isSell 값이 올바르지 않습니다 ({gmkt, iac})")
        doc["isSell"] = {**doc["isSell"], **{k: bool(v) for k, v in is_sell.items()}}
        self.store.put("product", str(doc["goodsNo"]), doc)
        self.store.audit("product.sale", doc["managedCode"] or str(doc["goodsNo"]), doc["isSell"])
        return {"goodsNo": doc["goodsNo"]}

    def set_price(self, request: Request, body: Body) -> dict[str, Any]:
        doc = self._goods(request.params["goods"])
        prices = self._site_values(doc, body.get("price"), "price")
        if any(p <= 0 for p in prices.values()):
            raise EsmError(1000, "판매가는 0보다 커야 합니다")
        price = doc.setdefault("itemAddtionalInfo", {}).setdefault("price", {})
        price.update({("Gmkt" if k == "gmkt" else "Iac"): v for k, v in prices.items()})
        self.store.put("product", str(doc["goodsNo"]), doc)
        self.store.audit("product.price", doc["managedCode"] or str(doc["goodsNo"]), prices)
        return {"goodsNo": doc["goodsNo"]}

    def set_stock(self, request: Request, body: Body) -> dict[str, Any]:
        doc = self._goods(request.params["goods"])
        stocks = self._site_values(doc, body.get("stock"), "stock")
        stock = doc.setdefault("itemAddtionalInfo", {}).setdefault("stock", {})
        stock.update({("Gmkt" if k == "gmkt" else "Iac"): v for k, v in stocks.items()})
        self.store.put("product", str(doc["goodsNo"]), doc)
        self.store.audit("product.stock", doc["managedCode"] or str(doc["goodsNo"]), stocks)
        return {"goodsNo": doc["goodsNo"]}

    def master_of(self, request: Request, body: Body) -> dict[str, Any]:
        found = self.store.get("site_goods", request.params["site_goods"])
        if found is None:
            raise EsmError(1000, "사이트 상품번호가 존재하지 않습니다")
        return {"goodsNo": found["goodsNo"]}

    def search_goods(self, request: Request, body: Body) -> dict[str, Any]:
        """invented body: ``managedCode`` filters, ``pageIndex``/``pageSize`` page (the reference names only the path)."""
        code = str(body.get("managedCode") or "")
        rows = sorted((g for g in self.store.all("product") if not code or g["managedCode"] == code), key=lambda g: g["goodsNo"])
        page, size = max(1, as_int(body.get("pageIndex", 1), "pageIndex")), max(1, as_int(body.get("pageSize", 100), "pageSize"))
        shown = [{k: v for k, v in g.items() if not k.startswith("_")} for g in rows[(page - 1) * size: page * size]]
        return {"goods": shown, "totalCount": len(rows)}

    # --- generator and sandbox controls ---------------------------------------------------
    def _catalogue(self) -> Catalogue:
        key = SITE_KEY[self.site]

        def reduce(goods: dict[str, Any]) -> dict[str, Any]:
            extra = goods.get("itemAddtionalInfo") or {}
            price = (extra.get("price") or {}).get("Gmkt" if key == "gmkt" else "Iac") or 10000
            items = (extra.get("options") or {}).get("items") or []
            return {"goodsNo": goods["goodsNo"], "goodsName": goods["itemBasicInfo"]["goodsName"]["kor"],
                    "siteGoodsNo": goods["siteGoods"][key], "managedCode": goods["managedCode"], "price": int(price),
                    "options": ["/".join(i.get("values") or ()) for i in items] or [""]}

        return Catalogue(self.store, "product", reduce=reduce, fallback=sample.SYNTHETIC_GOODS,
                         keep=lambda g: key in g.get("siteGoods", {}) and g.get("isSell", {}).get(key, False))

    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        made = {"orders": 0, "claims": 0, "inquiries": 0}
        catalogue, moment = self._catalogue(), now()
        with self.store.transaction():
            for _ in range(orders):
                for line in sample.make_order(self.rng, self.store.next_id, catalogue, self.site, moment):
                    self.store.put("order", str(line["OrderNo"]), line)
                made["orders"] += 1
            mine = [d for d in self.store.all("order") if d["Site"] == self.site]
            for _ in range(inquiries):
                message = sample.make_message(self.rng, self.store.next_id, self.site, self.rng.choice(mine) if mine else None, moment)
                self.store.put("qna", str(message["messageNo"]), message)
                made["inquiries"] += 1
        open_ones = [d for d in mine if not self._claimed(d) and not d["_cancelled"]]
        for doc in self.rng.sample(open_ones, min(claims, len(open_ones))):
            self.open_claim(str(doc["OrderNo"]), "cancel" if doc["_stage"] <= 2 else "return")
            made["claims"] += 1
        return made

    def control(self, request: Request) -> Response | None:
        data = request.json() or {}
        if request.path == "/_sandbox/esm/change-address" and request.method == "POST":
            with self.store.transaction():  # the buyer changes the address after paying
                doc = self.store.get("order", str(data.get("OrderNo")))
                if doc is None:
                    return Response.json({"message": "no such order"}, 404)
                doc.update(_changed=True, DelFullAddress=str(data.get("address") or "서울특별시 중구 세종대로 110 5층"))
                self.store.put("order", str(doc["OrderNo"]), doc)
            return Response.json({"ok": True})
        if request.path == "/_sandbox/deliver" and request.method == "POST":
            with self.store.transaction():
                doc = self.store.get("order", str(data.get("OrderNo")))
                if doc is None:
                    return Response.json({"message": "no such order"}, 404)
                unit = self.unit(doc)
                unit.stage, unit.invoice = Stage.DELIVERED, unit.invoice or Invoice("10013", "612345678901")
                doc["_delivered"] = sample.stamp(now())
                self._save_unit(doc, unit)
            return Response.json({"ok": True})
        return None

    def state(self) -> dict[str, Any]:
        return {"orders": self.store.count("order"), "claims": self.store.count("claim"),
                "inquiries": self.store.count("qna"), "goods": self.store.count("product")}


class GmarketSimulator(EsmSimulator):
    mall = "gmarket"
    site = "G"


class AuctionSimulator(EsmSimulator):
    mall = "auction"
    site = "A"
