"""ESM Trading API JSON <-> canonical records (reference §4.3–4.6).

One OrderNo per option line (it is also what one invoice ships); PayNo is the basket, shown as the
주문번호 that groups lines. Claim rows carry no goods name, price or quantity (reference §4.4 quirk).
Fields the reference does not show are marked ``invented``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mallbatch.domain.clock import KST
from mallbatch.domain.records import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Inquiry,
    MallProduct,
    OptionCombo,
    OrderLine,
    OrderStatus,
    ProductListing,
)
from mallbatch.domain.states import State

SITE_TYPE = {"G": 2, "A": 1}  # RequestOrders / Returns / Exchanges siteType (reference §4.3)
CANCEL_SITE_TYPE = {"G": 3, "A": 1}  # Cancels: G마켓 is 3 — 2 silently answers nothing (reference §4.4)
SITE_KEY = {"G": "gmkt", "A": "iac"}  # the per-site keys of item APIs (reference §4.6)
PRICE_KEY = {"G": "Gmkt", "A": "Iac"}  # itemAddtionalInfo.price / stock keys (reference §4.6)
QNA_TYPES = {"G": (3,), "A": (1, 2)}  # reference §4.5: 1 옥션 게시판, 2 옥션 쪽지, 3 G마켓 게시판
QNA_KIND = {1: "옥션 게시판 문의", 2: "옥션 쪽지 문의", 3: "G마켓 게시판 문의"}
ADDRESS_HOLD = "배송지 변경 확인 필요"  # OrderCheck IsChanged=1: the buyer changed the address after paying

# Canonical courier → ESM DeliveryCompanyCode (reference §4.6; 10013/10007/10008 agreed by three sources,
# the rest second-hand; 우체국 10005 where one source says 10001).
COURIER_CODES: dict[str, str] = {
    "CJ": "10013", "HANJIN": "10007", "LOTTE": "10008", "LOGEN": "10003", "EPOST": "10005", "EMS": "10036",
    "NHLOGIS": "10143", "DIRECT": "10031",
}
COURIER_BY_CODE = {v: k for k, v in COURIER_CODES.items()}

ORDER_STATUS = {1: OrderStatus.PAID, 2: OrderStatus.PREPARING, 3: OrderStatus.SHIPPING, 4: OrderStatus.DELIVERED,
                5: OrderStatus.DECIDED}  # reference §4.3 orderStatus codes
ORDER_STATUS_KO = {1: "결제완료", 2: "배송준비중", 3: "배송중", 4: "배송완료", 5: "구매결정"}
CLAIM_SUFFIX = {ClaimKind.CANCEL: "C", ClaimKind.RETURN: "R", ClaimKind.EXCHANGE: "X"}
KIND_OF_SUFFIX = {v: k for k, v in CLAIM_SUFFIX.items()}
STATUS_FIELD = {ClaimKind.CANCEL: "CancelStatus", ClaimKind.RETURN: "ReturnStatus", ClaimKind.EXCHANGE: "ExchangeStatus"}
# invented: the status numbers' meanings (the reference gives only their ranges: CancelStatus 0..6, ReturnStatus 1..6)
CLAIM_STATUS: dict[ClaimKind, dict[int, tuple[ClaimStatus, str]]] = {
    ClaimKind.CANCEL: {1: (ClaimStatus.REQUESTED, ""), 3: (ClaimStatus.DONE, ""), 4: (ClaimStatus.WITHDRAWN, ""),
                       5: (ClaimStatus.REJECTED, "")},
    ClaimKind.RETURN: {1: (ClaimStatus.REQUESTED, ""), 2: (ClaimStatus.IN_PROGRESS, State.COLLECTING),
                       3: (ClaimStatus.IN_PROGRESS, State.COLLECTED), 4: (ClaimStatus.IN_PROGRESS, State.HELD),
                       5: (ClaimStatus.DONE, ""), 6: (ClaimStatus.WITHDRAWN, "")},
    ClaimKind.EXCHANGE: {1: (ClaimStatus.REQUESTED, ""), 2: (ClaimStatus.IN_PROGRESS, State.COLLECTING),
                         3: (ClaimStatus.IN_PROGRESS, State.COLLECTED), 4: (ClaimStatus.IN_PROGRESS, State.HELD),
                         5: (ClaimStatus.IN_PROGRESS, State.RESHIPPING), 6: (ClaimStatus.DONE, ""),
                         7: (ClaimStatus.WITHDRAWN, "")},
}


def parse_time(value: Any) -> datetime | None:
    """ESM answers ``YYYY-MM-DDThh:mm:ss`` (reference §5.4), in KST."""
    text = str(value or "").replace(" ", "T")[:19]
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=KST)
    except ValueError:
        return None


def as_int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def to_line(item: dict[str, Any], mall: str, account: str) -> OrderLine:
    status = as_int(item.get("OrderStatus"))
    address = str(item.get("DelFullAddress") or "")
    return OrderLine(
        mall=mall, account=account, line_id=str(item["OrderNo"]), order_id=str(item.get("PayNo") or item["OrderNo"]),
        ship_unit=str(item["OrderNo"]), status=ORDER_STATUS.get(status, OrderStatus.PAID),
        status_raw=ORDER_STATUS_KO.get(status, str(status)),
        ordered_at=parse_time(item.get("OrderDate")), paid_at=parse_time(item.get("PayDate")),
        buyer_name=str(item.get("BuyerName") or ""), buyer_phone=str(item.get("BuyerMobileTel") or item.get("BuyerTel") or ""),
        receiver_name=str(item.get("ReceiverName") or ""), receiver_phone=str(item.get("HpNo") or ""),
        receiver_phone2=str(item.get("TelNo") or ""), zip=str(item.get("ZipCode") or ""),
        address=address, address_detail="",  # DelFullAddress is one field (reference §4.3)
        memo=str(item.get("DelMemo") or ""), product_id=str(item.get("SiteGoodsNo") or ""),
        seller_code=str(item.get("OutGoodsNo") or ""), product_name=str(item.get("GoodsName") or ""),
        option_name=str(item.get("ItemOptionSelectList") or ""),  # invented: the option text field
        quantity=as_int(item.get("ContrAmount")), unit_price=as_int(item.get("SalePrice")),
        amount=as_int(item.get("OrderAmount")), shipping_fee=as_int(item.get("ShippingFee")),
        ship_by=parse_time(item.get("TransDueDate")),  # 발송마감일 (reference §4.3)
        courier=COURIER_BY_CODE.get(str(item.get("TakbaeName") or ""), ""), tracking_no=str(item.get("NoSongjang") or ""),
        raw=item,
    )


def claim_id(kind: ClaimKind, order_no: Any) -> str:
    """ESM claims are addressed by OrderNo; a suffix keeps a cancel and a later return of one line apart."""
    return f"{order_no}-{CLAIM_SUFFIX[kind]}"


def order_of(claim_key: str) -> str:
    return claim_key.strip().rsplit("-", 1)[0]


def to_claim(item: dict[str, Any], account: str, mall: str, kind: ClaimKind) -> Claim:
    code = as_int(item.get(STATUS_FIELD[kind]))
    status, stage = CLAIM_STATUS[kind].get(code, (ClaimStatus.IN_PROGRESS, ""))
    order_no = str(item["OrderNo"])
    return Claim(
        mall=mall, account=account, claim_id=claim_id(kind, order_no), kind=kind, status=status,
        status_raw=f"{STATUS_FIELD[kind]} {code}", stage=str(stage), order_id=str(item.get("PayNo") or order_no),
        line_ids=[order_no], ship_unit=order_no, requested_at=parse_time(item.get("RequestDate")),
        reason=str(item.get("ClaimReason") or ""), quantity=0, product_name="", option_name="",  # not in claim rows
        requester_name=str(item.get("BuyerName") or ""), requester_phone="", raw=item,
    )


def claim_stamp(claim: Claim) -> datetime | None:
    """The later of request and completion: a claim closed since the last collection is read again."""
    moments = [m for m in (claim.requested_at, parse_time(claim.raw.get("CompleteDate"))) if m]
    return max(moments) if moments else None


def to_inquiry(item: dict[str, Any], account: str, mall: str) -> Inquiry:
    answered = as_int(item.get("answerStatus")) == 2
    return Inquiry(
        mall=mall, account=account, inquiry_id=str(item["messageNo"]), kind=QNA_KIND.get(as_int(item.get("qnaType")), "문의"),
        subject=str(item.get("title") or ""), body=str(item.get("comments") or ""),
        product_id=str(item.get("goodsNo") or ""), product_name=str(item.get("goodsName") or ""),
        order_id=str(item.get("orderNo") or ""), asked_at=parse_time(item.get("regDate")),
        writer=str(item.get("buyerId") or ""), answered=answered, answer=str(item.get("answerComments") or ""),
        answered_at=parse_time(item.get("answerDate")), raw=item,
    )


# --- products -------------------------------------------------------------------------------------
def goods_payload(listing: ProductListing, sites: dict[str, str]) -> dict[str, Any]:
    """POST/PUT /item/v1/goods (reference §4.6 top-level shape); ``sites``: {"G"|"A": catCode} to list on.
    invented: managedCode (the seller's code), the options block, and the G마켓 maker/brand handling."""
    stock = sum(o.stock for o in listing.options) if listing.options else listing.stock
    return {
        "itemBasicInfo": {
            "goodsName": {"kor": listing.name},
            "category": {"site": [{"siteType": SITE_TYPE[s], "catCode": code} for s, code in sorted(sites.items())]},
        },
        "itemAddtionalInfo": {
            "managedCode": listing.seller_code,
            "price": {PRICE_KEY[s]: listing.sale_price for s in sites},
            "stock": {PRICE_KEY[s]: stock for s in sites},
            "shipping": {"type": 1, "companyNo": 0, "policy": {"placeNo": 0}},  # invented: the seller's defaults
            "images": {"basicImgURL": listing.main_image},
            "descriptions": {"kor": {"html": listing.detail_html}},
            "officialNotice": {"officialNoticeNo": listing.notice_group},
            "maker": listing.maker, "brand": listing.brand, "origin": listing.origin,  # invented: plain text fields
            "certifications": [{"kind": c.kind, "agency": c.agency, "number": c.number} for c in listing.certifications],
            "options": option_block(listing),
        },
    }


def option_block(listing: ProductListing) -> dict[str, Any]:
    """invented: the combination options (the reference shows no option fields)."""
    if not listing.options:
        return {}
    return {"names": [{"index": i, "name": n} for i, n in enumerate(listing.option_names)],
            "items": [{"values": list(c.values), "addPrice": c.extra_price, "stock": c.stock} for c in listing.options]}


def site_numbers(goods: dict[str, Any]) -> dict[str, str]:
    """{"gmkt": …, "iac": …} of a goods record or a create/modify answer's siteDetail."""
    detail = goods.get("siteDetail")
    if isinstance(detail, dict):
        return {k: str(v.get("SiteGoodsNo")) for k, v in detail.items() if isinstance(v, dict) and v.get("SiteGoodsNo")}
    return {k: str(v) for k, v in (goods.get("siteGoods") or {}).items() if v}


def to_mall_product(goods: dict[str, Any], account: str, mall: str, site: str) -> MallProduct:
    extra = goods.get("itemAddtionalInfo") or {}
    key, price_key = SITE_KEY[site], PRICE_KEY[site]
    options = extra.get("options") or {}
    names = tuple(str(n.get("name")) for n in options.get("names") or [])
    combos = tuple(OptionCombo(tuple(str(v) for v in i.get("values") or ()), as_int(i.get("addPrice")), as_int(i.get("stock")))
                   for i in options.get("items") or [])
    price = as_int((extra.get("price") or {}).get(price_key))
    return MallProduct(
        mall=mall, account=account, product_id=str(goods["goodsNo"]), seller_code=str(extra.get("managedCode") or ""),
        name=str(((goods.get("itemBasicInfo") or {}).get("goodsName") or {}).get("kor") or ""), sale_price=price,
        list_price=price, stock=as_int((extra.get("stock") or {}).get(price_key)),
        on_sale=bool((goods.get("isSell") or {}).get(key, False)), option_names=names, options=combos,
        extra={"goodsNo": str(goods["goodsNo"]), **site_numbers(goods)}, raw=goods,
    )
