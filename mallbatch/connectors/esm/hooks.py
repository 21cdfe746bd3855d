"""What is special to ESM as code: seed 001's listing rules per site, the master goods shared by the two
sites, order and claim look-ups through the lists, and the order writes' bodies and read-backs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mallbatch.connectors.esm.mapping import (
    CANCEL_SITE_TYPE,
    COURIER_CODES,
    KIND_OF_SUFFIX,
    PRICE_KEY,
    QNA_TYPES,
    SITE_KEY,
    SITE_TYPE,
    goods_payload,
    order_of,
    site_numbers,
    to_line,
)
from mallbatch.domain.clock import KST
from mallbatch.domain.records import (
    Answer,
    Certification,
    ClaimKind,
    Invoice,
    ItemResult,
    ListingChange,
    OrderLine,
    OrderStatus,
    ProductListing,
    ProductRef,
)
from mallbatch.errors import OutcomeUnknown, RejectedError

if TYPE_CHECKING:
    from mallbatch.connectors.esm.spec import EsmConnector

MAX_VALUES_PER_NAME = 50  # seed 001 / issue 13: at most 50 option values per option name
ANSWER_BYTES = 1000  # reference §4.5: comments ≤ 1000 bytes (inferred: UTF-8, the API's JSON encoding)
# Seed 001 인증정보: only these certification kinds are linked (G마켓 생활/전기/어린이; 옥션 also 방송통신).
LINKED = {"G": ("생활", "전기", "어린이"), "A": ("생활", "전기", "어린이", "방송통신")}
BROADCAST_WORDS = ("방송통신", "전파", "적합성")  # inferred: 방송통신기자재 certifications go by these words
# invented: the certification types 옥션 matches (seed 001 says an unmatched one becomes 인증대상아님, not which match)
AUCTION_TYPES = ("안전인증", "안전확인", "공급자적합성확인", "안전기준준수", "적합성평가", "적합인증", "적합등록", "잠정인증")
SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})
CONFIRMED = frozenset({OrderStatus.PREPARING}) | SHIPPED


def site_name(connector: EsmConnector) -> str:
    return connector.spec.envelope.mall_ko


# --- seed 001's ESM rules, before any call ------------------------------------------------------
def _area(kind: str) -> str | None:
    if any(word in kind for word in BROADCAST_WORDS):
        return "방송통신"
    return next((area for area in ("어린이", "전기", "생활") if area in kind), None)


def listing_problems(connector: EsmConnector, listing: ProductListing) -> list[str]:
    """Errors: more than 50 values under one option name."""
    label, problems = connector.account.label, []
    for index, name in enumerate(listing.option_names):
        values = {combo.values[index] for combo in listing.options if index < len(combo.values)}
        if len(values) > MAX_VALUES_PER_NAME:
            problems.append(f"{label}: 옵션명 '{name}'의 옵션값은 {MAX_VALUES_PER_NAME}개까지 가능합니다 (현재 {len(values)}개). "
                            "옵션값을 줄이거나 상품을 나누어 등록하세요")
    return problems


def listing_warnings(connector: EsmConnector, listing: ProductListing) -> list[str]:
    """Seed 001's warnings: what G마켓 shows of 제조사/브랜드, certifications not linked, 옥션's 인증대상아님."""
    site, label, warnings = connector.site, connector.account.label, []
    if site == "G" and (listing.maker.strip() or listing.brand.strip()):
        warnings.append(f"{label}: G마켓에는 제조사가 '기타'로 보이고 브랜드는 보이지 않습니다")
    for cert in listing.certifications:
        area = _area(cert.kind)
        if area not in LINKED[site]:
            linked = "/".join(LINKED[site])
            warnings.append(f"{label}: 인증정보 '{cert.kind}'은(는) 연동되지 않습니다 ({site_name(connector)}는 {linked} 인증만 연동). "
                            "ESM 사이트에서 직접 등록하세요")
        elif site == "A" and not any(t in cert.kind for t in AUCTION_TYPES):
            warnings.append(f"{label}: 인증정보 '{cert.kind}'은(는) 옥션의 인증정보와 맞는 값이 없어 '인증대상아님'으로 등록됩니다. "
                            "ESM 사이트에서 확인하세요")
    return warnings


def linked_certifications(connector: EsmConnector, listing: ProductListing) -> ProductListing:
    """The listing as sent: unlinked certifications left out, 옥션's unmatched ones sent as 인증대상아님."""
    kept = []
    for cert in listing.certifications:
        if _area(cert.kind) not in LINKED[connector.site]:
            continue
        if connector.site == "A" and not any(t in cert.kind for t in AUCTION_TYPES):
            cert = Certification("인증대상아님", "", "")
        kept.append(cert)
    return replace(listing, certifications=tuple(kept))


