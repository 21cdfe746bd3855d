"""쿠팡 payloads <-> canonical records, courier codes and result-code messages.

Pure functions only (no HTTP), so the mapping can be read and tested on its own. Field
names follow shared/reference §1.3–1.10; every record keeps the mall payload in ``raw``.
"""

from __future__ import annotations

from typing import Any

from mallbatch.domain.clock import parse_iso
from mallbatch.domain.couriers import find_courier
from mallbatch.domain.records import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Inquiry,
    Invoice,
    ItemResult,
    OrderLine,
    OrderStatus,
    ProductListing,
)
from mallbatch.domain.states import State

# canonical courier code (mallbatch.domain.couriers) -> 쿠팡 deliveryCompanyCode (article 360034156033).
# NHLOGIS, KUNYOUNG, CUPARCEL and EMS have no code in the documented table.
COURIER_CODES: dict[str, str] = {
    "CJ": "CJGLS",
    "HANJIN": "HANJIN",
    "LOTTE": "HYUNDAI",  # 롯데택배 kept the code of 현대택배
    "LOGEN": "KGB",
    "EPOST": "EPOST",
    "KDEXP": "KDEXP",
    "DAESIN": "DAESIN",
    "ILYANG": "ILYANG",
    "CHUNIL": "CHUNIL",
    "HDEXP": "HDEXP",
    "CVSNET": "CVS",
    "DIRECT": "DIRECT",
}
CANONICAL_COURIERS: dict[str, str] = {**{v: k for k, v in COURIER_CODES.items()}, "KOREX": "CJ"}
# v5 ordersheets carry only ``deliveryCompanyName``; these are the names 쿠팡 shows.
COURIER_NAMES: dict[str, str] = {
    "CJ 대한통운": "CJ", "한진택배": "HANJIN", "롯데택배": "LOTTE", "현대택배": "LOTTE", "로젠택배": "LOGEN",
    "우체국": "EPOST", "경동택배": "KDEXP", "대신택배": "DAESIN", "일양택배": "ILYANG", "천일특송": "CHUNIL",
    "합동택배": "HDEXP", "CVS택배": "CVSNET", "업체직송": "DIRECT",
}

ORDER_STATUSES: dict[str, OrderStatus] = {
    "ACCEPT": OrderStatus.PAID,
    "INSTRUCT": OrderStatus.PREPARING,
    "DEPARTURE": OrderStatus.SHIPPING,  # 배송지시: invoice uploaded
    "DELIVERING": OrderStatus.SHIPPING,
    "FINAL_DELIVERY": OrderStatus.DELIVERED,
    "NONE_TRACKING": OrderStatus.SHIPPING,  # 업체직접배송/추적불가
}

RECEIPT_STATUSES: dict[str, ClaimStatus] = {
    "RELEASE_STOP_UNCHECKED": ClaimStatus.REQUESTED,
    "RETURNS_UNCHECKED": ClaimStatus.REQUESTED,
    "VENDOR_WAREHOUSE_CONFIRM": ClaimStatus.IN_PROGRESS,
    "REQUEST_COUPANG_CHECK": ClaimStatus.IN_PROGRESS,
    "RETURNS_COMPLETED": ClaimStatus.DONE,
}
EXCHANGE_STATUSES: dict[str, ClaimStatus] = {
    "RECEIPT": ClaimStatus.REQUESTED,
    "PROGRESS": ClaimStatus.IN_PROGRESS,
    "SUCCESS": ClaimStatus.DONE,
    "REJECT": ClaimStatus.REJECTED,
    "CANCEL": ClaimStatus.WITHDRAWN,
}

