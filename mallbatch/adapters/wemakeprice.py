"""위메프 W-API adapter (reference §1).

Auth is a static 128-hex ``apiKey`` header: no signature, no token. Every answer is the
envelope ``{"resultCode", "data", "error"}`` and only ``resultCode == 200`` is success,
so :func:`classify` reads the body even on HTTP 200. The ship unit is the bundle
(``bundleNo``): one bundle per confirm/invoice call. After a refused write the bundle
(or Q&A) is read back, so "already in that state with the same value" becomes
``already=True`` instead of a failure the seller would chase.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from mallbatch.adapters.base import Adapter, MallSpec, windows
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import (
    Answer,
    Claim,
    ClaimKind,
    Inquiry,
    Invoice,
    ItemResult,
    OrderLine,
    OrderStatus,
    ProductListing,
    ProductRef,
)
from mallbatch.connectors.runtime.paging import follow_pages
from mallbatch.connectors.runtime.http import (
    Envelope,
    HttpClient,
    RetryPolicy,
    default_classify,
    limiter_for,
)
from mallbatch.adapters.wemakeprice_mapping import (
    CLAIM_DATE_FIELDS,
    COURIER_BY_MALL_CODE,
    COURIER_CODES,
    bundle_lines,
    courier_from_mall,
    format_time,
    kc_block,
    listing_payload,
    order_status,
    parse_time,
    ship_policy_payload,
    to_claim,
    to_inquiry,
)
from mallbatch.domain.clock import KST, to_kst
from mallbatch.config import Account
from mallbatch.errors import (
    AuthError,
    MalformedResponse,
    OutcomeUnknown,
    RateLimited,
    RejectedError,
    RemoteError,
    TransientError,
)

__all__ = ["COURIER_BY_MALL_CODE", "COURIER_CODES", "ApiKeyAuth", "WemakepriceAdapter", "classify", "error_text"]

# getOrderList types. invented: DELIVERY (shipped bundles); the reference confirms NEW and CONFIRM.
ORDER_TYPES = ("NEW", "CONFIRM", "DELIVERY")
CLAIM_QUERIES = tuple((t, s) for t in ("CANCEL", "RETURN", "EXCHANGE") for s in ("REQUEST", "APPROVE", "WITHDRAW"))
CLAIM_KIND_OF = {"CANCEL": ClaimKind.CANCEL, "RETURN": ClaimKind.RETURN, "EXCHANGE": ClaimKind.EXCHANGE}
CONFIRMED = frozenset({OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})
SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})
ENVELOPE = Envelope("위메프", keys=("resultCode",))  # {"resultCode", "data", "error"} (reference §1.2)
PAGE_NAMES = {"bundle": "주문", "claim": "클레임"}
AUTH_MESSAGE = "위메프 API 인증키(apiKey)가 거부되었습니다. 위메프 파트너센터에서 발급한 인증키를 확인하세요"


class ApiKeyAuth(httpx.Auth):
    """Puts the seller's key in the ``apiKey`` header of every request (reference §1.1)."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["apiKey"] = self._api_key
        yield request


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def error_text(response: httpx.Response) -> tuple[str, str]:
    """(resultCode, Korean message) from the envelope's ``error``."""
    body = _envelope(response) or {}
    code = str(body.get("resultCode") or response.status_code)
    if code in ("401", "403") or response.status_code in (401, 403):
        return code, AUTH_MESSAGE
    message = str(body.get("error") or "").strip()
    return code, f"위메프: {message}" if message else ""


def classify(response: httpx.Response) -> RemoteError | None:
    """HTTP status first, then the envelope: a 200 whose resultCode is not 200 is still an error."""
    error = default_classify(response, error_text)
    if error is not None:
        return error
    body = _envelope(response)
    if body is None:  # HttpClient checks ENVELOPE first; this keeps classify whole on its own
        return MalformedResponse(ENVELOPE.problem(response, "", "") or "위메프 응답을 해석할 수 없습니다", status=response.status_code)
    result = body.get("resultCode")
    if result == 200 or result == "200":
        return None
    code, message = error_text(response)
    number = int(code) if code.isdigit() else 0
    if number in (401, 403):
        return AuthError(message, code=code, status=response.status_code)
    if number == 429:
        return RateLimited(message or "위메프 호출 한도를 초과했습니다", code=code)
    if number >= 500:
        return TransientError(message or "위메프 서버 오류", code=code, status=number)
    return RejectedError(message or f"위메프가 요청을 거절했습니다 ({code})", code=code, status=response.status_code)


