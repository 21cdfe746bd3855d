"""네이버 커머스API JSON <-> canonical records for the 스마트스토어 connector.

Pure functions, no I/O: product-order ``query`` items to :class:`OrderLine` / :class:`Claim`,
the two inquiry systems to :class:`Inquiry`, a :class:`ProductListing` to a v2 product body,
and the courier code table (reference §2.8).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mallbatch.domain.records import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Inquiry,
    OrderLine,
    OrderStatus,
    ProductListing,
)
from mallbatch.domain.clock import KST, parse_iso

MALL = "smartstore"

# Canonical courier code -> Naver deliveryCompanyCode. DIRECT has no code: it is sent as
# deliveryMethod=DIRECT_DELIVERY. NHLOGIS is left out: its Naver code is not in the reference.
COURIER_CODES: dict[str, str] = {
    "CJ": "CJGLS",
    "HANJIN": "HANJIN",
    "LOTTE": "HYUNDAI",
    "LOGEN": "KGB",
    "EPOST": "EPOST",
    "KDEXP": "KDEXP",
    "DAESIN": "DAESIN",
    "ILYANG": "ILYANG",
    "CHUNIL": "CHUNIL",
    "HDEXP": "HDEXP",
    "CVSNET": "CVSNET",
    "CUPARCEL": "CUPARCEL",
    "KUNYOUNG": "KUNYOUNG",
    "EMS": "EMS",
}
CANONICAL_COURIER: dict[str, str] = {naver: canonical for canonical, naver in COURIER_CODES.items()}

ORDER_STATUS: dict[str, OrderStatus] = {
    "DELIVERING": OrderStatus.SHIPPING,
    "DELIVERED": OrderStatus.DELIVERED,
    "PURCHASE_DECIDED": OrderStatus.DECIDED,
    "CANCELED": OrderStatus.CANCELED,
    "RETURNED": OrderStatus.RETURNED,
    "EXCHANGED": OrderStatus.EXCHANGED,
}
CLAIM_KIND: dict[str, ClaimKind] = {
    "CANCEL": ClaimKind.CANCEL,
    "ADMIN_CANCEL": ClaimKind.CANCEL,
    "RETURN": ClaimKind.RETURN,
    "EXCHANGE": ClaimKind.EXCHANGE,
}
CLAIM_STATUS: dict[str, ClaimStatus] = {
    "CANCEL_REQUEST": ClaimStatus.REQUESTED,
    "RETURN_REQUEST": ClaimStatus.REQUESTED,
    "EXCHANGE_REQUEST": ClaimStatus.REQUESTED,
    "CANCELING": ClaimStatus.IN_PROGRESS,
    "ADMIN_CANCELING": ClaimStatus.IN_PROGRESS,
    "COLLECTING": ClaimStatus.IN_PROGRESS,
    "COLLECT_DONE": ClaimStatus.IN_PROGRESS,
    "EXCHANGE_REDELIVERING": ClaimStatus.IN_PROGRESS,
    "CANCEL_DONE": ClaimStatus.DONE,
    "ADMIN_CANCEL_DONE": ClaimStatus.DONE,
    "RETURN_DONE": ClaimStatus.DONE,
    "EXCHANGE_DONE": ClaimStatus.DONE,
    "CANCEL_REJECT": ClaimStatus.REJECTED,
    "ADMIN_CANCEL_REJECT": ClaimStatus.REJECTED,
    "RETURN_REJECT": ClaimStatus.REJECTED,
    "EXCHANGE_REJECT": ClaimStatus.REJECTED,
}
# What the orders sheet shows in its 클레임 column while a claim is open.
OPEN_CLAIM_TEXT: dict[str, str] = {
    "CANCEL_REQUEST": "취소요청",
    "CANCELING": "취소처리중",
    "ADMIN_CANCELING": "직권취소중",
    "RETURN_REQUEST": "반품요청",
    "EXCHANGE_REQUEST": "교환요청",
    "COLLECTING": "수거중",
    "COLLECT_DONE": "수거완료",
    "EXCHANGE_REDELIVERING": "교환재배송중",
    "PURCHASE_DECISION_HOLDBACK": "구매확정보류",
}
CLAIM_REASONS: dict[str, str] = {
    "INTENT_CHANGED": "구매 의사 취소",
    "SIMPLE_INTENT_CHANGED": "단순 변심",
    "COLOR_AND_SIZE": "색상 및 사이즈 변경",
    "WRONG_ORDER": "다른 상품 잘못 주문",
    "MISTAKE_ORDER": "주문 실수",
    "PRODUCT_UNSATISFIED": "서비스 및 상품 불만족",
    "DELAYED_DELIVERY": "배송 지연",
    "SOLD_OUT": "상품 품절",
    "BROKEN": "상품 파손",
    "INCORRECT_INFO": "상품 정보 상이",
    "WRONG_DELIVERY": "오배송",
    "WRONG_OPTION": "색상 등 다른 옵션 배송",
    "ETC": "기타",
}
# inferred: v2 taxType enum values.
TAX_TYPES = {"과세": "TAX", "면세": "DUTYFREE", "영세": "SMALL"}


def iso(moment: datetime) -> str:
    """Naver's date-time format: ISO-8601 with milliseconds and +09:00."""
    return moment.astimezone(KST).isoformat(timespec="milliseconds")



