"""The ESM Trading API declared once for both sites (reference §4): :func:`build` makes the G마켓 and the
옥션 spec, which differ in the site's codes, its order window (31 / 180 days) and seed 001's rules.

* Auth: a fresh HS256 JWT per call (:mod:`.auth`).
* Envelopes: order, shipping and claim APIs answer ``{ResultCode, Message, Data}`` on HTTP 200 (ResultCode ≠ 0
  is the refusal); item APIs answer camelCase — :func:`normalize` reads both as the first.
* RequestOrders is one call per 5 s per seller id: declared in the spec's rate, its limiter keyed by the ESM master
  id, so the G마켓 and the 옥션 account of one seller (whose tokens name both seller ids) share it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from mallbatch.config import Account
from mallbatch.connectors.esm import aftersale, hooks
from mallbatch.connectors.esm.addresses import AddressChanges
from mallbatch.connectors.esm.auth import EsmJwtAuth
from mallbatch.connectors.esm.mapping import (
    ADDRESS_HOLD,
    CANCEL_SITE_TYPE,
    COURIER_CODES,
    QNA_TYPES,
    SITE_KEY,
    SITE_TYPE,
    claim_stamp,
    to_claim,
    to_inquiry,
    to_line,
    to_mall_product,
)
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.errors import ErrorRule
from mallbatch.connectors.runtime.http import Envelope, Limits, RetryPolicy, limiter_for
from mallbatch.connectors.runtime.paging import PageNumber
from mallbatch.connectors.runtime.spec import (
    Credential,
    EndpointRate,
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
from mallbatch.domain.records import ClaimKind, ItemResult, OrderLine
from mallbatch.errors import AuthError, RateLimited, RejectedError

ORDER_LISTS = ("/shipping/v1/Order/RequestOrders", "/shipping/v1/Order/PreRequestOrders")
# reference §4.2: 1 call / 5 s per site seller id (order-number look-ups exempt); kept to 5.5 s, as arrivals jitter.
# One limiter per master id: both sites' tokens name both seller ids, so the two accounts' calls count alike.
ORDER_LIST_RATE = EndpointRate("POST", ORDER_LISTS, 1 / 5, client=1 / 5.5, shared_by="master_id",
                               applies=lambda payload: int((payload or {}).get("orderStatus") or 0) != 0,
                               what_ko="기간 조회 (주문번호 조회는 제외)")
ORDER_WINDOWS = {"G": timedelta(days=31), "A": timedelta(days=180)}  # reference §4.3
CLAIM_DAYS = timedelta(days=6)  # reference §4.4: under 7 days (7 is refused); day windows whose EndDate is the next 00:00
MINUTES = "%Y-%m-%d %H:%M"  # reference §5.4: ESM takes YYYY-MM-DD[ HH:mm]
SEARCH_RATE = 20 / 60  # second-hand: etapi /198, product search 20/min from 2026-08-10 (30/min before)
ORDER_STATUSES = (1, 2, 3, 4, 5)  # reference §4.3 orderStatus: 결제완료 … 구매결정 (one list call each)


def normalize(content: bytes) -> Any:
    """Both ESM envelopes as one: a camelCase item answer ``{…, resultCode, message}`` becomes
    ``{"ResultCode", "Message", "Data": {…}}``, like the order and claim APIs' PascalCase one."""
    body = json.loads(content)
    if isinstance(body, dict) and "resultCode" in body and "ResultCode" not in body:
        rest = {k: v for k, v in body.items() if k not in ("resultCode", "message")}
        return {"ResultCode": body["resultCode"], "Message": body.get("message"), "Data": rest}
    return body


def said(body: dict[str, Any]) -> str:
    """The mall's words: Message, or the no-permission body's status.message (reference §4.1)."""
    status = body.get("status") if isinstance(body.get("status"), dict) else {}
    return str(body.get("Message") or status.get("message") or "")