# --- products: one master goodsNo, a goods number per site ------------------------------------------
def _by_code(connector: EsmConnector, seller_code: str) -> dict[str, Any] | None:
    data = connector.call("POST", "/item/v1/goods/search", payload={"managedCode": seller_code, "pageIndex": 1, "pageSize": 100})
    rows = [g for g in (data or {}).get("goods") or [] if (g.get("itemAddtionalInfo") or {}).get("managedCode") == seller_code]
    return max(rows, key=lambda g: int(g["goodsNo"])) if rows else None


def _ref(goods_no: Any, numbers: dict[str, str], on_sale: bool | None = None) -> ProductRef:
    """The binding keeps the master goodsNo as product id and both sites' goods numbers (연동이력)."""
    extra: dict[str, Any] = {"goodsNo": str(goods_no), **numbers}
    if on_sale is not None:
        extra["on_sale"] = on_sale
    return ProductRef(str(goods_no), extra)


def _sites_of(goods: dict[str, Any]) -> dict[str, str]:
    """{"G"|"A": catCode} of a stored goods record."""
    by_type = {v: k for k, v in SITE_TYPE.items()}
    sites = ((goods.get("itemBasicInfo") or {}).get("category") or {}).get("site") or []
    return {by_type[int(s["siteType"])]: str(s["catCode"]) for s in sites if int(s.get("siteType") or 0) in by_type}


def create_product(connector: EsmConnector, listing: ProductListing) -> ProductRef:
    """Registers on this site; a master the other site's account registered already gets this site added
    (a modify: right after that create the mall refuses it for a few minutes, a RateLimited retried later)."""
    sent = linked_certifications(connector, listing)
    existing = _by_code(connector, listing.seller_code)
    if existing is not None:
        sites = {**_sites_of(existing), connector.site: listing.mall_category}
        answer = connector.call("PUT", f"/item/v1/goods/{int(existing['goodsNo'])}", write=True, payload=goods_payload(sent, sites))
        goods_no = existing["goodsNo"]
    else:
        answer = connector.call("POST", "/item/v1/goods", write=True, payload=goods_payload(sent, {connector.site: listing.mall_category}))
        goods_no = (answer or {}).get("goodsNo")
    numbers = site_numbers(answer or {})
    if not goods_no or SITE_KEY[connector.site] not in numbers:
        raise OutcomeUnknown(f"{site_name(connector)}가 상품번호 없이 응답했습니다. 자체상품코드로 등록 여부를 확인합니다")
    if not listing.on_sale:
        set_sell(connector, str(goods_no), False)
    return _ref(goods_no, numbers, listing.on_sale)


def update_product(connector: EsmConnector, ref: ProductRef, listing: ProductListing) -> ProductRef:
    goods_no = _goods_no(ref.product_id)
    current = connector.call("GET", f"/item/v1/goods/{goods_no}", send="params") or {}
    sites = {**_sites_of(current), connector.site: listing.mall_category}
    answer = connector.call("PUT", f"/item/v1/goods/{goods_no}", write=True,
                            payload=goods_payload(linked_certifications(connector, listing), sites))
    if not listing.on_sale or ref.extra.get("on_sale") is False:
        set_sell(connector, str(goods_no), listing.on_sale)
    return _ref(goods_no, site_numbers(answer or {}) or site_numbers(current), listing.on_sale)


