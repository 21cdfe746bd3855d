"""티몬 partner "interwork" API simulator (reference §2): a client-credentials token with Basic auth answering
``access_token`` and ``vendorId``, every call under ``/api/{vendorId}`` with Bearer (and, when sent, the partner
headers), personal fields AES-128-ECB encrypted with the account's partner key, the order search as a bare JSON
array for D1/D2 only, claim searches ending ≥ 30 minutes ago and spanning ≤ 7 days (MELCHI [C]), writes
answering 200 with an empty body, refusals as JSON text.

Confirmed paths are used verbatim; everything else is marked ``invented`` where it is defined. Invented error
convention: ``{"error": code, "message": Korean text}`` with HTTP 400 (input), 401 (token), 403 (vendor),
404 (unknown), 409 (state rule), 429.
"""

from __future__ import annotations

import base64
import secrets
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from mallbatch.sandbox import tmon_data as sample
from mallbatch.sandbox.engine import claims, orders
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Claim, Invoice, Line, Policy, Stage, Unit
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.server import Request, Response, Simulator
from mallbatch.sandbox.tmon_data import FMT, now_text

SANDBOX_CREDENTIALS: dict[str, str] = {
    "client_id": "mallbatch-sandbox-tmon",
    "client_secret": "tmon-sandbox-secret-9f2c41d7e8",
    "aes_key": "TmonSandboxKey16",  # 16 bytes: AES-128 (reference §2.1)
}
VENDOR_ID = "V0001234"  # invented: the sandbox vendor the token answers
PARTNER = ("mallbatch-agency", "6f1d2c3b-4a59-4e7f-8d21-0c9b7a6e5f43")  # invented: a partner (agency) id and token
SELF_DELIVERY = 10099  # reference §6.2 [C]
ORDER_SPAN = timedelta(days=7)  # invented
CLAIM_SPAN, CLAIM_LAG = timedelta(days=7), timedelta(minutes=30)  # MELCHI [C]
CLAIM_STATUSES = ("C1", "C2", "C3", "C4", "C8", "C9")  # reference §2.3 [C]: one of them per call
CLAIM_LISTS = {"cancellations": Claim.CANCEL, "refunds": Claim.RETURN, "exchanges": Claim.EXCHANGE}  # §2.2 [C2]
STAGES = {"D1": Stage.PAID, "D2": Stage.CONFIRMED, "D3": Stage.SHIPPED, "D4": Stage.IN_TRANSIT, "D5": Stage.DELIVERED}
STATUS_OF = {v: k for k, v in STAGES.items()}
NOTHING = "조회된 기간에 조회 대상이 없습니다"  # reference §2.1 [C]: an empty search is answered as an error
POLICY = Policy()
# 취소거부 (JCD1, already shipped) registers the invoice the order left with, confirmed or not (invented)
SHIPPED_ON_REJECT = Policy(confirm_while_cancel_requested=True, ship_while_cancel_requested=True, confirm_before_ship=False)
REFUSED = {  # engine refusals (reference §2.1 [C] wording where it has one; the rest invented)
    Code.CANCELLED: (409, "취소된 주문입니다"),
    Code.PAST_STAGE: (409, "배송주문 확인처리가 불가능한 배송상태입니다."),
    Code.ALREADY_CONFIRMED: (409, "배송주문 확인처리가 불가능한 배송상태입니다. (current_state: D2)"),
    Code.CANCEL_REQUESTED: (409, "취소요청된 주문입니다"),
    Code.NOT_CONFIRMED: (409, "주문확인 후에 송장을 등록할 수 있습니다 (current_state: D1)"),
    Code.ALREADY_SHIPPED: (409, "동일 송장 등록 요청 오류"),
    Code.SHIPPED_SAME: (409, "동일 송장 등록 요청 오류"),
    Code.NOT_SHIPPED: (409, "송장이 등록되지 않은 주문입니다"),
    Code.INVOICE_UNCHANGED: (409, "동일 송장 등록 요청 오류"),
    Code.INVOICE_IN_USE: (409, "이미 다른 주문에 등록된 송장번호입니다"),
    Code.LINES_MISMATCH: (400, "딜옵션 정보가 주문과 다릅니다"),
    Code.CLAIM_CLOSED: (409, "이미 처리가 끝난 클레임입니다"),
    Code.CLAIM_SAME: (409, "이미 교환 완료되었습니다"),
    Code.CLAIM_STEP: (409, "현재 클레임 상태에서는 처리할 수 없습니다"),
    Code.CLAIM_KIND: (400, "이 클레임에는 할 수 없는 처리입니다"),
    Code.NEEDS_INVOICE: (400, "택배사코드, 송장번호 모두 입력해주세요"),
}
Doc = dict[str, Any]


