"""스마트스토어 declared (네이버 커머스API, reference §2): an OAuth2 client-credentials token
signed with bcrypt and re-issued on 401 ``GW.AUTHN``; orders and claims discovered by polling
``last-changed-statuses`` in 24 h windows (``more`` cursor) and read with ``product-orders/query``
(≤300 ids); 발주확인 / 발송처리 in batches of ≤30 with success and fail lists; two inquiry
systems, 상품 Q&A (``QNA-`` ids) and 네이버페이 고객문의 (``INQ-`` ids).

The catalogue (second-hand: public clients of the 커머스API, not the reference): stock and sale price
through ``PUT /v1/products/origin-products/{no}/option-stock`` — one call per product carries all its
option combinations (by id) and its sale price, so the changes of one product are grouped into one
call (``Write.group``); 판매중지/재개 through ``PUT …/change-status`` (statusType SUSPENSION / SALE);
read back from ``GET /v2/products/origin-products/{no}``; the seller's products for ``mallbatch import``
from ``POST /v1/products/search`` (page/size), each read in full for its options.

Stock 0 is 품절, never an error: the mall shows the product OUTOFSTOCK by itself and SALE again when
stock comes back, unless the seller stopped it (SUSPENSION stays until a 판매재개). A 판매재개 of a
product with no stock is done and shows OUTOFSTOCK until stock arrives; both are "on sale" to the
read-back, only SUSPENSION is stopped. An option cannot be stopped alone here: its stock 0 is its 품절."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx

from mallbatch.config import Account
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.errors import ErrorRule, classifier
from mallbatch.connectors.runtime.http import Envelope
from mallbatch.connectors.runtime.paging import MoreCursor, PageNumber, dig
from mallbatch.connectors.runtime.spec import (
    Credential,
    Expand,
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
from mallbatch.connectors.smartstore import aftersale, hooks
from mallbatch.connectors.smartstore.hooks import NaverTokenAuth, client_secret_sign
from mallbatch.connectors.smartstore.mapping import (
    COURIER_CODES,
    claim,
    customer_inquiry,
    iso,
    listing_shows,
    mall_product,
    option_stock_body,
    order_line,
    product_order_of,
    qna_inquiry,
)
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import KST
from mallbatch.domain.records import Answer, ClaimAction, ClaimKind, Invoice, ItemResult, ListingChange
from mallbatch.errors import AuthError, RateLimited

__all__ = ["COURIER_CODES", "NaverTokenAuth", "SPEC", "SmartstoreConnector", "classify", "client_secret_sign"]

API = "/external/v1"
TOKEN = f"{API}/oauth2/token"
ORDERS = f"{API}/pay-order/seller/product-orders"
QNAS = f"{API}/contents/qnas"
PAY_INQUIRIES = f"{API}/pay-user/inquiries"
PRODUCTS = "/external/v2/products"
ORIGIN_PRODUCT = "/external/v2/products/origin-products/{key}"  # invented: update (PUT) and read (GET) paths
PRODUCT_SEARCH = f"{API}/products/search"  # second-hand: page/size, contents[].channelProducts[]; SELLER_CODE search inferred
OPTION_STOCK = f"{API}/products/origin-products/{{originProductNo}}/option-stock"  # second-hand
CHANGE_STATUS = f"{API}/products/origin-products/{{originProductNo}}/change-status"  # second-hand

SAME_STATUS = "105306"  # §2.3 "same status as before"; invented: answered for a repeat with the same data → already
# Korean fallbacks when a per-item failure comes without a message (codes: reference §2.3).
# invented: which code answers which case (104443 for 발송처리 before 발주확인; 104105, a future dispatchDate,
# comes with the mall's own message).
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


# --- envelope and errors ---------------------------------------------------------------------
def _said(body: dict[str, Any]) -> str:
    """Naver's ``message`` plus its ``invalidInputs[]`` (which field, why)."""
    message = str(body.get("message") or "")
    details = [f"{i.get('name', '')}: {i.get('message', '')}" for i in body.get("invalidInputs") or [] if isinstance(i, dict)]
    return f"{message} ({'; '.join(details)})" if details else message