# Per-item resultCode (§1.4/§1.5) -> what the seller reads beside the row.
RESULT_MESSAGES: dict[str, str] = {
    "NOT_FOUND_SHIPMENT_BOX": "쿠팡에서 이 묶음배송번호를 찾을 수 없습니다",
    "INVALID_STATUS": "주문 상태가 맞지 않아 처리할 수 없습니다 (발주확인 전이거나 이미 처리된 주문)",
    "PERMISSION_DENIED": "이 업체(vendorId)의 주문이 아닙니다",
    "DUPLICATE_INVOICE_NUMBER": "이미 다른 주문에 등록된 송장번호입니다 (6개월 내 재사용 불가)",
    "INVALID_INVOICE_NUMBER": "택배사와 송장번호 형식이 맞지 않습니다",
    "ORDER_DELIVERY_CANCELED": "취소된 주문입니다. 발송하지 마세요",
    "ORDER_DELIVERY_PARTIAL_STOP_REQUESTED": "일부 상품에 출고중지 요청이 있습니다. 발송 전 확인하세요",
    "ORDER_DELIVERY_CANCELED_HOLDING_FOR_CANCEL": "고객이 취소(출고중지)를 요청한 주문입니다. 발송하지 마세요",
    "UNDEFINED_ERROR_OCCUR": "쿠팡 내부 오류입니다. 잠시 후 다시 시도하세요",
    "NOT_ALLOW_INVOICE_NUMBER_RE_UPLOAD": "이 송장번호는 다시 등록할 수 없습니다",
    "NOT_FOUND_INVOICE_NUMBER": "수정할 송장을 찾을 수 없습니다",
    "NOT_FOUND_VENDOR_ITEM": "묶음배송의 모든 상품에 송장을 함께 등록해야 합니다 (합포장 누락)",
    "NOT_ALLOW_VENDOR_DIRECT": "업체직송으로 등록할 수 없는 주문입니다",
    "PSD_NOT_ALLOW_TO_CHANGE": "송장을 변경할 수 없는 상태입니다",
    "NOT_ALLOW_SEPARATE_AFTER_NORMAL_DELIVERY": "일반 배송 후에는 분리배송할 수 없습니다",
    "IS_SEPARATE_MUST_BE_TRUE_WHEN_SEPARATE_DELIVERY": "한 묶음배송에 서로 다른 송장번호를 넣으려면 분리배송으로 보내야 합니다",
    "NOT_ALLOW_SEPARATE_WHEN_ONE_VENDOR_ITEM": "상품이 하나인 주문은 분리배송할 수 없습니다",
}


def result_message(code: str, mall_message: str) -> str:
    known = RESULT_MESSAGES.get(code)
    if known:
        return known
    return f"쿠팡 처리 실패 ({code}): {mall_message}" if mall_message else f"쿠팡 처리 실패 ({code})"


def units(value: Any) -> int:
    """v5 Money ``{currencyCode, units, nanos}`` or a v4 plain number -> whole won."""
    if isinstance(value, dict):
        return int(value.get("units") or 0)
    return int(value or 0)



def courier_from(name_or_code: str | None) -> str:
    """Canonical courier code for a 쿠팡 code or display name ("" when unknown)."""
    if not name_or_code:
        return ""
    if name_or_code in CANONICAL_COURIERS:
        return CANONICAL_COURIERS[name_or_code]
    if name_or_code in COURIER_NAMES:
        return COURIER_NAMES[name_or_code]
    found = find_courier(name_or_code)
    return found.code if found else ""


def line_id(box_id: Any, vendor_item_id: Any) -> str:
    return f"{box_id}-{vendor_item_id}"


def box_of(found: dict[str, Any]) -> dict[str, Any]:
    """The shipment box of a ``GET ordersheets/{shipmentBoxId}`` answer."""
    data = found.get("data")
    return data if isinstance(data, dict) else {}


