"""위메프 W-API JSON <-> canonical records.

Kept apart from the spec in :mod:`mallbatch.connectors.wemakeprice.spec` so the field
mapping can be read against reference §1.4–1.8 on its own. Every record keeps the
mall's payload in ``raw``. Fields the reference does not show are marked ``invented``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mallbatch.domain.clock import KST, to_kst
from mallbatch.domain.couriers import find_courier
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
    ShippingInfo,
)
from mallbatch.domain.states import State

FMT = "%Y-%m-%d %H:%M:%S"  # every W-API timestamp (reference §1.4)

# Canonical courier code → WMP parcelCompanyCode (reference §6.3).
COURIER_CODES: dict[str, str] = {
    "EPOST": "D001",
    "CJ": "D002",
    "HANJIN": "D003",
    "LOGEN": "D004",
    "LOTTE": "D005",
    "ILYANG": "D007",
    "EMS": "D008",
    "CHUNIL": "D013",
    "KUNYOUNG": "D014",
    "DAESIN": "D018",
    "KDEXP": "D019",
    "CVSNET": "D020",
    "HDEXP": "D027",
    "CUPARCEL": "D040",
    "NHLOGIS": "D041",
    "DIRECT": "DIRECT",  # not a parcelCompanyCode: selects shipMethod DIRECT (직접배송)
}
COURIER_BY_MALL_CODE: dict[str, str] = {v: k for k, v in COURIER_CODES.items()}

# delivery.shipStatus → canonical. invented: the reference names the field but not its values.
ORDER_STATUS: dict[str, OrderStatus] = {
    "NEW": OrderStatus.PAID,
    "CONFIRM": OrderStatus.PREPARING,
    "DELIVERY": OrderStatus.SHIPPING,
    "COMPLETE": OrderStatus.DELIVERED,
    "DECIDE": OrderStatus.DECIDED,
    "CANCEL": OrderStatus.CANCELED,
    "RETURN": OrderStatus.RETURNED,
    "EXCHANGE": OrderStatus.EXCHANGED,
}
# The list answers claimType in Korean (reference §1.6); the request codes are accepted too.
CLAIM_KINDS: dict[str, ClaimKind] = {
    "취소": ClaimKind.CANCEL, "반품": ClaimKind.RETURN, "교환": ClaimKind.EXCHANGE,
    "CANCEL": ClaimKind.CANCEL, "RETURN": ClaimKind.RETURN, "EXCHANGE": ClaimKind.EXCHANGE,
}
PICKUP_STAGES = {"DELIVERY": State.COLLECTING, "COMPLETE": State.COLLECTED}  # invented: values
CLAIM_STATUS: dict[str, ClaimStatus] = {
    "REQUEST": ClaimStatus.REQUESTED,
    "PENDING": ClaimStatus.IN_PROGRESS,
    "APPROVE": ClaimStatus.DONE,
    "REJECT": ClaimStatus.REJECTED,
    "WITHDRAW": ClaimStatus.WITHDRAWN,
}
# claimStatus → the date searchDateType compares. invented: REJECT (the reference polls REQUEST, APPROVE,
# WITHDRAW; a claim the seller rejected is listed under REJECT by its rejectDate, so it is seen again).
CLAIM_DATE_FIELDS = {"REQUEST": "requestDate", "APPROVE": "approveDate", "WITHDRAW": "withdrawDate",
                     "REJECT": "rejectDate"}

# KC certification blocks of ``etc`` (reference §1.8), chosen by a word in the seller's 인증유형.
# Order matters: 생활화학 before 생활. inferred: which Korean wording belongs to which block.
KC_BLOCKS: tuple[tuple[str, str], ...] = (
    ("어린이", "kcKid"), ("전기", "kcElectric"), ("화학", "kcLifeChemistry"),
    ("생활", "kcLife"), ("방송", "kcReport"), ("전파", "kcReport"), ("적합성", "kcReport"),
)


def format_time(value: datetime) -> str:
    return to_kst(value).strftime(FMT)


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(str(value)[:19], FMT).replace(tzinfo=KST)
    except ValueError:
        return None


def courier_from_mall(delivery: dict[str, Any]) -> str:
    """Canonical courier of a delivery block: D-code, or a courier name (inferred: parcelCompany may be either)."""
    if delivery.get("shipMethod") == "DIRECT":
        return "DIRECT"
    value = str(delivery.get("parcelCompany") or "")
    if value in COURIER_BY_MALL_CODE:
        return COURIER_BY_MALL_CODE[value]
    courier = find_courier(value)
    return courier.code if courier else ""


def order_status(bundle: dict[str, Any]) -> tuple[OrderStatus, str]:
    raw = str((bundle.get("delivery") or {}).get("shipStatus") or "")
    return ORDER_STATUS.get(raw, OrderStatus.PAID), raw


def bundle_lines(bundle: dict[str, Any], mall: str, account: str) -> list[OrderLine]:
    """One OrderLine per orderOption; the bundle's shipPrice goes on its first line only."""
    delivery = bundle.get("delivery") or {}
    address = delivery.get("shipAddress") or {}
    bundle_status = order_status(bundle)
    head = {k: v for k, v in bundle.items() if k != "orderProduct"}
    lines: list[OrderLine] = []
    for product in bundle.get("orderProduct") or []:
        product_head = {k: v for k, v in product.items() if k != "orderOption"}
        price = int(product.get("productPrice") or 0)
        for option in product.get("orderOption") or []:
            quantity = int(option.get("optionQty") or 0)
            # invented: optionStatus CANCEL marks one 판매취소 / approved cancel of an option line
            status, status_raw = (OrderStatus.CANCELED, "CANCEL") if option.get("optionStatus") == "CANCEL" else bundle_status
            lines.append(OrderLine(
                mall=mall, account=account,
                line_id=str(option["orderOptionNo"]), order_id=str(product["orderNo"]), ship_unit=str(bundle["bundleNo"]),
                status=status, status_raw=status_raw,
                ordered_at=parse_time(bundle.get("orderDate")), paid_at=parse_time(bundle.get("payDate")),
                buyer_name=str(bundle.get("buyerName") or ""), buyer_phone=str(bundle.get("buyerPhone") or ""),
                receiver_name=str(delivery.get("name") or ""), receiver_phone=str(delivery.get("phone") or ""),
                receiver_phone2="",
                zip=str(address.get("zipcode") or ""), address=str(address.get("addrFixed") or ""),
                address_detail=str(address.get("addrDetail") or ""), memo=str(address.get("message") or ""),
                product_id=str(product.get("productNo") or ""), seller_code=str(product.get("sellerProductCode") or ""),
                product_name=str(product.get("productName") or ""), option_name=str(option.get("optionName") or ""),
                quantity=quantity, unit_price=price, amount=price * quantity,  # UKP: 판매단가 × 수량
                shipping_fee=int(bundle.get("shipPrice") or 0) if not lines else 0,
                courier=courier_from_mall(delivery), tracking_no=str(delivery.get("invoiceNo") or ""),
                raw={"bundle": head, "orderProduct": product_head, "orderOption": option},
                # reference §1.4 lists both; inferred: originShipDate is the 발송기한, shipCompleteDate 배송완료
                ship_by=parse_time(bundle.get("originShipDate")), delivered_at=parse_time(bundle.get("shipCompleteDate")),
            ))
    return lines


