"""네이버 커머스API JSON <-> canonical records for the 스마트스토어 connector.

Pure functions, no I/O: product-order ``query`` items to :class:`OrderLine` / :class:`Claim`,
the two inquiry systems to :class:`Inquiry`, a :class:`ProductListing` to a v2 product body,
origin products to :class:`MallProduct` and to option-stock bodies, and the courier code table
(reference §2.8).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mallbatch.domain.clock import KST, parse_iso
from mallbatch.domain.records import (
    Claim,
    ClaimAction,
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
CLAIM_FIELD = {ClaimKind.CANCEL: "cancel", ClaimKind.RETURN: "return", ClaimKind.EXCHANGE: "exchange"}
# claimStatus → the one Korean state of the claim workbook (the raw code stays in status_raw).
# CANCELING is a cancel approved whose refund is still running: nothing is left for the seller.
CLAIM_STAGE: dict[str, State] = {
    "CANCEL_REQUEST": State.CANCEL_REQUESTED, "CANCELING": State.CANCELED, "CANCEL_DONE": State.CANCELED,
    "CANCEL_REJECT": State.CANCEL_REJECTED, "ADMIN_CANCELING": State.CANCELED, "ADMIN_CANCEL_DONE": State.CANCELED,
    "ADMIN_CANCEL_REJECT": State.CANCEL_REJECTED,
    "RETURN_REQUEST": State.RETURN_REQUESTED, "EXCHANGE_REQUEST": State.EXCHANGE_REQUESTED,
    "COLLECTING": State.COLLECTING, "COLLECT_DONE": State.COLLECTED, "EXCHANGE_REDELIVERING": State.RESHIPPING,
    "RETURN_DONE": State.RETURNED, "EXCHANGE_DONE": State.EXCHANGED,
    "RETURN_REJECT": State.RETURN_REJECTED, "EXCHANGE_REJECT": State.EXCHANGE_REJECTED,
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
        ship_by=parse_iso(po.get("shippingDueDate")),  # reference §2.5 (발송기한)
        delivered_at=parse_iso(delivery.get("deliveredDate")),
    )


def claim_key(product_order_id: str, claim_id: str) -> str:
    """Claim.claim_id: the product order first, so a read-back finds it from the journal's target
    alone (every claim action is per productOrderId), then Naver's claimId, which tells a product
    order's successive claims apart."""
    return f"{product_order_id}-{claim_id}" if claim_id else product_order_id


def product_order_of(action: ClaimAction) -> str:
    """The productOrderId a claim action is sent to (its claim id names it, see claim_key)."""
    named = action.claim_id.strip().partition("-")[0]
    return named if named.isdigit() else action.ship_unit.strip()


def claim_body(item: dict[str, Any], kind: ClaimKind) -> dict[str, Any] | None:
    """The product order's cancel/return/exchange claim: currentClaim replaces the deprecated
    top-level fields (reference §2.5)."""
    key = CLAIM_FIELD[kind]
    return (item.get("currentClaim") or {}).get(key) or item.get(key) or None


def claim_stage(status_raw: str, holdback: str) -> str:
    """The one Korean state of a claim (domain.states.State value); an open claim on hold is 보류
    whatever its step."""
    # second-hand: holdbackStatus HOLDBACK while held, RELEASED after
    if holdback == "HOLDBACK" and CLAIM_STATUS.get(status_raw) in (ClaimStatus.REQUESTED, ClaimStatus.IN_PROGRESS):
        return State.HELD.value
    found = CLAIM_STAGE.get(status_raw)
    return found.value if found else ""


def claim(item: dict[str, Any], account: str) -> Claim | None:
    """The claim open (or last closed) on one product order; None when there is none."""
    order, po = item.get("order") or {}, item.get("productOrder") or {}
    kind = CLAIM_KIND.get(po.get("claimType") or "")
    if kind is None:
        return None
    key = CLAIM_FIELD[kind]
    body = claim_body(item, kind) or {}
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
        claim_id=claim_key(line_id, str(body.get("claimId") or po.get("claimId") or "")),
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
        stage=claim_stage(status_raw, str(body.get("holdbackStatus") or "")),
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


