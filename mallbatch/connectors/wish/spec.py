"""Wish Merchant API declared (reference §3, seed 004).

Versions, chosen per endpoint:
* OAuth 2.0 authorization code with refresh on the v3 paths (``/v3/oauth/authorize``,
  ``/api/v3/oauth/access_token``, ``/api/v3/oauth/refresh_token``): the issue asks for v3's flow, and one
  token serves v2 and v3 alike (v2 as the ``access_token`` parameter, v3 as ``Authorization: Bearer``).
* Tickets on v3 (``/api/v3/tickets``): only v3 documents the five states (AWAITING_MERCHANT,
  AWAITING_USER, AWAITING_WISH, CLOSED, PERMANENTLY_CLOSED), the three types, ``updated_at`` keyset
  paging and a reply endpoint with its 2000-character rule; v2 only lists tickets awaiting the merchant.
* Orders on v2 (``order/multi-get``, ``fulfill-one``, ``modify-tracking``, ``refund``): v2's fulfil call is
  synchronous and answers 1002 for an order already fulfilled, so a lost answer is read back; v3's
  tracking call is asynchronous and its body fields are unknown (§3.5). v2 pages with ``paging.next``.
  A ticket's refund uses v3 ``PUT /api/v3/orders/{id}/refund`` naming the ticket (the refund reasons of
  tickets are v3's).
* Products and variants on v2 (endpoint names second-hand from the v2 API explorer list): v3 creates
  products asynchronously through requests.

Wish has no 발주확인 (APPROVED orders ship at once) and no claims list: returns and refunds reach the
seller as ORDER tickets, so no claim action is declared; 판매취소 is the refund of an unshipped order.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx

from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.errors import ErrorRule
from mallbatch.connectors.runtime.http import Envelope
from mallbatch.connectors.runtime.paging import Keyset, NextUrl, dig
from mallbatch.connectors.runtime.spec import (
    Credential,
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
from mallbatch.connectors.runtime.windows import UNBOUNDED, Window  # multi-get and tickets take any range (§3.4/§3.5)
from mallbatch.connectors.wish import hooks, tickets
from mallbatch.connectors.wish.mapping import COURIERS, changed_at, order_line, to_mall_product, to_ticket, v2_time, v3_time
from mallbatch.connectors.wish.oauth import WishOAuth
from mallbatch.domain.capability import Capability
from mallbatch.errors import AuthError, RateLimited, RejectedError

# Wish's result codes (reference §3.2; 1004, 1009, 1018 are the simulator's invented ones) in Korean
CODES_KO = {
    "1000": "요청 값이 올바르지 않습니다",
    "1002": "이미 발송처리된 주문입니다 (다른 송장이면 송장 수정으로 보내세요)",
    "1004": "Wish 에 없는 번호입니다",
    "1009": "주문 상태가 이 처리를 허용하지 않습니다 (환불·취소된 주문이거나 아직 발송 전입니다)",
    "1015": "Wish 액세스 토큰이 만료되었습니다",
    "1016": "Wish 에서 이 앱의 인증이 취소되었습니다. mallbatch accounts --authorize wish 로 다시 인증하세요",
    "1018": "티켓 상태가 이 처리를 허용하지 않습니다",
    "4000": "Wish 가 인증되지 않은 접근으로 거절했습니다. mallbatch accounts --authorize wish 로 다시 인증하세요",
}


def said(body: dict[str, Any]) -> str:
    """The Korean meaning of Wish's code, with Wish's own words."""
    code, text = str(body.get("code", "")), str(body.get("message") or "").strip()
    meaning = CODES_KO.get(code, "요청이 처리되지 않았습니다")
    return f"{meaning} (Wish {code}: {text})" if text else f"{meaning} (Wish {code})"


def reset_wait(response: httpx.Response) -> float | None:
    """Seconds until ``Wish-Rate-Limit-Reset`` (reference §3.2; invented: unix seconds)."""
    value = response.headers.get("Wish-Rate-Limit-Reset", "")
    try:
        return max(0.0, float(value) - time.time())
    except ValueError:
        return None


def data(field: str) -> Any:
    """Lookup.pick: a field of the envelope's data (v2 wraps objects in their type name)."""
    return lambda body, key: dig(body, f"data.{field}" if field else "data")