def order_status(product_order: dict[str, Any]) -> OrderStatus | None:
    """PAYED splits on placeOrderStatus (발주확인); unpaid orders are not collected."""
    status = product_order.get("productOrderStatus", "")
    if status == "PAYED":
        return OrderStatus.PREPARING if product_order.get("placeOrderStatus") == "OK" else OrderStatus.PAID
    return ORDER_STATUS.get(status)


def order_line(item: dict[str, Any], account: str) -> OrderLine | None:
    """One product-order ``query`` item; None for PAYMENT_WAITING / CANCELED_BY_NOPAYMENT."""
    order, po = item.get("order") or {}, item.get("productOrder") or {}
    status = order_status(po)
    if status is None:
        return None
    delivery = item.get("delivery") or {}
    address = po.get("shippingAddress") or {}
    courier = CANONICAL_COURIER.get(delivery.get("deliveryCompany") or "", delivery.get("deliveryCompany") or "")
    if delivery.get("deliveryMethod") == "DIRECT_DELIVERY":
        courier = "DIRECT"
    raw_status = po.get("productOrderStatus", "")
    if raw_status == "PAYED":
        raw_status = f"PAYED/{po.get('placeOrderStatus', '')}"
    quantity = int(po.get("quantity") or 0)
    return OrderLine(
        mall=MALL,
        account=account,
        line_id=str(po.get("productOrderId", "")),
        order_id=str(order.get("orderId", "")),
        ship_unit=str(po.get("productOrderId", "")),
        status=status,
        status_raw=raw_status,
        ordered_at=parse_iso(order.get("orderDate")),
        paid_at=parse_iso(order.get("paymentDate")),
        buyer_name=order.get("ordererName") or "",
        buyer_phone=order.get("ordererTel") or "",
        receiver_name=address.get("name") or "",
        receiver_phone=address.get("tel1") or "",
        receiver_phone2=address.get("tel2") or "",
        zip=address.get("zipCode") or "",
        address=address.get("baseAddress") or "",
        address_detail=address.get("detailedAddress") or "",
        memo=po.get("shippingMemo") or "",
        product_id=str(po.get("productId") or ""),
        seller_code=po.get("sellerProductCode") or "",
        product_name=po.get("productName") or "",
        option_name=po.get("productOption") or "",
        quantity=quantity,
        # inferred: unitPrice is the product price, optionPrice the per-unit option surcharge
        unit_price=int(po.get("unitPrice") or 0) + int(po.get("optionPrice") or 0),
        amount=int(po.get("totalPaymentAmount") or 0),
        shipping_fee=int(po.get("deliveryFeeAmount") or 0),
        courier=courier,
        tracking_no=delivery.get("trackingNumber") or "",
        claim=OPEN_CLAIM_TEXT.get(po.get("claimStatus") or "", ""),
        raw=item,
    )


