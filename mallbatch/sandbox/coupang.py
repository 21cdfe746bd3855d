"""쿠팡 Wing Open API simulator (shared/reference §1).

Enforces what the reference documents: CEA HMAC-SHA256 signatures (401 "Invalid
signature." / "Specified signature is expired."), the vendorId in the path, v5
ordersheets with ``yyyy-MM-dd+09:00`` dates, a 31-day range, ``status`` required,
``maxPerPage`` ≤ 50 and ``nextToken`` paging, Money objects, 18-digit shipmentBoxIds,
acknowledgement (ACCEPT→INSTRUCT) and invoice upload (INSTRUCT→DEPARTURE) answering HTTP
200 with per-box ``responseList`` and ``responseCode`` 0/1/99, v6 returnRequests, v4
exchangeRequests (7 days), onlineInquiries (7 days, pageNum/pageSize ≤ 50) with replies,
and seller-products create/update/read-back. Rate limit: 10 requests/s per vendorId. The seller's
answers to receipts and exchanges, and 판매취소, are in :mod:`.coupang_claims`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from mallbatch.sandbox.coupang_claims import CoupangClaims
from mallbatch.sandbox.coupang_data import (
    APPROVED,
    COURIERS,
    EXCHANGE_STATUSES,
    ORDER_STATUSES,
    RETURN_FILTERS,
    now_kst,
    parse_kst,
    render_box,
    render_product_summary,
    stamp,
    unit,
)
from mallbatch.sandbox.coupang_generate import CoupangScenarios
from mallbatch.sandbox.engine import catalogue, inquiries, invoices, orders
from mallbatch.sandbox.engine.orders import Invoice, Policy
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.engine.throttle import Throttle
from mallbatch.sandbox.server import Request, Response, Simulator

SANDBOX_CREDENTIALS: dict[str, str] = {
    "vendor_id": "A00012345",
    "access_key": "sandbox-7c1e2a90-coupang-access",
    "secret_key": "sandbox-coupang-secret-4f8b21d6e0a3",
}

OPENAPI = "/v2/providers/openapi/apis/api"
SELLER_PRODUCTS = "/v2/providers/seller_api/apis/api/v1/marketplace/seller-products"
# not in the shared reference; 쿠팡's stock, price and 판매중지/판매재개 are per vendorItemId (second-hand)
VENDOR_ITEMS = "/v2/providers/seller_api/apis/api/v1/marketplace/vendor-items"
PRODUCTS_PAGE, PRODUCTS_PAGE_MAX = 10, 100  # 2nd-hand: maxPerPage of the seller-product list, default 10, at most 100
# 2nd-hand (쿠팡 "상품 아이템별 가격 변경"): without forceSalePriceUpdate=true a price may fall by 50 % or rise
# by 100 % at most, refused with this message
PRICE_RANGE = ("가격변경에 실패했습니다. [옵션ID[{item}] : 판매가 변경이 불가능합니다. "
               "변경전 판매가의 최대 50% 인하/최대 100%인상까지 변경가능합니다.]")
TEMPORARY = "임시저장"  # statusName for requested=false (inferred); APPROVED: coupang_data
SIGNATURE_TOLERANCE = timedelta(minutes=5)  # inferred: the real tolerance is not documented
MAX_PAGE = 50
MAX_BATCH = 50  # inferred: the reference recommends ≤ 50 ids for acknowledgement; the invoice batch of 50 is invented
MAX_ITEMS = 200  # peer-tools S48: 200 option values per product via API
BATCH_FAILED = "배송상태를 변경할 수 없습니다. 주문내역을 확인해주세요."
RANGE_31 = "endTime-startTime range should less than31."
POLICY = Policy()

# Engine refusals as per-box resultCodes (reference §1.4/§1.5 codes; which code for which rule is inferred).
CONFIRM_REFUSED = {
    Code.CANCELLED: ("ORDER_DELIVERY_CANCELED", BATCH_FAILED),
    Code.CANCEL_REQUESTED: ("INVALID_STATUS", BATCH_FAILED),
    Code.PAST_STAGE: ("INVALID_STATUS", BATCH_FAILED),
    Code.ALREADY_CONFIRMED: ("INVALID_STATUS", BATCH_FAILED),
}
INVOICE_REFUSED = {
    Code.CANCELLED: ("ORDER_DELIVERY_CANCELED", "취소된 주문입니다."),
    Code.CANCEL_REQUESTED: ("ORDER_DELIVERY_CANCELED_HOLDING_FOR_CANCEL", "출고중지 요청된 주문입니다."),
    Code.NOT_CONFIRMED: ("INVALID_STATUS", BATCH_FAILED),
    Code.ALREADY_SHIPPED: ("INVALID_STATUS", BATCH_FAILED),
    Code.NOT_SHIPPED: ("INVALID_STATUS", BATCH_FAILED),
    Code.PAST_STAGE: ("INVALID_STATUS", BATCH_FAILED),
    Code.LINES_MISMATCH: ("NOT_FOUND_VENDOR_ITEM", "묶음배송 상품 전체에 송장을 입력해야 합니다."),
    Code.INVOICE_UNCHANGED: ("DUPLICATE_INVOICE_NUMBER", "invoiceNumber ({number}) is duplicated."),
    Code.INVOICE_IN_USE: ("DUPLICATE_INVOICE_NUMBER", "invoiceNumber ({number}) is duplicated."),
}

ACCESS_DENIED = (
    "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>"
    "You don't have permission to access this server.<P>Reference #{ref}</BODY></HTML>"
)

Handler = Callable[[Request], Response]


class _BadRequest(Exception):
    """A parameter problem answered with HTTP 400 and the mall's message."""


