"""쿠팡 Wing Open API declared (reference §1): every request signed with CEA HMAC-SHA256 over the
exact path and raw query httpx sends, the vendorId in every path (and again in write bodies), the
envelope ``{"code", "message", "data"}``, bulk writes answering HTTP 200 with one result per
shipmentBoxId, and read-backs that turn "refused, but already so" into ``already``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from mallbatch.config import Account
from mallbatch.connectors.coupang import aftersale, catalogue, hooks
from mallbatch.connectors.coupang.mapping import (
    COURIER_CODES,
    box_results,
    cancelled_box,
    exchange_claim,
    inquiry,
    invoice_dtos,
    order_lines,
    receipt_claim,
)
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.errors import ErrorRule, classifier
from mallbatch.connectors.runtime.http import Envelope, Limits, RetryPolicy, limiter_for
from mallbatch.connectors.runtime.paging import NextToken, PageNumber
from mallbatch.connectors.runtime.spec import (
    Credential,
    Expand,
    FromAccount,
    Hooks,
    ListingRules,
    Lookup,
    MarketplaceSpec,
    Rate,
    Read,
    ReadBack,
    SandboxHints,
    Write,
)
from mallbatch.connectors.runtime.windows import Window
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import KST
from mallbatch.domain.couriers import BY_CODE as COURIERS_BY_CODE
from mallbatch.domain.records import Answer, ClaimAction, ClaimKind, Invoice, ItemResult, ListingChange
from mallbatch.domain.states import State
from mallbatch.errors import AuthError, RateLimited


# --- signing (reference §1.1) ----------------------------------------------------------------
def signed_date(moment: datetime) -> str:
    """``yyMMdd'T'HHmmss'Z'`` in UTC."""
    return moment.astimezone(UTC).strftime("%y%m%dT%H%M%SZ")


def signature(secret_key: str, date_text: str, method: str, path: str, query: str) -> str:
    """Lowercase hex HMAC-SHA256 of signedDate + METHOD + path + raw query (no '?')."""
    message = f"{date_text}{method}{path}{query}"
    return hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(access_key: str, date_text: str, hex_signature: str) -> str:
    return f"CEA algorithm=HmacSHA256, access-key={access_key}, signed-date={date_text}, signature={hex_signature}"


class CoupangAuth(httpx.Auth):
    """Signs each attempt anew: the signature embeds the time, so a retry needs a fresh one."""

    def __init__(self, vendor_id: str, access_key: str, secret_key: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._vendor_id = vendor_id
        self._access_key = access_key
        self._secret_key = secret_key
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path, _, query = request.url.raw_path.decode("ascii").partition("?")
        stamp = signed_date(self.clock())
        request.headers["Authorization"] = authorization(
            self._access_key, stamp, signature(self._secret_key, stamp, request.method, path, query))
        request.headers["X-Requested-By"] = self._vendor_id
        if request.content and "Content-Type" not in request.headers:  # a raw JSON array body (교환상품 송장)
            request.headers["Content-Type"] = "application/json;charset=UTF-8"
        yield request


# --- envelope and error rules (reference §1.2) -----------------------------------------------
# Every answer, success or refusal, is {"code", "message", "data"?}; code is 200, "200" or "SUCCESS".
ENVELOPE = Envelope("쿠팡", keys=("code", "data"), code="code", ok=("200", "SUCCESS"), message="message")
VENDOR_MISMATCH = "쿠팡 업체코드(vendor_id)가 API 키의 업체와 다릅니다. config.toml 을 확인하세요"
ERRORS = (
    # Repeated 429s bring Akamai's 403 "Access Denied" HTML page for minutes: wait, never an auth failure.
    ErrorRule(RateLimited, status=(403,), text="Access Denied", retry_after=60,  # inferred: "unblocked after minutes"
              message="쿠팡이 호출 한도 초과가 반복되어 잠시 접속을 막았습니다. 기다렸다가 다시 시도합니다"),
    ErrorRule(AuthError, status=(401,), text="expired", message="쿠팡 인증 실패: 서명 시각이 만료되었습니다. 이 컴퓨터의 시계를 맞추세요"),
    ErrorRule(AuthError, status=(401,),
              message="쿠팡 인증 실패: 서명이 맞지 않습니다. access_key / secret_key (유효기간 180일)를 확인하세요"),
    ErrorRule(AuthError, status=(403,), message="쿠팡이 접근을 막았습니다. Wing에 등록된 IP인지 확인하세요"),
    ErrorRule(RateLimited, status=(429,), message="쿠팡 호출 한도(판매자당 초당 10회)를 넘었습니다. 잠시 후 다시 시도합니다"),
    ErrorRule(AuthError, status=(400,), text="Invalid vendor ID", message=VENDOR_MISMATCH),
    ErrorRule(AuthError, status=(400,), text="UNAUTHORIZATION", message=VENDOR_MISMATCH),
)
classify = classifier(ENVELOPE, ERRORS)

# --- paths -----------------------------------------------------------------------------------
OPENAPI = "/v2/providers/openapi/apis/api"
V4, V5, V6 = (f"{OPENAPI}/{v}/vendors/{{vendor_id}}" for v in ("v4", "v5", "v6"))
SELLER_PRODUCTS = f"{catalogue.SELLER_API}/seller-products"
VENDOR = FromAccount(("vendor_id",))
REPLY_BY = FromAccount(("wing_user_id", "vendor_id"))  # the Wing login id; inferred fallback to the vendorId

# --- reads -----------------------------------------------------------------------------------
PAGE = 50  # maxPerPage / pageSize at most 50 (reference §1.3, §1.9)
ORDER_STATUSES = ("ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING")  # status is required by v5
# One receipt may appear under RU and UC: deduplicated by receiptId.
RETURN_QUERIES = ({"status": "RU"}, {"status": "UC"}, {"status": "PR"}, {"status": "CC"}, {"cancelType": "CANCEL"})
DAYS = ("createdAtFrom", "createdAtTo")
NEXT = NextToken()  # the token sits beside data in the answer

# --- writes ----------------------------------------------------------------------------------
BATCH = 50  # inferred: the reference recommends ≤ 50 shipmentBoxIds per acknowledgement
INVOICE_BATCH = 50  # invented: DTOs per invoice call (one DTO per vendorItemId; boxes are never split)
ANSWER_LENGTH = (1, 2000)  # inferred: 쿠팡 documents no limit


def _unit(unit: object) -> str:
    return str(unit).strip()


def _numeric(unit: object) -> tuple[str, str] | None:
    return None if _unit(unit).isdigit() else ("INVALID_ID", "쿠팡 묶음배송번호는 숫자입니다")


def _invoice_problem(invoice: Invoice) -> tuple[str, str] | None:
    if invoice.courier not in COURIER_CODES:
        courier = COURIERS_BY_CODE.get(invoice.courier)
        return "COURIER", f"쿠팡은 {courier.name if courier else invoice.courier} 택배사 코드를 지원하지 않습니다. 다른 택배사로 입력하세요"
    return _numeric(invoice.ship_unit)


def _answer_problem(answer: Answer) -> tuple[str, str] | None:
    low, high, size = *ANSWER_LENGTH, len(answer.text.strip())
    return None if low <= size <= high else ("LENGTH", f"답변은 {low}~{high}자로 입력하세요 (현재 {size}자)")


def _invoices(path: str) -> Write:
    return Write(
        "POST", path, key=lambda inv: inv.ship_unit.strip(), batch=INVOICE_BATCH,
        body=lambda invoices: {"vendorId": VENDOR, "orderSheetInvoiceApplyDtos": [d for inv in invoices for d in invoice_dtos(inv)]},
        precheck=_invoice_problem, prepare=hooks.with_box_lines, weight=lambda inv: len(inv.line_ids),
        results=lambda body, invoices: box_results(body, [inv.ship_unit for inv in invoices]),
        read_back=ReadBack("box", hooks.shipped_as, "이미 같은 송장으로 발송처리된 주문입니다"))


def _catalogue(path: str, value: Callable[[ListingChange], dict[str, Any]],
               precheck: Callable[[ListingChange], tuple[str, str] | None],
               holds: Callable[[Any, dict[str, Any]], bool], message: str) -> Write:
    """One vendorItem per call (쿠팡 shows no bulk stock, price or sale-state write): ``prepare``
    resolves the change to its vendorItems, and a whole product's change is a part per option."""
    return Write(
        "PUT", path, key=lambda change: change.target, send="params", precheck=precheck, prepare=catalogue.vendor_items,
        body=lambda parts: {"vendorItemId": parts[0].extra["vendorItemId"], **value(parts[0])},
        read_back=ReadBack("listing", holds, message))