def _goods_no(product_id: str) -> int:
    if not str(product_id).strip().isdigit():
        raise RejectedError(f"ESM 상품번호(goodsNo)는 숫자여야 합니다 ({product_id})")
    return int(product_id)


def set_sell(connector: EsmConnector, goods_no: str, on_sale: bool) -> None:
    connector.call("PUT", f"/item/v1/goods/{goods_no}/sell-status", write=True,
                   payload={"isSell": {SITE_KEY[connector.site]: on_sale}})


def find_product(connector: EsmConnector, seller_code: str) -> ProductRef | None:
    """The master of this 자체상품코드, when it is listed on this site (else the create adds the site)."""
    goods = _by_code(connector, seller_code)
    numbers = site_numbers(goods or {})
    if goods is None or SITE_KEY[connector.site] not in numbers:
        return None
    return _ref(goods["goodsNo"], numbers)


def product_matches(connector: EsmConnector, product_id: str, name: str, sale_price: int) -> bool:
    goods = connector.lookup("goods", product_id) or {}
    shown = ((goods.get("itemBasicInfo") or {}).get("goodsName") or {}).get("kor")
    price = ((goods.get("itemAddtionalInfo") or {}).get("price") or {}).get(PRICE_KEY[connector.site])
    return shown == name and int(price or 0) == sale_price


def goods_query(key: str) -> dict[str, Any]:
    if not key.isdigit():
        raise ValueError(key)  # not a goodsNo: not found
    return {}


# --- catalogue -----------------------------------------------------------------------------------
OPTION_REFUSED = ("ESM(G마켓·옥션)은 옵션별 {what}을(를) API 로 바꿀 수 없습니다. 상품 전체로 보내거나 ESM PLUS 에서 옵션을 바꾸세요")


def _product(change: ListingChange, what: str) -> str | None:
    if change.option:
        return OPTION_REFUSED.format(what=what) + f" (옵션 {'/'.join(change.option)})"
    if not change.product_id.strip().isdigit():
        return f"ESM 상품번호(goodsNo)는 숫자여야 합니다 ({change.product_id})"
    return None


def stock_problem(change: ListingChange) -> str | None:
    if change.stock is None or change.stock < 0:
        return f"재고는 0 이상이어야 합니다 (현재 {change.stock}). 품절은 0 으로 보내세요"
    return _product(change, "재고")


def price_problem(change: ListingChange) -> str | None:
    if change.sale_price is None or change.sale_price <= 0:
        return f"판매가는 0보다 커야 합니다 (현재 {change.sale_price})"
    return _product(change, "판매가")


def sale_problem(change: ListingChange) -> str | None:
    if change.on_sale is None:
        return "판매상태(판매/판매중지)가 비어 있습니다"
    return _product(change, "판매상태")


def site_value(site: str, goods: dict[str, Any], block: str) -> Any:
    return ((goods.get("itemAddtionalInfo") or {}).get(block) or {}).get(PRICE_KEY[site])


# --- orders --------------------------------------------------------------------------------------
def order_records(connector: EsmConnector, **query: Any) -> list[dict[str, Any]]:
    """RequestOrders by order number or basket (orderStatus 0: exempt from the 5-second limit)."""
    payload = {"siteType": SITE_TYPE[connector.site], "orderStatus": 0, "pageIndex": 1, **query}
    data = connector.call("POST", "/shipping/v1/Order/RequestOrders", payload=payload) or {}
    return list(data.get("RequestOrders") or [])


def order_scan(connector: EsmConnector, key: str) -> dict[str, Any] | None:
    key = str(key).strip()
    if not key.isdigit():
        return None
    return next((r for r in order_records(connector, orderNo=key) if str(r.get("OrderNo")) == key), None)