class WemakepriceAdapter(Adapter):
    spec = MallSpec(
        mall="wemakeprice",
        base_url="https://w-api.wemakeprice.com",
        capabilities=frozenset(Capability),
        rate_per_second=5.0,  # inferred: undocumented; account option "rate_limit" overrides
        envelope=ENVELOPE,
        burst=1,
        batch_sizes={  # reference §1.3: one bundleNo / qnaSeq / product per call
            Capability.PRODUCTS_CREATE: 1, Capability.PRODUCTS_UPDATE: 1, Capability.ORDERS_CONFIRM: 1,
            Capability.INVOICES_SEND: 1, Capability.INVOICES_UPDATE: 1, Capability.INQUIRIES_ANSWER: 1,
        },
        windows={
            "orders": timedelta(hours=24),  # inferred: clients query ≤ 24 h
            "claims": timedelta(days=7),  # inferred
            "inquiries": timedelta(days=1),  # reference §1.3: basicDate, one day per call
        },
        confirm_before_invoice=True,
        answer_length=(10, 1500),  # reference §1.3
        answer_deadline_hours=48,  # inferred: no documented deadline
        key_lifetime_days=None,  # no documented expiry
    )

    def __init__(self, account: Account, *, retry: RetryPolicy | None = None) -> None:
        super().__init__(account, retry=retry)
        rate = float(account.option("rate_limit") or self.spec.rate_per_second)
        self.http = HttpClient(
            self.base_url,
            limiter=limiter_for((self.spec.mall, account.name), rate, self.spec.burst),
            error_text=error_text,
            auth=ApiKeyAuth(account.secret("api_key")),
            classify=classify,
            **self.http_options(),
        )
        self._policies: dict[str, int] = {}

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> Any:
        """``data`` of a successful envelope (classify has already turned failures into exceptions)."""
        return self.http.request(method, path, write=write, **kwargs).json().get("data")

    def _pages(self, path: str, body: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
        """invented paging: ``page`` in the body, ``totalCount``/``pageSize`` in data."""
        def fetch(page: int | None) -> tuple[list[dict[str, Any]], int | None]:
            number = page or 1
            data = self._call("POST", path, json={**body, "page": number}) or {}
            items = list(data.get(key) or [])
            size = int(data.get("pageSize") or len(items) or 1)
            return items, number + 1 if items and number * size < int(data.get("totalCount") or 0) else None

        return follow_pages("위메프", PAGE_NAMES.get(key, key), fetch)

    # --- checks -----------------------------------------------------------------------
    def listing_problems(self, listing: ProductListing) -> list[str]:
        problems = super().listing_problems(listing)
        for cert in listing.certifications:
            if kc_block(cert.kind) is None:
                problems.append(f"{self.account.label}: 인증유형 '{cert.kind}' 은(는) 위메프 KC인증 항목과 연결할 수 없습니다")
        if not listing.shipping.name.strip():
            problems.append(f"{self.account.label}: 배송정보(배송정책) 이름이 필요합니다")
        return problems

    def check_auth(self) -> None:
        self._call("GET", "/product/out/getSellerShipPolicy")

    # --- products ---------------------------------------------------------------------
    def _ship_policy(self, listing: ProductListing) -> int:
        """The seller's shipPolicyNo: a number as given, else found by name, else registered once."""
        name = listing.shipping.name.strip()
        if name.isdigit():
            return int(name)
        if name not in self._policies:
            data = self._call("GET", "/product/out/getSellerShipPolicy")
            rows = data if isinstance(data, list) else (data or {}).get("shipPolicy") or []
            found = next((p for p in rows if str(p.get("shipPolicyName", "")).strip() == name), None)
            if found is None:
                found = self._call("POST", "/product/in/setSellerShipPolicy", write=True,
                                   json=ship_policy_payload(listing.shipping))
            self._policies[name] = int(found["shipPolicyNo"])
        return self._policies[name]

    def create_product(self, listing: ProductListing) -> ProductRef:
        payload = listing_payload(listing, 0, self._ship_policy(listing))
        data = self._call("POST", "/product/in/setProduct", write=True, json=payload) or {}
        if not data.get("productNo"):
            raise OutcomeUnknown("위메프가 상품번호 없이 응답했습니다. 자체상품코드로 등록 여부를 확인합니다")
        if not listing.on_sale:
            self._set_status(str(data["productNo"]), on_sale=False)
        return ProductRef(str(data["productNo"]), {"on_sale": listing.on_sale})

    def update_product(self, ref: ProductRef, listing: ProductListing) -> ProductRef:
        if not ref.product_id.isdigit():
            raise RejectedError(f"위메프 상품번호는 숫자여야 합니다 ({ref.product_id})")
        payload = listing_payload(listing, int(ref.product_id), self._ship_policy(listing))
        self._call("POST", "/product/in/setProduct", write=True, json=payload)
        if not listing.on_sale or ref.extra.get("on_sale") is False:
            self._set_status(ref.product_id, on_sale=listing.on_sale)
        return ProductRef(ref.product_id, {**ref.extra, "on_sale": listing.on_sale})

    def _set_status(self, product_no: str, *, on_sale: bool) -> None:
        """판매 (A) or 판매중지 (S): the sale status is its own call; displayYn only hides the product."""
        self._call("POST", "/product/in/setProductStatus", write=True,
                   json={"productNo": int(product_no), "productStatus": "A" if on_sale else "S"})

    def find_product(self, seller_code: str) -> ProductRef | None:
        # invented path: W-API has no documented lookup by sellerProdCode
        data = self._call("GET", "/product/out/getProductList", params={"sellerProdCode": seller_code}) or {}
        rows = [p for p in data.get("product") or [] if str(p.get("sellerProdCode")) == seller_code]
        if not rows:
            return None
        latest = max(rows, key=lambda p: int(p["productNo"]))  # a duplicate create leaves the newest last
        return ProductRef(str(latest["productNo"]), {"productName": latest.get("productName", ""),
                                                     "displayYn": latest.get("displayYn", "")})

    def product_matches(self, product_id: str, name: str, sale_price: int) -> bool:
        data = self._call("GET", "/product/out/getProduct", params={"productNo": product_id}) or {}
        basic, sale = data.get("basic") or {}, data.get("sale") or {}
        return basic.get("productName") == name and int(sale.get("salePrice") or 0) == sale_price

    # --- orders -----------------------------------------------------------------------
    def orders(self, since: datetime, until: datetime) -> Iterator[OrderLine]:
        """Bundles paid in [since, until), in any of the listable states, each once."""
        since, until = to_kst(since), to_kst(until)
        seen: set[int] = set()
        for start, end in windows(since, until, self.spec.windows["orders"]):
            for kind in ORDER_TYPES:
                body = {"fromDate": format_time(start), "toDate": format_time(end), "type": kind, "searchDateType": "NEW"}
                for bundle in self._pages("/order/out/getOrderList", body, "bundle"):
                    lines = bundle_lines(bundle, self.spec.mall, self.account.name)
                    paid = lines[0].paid_at if lines else None
                    if bundle["bundleNo"] in seen or paid is None or not since <= paid < until:
                        continue  # window ends are inclusive at the mall: drop the overlap here
                    seen.add(bundle["bundleNo"])
                    yield from lines

    def _bundle(self, **query: int) -> dict[str, Any] | None:
        # invented path /order/out/getOrderInfo; orderNo/orderOptionNo queries are invented too
        try:
            return self._call("POST", "/order/out/getOrderInfo", json=query) or None
        except RejectedError:
            return None

    def lookup_orders(self, ids: Sequence[str]) -> list[OrderLine]:
        """Each id is tried as bundleNo, then orderOptionNo, then orderNo; the first match wins."""
        found: dict[str, OrderLine] = {}
        for wanted in dict.fromkeys(str(i).strip() for i in ids):
            if not wanted.isdigit():
                continue
            for field, attr in (("bundleNo", "ship_unit"), ("orderOptionNo", "line_id"), ("orderNo", "order_id")):
                bundle = self._bundle(**{field: int(wanted)})
                if bundle is None:
                    continue
                for line in bundle_lines(bundle, self.spec.mall, self.account.name):
                    if getattr(line, attr) == wanted:
                        found.setdefault(line.line_id, line)
                break
        return list(found.values())

    def claims(self, since: datetime, until: datetime) -> Iterator[Claim]:
        """Claims whose current status (요청/승인/철회) was reached in [since, until)."""
        since, until = to_kst(since), to_kst(until)
        seen: set[str] = set()
        for start, end in windows(since, until, self.spec.windows["claims"]):
            for claim_type, status in CLAIM_QUERIES:
                body = {"fromDate": format_time(start), "toDate": format_time(end), "claimType": claim_type,
                        "claimStatus": status, "searchDateType": status}
                for item in self._pages("/claim/out/getClaimList", body, "claim"):  # invented path
                    claim = to_claim(item, self.account.name, CLAIM_KIND_OF[claim_type])
                    stamp = parse_time(item.get(CLAIM_DATE_FIELDS[status]))
                    if claim.claim_id in seen or stamp is None or not since <= stamp < until:
                        continue
                    seen.add(claim.claim_id)
                    yield claim

    # --- inquiries --------------------------------------------------------------------
    def inquiries(self, since: datetime, until: datetime) -> Iterator[Inquiry]:
        """One getQnaList call per KST calendar day touched by [since, until)."""
        since, until = to_kst(since), to_kst(until)
        if since >= until:
            return
        day, last = since.date(), (until - timedelta(microseconds=1)).date()
        seen: set[str] = set()
        while day <= last:
            data = self._call("GET", "/qna/out/getQnaList", params={"basicDate": day.isoformat()}) or {}
            for item in data.get("qna") or []:
                inquiry = to_inquiry(item, self.account.name)
                asked = inquiry.asked_at
                if inquiry.inquiry_id not in seen and asked is not None and since <= asked < until:
                    seen.add(inquiry.inquiry_id)
                    yield inquiry
            day += timedelta(days=1)

    def _qna(self, seq: str) -> dict[str, Any] | None:
        try:  # invented path
            return self._call("GET", "/qna/out/getQnaInfo", params={"qnaSeq": seq}) or None
        except RejectedError:
            return None

    def lookup_inquiries(self, ids: Sequence[str]) -> list[Inquiry]:
        items = (self._qna(i) for i in dict.fromkeys(str(i).strip() for i in ids) if i.isdigit())
        return [to_inquiry(item, self.account.name) for item in items if item]

    # --- writes -----------------------------------------------------------------------
    def confirm(self, ship_units: Sequence[str]) -> list[ItemResult]:
        return [self._confirm(str(unit).strip()) for unit in ship_units]

    def _confirm(self, unit: str) -> ItemResult:
        if not unit.isdigit():
            return _bad_unit(unit)
        try:
            data = self._call("POST", "/order/in/setOrderConfirm", write=True, json={"bundleNo": int(unit)})
        except RejectedError as exc:
            bundle = self._bundle(bundleNo=int(unit))
            if bundle is not None and order_status(bundle)[0] in CONFIRMED:
                return ItemResult(unit, ok=True, already=True, code=exc.code, message_ko="이미 발주확인된 주문입니다")
            return ItemResult(unit, ok=False, code=exc.code, message_ko=exc.message_ko)
        return ItemResult(unit, ok=True, remote_id=str((data or {}).get("returnKey", "")))

    def send_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        return [self._invoice(inv, update=False) for inv in invoices]

    def update_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        return [self._invoice(inv, update=True) for inv in invoices]

    def _invoice(self, invoice: Invoice, *, update: bool) -> ItemResult:
        unit = invoice.ship_unit.strip()
        if not unit.isdigit():
            return _bad_unit(unit)
        tracking = re.sub(r"[\s-]", "", invoice.tracking_no)
        code = COURIER_CODES.get(invoice.courier)
        if code is None:
            return ItemResult(unit, ok=False, message_ko=f"위메프에서 지원하지 않는 택배사입니다 ({invoice.courier})")
        if update and code == "DIRECT":
            return ItemResult(unit, ok=False, message_ko="직접배송 건은 위메프에서 송장을 수정할 수 없습니다")
        if update:  # invented path /order/in/setParcelDelivery (body confirmed, reference §1.3)
            path, body = "/order/in/setParcelDelivery", {"bundleNo": int(unit), "parcelCompanyCode": code, "invoiceNo": tracking}
        else:
            path, body = "/order/in/setOrderDelivery", self._delivery_body(int(unit), code, tracking, invoice)
        try:
            data = self._call("POST", path, write=True, json=body)
        except RejectedError as exc:
            bundle = self._bundle(bundleNo=int(unit))
            if bundle is not None and _shipped_as(bundle, invoice.courier, tracking):
                return ItemResult(unit, ok=True, already=True, code=exc.code, message_ko="이미 같은 송장으로 발송처리된 주문입니다")
            return ItemResult(unit, ok=False, code=exc.code, message_ko=exc.message_ko)
        return ItemResult(unit, ok=True, remote_id=str((data or {}).get("returnKey", "")))

    @staticmethod
    def _delivery_body(bundle_no: int, code: str, tracking: str, invoice: Invoice) -> dict[str, Any]:
        """setOrderDelivery body (reference §1.5): PARCEL with a D-code, or DIRECT with a date."""
        shipped_on = (invoice.shipped_on or datetime.now(KST).date()).isoformat()
        if code == "DIRECT":
            return {"bundleNo": bundle_no, "shipMethod": "DIRECT", "scheduleShipDate": shipped_on,
                    "shipMethodMessage": tracking or "직접배송"}
        return {"bundleNo": bundle_no, "shipMethod": "PARCEL", "parcelCompanyCode": code, "invoiceNo": tracking,
                "scheduleShipDate": shipped_on, "shipMethodMessage": ""}

    def answer(self, answers: Sequence[Answer]) -> list[ItemResult]:
        """``close`` is ignored: W-API has no 답변후종료."""
        return [self._answer(a) for a in answers]

    def _answer(self, answer: Answer) -> ItemResult:
        seq = answer.inquiry_id.strip()
        if not seq.isdigit():
            return ItemResult(seq, ok=False, message_ko=f"위메프 문의번호는 숫자여야 합니다 ({seq})")
        try:  # invented path /qna/in/setQnaAnswer (body confirmed, reference §1.3)
            data = self._call("POST", "/qna/in/setQnaAnswer", write=True, json={"qnaSeq": int(seq), "answer": answer.text})
        except RejectedError as exc:
            item = self._qna(seq)
            if item is not None and str(item.get("answer") or "").strip() == answer.text.strip():
                return ItemResult(seq, ok=True, already=True, code=exc.code, message_ko="이미 같은 답변이 등록되어 있습니다")
            return ItemResult(seq, ok=False, code=exc.code, message_ko=exc.message_ko)
        return ItemResult(seq, ok=True, remote_id=str((data or {}).get("returnKey", "")))


def _bad_unit(unit: str) -> ItemResult:
    return ItemResult(unit, ok=False, message_ko=f"위메프 묶음배송번호(bundleNo)는 숫자여야 합니다 ({unit})")


def _shipped_as(bundle: dict[str, Any], courier: str, tracking: str) -> bool:
    """Read-back check: the bundle is already shipped with this courier (and number, for parcels)."""
    if order_status(bundle)[0] not in SHIPPED:
        return False
    delivery = bundle.get("delivery") or {}
    same_courier = courier_from_mall(delivery) == courier
    return same_courier and (courier == "DIRECT" or str(delivery.get("invoiceNo") or "") == tracking)