def _replenish_wait(response: httpx.Response) -> float | None:
    """inferred: Naver sends no Retry-After; one token refills in 1 / GNCP-GW-RateLimit-Replenish-Rate seconds."""
    try:
        rate = float(response.headers.get("GNCP-GW-RateLimit-Replenish-Rate", "0"))
    except ValueError:
        return None
    return 1 / rate if rate > 0 else None


# Naver answers in several shapes (§2.3): any JSON object, and the named keys where a call's answer is
# documented. Every 2xx is a success (bulk writes carry per-id failures inside); refusals carry
# {code, message, invalidInputs[]}: GW.* from the gateway, BAD_REQUEST… from contents, 4001… from
# pay-user, ERR-NC-1010xx from pay-merchant.
ENVELOPE = Envelope("스마트스토어", code="code", message=_said, shapes=(
    ("*", f"{API}/pay-order/", ("data",)),  # {timestamp, traceId, data}
    ("POST", TOKEN, ("access_token",)),
    ("GET", QNAS, ("contents",)),
    ("GET", PAY_INQUIRIES, ("content",)),
    ("POST", PRODUCT_SEARCH, ("contents",)),
    ("GET", "/external/v2/products/origin-products/", ("originProduct",)),
    ("POST", PRODUCTS, ("originProductNo",)),
))
ERRORS = (
    ErrorRule(RateLimited, status=(429,), retry_after=_replenish_wait),  # GW.RATE_LIMIT, GW.QUOTA_LIMIT (§2.2)
    ErrorRule(AuthError, status=(401,), codes=("GW.AUTHN",)),  # an expired token the auth could not renew
)
classify = classifier(ENVELOPE, ERRORS)


def _token_auth(account: Account) -> NaverTokenAuth:
    return NaverTokenAuth(
        account.secret("client_id"), account.secret("client_secret"), path=TOKEN,
        form={"grant_type": "client_credentials", "type": "SELF"},  # SELF: the seller's own application (§2.1)
        reissue_code="GW.AUTHN", lifetime=timedelta(hours=3), renew_before=timedelta(minutes=5))


def _probe() -> dict[str, Any]:
    """The tiniest order read: proves the signature, the IP registration and the API group."""
    now = datetime.now(KST)
    return {"lastChangedFrom": iso(now - timedelta(minutes=1)), "lastChangedTo": iso(now), "limitCount": 1}


# --- reads -----------------------------------------------------------------------------------
DETAILS = Expand("POST", f"{ORDERS}/query", batch=300, records="data",  # §2.5: ≤300 ids per query
                 id_of=lambda change: str(change["productOrderId"]),
                 body=lambda ids: {"productOrderIds": ids, "quantityClaimCompatibility": True})
CHANGES = {  # §2.4: at most 24 h per call, ≤300 changes per page, then data.more{moreFrom, moreSequence}
    "method": "GET", "path": f"{ORDERS}/last-changed-statuses", "send": "params", "records": "data.lastChangeStatuses",
    "window": Window(timedelta(hours=24), ("lastChangedFrom", "lastChangedTo"), iso),
    "partitions": ({"limitCount": 300},),
    "paginator": MoreCursor("data.more", {"lastChangedFrom": "moreFrom", "moreSequence": "moreSequence"}),
    # a change is what the window selects: the product order is kept whatever its order date
    "stamp": lambda record, _: None, "keep_unstamped": True,
}
QNA_READ = Read(  # §2.9 상품 문의
    "상품 Q&A", "GET", QNAS, send="params", records="contents",
    mapping=lambda row, _, account: qna_inquiry(row, account),
    key=lambda inquiry: inquiry.inquiry_id, stamp=lambda inquiry, _: inquiry.asked_at,
    window=Window(timedelta(days=7), ("fromDate", "toDate"), iso),  # inferred: no documented maximum; 7 days keeps pages small
    partitions=({"size": 100},), paginator=PageNumber(total="totalElements", size="size"))  # size ≤100