# --- the catalogue: origin products as the mall shows them ----------------------------------
ORIGIN = "origin"  # ListingChange.extra of a prepared change: the origin product read just before the write
COMBINATION = "combination"  # … and the id of the option combination it changes (None: the whole product)
GROUP_NAMES = ("optionGroupName1", "optionGroupName2", "optionGroupName3")


def immediate_discount(origin: dict[str, Any]) -> int:
    """The WON cut of the immediate discount: Naver's salePrice minus it is what the buyer pays (product_body)."""
    method = ((origin.get("customerBenefit") or {}).get("immediateDiscountPolicy") or {}).get("discountMethod") or {}
    return int(method.get("value") or 0) if method.get("unitType") == "WON" else 0


def percent_discount(origin: dict[str, Any]) -> bool:
    """A rate discount: no sale price can be reached exactly by setting salePrice."""
    method = ((origin.get("customerBenefit") or {}).get("immediateDiscountPolicy") or {}).get("discountMethod") or {}
    return bool(method.get("value")) and method.get("unitType") not in (None, "WON")


def sale_price(origin: dict[str, Any]) -> int:
    return int(origin.get("salePrice") or 0) - immediate_discount(origin)


def option_names(origin: dict[str, Any]) -> tuple[str, ...]:
    names = (((origin.get("detailAttribute") or {}).get("optionInfo") or {}).get("optionCombinationGroupNames") or {})
    return tuple(names[k] for k in GROUP_NAMES if names.get(k))


def combinations(origin: dict[str, Any]) -> list[dict[str, Any]]:
    """The origin product's option combinations (the dicts themselves: a prepared write updates them)."""
    return list((((origin.get("detailAttribute") or {}).get("optionInfo") or {}).get("optionCombinations")) or [])


def combination_values(combination: dict[str, Any], count: int) -> tuple[str, ...]:
    return tuple(str(combination.get(f"optionName{i}") or "").strip() for i in range(1, count + 1))


def find_combination(origin: dict[str, Any], values: tuple[str, ...]) -> dict[str, Any] | None:
    wanted = tuple(v.strip() for v in values)
    count = len(option_names(origin)) or len(wanted)
    return next((c for c in combinations(origin) if combination_values(c, count) == wanted), None)


def stock_of(origin: dict[str, Any], values: tuple[str, ...]) -> int | None:
    """One combination's stock, or the product's (the sum of its combinations when it has options)."""
    if values:
        found = find_combination(origin, values)
        return None if found is None else int(found.get("stockQuantity") or 0)
    combos = combinations(origin)
    return sum(int(c.get("stockQuantity") or 0) for c in combos) if combos else int(origin.get("stockQuantity") or 0)


def listing_shows(found: Any, wanted: dict[str, Any]) -> bool:
    """Read-back of a stock, price or sale change: the origin product shows every value asked.

    판매재개 holds while the product is SALE or OUTOFSTOCK (resumed, but nothing in stock): only
    SUSPENSION is the seller's stop."""
    origin = (found or {}).get("originProduct") or {}
    option = tuple(wanted.get("option") or ())
    checks = []
    if wanted.get("stock") is not None:
        checks.append(stock_of(origin, option) == int(wanted["stock"]))
    if wanted.get("sale_price") is not None:
        checks.append(sale_price(origin) == int(wanted["sale_price"]))
    if wanted.get("on_sale") is not None:
        checks.append((origin.get("statusType") not in (None, "SUSPENSION")) == bool(wanted["on_sale"]))
    return bool(checks) and all(checks)