def claim(item: dict[str, Any], account: str) -> Claim | None:
    """The claim open (or last closed) on one product order; None when there is none."""
    order, po = item.get("order") or {}, item.get("productOrder") or {}
    kind = CLAIM_KIND.get(po.get("claimType") or "")
    if kind is None:
        return None
    key = {ClaimKind.CANCEL: "cancel", ClaimKind.RETURN: "return", ClaimKind.EXCHANGE: "exchange"}[kind]
    # currentClaim replaces the deprecated top-level cancel/return/exchange (reference §2.5)
    body = (item.get("currentClaim") or {}).get(key) or item.get(key) or {}
    status_raw = body.get("claimStatus") or po.get("claimStatus") or ""
    status = CLAIM_STATUS.get(status_raw)
    if status is None:
        return None
    reason_code = body.get(f"{key}Reason") or ""
    reason = CLAIM_REASONS.get(reason_code, reason_code)
    detail = body.get(f"{key}DetailedReason") or ""
    line_id = str(po.get("productOrderId", ""))
    return Claim(
        mall=MALL,
        account=account,
        claim_id=str(body.get("claimId") or po.get("claimId") or ""),
        kind=kind,
        status=status,
        status_raw=status_raw,
        order_id=str(order.get("orderId", "")),
        line_ids=[line_id],
        ship_unit=line_id,
        requested_at=parse_iso(body.get("claimRequestDate")),
        reason=f"{reason} ({detail})" if reason and detail else reason or detail,
        quantity=int(body.get("requestQuantity") or po.get("quantity") or 0),
        product_name=po.get("productName") or "",
        option_name=po.get("productOption") or "",
        requester_name=order.get("ordererName") or "",
        requester_phone=order.get("ordererTel") or "",
        raw=item,
    )


def qna_inquiry(row: dict[str, Any], account: str) -> Inquiry:
    """상품 Q&A (contents/qnas)."""
    return Inquiry(
        mall=MALL,
        account=account,
        inquiry_id=f"QNA-{row.get('questionId')}",
        kind="상품문의",
        subject="",
        body=row.get("question") or "",
        product_id=str(row.get("productId") or ""),
        product_name=row.get("productName") or "",
        order_id="",
        asked_at=parse_iso(row.get("createDate")),
        writer=row.get("maskedWriterId") or "",
        answered=bool(row.get("answered")),
        answer=row.get("answer") or "",
        raw=row,
    )


def customer_inquiry(row: dict[str, Any], account: str) -> Inquiry:
    """네이버페이 고객문의 (pay-user/inquiries)."""
    category = row.get("category") or ""
    title = row.get("title") or ""
    return Inquiry(
        mall=MALL,
        account=account,
        inquiry_id=f"INQ-{row.get('inquiryNo')}",
        kind="고객문의",
        subject=f"[{category}] {title}" if category else title,
        body=row.get("inquiryContent") or "",
        product_id=str(row.get("productNo") or ""),
        product_name=row.get("productName") or "",
        order_id=str(row.get("orderId") or ""),
        asked_at=parse_iso(row.get("inquiryRegistrationDateTime")),
        writer=row.get("customerId") or "",
        answered=bool(row.get("answered")),
        answer=row.get("answerContent") or "",
        answered_at=parse_iso(row.get("answerRegistrationDateTime")),
        raw=row,
    )