def to_claim(item: dict[str, Any], account: str, asked_kind: ClaimKind) -> Claim:
    """``asked_kind`` (the claimType queried) stands in when the mall's text is unfamiliar."""
    products = item.get("orderProduct") or []
    options = [o for p in products for o in p.get("orderOption") or []]
    pickup = item.get("pickup") or {}
    status_raw = str(item.get("claimStatus") or "")
    kind = CLAIM_KINDS.get(str(item.get("claimType") or ""), asked_kind)
    status, stage = claim_stage(item, kind)
    return Claim(
        mall="wemakeprice", account=account, claim_id=str(item["claimBundleNo"]),
        kind=kind, status=status, status_raw=status_raw, stage=stage,
        order_id=str(products[0].get("orderNo") or "") if products else "",
        line_ids=[str(o["orderOptionNo"]) for o in options], ship_unit=str(item.get("bundleNo") or ""),
        requested_at=parse_time(item.get("requestDate")),
        reason=" ".join(str(r) for r in (item.get("claimReason"), item.get("claimReasonDetail")) if r),
        quantity=sum(int(o.get("optionQty") or 0) for o in options),
        product_name=str(products[0].get("productName") or "") if products else "",
        option_name=", ".join(str(o["optionName"]) for o in options if o.get("optionName")),
        requester_name=str(pickup.get("name") or ""), requester_phone=str(pickup.get("phone") or ""),
        raw=item,
    )