# --- orders ---------------------------------------------------------------------------
def order_lines(box: dict[str, Any], mall: str, account: str) -> list[OrderLine]:
    """One OrderLine per orderItem of a shipment box; the box fee goes on its first line."""
    base_status = ORDER_STATUSES.get(box.get("status", ""), OrderStatus.PAID)
    orderer, receiver = box.get("orderer") or {}, box.get("receiver") or {}
    box_fields = {k: v for k, v in box.items() if k != "orderItems"}
    lines = []
    for index, item in enumerate(box.get("orderItems") or []):
        shipping, cancelled = int(item.get("shippingCount") or 0), int(item.get("cancelCount") or 0)
        hold = int(item.get("holdCountForCancel") or 0)
        # every ordered piece cancelled (reference §1.3: shippable = shippingCount - (hold + cancelCount)), or the
        # item flagged ``canceled`` (listed in §1.3; reading it as "cancelled in full" is inferred)
        fully_cancelled = (shipping > 0 and cancelled >= shipping) or item.get("canceled") is True
        claim = "취소요청" if hold > 0 else "부분취소" if cancelled > 0 and not fully_cancelled else ""
        lines.append(OrderLine(
            mall=mall,
            account=account,
            line_id=line_id(box["shipmentBoxId"], item["vendorItemId"]),
            order_id=str(box.get("orderId", "")),
            ship_unit=str(box["shipmentBoxId"]),
            status=OrderStatus.CANCELED if fully_cancelled else base_status,
            status_raw=str(box.get("status", "")),
            ordered_at=parse_iso(box.get("orderedAt")),
            paid_at=parse_iso(box.get("paidAt")),
            buyer_name=orderer.get("name") or "",
            buyer_phone=orderer.get("safeNumber") or orderer.get("ordererNumber") or "",
            receiver_name=receiver.get("name") or "",
            receiver_phone=receiver.get("safeNumber") or "",
            receiver_phone2=receiver.get("receiverNumber") or "",
            zip=receiver.get("postCode") or "",
            address=receiver.get("addr1") or "",
            address_detail=receiver.get("addr2") or "",
            memo=box.get("parcelPrintMessage") or "",
            product_id=str(item.get("sellerProductId", "")),
            seller_code=item.get("externalVendorSkuCode") or "",
            product_name=item.get("sellerProductName") or item.get("vendorItemName") or "",
            option_name=item.get("sellerProductItemName") or "",
            quantity=shipping - cancelled if shipping > cancelled else shipping,
            unit_price=units(item.get("salesPrice")),
            amount=units(item.get("orderPrice")),
            shipping_fee=units(box.get("shippingPrice")) + units(box.get("remotePrice")) if index == 0 else 0,
            courier=courier_from(box.get("deliveryCompanyName")),
            tracking_no=box.get("invoiceNumber") or "",
            claim=claim,
            raw={**box_fields, "orderItem": item},
            # second-hand (쿠팡's order export): plannedShippingDate is 분리배송 출고예정일, estimatedShippingDate
            # 주문시 출고예정일 (reference §1.3: yyyy-mm-dd)
            ship_by=parse_iso(item.get("plannedShippingDate") or item.get("estimatedShippingDate")),
            delivered_at=parse_iso(box.get("deliveredDate")),
        ))
    return lines


# --- claims ---------------------------------------------------------------------------
# releaseStopStatus (reference §1.7): a receipt that is not 비대상 came from a 출고중지요청, i.e. a cancel.
STOP_OPEN, STOPPED = "미처리", "처리(출고중지)"
ALREADY_SHIPPED = ("처리(이미출고)", "자동처리(이미출고)")  # the stop request was answered 이미출고 (취소거부)
RECEIPT_STAGES: dict[str, State] = {  # a return's receiptStatus, where it says more than its ClaimStatus
    "VENDOR_WAREHOUSE_CONFIRM": State.COLLECTED,  # 입고확인 done
    "REQUEST_COUPANG_CHECK": State.HELD,  # PR 쿠팡확인요청: the return waits on 쿠팡's check (inferred reading: 보류)
}
RESHIP_STATUSES = ("CompleteDirection", "Delivering", "CompleteDelivery", "VendorDirect")  # deliveryStatus (CPDOC19)
COLLECTING_STATUSES = ("CompleteDirection", "Delivering")  # collectStatus 회수연동 / 회수중 (CPDOC19)
COLLECTED_STATUS = "CompleteCollect"  # collectStatus 업체전달완료 (CPDOC19)


def is_stop_request(receipt: dict[str, Any]) -> bool:
    """A 출고중지요청 (RU) receipt, open or answered: the buyer's cancel while 상품준비중."""
    release = receipt.get("releaseStopStatus")
    return receipt.get("receiptStatus") == "RELEASE_STOP_UNCHECKED" or release in (STOP_OPEN, STOPPED, *ALREADY_SHIPPED)


def _receipt_state(receipt: dict[str, Any], kind: ClaimKind) -> tuple[ClaimStatus, str]:
    """ClaimStatus and the canonical stage of a receipt: a stop request answered 이미출고 is a rejected
    cancel while its receipt stays 반품접수 (inferred: the parcel is out, so 쿠팡 turns it into a return)."""
    status_raw, release = receipt.get("receiptStatus", ""), receipt.get("releaseStopStatus")
    status = RECEIPT_STATUSES.get(status_raw, ClaimStatus.IN_PROGRESS)
    if kind is ClaimKind.CANCEL:
        if release in ALREADY_SHIPPED:
            return ClaimStatus.REJECTED, State.CANCEL_REJECTED.value
        if release == STOPPED or status is ClaimStatus.DONE:
            return ClaimStatus.DONE, State.CANCELED.value
        return ClaimStatus.REQUESTED, State.CANCEL_REQUESTED.value
    stage = RECEIPT_STAGES.get(status_raw)
    return status, stage.value if stage else ""


