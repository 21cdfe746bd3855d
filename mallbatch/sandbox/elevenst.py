"""11번가 Open API simulator (reference §3): the ``openapikey`` header, EUC-KR XML both ways,
order lines identified by ordNo + ordPrdSeq with dlvNo as the box, state changes as GET calls
with path parameters, ``yyyyMMddHHmm`` path windows of at most a week, and ``result_code 0``
meaning both "done" and "no data".

Confirmed paths and fields are used verbatim. Everything the reference does not show is marked
``invented``/``inferred`` where it is defined. The refusal convention is invented: business
refusals answer HTTP 200 with a non-zero ``result_code`` (orders, claims) or a ``resultCode``
other than 200 (products, Q&A); only the key, the rate limit and the gateway use HTTP 4xx/5xx
(as the other malls do, reference §5.3).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_to_bytes

from mallbatch.sandbox import elevenst_data as data
from mallbatch.sandbox import elevenst_xml as xml
from mallbatch.sandbox.elevenst_catalogue import ElevenstCatalogue
from mallbatch.sandbox.elevenst_claims import ElevenstClaims
from mallbatch.sandbox.elevenst_products import ElevenstProducts, read_xml, restate
from mallbatch.sandbox.elevenst_xml import ACTION_ROOT, Refused, action_refused
from mallbatch.sandbox.engine import inquiries, invoices, orders
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Claim, Invoice, Line, Policy, Stage, Unit
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.server import Request, Response, Simulator

SANDBOX_CREDENTIALS: dict[str, str] = {
    "openapikey": "b567aac47f1d5e8c4133071cb0ecc486",  # a fixed sandbox key; real keys are 32 hex (§3.1)
}

WINDOW = timedelta(days=7)  # reference §3.1: at most one week per call; a window of exactly 7 days passes (inferred)
QNA_WINDOW = timedelta(days=7)  # invented: the Q&A list's limit is not in the reference
RATE_LIMIT = 5.0  # invented: 11번가 publishes no rate limit
WRITES = re.compile(r"^/(ordservices/req|claimservice/(reqrejectorder|\w+req(conf|reject)|returnclaimdefer)|prodservices/"
                    r"|prodqnaservices/prodqnaanswer|prodstatservice/)")
POLICY = Policy(same_invoice_is_done=True)  # no confirm or ship while a cancel is requested (inferred)

# Result codes and texts: all invented (11번가's code list is not public, reference §7).
BAD_REQUEST, NOT_FOUND = -100, -200
REFUSED = {
    Code.CANCELLED: (-301, "취소된 주문입니다. 처리할 수 없습니다."),
    Code.CANCEL_REQUESTED: (-302, "취소요청된 주문입니다. 취소요청을 먼저 처리하세요."),
    Code.PAST_STAGE: (-303, "이미 발주확인된 주문입니다."),
    Code.ALREADY_CONFIRMED: (-303, "이미 발주확인된 주문입니다."),
    Code.NOT_CONFIRMED: (-304, "발주확인되지 않은 주문은 발송처리할 수 없습니다. 발주확인 후 다시 시도하세요."),
    Code.ALREADY_SHIPPED: (-305, "이미 발송처리된 주문입니다."),
    Code.SHIPPED_SAME: (-306, "이미 같은 송장번호로 발송처리된 주문입니다."),
    Code.INVOICE_IN_USE: (-307, "다른 배송번호에 이미 등록된 송장번호입니다."),
    Code.NOT_CLAIMABLE: (-308, "발송처리된 주문은 판매불가 처리할 수 없습니다."),
}


def xml_response(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, body, {"Content-Type": xml.CONTENT_TYPE, **(headers or {})})


def _param(raw: str) -> str:
    """A path segment as sent: percent-encoded UTF-8, or EUC-KR from older clients (inferred)."""
    octets = unquote_to_bytes(raw)
    try:
        return octets.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return octets.decode("euc_kr")
        except UnicodeDecodeError:
            raise action_refused(BAD_REQUEST, "경로 값을 읽을 수 없습니다.") from None  # invented


def path_time(value: str, name: str, fmt: str = data.PATH_TIME, root: str = "orders") -> datetime:
    digits = 12 if fmt == data.PATH_TIME else 8
    try:
        if not re.fullmatch(rf"\d{{{digits}}}", value):
            raise ValueError(value)
        return datetime.strptime(value, fmt)
    except ValueError:
        pattern = "yyyyMMddHHmm" if digits == 12 else "yyyyMMdd"
        raise Refused(xml.result(root, BAD_REQUEST, f"{name} 형식은 {pattern} 입니다.", prefixed=True)) from None


def line_key(ord_no: str, seq: str) -> str:
    return f"{ord_no}-{seq}"


def unit(line: dict[str, Any]) -> Unit:
    """The engine's view of one order line (confirm and partial ship work per line)."""
    qty = int(line["ordQty"])
    cancelled = line["ordPrdStat"] == data.CANCELLED
    invoice = Invoice(line["dlvEtprsCd"], line["invcNo"]) if line["dlvMthdCd"] else None
    stage = data.STATUS_STAGE.get(line["ordPrdStat"], Stage.PAID)
    return Unit(line_key(line["ordNo"], line["ordPrdSeq"]), stage,
                [Line(line["ordPrdSeq"], qty, cancelled=qty if cancelled else 0, held=qty if line["_held"] else 0)], invoice)