def shares(total: int, combos: list[dict[str, Any]]) -> list[int]:
    """The whole product's stock over its combinations (Naver keeps stock per combination): each keeps its
    share of the stock it has now (largest remainder; evenly when all are 0), so the product's total is
    ``total`` and 0 sells out every option. A decision of ours, not the mall's."""
    weights = [max(0, int(c.get("stockQuantity") or 0)) for c in combos] if combos else []
    if not weights:
        return []
    if not any(weights):
        weights = [1] * len(weights)
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    for n in sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))[:total - sum(counts)]:
        counts[n] += 1
    return counts


def option_stock_body(changes: list[Any]) -> dict[str, Any]:
    """One ``PUT origin-products/{no}/option-stock`` for the prepared changes of one product.

    second-hand (public clients): productSalePrice{salePrice}, optionInfo{optionCombinations[{id,
    stockQuantity, price, usable}], useStockManagement}. Whether a combination left out is kept or
    dropped is not documented, so every combination goes, as read just before with these changes
    applied; the read copy is updated too, so a later call for the same product builds on this one.
    """
    origin = changes[0].extra[ORIGIN]
    combos = combinations(origin)
    for change in changes:
        if change.stock is not None:
            if change.option:
                for combination in (c for c in combos if c.get("id") == change.extra[COMBINATION]):
                    combination["stockQuantity"] = change.stock
            elif combos:
                for combination, count in zip(combos, shares(change.stock, combos), strict=True):
                    combination["stockQuantity"] = count
            else:
                origin["stockQuantity"] = change.stock
        if change.sale_price is not None:
            origin["salePrice"] = change.sale_price + immediate_discount(origin)
    body: dict[str, Any] = {"originProductNo": changes[0].product_id,
                            "productSalePrice": {"salePrice": int(origin.get("salePrice") or 0)}}
    if combos:
        origin["stockQuantity"] = sum(int(c.get("stockQuantity") or 0) for c in combos)
        body["optionInfo"] = {"useStockManagement": True, "optionCombinations": [
            {"id": c.get("id"), "stockQuantity": int(c.get("stockQuantity") or 0), "price": int(c.get("price") or 0),
             "usable": c.get("usable", True)} for c in combos]}
    else:
        body["stockQuantity"] = int(origin.get("stockQuantity") or 0)  # invented: an option-less product's stock here
    return body


def mall_product(record: dict[str, Any], account: str) -> MallProduct:
    """One origin product (its ``GET /v2/products/origin-products/{no}`` answer with its number) as a listing."""
    origin = record.get("originProduct") or {}
    channel = record.get("smartstoreChannelProduct") or {}
    detail = origin.get("detailAttribute") or {}
    names = option_names(origin)
    options = tuple(OptionCombo(combination_values(c, len(names)), int(c.get("price") or 0), int(c.get("stockQuantity") or 0))
                    for c in combinations(origin) if c.get("usable", True))
    end = parse_iso(origin.get("saleEndDate"))
    # inferred: OUTOFSTOCK is only sold out (판매중), SUSPENSION and the mall's other states are not on sale
    on_sale = origin.get("statusType") in ("SALE", "OUTOFSTOCK") and channel.get("channelProductDisplayStatusType", "ON") == "ON"
    extra = {"option_ids": {"/".join(combination_values(c, len(names))): c["id"] for c in combinations(origin) if c.get("id")}}
    return MallProduct(
        mall=MALL, account=account, product_id=str(record.get("originProductNo") or ""),
        seller_code=str((detail.get("sellerCodeInfo") or {}).get("sellerManagementCode") or ""),
        name=str(origin.get("name") or ""), sale_price=sale_price(origin), list_price=int(origin.get("salePrice") or 0),
        stock=stock_of(origin, ()) or 0, on_sale=on_sale, category=str(origin.get("leafCategoryId") or ""),
        option_names=names, options=options, sale_end=end.astimezone(KST).date() if end else None,
        extra=extra if extra["option_ids"] else {}, raw=record)