def _day(value: str | None, name: str, *, kst_suffix: bool) -> date:
    """``yyyy-MM-dd+09:00`` (v5 ordersheets) or plain ``yyyy-MM-dd`` (returns, inquiries)."""
    pattern = r"(\d{4}-\d{2}-\d{2})\+09:00" if kst_suffix else r"(\d{4}-\d{2}-\d{2})"
    match = re.fullmatch(pattern, value or "")
    if not match:
        raise _BadRequest(f"{name} is invalid. ({value})")  # invented wording
    return date.fromisoformat(match.group(1))


def _page_size(request: Request, name: str, default: int) -> int:
    raw = request.arg(name) or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise _BadRequest(f"{name} must be between 1 and {MAX_PAGE}.")  # invented wording
    return int(raw)


def _token_page(rows: list[dict[str, Any]], request: Request, size: int) -> tuple[list[dict[str, Any]], str]:
    """nextToken paging: the token is an opaque offset; "" on the last page."""
    token = request.arg("nextToken") or "0"
    if not token.isdigit():
        raise _BadRequest("nextToken is invalid.")  # invented wording
    start = int(token)
    end = start + size
    return rows[start:end], (str(end) if end < len(rows) else "")


class CoupangSimulator(CoupangClaims, CoupangScenarios, Simulator):
    mall = "coupang"
    default_rate_limit = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.throttle = Throttle()
        super().__init__(*args, **kwargs)

    # --- plumbing --------------------------------------------------------------------
    def routes(self) -> None:
        def vendor(version: str) -> str:
            return f"{OPENAPI}/{version}/vendors/{{vendorId}}"

        api = self._api
        api("GET", vendor("v5") + "/ordersheets", self.list_ordersheets)
        api("GET", vendor("v5") + "/ordersheets/{shipmentBoxId}", self.get_ordersheet)
        api("GET", vendor("v5") + "/{orderId}/ordersheets", self.get_order)  # inferred path shape
        api("PATCH", vendor("v4") + "/ordersheets/acknowledgement", self.acknowledge)
        api("POST", vendor("v4") + "/orders/invoices", lambda r: self.upload_invoices(r, update=False))
        api("POST", vendor("v4") + "/orders/updateInvoices", lambda r: self.upload_invoices(r, update=True))
        api("GET", vendor("v6") + "/returnRequests", self.list_returns)
        api("GET", vendor("v4") + "/exchangeRequests", self.list_exchanges)
        api("GET", vendor("v5") + "/onlineInquiries", self.list_inquiries)
        api("POST", vendor("v4") + "/onlineInquiries/{inquiryId}/replies", self.reply_inquiry)
        self.claim_routes(vendor, api)  # after the sale: coupang_claims
        api("POST", SELLER_PRODUCTS, self.create_product)
        # invented: the reference shows only registration; update (PUT, full body) and read-back by
        # sellerProductId are this simulator's reading of the same resource
        api("PUT", SELLER_PRODUCTS, self.update_product)
        api("GET", SELLER_PRODUCTS + "/{sellerProductId}", self.get_product)
        # 2nd-hand (public clients, not in shared reference): 상품 요약 정보 조회 by 판매자 상품코드
        api("GET", SELLER_PRODUCTS + "/external-vendor-sku-codes/{sku}", self.find_by_sku)
        api("GET", SELLER_PRODUCTS, self.list_products)  # 2nd-hand: 상품 목록 페이징 조회
        api("PUT", VENDOR_ITEMS + "/{vendorItemId}/sales/stop", lambda r: self.set_item_sale(r, on_sale=False))
        api("PUT", VENDOR_ITEMS + "/{vendorItemId}/sales/resume", lambda r: self.set_item_sale(r, on_sale=True))
        # 2nd-hand (쿠팡 developer pages, public clients): per-vendorItem stock, price and their read
        api("PUT", VENDOR_ITEMS + "/{vendorItemId}/quantities/{quantity}", self.set_item_quantity)
        api("PUT", VENDOR_ITEMS + "/{vendorItemId}/prices/{price}", self.set_item_price)
        api("GET", VENDOR_ITEMS + "/{vendorItemId}/inventories", self.get_item_inventory)

    def _api(self, method: str, pattern: str, handler: Handler) -> None:
        def guarded(request: Request) -> Response:
            problem = self._signature_problem(request)
            if problem:
                return self._gateway_error(401, problem)
            vendor = request.params.get("vendorId")
            if vendor is not None and vendor != self.credentials["vendor_id"]:
                return self._error(400, "Invalid vendor ID")
            try:
                return handler(request)
            except _BadRequest as exc:
                return self._error(400, str(exc))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                return self._error(400, f"Could not read JSON: {type(exc).__name__}")

        self.route(method, pattern, guarded)

    def _signature_problem(self, request: Request) -> str | None:
        header = request.headers.get("Authorization") or ""
        scheme, _, rest = header.partition(" ")
        if scheme != "CEA":
            return "Invalid signature."
        fields: dict[str, str] = {}
        for part in rest.split(","):  # "," and ", " separators both occur in official samples
            key, _, value = part.strip().partition("=")
            fields[key.strip()] = value.strip()
        if fields.get("algorithm") != "HmacSHA256" or fields.get("access-key") != self.credentials["access_key"]:
            return "Invalid signature."
        signed_date = fields.get("signed-date", "")
        try:
            signed = datetime.strptime(signed_date, "%y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "Invalid signature."
        if abs(datetime.now(UTC) - signed) > SIGNATURE_TOLERANCE:
            return "Specified signature is expired."
        message = signed_date + request.method + request.path + request.query_string
        expected = hmac.new(self.credentials["secret_key"].encode(), message.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, fields.get("signature", "")) else "Invalid signature."

    def client_id(self, request: Request) -> str:
        """The limit applies per vendorId: from the path, else from the access key's owner."""
        match = re.search(r"/vendors/([^/]+)/", request.path)
        if match:
            return match.group(1)
        header = request.headers.get("Authorization") or ""
        if f"access-key={self.credentials.get('access_key')}" in header.replace(" ", ""):
            return self.credentials["vendor_id"]
        return "anonymous"

    def _transaction_id(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    def _gateway_error(self, status: int, message: str) -> Response:
        return Response.json({"code": "ERROR", "message": message, "transactionId": self._transaction_id()}, status)

    def _error(self, status: int, message: str) -> Response:
        return Response.json({"code": status, "message": message}, status)

    def blocked(self, request: Request) -> Response | None:
        """A vendor that kept going over the limit gets Akamai's page for ``block_seconds``.

        inferred: reference §1.2 says over-limit vendors are "unblocked after minutes" and that
        bursts of errors bring a 403 "Access Denied" HTML page; the simulator joins the two.
        """
        if not self.throttle.blocked(self.client_id(request)):
            return None
        page = ACCESS_DENIED.format(ref=self._transaction_id()).encode()  # invented: the page's exact text
        return Response(403, page, {"Content-Type": "text/html"})

    def over_limit(self, request: Request) -> None:
        self.throttle.strike(self.client_id(request), strikes=self.faults.block_after_429, block=self.faults.block_seconds)

    def limit_headers(self, request: Request, headroom: float) -> dict[str, str]:
        """Reference §1.2: a throttling warning at ~90% of the threshold. invented: the value."""
        return {"X-CAG-Warnings": "Throttling threshold 90% reached"} if headroom <= 0.1 else {}

    def rate_limited(self, request: Request) -> Response:
        # invented body; the 429 itself is documented (articles 20414599556889, 360023154173)
        return Response.json({"code": "ERROR", "message": "Too Many Requests", "transactionId": self._transaction_id()}, 429)

    def server_error(self, request: Request) -> Response:
        return self._gateway_error(500, "Internal Server Error")

    def not_found(self, request: Request) -> Response:
        return self._gateway_error(404, "Not Found")

    @staticmethod
    def _ok(data: Any, **extra: Any) -> Response:
        return Response.json({"code": 200, "message": "OK", "data": data, **extra})

    # --- order sheets ----------------------------------------------------------------
    def list_ordersheets(self, request: Request) -> Response:
        start = _day(request.arg("createdAtFrom"), "createdAtFrom", kst_suffix=True)
        end = _day(request.arg("createdAtTo"), "createdAtTo", kst_suffix=True)
        if end < start or (end - start).days > 31:
            raise _BadRequest(RANGE_31)
        status = request.arg("status")
        if not status:
            raise _BadRequest("status is required.")  # invented wording
        if status not in ORDER_STATUSES:
            raise _BadRequest(f"status is invalid. ({status})")  # invented wording
        size = _page_size(request, "maxPerPage", MAX_PAGE)
        boxes = [
            b for b in self.store.all("box")
            if b["status"] == status and not unit(b).cancelled and start <= parse_kst(b["orderedAt"]).date() <= end
        ]  # inferred: fully cancelled boxes leave the list (they are in returnRequests cancelType=CANCEL)
        boxes.sort(key=lambda b: (b["orderedAt"], b["shipmentBoxId"]))
        page, token = _token_page(boxes, request, size)
        return self._ok([render_box(b) for b in page], nextToken=token)

    def get_ordersheet(self, request: Request) -> Response:
        box = self.store.get("box", request.params["shipmentBoxId"])
        if box is None:
            raise _BadRequest(f"shipmentBoxId ({request.params['shipmentBoxId']}) is not found.")
        return self._ok(render_box(box))

    def get_order(self, request: Request) -> Response:
        order_id = request.params["orderId"]
        boxes = [render_box(b) for b in self.store.all("box") if str(b["orderId"]) == order_id]
        if not boxes:
            raise _BadRequest(f"orderId ({order_id}) is not found.")  # invented wording
        return self._ok(boxes)

    def _vendor_body(self, request: Request) -> dict[str, Any]:
        body = request.json()
        if not isinstance(body, dict):
            raise _BadRequest("Could not read JSON: body must be an object")
        if body.get("vendorId") != self.credentials["vendor_id"]:
            raise _BadRequest("Invalid vendor ID")
        return body

    @staticmethod
    def _batch(results: list[dict[str, Any]], key: int) -> dict[str, Any]:
        ok = sum(1 for r in results if r["succeed"])
        code = -1 if not results else 0 if ok == len(results) else 99 if ok == 0 else 1
        message = {-1: "", 0: "SUCCESS", 1: "PARTIAL_ERROR", 99: BATCH_FAILED}[code]  # invented except 99
        return {"responseKey": key, "responseCode": code, "responseMessage": message, "responseList": results}

    @staticmethod
    def _result(box_id: Any, code: str = "OK", message: str = "") -> dict[str, Any]:
        return {"shipmentBoxId": box_id, "succeed": code == "OK", "resultCode": code,
                "resultMessage": message or ("" if code == "OK" else BATCH_FAILED), "retryRequired": False}

    def acknowledge(self, request: Request) -> Response:
        """발주확인: ACCEPT → INSTRUCT, per-box results."""
        body = self._vendor_body(request)
        ids = body.get("shipmentBoxIds")
        if not isinstance(ids, list) or not ids or len(ids) > MAX_BATCH:
            raise _BadRequest(f"shipmentBoxIds must contain 1 to {MAX_BATCH} ids.")  # invented wording
        results = []
        with self.store.transaction():
            for box_id in ids:
                box = self.store.get("box", str(box_id))
                if box is None:
                    results.append(self._result(box_id, "NOT_FOUND_SHIPMENT_BOX", f"shipmentBoxId ({box_id}) is not found."))
                    continue
                try:
                    orders.confirm(unit(box), POLICY)
                except Refusal as refusal:
                    results.append(self._result(box_id, *CONFIRM_REFUSED[refusal.code]))
                else:
                    box["status"] = "INSTRUCT"
                    self.store.put("box", str(box_id), box)
                    self.store.audit("order.confirm", str(box_id))
                    results.append(self._result(box_id))
        return self._ok(self._batch(results, self.store.next_id("responseKey", 1)))

    def upload_invoices(self, request: Request, *, update: bool) -> Response:
        """송장업로드 (INSTRUCT→DEPARTURE) or 송장수정 (DEPARTURE only); one DTO per vendorItemId."""
        body = self._vendor_body(request)
        dtos = body.get("orderSheetInvoiceApplyDtos")
        if not isinstance(dtos, list) or not dtos or len(dtos) > MAX_BATCH:
            raise _BadRequest(f"orderSheetInvoiceApplyDtos must contain 1 to {MAX_BATCH} items.")  # invented
        groups: dict[str, list[dict[str, Any]]] = {}
        for dto in dtos:
            groups.setdefault(str(dto["shipmentBoxId"]), []).append(dto)
        results = []
        with self.store.transaction():
            for box_id, group in groups.items():
                box = self.store.get("box", box_id)
                code, message = self._invoice_problem(box, group, update)
                if code == "OK" and box is not None:
                    self._apply_invoice(box, group[0], update)
                results.append(self._result(group[0]["shipmentBoxId"], code, message))
        return self._ok(self._batch(results, self.store.next_id("responseKey", 1)))

    def _invoice_problem(self, box: dict[str, Any] | None, group: list[dict[str, Any]], update: bool) -> tuple[str, str]:
        first = group[0]
        if box is None or str(first.get("orderId")) != str(box["orderId"]):
            return "NOT_FOUND_SHIPMENT_BOX", f"shipmentBoxId ({first['shipmentBoxId']}) is not found."
        courier, number = first.get("deliveryCompanyCode"), str(first.get("invoiceNumber") or "")
        state, invoice, lines = unit(box), Invoice(str(courier), number), [str(d["vendorItemId"]) for d in group]
        try:
            if update:
                orders.change_invoice(state, invoice, lines)
            else:
                orders.ship(state, invoice, POLICY, lines)
            if len({(d.get("deliveryCompanyCode"), str(d.get("invoiceNumber"))) for d in group}) > 1:
                return "IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY", "분리배송 여부를 확인해주세요."
            if courier not in COURIERS:
                return "INVALID_INVOICE_NUMBER", f"deliveryCompanyCode ({courier}) is invalid."  # invented wording
            digits = COURIERS[courier][1]
            if digits is not None and (not number.isdigit() or len(number) not in digits):
                return "INVALID_INVOICE_NUMBER", f"invoiceNumber ({number}) is invalid."
            if digits is None and not number:
                return "INVALID_INVOICE_NUMBER", "invoiceNumber is empty."
            if digits is not None:  # 업체직송 numbers are free text, never duplicates
                # Reuse within 6 months is refused unless it is the same receiver (peer-tools S42).
                invoices.check(self.store, invoice, state.id, group=self._receiver_key(box))
        except Refusal as refusal:
            code, message = INVOICE_REFUSED[refusal.code]
            return code, message.format(number=number)
        return "OK", ""

    @staticmethod
    def _receiver_key(box: dict[str, Any]) -> str:
        r = box["receiver"]
        return f"{r['name']}|{r['addr1']}|{r['addr2']}"

    def _apply_invoice(self, box: dict[str, Any], dto: dict[str, Any], update: bool) -> None:
        courier, number = dto["deliveryCompanyCode"], str(dto["invoiceNumber"])
        now = now_kst()
        box.update(status="DEPARTURE", _deliveryCompanyCode=courier, deliveryCompanyName=COURIERS[courier][0],
                   invoiceNumber=number, inTrasitDateTime=now.strftime("%Y-%m-%d %H:%M:%S"))
        for item in box["orderItems"]:
            item["invoiceNumberUploadDate"] = now.isoformat(timespec="seconds")
        key = str(box["shipmentBoxId"])
        self.store.put("box", key, box)
        if COURIERS[courier][1] is not None:
            invoices.record(self.store, Invoice(courier, number), key, group=self._receiver_key(box))
        self.store.audit("invoice.update" if update else "invoice.send", key, {"courier": courier, "number": number})

    # --- claims ----------------------------------------------------------------------
    def list_returns(self, request: Request) -> Response:
        """v6 returnRequests: RETURN by status (RU/UC/PR/CC) or cancellations with cancelType=CANCEL."""
        start = _day(request.arg("createdAtFrom"), "createdAtFrom", kst_suffix=False)
        end = _day(request.arg("createdAtTo"), "createdAtTo", kst_suffix=False)
        if end < start or (end - start).days > 31:
            raise _BadRequest(RANGE_31)
        size = _page_size(request, "maxPerPage", MAX_PAGE)
        cancel_type = request.arg("cancelType") or "RETURN"
        status, order_id = request.arg("status"), request.arg("orderId")
        if cancel_type not in ("RETURN", "CANCEL"):
            raise _BadRequest(f"cancelType is invalid. ({cancel_type})")  # invented wording
        if cancel_type == "RETURN" and status not in RETURN_FILTERS and not order_id:
            raise _BadRequest("status or orderId is required.")  # invented wording
        rows = []
        for receipt in self.store.all("receipt"):
            if receipt["receiptType"] != cancel_type or not start <= parse_kst(receipt["createdAt"]).date() <= end:
                continue
            if cancel_type == "RETURN" and status and receipt["receiptStatus"] not in RETURN_FILTERS.get(status, ()):
                continue
            if order_id and str(receipt["orderId"]) != order_id:
                continue
            rows.append(receipt)
        rows.sort(key=lambda r: (r["createdAt"], r["receiptId"]))
        page, token = _token_page(rows, request, size)
        return self._ok(page, nextToken=token)

    def list_exchanges(self, request: Request) -> Response:
        """v4 exchangeRequests: ``yyyy-MM-ddTHH:mm:ss`` bounds, at most 7 days."""
        try:
            start = parse_kst(request.arg("createdAtFrom") or "")
            end = parse_kst(request.arg("createdAtTo") or "")
        except ValueError as exc:
            raise _BadRequest("createdAtFrom/createdAtTo must be yyyy-MM-ddTHH:mm:ss.") from exc  # invented wording
        if end < start or end - start > timedelta(days=7):
            raise _BadRequest("The search period must be within 7 days.")  # invented wording
        status = request.arg("status")
        if status is not None and status not in EXCHANGE_STATUSES:
            raise _BadRequest(f"status is invalid. ({status})")
        size = _page_size(request, "maxPerPage", 10)
        rows = [
            x for x in self.store.all("exchange")
            if start <= parse_kst(x["createdAt"]) <= end and (status is None or x["exchangeStatus"] == status)
        ]
        rows.sort(key=lambda x: (x["createdAt"], x["exchangeId"]))
        page, token = _token_page(rows, request, size)
        return self._ok(page, nextToken=token)

    # --- inquiries -------------------------------------------------------------------
    def list_inquiries(self, request: Request) -> Response:
        start = _day(request.arg("inquiryStartAt"), "inquiryStartAt", kst_suffix=False)
        end = _day(request.arg("inquiryEndAt"), "inquiryEndAt", kst_suffix=False)
        if end < start or (end - start).days > 7:
            raise _BadRequest("inquiryStartAt ~ inquiryEndAt must be within 7 days.")  # invented wording
        answered = request.arg("answeredType") or "ALL"
        if answered not in ("ALL", "ANSWERED", "NOANSWER"):
            raise _BadRequest(f"answeredType is invalid. ({answered})")
        size = _page_size(request, "pageSize", 10)
        page_num = request.arg("pageNum") or "1"
        if not page_num.isdigit() or int(page_num) < 1:
            raise _BadRequest("pageNum is invalid.")
        rows = [
            q for q in self.store.all("inquiry")
            if start <= parse_kst(q["inquiryAt"]).date() <= end
            and (answered == "ALL" or bool(q["commentDtoList"]) == (answered == "ANSWERED"))
        ]
        rows.sort(key=lambda q: (q["inquiryAt"], q["inquiryId"]))
        current = int(page_num)
        content = rows[(current - 1) * size: current * size]
        pagination = {"currentPage": current, "totalPages": -(-len(rows) // size), "totalElements": len(rows), "countPerPage": size}
        return self._ok({"content": content, "pagination": pagination})

    def reply_inquiry(self, request: Request) -> Response:
        body = self._vendor_body(request)
        content, reply_by = body.get("content"), body.get("replyBy")
        if not isinstance(content, str) or not content.strip():
            raise _BadRequest("content is required.")  # invented wording
        if not reply_by:
            raise _BadRequest("replyBy is required.")  # invented wording
        inquiry_id = request.params["inquiryId"]
        with self.store.transaction():
            inquiry = self.store.get("inquiry", inquiry_id)
            if inquiry is None:
                raise _BadRequest(f"inquiryId ({inquiry_id}) is not found.")  # invented wording
            try:
                inquiries.answer(bool(inquiry["commentDtoList"]))
            except Refusal:
                raise _BadRequest("이미 답변이 등록된 문의입니다.") from None  # invented: one seller answer per inquiry
            inquiry["commentDtoList"].append({
                "inquiryCommentId": self.store.next_id("inquiryCommentId", 500000001), "inquiryId": int(inquiry_id),
                "content": content, "inquiryCommentAt": now_kst().strftime("%Y-%m-%d %H:%M:%S"),
            })
            self.store.put("inquiry", inquiry_id, inquiry)
            self.store.audit("inquiry.answer", inquiry_id)
        return Response.json({"code": "200", "message": "OK"})

    # --- products --------------------------------------------------------------------
    def _product_problem(self, body: dict[str, Any]) -> str | None:
        name = body.get("sellerProductName")
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            return "입력값에 오류가 있습니다. sellerProductName 은 1~100자여야 합니다."
        if not isinstance(body.get("displayCategoryCode"), int):
            return "입력값에 오류가 있습니다. displayCategoryCode"
        items = body.get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
            return f"입력값에 오류가 있습니다. items 는 1~{MAX_ITEMS}개여야 합니다."  # invented wording
        for line, item in enumerate(items, 1):
            if not item.get("itemName") or not isinstance(item.get("salePrice"), int) or item["salePrice"] <= 0:
                return f"입력값에 오류가 있습니다. line: {line}"
        return None

    def _sku(self, body: dict[str, Any]) -> str:
        return str(body["items"][0].get("externalVendorSku") or "")

    def _product_body(self, request: Request) -> dict[str, Any] | Response:
        """The seller-product JSON, or the 400 the gateway answers for a foreign or invalid one."""
        body = request.json()
        if not isinstance(body, dict) or body.get("vendorId") != self.credentials["vendor_id"]:
            return self._gateway_error(400, "UNAUTHORIZATION")
        problem = self._product_problem(body)
        return self._gateway_error(400, problem) if problem else body

    def create_product(self, request: Request) -> Response:
        body = self._product_body(request)
        if isinstance(body, Response):
            return body
        with self.store.transaction():
            product_id = self.store.next_id("sellerProductId", 1000000001)
            for item in body["items"]:
                self._new_item(item)
            # inferred: approval is asynchronous on the real mall; the sandbox approves at once what
            # was requested (requested=true) and keeps the rest as 임시저장, which is not on sale
            body.update(sellerProductId=product_id, productId=self.store.next_id("productId", 7100000001),
                        statusName=APPROVED if body.get("requested") else TEMPORARY, createdAt=stamp(now_kst()))
            self.store.put("product", str(product_id), body)
            self._index_skus(body)
            self.store.audit("product.create", self._sku(body), {"sellerProductId": product_id})
        return Response.json({"code": "SUCCESS", "message": "", "data": product_id})

    def _new_item(self, item: dict[str, Any]) -> None:
        item["sellerProductItemId"] = self.store.next_id("sellerProductItemId", 3000000001)
        item["vendorItemId"] = self.store.next_id("vendorItemId", 80000000101)
        item["itemId"] = self.store.next_id("itemId", 9000000001)
        item["_onSale"] = True  # sandbox state of 판매중지/판매재개, not part of the product body

    def _vendor_item(self, request: Request) -> tuple[dict[str, Any], dict[str, Any]] | Response:
        """(product, item) of the path's vendorItemId, or the 400 the mall answers (unknown item, not approved)."""
        raw = request.params["vendorItemId"]
        wanted = int(raw) if raw.isdigit() else None
        candidates = catalogue.lookup(self.store, "product", "vendorItem", raw) or self.store.all("product")  # index, else a scan
        for product in candidates:
            for item in product["items"]:
                if wanted is not None and item.get("vendorItemId") == wanted:
                    if product["statusName"] != APPROVED:  # invented wording; vendorItems are usable once approved
                        return self._gateway_error(400, f"승인완료된 상품의 옵션만 변경할 수 있습니다. ({raw})")
                    return product, item
        return self._gateway_error(400, f"옵션({raw})이 존재하지 않습니다.")  # invented wording

    def _item_changed(self, product: dict[str, Any], op: str, item: dict[str, Any], detail: dict[str, Any] | None = None) -> Response:
        self.store.put("product", str(product["sellerProductId"]), product)
        self.store.audit(op, str(item["vendorItemId"]), detail)
        return Response.json({"code": "SUCCESS", "message": "", "data": None})  # invented: data null like the price sample

    def set_item_sale(self, request: Request, *, on_sale: bool) -> Response:
        """판매중지 / 판매재개 of one vendor item (invented response shape, like the other writes)."""
        with self.store.transaction():
            found = self._vendor_item(request)
            if isinstance(found, Response):
                return found
            product, item = found
            item["_onSale"] = on_sale
            return self._item_changed(product, "item.sale.resume" if on_sale else "item.sale.stop", item)

    def set_item_quantity(self, request: Request) -> Response:
        """재고 of one vendor item: a whole number ≥ 0 (0 is 품절). inferred: the stock is the item's
        maximumBuyCount (판매가능수량), which orders decrement."""
        quantity = request.params["quantity"]
        if not quantity.isdigit():
            raise _BadRequest(f"재고수량은 0 이상의 숫자여야 합니다. ({quantity})")  # invented wording
        with self.store.transaction():
            found = self._vendor_item(request)
            if isinstance(found, Response):
                return found
            product, item = found
            item["maximumBuyCount"] = int(quantity)
            return self._item_changed(product, "item.stock", item, {"quantity": int(quantity)})

    def set_item_price(self, request: Request) -> Response:
        """판매가 of one vendor item, within −50 % / +100 % of the current one unless forceSalePriceUpdate=true."""
        price = request.params["price"]
        if not price.isdigit() or int(price) <= 0:
            raise _BadRequest(f"판매가격은 0보다 큰 숫자여야 합니다. ({price})")  # invented wording
        with self.store.transaction():
            found = self._vendor_item(request)
            if isinstance(found, Response):
                return found
            product, item = found
            current, wanted = int(item["salePrice"]), int(price)
            if request.arg("forceSalePriceUpdate") != "true" and not current / 2 <= wanted <= current * 2:
                return self._gateway_error(400, PRICE_RANGE.format(item=item["vendorItemId"]))
            item["salePrice"] = wanted
            return self._item_changed(product, "item.price", item, {"price": wanted})

    def get_item_inventory(self, request: Request) -> Response:
        """상품 아이템별 수량/가격/상태 조회 (2nd-hand field names; vendorItemId in the answer is invented)."""
        found = self._vendor_item(request)
        if isinstance(found, Response):
            return found
        _, item = found
        return self._ok({"vendorItemId": item["vendorItemId"], "amountInStock": int(item.get("maximumBuyCount") or 0),
                         "salePrice": int(item["salePrice"]), "onSale": bool(item.get("_onSale", True))})

    def list_products(self, request: Request) -> Response:
        """상품 목록 페이징 조회: summaries (no items) in sellerProductId order; ``nextToken`` is the next
        page's number ("1" or absent for the first), "" after the last (2nd-hand)."""
        size = int(request.arg("maxPerPage") or PRODUCTS_PAGE)
        if not 1 <= size <= PRODUCTS_PAGE_MAX:
            raise _BadRequest(f"maxPerPage must be between 1 and {PRODUCTS_PAGE_MAX}.")  # invented wording
        token = request.arg("nextToken") or "1"
        if not token.isdigit() or int(token) < 1:
            raise _BadRequest("nextToken is invalid.")  # invented wording
        keys = sorted(self.store.keys("product"), key=int)
        start = (int(token) - 1) * size
        page = [render_product_summary(self.store.get("product", k) or {}) for k in keys[start:start + size]]
        more = start + size < len(keys)
        return self._ok(page, nextToken=str(int(token) + 1) if more else "")

    def on_sale(self, product: dict[str, Any]) -> bool:
        """Buyers can order it: approved and at least one vendor item not stopped."""
        return product["statusName"] == APPROVED and any(i.get("_onSale", True) for i in product["items"])

    def update_product(self, request: Request) -> Response:
        """PUT seller-products: the full product; existing items carry their ids and may not be dropped."""
        body = self._product_body(request)
        if isinstance(body, Response):
            return body
        with self.store.transaction():
            current = self.store.get("product", str(body.get("sellerProductId")))
            if current is None:
                return self._gateway_error(400, f"업체상품({body.get('sellerProductId')})이 존재하지 않습니다.")  # invented
            known = {i["vendorItemId"]: i for i in current["items"]}
            sent = {i.get("vendorItemId") for i in body["items"] if i.get("vendorItemId")}
            if not set(known) <= sent:
                return self._gateway_error(400, "vendorItem로 생성된 아이템은 삭제가 불가능합니다.")  # FAQ title
            if not sent <= set(known):
                return self._gateway_error(400, "입력값에 오류가 있습니다. vendorItemId")
            for item in body["items"]:
                if item.get("vendorItemId"):
                    old = known[item["vendorItemId"]]
                    item.update(sellerProductItemId=old["sellerProductItemId"], itemId=old["itemId"],
                                _onSale=old.get("_onSale", True))  # a product update does not touch the sale state
                else:
                    self._new_item(item)
            status = APPROVED if body.get("requested") and current["statusName"] == TEMPORARY else current["statusName"]
            body.update(sellerProductId=current["sellerProductId"], productId=current["productId"],
                        statusName=status, createdAt=current["createdAt"])
            self.store.put("product", str(current["sellerProductId"]), body)
            self._index_skus(body)
            self.store.audit("product.update", self._sku(body), {"sellerProductId": current["sellerProductId"]})
        return Response.json({"code": "SUCCESS", "message": "", "data": current["sellerProductId"]})  # inferred shape

    def get_product(self, request: Request) -> Response:
        product = self.store.get("product", request.params["sellerProductId"])
        if product is None:
            return self._gateway_error(400, f"업체상품({request.params['sellerProductId']})이 존재하지 않습니다.")
        items = [{k: v for k, v in item.items() if not k.startswith("_")} for item in product["items"]]
        return Response.json({"code": "SUCCESS", "message": "", "data": {**product, "items": items}})

    def _index_skus(self, product: dict[str, Any]) -> None:
        """Seller codes and vendorItemIds → the product, so a lookup reads one row."""
        for item in product["items"]:
            catalogue.index(self.store, "sku", str(item.get("externalVendorSku") or ""), str(product["sellerProductId"]))
            catalogue.index(self.store, "vendorItem", str(item.get("vendorItemId") or ""), str(product["sellerProductId"]))

    def find_by_sku(self, request: Request) -> Response:
        sku = unquote(request.params["sku"])
        found = [
            render_product_summary(p) for p in catalogue.lookup(self.store, "product", "sku", sku)
            if any(str(i.get("externalVendorSku")) == sku for i in p["items"])
        ]
        return Response.json({"code": "SUCCESS", "message": "", "data": found})

    def state(self) -> dict[str, Any]:
        boxes: dict[str, int] = {}
        for box in self.store.all("box"):
            key = "CANCELED" if unit(box).cancelled else box["status"]
            boxes[key] = boxes.get(key, 0) + 1
        inquiries = self.store.all("inquiry")
        return {
            "products": self.store.count("product"), "boxes": boxes, "receipts": self.store.count("receipt"),
            "exchanges": self.store.count("exchange"), "inquiries": len(inquiries),
            "off_sale": [self._sku(p) for p in self.store.all("product") if not self.on_sale(p)],
            "unanswered": sum(1 for q in inquiries if not q["commentDtoList"]),
        }