class ElevenstSimulator(ElevenstClaims, ElevenstCatalogue, ElevenstProducts, Simulator):
    mall = "11st"
    default_rate_limit = RATE_LIMIT
    ordered_kinds = {"line": "listAt", "cancel": "listAt", "claim": "listAt", "qna": "listAt"}

    def routes(self) -> None:
        api = self._api
        for name in data.ORDER_LISTS:
            self.route("GET", f"/ordservices/{name}/{{startTime}}/{{endTime}}", api(self._order_list(name)))
        self.route("GET", "/ordservices/reqpackaging/{ordNo}/{ordPrdSeq}/{addPrdYn}/{addPrdNo}/{dlvNo}", api(self.confirm, write=True))
        ship = "/ordservices/reqdelivery/{sendDt}/{dlvMthdCd}/{dlvEtprsCd}/{invcNo}/{dlvNo}"
        self.route("GET", ship, api(self.ship, write=True))
        self.route("GET", ship + "/{partDlvYn}/{ordNo}/{ordPrdSeq}", api(self.ship, write=True))
        self.route("GET", "/claimservice/reqrejectorder/{ordNo}/{ordPrdSeq}/{ordCnRsnCd}/{ordCnDtlsRsn}",
                   api(self.reject, write=True))
        for name, kind, status in (("cancelorders", "cancel", "01"), ("canceledorders", "cancel", "02"),
                                   ("returnorders", "return", ""), ("exchangeorders", "exchange", "")):
            self.route("GET", f"/claimservice/{name}/{{startTime}}/{{endTime}}", api(self._claim_list(kind, status)))
        self.claim_routes(api)
        self.route("GET", "/areaservice/outboundarea", api(self.outbound_areas))
        self.route("GET", "/prodqnaservices/prodqnalist/{startTime}/{endTime}/{answerStatus}", api(self.qna_list))
        self.route("PUT", "/prodqnaservices/prodqnaanswer/{brdInfoNo}/{prdNo}", api(self.qna_answer, write=True))
        self.product_routes(api)
        self.catalogue_routes(api)

    # --- protocol plumbing ----------------------------------------------------------
    def client_id(self, request: Request) -> str:
        return str(request.headers.get("openapikey") or "anonymous")

    def is_write(self, request: Request) -> bool:
        # reference §3.1: state changes are GETs with path parameters, so the path says what writes
        return WRITES.match(request.path) is not None

    def rate_limited(self, request: Request) -> Response:
        # invented: body, code and Retry-After (11번가 documents no limit)
        body = xml.client_message(429, f"API 호출 한도(초당 {RATE_LIMIT:g}회)를 초과했습니다. 잠시 후 다시 시도하세요.")
        return xml_response(body, 429, {"Retry-After": "1"})

    def server_error(self, request: Request) -> Response:
        return xml_response(xml.client_message(500, "일시적인 시스템 오류입니다. 잠시 후 다시 시도하세요."), 500)  # invented

    def not_found(self, request: Request) -> Response:
        return xml_response(xml.client_message(404, "존재하지 않는 API 입니다."), 404)  # invented

    def _api(self, handler: Callable[[Request], bytes], write: bool = False) -> Callable[[Request], Response]:
        """Check the key, decode path parameters, run ``handler`` (one transaction for writes)."""

        def serve(request: Request) -> Response:
            expected = self.credentials.get("openapikey", SANDBOX_CREDENTIALS["openapikey"])
            if request.headers.get("openapikey") != expected:
                # invented: HTTP 401 with a ClientMessage (the reference shows no refusal of the key)
                return xml_response(xml.client_message(401, "유효하지 않은 openapikey 입니다. 발급받은 키를 확인하세요."), 401)
            try:
                request.params = {name: _param(value) for name, value in request.params.items()}
                if write:
                    with self.store.transaction():
                        return xml_response(handler(request))
                return xml_response(handler(request))
            except Refused as refused:
                return xml_response(refused.body, refused.status)

        return serve

    @staticmethod
    def _window(request: Request, span: timedelta, fmt: str = data.PATH_TIME, root: str = "orders") -> tuple[float, float]:
        """The path window as [low, high) store minutes; longer than ``span`` is refused (in the list's root)."""
        start = path_time(request.params["startTime"], "startTime", fmt, root)
        end = path_time(request.params["endTime"], "endTime", fmt, root)
        if fmt != data.PATH_TIME:
            end += timedelta(days=1) - timedelta(minutes=1)  # a day window covers the whole end day
        if end < start:
            raise Refused(xml.result(root, BAD_REQUEST, "endTime 은 startTime 이후여야 합니다.", prefixed=True))  # invented
        if end - start > span:
            # invented wording (reference §3.1 gives the limit, not the refusal)
            raise Refused(xml.result(root, BAD_REQUEST, "조회 기간은 최대 7일(1주일)입니다.", prefixed=True))
        low = (start - data.EPOCH) / timedelta(minutes=1)
        return low, (end - data.EPOCH) / timedelta(minutes=1) + 1

    # --- orders ---------------------------------------------------------------------
    def _order_list(self, name: str) -> Callable[[Request], bytes]:
        status, _ = data.ORDER_LISTS[name]

        def listing(request: Request) -> bytes:
            low, high = self._window(request, WINDOW)
            rows = [line for line in self.store.between("line", low, high) if line["ordPrdStat"] == status]
            return xml.records("orders", "order", ({f: line[f] for f in data.ORDER_FIELDS} for line in rows))

        return listing

    def _line(self, ord_no: str, seq: str) -> dict[str, Any]:
        line = self.store.get("line", line_key(ord_no, seq))
        if line is None:
            raise action_refused(NOT_FOUND, f"주문정보가 없습니다: {ord_no}/{seq}")  # invented wording
        return line

    def _put_line(self, line: dict[str, Any], state: Unit, list_date: str) -> None:
        """Write the engine's result back in 11번가's fields; the line moves to the list of its new status."""
        if state.cancelled:
            line["ordPrdStat"] = data.CANCELLED
        else:
            line["ordPrdStat"] = data.STAGE_STATUS[state.stage]
        line["_held"] = any(x.held for x in state.lines)
        if list_date:
            line["listAt"] = data.minutes(list_date)
        self.store.put("line", line_key(line["ordNo"], line["ordPrdSeq"]), line)

    _unit = staticmethod(unit)

    @staticmethod
    def _refused(refusal: Refusal) -> Refused:
        return action_refused(*REFUSED[refusal.code])

    def confirm(self, request: Request) -> bytes:
        """발주확인 (reference §3.2 reqpackaging): 202 결제완료 → 301 배송준비중, per line."""
        p = request.params
        line = self._line(p["ordNo"], p["ordPrdSeq"])
        if p["dlvNo"] != line["dlvNo"] or p["addPrdYn"] not in ("Y", "N"):
            raise action_refused(BAD_REQUEST, "배송번호 또는 추가구성상품 여부가 주문과 일치하지 않습니다.")  # invented
        state = unit(line)
        try:
            orders.confirm(state, POLICY)
        except Refusal as refusal:
            raise self._refused(refusal) from None
        line["plcodrCnfDt"] = data.stamp(data.now_kst())
        self._put_line(line, state, line["plcodrCnfDt"])
        self.store.audit("order.confirm", state.id)
        return xml.result(ACTION_ROOT, 0, "발주확인 처리되었습니다.")  # invented text

    def ship(self, request: Request) -> bytes:
        """발송처리 of a whole box (dlvNo) or, with partDlvYn=Y, of one line of it."""
        p = request.params
        sent = path_time(p["sendDt"], "sendDt")
        method, courier, number = p["dlvMthdCd"], p["dlvEtprsCd"], p["invcNo"].strip()
        if method not in data.DELIVERY_METHODS:
            raise action_refused(BAD_REQUEST, f"배송방법 코드가 올바르지 않습니다: {method}")  # invented
        if courier not in data.COURIERS:
            raise action_refused(BAD_REQUEST, f"등록되지 않은 택배사 코드입니다: {courier}")  # invented
        if not re.fullmatch(r"[0-9A-Za-z-]{8,20}" if method in ("01", "02") else r"\S{1,30}", number):
            raise action_refused(BAD_REQUEST, f"송장번호 형식이 올바르지 않습니다: {number}")  # invented rule and text
        box = self.store.get("box", p["dlvNo"])
        if box is None:
            raise action_refused(NOT_FOUND, f"배송번호가 없습니다: {p['dlvNo']}")  # invented
        lines = [line for key in box["lines"] if (line := self.store.get("line", key)) is not None]
        if "partDlvYn" in p:
            if p["partDlvYn"] != "Y":
                raise action_refused(BAD_REQUEST, "부분발송은 partDlvYn=Y 입니다.")  # invented
            targets = [x for x in lines if (x["ordNo"], x["ordPrdSeq"]) == (p["ordNo"], p["ordPrdSeq"])]
            if not targets:
                raise action_refused(NOT_FOUND, f"배송번호 {p['dlvNo']} 에 주문 {p['ordNo']}/{p['ordPrdSeq']} 이 없습니다.")
        else:  # the whole box: every line still to ship (or all of them, so a repeat is refused as such)
            live = [x for x in lines if x["ordPrdStat"] != data.CANCELLED]
            targets = [x for x in live if data.STATUS_STAGE[x["ordPrdStat"]] < Stage.SHIPPED] or live or lines
        invoice = Invoice(courier, number)
        for line in targets:
            state = unit(line)
            self._ship_line(line, state, invoice, method, data.stamp(sent))  # a refusal rolls back lines already shipped
            self.store.audit("invoice.send", state.id, {"invcNo": number, "dlvEtprsCd": courier})
        return xml.result(ACTION_ROOT, 0, "발송처리 되었습니다.")  # invented text

    def _ship_line(self, line: dict[str, Any], state: Unit, invoice: Invoice, method: str, sent: str) -> None:
        """One line leaves with ``invoice`` (발송처리, 취소거부); refused as 11번가 would."""
        try:
            orders.ship(state, invoice, POLICY)
            if method in ("01", "02"):  # a tracking number: not reused for another box (reference §5.1)
                invoices.check(self.store, invoice, state.id, group=line["dlvNo"])
                invoices.record(self.store, invoice, state.id, group=line["dlvNo"])
        except Refusal as refusal:
            raise self._refused(refusal) from None
        line.update(dlvMthdCd=method, dlvEtprsCd=invoice.courier, invcNo=invoice.number, _sentDt=sent)
        self._put_line(line, state, sent)

    def reject(self, request: Request) -> bytes:
        """판매불가 (seller cancel, reference §3.2 reqrejectorder): only before the line ships."""
        p = request.params
        line = self._line(p["ordNo"], p["ordPrdSeq"])
        reason, detail = p["ordCnRsnCd"], p["ordCnDtlsRsn"].strip()
        if reason not in data.CANCEL_REASONS:
            raise action_refused(BAD_REQUEST, f"취소사유 코드가 올바르지 않습니다: {reason}")  # invented
        if not detail or xml.outside_euc_kr(detail):
            raise action_refused(BAD_REQUEST, "취소 상세사유를 EUC-KR 로 표현할 수 있는 글자로 입력하세요.")  # invented
        state = unit(line)
        try:
            if state.cancelled:
                raise Refusal(Code.CANCELLED)
            orders.cancel(state, complete=True)
        except Refusal as refusal:
            raise self._refused(refusal) from None
        now = data.stamp(data.now_kst())
        for request_ in self._cancels(line, "01"):  # an open buyer request is settled by the seller's cancel
            request_.update(ordCnStatCd="02")
            self.store.put("cancel", request_["ordPrdCnSeq"], request_)
        record = data.make_cancel(self.store.next_id, line, "02", now)
        record.update(ordCnMnbdCd="02", ordCnRsnCd=reason, ordCnDtlsRsn=detail)
        self.store.put("cancel", record["ordPrdCnSeq"], record)
        line["_cancels"] = [*line.get("_cancels", []), record["ordPrdCnSeq"]]
        self._put_line(line, state, "")
        self.store.audit("order.reject", state.id, {"ordCnRsnCd": reason})
        return xml.result(ACTION_ROOT, 0, "판매불가 처리되었습니다.")  # invented text

    def _cancels(self, line: dict[str, Any], status: str) -> list[dict[str, Any]]:
        keys = line.get("_cancels", [])
        found = (self.store.get("cancel", key) for key in keys)
        return [c for c in found if c is not None and c["ordCnStatCd"] == status]

    # --- claims ---------------------------------------------------------------------
    def _claim_list(self, kind: str, status: str) -> Callable[[Request], bytes]:
        def listing(request: Request) -> bytes:
            low, high = self._window(request, WINDOW)
            if kind == "cancel":
                rows = [c for c in self.store.between("cancel", low, high) if c["ordCnStatCd"] == status]
                return xml.records("orders", "order", ({f: c[f] for f in data.CANCEL_FIELDS} for c in rows))
            fields = data.EXCHANGE_FIELDS if kind == "exchange" else data.CLAIM_FIELDS
            rows = [c for c in self.store.between("claim", low, high) if c["_kind"] == kind]
            return xml.records("orders", "order", ({f: c[f] for f in fields} for c in rows))

        return listing

    # --- addresses -------------------------------------------------------------------
    def outbound_areas(self, request: Request) -> bytes:
        """출고지 목록 (reference §3.2: gives addrSeqOut): the seller's one registered address."""
        # invented: the root, item and field names besides addrSeq (the reference shows none)
        return xml.records("inOutAddresss", "inOutAddress", [data.OUTBOUND_AREA])

    # --- Q&A ------------------------------------------------------------------------
    def qna_list(self, request: Request) -> bytes:
        wanted = request.params["answerStatus"]
        if wanted not in ("00", "01", "02"):  # reference §3.2: 00 전체, 01 답변완료, 02 미답변
            raise Refused(xml.result("productQnas", BAD_REQUEST, "answerStatus 는 00, 01, 02 중 하나입니다.", prefixed=True))
        low, high = self._window(request, QNA_WINDOW, "%Y%m%d", "productQnas")
        rows = [q for q in self.store.between("qna", low, high)
                if wanted == "00" or (q["answerYn"] == "Y") == (wanted == "01")]
        # invented: the list's root element (the reference names only <ns2:productQna>)
        return xml.records("productQnas", "productQna", ({f: q[f] for f in data.QNA_FIELDS} for q in rows))

    def qna_answer(self, request: Request) -> bytes:
        """답변 (PUT with ``<ProductQna><answerCont>``): once; an identical re-send answers 210 (invented)."""
        p = request.params
        root = read_xml(request, "ProductQna")
        answer = xml.text_of(root, "answerCont")
        if not answer:
            raise Refused(xml.client_message(400, "답변 내용(answerCont)을 입력하세요."))  # invented
        qna = self.store.get("qna", p["brdInfoNo"])
        if qna is None or qna["brdInfoClfNo"] != p["prdNo"]:
            raise Refused(xml.client_message(404, f"문의 정보가 없습니다: {p['brdInfoNo']}/{p['prdNo']}"))  # invented
        if qna["answerYn"] == "Y" and qna["answerCont"] == answer:
            # invented meaning of 210 (reference §3.1: clients accept 200 or 210): the same answer is already there
            return xml.client_message(210, "이미 같은 답변이 등록되어 있습니다.")
        try:
            inquiries.answer(qna["answerYn"] == "Y")
        except Refusal:
            raise Refused(xml.client_message(409, "이미 답변이 등록된 문의입니다. 답변은 한 번만 등록할 수 있습니다.")) from None
        qna.update(answerYn="Y", answerCont=answer, answerDt=data.stamp(data.now_kst()))
        self.store.put("qna", qna["brdInfoNo"], qna)
        self.store.audit("inquiry.answer", qna["brdInfoNo"])
        return xml.client_message(200, "답변이 등록되었습니다.")  # invented text

    # --- sandbox surface ------------------------------------------------------------
    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        """New paid orders against registered products on sale (picked by key), each line taking its
        quantity from the option's stock (never ordered past 0), claims and Q&A, dated now."""
        rng, now = self.rng, data.now_kst()
        made = Counter[str]()
        keep = ("prdNo", "prdNm", "selPrc", "sellerPrdCd", "options")
        with self.store.transaction():
            catalogue = Catalogue(self.store, "product", reduce=lambda p: {k: p[k] for k in keep},
                                  keep=self.on_sale, fallback=data.SYNTHETIC_PRODUCTS)
            for _ in range(orders):
                lines = data.make_order(rng, self.store.next_id, catalogue, now)
                if not lines:
                    continue
                for line in lines:
                    self.store.put("line", line_key(line["ordNo"], line["ordPrdSeq"]), line)
                    self._sold(line)
                self.store.put("box", lines[0]["dlvNo"], {"lines": [line_key(x["ordNo"], x["ordPrdSeq"]) for x in lines]})
                made["orders"] += 1
            if claims:
                made["claims"] = self._generate_claims(claims, data.stamp(now))
            for _ in range(inquiries):
                qna = data.make_qna(rng, self.store.next_id, catalogue.pick(rng), data.stamp(now), None)
                if rng.random() < 0.3:
                    qna.update(answerYn="Y", answerCont="문의 감사합니다. 확인 후 안내드리겠습니다.", answerDt=qna["createDt"])
                self.store.put("qna", qna["brdInfoNo"], qna)
                made["inquiries"] += 1
        return {"orders": made["orders"], "claims": made["claims"], "inquiries": made["inquiries"]}

    def _sold(self, line: dict[str, Any]) -> None:
        """A registered product's 재고번호 gives up the line's quantity (a sample product has no stock)."""
        product = self.store.get("product", line["prdNo"])
        entry = next((e for e in product["options"] if e["prdStckNo"] == line["prdStckNo"]), None) if product else None
        if product is None or entry is None:
            return
        quantity = int(line["ordQty"])
        entry.update(stckQty=max(0, int(entry["stckQty"]) - quantity), selQty=int(entry["selQty"]) + quantity)
        restate(product)
        self.store.put("product", product["prdNo"], product)

    def _generate_claims(self, count: int, now: str) -> int:
        """Claims on lines without one: cancels before shipping, returns/exchanges after; lines read once."""
        rng = self.rng
        units = [(x, unit(x)) for x in self.store.all("line") if not x["_claim"]]
        open_ = [x for x, u in units if orders.claimable(u, Claim.CANCEL)]
        shipped = [x for x, u in units if orders.claimable(u, Claim.RETURN)]
        made = 0
        for _ in range(count):
            if shipped and (not open_ or rng.random() < 0.4):
                line, kind = shipped.pop(rng.randrange(len(shipped))), rng.choice(("return", "exchange"))
                claim = data.make_claim(rng, self.store.next_id, line, kind, now)
                self.store.put("claim", claim["clmReqSeq"], claim)
            elif open_:
                line, kind = open_.pop(rng.randrange(len(open_))), "cancel"
                state = unit(line)
                complete = rng.random() < 0.2
                orders.cancel(state, complete=complete)
                claim = data.make_cancel(self.store.next_id, line, "02" if complete else "01", now)
                self.store.put("cancel", claim["ordPrdCnSeq"], claim)
                line["_cancels"] = [*line.get("_cancels", []), claim["ordPrdCnSeq"]]
                line["ordPrdStat"] = data.CANCELLED if complete else line["ordPrdStat"]
                line["_held"] = not complete
            else:
                break
            line["_claim"] = kind
            self.store.put("line", line_key(line["ordNo"], line["ordPrdSeq"]), line)
            made += 1
        return made

    def state(self) -> dict[str, Any]:
        lines = self.store.all("line")
        return {
            "products": self.store.count("product"),
            "off_sale": [p["sellerPrdCd"] or p["prdNo"] for p in self.store.all("product") if not self.on_sale(p)],
            "lines": dict(Counter(x["ordPrdStat"] for x in lines)),
            "cancel_requested": sum(1 for x in lines if x["_held"]),
            "cancels": dict(Counter(c["ordCnStatCd"] for c in self.store.all("cancel"))),
            "claims": dict(Counter(f'{c["_kind"]}:{c["clmStat"]}' for c in self.store.all("claim"))),
            "qna": self.store.count("qna"),
            "unanswered": sum(1 for q in self.store.all("qna") if q["answerYn"] != "Y"),
        }