def cancelled_box(receipt: dict[str, Any]) -> str | None:
    """The shipmentBoxId of a completed cancel receipt (cancelType=CANCEL, reference §1.7), so the box is
    re-read and its lines collected 취소: a box cancelled in full — by the seller (판매취소) or the buyer at
    결제완료 — no longer appears in the ordersheets lists (inferred: "Returned-complete boxes are not listed
    here" in §1.3, and the simulator's reading), so its lines would otherwise stay 결제완료 and be shipped.
    Inferred: one receipt's items are of one box (the simulator makes one receipt per box)."""
    if receipt.get("receiptType") != "CANCEL" or _receipt_state(receipt, ClaimKind.CANCEL)[0] is not ClaimStatus.DONE:
        return None
    box = next((i.get("shipmentBoxId") for i in receipt.get("returnItems") or [] if i.get("shipmentBoxId")), None)
    return str(box) if box else None


def receipt_claim(receipt: dict[str, Any], mall: str, account: str) -> Claim:
    """A returnRequests receipt. 출고중지요청 (RU) and cancelType=CANCEL receipts are cancels."""
    status_raw = receipt.get("receiptStatus", "")
    stop_flow = is_stop_request(receipt) and (receipt.get("releaseStopStatus") not in ALREADY_SHIPPED
                                              or status_raw in ("RELEASE_STOP_UNCHECKED", "RETURNS_UNCHECKED"))
    kind = ClaimKind.CANCEL if receipt.get("receiptType") == "CANCEL" or stop_flow else ClaimKind.RETURN
    status, stage = _receipt_state(receipt, kind)
    items = receipt.get("returnItems") or []
    first = items[0] if items else {}
    return Claim(
        mall=mall,
        account=account,
        claim_id=str(receipt["receiptId"]),
        kind=kind,
        status=status,
        status_raw=status_raw,
        order_id=str(receipt.get("orderId", "")),
        line_ids=[line_id(i.get("shipmentBoxId"), i.get("vendorItemId")) for i in items],
        ship_unit=str(first.get("shipmentBoxId", "")),
        requested_at=parse_iso(receipt.get("createdAt")),
        reason=receipt.get("cancelReason") or receipt.get("cancelReasonCategory2") or "",
        quantity=int(receipt.get("cancelCountSum") or sum(int(i.get("cancelCount") or 0) for i in items)),
        product_name=first.get("sellerProductName") or first.get("vendorItemName") or "",
        option_name=first.get("vendorItemName") or "",
        requester_name=receipt.get("requesterName") or "",
        requester_phone=receipt.get("requesterPhoneNumber") or "",
        raw=receipt,
        stage=stage,
    )


def exchange_stage(exchange: dict[str, Any]) -> str:
    """수거중 / 수거완료 / 재배송 of an exchange in 진행 (PROGRESS), from its collectStatus and deliveryStatus."""
    if exchange.get("exchangeStatus") != "PROGRESS":
        return ""
    if exchange.get("deliveryStatus") in RESHIP_STATUSES or exchange_invoices(exchange):
        return State.RESHIPPING.value
    if exchange.get("collectStatus") == COLLECTED_STATUS:
        return State.COLLECTED.value
    return State.COLLECTING.value


def exchange_invoices(exchange: dict[str, Any]) -> list[str]:
    """Invoice numbers of the exchange's new parcels (deliveryInvoiceGroupDtos[].deliveryInvoiceDtos[])."""
    return [str(inv.get("invoiceNumber")) for group in exchange.get("deliveryInvoiceGroupDtos") or []
            for inv in group.get("deliveryInvoiceDtos") or [] if inv.get("invoiceNumber")]


def exchange_claim(exchange: dict[str, Any], mall: str, account: str) -> Claim:
    """An exchangeRequests row; ids get an ``EX`` prefix so they never collide with receiptIds."""
    items = exchange.get("exchangeItemDtoV1s") or []
    first = items[0] if items else {}
    address = exchange.get("exchangeAddressDtoV1") or {}
    return Claim(
        mall=mall,
        account=account,
        claim_id=f"{EXCHANGE_PREFIX}{exchange['exchangeId']}",
        kind=ClaimKind.EXCHANGE,
        status=EXCHANGE_STATUSES.get(exchange.get("exchangeStatus", ""), ClaimStatus.IN_PROGRESS),
        status_raw=exchange.get("exchangeStatus", ""),
        order_id=str(exchange.get("orderId", "")),
        # inferred: orderItemId is the ordered option (vendorItemId)
        line_ids=[line_id(i.get("originalShipmentBoxId"), i.get("orderItemId")) for i in items],
        ship_unit=str(first.get("originalShipmentBoxId", "")),
        requested_at=parse_iso(exchange.get("createdAt")),
        reason=exchange.get("reasonCodeText") or exchange.get("reasonCode") or "",
        quantity=sum(int(i.get("quantity") or 0) for i in items),
        product_name=first.get("orderItemName") or "",
        option_name=first.get("targetItemName") or "",
        requester_name=address.get("returnCustomerName") or "",
        requester_phone=address.get("returnMobile") or "",
        raw=exchange,
        stage=exchange_stage(exchange),
    )


