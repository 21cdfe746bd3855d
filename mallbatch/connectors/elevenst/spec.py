"""11번가 Open API declared (reference §3): an ``openapikey`` header, EUC-KR XML both ways, state
changes as GETs with path parameters, ``yyyyMMddHHmm`` path windows of at most a week, and
``result_code 0`` meaning both "no data" and success. Identity is ordNo+ordPrdSeq (the line);
dlvNo is the box that is confirmed and shipped."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import timedelta

import httpx

from mallbatch.connectors.elevenst import hooks
from mallbatch.connectors.elevenst.mapping import (
    COURIER_CODES,
    LIST_STAMP,
    MAX_OPTIONS,
    PATH_TIME,
    REASON_CODES,
    SearchPages,
    decode,
    inquiry_key,
    line_key,
    parse_time,
    to_claim,
    to_inquiry,
    to_line,
    to_product,
)
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.errors import ErrorRule, classifier
from mallbatch.connectors.runtime.http import Envelope
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
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ClaimAction, ClaimKind, Invoice, ItemResult, MallProduct
from mallbatch.errors import AuthError, RejectedError, TransientError


class OpenApiKeyAuth(httpx.Auth):
    """The 32-hex key in ``openapikey`` (reference §3.1); a body goes as EUC-KR XML."""

    def __init__(self, key: str) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["openapikey"] = self._key
        if request.content:
            request.headers["Content-Type"] = "text/xml; charset=euc-kr"
        yield request


# Both result fields are read as one "code" (mapping.decode): 0 = success and "no data" for lists and
# actions, 200 for product answers, 200 or 210 for a Q&A answer (reference §3.1).
# invented: inOutAddress, the item of the 출고지 list the auth probe reads (the reference shows no answer);
# second-hand: a product (prdNo) and its stock list (ProductStock, ProductStocks) carry no result code.
ENVELOPE = Envelope("11번가", keys=("result_code", "resultCode", "order", "productQna", "product", "inOutAddress", "prdNo",
                                   "ProductStock", "ProductStocks"), content_type="xml",
                    code="code", ok=("0", "200", "210"), message="text", decode=decode)
AUTH_MESSAGE = "11번가 openapikey 가 거부되었습니다. 11번가 셀러오피스에서 발급한 키와 등록한 서버 IP를 확인하세요"
ERRORS = (
    ErrorRule(AuthError, status=(401, 403), message=AUTH_MESSAGE),  # invented: 11번가 shows no refusal of the key
    # second-hand (재고수량·가격 수정 pages): resultCode 500 "비지니스 Error" inside HTTP 200, worded "… 업데이트 실패.
    # MSG : …", is a refusal, never a server error to resend; -1000 is "서버 점검중입니다"
    ErrorRule(RejectedError, codes=("500",), text="업데이트 실패"),
    ErrorRule(TransientError, codes=("-1000",), message="11번가 서버 점검 중입니다. 잠시 후 다시 시도합니다"),
)
classify = classifier(ENVELOPE, ERRORS)

# reference §3.1: at most one week per call, e.g. 202401010000/202401072359 (both ends included)
WEEK = Window(timedelta(days=7) - timedelta(minutes=1), ("startTime", "endTime"), PATH_TIME)
ORDER_LISTS = ("complete", "packaging", "shipping", "dlvcompleted")  # "shipping" (배송중) is invented, see mapping
CLAIM_LISTS = ("cancelorders", "canceledorders", "returnorders", "exchangeorders")  # reference §3.2


def _list_window(list_name: str) -> Lookup:
    """A read-back: the line of this dlvNo in one order list of the last week (11번가 has no look-up by id)."""
    # invented read-back path: the reference has lists only, so the list a write moves the box into is read
    return Lookup("GET", "/ordservices/{list}/{startTime}/{endTime}", lambda key: hooks.last_week(list=list_name),
                  pick=hooks.pick(lambda item, key: str(item.get("dlvNo") or "") == key))


PART_SHIP = Write(  # 부분발송 (reference §3.2): one line of the box, partDlvYn=Y
    "GET", "/ordservices/reqdelivery/{sendDt}/{dlvMthdCd}/{dlvEtprsCd}/{invcNo}/{dlvNo}/{partDlvYn}/{ordNo}/{ordPrdSeq}",
    key=lambda inv: inv.ship_unit.strip(), body=lambda invoices: hooks.part_params(invoices[0]), send="params",
    results=hooks.done(lambda inv: inv.ship_unit.strip()),
    precheck=hooks.invoice_problem, read_back=ReadBack("shipped", hooks.shipped_as, "이미 같은 송장으로 발송처리된 주문입니다"))
# Catalogue writes keyed by ListingChange.target (second-hand paths: 11번가 Open API guide pages,
# 상품재고수량변경처리 apiSeq 1625, 상품가격수정 1752; the reference has the price path with inferred parameters).
STOCK = Write(  # one 재고번호 per call: prepare splits a whole-product change into one part per option
    "PUT", "/prodservices/stockqty/{prdStckNo}", key=lambda c: c.target, body=lambda changes: hooks.stock_body(changes[0]),
    send="content", precheck=hooks.stock_problem, prepare=hooks.prepare_stock, results=hooks.done(lambda c: c.target),
    read_back=ReadBack("stock", hooks.stock_holds, "11번가에 이미 같은 재고로 반영되어 있습니다"))
PRICE = Write(
    "GET", "/prodservices/product/price/{prdNo}/{selPrc}", key=lambda c: c.target, send="params",
    body=lambda changes: {"prdNo": changes[0].product_id.strip(), "selPrc": changes[0].sale_price},
    precheck=hooks.price_problem, results=hooks.done(lambda c: c.target),
    read_back=ReadBack("product", hooks.price_holds, "11번가에 이미 같은 판매가로 반영되어 있습니다"))
SALE = Write(  # 전시중지 / 전시중지해제 (reference §3.2)
    "PUT", hooks.display_path(False), key=lambda c: c.target, send="params",
    route=lambda changes: ("PUT", hooks.display_path(bool(changes[0].on_sale))),
    body=lambda changes: {"prdNo": changes[0].product_id.strip()}, precheck=hooks.sale_problem,
    results=hooks.done(lambda c: c.target),
    read_back=ReadBack("product", hooks.sale_holds, "11번가에 이미 같은 판매상태로 되어 있습니다"))

# --- after the sale (second-hand: 11번가 Open API guide pages as crawled into public integrations, apiSeq
# in brackets, and production code calling them; the reference found none but 판매불가). Each is a GET with
# path parameters answering result_code/result_text, keyed by the claim id (mapping.to_claim) and read back
# from the claim lists (11번가 has no look-up of one claim).
ORDER_CANCEL = Write(  # 판매불가 [1638] (reference §3.2): the seller cancels one whole line before it ships
    "GET", "/claimservice/reqrejectorder/{ordNo}/{ordPrdSeq}/{ordCnRsnCd}/{ordCnDtlsRsn}",
    key=lambda cancel: cancel.line_id.strip(), body=lambda cancels: hooks.cancel_params(cancels[0]), send="params",
    results=hooks.done(lambda cancel: cancel.line_id.strip()), precheck=hooks.cancel_problem,
    read_back=ReadBack("cancelled_line", lambda found, _: True, "이미 취소된 주문입니다"))


def claim_write(path: str, body: Callable[[ClaimAction], dict[str, str]], precheck: Callable[[ClaimAction], str | None],
                read_back: ReadBack) -> Write:
    """One claim action, one claim per call."""
    return Write("GET", path, key=lambda action: action.claim_id.strip(), body=lambda actions: body(actions[0]),
                 send="params", precheck=precheck, results=hooks.done(lambda action: action.claim_id.strip()),
                 read_back=read_back)


def listed_at(*codes: str, message: str) -> ReadBack:
    """Done once 11번가 lists the claim at one of ``codes`` (ordCnStatCd / clmStat)."""
    return ReadBack("claim", hooks.claim_at(*codes), message)


CANCEL, RETURN, EXCHANGE = ClaimKind.CANCEL, ClaimKind.RETURN, ClaimKind.EXCHANGE
CLAIM_WRITES = {
    Capability.CANCEL_APPROVE: claim_write(  # 취소승인처리 [1640]
        "/claimservice/cancelreqconf/{ordPrdCnSeq}/{ordNo}/{ordPrdSeq}", hooks.claim_params,
        hooks.claim_problem(CANCEL, "취소승인"), listed_at("02", message="이미 취소승인된 클레임입니다")),
    Capability.CANCEL_REJECT: claim_write(  # 취소거부처리 [1641]: the line ships with this invoice (강제출고)
        "/claimservice/cancelreqreject/{ordNo}/{ordPrdSeq}/{ordPrdCnSeq}/{dlvMthdCd}/{sendDt}/{dlvEtprsCd}/{invcNo}",
        hooks.cancel_reject_params, hooks.claim_problem(CANCEL, "취소거부", invoice=True),
        ReadBack("cancel_rejected", hooks.shipped_as, "이미 취소거부되어 같은 송장으로 발송된 주문입니다")),
    Capability.RETURN_APPROVE: claim_write(  # 반품승인처리 [1644]
        "/claimservice/returnreqconf/{clmReqSeq}/{ordNo}/{ordPrdSeq}", hooks.claim_params,
        hooks.claim_problem(RETURN, "반품승인", fee=False), listed_at("106", message="이미 반품승인된 클레임입니다")),
    Capability.RETURN_REJECT: claim_write(  # 반품거부처리 [1645]
        "/claimservice/returnreqreject/{ordNo}/{ordPrdSeq}/{clmReqSeq}/{refsRsnCd}/{refsRsn}", hooks.refusal_params,
        hooks.claim_problem(RETURN, "반품거부", reason=True), listed_at("107", message="이미 반품거부된 클레임입니다")),
    Capability.RETURN_HOLD: claim_write(  # 반품보류 처리 [1654] → clmStat 104
        "/claimservice/returnclaimdefer/{ordNo}/{ordPrdSeq}/{clmReqSeq}/{deferRefsRsnCd}/{deferRefsRsn}", hooks.hold_params,
        hooks.claim_problem(RETURN, "반품보류", reason=True), listed_at("104", message="이미 반품보류된 클레임입니다")),
    # 교환승인처리 [1649] names the new item's courier and invoice: on 11번가 approving an exchange is sending
    # it, so it is 교환재발송 here; a 교환승인 without an invoice has no call (EXCHANGE_APPROVE is not declared).
    Capability.EXCHANGE_RESHIP: claim_write(
        "/claimservice/exchangereqconf/{clmReqSeq}/{ordNo}/{ordPrdSeq}/{dlvEtprsCd}/{invcNo}", hooks.reship_params,
        hooks.claim_problem(EXCHANGE, "교환재발송", invoice=True, fee=False),
        listed_at("221", "301", "302", message="이미 교환상품이 발송된 클레임입니다")),
    Capability.EXCHANGE_REJECT: claim_write(  # 교환거부처리 [1650]
        "/claimservice/exchangereqreject/{ordNo}/{ordPrdSeq}/{clmReqSeq}/{refsRsnCd}/{refsRsn}", hooks.refusal_params,
        hooks.claim_problem(EXCHANGE, "교환거부", reason=True), listed_at("232", message="이미 교환거부된 클레임입니다")),
}
# Not declared, no call found for them: 수거완료 (반품송장입력 [6747] enters a pickup invoice, it does not mark
# the item back), 보류해제 of a held return, 교환보류 (clmStat 214 is only read), 주문 보류해제.

SPEC = MarketplaceSpec(
    mall="11st",
    base_url="https://api.11st.co.kr/rest",
    credentials=(Credential("openapikey", "11번가 셀러오피스에서 발급한 Open API 키 (32자리, 등록한 서버 IP에서만 동작)"),),
    auth=lambda account: OpenApiKeyAuth(account.secret("openapikey")),
    rate=Rate(5.0, burst=1, cap=5),  # invented: 11번가 publishes no rate limit; account option "rate_limit" overrides
    envelope=ENVELOPE,
    errors=ERRORS,
    auth_probe=("GET", "/areaservice/outboundarea"),  # reference §3.2 출고지 목록: cheap and authenticated
    reads={
        "orders": Read(
            "주문", "GET", "/ordservices/{list}/{startTime}/{endTime}", records="order", send="params",
            mapping=lambda item, part, account: to_line(item, part["list"], account),
            key=lambda line: line.line_id,
            stamp=lambda line, part: parse_time(line.raw.get(LIST_STAMP.get(part["list"], ""))),
            keep_unstamped=True,  # 배송중/배송완료 lines carry no list date; the path window bounds them
            window=WEEK, partitions=tuple({"list": name} for name in ORDER_LISTS)),
        "claims": Read(
            "클레임", "GET", "/claimservice/{list}/{startTime}/{endTime}", records="order", send="params",
            mapping=lambda item, part, account: to_claim(item, part["list"], account),
            key=lambda claim: claim.claim_id, stamp=lambda claim, _: claim.requested_at, keep_unstamped=True,
            window=WEEK, partitions=tuple({"list": name} for name in CLAIM_LISTS)),
        "inquiries": Read(
            "문의", "GET", "/prodqnaservices/prodqnalist/{startTime}/{endTime}/{answerStatus}", records="productQna",
            send="params", mapping=lambda item, _, account: to_inquiry(item, account),
            key=lambda inquiry: inquiry.inquiry_id, stamp=lambda inquiry, _: inquiry.asked_at,
            # invented: the Q&A list's limit (7 days, both days included) is not in the reference
            window=Window(timedelta(days=7), ("startTime", "endTime"), "%Y%m%d", by_day=True),
            partitions=({"answerStatus": "00"},)),  # reference §3.2: 00 전체
        # second-hand: 다중상품조회 (POST <SearchProduct>, at most 500 a call); undated, so unwindowed.
        # Its rows carry no options: ElevenstConnector.list_products adds them from the stock lists.
        "products": Read(
            "상품", "POST", "/prodmarketservice/prodmarket", records="product", send="content",
            mapping=lambda item, _, account: to_product(item, account), key=lambda product: product.product_id,
            stamp=lambda product, _: None, keep_unstamped=True, paginator=SearchPages()),
    },
    lookups={
        "confirmed": _list_window("packaging"),
        "shipped": _list_window("shipping"),
        "claim": Lookup(scan=hooks.find_claim),
        "cancel_rejected": Lookup(scan=hooks.find_shipped),
        "cancelled_line": Lookup(  # invented read-back path: the 취소완료 list of the last week
            "GET", "/claimservice/canceledorders/{startTime}/{endTime}", lambda key: hooks.last_week(),
            pick=hooks.pick(lambda item, key: line_key(item.get("ordNo"), item.get("ordPrdSeq")) == key)),
        "inquiry": Lookup(  # invented read-back path: the Q&A list of the last week (no look-up by brdInfoNo)
            "GET", "/prodqnaservices/prodqnalist/{startTime}/{endTime}/{answerStatus}",
            lambda key: hooks.last_week_days(answerStatus="00"), mapping=to_inquiry,
            pick=hooks.pick(lambda item, key: inquiry_key(item) == key)),
        # second-hand (셀러상품조회 apiSeq 1621; not in the reference): a lost register is read back by sellerPrdCd
        "products_by_code": Lookup("GET", "/prodmarketservice/sellerprodcode/{sellerPrdCd}",
                                   lambda key: {"sellerPrdCd": key.strip()}, missing=()),
        # second-hand: 신규상품조회 (apiSeq 1620) shows selPrc and selStatCd; 상품재고정보조회 (1623) the 재고번호
        "product": Lookup("GET", "/prodmarketservice/prodmarket/{prdNo}", lambda key: {"prdNo": hooks.product_no(key)}),
        "stock": Lookup("GET", "/prodmarketservice/prodmarket/stck/{prdNo}", lambda key: {"prdNo": hooks.product_no(key)},
                        pick=hooks.pick_stocks),
    },
    writes={
        Capability.ORDERS_CONFIRM: Write(  # 발주확인 per line (reference §3.2); hooks.confirm finds the box's lines
            "GET", "/ordservices/reqpackaging/{ordNo}/{ordPrdSeq}/{addPrdYn}/{addPrdNo}/{dlvNo}",
            key=lambda line: line.ship_unit, send="params", results=hooks.done(lambda line: line.ship_unit),
            body=lambda lines: {"ordNo": lines[0].order_id, "ordPrdSeq": lines[0].line_id.rpartition("-")[2],
                                "addPrdYn": lines[0].raw.get("addPrdYn") or "N", "addPrdNo": lines[0].raw.get("addPrdNo") or "null",
                                "dlvNo": lines[0].ship_unit},
            read_back=ReadBack("confirmed", lambda found, _: True, "이미 발주확인된 주문입니다")),
        Capability.INVOICES_SEND: Write(  # 발송처리 of the whole box (reference §3.2)
            "GET", "/ordservices/reqdelivery/{sendDt}/{dlvMthdCd}/{dlvEtprsCd}/{invcNo}/{dlvNo}",
            key=lambda inv: inv.ship_unit.strip(), body=lambda invoices: hooks.delivery_params(invoices[0]), send="params",
            results=hooks.done(lambda inv: inv.ship_unit.strip()),
            precheck=hooks.invoice_problem, read_back=PART_SHIP.read_back),
        Capability.INQUIRIES_ANSWER: Write(  # reference §3.2: PUT with the answer as CDATA; 200 or 210
            "PUT", "/prodqnaservices/prodqnaanswer/{brdInfoNo}/{prdNo}", key=lambda a: a.inquiry_id.strip(), send="content",
            body=lambda answers: hooks.answer_body(answers[0]), results=hooks.done(lambda a: a.inquiry_id.strip()),
            precheck=lambda a: hooks.answer_problem(a.inquiry_id, a.text),
            read_back=ReadBack("inquiry", lambda found, _: str(found.get("answerYn") or "").upper() == "Y",
                               "이미 답변이 등록된 문의입니다")),
        Capability.STOCK_UPDATE: STOCK,
        Capability.PRICE_UPDATE: PRICE,
        Capability.SALE_STATUS: SALE,
        Capability.ORDERS_CANCEL: ORDER_CANCEL,
        **CLAIM_WRITES,
    },
    hooks=Hooks(create_product=hooks.create_product, update_product=hooks.update_product,
                find_product=hooks.find_product, product_matches=hooks.product_matches,
                lookup_orders=hooks.lookup_orders, listing_problems=hooks.listing_problems),
    listing=ListingRules(max_option_combinations=MAX_OPTIONS),  # 상품명 bytes and 10원 units: hooks.listing_problems
    answer_deadline_hours=None,  # not in the reference
    couriers=COURIER_CODES,
    reasons=REASON_CODES,
    sandbox=SandboxHints(example_category="1001234", courier="CJ"),  # invented category number
)


class ElevenstConnector(Connector):
    """11번가 confirms per line and ships whole or partial boxes: both need the box's lines first;
    stock is set per 재고번호 and the product list names no options."""

    spec = SPEC

    def confirm(self, ship_units: Sequence[str]) -> list[ItemResult]:
        return hooks.confirm(self, ship_units)

    def send_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        return hooks.send_invoices(self, invoices, PART_SHIP)

    def list_products(self) -> Iterator[MallProduct]:
        return hooks.with_stocks(self, super().list_products())
