"""위메프 W-API declared (reference §1): a static apiKey header, the envelope
``{"resultCode", "data", "error"}`` where only resultCode 200 is success, one bundle /
Q&A / product per write, and a read-back of the bundle or Q&A after a refusal."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.errors import ErrorRule, classifier
from mallbatch.connectors.runtime.http import Envelope, HeaderAuth
from mallbatch.connectors.runtime.paging import PageNumber
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
from mallbatch.connectors.runtime.windows import Window
from mallbatch.connectors.wemakeprice import aftersale, hooks
from mallbatch.connectors.wemakeprice.mapping import (
    CLAIM_DATE_FIELDS,
    COURIER_CODES,
    FMT,
    bundle_lines,
    parse_time,
    to_claim,
    to_inquiry,
    to_mall_product,
)
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ClaimKind
from mallbatch.errors import AuthError

ApiKeyAuth = partial(HeaderAuth, "apiKey")  # the seller's 128-hex key, verbatim (reference §1.1)
ENVELOPE = Envelope("위메프", keys=("resultCode",), code="resultCode", ok=("200",), message="error", data="data")
AUTH_MESSAGE = "위메프 API 인증키(apiKey)가 거부되었습니다. 위메프 파트너센터에서 발급한 인증키를 확인하세요"
ERRORS = (ErrorRule(AuthError, status=(401, 403), message=AUTH_MESSAGE),)
classify = classifier(ENVELOPE, ERRORS)

# getOrderList types. invented: DELIVERY (shipped bundles); the reference confirms NEW and CONFIRM.
# invented: searchDateType=NEW for every type (the reference shows it only with type NEW).
ORDER_TYPES = ("NEW", "CONFIRM", "DELIVERY")
CLAIM_KIND_OF = {"CANCEL": ClaimKind.CANCEL, "RETURN": ClaimKind.RETURN, "EXCHANGE": ClaimKind.EXCHANGE}
PAGES = PageNumber(total="totalCount", size="pageSize")  # invented paging: page in the body, totals in data


def _bundle_query(field: str) -> Lookup:
    # invented path /order/out/getOrderInfo; orderNo/orderOptionNo queries are invented too
    return Lookup("POST", "/order/out/getOrderInfo", lambda key: {field: int(key)}, send="json")


def _unit(unit: object) -> str:
    return str(unit).strip()


SHIPPED = ReadBack("bundle", hooks.shipped_as, "이미 같은 송장으로 발송처리된 주문입니다")
# Stock and price: setProductSale (path reference §1.3 [C]; body productNo + the §1.8 sale block,
# inferred) with the product's sale block read first and sent back whole (hooks.with_sale_block).
SALE_BLOCK = "/product/in/setProductSale"



def _claim_write(path: str, body: Any, precheck: Any, holds: Any, message: str) -> Write:
    """One claim action per call, keyed by claimBundleNo, read back through GetClaimInfo."""
    return Write("POST", path, key=lambda a: a.claim_id.strip(), body=body, precheck=precheck, remote_id="returnKey",
                 read_back=ReadBack("claim", holds, message))


_CANCEL, _RETURN, _EXCHANGE = ClaimKind.CANCEL, ClaimKind.RETURN, ClaimKind.EXCHANGE
# reference §1.3 SetOrderCancelRequest / SetClaimApprove / SetClaimRejectRequest / SetClaimPending /
# SetClaimPickupComplete / SetClaimDeliveryRequest, one per call; paths invented (see aftersale).
# Not declared: 보류해제 of an order or a claim (the reference shows no release operation).
AFTER_SALE: dict[Capability, Write] = {
    Capability.ORDERS_CANCEL: Write(
        "POST", aftersale.CANCEL_PATH, key=lambda c: c.line_id.strip(), body=aftersale.cancel_body,
        precheck=aftersale.cancel_problem, remote_id="returnKey",
        read_back=ReadBack("bundle_of_line", aftersale.line_cancelled, "이미 취소된 주문입니다")),
    Capability.CANCEL_APPROVE: _claim_write(aftersale.APPROVE_PATH, aftersale.approve_body, aftersale.approve_problem(_CANCEL),
                                            aftersale.approved, "이미 취소승인된 클레임입니다"),
    Capability.RETURN_APPROVE: _claim_write(aftersale.APPROVE_PATH, aftersale.approve_body, aftersale.approve_problem(_RETURN),
                                            aftersale.approved, "이미 반품승인된 클레임입니다"),
    Capability.EXCHANGE_APPROVE: _claim_write(aftersale.APPROVE_PATH, aftersale.approve_body,
                                              aftersale.approve_problem(_EXCHANGE), aftersale.approved,
                                              "이미 교환승인된 클레임입니다"),
    Capability.CANCEL_REJECT: _claim_write(aftersale.REJECT_PATH, aftersale.reject_body, aftersale.reject_problem(_CANCEL),
                                           aftersale.rejected, "이미 취소거부된 클레임입니다"),
    Capability.RETURN_REJECT: _claim_write(aftersale.REJECT_PATH, aftersale.reject_body, aftersale.reject_problem(_RETURN),
                                           aftersale.rejected, "이미 반품거부된 클레임입니다"),
    Capability.EXCHANGE_REJECT: _claim_write(aftersale.REJECT_PATH, aftersale.reject_body,
                                             aftersale.reject_problem(_EXCHANGE), aftersale.rejected,
                                             "이미 교환거부된 클레임입니다"),
    Capability.RETURN_HOLD: _claim_write(aftersale.PENDING_PATH, aftersale.hold_body, aftersale.hold_problem(_RETURN),
                                         aftersale.held, "이미 보류된 클레임입니다"),
    Capability.EXCHANGE_HOLD: _claim_write(aftersale.PENDING_PATH, aftersale.hold_body, aftersale.hold_problem(_EXCHANGE),
                                           aftersale.held, "이미 보류된 클레임입니다"),
    Capability.COLLECTED: _claim_write(aftersale.PICKUP_DONE_PATH, aftersale.pickup_done_body,
                                       aftersale.for_kinds(_RETURN, _EXCHANGE), aftersale.picked_up,
                                       "이미 수거완료된 클레임입니다"),
    Capability.EXCHANGE_RESHIP: _claim_write(aftersale.REDELIVERY_PATH, aftersale.reship_body, aftersale.reship_problem,
                                             aftersale.reshipped, "이미 같은 송장으로 교환 재발송된 클레임입니다"),
}

SPEC = MarketplaceSpec(
    mall="wemakeprice",
    base_url="https://w-api.wemakeprice.com",
    credentials=(Credential("api_key", "위메프 파트너센터에서 발급한 API 인증키 (128자리)"),),  # no documented expiry
    auth=lambda account: ApiKeyAuth(account.secret("api_key")),
    rate=Rate(5.0, burst=1),  # inferred: undocumented; account option "rate_limit" overrides
    envelope=ENVELOPE,
    errors=ERRORS,
    auth_probe=("GET", "/product/out/getSellerShipPolicy"),
    reads={
        "orders": Read(
            "주문", "POST", "/order/out/getOrderList", records="bundle",
            mapping=lambda bundle, _, account: bundle_lines(bundle, "wemakeprice", account),
            key=lambda line: line.line_id, stamp=lambda line, _: line.paid_at,
            window=Window(timedelta(hours=24), format=FMT),  # inferred: clients query ≤ 24 h
            partitions=tuple({"type": t, "searchDateType": "NEW"} for t in ORDER_TYPES), paginator=PAGES),
        "claims": Read(
            "클레임", "POST", "/claim/out/getClaimList", records="claim",  # invented path
            mapping=lambda item, part, account: to_claim(item, account, CLAIM_KIND_OF[part["claimType"]]),
            key=lambda claim: claim.claim_id,
            stamp=lambda claim, part: parse_time(claim.raw.get(CLAIM_DATE_FIELDS[part["claimStatus"]])),
            window=Window(timedelta(days=7), format=FMT),  # inferred
            partitions=tuple({"claimType": t, "claimStatus": s, "searchDateType": s}
                             for t in ("CANCEL", "RETURN", "EXCHANGE") for s in CLAIM_DATE_FIELDS),
            paginator=PAGES),
        "inquiries": Read(
            "문의", "GET", "/qna/out/getQnaList", records="qna", send="params",
            mapping=lambda item, _, account: to_inquiry(item, account),
            key=lambda inquiry: inquiry.inquiry_id, stamp=lambda inquiry, _: inquiry.asked_at,
            window=Window(timedelta(days=1), ("basicDate",), "%Y-%m-%d", by_day=True)),  # reference §1.3: one day per call
        # invented: the reference shows no product list; POST paged like getOrderList, rows shaped as getProduct
        "products": Read(
            "상품", "POST", "/product/out/getProductList", records="product",
            mapping=lambda item, _, account: to_mall_product(item, account),
            key=lambda product: product.product_id, stamp=lambda product, _: None, keep_unstamped=True,
            paginator=PAGES),
    },
    lookups={
        "bundle": _bundle_query("bundleNo"),
        "bundle_of_line": _bundle_query("orderOptionNo"),
        "bundle_of_order": _bundle_query("orderNo"),
        # GetClaimInfoRequest {"claimBundleNo"} (reference §1.3 [C] body); invented: path, POST like getOrderInfo
        "claim": Lookup("POST", aftersale.CLAIM_INFO, lambda key: {"claimBundleNo": int(key)}, send="json"),
        "inquiry": Lookup("GET", "/qna/out/getQnaInfo", lambda key: {"qnaSeq": int(key)},  # invented path
                          mapping=to_inquiry),
        "product": Lookup("GET", "/product/out/getProduct", lambda key: {"productNo": key}, missing=()),
        # the same read keyed by a ListingChange.target; an unknown productNo is "not found"
        "listing": Lookup("GET", "/product/out/getProduct", hooks.listing_query),
        # invented path: W-API has no documented lookup by sellerProdCode
        "products_by_code": Lookup("GET", "/product/out/getProductList", lambda key: {"sellerProdCode": key}, missing=()),
    },
    writes={  # reference §1.3: one bundleNo / qnaSeq per call
        Capability.ORDERS_CONFIRM: Write(
            "POST", "/order/in/setOrderConfirm", key=_unit, body=lambda units: {"bundleNo": int(_unit(units[0]))},
            precheck=lambda unit: hooks.bad_unit(_unit(unit)), remote_id="returnKey",
            read_back=ReadBack("bundle", hooks.confirmed, "이미 발주확인된 주문입니다")),
        Capability.INVOICES_SEND: Write(
            "POST", "/order/in/setOrderDelivery", key=lambda inv: inv.ship_unit.strip(),
            body=lambda invoices: hooks.delivery_body(invoices[0]),
            precheck=lambda inv: hooks.invoice_problem(inv, update=False), remote_id="returnKey", read_back=SHIPPED),
        Capability.INVOICES_UPDATE: Write(  # invented path /order/in/setParcelDelivery (body confirmed, reference §1.3)
            "POST", "/order/in/setParcelDelivery", key=lambda inv: inv.ship_unit.strip(),
            body=lambda invoices: {"bundleNo": int(invoices[0].ship_unit.strip()),
                                   "parcelCompanyCode": COURIER_CODES[invoices[0].courier],
                                   "invoiceNo": hooks.tracking(invoices[0])},
            precheck=lambda inv: hooks.invoice_problem(inv, update=True), remote_id="returnKey", read_back=SHIPPED),
        Capability.INQUIRIES_ANSWER: Write(  # invented path /qna/in/setQnaAnswer (body confirmed, reference §1.3)
            "POST", "/qna/in/setQnaAnswer", key=lambda a: a.inquiry_id.strip(),
            body=lambda answers: {"qnaSeq": int(answers[0].inquiry_id.strip()), "answer": answers[0].text},
            precheck=lambda a: None if a.inquiry_id.strip().isdigit() else f"위메프 문의번호는 숫자여야 합니다 ({a.inquiry_id.strip()})",
            remote_id="returnKey",  # close is ignored: W-API has no 답변후종료
            read_back=ReadBack("inquiry", hooks.answered_with, "이미 같은 답변이 등록되어 있습니다")),
        # One product per call; stock only at product level (ListingRules.option_stock=False below).
        Capability.STOCK_UPDATE: Write(
            "POST", SALE_BLOCK, key=lambda c: c.target, body=hooks.stock_body, precheck=hooks.stock_problem,
            prepare=hooks.with_sale_block, remote_id="returnKey",
            read_back=ReadBack("listing", hooks.holds_stock, "이미 같은 재고로 되어 있습니다")),
        Capability.PRICE_UPDATE: Write(
            "POST", SALE_BLOCK, key=lambda c: c.target, body=hooks.price_body, precheck=hooks.price_problem,
            prepare=hooks.with_sale_block, remote_id="returnKey",
            read_back=ReadBack("listing", hooks.holds_price, "이미 같은 판매가로 되어 있습니다")),
        Capability.SALE_STATUS: Write(  # reference §1.8: {"productNo", "productStatus": "A"|"S"}
            "POST", "/product/in/setProductStatus", key=lambda c: c.target, body=hooks.sale_status_body,
            precheck=hooks.sale_problem, remote_id="returnKey",
            read_back=ReadBack("listing", hooks.holds_sale, "이미 같은 판매상태입니다")),
        **AFTER_SALE,
    },
    hooks=Hooks(create_product=hooks.create_product, update_product=hooks.update_product,
                find_product=hooks.find_product, product_matches=hooks.product_matches,
                lookup_orders=hooks.lookup_orders, listing_problems=hooks.listing_problems),
    listing=ListingRules(option_stock=False),  # reference §1.8 shows stock only as sale.stockCount
    answer_length=(10, 1500),  # reference §1.3
    answer_deadline_hours=48,  # inferred: no documented deadline
    couriers=COURIER_CODES,
    reasons=aftersale.REASONS,
    sandbox=SandboxHints(courier="CJ"),
)


class WemakepriceConnector(Connector):
    spec = SPEC
