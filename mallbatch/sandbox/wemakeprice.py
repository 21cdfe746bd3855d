"""위메프 W-API simulator (reference §1): a static ``apiKey`` header, the
``{"resultCode", "data", "error"}`` envelope, bundle-based orders NEW → CONFIRM → DELIVERY,
claims whose ``claimType`` comes back as Korean text, and product Q&A one day per call.

Confirmed paths are used verbatim. Everything else is marked ``invented``/``inferred``
where it is defined. The error convention is invented: the HTTP status equals ``resultCode``
(400 invalid input, 401 bad key, 404 unknown entity, 409 state rule, 429, 500).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mallbatch.sandbox import wemakeprice_claims as claim_fields
from mallbatch.sandbox import wemakeprice_data as sample
from mallbatch.sandbox.engine import claims, inquiries, invoices, orders
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Claim, Invoice, Line, Policy, Stage, Unit
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.server import Request, Response, Simulator

KST = ZoneInfo("Asia/Seoul")
FMT = "%Y-%m-%d %H:%M:%S"

SANDBOX_CREDENTIALS: dict[str, str] = {
    # A fixed 128-hex sandbox key (real keys are 128 hex characters, reference §1.1).
    "api_key": "94d6367ebce5232edaf00e306acb33ee0e1076ec66d6f1395338ad76f9473c29"
    "6e2f72b0f60fab8a14500950fadf6e6faccc6ee02ffcea8e5fa675b77b1aa6db",
}

PARCEL_CODES = frozenset(f"D{n:03d}" for n in range(1, 47) if n != 33)  # reference §6.3 (no D033 listed)
ORDER_WINDOW = timedelta(hours=24)  # inferred: clients query ≤ 24 h; the real limit is unknown
CLAIM_WINDOW = timedelta(days=7)  # inferred
ANSWER_LENGTH = (10, 1500)  # reference §1.3 (SK stoa pads short answers)
# type → shipStatus values listed. invented: DELIVERY (the reference only infers a shipped-list type);
# shipStatus values themselves are invented (the reference names the field, not its values).
ORDER_TYPES = {"NEW": ("NEW",), "CONFIRM": ("CONFIRM",), "DELIVERY": ("DELIVERY", "COMPLETE")}
# invented: searchDateType picks the date compared with the window, independently of type; the
# reference shows only type=NEW with searchDateType=NEW, so searchDateType=NEW with every type
# (payDate for CONFIRM and DELIVERY bundles too) is this simulator's reading.
ORDER_DATE_FIELDS = {"NEW": "payDate", "CONFIRM": "orderConfirmDate", "DELIVERY": "orderShippingDate"}
CLAIM_TYPES = claim_fields.CLAIM_TYPES
# invented: REJECT lists the claims the seller rejected, by rejectDate (the reference polls the other three)
CLAIM_DATE_FIELDS = {"REQUEST": "requestDate", "APPROVE": "approveDate", "WITHDRAW": "withdrawDate", "REJECT": "rejectDate"}
DEFAULT_POLICIES = ((1242954, "기본 택배배송", 3000), (1242955, "무료배송", 0))  # 1242954 appears in seed 001
STAGES = {"NEW": Stage.PAID, "CONFIRM": Stage.CONFIRMED, "DELIVERY": Stage.SHIPPED, "COMPLETE": Stage.DELIVERED}
NO_INVOICE = Invoice("", "")

# Engine refusals as this mall answers them: (HTTP status = resultCode, error text). All invented.
CONFIRM_REFUSED = {
    Code.CANCELLED: (409, "취소된 주문은 발주확인할 수 없습니다"),
    Code.PAST_STAGE: (409, "이미 발주확인된 주문입니다"),
    Code.ALREADY_CONFIRMED: (409, "이미 발주확인된 주문입니다"),
}
SHIP_REFUSED = {
    Code.CANCELLED: (409, "취소된 주문은 발송처리할 수 없습니다"),
    Code.NOT_CONFIRMED: (409, "발주확인(상품준비중) 후에 발송처리할 수 있습니다"),
    Code.ALREADY_SHIPPED: (409, "이미 발송처리된 주문입니다. 송장 수정을 이용하세요"),
    Code.CANCEL_REQUESTED: (409, "취소요청이 접수된 주문은 발송처리할 수 없습니다"),
    Code.INVOICE_IN_USE: (409, "이미 다른 주문에 등록된 송장번호입니다"),
}
CHANGE_REFUSED = {
    **SHIP_REFUSED,
    Code.NOT_SHIPPED: (409, "발송처리되지 않은 주문은 송장을 수정할 수 없습니다"),
    Code.CANCELLED: (409, "배송중인 주문만 송장을 수정할 수 있습니다"),
    Code.PAST_STAGE: (409, "배송중인 주문만 송장을 수정할 수 있습니다"),
    Code.INVOICE_UNCHANGED: (409, "기존 송장정보와 동일합니다"),
}
CANCEL_REFUSED = {  # 판매취소 (invented wording)
    Code.CANCELLED: (409, "이미 취소된 주문입니다"),
    Code.ALREADY_SHIPPED: (409, "이미 발송된 주문은 판매취소할 수 없습니다"),
    Code.CANCEL_REQUESTED: (409, "구매자의 취소요청이 접수된 주문입니다. 취소승인으로 처리하세요"),
}
# 취소거부 with 이미출고 registers the invoice the order left with, whether or not it was confirmed (invented)
SHIPPED_ON_REJECT = Policy(confirm_while_cancel_requested=True, ship_while_cancel_requested=True, confirm_before_ship=False)
SANDBOX_COURIER = "D002"  # the courier /_sandbox/deliver ships with (CJ대한통운)
ANSWER_REFUSED = {Code.ALREADY_ANSWERED: (409, "이미 답변이 등록된 문의입니다")}  # inferred: answers cannot be edited

Body = dict[str, Any]


class WmpError(Exception):
    """A refusal rendered as the mall's envelope with ``status`` as HTTP status and resultCode."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @classmethod
    def of(cls, refusal: Refusal, table: dict[Code, tuple[int, str]]) -> WmpError:
        return cls(*table[refusal.code])