EXCHANGE_PREFIX = "EX"


def exchange_id(claim_id: str) -> str | None:
    """The exchangeId of an ``EX…`` claim id (None for a receiptId)."""
    return claim_id[len(EXCHANGE_PREFIX):] if claim_id.startswith(EXCHANGE_PREFIX) else None


# --- inquiries ------------------------------------------------------------------------
def inquiry(row: dict[str, Any], mall: str, account: str) -> Inquiry:
    comments = row.get("commentDtoList") or []
    last = comments[-1] if comments else {}
    return Inquiry(
        mall=mall,
        account=account,
        inquiry_id=str(row["inquiryId"]),
        kind="상품문의",
        subject="",
        body=row.get("content") or "",
        product_id=str(row.get("productId") or ""),
        product_name="",
        order_id=",".join(str(o) for o in row.get("orderIds") or []),
        asked_at=parse_iso(row.get("inquiryAt")),
        writer=row.get("buyerEmail") or "",
        answered=bool(comments),
        answer=last.get("content") or "",
        answered_at=parse_iso(last.get("inquiryCommentAt")),
        raw=row,
    )


# --- products -------------------------------------------------------------------------
TAX_TYPES = {"과세": "TAX", "면세": "FREE", "영세": "ZERO"}  # inferred: only TAX appears in samples
FEE_TYPES = {"무료": "FREE", "조건부 무료": "CONDITIONAL_FREE", "유료": "NOT_FREE"}  # inferred beyond FREE


def _items(listing: ProductListing) -> list[dict[str, Any]]:
    """One 쿠팡 item per option combination (or one item without options)."""
    images = [{"imageOrder": 0, "imageType": "REPRESENTATION", "vendorPath": listing.main_image}]
    images += [{"imageOrder": n, "imageType": "DETAIL", "vendorPath": url} for n, url in enumerate(listing.extra_images, 1)]
    certifications = [{"certificationType": c.kind, "certificationCode": c.number} for c in listing.certifications]
    common = {
        "maximumBuyForPerson": 0, "maximumBuyForPersonPeriod": 1, "outboundShippingTimeDay": listing.shipping.lead_days,
        "unitCount": 1, "adultOnly": "ADULT_ONLY" if listing.adult_only else "EVERYONE",
        "taxType": TAX_TYPES.get(listing.tax_type, "TAX"), "parallelImported": "NOT_PARALLEL_IMPORTED",
        "overseasPurchased": "NOT_OVERSEAS_PURCHASED", "pccNeeded": False,
        "externalVendorSku": listing.seller_code,  # the 자체상품코드 find_product reads back
        "emptyBarcode": True, "emptyBarcodeReason": "바코드 없음", "modelNo": listing.model_no,
        "certifications": certifications or [{"certificationType": "NOT_REQUIRED", "certificationCode": ""}],
        "searchTags": list(listing.keywords)[:20], "images": images,
        "notices": [{"noticeCategoryName": listing.notice_group, "noticeCategoryDetailName": k, "content": v}
                    for k, v in listing.notice.items()],
        "contents": [{"contentsType": "TEXT", "contentDetails": [{"content": listing.detail_html, "detailType": "TEXT"}]}],
        "offerCondition": "NEW", "offerDescription": "",
    }
    if not listing.options:
        return [{**common, "itemName": listing.name, "originalPrice": listing.list_price, "salePrice": listing.sale_price,
                 "maximumBuyCount": listing.stock, "attributes": []}]
    return [{
        **common,
        "itemName": " ".join(combo.values),
        "originalPrice": listing.list_price + combo.extra_price,
        "salePrice": listing.sale_price + combo.extra_price,
        "maximumBuyCount": combo.stock,
        "attributes": [{"attributeTypeName": n, "attributeValueName": v} for n, v in zip(listing.option_names, combo.values)],
    } for combo in listing.options]