# --- after the sale ---------------------------------------------------------------------------
# Receipts (취소·반품) and exchanges are addressed by claim id: the receiptId, or "EX" + exchangeId
# (mapping.exchange_claim). "{receipt}", "{exchange}", "{order}" are path-only names (Connector.call
# takes them out of the body); the ids the body names again stay in it.
RECEIPT = f"{V4}/returnRequests/{{receipt}}"
EXCHANGE = f"{V4}/exchangeRequests/{{exchange}}"
# 2nd-hand (public clients, a fake-transport test of one): 주문 상품 취소 (v5) with CPDOC19's v4 refunds
# body; middleCancelCode CCTTER 재고 연동 오류 (재고 문제), CCPRER 가격등재오류 — the codes that fit a seller's reason
CANCEL_REASONS = {"품절": "CCTTER", "상품정보오류": "CCPRER"}
CLAIM_LOOKBACK = timedelta(days=31)  # invented: how far back an exchange is looked for (no single read)


def _receipt_body(extra: Callable[[ClaimAction], dict[str, Any]] = lambda a: {}) -> Callable[[list[ClaimAction]], dict[str, Any]]:
    """One receipt per call (the path names it), its ids in the body again as documented."""
    def body(actions: list[ClaimAction]) -> dict[str, Any]:
        action = actions[0]
        return {"receipt": action.claim_id, "vendorId": VENDOR, "receiptId": int(action.claim_id), **extra(action)}
    return body