ENVELOPE = Envelope("Wish", keys=("code",), code="code", ok=("0",), message=said)  # the whole body: v2 pages beside data
ERRORS = (
    ErrorRule(RateLimited, status=(429,), retry_after=reset_wait),
    ErrorRule(AuthError, codes=("1015", "1016", "4000")),
    ErrorRule(RejectedError, codes=tuple(c for c in CODES_KO if c not in ("1015", "1016", "4000"))),
)
# v2 times are whole seconds, v3 milliseconds; whether upto/updated_at_max include their end is not
# documented (§3.4/§3.5): the end is rounded up so an order changed in the last second is not left out
SECOND, MILLISECOND = timedelta(seconds=1), timedelta(milliseconds=1)
ORDER_PAGE = TICKET_PAGE = PRODUCT_PAGE = 100  # v2 SDKs ask 50–100, v3 allows 1–500 (reference §3.2)
PAGES = NextUrl(drop=("access_token",))  # the token is the auth's, never a page cursor
RECEIPT = "data.id"  # what a write's answer names (a ticket's id; v2 answers {"success": true}: none)


def _ticket_write(capability: Capability, precheck: Any, holds: Any, message: str, lookup: str = "ticket") -> Write:
    return Write("POST", tickets.REPLY_PATH, key=tickets.key, body=tickets.body, route=tickets.route, precheck=precheck,
                 prepare=tickets.prepare(capability), remote_id=RECEIPT, read_back=ReadBack(lookup, holds, message))


TICKET_WRITES: dict[Capability, Write] = {
    Capability.TICKET_REPLY: _ticket_write(Capability.TICKET_REPLY, tickets.reply_problem, tickets.holds_reply,
                                           "이미 같은 답변이 등록되어 있습니다"),
    Capability.TICKET_CLOSE: _ticket_write(Capability.TICKET_CLOSE, tickets.close_problem, tickets.holds_close,
                                           "이미 답변 후 종료된 티켓입니다"),
    Capability.TICKET_APPEAL: _ticket_write(Capability.TICKET_APPEAL, tickets.appeal_problem,
                                            tickets.holds_state("AWAITING_WISH"), "이미 Wish 지원팀에 요청한 티켓입니다"),
    Capability.TICKET_REOPEN: _ticket_write(Capability.TICKET_REOPEN, tickets.reopen_problem,
                                            tickets.holds_state("AWAITING_MERCHANT"), "이미 다시 열린 티켓입니다"),
    Capability.TICKET_REFUND: _ticket_write(Capability.TICKET_REFUND, tickets.refund_problem, tickets.holds_refund,
                                            "이미 환불된 주문입니다", lookup="ticket_refunds"),
}