def errors(name: str) -> tuple[ErrorRule, ...]:
    return (
        ErrorRule(AuthError, status=(401, 403), message=(
            f"{name}: ESM API 권한이 없거나 인증에 실패했습니다 (마스터 ID·Secret Key·판매자 ID 확인). ESM PLUS 에서 발급받은 "
            "값과 이 API 의 사용 권한을 확인하세요")),
        ErrorRule(RateLimited, codes=("3000",), text="5초", retry_after=5.0,  # reference §4.2
                  message=f"{name}: 주문조회는 판매자 ID 당 5초에 한 번만 할 수 있습니다. 잠시 후 다시 시도합니다"),
        # second-hand: edits fail 2–3 minutes after a create (reference §4.6); invented: code 5001 (the simulator's)
        ErrorRule(RateLimited, codes=("5001",), message=(
            f"{name}: 상품 등록 직후에는 2~3분 동안 수정할 수 없습니다. 잠시 후 자동으로 다시 보냅니다")),
        ErrorRule(RateLimited, status=(429,), retry_after=1.0),
        # reference §4.2: ResultCodes seen (1000, 2000 bad claim window, 3000 state, 8668) are refusals, whatever
        # their number would mean as an HTTP status; an unknown code stays an unknown outcome
        ErrorRule(RejectedError, codes=("1000", "2000", "3000", "8668")),
    )


def _orders_read(site: str, mall: str) -> Read:
    return Read(
        "주문", "POST", ORDER_LISTS[0], records="RequestOrders",
        mapping=lambda item, _, account: to_line(item, mall, account),
        key=lambda line: line.line_id, stamp=lambda line, _: line.paid_at,
        window=Window(ORDER_WINDOWS[site], ("requestDateFrom", "requestDateTo"), MINUTES),
        partitions=tuple({"siteType": SITE_TYPE[site], "orderStatus": s, "requestDateType": 2, "pageSize": 100}
                         for s in ORDER_STATUSES),
        paginator=PageNumber(param="pageIndex", total="TotalCount"))


def _claims_read(site: str, mall: str, kind: ClaimKind) -> Read:
    site_type = CANCEL_SITE_TYPE[site] if kind is ClaimKind.CANCEL else SITE_TYPE[site]
    status = {ClaimKind.CANCEL: "CancelStatus", ClaimKind.RETURN: "ReturnStatus", ClaimKind.EXCHANGE: "ExchangeStatus"}[kind]
    return Read(
        str(kind), "POST", hooks.CLAIM_LISTS[kind],
        mapping=lambda item, _, account: to_claim(item, account, mall, kind),
        key=lambda claim: claim.claim_id, stamp=lambda claim, _: claim_stamp(claim),
        window=Window(CLAIM_DAYS, ("StartDate", "EndDate"), "%Y-%m-%d", by_day=True, exclusive_end=True),
        # Type 2 신청일 and 3 완료일: a claim closed since it was asked for is read again (invented: status 0 = all)
        partitions=tuple({"SiteType": site_type, status: 0, "Type": t} for t in (2, 3)))


def _listing_write(path: str, body: Any, problem: Any, holds: Any, message: str) -> Write:
    return Write("PUT", path, key=lambda c: c.target, body=body, precheck=problem,
                 read_back=ReadBack("goods", holds, message))