def lookup_orders(connector: EsmConnector, ids: Sequence[str]) -> list[OrderLine]:
    """Each id as an OrderNo, else as a PayNo (the basket's lines)."""
    found: dict[str, OrderLine] = {}
    for wanted in dict.fromkeys(str(i).strip() for i in ids):
        if not wanted.isdigit():
            continue
        records = order_records(connector, orderNo=wanted) or order_records(connector, payNo=wanted)
        for record in records:
            line = connector.with_hold(to_line(record, connector.spec.mall, connector.account.name))
            found.setdefault(line.line_id, line)
    return list(found.values())


def unit_problem(unit: Any) -> str | None:
    return None if str(unit).strip().isdigit() else f"ESM 주문번호(OrderNo)는 숫자여야 합니다 ({str(unit).strip()})"


def confirm_results(data: Any, units: list[Any]) -> list[Any]:
    """OrderCheck answers IsChanged: 1 means the buyer changed the address after paying (reference §4.3)."""
    changed = int((data or {}).get("IsChanged") or 0) == 1
    message = "배송지가 결제 후 변경된 주문입니다. 주문 엑셀에서 새 배송지를 확인하고 보류해제한 뒤 송장을 보내세요" if changed else ""
    return [ItemResult(str(units[0]).strip(), True, message_ko=message, extra={"address_changed": changed})]