def claim_stage(item: dict[str, Any], kind: ClaimKind) -> tuple[ClaimStatus, str]:
    """Status and the more precise State (``Claim.stage``) from what the claim shows beyond claimStatus:
    pendingDate (보류), pickup.shipStatus (수거), and for an approved exchange its delivery (재배송).
    invented: the pickup/delivery shipStatus values (the order's: DELIVERY 배송중, COMPLETE 완료) and
    that a held claim stays REQUEST (reference §1.6 lists pendingDate, not a pending claimStatus)."""
    raw = str(item.get("claimStatus") or "")
    pickup = str((item.get("pickup") or {}).get("shipStatus") or "")
    delivery = str((item.get("delivery") or {}).get("shipStatus") or "")
    if raw == "REQUEST" and item.get("pendingDate"):
        return ClaimStatus.IN_PROGRESS, State.HELD
    if raw == "REQUEST" and pickup in PICKUP_STAGES:
        return ClaimStatus.IN_PROGRESS, PICKUP_STAGES[pickup]
    if raw == "APPROVE" and kind is ClaimKind.EXCHANGE and delivery != "COMPLETE":
        return ClaimStatus.IN_PROGRESS, State.RESHIPPING if delivery else State.EXCHANGE_APPROVED
    return CLAIM_STATUS.get(raw, ClaimStatus.IN_PROGRESS), ""


def to_inquiry(item: dict[str, Any], account: str) -> Inquiry:
    """W-API Q&A items have no title: the subject is the question's first line."""
    question = str(item.get("question") or "")
    answer = str(item.get("answer") or "")
    return Inquiry(
        mall="wemakeprice", account=account, inquiry_id=str(item["qnaSeq"]), kind="상품문의",
        subject=question.splitlines()[0][:40] if question else "", body=question,
        product_id=str(item.get("productNo") or ""), product_name=str(item.get("productName") or ""),
        order_id=str(item.get("orderNo") or ""), asked_at=parse_time(item.get("questionDate")),
        writer=str(item.get("writerId") or ""),  # invented field
        answered=bool(answer), answer=answer, answered_at=parse_time(item.get("answerDate")), raw=item,
    )


def yn(flag: bool) -> str:
    return "Y" if flag else "N"


def kc_block(kind: str) -> str | None:
    return next((block for word, block in KC_BLOCKS if word in kind), None)


def listing_payload(listing: ProductListing, product_no: int, ship_policy_no: int) -> dict[str, Any]:
    """The ``setProduct`` body (reference §1.8); ``product_no`` 0 creates."""
    certs: dict[str, list[dict[str, str]]] = {block: [] for _, block in KC_BLOCKS}
    for cert in listing.certifications:
        block = kc_block(cert.kind)
        if block:
            certs[block].append({"certificationType": cert.kind, "certificationNo": cert.number})
    etc: dict[str, Any] = {}
    for block, items in certs.items():
        etc[f"{block}IsCertification"] = yn(bool(items))
        etc[f"{block}CertificationList"] = items
    etc.update({
        "parallelImportYn": "N", "sellerProdCode": listing.seller_code, "priceComparisonSiteYn": "Y",
        "keywordWemakeprice": ",".join(listing.keywords),
        # invented: origin, maker and dates as plain text (real payload uses lookup numbers)
        "originArea": listing.origin, "originAreaDetail": listing.origin_detail,
        "makeDate": listing.made_on.isoformat() if listing.made_on else None,
        "expireDate": listing.expires_on.isoformat() if listing.expires_on else None,
    })
    stock = sum(o.stock for o in listing.options) if listing.options else listing.stock
    return {
        "productNo": product_no,
        "basic": {
            "productName": listing.name, "productType": "N", "dcateCode": listing.mall_category,
            "shipPolicyNo": ship_policy_no, "adultLimitYn": yn(listing.adult_only), "displayYn": yn(listing.on_sale),
            "bizYn": "N",
            # invented: names instead of brandNo/makerNo (the brand/maker lookup paths are unknown)
            "brandName": listing.brand, "makerName": listing.maker,
            "modelName": listing.model_name, "modelNo": listing.model_no,
        },
        "sale": {
            # inferred: "A" = always on sale (seen in BOOXEN); "P" = dated period is invented
            "salePeriod": "A" if listing.sale_end >= date(2099, 1, 1) else "P",
            "saleStartDate": f"{listing.sale_start:%Y-%m-%d} 00:00", "saleEndDate": f"{listing.sale_end:%Y-%m-%d} 23:59",
            "originPrice": listing.list_price or listing.sale_price, "salePrice": listing.sale_price,
            "stockCount": stock, "taxYn": yn(listing.tax_type == "과세"),
            "purchaseMinCount": 1, "purchaseLimitYn": "N", "referencePriceType": "WMP",
        },
        "detail": {
            "basicImgUrl": listing.main_image, "addImgUrlList": list(listing.extra_images),
            "listImgUrl": listing.main_image, "descType": "HTML", "descHtml": listing.detail_html,
        },
        "option": option_payload(listing),
        "noticeList": [{
            "groupNoticeNo": int(listing.notice_group) if listing.notice_group.isdigit() else 0,
            "groupNoticeName": listing.notice_group,  # invented: real numbers come from getNotice
            "noticeList": [{"noticeNo": i, "noticeName": k, "description": v}
                           for i, (k, v) in enumerate(listing.notice.items(), start=1)],
        }],
        "etc": etc,
    }