def build(site: str) -> MarketplaceSpec:
    mall, name = ("gmarket", "G마켓") if site == "G" else ("auction", "옥션")
    key = SITE_KEY[site]
    envelope = Envelope(name, keys=("ResultCode",), code="ResultCode", ok=("0",), message=said, data="Data", decode=normalize)

    def goods_no(changes: list[Any]) -> int:
        return int(changes[0].product_id)

    return MarketplaceSpec(
        mall=mall,
        base_url="https://sa2.esmplus.com",  # reference §4.1
        credentials=(
            Credential("master_id", "ESM PLUS 마스터 ID (JWT 의 kid)", secret=False),
            Credential("esm_secret_key", "ESM Trading API Secret Key (etapihelp@gmail.com 으로 신청해 받은 값)"),
            Credential("gmarket_seller_id", "G마켓 판매자 ID (G마켓 계정에는 필수, 옥션 계정에는 함께 쓰면 같은 값)", secret=False),
            Credential("auction_seller_id", "옥션 판매자 ID (옥션 계정에는 필수, G마켓 계정에는 함께 쓰면 같은 값)", secret=False),
        ),
        auth=EsmJwtAuth,
        rate=Rate(10.0, burst=1, endpoints=(ORDER_LIST_RATE, EndpointRate("POST", ("/item/v1/goods/search",), SEARCH_RATE))),  # invented: 10/s elsewhere
        envelope=envelope,
        errors=errors(name),
        auth_probe=("GET", "/item/v1/shipping/delivery-company"),  # reference §4.6: the courier list
        reads={
            "orders": _orders_read(site, mall),
            "claims": _claims_read(site, mall, ClaimKind.CANCEL),  # "claims" declares CLAIMS_COLLECT; the others join it
            "claims.return": _claims_read(site, mall, ClaimKind.RETURN),
            "claims.exchange": _claims_read(site, mall, ClaimKind.EXCHANGE),
            "inquiries": Read(
                "문의", "POST", "/item/v1/communications/customer/bulletin-board", records="data",
                mapping=lambda item, _, account: to_inquiry(item, account, mall),
                key=lambda inquiry: inquiry.inquiry_id, stamp=lambda inquiry, _: inquiry.asked_at,
                window=Window(timedelta(days=7), ("startDate", "endDate"), MINUTES),  # reference §4.5: 7-day windows
                partitions=tuple({"qnaType": t, "status": 1, "type": 1} for t in QNA_TYPES[site])),
            "products": Read(  # invented body and answer of goods/search (reference §4.6 names the path)
                "상품", "POST", "/item/v1/goods/search", records="goods",
                mapping=lambda goods, _, account: ([to_mall_product(goods, account, mall, site)]
                                                   if key in (goods.get("siteGoods") or {}) else []),
                key=lambda product: product.product_id, stamp=lambda product, _: None, keep_unstamped=True,
                partitions=({"pageSize": 100},), paginator=PageNumber(param="pageIndex", total="totalCount")),
        },
        lookups={
            "order": Lookup(scan=hooks.order_scan),
            "claim": Lookup(scan=hooks.claim_scan),
            "inquiry": Lookup(scan=hooks.inquiry_scan, mapping=lambda item, account: to_inquiry(item, account, mall)),
            "goods": Lookup("GET", "/item/v1/goods/{key}", hooks.goods_query),
            "acknowledged": Lookup(scan=hooks.acknowledged_scan),
        },
        writes={
            Capability.ORDERS_CONFIRM: Write(  # reference §4.3 OrderCheck, one OrderNo in the path
                "POST", "/shipping/v1/Order/OrderCheck/{OrderNo}", key=lambda unit: str(unit).strip(),
                body=lambda units: {"OrderNo": str(units[0]).strip(), "SellerOrderNo": "", "SellerItemNo": ""},
                precheck=hooks.unit_problem, results=hooks.confirm_results,
                read_back=ReadBack("order", hooks.confirmed, "이미 발주확인된 주문입니다")),
            Capability.INVOICES_SEND: Write(  # reference §4.3 ShippingInfo
                "POST", "/shipping/v1/Delivery/ShippingInfo", key=lambda inv: inv.ship_unit.strip(),
                body=hooks.shipping_body, precheck=hooks.invoice_problem, prepare=hooks.address_checked,
                read_back=ReadBack("order", hooks.shipped_as, "이미 같은 송장으로 발송처리된 주문입니다")),
            Capability.ORDERS_RELEASE: Write(  # no ESM call exists: the order re-read, acknowledged locally
                "POST", ORDER_LISTS[0], key=lambda unit: str(unit).strip(),
                body=lambda units: {"siteType": SITE_TYPE[site], "orderStatus": 0, "orderNo": str(units[0]).strip()},
                prepare=hooks.release_prepare, results=hooks.release_results,
                read_back=ReadBack("acknowledged", lambda seen, _: seen.get("state") == "acknowledged",
                                   "이미 배송지 변경을 확인(보류해제)한 주문입니다")),
            Capability.INQUIRIES_ANSWER: Write(  # reference §4.5: messageNo + token, comments ≤ 1000 bytes
                "POST", "/item/v1/communications/customer/bulletin-board/qna", key=lambda a: a.inquiry_id.strip(),
                body=hooks.answer_body, precheck=hooks.answer_problem, prepare=hooks.with_token, remote_id="messageNo",
                read_back=ReadBack("inquiry", hooks.answered_with, "이미 같은 답변이 등록되어 있습니다")),
            Capability.STOCK_UPDATE: _listing_write(
                "/item/v1/goods/{goodsNo}/stock", lambda c: {"goodsNo": goods_no(c), "stock": {key: c[0].stock}},
                hooks.stock_problem, lambda g, w: not w.get("option") and hooks.site_value(site, g, "stock") == w.get("stock"),
                "이미 같은 재고로 되어 있습니다"),
            Capability.PRICE_UPDATE: _listing_write(
                "/item/v1/goods/{goodsNo}/price", lambda c: {"goodsNo": goods_no(c), "price": {key: c[0].sale_price}},
                hooks.price_problem,
                lambda g, w: not w.get("option") and hooks.site_value(site, g, "price") == w.get("sale_price"),
                "이미 같은 판매가로 되어 있습니다"),
            Capability.SALE_STATUS: _listing_write(
                "/item/v1/goods/{goodsNo}/sell-status", lambda c: {"goodsNo": goods_no(c), "isSell": {key: bool(c[0].on_sale)}},
                hooks.sale_problem,
                lambda g, w: w.get("on_sale") is not None and (g.get("isSell") or {}).get(key) == w["on_sale"],
                "이미 같은 판매상태입니다"),
            **aftersale.AFTER_SALE,
        },
        hooks=Hooks(create_product=hooks.create_product, update_product=hooks.update_product,
                    find_product=hooks.find_product, product_matches=hooks.product_matches,
                    lookup_orders=hooks.lookup_orders, listing_problems=hooks.listing_problems,
                    listing_warnings=hooks.listing_warnings),
        listing=ListingRules(option_stock=False),  # reference §4.6: stock per site, no option-level call shown
        answer_length=(1, hooks.ANSWER_BYTES),
        answer_bytes=True,
        couriers=COURIER_CODES,
        reasons=aftersale.REASONS,
        sandbox=SandboxHints(example_category="200001234", courier="CJ"),  # invented: a catCode the simulator takes
    )