class TmonError(Exception):
    def __init__(self, status: int, message: str, error: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.status, self.message, self.error = status, message, error

    @classmethod
    def of(cls, refusal: Refusal) -> TmonError:
        return cls(*REFUSED[refusal.code], error="INVALID_STATE")


def refusal(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response.json({"error": error, "message": message}, status, headers)


def parse_time(value: str | None, name: str) -> datetime:
    for fmt in (FMT, "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(str(value), fmt)
        except ValueError:
            continue
    raise TmonError(400, f"{name} 형식은 yyyy-MM-ddTHH:mm:ss 입니다")


def within(value: str | None, start: datetime, end: datetime) -> bool:
    return bool(value) and start <= datetime.strptime(str(value)[:19], FMT) <= end


class TmonSimulator(Simulator):
    mall = "tmon"
    default_rate_limit = 5.0  # invented: undocumented
    claim_page_size = 20  # invented

    def routes(self) -> None:
        self.route("POST", "/oauth/token", self.issue_token)
        api, prefix = self._api, "/api/{vendor}"
        self.route("GET", f"{prefix}/orders", api(self.order_list))
        self.route("GET", f"{prefix}/orders/{{no}}", api(self.order_detail))
        self.route("PUT", f"{prefix}/orders/{{no}}/confirm", api(self.confirm, write=True))
        self.route("POST", f"{prefix}/orders/{{no}}/invoices", api(self.register_invoice, write=True))
        self.route("PUT", f"{prefix}/orders/{{no}}/invoices", api(self.modify_invoice, write=True))
        for name in CLAIM_LISTS:
            self.route("GET", f"{prefix}/{name}/search", api(self.claim_search))
            self.route("GET", f"{prefix}/{name}/{{no}}", api(self.claim_detail))  # invented path
        self.route("PUT", f"{prefix}/cancellations/{{no}}/reject", api(self.reject_cancel, write=True))
        self.route("PUT", f"{prefix}/cancellations/{{no}}/approve", api(self.approve, write=True))  # invented path
        self.route("PUT", f"{prefix}/refunds/{{no}}/approve", api(self.approve, write=True))  # invented path
        self.route("PUT", f"{prefix}/exchanges/{{no}}/hold", api(self.hold, write=True))  # invented path
        self.route("PUT", f"{prefix}/exchanges/{{no}}/redelivery", api(self.redeliver, write=True))  # invented path
        self.route("POST", f"{prefix}/deals", api(self.create_deal, write=True))
        self.route("GET", f"{prefix}/deals", api(self.deal_list))  # invented path
        self.route("GET", f"{prefix}/deals/{{no}}", api(self.get_deal))
        self.route("PUT", f"{prefix}/deals/{{no}}", api(self.update_deal, write=True))
        self.route("PUT", f"{prefix}/deals/{{no}}/options", api(self.update_options, write=True))  # invented body

    # --- protocol plumbing ---------------------------------------------------------------
    @property
    def key(self) -> bytes:
        return self.credentials.get("aes_key", SANDBOX_CREDENTIALS["aes_key"]).encode()

    def client_id(self, request: Request) -> str:
        return str(request.headers.get("Authorization") or "anonymous")

    def is_write(self, request: Request) -> bool:
        return request.method in ("POST", "PUT") and request.path != "/oauth/token"  # issuing a token changes nothing

    def rate_limited(self, request: Request | None) -> Response:
        return refusal(429, "TOO_MANY_REQUESTS", "요청이 너무 많습니다. 잠시 후 다시 시도하세요", {"Retry-After": "1"})  # invented

    def server_error(self, request: Request | None) -> Response:
        return refusal(500, "INTERNAL_SERVER_ERROR", "일시적인 오류입니다")

    def not_found(self, request: Request | None) -> Response:
        return refusal(404, "NOT_FOUND", "존재하지 않는 API 입니다")

    def issue_token(self, request: Request) -> Response:
        """reference §2.1: grant_type client_credentials (query, or a form body) with Basic client_id:client_secret."""
        grant = request.arg("grant_type") or request.form().get("grant_type") if request.body else request.arg("grant_type")
        if grant != "client_credentials":
            return refusal(400, "unsupported_grant_type", "grant_type 은 client_credentials 입니다")
        expected = f"{self.credentials.get('client_id')}:{self.credentials.get('client_secret')}"
        basic = str(request.headers.get("Authorization") or "")
        try:
            given = base64.b64decode(basic.removeprefix("Basic ").strip(), validate=True).decode()
        except ValueError:
            given = ""
        if not basic.startswith("Basic ") or not secrets.compare_digest(given, expected):
            return refusal(401, "invalid_client", "클라이언트 인증에 실패했습니다 (client_id, client_secret 확인)")
        token = secrets.token_hex(20)
        with self.store.transaction():
            self.store.put("token", token, {"expired": False})
        # invented: token_type / expires_in beside the confirmed access_token and vendorId
        return Response.json({"access_token": token, "token_type": "bearer", "expires_in": 43199, "vendorId": VENDOR_ID})

    def expire_tokens(self) -> None:
        with self.store.transaction():
            for key in self.store.keys("token"):
                self.store.put("token", key, {"expired": True})

    def _refused_auth(self, request: Request) -> Response | None:
        bearer = str(request.headers.get("Authorization") or "")
        token = self.store.get("token", bearer.removeprefix("Bearer ").strip()) if bearer.startswith("Bearer ") else None
        if token is None or token["expired"]:
            # reference §2.1 [C]: an expired token answers an error naming invalid_token (OAuth2 wording invented)
            return refusal(401, "invalid_token", "Access token expired or invalid")
        partner = request.headers.get("X-Partner-Id")
        if partner is not None and (partner, request.headers.get("X-Partner-Token")) != PARTNER:  # invented check
            return refusal(401, "invalid_partner", "파트너 인증에 실패했습니다 (X-Partner-Id, X-Partner-Token 확인)")
        if request.params.get("vendor") != VENDOR_ID:
            return refusal(403, "FORBIDDEN", "토큰의 업체(vendorId)와 요청 경로의 업체가 다릅니다")  # invented
        return None

    def _api(self, handler: Callable[[Request, Doc], Any], write: bool = False) -> Callable[[Request], Response]:
        def serve(request: Request) -> Response:
            refused = self._refused_auth(request)
            if refused is not None:
                return refused
            try:
                body = request.json() if request.body else {}
                if not isinstance(body, dict):
                    raise TmonError(400, "요청 본문이 올바른 JSON 이 아닙니다")
                if write:
                    with self.store.transaction():
                        data = handler(request, body)
                else:
                    data = handler(request, body)
            except ValueError:
                return refusal(400, "BAD_REQUEST", "요청 본문이 올바른 JSON 이 아닙니다")
            except TmonError as exc:
                return refusal(exc.status, exc.error, exc.message)
            if data is None:
                return Response(200, b"", {})  # reference §2.1 [C]: successful writes often answer nothing
            return Response.json(data)
        return serve

    # --- orders ----------------------------------------------------------------------------
    def _order(self, no: Any) -> Doc:
        order = self.store.get("order", str(no))
        if order is None:
            raise TmonError(404, f"존재하지 않는 주문입니다: {no}", "NOT_FOUND")
        return order

    @staticmethod
    def _deal(order: Doc, deal_no: Any) -> Doc:
        deal = next((d for d in order["deals"] if str(d["tmonDealNo"]) == str(deal_no)), None)
        if deal is None:
            raise TmonError(404, f"주문에 없는 딜입니다: {deal_no}", "NOT_FOUND")
        return deal

    @staticmethod
    def unit(order: Doc, deal: Doc) -> Unit:
        cancelled = deal.get("claimType") == "C" and deal.get("claimStatus") == "C3"
        held = deal.get("claimType") == "C" and deal.get("claimStatus") in ("C1", "C2")
        invoice = deal.get("invoice")
        return Unit(f"{order['tmonOrderNo']}-{deal['deliveryNo']}", STAGES.get(deal["deliveryStatus"], Stage.PAID),
                    [Line(str(o["tmonDealOptionNo"]), o["qty"], o["qty"] if cancelled else 0, o["qty"] if held else 0)
                     for o in deal["dealOptions"]],
                    Invoice(str(invoice["deliveryCorp"]), str(invoice.get("invoiceNo") or "")) if invoice else None)

    def _put_deal(self, order: Doc, deal: Doc, unit: Unit) -> None:
        deal.update(deliveryStatus=STATUS_OF[unit.stage], updatedDate=now_text())
        self.store.put("order", str(order["tmonOrderNo"]), order)

    def order_list(self, request: Request, body: Doc) -> list[Doc]:
        """reference §2.2 [C2]: a bare array; only D1 or D2 (MELCHI: "D1, D2 만 가능"). invented: the window is on
        depositDate, ≤ 7 days, and each order lists only its deals in the asked status."""
        status = request.arg("deliveryStatus")
        if status not in ("D1", "D2"):
            raise TmonError(400, "deliveryStatus 는 D1, D2 만 가능합니다")
        start, end = parse_time(request.arg("startDate"), "startDate"), parse_time(request.arg("endDate"), "endDate")
        if end < start or end - start > ORDER_SPAN:
            raise TmonError(400, "조회 기간은 최대 7일입니다")
        found = []
        for order in self.store.all("order"):
            deals = [d for d in order["deals"] if d["deliveryStatus"] == status]
            if deals and within(order.get("depositDate"), start, end):
                found.append(sample.encrypted_order({**order, "deals": deals}, self.key))
        return found

    def order_detail(self, request: Request, body: Doc) -> Doc:
        return sample.encrypted_order(self._order(request.params["no"]), self.key)

    def _options_match(self, deal: Doc, body: Doc) -> None:
        sent = {(int(o.get("tmonDealOptionNo") or 0), int(o.get("qty") or 0)) for o in body.get("tmonDealOptions") or []}
        if sent != {(o["tmonDealOptionNo"], o["qty"]) for o in deal["dealOptions"]}:
            raise TmonError(*REFUSED[Code.LINES_MISMATCH])

    def confirm(self, request: Request, body: Doc) -> None:
        """reference §2.2 [C2]: PUT /orders/{tmonOrderNo}/confirm {tmonDealNo, tmonDealOptions[{tmonDealOptionNo, qty}]}."""
        if isinstance(body.get("tmonDealNo"), list):
            raise TmonError(400, "tmonDealNo 는 딜 하나입니다")
        order = self._order(request.params["no"])
        deal = self._deal(order, body.get("tmonDealNo"))
        self._options_match(deal, body)
        unit = self.unit(order, deal)
        try:
            orders.confirm(unit, POLICY)
        except Refusal as exc:
            raise TmonError.of(exc) from None
        deal["confirmedDate"] = now_text()  # invented
        self._put_deal(order, deal, unit)
        self.store.audit("order.confirm", unit.id)

    def _invoice(self, body: Doc) -> tuple[Invoice, Doc]:
        invoice = body.get("invoice") or {}
        corp = invoice.get("deliveryCorp")
        if not isinstance(corp, int) or not 10000 <= corp <= 99999:
            raise TmonError(400, "택배사코드(deliveryCorp)는 다섯 자리 숫자입니다")
        number = str(invoice.get("invoiceNo") or "").strip()
        if corp == SELF_DELIVERY:
            if number:
                raise TmonError(400, "자체배송(10099)은 송장번호 없이 배송예정일(deliveryScheduledDate)을 보냅니다")
            try:
                datetime.strptime(str(body.get("deliveryScheduledDate")), "%Y-%m-%d")
            except ValueError:
                raise TmonError(400, "자체배송은 배송예정일(deliveryScheduledDate, yyyy-MM-dd)이 필요합니다") from None
        elif not number:
            raise TmonError(*REFUSED[Code.NEEDS_INVOICE])
        return Invoice(str(corp), number), {"deliveryCorp": corp, "invoiceNo": number or None,
                                            "additionalInvoices": invoice.get("additionalInvoices") or []}

    def _ship(self, request: Request, body: Doc, change: bool) -> None:
        order = self._order(request.params["no"])
        deal = self._deal(order, body.get("tmonDealNo"))
        if str(body.get("deliveryNo")) != str(deal["deliveryNo"]):
            raise TmonError(400, "배송번호(deliveryNo)가 딜과 다릅니다")
        self._options_match(deal, body)
        invoice, stored = self._invoice(body)
        unit = self.unit(order, deal)
        try:
            if change:
                orders.change_invoice(unit, invoice)
            else:
                orders.ship(unit, invoice, POLICY)
        except Refusal as exc:
            raise TmonError.of(exc) from None
        deal.update(invoice=stored, deliveryScheduledDate=body.get("deliveryScheduledDate") or deal["deliveryScheduledDate"])
        self._put_deal(order, deal, unit)
        self.store.audit("invoice.update" if change else "invoice.send", unit.id)

    def register_invoice(self, request: Request, body: Doc) -> None:
        self._ship(request, body, change=False)

    def modify_invoice(self, request: Request, body: Doc) -> None:
        self._ship(request, body, change=True)

    # --- claims ----------------------------------------------------------------------------
    def claim_search(self, request: Request, body: Doc) -> Doc:
        """MELCHI [C]: the window ends ≥ 30 minutes ago, spans ≤ 7 days; one claimStatus; invented: by requestedDate."""
        kind = CLAIM_LISTS[request.path.split("/")[3]]
        start, end = parse_time(request.arg("startDate"), "startDate"), parse_time(request.arg("endDate"), "endDate")
        status = request.arg("claimStatus")
        if status not in CLAIM_STATUSES:
            raise TmonError(400, "claimStatus 는 C1, C2, C3, C4, C8, C9 중 1개입니다")
        if end < start or end - start > CLAIM_SPAN:
            raise TmonError(400, "조회 기간은 최대 7일입니다")
        if end > datetime.now(sample.KST).replace(tzinfo=None) - CLAIM_LAG:
            raise TmonError(400, "조회 종료일시는 현재 시각보다 30분 이전이어야 합니다")
        try:
            page = max(1, int(request.arg("page") or 1))
        except ValueError:
            raise TmonError(400, "page 는 숫자입니다") from None
        rows = [c for c in self.store.all("claim") if sample.KIND_OF[c["claimType"]] is kind
                and c["claimStatus"] == status and within(c["requestedDate"], start, end)]
        if not rows:
            raise TmonError(404, NOTHING, "NOT_FOUND")
        size = self.claim_page_size
        items = rows[(page - 1) * size: page * size]
        return {"items": [sample.encrypted_claim(c, self.key) for c in items], "hasNext": page * size < len(rows)}

    def _claim(self, no: Any, kind: Claim | None = None) -> Doc:
        claim = self.store.get("claim", str(no))
        if claim is None or (kind is not None and sample.KIND_OF[claim["claimType"]] is not kind):
            raise TmonError(404, f"존재하지 않는 클레임입니다: {no}", "NOT_FOUND")
        return claim

    def claim_detail(self, request: Request, body: Doc) -> Doc:
        return sample.encrypted_claim(self._claim(request.params["no"], CLAIM_LISTS[request.path.split("/")[3]]), self.key)

    def _act(self, claim: Doc, step: Callable[[claims.Case], None]) -> None:
        case = sample.case_of(claim)
        try:
            step(case)
        except Refusal as exc:
            raise TmonError.of(exc) from None
        sample.write_back(claim, case)
        self.store.put("claim", str(claim["claimNo"]), claim)
        self.store.audit("claim.action", str(claim["claimNo"]))
        order = self._order(claim["tmonOrderNo"])
        deal = next(d for d in order["deals"] if d["deliveryNo"] == claim["deliveryNo"])
        deal.update(claimType=claim["claimType"], claimStatus=claim["claimStatus"])  # invented: the deal shows its claim
        self.store.put("order", str(order["tmonOrderNo"]), order)

    def approve(self, request: Request, body: Doc) -> None:
        kind = CLAIM_LISTS[request.path.split("/")[3]]
        claim = self._claim(request.params["no"], kind)
        self._act(claim, claims.approve)

    def reject_cancel(self, request: Request, body: Doc) -> None:
        """reference §2.2 [C]: {"reason": "JCD1", "deliveryInvoice": {deliveryCorp, invoiceNo}}: the order left with it."""
        claim = self._claim(request.params["no"], Claim.CANCEL)
        if body.get("reason") != "JCD1":
            raise TmonError(400, "취소거부 사유는 JCD1(이미 출고)만 가능합니다")
        invoice, stored = self._invoice({"invoice": body.get("deliveryInvoice") or {},
                                         "deliveryScheduledDate": now_text()[:10]})
        self._act(claim, lambda case: claims.reject(case, "JCD1", invoice, shipped=True))
        order = self._order(claim["tmonOrderNo"])
        deal = next(d for d in order["deals"] if d["deliveryNo"] == claim["deliveryNo"])
        unit = self.unit(order, deal)
        if unit.stage < Stage.SHIPPED:
            orders.ship(unit, invoice, SHIPPED_ON_REJECT)
            deal["invoice"] = stored
            self._put_deal(order, deal, unit)

    def hold(self, request: Request, body: Doc) -> None:
        reason = str(body.get("holdingReason") or "").strip()
        if not reason:
            raise TmonError(400, "보류 사유(holdingReason)가 필요합니다")
        self._act(self._claim(request.params["no"], Claim.EXCHANGE), lambda case: claims.hold(case, reason))

    def redeliver(self, request: Request, body: Doc) -> None:
        """invented: the exchanged item is collected by 티몬's own pickup, so a redelivery of a requested exchange
        marks it collected first."""
        invoice, _ = self._invoice({"invoice": body.get("deliveryInvoice") or {}, "deliveryScheduledDate": now_text()[:10]})

        def step(case: claims.Case) -> None:
            if case.step in (claims.Step.REQUESTED, claims.Step.COLLECTING):
                claims.collected(case)
            claims.reship(case, invoice)
        self._act(self._claim(request.params["no"], Claim.EXCHANGE), step)

    # --- deals -----------------------------------------------------------------------------
    def _deal_by(self, key: str, by_tmon_no: bool) -> Doc:
        if not by_tmon_no:
            entry = self.store.get("deal_code", key)
            key = str(entry["tmonDealNo"]) if entry else ""
        deal = self.store.get("product", key) if key else None
        if deal is None:
            raise TmonError(404, f"존재하지 않는 딜입니다: {key}", "NOT_FOUND")
        return deal

    @staticmethod
    def _check_deal(body: Doc) -> None:
        if not str(body.get("dealTitle") or "").strip():
            raise TmonError(400, "딜명(dealTitle)은 필수입니다")
        price = body.get("salesPrice")
        if not isinstance(price, int) or price <= 0:
            raise TmonError(400, "판매가(salesPrice)는 0보다 커야 합니다")
        if int(body.get("originalPrice") or price) < price:
            raise TmonError(400, "정가는 판매가보다 작을 수 없습니다")
        if not body.get("options"):
            raise TmonError(400, "딜옵션(options)이 필요합니다")
        for option in body["options"]:
            stock = option.get("stock")
            if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
                raise TmonError(400, "재고(stock)는 0 이상의 정수여야 합니다")

    def create_deal(self, request: Request, body: Doc) -> Doc:
        code = str(body.get("vendorDealNo") or "").strip()
        if not code:
            raise TmonError(400, "업체딜번호(vendorDealNo)는 필수입니다")
        if self.store.get("deal_code", code) is not None:
            raise TmonError(409, f"이미 등록된 업체딜번호입니다: {code}")
        self._check_deal(body)
        no = self.store.next_id("tmonDealNo", 7800000001)
        options = [{**o, "tmonDealOptionNo": self.store.next_id("tmonDealOptionNo", 78000000001)} for o in body["options"]]
        self.store.put("product", str(no), {**body, "tmonDealNo": no, "options": options, "saleStatus": body.get("saleStatus") or "ON_SALE"})
        self.store.put("deal_code", code, {"tmonDealNo": no})
        self.store.audit("product.create", code)
        return {"tmonDealNo": no}  # invented: the answer names the new deal

    def get_deal(self, request: Request, body: Doc) -> Doc:
        return self._deal_by(request.params["no"], request.arg("dealNoType") == "TMON_DEAL_NUMBER")

    def deal_list(self, request: Request, body: Doc) -> Doc:
        page, size = max(1, int(request.arg("page") or 1)), 50  # invented paging
        rows = self.store.all("product")
        return {"items": rows[(page - 1) * size: page * size], "hasNext": page * size < len(rows)}

    def update_deal(self, request: Request, body: Doc) -> None:
        deal = self._deal_by(request.params["no"], False)
        self._check_deal(body)
        kept = {o.get("vendorDealOptionNo"): o["tmonDealOptionNo"] for o in deal["options"]}
        options = [{**o, "tmonDealOptionNo": kept.get(o.get("vendorDealOptionNo"))
                    or self.store.next_id("tmonDealOptionNo", 78000000001)} for o in body["options"]]
        self.store.put("product", str(deal["tmonDealNo"]), {**deal, **body, "tmonDealNo": deal["tmonDealNo"],
                                                        "vendorDealNo": deal["vendorDealNo"], "options": options})
        self.store.audit("product.update", deal["vendorDealNo"])

    def update_options(self, request: Request, body: Doc) -> None:
        deal = self._deal_by(request.params["no"], False)
        self._check_deal({**deal, "options": body.get("options")})
        known = {o["tmonDealOptionNo"] for o in deal["options"]}
        if {o.get("tmonDealOptionNo") for o in body["options"]} != known:
            raise TmonError(400, "딜옵션 번호(tmonDealOptionNo)가 딜과 다릅니다")
        self.store.put("product", str(deal["tmonDealNo"]), {**deal, "options": body["options"]})
        self.store.audit("product.options", deal["vendorDealNo"])

    def on_sale(self, deal: Doc) -> bool:
        return deal.get("saleStatus") != "STOP"

    # --- sandbox surface ---------------------------------------------------------------------
    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        """New D1 orders and buyer claims (cancels before shipping, returns/exchanges after); 티몬 has no Q&A here."""
        made = Counter[str]()
        with self.store.transaction():
            catalogue = Catalogue(self.store, "product", keep=self.on_sale, fallback=sample.SYNTHETIC_DEALS)
            for _ in range(orders):
                order = sample.make_order(self.rng, self.store.next_id, catalogue, now_text())
                if order["deals"]:
                    self._take_stock(order)
                    self.store.put("order", str(order["tmonOrderNo"]), order)
                    made["orders"] += 1
            for _ in range(claims):
                made["claims"] += self._random_claim()
        return {"orders": made["orders"], "claims": made["claims"], "inquiries": 0}

    def _take_stock(self, order: Doc) -> None:
        for deal in order["deals"]:
            record = self.store.get("product", str(deal["tmonDealNo"]))
            if record is None:
                continue
            bought = {o["tmonDealOptionNo"]: o["qty"] for o in deal["dealOptions"]}
            for option in record["options"]:
                option["stock"] = max(0, int(option["stock"]) - bought.get(option["tmonDealOptionNo"], 0))
            self.store.put("product", str(record["tmonDealNo"]), record)

    def _random_claim(self) -> int:
        claimed = {(c["tmonOrderNo"], c["deliveryNo"]) for c in self.store.all("claim")}
        for order in self.rng.sample(self.store.all("order"), k=min(20, self.store.count("order"))):
            for deal in order["deals"]:
                if (order["tmonOrderNo"], deal["deliveryNo"]) in claimed:
                    continue
                unit = self.unit(order, deal)
                kind = Claim.CANCEL if orders.claimable(unit, Claim.CANCEL) else (
                    self.rng.choice((Claim.RETURN, Claim.EXCHANGE)) if orders.claimable(unit, Claim.RETURN) else None)
                if kind is not None:
                    self._open(order, deal, kind)
                    return 1
        return 0

    def _open(self, order: Doc, deal: Doc, kind: Claim) -> Doc:
        claim = sample.make_claim(self.store.next_id, self.rng, order, deal, kind, now_text())
        self.store.put("claim", str(claim["claimNo"]), claim)
        deal.update(claimType=claim["claimType"], claimStatus="C1")
        self.store.put("order", str(order["tmonOrderNo"]), order)
        return claim

    def _unit_deal(self, unit_id: str) -> tuple[Doc, Doc]:
        order_no, _, delivery_no = unit_id.partition("-")
        order = self.store.get("order", order_no)
        deal = next((d for d in (order or {}).get("deals") or [] if str(d["deliveryNo"]) == delivery_no), None)
        if order is None or deal is None:
            raise ValueError(f"티몬 시뮬레이터에 없는 묶음배송번호입니다: {unit_id}")
        return order, deal

    def open_claim(self, unit: str, kind: str) -> dict[str, Any]:
        """The buyer opens a cancel (on a paid deal) or a return / exchange (the deal delivered first)."""
        with self.store.transaction():
            engine_kind = Claim(kind)
            if engine_kind is not Claim.CANCEL:
                self.deliver(unit)
            order, deal = self._unit_deal(unit)
            if not orders.claimable(self.unit(order, deal), engine_kind):
                raise ValueError(f"이 딜에는 {kind} 클레임을 열 수 없습니다 ({deal['deliveryStatus']})")
            return self._open(order, deal, engine_kind)

    def deliver(self, unit_id: str) -> Doc:
        """The deal confirmed, shipped by CJ (the sandbox's invented 10001) and delivered (D5)."""
        order, deal = self._unit_deal(unit_id)
        unit = self.unit(order, deal)
        if unit.stage is Stage.PAID:
            orders.confirm(unit, POLICY)
        if unit.stage < Stage.SHIPPED:
            number = f"6{self.store.next_id('sandboxInvoice', 10000000001)}"
            orders.ship(unit, Invoice("10001", number), POLICY)
            deal["invoice"] = {"deliveryCorp": 10001, "invoiceNo": number, "additionalInvoices": []}
        unit.stage = Stage.DELIVERED
        self._put_deal(order, deal, unit)
        return deal

    def control(self, request: Request) -> Response | None:
        """``POST /_sandbox/deliver {"unit"}``; ``POST /_sandbox/garble {"tmonOrderNo", "field"}``: that personal field
        of the order goes out as undecryptable text (a wrong key on the mall's side)."""
        body = request.json() if request.body else {}
        if request.method != "POST" or request.path not in ("/_sandbox/deliver", "/_sandbox/garble"):
            return None
        try:
            with self.store.transaction():
                if request.path == "/_sandbox/deliver":
                    return Response.json(self.deliver(str(body.get("unit", ""))))
                order = self._order(body.get("tmonOrderNo"))
                field = str(body.get("field") or "receiverName")
                target = order["receiverAddress"] if field in sample.ADDRESS_SECRETS else order
                target[field] = sample.encrypt(str(target.get(field) or "x"), b"AnotherKey000016")
                order["_garbled"] = [*order.get("_garbled", []), field]
                self.store.put("order", str(order["tmonOrderNo"]), order)
                return Response.json({"garbled": field, "value": target[field]})
        except (ValueError, TmonError) as exc:
            return Response.json({"message": str(exc)}, 409)

    def state(self) -> dict[str, Any]:
        deals = [d for o in self.store.all("order") for d in o["deals"]]
        return {"orders": self.store.count("order"), "deals": dict(Counter(d["deliveryStatus"] for d in deals)),
                "claims": dict(Counter(f'{c["claimType"]}:{c["claimStatus"]}' for c in self.store.all("claim"))),
                "products": self.store.count("product")}