def product_body(listing: ProductListing, vendor_id: str, settings: dict[str, str]) -> dict[str, Any]:
    """POST/PUT seller-products body. ``settings`` holds account-level Wing registrations."""
    ship = listing.shipping
    return {
        "displayCategoryCode": int(listing.mall_category),
        "sellerProductName": listing.name,
        "vendorId": vendor_id,
        "saleStartedAt": f"{listing.sale_start.isoformat()}T00:00:00",
        "saleEndedAt": f"{listing.sale_end.isoformat()}T23:59:59",
        "displayProductName": listing.name,
        "brand": listing.brand,
        "generalProductName": listing.name,
        "productGroup": listing.category_path[-1] if listing.category_path else "",
        "deliveryMethod": "SEQUENCIAL",
        "deliveryCompanyCode": settings["delivery_company"],
        "deliveryChargeType": FEE_TYPES.get(ship.fee_type, "FREE"),
        "deliveryCharge": ship.fee,
        "freeShipOverAmount": ship.free_over,
        "deliveryChargeOnReturn": ship.return_fee,
        "remoteAreaDeliverable": "Y",
        "unionDeliveryType": "UNION_DELIVERY" if ship.bundle_type == "묶음배송" else "NOT_UNION_DELIVERY",
        "returnCenterCode": settings["return_center_code"],
        "returnChargeName": ship.name,
        "companyContactNumber": settings["company_contact"],
        "returnZipCode": ship.return_to.zip,
        "returnAddress": ship.return_to.address,
        "returnAddressDetail": ship.return_to.detail,
        "returnCharge": ship.return_fee,
        "outboundShippingPlaceCode": settings["outbound_shipping_place_code"],
        "vendorUserId": settings["wing_user_id"],
        "requested": listing.on_sale,
        "items": _items(listing),
    }


def merge_items(new_items: list[dict[str, Any]], current_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Carry ids of existing options by itemName; options missing from the sheet are kept sold out
    because 쿠팡 refuses to delete an item once it has a vendorItemId."""
    current = {i.get("itemName"): i for i in current_items}
    merged = []
    for item in new_items:
        old = current.pop(item["itemName"], None)
        if old is not None:
            item = {**item, "sellerProductItemId": old.get("sellerProductItemId"), "vendorItemId": old.get("vendorItemId")}
        merged.append(item)
    merged.extend({**old, "maximumBuyCount": 0} for old in current.values())
    return merged


# --- writes ---------------------------------------------------------------------------
def invoice_dtos(invoice: Invoice) -> list[dict[str, Any]]:
    """One orderSheetInvoiceApplyDto per vendorItemId of the box (line ids ``box-vendorItemId``)."""
    return [{
        "shipmentBoxId": int(invoice.ship_unit), "orderId": int(invoice.order_id), "vendorItemId": int(lid.partition("-")[2]),
        "deliveryCompanyCode": COURIER_CODES[invoice.courier], "invoiceNumber": invoice.tracking_no, "splitShipping": False,
        "preSplitShipped": False, "estimatedShippingDate": "",
    } for lid in invoice.line_ids]


def box_results(body: dict[str, Any], keys: list[str]) -> list[ItemResult]:
    """Per-box results of a bulk write: ``data.responseList[{shipmentBoxId, succeed, resultCode, resultMessage}]``."""
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    answers = {str(r.get("shipmentBoxId")): r for r in data.get("responseList") or []}
    results = []
    for key in keys:
        answer = answers.get(key)
        if answer is None:
            results.append(ItemResult(key, False, "NO_RESULT", "쿠팡 응답에 이 주문의 결과가 없습니다"))
        elif answer.get("succeed"):
            results.append(ItemResult(key, True, str(answer.get("resultCode") or "OK")))
        else:
            code = str(answer.get("resultCode") or "NO_RESULT")
            results.append(ItemResult(key, False, code, result_message(code, str(answer.get("resultMessage") or ""))))
    return results


def product_id(body: dict[str, Any]) -> str | None:
    """``{"code":"SUCCESS","data":id}`` or the older ``{"code":"200","data":{"code":"SUCCESS","data":id}}``."""
    inner = body.get("data")
    if isinstance(inner, dict):
        body, inner = inner, inner.get("data")
    return None if str(body.get("code")) not in ("SUCCESS", "200") or inner in (None, "") else str(inner)