class EsmConnector(Connector):
    """One site of ESM: the address changes OrderCheck reports hold its lines until the seller has looked."""

    site: ClassVar[str]

    def __init__(self, account: Account, *, retry: RetryPolicy | None = None, state_dir: Path | None = None,
                 limits: Limits = limiter_for) -> None:
        super().__init__(account, retry=retry, state_dir=state_dir, limits=limits)
        self.addresses = AddressChanges(f"{self.spec.mall}/{account.name}", state_dir)

    def close(self) -> None:
        super().close()
        self.addresses.close()

    def with_hold(self, line: OrderLine) -> OrderLine:
        if self.addresses.state(line.ship_unit) == "held":
            line.hold = ADDRESS_HOLD
        return line

    def orders(self, since: datetime, until: datetime) -> Iterator[OrderLine]:
        return (self.with_hold(line) for line in super().orders(since, until))

    def confirm(self, ship_units: Sequence[str]) -> list[ItemResult]:
        results = super().confirm(ship_units)
        for result in results:
            if result.ok and result.extra.get("address_changed"):
                self.addresses.changed(result.key)
        return results


class GmarketConnector(EsmConnector):
    site = "G"
    spec = build("G")


class AuctionConnector(EsmConnector):
    site = "A"
    spec = build("A")