def envelope(status: int, data: Any, error: str | None, headers: dict[str, str] | None = None) -> Response:
    return Response.json({"resultCode": status, "data": data, "error": error}, status, headers)


def now_text() -> str:
    return datetime.now(KST).strftime(FMT)


def parse_time(value: Any, name: str) -> datetime:
    try:
        return datetime.strptime(str(value), FMT)
    except ValueError:
        raise WmpError(400, f"{name} 형식은 yyyy-MM-dd HH:mm:ss 입니다") from None


def as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise WmpError(400, f"{name} 값이 올바르지 않습니다") from None


def _invoice(method: Any, courier: Any, number: Any) -> Invoice | None:
    """The engine's view of how a bundle left (or is to leave)."""
    if method == "PARCEL":
        return Invoice(str(courier or ""), str(number or "").strip())
    return Invoice(str(method), "") if method else None


def check_price(sale: Body) -> int:
    """The sale price, > 0 and not above the 정상가 (invented rules and wording)."""
    price = as_int(sale.get("salePrice"), "sale.salePrice")
    if price <= 0:
        raise WmpError(400, "판매가(sale.salePrice)는 0보다 커야 합니다")
    if as_int(sale.get("originPrice", price), "sale.originPrice") < price:
        raise WmpError(400, "정상가는 판매가보다 작을 수 없습니다")
    return price