PAY_READ = Read(  # §2.9 고객 문의 (네이버페이): whole days, at most 365 (error 4003)
    "고객문의", "GET", PAY_INQUIRIES, send="params", records="content",
    mapping=lambda row, _, account: customer_inquiry(row, account),
    key=lambda inquiry: inquiry.inquiry_id, stamp=lambda inquiry, _: inquiry.asked_at,
    window=Window(timedelta(days=365), ("startSearchDate", "endSearchDate"), "%Y-%m-%d", by_day=True),
    partitions=({"size": 200},), paginator=PageNumber(total="totalElements", size="size"))  # size 10..200


# --- writes ----------------------------------------------------------------------------------
def _item(info: dict[str, Any]) -> ItemResult:
    key, code = str(info.get("productOrderId")), str(info.get("code") or "")
    if code == SAME_STATUS:
        return ItemResult(key, ok=True, code=code, message_ko=str(info.get("message") or ""), already=True)
    message = str(info.get("message") or ITEM_MESSAGES.get(code, f"스마트스토어가 처리하지 않았습니다 ({code})"))
    return ItemResult(key, ok=False, code=code, message_ko=message)


def _per_item(data: Any, keys: list[str], success: str) -> list[ItemResult]:
    """§2.6: data{<success list>, failProductOrderInfos[{productOrderId, code, message}]}; one result per key."""
    found = {}
    for entry in dig(data, f"data.{success}") or []:
        key = str(entry.get("productOrderId") if isinstance(entry, dict) else entry)
        found[key] = ItemResult(key, ok=True, remote_id=key)
    found.update((r.key, r) for r in map(_item, dig(data, "data.failProductOrderInfos") or []))
    missing = "스마트스토어 응답에 이 상품주문의 결과가 없습니다"
    return [found.get(k) or ItemResult(k, ok=False, message_ko=missing) for k in keys]


def _dispatch_entry(invoice: Invoice) -> dict[str, Any]:
    """§2.6 dispatchProductOrders[]: 직접배송 is a delivery method, not a courier."""
    now = datetime.now(KST)
    when = now
    if invoice.shipped_on and invoice.shipped_on != now.date():
        when = datetime(invoice.shipped_on.year, invoice.shipped_on.month, invoice.shipped_on.day, 12, tzinfo=KST)
    entry: dict[str, Any] = {"productOrderId": invoice.ship_unit, "dispatchDate": iso(when)}
    if invoice.courier == "DIRECT":
        return {**entry, "deliveryMethod": "DIRECT_DELIVERY"}
    return {**entry, "deliveryMethod": "DELIVERY", "deliveryCompanyCode": COURIER_CODES[invoice.courier],
            "trackingNumber": invoice.tracking_no}