def option_payload(listing: ProductListing) -> dict[str, Any]:
    """invented: the option list shapes (the reference only confirms the two *UseYn flags)."""
    if listing.option_type == "구매자입력형":
        return {"selectOptionUseYn": "N", "textOptionUseYn": "Y",
                "textOptionList": [{"textOptionName": n} for n in listing.option_names]}
    if not listing.options:
        return {"selectOptionUseYn": "N", "textOptionUseYn": "N"}
    return {
        "selectOptionUseYn": "Y", "textOptionUseYn": "N", "selectOptionTitleList": list(listing.option_names),
        "selectOptionList": [
            {"optionName": "/".join(c.values), "optionValueList": list(c.values),
             "addPrice": c.extra_price, "stockCount": c.stock, "displayYn": "Y"}
            for c in listing.options
        ],
    }


def ship_policy_payload(shipping: ShippingInfo) -> dict[str, Any]:
    """invented: ``setSellerShipPolicy`` body fields (the reference confirms only the path)."""
    def address(a: Any) -> dict[str, str]:
        return {"zipcode": a.zip, "addrFixed": a.address, "addrDetail": a.detail}

    return {
        "shipPolicyNo": 0, "shipPolicyName": shipping.name,
        "shipType": "BUNDLE" if "묶음" in shipping.bundle_type else "EACH",
        "shipMethod": "PARCEL" if "택배" in shipping.method else "DIRECT",
        "feeType": {"무료": "FREE", "조건부 무료": "CONDITIONAL", "유료": "PAID"}.get(shipping.fee_type, "PAID"),
        "shipFee": shipping.fee, "freeCondition": shipping.free_over,
        "jejuAddFee": shipping.jeju_fee, "islandAddFee": shipping.island_fee,
        "prepayment": yn(shipping.pay_type != "착불"),
        "returnFee": shipping.return_fee, "exchangeFee": shipping.exchange_fee,
        "releaseAddress": address(shipping.ship_from), "returnAddress": address(shipping.return_to),
        "releaseDay": shipping.lead_days,
    }


def to_mall_product(item: dict[str, Any], account: str) -> MallProduct:
    """One row of the (invented) product list: getProduct's shape (reference §1.8) with
    ``productStatus``. The stock is the product's ``sale.stockCount``; an option's stockCount is only
    what its selectOptionList shows (invented field, not kept by the mall per option)."""
    basic, sale, etc = (item.get(k) or {} for k in ("basic", "sale", "etc"))
    option = item.get("option") or {}
    combos = [] if option.get("selectOptionUseYn") != "Y" else option.get("selectOptionList") or []
    on_sale = str(item.get("productStatus") or "A") == "A"
    end = None if sale.get("salePeriod") == "A" else parse_sale_date(sale.get("saleEndDate"))
    return MallProduct(
        mall="wemakeprice", account=account, product_id=str(item["productNo"]),
        seller_code=str(etc.get("sellerProdCode") or item.get("sellerProdCode") or ""),
        name=str(basic.get("productName") or item.get("productName") or ""),
        sale_price=int(sale.get("salePrice") or 0), list_price=int(sale.get("originPrice") or 0),
        stock=int(sale.get("stockCount") or 0), on_sale=on_sale, category=str(basic.get("dcateCode") or ""),
        option_names=tuple(str(n) for n in option.get("selectOptionTitleList") or ()),
        options=tuple(OptionCombo(tuple(str(v) for v in c.get("optionValueList") or str(c.get("optionName", "")).split("/")),
                                  int(c.get("addPrice") or 0), int(c.get("stockCount") or 0)) for c in combos),
        sale_end=end, extra={"on_sale": on_sale}, raw=item,
    )


def parse_sale_date(value: Any) -> date | None:
    """sale.saleEndDate is ``yyyy-MM-dd HH:mm`` (reference §1.8)."""
    try:
        return datetime.strptime(str(value or ""), "%Y-%m-%d %H:%M").date()
    except ValueError:
        return None