def check_stock(value: Any) -> None:
    """stockCount is a whole number ≥ 0; 0 is 품절 (invented wording)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WmpError(400, "재고수량(sale.stockCount)은 0 이상의 정수여야 합니다")


def within(value: str | None, start: datetime, end: datetime) -> bool:
    """Both ends inclusive (inferred: the mall's window semantics are undocumented)."""
    return value is not None and start <= datetime.strptime(value, FMT) <= end


class WemakepriceSimulator(Simulator):
    mall = "wemakeprice"
    default_rate_limit = 5.0  # inferred: the real limit is undocumented
    page_size = 50  # invented: list paging (page / pageSize / totalCount) is not in the reference
    # Seed 001 (송장송신관리): the mall *accepts* invoices on 취소요청 bundles and the seller must
    # exclude them after collecting claims. Modelled so: only mallbatch's own claims check protects.
    reject_invoice_on_cancel_request = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.store.count("policy") == 0:
            with self.store.transaction():
                for no, name, fee in DEFAULT_POLICIES:
                    self.store.put("policy", str(no), {"shipPolicyNo": no, "shipPolicyName": name, "shipFee": fee})

    def routes(self) -> None:
        api = self._api
        self.route("GET", "/product/out/getSellerShipPolicy", api(self.get_ship_policies))
        self.route("POST", "/product/in/setSellerShipPolicy", api(self.set_ship_policy, write=True))
        self.route("POST", "/product/in/setProduct", api(self.set_product, write=True))
        self.route("GET", "/product/out/getProduct", api(self.get_product))
        self.route("POST", "/product/in/setProductSale", api(self.set_product_sale, write=True))
        self.route("POST", "/product/in/setProductStatus", api(self.set_product_status, write=True))
        # invented path: GET by sellerProdCode (lookup), POST paged like getOrderList (the whole list)
        self.route("GET", "/product/out/getProductList", api(self.get_product_list))
        self.route("POST", "/product/out/getProductList", api(self.get_product_list))
        self.route("POST", "/order/out/getOrderList", api(self.get_order_list))
        self.route("POST", "/order/out/getOrderInfo", api(self.get_order_info))  # invented path
        self.route("POST", "/order/in/setOrderConfirm", api(self.set_order_confirm, write=True))
        self.route("POST", "/order/in/setOrderDelivery", api(self.set_order_delivery, write=True))
        self.route("POST", "/order/in/setParcelDelivery", api(self.set_parcel_delivery, write=True))  # invented path
        self.route("POST", "/claim/out/getClaimList", api(self.get_claim_list))  # invented path
        # reference §1.3 bodies, invented paths (the mall's /out/get… and /in/set… naming rule)
        self.route("POST", "/order/in/setOrderCancel", api(self.set_order_cancel, write=True))
        self.route("POST", "/claim/out/getClaimInfo", api(self.get_claim_info))
        self.route("POST", "/claim/in/setClaimApprove", api(self.set_claim_approve, write=True))
        self.route("POST", "/claim/in/setClaimReject", api(self.set_claim_reject, write=True))
        self.route("POST", "/claim/in/setClaimPending", api(self.set_claim_pending, write=True))
        self.route("POST", "/claim/in/setClaimPickupComplete", api(self.set_claim_pickup_complete, write=True))
        self.route("POST", "/claim/in/setClaimDelivery", api(self.set_claim_delivery, write=True))
        self.route("GET", "/qna/out/getQnaList", api(self.get_qna_list))  # invented path
        self.route("GET", "/qna/out/getQnaInfo", api(self.get_qna_info))  # invented path
        self.route("POST", "/qna/in/setQnaAnswer", api(self.set_qna_answer, write=True))  # invented path

    # --- protocol plumbing ----------------------------------------------------------
    def client_id(self, request: Request) -> str:
        return str(request.headers.get("apiKey") or "anonymous")

    def is_write(self, request: Request) -> bool:
        # The mall reads with POST too (getOrderList); "/in/set…" paths are the writes (reference §1.1).
        return "/in/" in request.path

    def rate_limited(self, request: Request) -> Response:
        # inferred: the 429 body and Retry-After are not documented
        return envelope(429, None, "호출 한도를 초과했습니다. 잠시 후 다시 시도하세요", {"Retry-After": "1"})

    def server_error(self, request: Request) -> Response:
        return envelope(500, None, "일시적인 시스템 오류입니다")

    def not_found(self, request: Request) -> Response:
        return envelope(404, None, "존재하지 않는 API 입니다")

    def _api(self, handler: Callable[[Request, Body], Any], write: bool = False) -> Callable[[Request], Response]:
        """Check the key, parse the body, run ``handler`` (in one transaction for writes), wrap the result."""

        def serve(request: Request) -> Response:
            expected = self.credentials.get("api_key", SANDBOX_CREDENTIALS["api_key"])
            if request.headers.get("apiKey") != expected:
                # inferred: HTTP 401 + resultCode 401 (the reference only says "non-200 resultCode")
                return envelope(401, None, "유효하지 않은 apiKey 입니다")
            try:
                body = self._body(request)
                if write:
                    with self.store.transaction():
                        data = handler(request, body)
                else:
                    data = handler(request, body)
            except WmpError as exc:
                return envelope(exc.status, None, exc.message)
            return envelope(200, data, None)

        return serve

    @staticmethod
    def _body(request: Request) -> Body:
        if request.method == "GET":
            return {}
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            raise WmpError(400, "요청 본문이 올바른 JSON 이 아닙니다") from None
        if not isinstance(body, dict):
            raise WmpError(400, "요청 본문이 올바른 JSON 이 아닙니다")
        return body

    def _page(self, body: Body, rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
        page = as_int(body.get("page", 1), "page")  # invented paging
        if page < 1:
            raise WmpError(400, "page 는 1 이상이어야 합니다")
        start = (page - 1) * self.page_size
        return {key: rows[start:start + self.page_size], "totalCount": len(rows), "page": page, "pageSize": self.page_size}

    @staticmethod
    def _window(body: Body, span: timedelta, label: str) -> tuple[datetime, datetime]:
        start, end = parse_time(body.get("fromDate"), "fromDate"), parse_time(body.get("toDate"), "toDate")
        if end < start:
            raise WmpError(400, "toDate 는 fromDate 이후여야 합니다")
        if end - start > span:
            raise WmpError(400, f"조회 기간은 최대 {label} 입니다")
        return start, end

    # --- products -------------------------------------------------------------------
    def get_ship_policies(self, request: Request, body: Body) -> list[dict[str, Any]]:
        return self.store.all("policy")  # inferred: data is the list itself

    def set_ship_policy(self, request: Request, body: Body) -> dict[str, Any]:
        # invented: body fields beyond the path (the reference confirms only the path)
        name = str(body.get("shipPolicyName") or "").strip()
        if not name:
            raise WmpError(400, "배송정책명(shipPolicyName)은 필수입니다")
        no = as_int(body.get("shipPolicyNo", 0), "shipPolicyNo") or self.store.next_id("shipPolicyNo", 1300001)
        self.store.put("policy", str(no), {**body, "shipPolicyNo": no, "shipPolicyName": name})
        return {"shipPolicyNo": no, "returnKey": no, "returnMsg": "정상 처리되었습니다"}

    def set_product(self, request: Request, body: Body) -> dict[str, Any]:
        no = as_int(body.get("productNo", 0), "productNo")
        basic, sale, etc = (body.get(k) if isinstance(body.get(k), dict) else {} for k in ("basic", "sale", "etc"))
        name = str(basic.get("productName") or "").strip()
        if not name:
            raise WmpError(400, "상품명(basic.productName)은 필수입니다")
        if not str(basic.get("dcateCode") or "").strip():
            raise WmpError(400, "카테고리(basic.dcateCode)는 필수입니다")
        policy = as_int(basic.get("shipPolicyNo"), "basic.shipPolicyNo")
        if self.store.get("policy", str(policy)) is None:
            raise WmpError(400, f"등록되지 않은 배송정책번호입니다: {policy}")
        price = check_price(sale)
        check_stock(sale.get("stockCount", 0))
        code, now = str(etc.get("sellerProdCode") or ""), now_text()
        if no == 0:  # reference §1.3: productNo 0 = create
            no, op, record = self.store.next_id("productNo", 4175000001), "product.create", {"regDate": now}
        else:
            existing = self.store.get("product", str(no))
            if existing is None:
                raise WmpError(404, f"존재하지 않는 상품번호입니다: {no}")
            op, record = "product.update", existing
        record.update({
            "productNo": no, "sellerProdCode": code, "productName": name, "salePrice": price,
            "displayYn": basic.get("displayYn", "Y"), "updDate": now,
            "payload": {**body, "productNo": no}, "options": self._product_options(no, body),
        })
        self.store.put("product", str(no), record)
        self.store.audit(op, code or str(no), {"productNo": no})
        return {"productNo": no, "returnKey": no, "returnMsg": "정상 처리되었습니다"}

    def set_product_status(self, request: Request, body: Body) -> dict[str, Any]:
        """판매 상태: A = 판매, S = 판매중지 (reference §1.8; the answer's shape is invented like setProduct's)."""
        no = as_int(body.get("productNo", 0), "productNo")
        status = str(body.get("productStatus") or "")
        if status not in ("A", "S"):
            raise WmpError(400, "productStatus 는 A(판매) 또는 S(판매중지)입니다")  # invented wording
        record = self.store.get("product", str(no))
        if record is None:
            raise WmpError(404, f"존재하지 않는 상품번호입니다: {no}")
        record.update(productStatus=status, updDate=now_text())
        self.store.put("product", str(no), record)
        self.store.audit("product.status", record["sellerProdCode"] or str(no), {"productStatus": status})
        return {"productNo": no, "returnKey": no, "returnMsg": "정상 처리되었습니다"}

    def set_product_sale(self, request: Request, body: Body) -> dict[str, Any]:
        """The sale block alone (path reference §1.3, fields §1.8). inferred: the body is setProduct's
        ``productNo`` + ``sale``. invented: the block is replaced whole, as setProduct replaces the
        product, so a field left out is lost (a client reads the product and sends the block back)."""
        no = as_int(body.get("productNo", 0), "productNo")
        record = self.store.get("product", str(no))
        if record is None:
            raise WmpError(404, f"존재하지 않는 상품번호입니다: {no}")
        sale = body.get("sale")
        if not isinstance(sale, dict):
            raise WmpError(400, "판매정보(sale)는 필수입니다")
        self._check_sale(sale)
        record["payload"] = {**record["payload"], "sale": sale}
        record.update(salePrice=int(sale["salePrice"]), updDate=now_text())
        self.store.put("product", str(no), record)
        self.store.audit("product.sale", record["sellerProdCode"] or str(no),
                         {"stockCount": int(sale["stockCount"]), "salePrice": int(sale["salePrice"])})
        return {"productNo": no, "returnKey": no, "returnMsg": "정상 처리되었습니다"}

    @staticmethod
    def _check_sale(sale: dict[str, Any]) -> None:
        """invented wording and rules beyond the field names of reference §1.8."""
        check_price(sale)
        check_stock(sale.get("stockCount"))
        if sale.get("salePeriod") not in ("A", "P"):
            raise WmpError(400, "판매기간(sale.salePeriod)은 A 또는 P 입니다")
        for name in ("saleStartDate", "saleEndDate"):
            try:
                datetime.strptime(str(sale.get(name)), "%Y-%m-%d %H:%M")
            except ValueError:
                raise WmpError(400, f"sale.{name} 형식은 yyyy-MM-dd HH:mm 입니다") from None

    @staticmethod
    def on_sale(record: dict[str, Any]) -> bool:
        """Sale status A (new products start on sale). displayYn=N only hides the product from
        lists; it can still be ordered by its link, so it does not count as 판매중지."""
        return record.get("productStatus", "A") == "A"

    @staticmethod
    def stock(record: dict[str, Any]) -> int:
        """The product's stock: ``sale.stockCount`` (reference §1.8 shows stock at product level only)."""
        return int(((record.get("payload") or {}).get("sale") or {}).get("stockCount") or 0)

    def orderable(self, record: dict[str, Any]) -> bool:
        """Generated orders only reach a listed product on sale (A) with stock left (0 is 품절)."""
        return record.get("displayYn") != "N" and self.on_sale(record) and self.stock(record) > 0

    @staticmethod
    def _product_options(product_no: int, body: Body) -> list[dict[str, Any]]:
        """Selectable options as orders will reference them (invented: optionNo numbering)."""
        option = body.get("option") if isinstance(body.get("option"), dict) else {}
        if option.get("selectOptionUseYn") != "Y":
            return []
        return [
            {"optionNo": product_no * 100 + i, "optionName": str(o.get("optionName", "")),
             "sellerOptionCode": str(o.get("sellerOptionCode", ""))}
            for i, o in enumerate(option.get("selectOptionList") or [], start=1)
        ]

    def get_product(self, request: Request, body: Body) -> dict[str, Any]:
        no = as_int(request.arg("productNo"), "productNo")
        record = self.store.get("product", str(no))
        if record is None:
            raise WmpError(404, f"존재하지 않는 상품번호입니다: {no}")
        return self._shown(record)

    @staticmethod
    def _shown(record: dict[str, Any]) -> dict[str, Any]:
        """getProduct's answer: the stored payload. invented: productStatus, regDate, updDate in it."""
        return {**record["payload"], "productStatus": record.get("productStatus", "A"),
                "regDate": record["regDate"], "updDate": record["updDate"]}

    def get_product_list(self, request: Request, body: Body) -> dict[str, Any]:
        """invented endpoint: every product (by productNo), or those of one sellerProdCode, paged like
        getOrderList; each row is getProduct's answer plus the summary fields at the top."""
        code = request.arg("sellerProdCode") or str(body.get("sellerProdCode") or "")
        found = self.store.find("product", "$.sellerProdCode", code) if code else self.store.all("product")
        keys = ("productNo", "productName", "sellerProdCode", "displayYn")
        rows = [{**self._shown(p), **{k: p[k] for k in keys}} for p in sorted(found, key=lambda p: p["productNo"])]
        return self._page({"page": request.arg("page") or body.get("page", 1)}, rows, "product")

    # --- orders ---------------------------------------------------------------------
    def get_order_list(self, request: Request, body: Body) -> dict[str, Any]:
        start, end = self._window(body, ORDER_WINDOW, "24시간")
        kind = str(body.get("type") or "")
        if kind not in ORDER_TYPES:
            raise WmpError(400, "type 은 NEW, CONFIRM, DELIVERY 중 하나입니다")
        field = ORDER_DATE_FIELDS.get(str(body.get("searchDateType") or kind))
        if field is None:
            raise WmpError(400, "searchDateType 은 NEW, CONFIRM, DELIVERY 중 하나입니다")
        rows = [b for b in self.store.all("bundle")
                if b["delivery"]["shipStatus"] in ORDER_TYPES[kind] and within(b.get(field), start, end)]
        rows.sort(key=lambda b: (b[field], b["bundleNo"]))
        return self._page(body, rows, "bundle")

    def get_order_info(self, request: Request, body: Body) -> dict[str, Any]:
        """invented: besides the confirmed ``bundleNo`` body, ``orderNo``/``orderOptionNo`` also find the bundle."""
        if "bundleNo" in body:
            return self._bundle(body)
        for name, match in (("orderNo", self._has_order), ("orderOptionNo", self._has_option)):
            if name in body:
                wanted = as_int(body[name], name)
                found = next((b for b in self.store.all("bundle") if match(b, wanted)), None)
                if found is None:
                    raise WmpError(404, f"존재하지 않는 주문입니다: {wanted}")
                return found
        raise WmpError(400, "bundleNo 는 필수입니다")

    @staticmethod
    def _has_order(bundle: dict[str, Any], no: int) -> bool:
        return any(p["orderNo"] == no for p in bundle["orderProduct"])

    @staticmethod
    def _has_option(bundle: dict[str, Any], no: int) -> bool:
        return any(o["orderOptionNo"] == no for p in bundle["orderProduct"] for o in p["orderOption"])

    def _bundle(self, body: Body) -> dict[str, Any]:
        no = as_int(body.get("bundleNo"), "bundleNo")
        bundle = self.store.get("bundle", str(no))
        if bundle is None:
            raise WmpError(404, f"존재하지 않는 묶음배송번호입니다: {no}")
        return bundle

    def _held(self, bundle_no: int) -> set[int]:
        """orderOptionNos under an open 취소 request."""
        return {no for c in self.store.all("claim")
                if c["bundleNo"] == bundle_no and c["claimType"] == "취소" and c["claimStatus"] == "REQUEST"
                for no in claim_fields.options_of(c)}

    def unit_of(self, bundle_no: str) -> Unit:
        """The engine unit of a stored bundle (for tests and controls)."""
        return self._unit(self._bundle({"bundleNo": bundle_no}))

    def _unit(self, bundle: dict[str, Any]) -> Unit:
        """One engine line per orderOption (the unit of 판매취소, reference §1.4); invented: a line
        cancelled alone carries optionStatus CANCEL, a whole bundle shipStatus CANCEL."""
        delivery, held = bundle["delivery"], self._held(bundle["bundleNo"])
        status = delivery["shipStatus"]
        lines = [Line(str(o["orderOptionNo"]), o["optionQty"],
                      cancelled=o["optionQty"] if status == "CANCEL" or o.get("optionStatus") == "CANCEL" else 0,
                      held=o["optionQty"] if o["orderOptionNo"] in held else 0)
                 for p in bundle["orderProduct"] for o in p["orderOption"]]
        invoice = _invoice(delivery.get("shipMethod"), delivery.get("parcelCompany"), delivery.get("invoiceNo"))
        return Unit(str(bundle["bundleNo"]), STAGES.get(status, Stage.PAID), lines, invoice)

    @property
    def policy(self) -> Policy:
        # inferred: 발주확인 on a 취소요청 bundle is accepted (the reference says nothing against it)
        return Policy(confirm_while_cancel_requested=True,
                      ship_while_cancel_requested=not self.reject_invoice_on_cancel_request)

    def set_order_confirm(self, request: Request, body: Body) -> dict[str, Any]:
        bundle = self._bundle(body)
        try:
            orders.confirm(self._unit(bundle), self.policy)
        except Refusal as refusal:
            raise WmpError.of(refusal, CONFIRM_REFUSED) from None
        bundle["delivery"]["shipStatus"], bundle["orderConfirmDate"] = "CONFIRM", now_text()
        self.store.put("bundle", str(bundle["bundleNo"]), bundle)
        self.store.audit("order.confirm", str(bundle["bundleNo"]))
        return {"returnKey": bundle["bundleNo"], "returnMsg": "발주확인 처리되었습니다"}

    def set_order_delivery(self, request: Request, body: Body) -> dict[str, Any]:
        bundle = self._bundle(body)
        self._ship(bundle, body, self.policy)
        return {"returnKey": bundle["bundleNo"], "returnMsg": "발송처리 되었습니다"}

    def _ship(self, bundle: dict[str, Any], body: Body, policy: Policy) -> None:
        """발송처리 of ``bundle`` as ``body`` (setOrderDelivery's shipping fields) says, stored and audited."""
        no, method = bundle["bundleNo"], body.get("shipMethod")
        unit = self._unit(bundle)
        try:
            orders.ship(unit, _invoice(method, body.get("parcelCompanyCode"), body.get("invoiceNo")) or NO_INVOICE, policy)
        except Refusal as refusal:
            raise WmpError.of(refusal, SHIP_REFUSED) from None
        delivery = bundle["delivery"]
        if method == "PARCEL":
            delivery["parcelCompany"], delivery["invoiceNo"] = self._parcel(body, str(no))
        elif method == "DIRECT":
            schedule = str(body.get("scheduleShipDate") or "")
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", schedule):
                raise WmpError(400, "직접배송은 scheduleShipDate(yyyy-MM-dd)가 필요합니다")
            delivery["scheduleShipDate"] = schedule
        else:
            raise WmpError(400, "shipMethod 는 PARCEL 또는 DIRECT 입니다")
        delivery.update({"shipStatus": "DELIVERY", "shipMethod": method, "shipMethodMessage": body.get("shipMethodMessage")})
        bundle["orderShippingDate"] = now_text()
        self.store.put("bundle", str(no), bundle)
        self.store.audit("invoice.send", str(no), {"shipMethod": method, "invoiceNo": delivery["invoiceNo"]})

    def _parcel(self, body: Body, owner: str) -> tuple[str, str]:
        """A valid courier code and invoice number, not used by another bundle (or exchange, ``owner``); recorded as used."""
        code, invoice = str(body.get("parcelCompanyCode") or ""), str(body.get("invoiceNo") or "").strip()
        if code not in PARCEL_CODES:
            raise WmpError(400, f"알 수 없는 택배사코드입니다: {code}")
        if not re.fullmatch(r"[0-9A-Z]{8,20}", invoice):
            raise WmpError(400, "송장번호 형식이 올바르지 않습니다")
        parcel = Invoice(code, invoice)
        try:
            invoices.check(self.store, parcel, owner, group=owner)
        except Refusal as refusal:
            raise WmpError.of(refusal, SHIP_REFUSED) from None
        invoices.record(self.store, parcel, owner, group=owner)
        return code, invoice

    def set_parcel_delivery(self, request: Request, body: Body) -> dict[str, Any]:
        """invented path (reference §1.3 SetParcelDelivery body): change a shipped bundle's invoice."""
        bundle = self._bundle(body)
        no, delivery = bundle["bundleNo"], bundle["delivery"]
        try:
            orders.change_invoice(self._unit(bundle), _invoice("PARCEL", body.get("parcelCompanyCode"), body.get("invoiceNo")) or NO_INVOICE)
        except Refusal as refusal:
            raise WmpError.of(refusal, CHANGE_REFUSED) from None
        code, invoice = self._parcel(body, str(no))
        delivery.update({"shipMethod": "PARCEL", "parcelCompany": code, "invoiceNo": invoice})
        self.store.put("bundle", str(no), bundle)
        self.store.audit("invoice.update", str(no), {"invoiceNo": invoice})
        return {"returnKey": no, "returnMsg": "송장이 수정되었습니다"}

    # --- claims and Q&A ---------------------------------------------------------------
    def get_claim_list(self, request: Request, body: Body) -> dict[str, Any]:
        start, end = self._window(body, CLAIM_WINDOW, "7일")
        kind = CLAIM_TYPES.get(str(body.get("claimType") or ""))
        status = str(body.get("claimStatus") or "")
        field = CLAIM_DATE_FIELDS.get(str(body.get("searchDateType") or status))
        if kind is None:
            raise WmpError(400, "claimType 은 CANCEL, RETURN, EXCHANGE 중 하나입니다")
        if status not in CLAIM_DATE_FIELDS or field is None:
            raise WmpError(400, "claimStatus/searchDateType 은 REQUEST, APPROVE, WITHDRAW 중 하나입니다")
        rows = [c for c in self.store.all("claim")
                if c["claimType"] == kind and c["claimStatus"] == status and within(c.get(field), start, end)]
        rows.sort(key=lambda c: (c[field], c["claimBundleNo"]))
        return self._page(body, rows, "claim")

    def get_claim_info(self, request: Request, body: Body) -> dict[str, Any]:
        """GetClaimInfoRequest {"claimBundleNo"} (reference §1.3): the claim as the list shows it."""
        return self._claim(body)

    def _claim(self, body: Body) -> dict[str, Any]:
        no = as_int(body.get("claimBundleNo"), "claimBundleNo")
        claim = self.store.get("claim", str(no))
        if claim is None:
            raise WmpError(404, f"존재하지 않는 클레임입니다: {no}")
        return claim

    def _claim_case(self, body: Body) -> tuple[dict[str, Any], claims.Case]:
        """The claim a write names, checked against its claimType, and its engine case."""
        claim = self._claim(body)
        asked = CLAIM_TYPES.get(str(body.get("claimType") or ""))
        if asked is None:
            raise WmpError(400, "claimType 은 CANCEL, RETURN, EXCHANGE 중 하나입니다")
        if asked != claim["claimType"]:
            raise WmpError(400, f"claimType 이 클레임의 유형({claim['claimType']})과 다릅니다")
        return claim, claim_fields.case_of(claim)

    @staticmethod
    def _step(claim: dict[str, Any], case: claims.Case, transition: Callable[[], None]) -> None:
        """Apply an engine transition to ``case`` and write it back into ``claim`` (a refusal writes nothing)."""
        try:
            transition()
        except Refusal as refusal:
            raise WmpError(*claim_fields.refusal_text(refusal)) from None
        claim_fields.write_back(claim, case, now_text())

    def _settle(self, claim: dict[str, Any], op: str, message: str, **detail: Any) -> dict[str, Any]:
        """Store the claim and audit the applied action (what actions_applied counts)."""
        no = claim["claimBundleNo"]
        self.store.put("claim", str(no), claim)
        self.store.audit(op, str(no), {"claimType": claim["claimType"], **detail})
        return {"returnKey": no, "returnMsg": message}

    def set_claim_approve(self, request: Request, body: Body) -> dict[str, Any]:
        """SetClaimApprove {"claimBundleNo", "claimType"}: an approved cancel cancels the lines it names."""
        claim, case = self._claim_case(body)
        self._step(claim, case, lambda: claims.approve(case))
        if case.kind is Claim.CANCEL:
            self._cancel_options(self._bundle(claim), claim_fields.options_of(claim))
        return self._settle(claim, "claim.approve", "승인 처리되었습니다")

    def set_claim_reject(self, request: Request, body: Body) -> dict[str, Any]:
        """SetClaimRejectRequest. A cancel is rejected only as CJD3 이미출고 (reference §1.6) and names the
        invoice it left with, which ships the bundle if it was not yet (invented: no other cancel reject code)."""
        claim, case = self._claim_case(body)
        code, detail = str(body.get("rejectReasonCode") or ""), str(body.get("rejectReasonDetail") or "")
        if not code:
            raise WmpError(400, "거부 사유코드(rejectReasonCode)는 필수입니다")
        invoice = None
        if case.kind is Claim.CANCEL:
            if code != "CJD3":
                raise WmpError(400, "취소거부는 이미출고(CJD3) 사유로만 할 수 있습니다")
            invoice = _invoice(body.get("shipMethod"), body.get("parcelCompanyCode"), body.get("invoiceNo"))
            if invoice is not None and body.get("shipMethod") == "PARCEL" and not (invoice.courier and invoice.number):
                invoice = None
        self._step(claim, case, lambda: claims.reject(case, detail, invoice, shipped=case.kind is Claim.CANCEL))
        claim.update(rejectReason=code, rejectReasonDetail=detail)
        if case.kind is Claim.CANCEL:
            bundle = self._bundle(claim)
            if self._unit(bundle).stage < Stage.SHIPPED:
                self._ship(bundle, body, SHIPPED_ON_REJECT)
        return self._settle(claim, "claim.reject", "거부 처리되었습니다", rejectReasonCode=code)

    def set_claim_pending(self, request: Request, body: Body) -> dict[str, Any]:
        """SetClaimPending {"claimBundleNo", "claimType", "pendingReasonCode", "pendingReasonDetail"}."""
        claim, case = self._claim_case(body)
        code, detail = str(body.get("pendingReasonCode") or ""), str(body.get("pendingReasonDetail") or "")
        if not code:
            raise WmpError(400, "보류 사유코드(pendingReasonCode)는 필수입니다")
        self._step(claim, case, lambda: claims.hold(case, detail))
        claim.update(pendingReason=code, pendingReasonDetail=detail)
        return self._settle(claim, "claim.pending", "보류 처리되었습니다", pendingReasonCode=code)

    def set_claim_pickup_complete(self, request: Request, body: Body) -> dict[str, Any]:
        """SetClaimPickupComplete {"claimBundleNo", "claimType"}: the returned or exchanged item is back."""
        claim, case = self._claim_case(body)
        self._step(claim, case, lambda: claims.collected(case))
        return self._settle(claim, "claim.pickup_complete", "수거완료 처리되었습니다")

    def set_claim_delivery(self, request: Request, body: Body) -> dict[str, Any]:
        """SetClaimDeliveryRequest (the pickup's shape): the exchange's new item leaves with this invoice."""
        claim, case = self._claim_case(body)
        method = body.get("shipMethod")
        if method == "PARCEL":
            invoice = Invoice(*self._parcel(body, f"claim:{claim['claimBundleNo']}"))
        elif method == "DIRECT":
            invoice = Invoice("DIRECT", "")
        else:
            raise WmpError(400, "shipMethod 는 PARCEL 또는 DIRECT 입니다")
        self._step(claim, case, lambda: claims.reship(case, invoice))
        claim["delivery"].update(shipMethod=method, scheduleShipDate=body.get("scheduleShipDate"))
        return self._settle(claim, "claim.delivery", "교환 재배송 처리되었습니다", invoiceNo=invoice.number)

    def set_order_cancel(self, request: Request, body: Body) -> dict[str, Any]:
        """판매취소 of one option line (SetOrderCancelRequest {"orderOptionNo"}, reference §1.3), before it
        ships. invented: the cancelReasonCode / cancelReasonDetail fields, kept on the option."""
        no = as_int(body.get("orderOptionNo"), "orderOptionNo")
        bundle = next((b for b in self.store.all("bundle") if self._has_option(b, no)), None)
        if bundle is None:
            raise WmpError(404, f"존재하지 않는 옵션주문번호입니다: {no}")
        unit = self._unit(bundle)
        line = next(line for line in unit.lines if line.id == str(no))
        if not line.active:
            raise WmpError(*CANCEL_REFUSED[Code.CANCELLED])
        if unit.stage >= Stage.SHIPPED:
            raise WmpError(*CANCEL_REFUSED[Code.ALREADY_SHIPPED])
        if line.held:
            raise WmpError(*CANCEL_REFUSED[Code.CANCEL_REQUESTED])
        reason = {"cancelReasonCode": body.get("cancelReasonCode"), "cancelReasonDetail": body.get("cancelReasonDetail")}
        self._cancel_options(bundle, {no}, **reason)
        self.store.audit("order.cancel", str(no), reason)
        return {"returnKey": no, "returnMsg": "판매취소 처리되었습니다"}

    def _cancel_options(self, bundle: dict[str, Any], numbers: set[int], **fields: Any) -> None:
        """Cancel these option lines (invented: optionStatus CANCEL); the bundle is CANCEL once none is left."""
        for product in bundle["orderProduct"]:
            for option in product["orderOption"]:
                if option["orderOptionNo"] in numbers:
                    option.update(optionStatus="CANCEL", **fields)
        if self._unit(bundle).cancelled:
            bundle["delivery"]["shipStatus"] = "CANCEL"
        self.store.put("bundle", str(bundle["bundleNo"]), bundle)

    def get_qna_list(self, request: Request, body: Body) -> dict[str, Any]:
        day = request.arg("basicDate") or ""
        try:  # reference §1.3: yyyy-MM-dd exactly (fromisoformat alone also takes 20240501)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                raise ValueError(day)
            date.fromisoformat(day)
        except ValueError:
            raise WmpError(400, "basicDate 형식은 yyyy-MM-dd 입니다") from None
        return {"qna": [q for q in self.store.all("qna") if q["questionDate"].startswith(day)]}  # invented key

    def get_qna_info(self, request: Request, body: Body) -> dict[str, Any]:
        return self._qna(request.arg("qnaSeq"))

    def _qna(self, value: Any) -> dict[str, Any]:
        seq = as_int(value, "qnaSeq")
        qna = self.store.get("qna", str(seq))
        if qna is None:
            raise WmpError(404, f"존재하지 않는 문의입니다: {seq}")
        return qna

    def set_qna_answer(self, request: Request, body: Body) -> dict[str, Any]:
        qna = self._qna(body.get("qnaSeq"))
        answer = str(body.get("answer") or "")
        if not ANSWER_LENGTH[0] <= len(answer) <= ANSWER_LENGTH[1]:
            raise WmpError(400, f"답변은 {ANSWER_LENGTH[0]}자 이상 {ANSWER_LENGTH[1]}자 이하로 입력하세요")
        try:
            inquiries.answer(bool(qna.get("answer")))
        except Refusal as refusal:
            raise WmpError.of(refusal, ANSWER_REFUSED) from None
        qna["answer"], qna["answerDate"] = answer, now_text()
        self.store.put("qna", str(qna["qnaSeq"]), qna)
        self.store.audit("inquiry.answer", str(qna["qnaSeq"]))
        return {"returnKey": qna["qnaSeq"], "returnMsg": "답변이 등록되었습니다"}

    # --- sandbox surface ------------------------------------------------------------
    def generate(self, orders: int, claims: int, inquiries: int) -> dict[str, int]:
        """New NEW bundles, claims (cancels before shipping, returns/exchanges after) and Q&A, all dated now."""
        rng, now = self.rng, now_text()
        made = Counter[str]()
        with self.store.transaction():
            catalogue = self._catalogue()
            for _ in range(orders):
                bundle, sold_out = self._take_stock(sample.make_bundle(rng, self.store.next_id, catalogue, now))
                if sold_out:  # the catalogue was picked at the start: offer what is left from now on
                    catalogue = self._catalogue()
                if bundle is not None:
                    self.store.put("bundle", str(bundle["bundleNo"]), bundle)
                    made["orders"] += 1
            if claims:
                made["claims"] = self._generate_claims(claims, now)
            for _ in range(inquiries):
                qna = sample.make_qna(rng, self.store.next_id, catalogue.pick(rng), now, None)
                if rng.random() < 0.3:
                    qna["answer"], qna["answerDate"] = "문의 감사합니다. 확인 후 안내드리겠습니다.", now
                self.store.put("qna", str(qna["qnaSeq"]), qna)
                made["inquiries"] += 1
        return {"orders": made["orders"], "claims": made["claims"], "inquiries": made["inquiries"]}

    def _catalogue(self) -> Catalogue:
        return Catalogue(self.store, "product", keep=self.orderable, fallback=sample.SYNTHETIC_PRODUCTS)

    def _take_stock(self, bundle: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
        """Decrement each registered product's stockCount by what the bundle orders, never below 0
        (a line beyond the stock left shrinks or goes). The bundle (None when nothing of it is left),
        and whether a product sold out."""
        products, sold_out = [], False
        for line in bundle["orderProduct"]:
            record = self.store.get("product", str(line["productNo"]))
            if record is None:  # a synthetic sample product: no stock kept
                products.append(line)
                continue
            left, options = self.stock(record), []
            for option in line["orderOption"]:
                option["optionQty"] = min(option["optionQty"], left)
                left -= option["optionQty"]
                if option["optionQty"]:
                    options.append(option)
            if not options:
                continue
            line.update(orderOption=options, productQty=sum(o["optionQty"] for o in options))
            record["payload"]["sale"]["stockCount"] = left
            self.store.put("product", str(line["productNo"]), record)
            products.append(line)
            sold_out = sold_out or left == 0
        bundle["orderProduct"] = products
        return (bundle if products else None), sold_out

    def _generate_claims(self, count: int, now: str) -> int:
        """Claims on bundles without one; every bundle is read once, not once per claim."""
        rng = self.rng
        claimed = {c["bundleNo"] for c in self.store.all("claim")}
        units = [(b, self._unit(b)) for b in self.store.all("bundle") if b["bundleNo"] not in claimed]
        open_ = [b for b, unit in units if orders.claimable(unit, Claim.CANCEL)]
        shipped = [b for b, unit in units if orders.claimable(unit, Claim.RETURN)]
        made = 0
        for _ in range(count):
            if shipped and (not open_ or rng.random() < 0.4):
                bundle, kind = shipped.pop(rng.randrange(len(shipped))), rng.choice(("반품", "교환"))
                status = "WITHDRAW" if rng.random() < 0.15 else "REQUEST"
            elif open_:
                bundle, kind = open_.pop(rng.randrange(len(open_))), "취소"
                status = "APPROVE" if rng.random() < 0.2 else "REQUEST"
            else:
                break
            claim = sample.make_claim(rng, self.store.next_id, bundle, kind, status, now)
            self.store.put("claim", str(claim["claimBundleNo"]), claim)
            if kind == "취소" and status == "APPROVE":  # the claim's product only, not the whole bundle
                self._cancel_options(bundle, claim_fields.options_of(claim))
            made += 1
        return made

    # --- sandbox controls -----------------------------------------------------------
    def control(self, request: Request) -> Response | None:
        """``POST /_sandbox/claim {"bundleNo", "claimType": CANCEL|RETURN|EXCHANGE}``: the buyer opens a
        claim on every product of the bundle (delivered first for a return or exchange);
        ``POST /_sandbox/deliver {"bundleNo"}``: the bundle is shipped and delivered."""
        actions = {"/_sandbox/claim": self.open_claim, "/_sandbox/deliver": self.deliver}
        action = actions.get(request.path) if request.method == "POST" else None
        if action is None:
            return None
        try:
            body = self._body(request)
            with self.store.transaction():
                return Response.json(action(body))
        except WmpError as exc:
            return Response.json({"message": exc.message}, exc.status)

    def open_claim(self, body: Body) -> dict[str, Any]:
        bundle = self._bundle(body)
        kind = CLAIM_TYPES.get(str(body.get("claimType") or ""))
        if kind is None:
            raise WmpError(400, "claimType 은 CANCEL, RETURN, EXCHANGE 중 하나입니다")
        engine_kind = claim_fields.KINDS[kind]
        if engine_kind is not Claim.CANCEL and self._unit(bundle).stage < Stage.SHIPPED:
            self.deliver(body)
            bundle = self._bundle(body)
        if not orders.claimable(self._unit(bundle), engine_kind):
            raise WmpError(409, f"이 묶음배송에는 {kind} 클레임을 열 수 없습니다 ({bundle['delivery']['shipStatus']})")
        claim = sample.make_claim(self.rng, self.store.next_id, bundle, kind, "REQUEST", now_text(), bundle["orderProduct"])
        self.store.put("claim", str(claim["claimBundleNo"]), claim)
        return claim

    def deliver(self, body: Body) -> dict[str, Any]:
        bundle = self._bundle(body)
        if self._unit(bundle).stage is Stage.PAID:
            bundle["delivery"]["shipStatus"], bundle["orderConfirmDate"] = "CONFIRM", now_text()
        if self._unit(bundle).stage < Stage.SHIPPED:
            number = f"6{self.store.next_id('sandboxInvoice', 10000000001)}"
            self._ship(bundle, {"shipMethod": "PARCEL", "parcelCompanyCode": SANDBOX_COURIER, "invoiceNo": number}, self.policy)
        bundle["delivery"]["shipStatus"], bundle["shipCompleteDate"] = "COMPLETE", now_text()
        self.store.put("bundle", str(bundle["bundleNo"]), bundle)
        return bundle

    def state(self) -> dict[str, Any]:
        bundles = self.store.all("bundle")
        claims = self.store.all("claim")
        return {
            "products": self.store.count("product"),
            "off_sale": [p["sellerProdCode"] for p in self.store.all("product") if not self.on_sale(p)],
            "sold_out": [p["sellerProdCode"] for p in self.store.all("product") if self.stock(p) == 0],
            "bundles": dict(Counter(b["delivery"]["shipStatus"] for b in bundles)),
            "claims": dict(Counter(f'{c["claimType"]}:{c["claimStatus"]}' for c in claims)),
            "qna": self.store.count("qna"),
            "unanswered": sum(1 for q in self.store.all("qna") if not q.get("answer")),
        }