def _unique(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({e["productOrderId"]: e for e in entries}.values())


def _inquiry(answer: Answer) -> tuple[str, str]:
    kind, _, number = answer.inquiry_id.strip().partition("-")
    return kind, number


def _answer_problem(answer: Answer) -> str | None:
    kind, number = _inquiry(answer)
    if kind not in ("QNA", "INQ") or not number.isdigit():
        return "문의번호 형식을 알 수 없습니다 (QNA-번호 또는 INQ-번호)"
    return None if answer.text.strip() else "답변 내용이 비어 있습니다"


def _answer_route(answers: list[Answer]) -> tuple[str, str]:
    """Q&A answers are a PUT that registers or overwrites; 고객문의 answers a POST, once only (§2.9)."""
    kind, number = _inquiry(answers[0])
    return ("PUT", f"{QNAS}/{number}") if kind == "QNA" else ("POST", f"{API}/pay-merchant/inquiries/{number}/answer")


def _answer_body(answers: list[Answer]) -> dict[str, Any]:
    kind, text = _inquiry(answers[0])[0], answers[0].text.strip()
    return {"commentContent": text} if kind == "QNA" else {"answerComment": text}


def _answered(data: Any, answers: list[Answer]) -> list[ItemResult]:
    kind, number = _inquiry(answers[0])
    remote = number if kind == "QNA" else str(dig(data, "data.inquiryCommentNo") or "")
    return [ItemResult(answers[0].inquiry_id, ok=True, remote_id=remote)]


# --- the catalogue -----------------------------------------------------------------------------
PRODUCTS_READ = Read(  # second-hand: size up to 500; the rows carry no options, so each product is read in full
    "상품", "POST", PRODUCT_SEARCH, records="contents", partitions=({"size": 100},),
    paginator=PageNumber(total="totalElements", size="size"),
    mapping=lambda record, _, account: mall_product(record, account),
    key=lambda product: product.product_id, stamp=lambda product, _: None, keep_unstamped=True,
    expand=Expand("GET", ORIGIN_PRODUCT, batch=1, send="params",  # one origin product per call
                  id_of=lambda content: str(content.get("originProductNo") or "") or None,
                  body=lambda ids: {"key": ids[0]},
                  records=lambda answer, ids: [{"originProductNo": ids[0], **answer}] if answer else []))


def _stock_problem(change: ListingChange) -> str | None:
    if change.stock is None:
        return "재고 수량이 없습니다"
    return "재고는 0 이상이어야 합니다 (0 은 품절)" if change.stock < 0 else None


def _price_problem(change: ListingChange) -> str | None:
    return "판매가가 없습니다" if change.sale_price is None else None if change.sale_price > 0 else "판매가는 0보다 커야 합니다"


def _sale_problem(change: ListingChange) -> str | None:
    if change.on_sale is None:
        return "판매상태(판매/판매중지)가 없습니다"
    if change.option:
        return "스마트스토어는 옵션 하나만 판매중지할 수 없습니다. 그 옵션의 재고를 0으로 보내 품절로 두세요"
    return None


def _applied(data: Any, changes: list[ListingChange]) -> list[ItemResult]:
    """A 2xx applied every change of the call (the call is one product's)."""
    return [ItemResult(c.target, ok=True, remote_id=c.product_id) for c in changes]


def _option_stock(prepare: Any, batch: int) -> Write:
    """Stock and sale price share the option-stock call: grouped by product, the changes of a product in one call."""
    return Write("PUT", OPTION_STOCK, key=lambda change: change.target, body=option_stock_body, prepare=prepare,
                 group=lambda change: change.product_id, batch=batch, results=_applied,
                 read_back=ReadBack("listing", listing_shows, "이미 스마트스토어에 반영되어 있습니다"))


# --- after the sale (aftersale.py) ------------------------------------------------------------------
CLAIM_ACTION = f"{ORDERS}/{{productOrderId}}/claim"  # reference §2.7 [C-code]
# SELLER_REASONS → cancelReason (second-hand enum: INTENT_CHANGED, COLOR_AND_SIZE, WRONG_ORDER,
# PRODUCT_UNSATISFIED, DELAYED_DELIVERY, SOLD_OUT, INCORRECT_INFO): it has no catch-all, so 기타 is refused
REASONS = {"품절": "SOLD_OUT", "배송지연": "DELAYED_DELIVERY", "상품정보오류": "INCORRECT_INFO", "구매자요청": "INTENT_CHANGED"}


def _claim_results(data: Any, actions: list[ClaimAction]) -> list[ItemResult]:
    """The 주문-클레임 처리 반환 구조체 by productOrderId, each result under its action's claim id."""
    pids = [product_order_of(a) for a in actions]
    return [replace(r, key=a.claim_id) for r, a in zip(_per_item(data, pids, "successProductOrderIds"), actions, strict=True)]


def _claim_route(capability: Capability, actions: list[ClaimAction]) -> tuple[str, str]:
    if capability is Capability.COLLECTED and actions[0].kind is ClaimKind.RETURN:
        return DETAILS.method, DETAILS.path  # no seller call: read back (aftersale module doc)
    return "POST", f"{ORDERS}/{aftersale.path(capability, actions[0])}"


def _collected_results(data: Any, actions: list[ClaimAction]) -> list[ItemResult]:
    return aftersale.collected_return(data, actions) if actions[0].kind is ClaimKind.RETURN else _claim_results(data, actions)


def _claim_write(capability: Capability) -> Write:
    """One claim per call (the product order is in the path); read back from the product order."""
    return Write("POST", CLAIM_ACTION, key=lambda action: action.claim_id, route=partial(_claim_route, capability),
                 body=partial(aftersale.action_body, capability), precheck=partial(aftersale.claim_problem, capability),
                 results=_collected_results if capability is Capability.COLLECTED else _claim_results,
                 read_back=ReadBack("claim", partial(aftersale.shows, capability),
                                    f"이미 스마트스토어에 {aftersale.ACTION_KO[capability]} 처리되어 있습니다"))


def _digits(key: str) -> dict[str, Any]:
    if not key.isdigit():
        raise ValueError(key)
    return {}


def _claim_order(claim_id: str) -> str:
    pid = claim_id.strip().partition("-")[0]
    if not pid.isdigit():
        raise ValueError(claim_id)  # not one of ours: the lookup finds nothing
    return pid


SPEC = MarketplaceSpec(
    mall="smartstore",
    base_url="https://api.commerce.naver.com",
    credentials=(  # the application secret does not expire
        Credential("client_id", "커머스API센터 애플리케이션 ID"),
        Credential("client_secret", "커머스API센터 애플리케이션 시크릿 ($2a$… 로 시작)"),
    ),
    auth=_token_auth,
    # invented: 5 req/s (Naver publishes no numbers, §2.2; account option rate_limit overrides);
    # GNCP-GW-RateLimit-Burst-Capacity = 2 × rate (§2.2), whatever rate is in use
    rate=Rate(5.0, burst_seconds=2.0),
    envelope=ENVELOPE,
    errors=ERRORS,
    auth_probe=("GET", f"{ORDERS}/last-changed-statuses", _probe),
    reads={
        "orders": Read("변경 주문", mapping=lambda item, _, account: [line] if (line := order_line(item, account)) else [],
                       key=lambda line: line.line_id, expand=DETAILS, **CHANGES),
        # §2.7: no claim list; changes that name a claimType are the claims
        "claims": Read("변경 주문", mapping=lambda item, _, account: [found] if (found := claim(item, account)) else [],
                       key=lambda found: found.ship_unit, **CHANGES,
                       expand=Expand(DETAILS.method, DETAILS.path, DETAILS.batch, body=DETAILS.body, records=DETAILS.records,
                                     id_of=lambda change: str(change["productOrderId"]) if change.get("claimType") else None)),
        "inquiries": QNA_READ,
        "inquiries.pay": PAY_READ,
        "products": PRODUCTS_READ,
    },
    lookups={
        "product_order": Lookup("POST", f"{ORDERS}/query", send="json", query=lambda key: DETAILS.body([key])),
        "order_product_ids": Lookup("GET", f"{API}/pay-order/seller/orders/{{key}}/product-order-ids", query=_digits),  # §2.4 [2nd]
        # inferred look-backs: how far back an answered inquiry is searched for
        "inquiry": Lookup(scan=partial(hooks.find_inquiry, searches={
            "QNA-": (QNA_READ, timedelta(days=30)), "INQ-": (PAY_READ, timedelta(days=365))})),
        "products_by_code": Lookup("POST", PRODUCT_SEARCH, send="json", missing=(), query=lambda code: {
            "searchKeywordType": "SELLER_CODE", "sellerManagementCode": code, "page": 1, "size": 50}),
        "origin_product": Lookup("GET", ORIGIN_PRODUCT, query=_digits, missing=()),
        "listing": Lookup(scan=hooks.find_listing),  # a ListingChange target → its origin product
        # a claim id (productOrderId-claimId) → its product order
        "claim": Lookup("POST", f"{ORDERS}/query", send="json", query=lambda key: DETAILS.body([_claim_order(key)])),
    },
    writes={
        Capability.ORDERS_CONFIRM: Write(  # §2.6: ≤30 ids
            "POST", f"{ORDERS}/confirm", key=lambda unit: str(unit).strip(), batch=30,
            body=lambda units: {"productOrderIds": list(dict.fromkeys(str(u).strip() for u in units))},
            results=lambda data, units: _per_item(data, [str(u).strip() for u in units], "successProductOrderInfos"),
            read_back=ReadBack("product_order", hooks.confirmed, "이미 발주확인된 주문입니다")),
        Capability.INVOICES_SEND: Write(  # §2.6: ≤30 entries
            "POST", f"{ORDERS}/dispatch", key=lambda invoice: invoice.ship_unit, batch=30,
            body=lambda invoices: {"dispatchProductOrders": _unique([_dispatch_entry(i) for i in invoices])},
            precheck=lambda invoice: None if invoice.courier == "DIRECT" or invoice.courier in COURIER_CODES
            else ("COURIER", f"스마트스토어에서 지원하지 않는 택배사입니다 ({invoice.courier})"),
            results=lambda data, invoices: _per_item(data, [i.ship_unit for i in invoices], "successProductOrderIds"),
            read_back=ReadBack("product_order", hooks.shipped_as, "이미 같은 송장으로 발송처리된 주문입니다")),
        Capability.INQUIRIES_ANSWER: Write(  # one call per answer; ERR-NC-101010: already answered
            "POST", "", key=lambda answer: answer.inquiry_id, route=_answer_route, body=_answer_body,
            precheck=_answer_problem, results=_answered,
            read_back=ReadBack("inquiry", hooks.answered_with, "이미 같은 답변이 등록되어 있습니다")),
        # inferred: a product has at most 500 option values (peer-tools §2.1), so its changes fit one call
        Capability.STOCK_UPDATE: replace(_option_stock(hooks.prepare_change, 500), precheck=_stock_problem),
        Capability.PRICE_UPDATE: replace(_option_stock(hooks.prepare_change, 1), precheck=_price_problem),  # one per product
        Capability.SALE_STATUS: Write(  # one product per call
            "PUT", CHANGE_STATUS, key=lambda change: change.target, precheck=_sale_problem, results=_applied,
            body=lambda changes: {"originProductNo": changes[0].product_id,
                                  "statusType": "SALE" if changes[0].on_sale else "SUSPENSION"},
            read_back=ReadBack("listing", listing_shows, "이미 스마트스토어에 반영되어 있습니다")),
        Capability.ORDERS_CANCEL: Write(  # 판매취소: cancel/request of one product order (§2.7)
            "POST", CLAIM_ACTION, key=lambda cancel: cancel.line_id.strip(),
            route=lambda cancels: ("POST", f"{ORDERS}/{cancels[0].line_id.strip()}/claim/cancel/request"),
            body=partial(aftersale.cancel_body, REASONS), precheck=partial(aftersale.cancel_problem, REASONS),
            results=lambda data, cancels: _per_item(data, [c.line_id.strip() for c in cancels], "successProductOrderIds"),
            read_back=ReadBack("product_order", aftersale.cancelled, "이미 스마트스토어에서 취소된 주문입니다")),
        **{capability: _claim_write(capability) for capability in aftersale.PATHS},
    },
    hooks=Hooks(create_product=partial(hooks.create_product, path=PRODUCTS),
                update_product=partial(hooks.update_product, path=ORIGIN_PRODUCT),
                find_product=hooks.find_product, product_matches=hooks.product_matches,
                lookup_orders=hooks.lookup_orders),
    listing=ListingRules(max_name_length=100,  # inferred
                         max_option_names=3, max_option_values=500),
    confirm_before_invoice=True,
    couriers=COURIER_CODES,
    reasons=REASONS,
    sandbox=SandboxHints(courier="CJ"),
)


class SmartstoreConnector(Connector):
    spec = SPEC