def confirmed(record: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return to_line(record, "", "").status in CONFIRMED


def tracking(invoice: Invoice) -> str:
    return re.sub(r"[\s-]", "", invoice.tracking_no)


def invoice_problem(invoice: Invoice) -> str | None:
    if unit_problem(invoice.ship_unit):
        return unit_problem(invoice.ship_unit)
    if invoice.courier not in COURIER_CODES:
        return f"ESM(G마켓·옥션)에서 쓸 수 없는 택배사입니다 ({invoice.courier})"
    if invoice.courier != "DIRECT" and not tracking(invoice):
        return "송장번호가 필요합니다"
    return None


def address_checked(connector: EsmConnector, invoice: Invoice) -> Invoice | str:
    """No invoice for an order whose address changed after payment until the seller released it."""
    if connector.addresses.state(invoice.ship_unit.strip()) == "held":
        return (f"주문 {invoice.ship_unit.strip()} 은(는) 결제 후 배송지가 변경되었습니다. 주문 엑셀에서 새 배송지를 확인하고 "
                "처리에 '보류해제'를 골라 보낸 뒤 송장을 보내세요")
    return invoice


def shipping_body(invoices: list[Invoice]) -> dict[str, Any]:
    """ShippingInfo (reference §4.3): ShippingDate is the moment of sending (the mall wants it within ~2 days)."""
    invoice = invoices[0]
    return {"OrderNo": int(invoice.ship_unit.strip()), "ShippingDate": datetime.now(KST).strftime("%Y-%m-%dT%H:%M:%S"),
            "DeliveryCompanyCode": int(COURIER_CODES[invoice.courier]), "InvoiceNo": tracking(invoice) or "직접배송"}


def shipped_as(record: dict[str, Any], wanted: dict[str, Any]) -> bool:
    line = to_line(record, "", "")
    number = re.sub(r"[\s-]", "", str(wanted.get("tracking_no") or ""))
    return line.status in SHIPPED and line.courier == wanted.get("courier") and (not number or line.tracking_no == number)


# --- 보류해제: the seller's local acknowledgement of a changed address ------------------------------------
def release_prepare(connector: EsmConnector, unit: Any) -> list[str] | str:
    """The order as the one part to send (a bare string would be read as a refusal), once acknowledged."""
    order_no = str(unit).strip()
    if unit_problem(order_no):
        return unit_problem(order_no)
    if connector.addresses.state(order_no) == "":
        return f"주문 {order_no} 은(는) 보류된 주문이 아닙니다 (ESM 은 배송지가 변경된 주문만 보류합니다)"
    connector.addresses.acknowledge(order_no)
    return [order_no]


def release_results(data: Any, units: list[Any]) -> list[Any]:
    """The order re-read (its current address is what the seller acknowledges); found → released."""
    key = str(units[0]).strip()
    found = any(str(r.get("OrderNo")) == key for r in (data or {}).get("RequestOrders") or [])
    return [ItemResult(key, found, message_ko="" if found else f"ESM 에서 주문 {key} 을(를) 찾을 수 없습니다")]


def acknowledged_scan(connector: EsmConnector, key: str) -> dict[str, Any] | None:
    state = connector.addresses.state(str(key).strip())
    return {"state": state} if state else None


# --- claims and CS ---------------------------------------------------------------------------------
CLAIM_LISTS = {ClaimKind.CANCEL: "/claim/v1/sa/Cancels", ClaimKind.RETURN: "/claim/v1/sa/Returns",
               ClaimKind.EXCHANGE: "/claim/v1/sa/Exchanges"}


def claim_scan(connector: EsmConnector, key: str) -> dict[str, Any] | None:
    """The claim by its OrderNo (Type 0, reference §4.4); G마켓 cancels are SiteType 3."""
    kind = KIND_OF_SUFFIX.get(key.strip().rsplit("-", 1)[-1])
    order_no = order_of(key)
    if kind is None or not order_no.isdigit():
        return None
    site_type = CANCEL_SITE_TYPE[connector.site] if kind is ClaimKind.CANCEL else SITE_TYPE[connector.site]
    rows = connector.call("POST", CLAIM_LISTS[kind], payload={"SiteType": site_type, "Type": 0, "OrderNo": int(order_no)}) or []
    return next((r for r in rows if str(r.get("OrderNo")) == order_no), None)


def inquiry_scan(connector: EsmConnector, key: str) -> dict[str, Any] | None:
    """invented: the board list asked for one messageNo (the reference shows only the period query)."""
    if not str(key).strip().isdigit():
        return None
    for qna_type in QNA_TYPES[connector.site]:
        data = connector.call("POST", "/item/v1/communications/customer/bulletin-board",
                              payload={"qnaType": qna_type, "status": 1, "type": 1, "messageNo": int(key)}) or {}
        found = next((m for m in data.get("data") or [] if str(m.get("messageNo")) == str(key).strip()), None)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Reply:
    """An answer with the message's token, which ESM requires beside messageNo (reference §4.5)."""

    inquiry_id: str
    text: str
    token: str


def answer_problem(answer: Answer) -> str | None:
    if not answer.inquiry_id.strip().isdigit():
        return f"ESM 문의번호(messageNo)는 숫자여야 합니다 ({answer.inquiry_id.strip()})"
    size = len(answer.text.encode("utf-8"))
    if not answer.text.strip() or size > ANSWER_BYTES:
        return f"ESM(G마켓·옥션) 답변은 {ANSWER_BYTES}바이트 이하여야 합니다 (현재 {size}바이트, 한글 한 글자는 3바이트)"
    return None


def with_token(connector: EsmConnector, answer: Answer) -> Reply | str:
    found = connector.lookup("inquiry", answer.inquiry_id.strip())
    if found is None or not found.get("token"):
        return f"{site_name(connector)}에서 문의 {answer.inquiry_id.strip()} 을(를) 찾을 수 없습니다. 문의를 다시 수집한 뒤 보내세요"
    return Reply(answer.inquiry_id.strip(), answer.text, str(found["token"]))


def answer_body(replies: list[Reply]) -> dict[str, Any]:
    reply = replies[0]
    return {"messageNo": int(reply.inquiry_id), "token": reply.token, "answerStatus": 2,  # 2 완료 (reference §4.5)
            "title": "답변드립니다", "comments": reply.text}  # invented: the title text


def answered_with(item: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return str(item.get("answerComments") or "").strip() == str(wanted.get("text", "")).strip()