def product_body(listing: ProductListing, as_phone: str = "") -> dict[str, Any]:
    """A ``POST /v2/products`` body. Field names beyond the §2.10 skeleton are inferred."""
    ship = listing.shipping
    fee_type = {"무료": "FREE", "조건부 무료": "CONDITIONAL_FREE", "유료": "PAID"}.get(ship.fee_type, "PAID")
    delivery_fee: dict[str, Any] = {
        "deliveryFeeType": fee_type,
        "baseFee": 0 if fee_type == "FREE" else ship.fee,
        "deliveryFeePayType": "COLLECT" if ship.pay_type == "착불" else "PREPAID",
        "deliveryFeeByArea": {"deliveryAreaType": "AREA_3", "area2extraFee": ship.jeju_fee, "area3extraFee": ship.island_fee},
    }
    if fee_type == "CONDITIONAL_FREE":
        delivery_fee["freeConditionalAmount"] = ship.free_over
    detail: dict[str, Any] = {
        "afterServiceInfo": {"afterServiceTelephoneNumber": as_phone, "afterServiceGuideContent": "상세페이지 참조"},
        # inferred: code "04" = 상세설명에 표시; the real origin code table is not in the reference
        "originAreaInfo": {"originAreaCode": "04", "content": " ".join(p for p in (listing.origin, listing.origin_detail) if p)},
        "taxType": TAX_TYPES.get(listing.tax_type, "TAX"),
        "minorPurchasable": not listing.adult_only,
        "productInfoProvidedNotice": {"productInfoProvidedNoticeType": listing.notice_group or "ETC", "etc": dict(listing.notice)},
        "sellerCodeInfo": {"sellerManagementCode": listing.seller_code},
        "seoInfo": {"sellerTags": [{"text": k} for k in listing.keywords[:10]]},
        "naverShoppingSearchInfo": {"modelName": listing.model_name, "manufacturerName": listing.maker, "brandName": listing.brand},
    }
    if listing.certifications:
        detail["productCertificationInfos"] = [
            {"certificationKindType": c.kind, "name": c.agency, "certificationNumber": c.number} for c in listing.certifications
        ]
    stock = listing.stock
    if listing.option_names and listing.option_type == "구매자입력형":
        detail["optionInfo"] = {"optionCustom": [{"groupName": n} for n in listing.option_names]}
    elif listing.option_names:
        names = {f"optionGroupName{i}": n for i, n in enumerate(listing.option_names, start=1)}
        detail["optionInfo"] = {
            "optionCombinationSortType": "CREATE",
            "optionCombinationGroupNames": names,
            "optionCombinations": [
                {**{f"optionName{i}": v for i, v in enumerate(c.values, start=1)},
                 "stockQuantity": c.stock, "price": c.extra_price, "usable": True}
                for c in listing.options
            ],
        }
        stock = sum(c.stock for c in listing.options)
    origin: dict[str, Any] = {
        "statusType": "SALE" if listing.on_sale else "SUSPENSION",
        "saleType": "NEW",
        "leafCategoryId": listing.mall_category,
        "name": listing.name,
        "detailContent": listing.detail_html,
        "images": {
            "representativeImage": {"url": listing.main_image},
            "optionalImages": [{"url": u} for u in listing.extra_images],
        },
        "saleStartDate": f"{listing.sale_start.isoformat()}T00:00:00.000+09:00",
        "saleEndDate": f"{listing.sale_end.isoformat()}T23:59:00.000+09:00",
        # Naver's salePrice is the price before the immediate discount.
        "salePrice": max(listing.list_price, listing.sale_price),
        "stockQuantity": stock,
        "deliveryInfo": {
            "deliveryType": "DELIVERY",
            "deliveryAttributeType": "NORMAL",
            "deliveryBundleGroupUsable": ship.bundle_type == "묶음배송",
            "deliveryFee": delivery_fee,
            "claimDeliveryInfo": {"returnDeliveryFee": ship.return_fee, "exchangeDeliveryFee": ship.exchange_fee},
        },
        "detailAttribute": detail,
    }
    if listing.list_price > listing.sale_price:
        origin["customerBenefit"] = {"immediateDiscountPolicy": {
            "discountMethod": {"value": listing.list_price - listing.sale_price, "unitType": "WON"},
        }}
    return {
        "originProduct": origin,
        "smartstoreChannelProduct": {
            "naverShoppingRegistration": True,
            "channelProductDisplayStatusType": "ON" if listing.on_sale else "SUSPENSION",
            "storeKeepExclusiveProduct": False,
        },
    }
