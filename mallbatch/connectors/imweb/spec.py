"""아임웹 REST API v2 declared (reference §4, seed 003): a key + secret token in the ``access-token`` header,
the ``{code, msg, data}`` envelope whose negative codes are refusals, 1 request/s on the full lists and 5/s
elsewhere, orders listed one status per call and read line by line through their 품목주문 (≤ 25 orders
per call), and every order write answering success and failed lists.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from mallbatch.connectors.imweb import aftersale, catalogue, hooks
from mallbatch.connectors.imweb.hooks import SHOP, ImwebTokenAuth, results_by_unit, unit_of
from mallbatch.connectors.imweb.mapping import (
    COURIER_CODES,
    FREE_TEXT,
    claim_records,
    joined,
    to_claim,
    to_inquiry,
    to_line,
    unix,
)
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.errors import ErrorRule
from mallbatch.connectors.runtime.http import Envelope
from mallbatch.connectors.runtime.paging import dig
from mallbatch.connectors.runtime.spec import (
    Credential,
    EndpointRate,
    Expand,
    Hooks,
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
from mallbatch.domain.records import Invoice
from mallbatch.errors import AuthError, RateLimited, RejectedError, TransientError

ENVELOPE = Envelope("아임웹", keys=("code",), code="code", ok=("200",), message="msg", data="data")
# reference §4.1 body codes. The HTTP status does not decide: a negative code inside any answer is the refusal.
ERRORS = (
    ErrorRule(AuthError, codes=("-1",), message="아임웹 API 키(key)·시크릿(secret)이 맞지 않습니다. 아임웹 관리자 > 환경설정 > "
                                                 "API 설정의 값을 config.toml 에 넣으세요"),
    ErrorRule(AuthError, codes=("-2",), message="아임웹 access token 이 거부되었습니다 (다시 발급해도 거부됨). key·secret 을 확인하세요"),
    ErrorRule(AuthError, codes=("-5",), message="아임웹 API 권한이 없습니다. 아임웹 관리자 > API 설정에서 이 기능(주문·상품·문의)의 권한을 켜세요"),
    ErrorRule(AuthError, codes=("-6",), message="아임웹 요금제 또는 API 버전에서 쓸 수 없는 기능입니다. 요금제를 확인하세요"),
    ErrorRule(RateLimited, codes=("-7",), retry_after=1.0,  # reference §4.1: 1/s on full lists, 5/s elsewhere
              message="아임웹 호출 한도(전체 목록 초당 1회, 그 밖 초당 5회)를 넘었습니다. 잠시 후 다시 시도합니다"),
    ErrorRule(RateLimited, status=(429,), retry_after=1.0),
    ErrorRule(RejectedError, codes=("-10",)),  # 파라미터 오류: the mall's own words say which one
    ErrorRule(RejectedError, codes=("-11",)),  # 데이터 없음 (a lookup's "not found")
    ErrorRule(TransientError, codes=("-19",), message="아임웹 내부 오류입니다. 잠시 후 다시 시도합니다"),
    ErrorRule(TransientError, codes=("-999",), message="아임웹이 점검 중입니다. 점검이 끝난 뒤 다시 시도합니다"),
    ErrorRule(RejectedError, codes=("-98", "-99")),  # 없는 서비스·메소드
)

# reference §4.2: one of status / claim_type / claim_status per call. invented: PURCHASE_CONFIRM is read
# under COMPLETE (the simulator's 구매확정 of a COMPLETE prod order), PAY_WAIT (입금대기) is not collected.
ORDER_STATUSES = ("PAY_COMPLETE", "STANDBY", "DELIVERING", "COMPLETE", "CANCEL", "RETURN", "EXCHANGE")
CLAIM_TYPES = ("CANCEL", "RETURN", "EXCHANGE")
ORDERS = f"{SHOP}/orders"
PRODUCTS = f"{SHOP}/products"
WINDOW = Window(timedelta(days=31), ("order_date_from", "order_date_to"), format=lambda m: str(unix(m)))  # invented: 31 days


@dataclass(frozen=True)
class Pagenation:
    """``offset`` = page number, next while it is below ``pagenation.total_page`` (reference §4.2)."""

    def params(self, cursor: Any) -> dict[str, Any]:
        return {"offset": cursor or 1}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        page = cursor or 1
        return page + 1 if items and page < int(dig(data, "pagenation.total_page") or 0) else None


PAGES = Pagenation()
PROD_ORDERS = Expand("GET", f"{SHOP}/prod-orders", 25, id_of=lambda order: str(order.get("order_no") or "") or None,
                     body=lambda ids: {"order_no": ",".join(ids)},  # invented: the numbers joined by commas
                     records=joined, send="params", with_changes=True)


def _order_write(action: str, body: Any, precheck: Any, holds: Any, message: str, batch: int = 1) -> Write:
    return Write("PATCH", "", key=unit_of, body=body, route=hooks.order_path(action), batch=batch, precheck=precheck,
                 results=results_by_unit, read_back=ReadBack("order", holds, message))


def _unit_problem(unit: Any) -> str | None:
    return None if unit_of(unit).isdigit() else f"아임웹 주문번호는 숫자여야 합니다 ({unit_of(unit)})"


def _invoice_problem(invoice: Invoice) -> str | None:
    problem = _unit_problem(invoice)
    if problem:
        return problem
    if invoice.courier not in COURIER_CODES:
        return f"아임웹에서 지원하지 않는 택배사입니다 ({invoice.courier})"
    if invoice.courier not in FREE_TEXT and not hooks.tracking(invoice.tracking_no).isdigit():
        return "송장번호는 숫자만 입력하세요 (퀵서비스·방문수령·직접배송은 아무 글자나 됩니다)"
    if invoice.quantity and len(invoice.line_ids) != 1:
        return "수량을 나눠 보내려면 품목주문 하나(상품주문번호)만 지정하세요"
    return None


def _send_body(invoices: list[Invoice]) -> dict[str, Any]:
    """send with etc {parcel_code, invoice_no} (reference §4.2) for the invoice's prod orders; ``count`` for part
    of one (invented parameter, seed 003: 수량 나누기)."""
    invoice = invoices[0]
    body: dict[str, Any] = {"etc": {"parcel_code": COURIER_CODES[invoice.courier],
                                    "invoice_no": hooks.tracking(invoice.tracking_no) or invoice.tracking_no.strip()}}
    if invoice.line_ids:
        body["prod_order_no"] = list(invoice.line_ids)
    if invoice.quantity:
        body["count"] = invoice.quantity
    return body


SPEC = MarketplaceSpec(
    mall="imweb",
    base_url="https://api.imweb.me",
    credentials=(Credential("key", "아임웹 관리자 > 환경설정 > API 설정의 API Key"),
                 Credential("secret", "같은 화면의 Secret Key")),
    auth=lambda account: ImwebTokenAuth(account.secret("key"), account.secret("secret")),
    # reference §4.1: full lists (주문·상품 조회) 1/s, every other call 5/s; exceeding may block, so never more
    rate=Rate(5.0, burst=1, cap=5, endpoints=(EndpointRate("GET", (ORDERS,), 1.0), EndpointRate("GET", (PRODUCTS,), 1.0))),
    envelope=ENVELOPE,
    errors=ERRORS,
    auth_probe=("GET", f"{SHOP}/inquirys", lambda: {"status": "WAIT", "offset": 1}),
    reads={
        "orders": Read("주문", "GET", ORDERS, records="list", send="params",
                       mapping=lambda record, _, account: to_line(record, account),
                       key=lambda line: line.line_id, stamp=lambda line, _: line.ordered_at, window=WINDOW,
                       partitions=tuple({"status": s} for s in ORDER_STATUSES), paginator=PAGES, expand=PROD_ORDERS),
        # invented: no window (the list filters by order date only, and a claim comes days after the order);
        # kept by the claim's time
        "claims": Read("클레임", "GET", ORDERS, records="list", send="params",
                       mapping=lambda record, _, account: to_claim(record, account),
                       key=lambda claim: claim.claim_id, stamp=lambda claim, _: claim.requested_at,
                       partitions=tuple({"claim_type": t} for t in CLAIM_TYPES), paginator=PAGES,
                       expand=replace(PROD_ORDERS, records=claim_records)),
        "inquiries": Read("문의", "GET", f"{SHOP}/inquirys", records="list", send="params",
                          mapping=lambda item, _, account: to_inquiry(item, account),
                          key=lambda inquiry: inquiry.inquiry_id, stamp=lambda inquiry, _: inquiry.asked_at,
                          partitions=({"status": "WAIT"}, {"status": "COMPLETE"}), paginator=PAGES),
        "products": Read("상품", "GET", PRODUCTS, records="list", send="params",
                         mapping=lambda record, _, account: catalogue.to_product(record, account),
                         key=lambda product: product.product_id, stamp=lambda product, _: None, keep_unstamped=True,
                         paginator=PAGES,
                         expand=Expand("GET", f"{PRODUCTS}/{{prod_no}}/options-details", 1,
                                       id_of=lambda product: str(product.get("no") or "") or None,
                                       body=lambda ids: {"prod_no": ids[0]}, records=catalogue.product_records,
                                       send="params", with_changes=True)),
    },
    lookups={
        "order": Lookup(scan=hooks.order_with_lines),
        "claim": Lookup(scan=aftersale.claim_lookup),
        "inquiry": Lookup("GET", f"{SHOP}/inquirys/{{key}}", mapping=to_inquiry),
        "product": Lookup("GET", f"{PRODUCTS}/{{key}}", missing=(RejectedError,)),
        "listing": Lookup(scan=catalogue.read_back),
    },
    writes={
        # seed 003: 50 orders per 주문처리
        Capability.ORDERS_CONFIRM: _order_write("place", lambda units: {}, _unit_problem, hooks.confirmed,
                                                "이미 배송대기(발주확인)된 주문입니다", batch=50),
        Capability.INVOICES_SEND: _order_write("send", _send_body, _invoice_problem, hooks.shipped_as,
                                               "이미 같은 송장으로 발송처리된 주문입니다"),
        Capability.INVOICES_DELETE: _order_write("delete_invoice", aftersale.delete_body, _unit_problem, hooks.invoice_gone,
                                                 "이미 송장이 삭제된 주문입니다"),
        Capability.ORDERS_RELEASE: _order_write("releasehold", aftersale.release_body, _unit_problem, hooks.released,
                                                "이미 배송보류가 해제된 주문입니다", batch=50),
        Capability.ORDERS_CANCEL: Write(
            "PATCH", "", key=lambda c: c.line_id.strip(), body=aftersale.cancel_body, route=aftersale.cancel_route,
            precheck=aftersale.cancel_problem, results=aftersale.results_by_line,
            read_back=ReadBack("order", aftersale.line_cancelled, "이미 취소된 주문입니다", key=aftersale.line_key)),
        Capability.INQUIRIES_ANSWER: Write(
            "POST", "", key=lambda a: a.inquiry_id.strip(), body=lambda answers: {"body": answers[0].text},
            route=lambda answers: ("POST", f"{SHOP}/inquirys/{answers[0].inquiry_id.strip()}/answers"),
            precheck=lambda a: None if a.inquiry_id.strip().isdigit() else f"아임웹 문의번호는 숫자여야 합니다 ({a.inquiry_id})",
            read_back=ReadBack("inquiry", lambda seen, wanted: to_inquiry(seen, "").answer.strip() == str(
                wanted.get("text", "")).strip(), "이미 같은 답변이 등록되어 있습니다")),
        Capability.STOCK_UPDATE: Write(
            "PATCH", "", key=lambda c: c.target, body=catalogue.stock_body, route=catalogue.stock_route,
            precheck=catalogue.stock_problem, prepare=catalogue.with_detail,
            read_back=ReadBack("listing", catalogue.holds_stock, "이미 같은 재고로 되어 있습니다",
                               key=catalogue.change_key)),
        Capability.PRICE_UPDATE: Write(
            "PATCH", "", key=lambda c: c.target, body=catalogue.price_body, route=catalogue.product_route,
            precheck=catalogue.price_problem,
            read_back=ReadBack("listing", catalogue.holds_price, "이미 같은 판매가로 되어 있습니다",
                               key=catalogue.change_key)),
        Capability.SALE_STATUS: Write(
            "PATCH", "", key=lambda c: c.target, body=catalogue.sale_body, route=catalogue.product_route,
            precheck=catalogue.sale_problem,
            read_back=ReadBack("listing", catalogue.holds_sale, "이미 같은 판매상태입니다",
                               key=catalogue.change_key)),
        **aftersale.CLAIM_WRITES,
    },
    hooks=Hooks(create_product=hooks.create_product, update_product=hooks.update_product, find_product=hooks.find_product,
                product_matches=hooks.product_matches, lookup_orders=hooks.lookup_orders,
                listing_problems=hooks.listing_problems),
    split_quantity=True,  # seed 003: in 상품준비 a line ships or cancels in parts (Invoice.quantity, OrderCancel.quantity)
    couriers=COURIER_CODES,
    reasons=aftersale.REASONS,
    sandbox=SandboxHints(courier="CJ"),
)


class ImwebConnector(Connector):
    spec = SPEC