def _cancel_count(action: ClaimAction) -> dict[str, Any]:
    claim = action.claim
    return {"cancelCount": claim.quantity if claim else 0}


def _exchange_body(extra: Callable[[ClaimAction], dict[str, Any]] = lambda a: {}) -> Callable[[list[ClaimAction]], dict[str, Any]]:
    def body(actions: list[ClaimAction]) -> dict[str, Any]:
        exchange = str(aftersale.exchange_id(actions[0].claim_id))
        return {"exchange": exchange, "exchangeId": int(exchange), "vendorId": VENDOR, **extra(actions[0])}
    return body


def _claim_write(method: str, path: str, body: Callable[[list[Any]], dict[str, Any]], kinds: tuple[ClaimKind, ...],
                 what: str, read_back: ReadBack, *, precheck: Callable[[ClaimAction], Any] | None = None,
                 prepare: Callable[[Any, ClaimAction], Any] = aftersale.with_claim, **more: Any) -> Write:
    """A claim action: one claim per call, refused before any call for another kind of claim."""
    kind = aftersale.needs_kind(*kinds, what=what)
    return Write(method, path, key=lambda a: a.claim_id, body=body, prepare=prepare,
                 precheck=lambda a: kind(a) or (precheck(a) if precheck else None),
                 results=aftersale.claim_results, read_back=read_back, **more)


def _collected_route(actions: list[ClaimAction]) -> tuple[str, str]:
    """입고확인 of a return (receipt) or of an exchange: two resources, one action."""
    if aftersale.exchange_id(actions[0].claim_id) is None:
        return "PATCH", f"{RECEIPT}/receiveConfirmation"
    return "PATCH", f"{EXCHANGE}/receiveConfirmation"