SPEC = MarketplaceSpec(
    mall="wish",
    base_url="https://merchant.wish.com",  # reference §3.1; sandbox: https://sandbox.merchant.wish.com
    credentials=(
        Credential("client_id", "Wish 판매자 센터 > 계정 > API 설정에서 만든 비공개 앱의 Client ID", secret=False),
        Credential("client_secret", "같은 앱의 Client Secret · 토큰은 mallbatch accounts --authorize wish 로 한 번 인증하면 "
                                    "state 폴더에 저장됩니다"),
        Credential("redirect_uri", "앱에 등록한 Redirect URI (승인 후 이동한 주소를 붙여 넣습니다)", secret=False),
    ),
    auth=WishOAuth,
    rate=Rate(5.0, burst=1),  # invented: Wish publishes no number (only Wish-Rate-Limit-* headers, §3.2)
    envelope=ENVELOPE,
    errors=ERRORS,
    auth_probe=("GET", "/api/v3/oauth/test"),  # invented: a cheap authenticated read
    reads={
        "orders": Read(
            "주문", "GET", "/api/v2/order/multi-get", records="data", send="params",
            mapping=lambda item, _, account: order_line(item, account), key=lambda line: line.line_id,
            stamp=lambda line, _: changed_at(line), window=Window(UNBOUNDED, ("since", "upto"), v2_time, resolution=SECOND),
            partitions=({"limit": ORDER_PAGE},), paginator=PAGES),
        "tickets": Read(
            "티켓", "GET", "/api/v3/tickets", records="data", send="params",
            mapping=lambda item, _, account: to_ticket(item, account), key=lambda ticket: ticket.ticket_id,
            stamp=lambda ticket, _: ticket.updated_at, window=Window(UNBOUNDED, ("updated_at_min", "updated_at_max"), v3_time,
                          resolution=MILLISECOND),
            partitions=({"limit": TICKET_PAGE, "sort_by": "updated_at.asc"},),
            paginator=Keyset("updated_at_min", "updated_at", TICKET_PAGE)),
        "products": Read(
            "상품", "GET", "/api/v2/product/multi-get", records="data", send="params",
            mapping=lambda item, _, account: to_mall_product(item, account), key=lambda product: product.product_id,
            stamp=lambda product, _: None, keep_unstamped=True, partitions=({"limit": PRODUCT_PAGE},), paginator=PAGES),
    },
    lookups={
        "order": Lookup("GET", "/api/v2/order", lambda key: {"id": key}, pick=data("Order")),
        "ticket": Lookup("GET", "/api/v3/tickets/{key}", pick=data("")),
        "ticket_refunds": Lookup(scan=tickets.with_refunds),
        "product": Lookup("GET", "/api/v2/product", lambda key: {"id": key}, pick=data("Product")),
        "listing": Lookup("GET", "/api/v2/product", hooks.listing_query, pick=data("Product")),
        "product_by_code": Lookup("GET", "/api/v2/product", lambda key: {"parent_sku": key}, pick=data("Product")),
        "variant": Lookup("GET", "/api/v2/variant", lambda key: {"sku": key}, pick=data("Variant")),
    },
    writes={
        Capability.INVOICES_SEND: Write(
            "POST", "/api/v2/order/fulfill-one", key=lambda inv: inv.ship_unit.strip(), body=hooks.invoice_body,
            precheck=hooks.invoice_problem, send="data", remote_id=RECEIPT,
            read_back=ReadBack("order", hooks.shipped_with, "이미 같은 송장으로 발송처리된 주문입니다")),
        Capability.INVOICES_UPDATE: Write(
            "POST", "/api/v2/order/modify-tracking", key=lambda inv: inv.ship_unit.strip(), body=hooks.invoice_body,
            precheck=hooks.invoice_problem, send="data", remote_id=RECEIPT,
            read_back=ReadBack("order", hooks.shipped_with, "이미 같은 송장으로 되어 있습니다")),
        Capability.ORDERS_CANCEL: Write(
            "POST", "/api/v2/order/refund", key=lambda c: c.line_id.strip(), body=hooks.cancel_body,
            precheck=hooks.cancel_problem, send="data", remote_id=RECEIPT,
            read_back=ReadBack("order", hooks.refunded, "이미 환불(판매취소)된 주문입니다")),
        Capability.STOCK_UPDATE: Write(
            "POST", "/api/v2/variant/update-inventory", key=lambda c: c.target, body=hooks.stock_body,
            precheck=hooks.stock_problem, prepare=hooks.stock_parts, send="data", remote_id=RECEIPT,
            read_back=ReadBack("listing", hooks.holds_stock, "이미 같은 재고로 되어 있습니다")),
        Capability.PRICE_UPDATE: Write(
            "POST", "/api/v2/variant/update", key=lambda c: c.target, body=hooks.price_body,
            precheck=hooks.price_problem, prepare=hooks.price_parts, send="data", remote_id=RECEIPT,
            read_back=ReadBack("listing", hooks.holds_price, "이미 같은 판매가로 되어 있습니다")),
        Capability.SALE_STATUS: Write(
            "POST", "/api/v2/product/disable", key=lambda c: c.target, body=lambda changes: {"id": changes[0].product_id.strip()},
            route=hooks.sale_route, precheck=hooks.sale_problem, send="data", remote_id=RECEIPT,
            read_back=ReadBack("listing", hooks.holds_sale, "이미 같은 판매상태입니다")),
        **TICKET_WRITES,
    },
    hooks=Hooks(create_product=hooks.create_product, update_product=hooks.update_product, find_product=hooks.find_product,
                product_matches=hooks.product_matches, lookup_orders=hooks.lookup_orders,
                listing_problems=hooks.listing_problems),
    listing=ListingRules(max_option_names=2),  # a variant carries a colour and a size
    answer_length=(1, tickets.MAX_REPLY),
    answer_deadline_hours=48,  # seed 004: 응답까지 남은 시간
    confirm_before_invoice=False,  # no 발주확인 in Wish's API
    digit_ids=False,  # order and transaction ids are 24-hex object ids (reference §3.3, §3.5)
    couriers=COURIERS,
    reasons=hooks.REASONS,
    sandbox=SandboxHints(courier="EPOST"),
)


class WishConnector(Connector):
    spec = SPEC