def _collected_body(actions: list[ClaimAction]) -> dict[str, Any]:
    return (_receipt_body if aftersale.exchange_id(actions[0].claim_id) is None else _exchange_body)()(actions)


PRODUCTS_PAGE = 100  # 2nd-hand: maxPerPage of the seller-product list, default 10, at most 100


def _today() -> dict[str, Any]:
    today = f"{datetime.now(KST).date().isoformat()}+09:00"
    return {"createdAtFrom": today, "createdAtTo": today, "status": "ACCEPT", "maxPerPage": 1}


SPEC = MarketplaceSpec(
    mall="coupang",
    base_url="https://api-gateway.coupang.com",
    credentials=(
        Credential("vendor_id", "Wing 업체코드 (A로 시작, 예: A00012345)", secret=False),
        # keys expire after 180 days (peer-tools S42/S43)
        Credential("access_key", "Wing > 판매자정보 > 추가판매정보 > OPEN API 키 발급의 Access Key", lifetime_days=180),
        Credential("secret_key", "같은 화면의 Secret Key", lifetime_days=180),
    ),
    auth=lambda account: CoupangAuth(account.secret("vendor_id"), account.secret("access_key"), account.secret("secret_key")),
    # 10 requests/s per vendorId (articles 20414599556889, 23902034110617), never more in any one second.
    # The client averages 9.5; two saved tokens absorb our own per-call work (journal commits).
    rate=Rate(10.0, burst=2, cap=10, client=9.5),
    envelope=ENVELOPE,
    errors=ERRORS,
    auth_probe=("GET", f"{V5}/ordersheets", _today),
    reads={
        "orders": Read(
            "주문", "GET", f"{V5}/ordersheets", send="params", records="data", paginator=NEXT,
            mapping=lambda box, _, account: order_lines(box, "coupang", account),
            key=lambda line: line.line_id, stamp=lambda line, _: line.ordered_at, keep_unstamped=True,
            window=Window(timedelta(days=31), DAYS, "%Y-%m-%d+09:00", by_day=True),  # 400 "…less than31."
            partitions=tuple({"status": s, "maxPerPage": PAGE} for s in ORDER_STATUSES)),
        # boxes cancelled in full leave the lists above: re-read each completed cancel's box, mapped 취소
        "orders.cancelled": Read(
            "취소된 주문", "GET", f"{V6}/returnRequests", send="params", records="data", paginator=NEXT,
            mapping=lambda box, _, account: order_lines(box, "coupang", account),
            key=lambda line: line.line_id, stamp=lambda line, _: None, keep_unstamped=True,  # the window is the cancel's
            window=Window(timedelta(days=31), DAYS, "%Y-%m-%d", by_day=True),
            partitions=({"cancelType": "CANCEL", "maxPerPage": PAGE},),
            expand=Expand("GET", f"{V5}/ordersheets/{{shipmentBoxId}}", batch=1, send="params", records="data",
                          id_of=cancelled_box, body=lambda ids: {"shipmentBoxId": int(ids[0])})),
        "claims": Read(
            "반품·취소", "GET", f"{V6}/returnRequests", send="params", records="data", paginator=NEXT,
            mapping=lambda receipt, _, account: receipt_claim(receipt, "coupang", account),
            key=lambda claim: claim.claim_id, stamp=lambda claim, _: claim.requested_at, keep_unstamped=True,
            window=Window(timedelta(days=31), DAYS, "%Y-%m-%d", by_day=True),
            partitions=tuple({**q, "maxPerPage": PAGE} for q in RETURN_QUERIES)),
        "claims.exchange": Read(
            "교환", "GET", f"{V4}/exchangeRequests", send="params", records="data", paginator=NEXT,
            mapping=lambda exchange, _, account: exchange_claim(exchange, "coupang", account),
            key=lambda claim: claim.claim_id, stamp=lambda claim, _: claim.requested_at, keep_unstamped=True,
            window=Window(timedelta(days=7), DAYS, "%Y-%m-%dT%H:%M:%S"), partitions=({"maxPerPage": PAGE},)),
        "inquiries": Read(
            "문의", "GET", f"{V5}/onlineInquiries", send="params", records="data.content",
            paginator=PageNumber("pageNum", total="data.pagination.totalElements", size="data.pagination.countPerPage"),
            mapping=lambda row, _, account: inquiry(row, "coupang", account),
            key=lambda q: q.inquiry_id, stamp=lambda q, _: q.asked_at, keep_unstamped=True,
            window=Window(timedelta(days=7), ("inquiryStartAt", "inquiryEndAt"), "%Y-%m-%d", by_day=True),
            partitions=({"vendorId": VENDOR, "answeredType": "ALL", "pageSize": PAGE},)),
        # 2nd-hand (쿠팡 "상품 목록 페이징 조회"): summaries without items, so each product is read by its
        # sellerProductId: ⌈P / 100⌉ + P requests for P products (≈ 55 s for 500 at 9.5 per second)
        "products": Read(
            "상품", "GET", SELLER_PRODUCTS, send="params", records="data", paginator=NEXT,
            mapping=lambda product, _, account: catalogue.mall_product(product, "coupang", account),
            key=lambda product: product.product_id, stamp=lambda product, _: None, keep_unstamped=True,
            partitions=({"vendorId": VENDOR, "maxPerPage": PRODUCTS_PAGE},),
            expand=Expand("GET", f"{SELLER_PRODUCTS}/{{sellerProductId}}", batch=1, send="params", records="data",
                          id_of=lambda row: str(row.get("sellerProductId") or "") or None,
                          body=lambda ids: {"sellerProductId": int(ids[0])})),
    },
    lookups={
        "box": Lookup("GET", f"{V5}/ordersheets/{{shipmentBoxId}}", lambda key: {"shipmentBoxId": int(key)}),
        # inferred path shape (title "발주서 단건 조회 (orderId)" confirmed)
        "order": Lookup("GET", f"{V5}/{{orderId}}/ordersheets", lambda key: {"orderId": int(key)}),
        # inferred: no single-inquiry read is documented, so the list is scanned back 30 days
        "inquiry": Lookup(scan=partial(hooks.inquiry_row, lookback=timedelta(days=30)),
                          mapping=lambda row, account: inquiry(row, "coupang", account)),
        # invented: the reference shows only registration; read by sellerProductId is this client's reading
        "product": Lookup("GET", f"{SELLER_PRODUCTS}/{{sellerProductId}}", lambda key: {"sellerProductId": int(key)}, missing=()),
        # 2nd-hand (public clients, not in shared reference): 상품 요약 정보 조회 by externalVendorSkuCode
        "products_by_sku": Lookup("GET", f"{SELLER_PRODUCTS}/external-vendor-sku-codes/{{sku}}", lambda key: {"sku": key}, missing=()),
        # a catalogue change's target: its vendorItems' stock, price and sale state (2nd-hand: inventories)
        "listing": Lookup(scan=catalogue.listing_state),
        # reference §1.7 [C-paths]: 반품요청 단건 조회; data is the receipt (inferred, like the single ordersheet)
        "receipt": Lookup("GET", f"{V6}/returnRequests/{{receiptId}}", lambda key: {"receiptId": int(key)}),
        "claim": Lookup(scan=partial(aftersale.claim_record, lookback=CLAIM_LOOKBACK)),  # a claim action's target
        "line": Lookup("GET", f"{V5}/ordersheets/{{shipmentBoxId}}",  # a 판매취소's target: the line's box
                       lambda key: {"shipmentBoxId": int(key.partition("-")[0])}),
    },
    writes={
        Capability.ORDERS_CONFIRM: Write(  # 발주확인 ACCEPT → INSTRUCT
            "PATCH", f"{V4}/ordersheets/acknowledgement", key=_unit, batch=BATCH, precheck=_numeric,
            body=lambda units: {"vendorId": VENDOR, "shipmentBoxIds": [int(_unit(u)) for u in units]},
            results=lambda body, units: box_results(body, [_unit(u) for u in units]),
            read_back=ReadBack("box", hooks.confirmed, "이미 발주확인된 주문입니다")),
        Capability.INVOICES_SEND: _invoices(f"{V4}/orders/invoices"),  # 송장업로드 INSTRUCT → DEPARTURE
        Capability.INVOICES_UPDATE: _invoices(f"{V4}/orders/updateInvoices"),  # 송장수정, DEPARTURE only
        Capability.INQUIRIES_ANSWER: Write(  # one reply per call
            "POST", f"{V4}/onlineInquiries/{{inquiryId}}/replies", key=lambda a: a.inquiry_id.strip(), precheck=_answer_problem,
            body=lambda answers: {"inquiryId": answers[0].inquiry_id.strip(), "content": answers[0].text.strip(),
                                  "vendorId": VENDOR, "replyBy": REPLY_BY},
            results=lambda body, answers: [ItemResult(a.inquiry_id.strip(), True, "OK") for a in answers],
            read_back=ReadBack("inquiry", hooks.answered_with, "이미 같은 답변이 등록되어 있습니다")),
        Capability.STOCK_UPDATE: _catalogue(  # 0 is 품절
            catalogue.QUANTITY, lambda part: {"quantity": part.stock}, catalogue.stock_problem,
            catalogue.holds_stock, "쿠팡에 이미 같은 재고로 되어 있습니다"),
        Capability.PRICE_UPDATE: _catalogue(
            catalogue.PRICE, lambda part: {"price": part.extra["price"]}, catalogue.price_problem,
            catalogue.holds_price, "쿠팡에 이미 같은 판매가로 되어 있습니다"),
        Capability.SALE_STATUS: _catalogue(  # stopping twice is harmless, so a retry after a lost answer is safe
            catalogue.SALE, lambda part: {"action": "resume" if part.on_sale else "stop"}, catalogue.sale_problem,
            catalogue.holds_sale, "쿠팡에 이미 같은 판매상태로 되어 있습니다"),
        # 출고중지완료 (CPDOC19 stop-shipping-complete-processing): the RU receipt's order is not shipped → 취소완료
        Capability.CANCEL_APPROVE: _claim_write(
            "PATCH", f"{RECEIPT}/stoppedShipment", _receipt_body(_cancel_count), (ClaimKind.CANCEL,), "취소승인",
            ReadBack("claim", aftersale.reached(State.CANCELED), "이미 취소(출고중지)가 완료된 주문입니다"),
            prepare=aftersale.stop_request),
        # 이미출고 (CPDOC19 products-already-shipped-processing): the order left with this invoice → 취소거부
        Capability.CANCEL_REJECT: _claim_write(
            "PATCH", f"{RECEIPT}/completedShipment",
            _receipt_body(lambda a: {"deliveryCompanyCode": COURIER_CODES[a.courier], "invoiceNumber": a.tracking_no.strip()}),
            (ClaimKind.CANCEL,), "취소거부", ReadBack("claim", aftersale.reached(State.CANCEL_REJECTED), "이미 이미출고로 처리된 주문입니다"),
            precheck=lambda a: aftersale.needs_invoice(a, "취소거부(이미출고)"), prepare=aftersale.stop_request),
        # reference §1.7: 반품요청 승인 처리 → 반품완료; cancelCount is the receipt's (CPDOC19 body)
        Capability.RETURN_APPROVE: _claim_write(
            "PATCH", f"{RECEIPT}/approval", _receipt_body(_cancel_count), (ClaimKind.RETURN,), "반품승인",
            ReadBack("claim", aftersale.reached(State.RETURNED), "이미 반품완료된 클레임입니다")),
        # 입고확인 (reference §1.7 for returns; CPDOC19 for exchanges, body exchangeId + vendorId)
        Capability.COLLECTED: _claim_write(
            "PATCH", f"{RECEIPT}/receiveConfirmation", _collected_body, (ClaimKind.RETURN, ClaimKind.EXCHANGE), "수거완료",
            ReadBack("claim", aftersale.reached(State.COLLECTED, State.RETURNED, State.RESHIPPING, State.EXCHANGED),
                     "이미 입고확인된 클레임입니다"), route=_collected_route),
        # 교환요청 거부 (CPDOC19 exchange-request-deny-processing): exchangeRejectCode SOLDOUT / WITHDRAW only
        Capability.EXCHANGE_REJECT: _claim_write(
            "PATCH", f"{EXCHANGE}/rejection",
            _exchange_body(lambda a: {"exchangeRejectCode": aftersale.EXCHANGE_REJECT_CODES[a.reason_code]}),
            (ClaimKind.EXCHANGE,), "교환거부", ReadBack("claim", aftersale.reached(State.EXCHANGE_REJECTED), "이미 거부된 교환입니다"),
            precheck=aftersale.exchange_reject_problem),
        # 교환상품 송장 업로드 (CPDOC19 processing-exchange-product-invoice-upload): a JSON array body, one
        # entry per new parcel (the sample and public clients; its parameter table lists the fields alone)
        Capability.EXCHANGE_RESHIP: _claim_write(
            "POST", f"{EXCHANGE}/invoices", aftersale.exchange_invoice_body, (ClaimKind.EXCHANGE,), "교환재발송",
            ReadBack("claim", aftersale.reshipped_with, "이미 같은 송장으로 교환상품이 발송되었습니다"),
            precheck=lambda a: aftersale.needs_invoice(a, "교환재발송"), prepare=aftersale.exchange_parcel, send="content"),
        # 판매취소 (2nd-hand: v5 주문 상품 취소): one order per call, its lines' vendorItemIds and counts
        Capability.ORDERS_CANCEL: Write(
            "POST", f"{V5}/orders/{{order}}/cancel", key=lambda c: c.line_id.strip(), batch=BATCH,
            group=lambda c: f"{c.order_id}|{c.reason_code}", precheck=aftersale.cancel_problem(CANCEL_REASONS),
            prepare=aftersale.cancellable, body=aftersale.cancel_body(CANCEL_REASONS, VENDOR, REPLY_BY),
            results=aftersale.cancel_results,
            read_back=ReadBack("line", aftersale.line_cancelled, "이미 취소된 주문입니다")),
    },
    hooks=Hooks(
        create_product=partial(hooks.create_product, path=SELLER_PRODUCTS),
        # invented: update as PUT of the full body on the same resource (the reference shows only registration)
        update_product=partial(hooks.update_product, path=SELLER_PRODUCTS),
        find_product=hooks.find_product, product_matches=hooks.product_matches,
        lookup_orders=hooks.lookup_orders, listing_problems=hooks.listing_problems),
    listing=ListingRules(
        max_name_length=100,  # sellerProductName
        max_option_names=6, max_option_values=200,  # peer-tools S48 (2nd-hand), as is the next
        max_option_combinations=200),  # one 쿠팡 item per combination
    answer_length=ANSWER_LENGTH,
    confirm_before_invoice=True,
    couriers=COURIER_CODES,
    reasons=CANCEL_REASONS,
    sandbox=SandboxHints(example_category="56137", courier="CJ"),
)


class CoupangConnector(Connector):
    spec = SPEC

    def __init__(self, account: Account, *, retry: RetryPolicy | None = None,
                 clock: Callable[[], datetime] | None = None, state_dir: Path | None = None, limits: Limits = limiter_for) -> None:
        """``clock`` signs requests at another time (tests of a skewed computer clock)."""
        super().__init__(account, retry=retry, state_dir=state_dir, limits=limits)
        if clock is not None:
            self.http.auth.clock = clock  # type: ignore[union-attr]
