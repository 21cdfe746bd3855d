"""Documents of the 스마트스토어 simulator: product orders shaped like
``POST /v1/pay-order/seller/product-orders/query`` items, claims, the two inquiry kinds,
v2 product validation, and the seeded generator.

Kept apart from the HTTP handlers so the simulator module stays readable. Field names follow
reference §2.5/§2.9/§2.10; values are seeded sample data (Korean names, addresses, phones).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mallbatch.sandbox.engine import fixtures
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Claim, Unit, claimable
from mallbatch.sandbox.store import SimStore

KST = ZoneInfo("Asia/Seoul")

PAY_MEANS = ("신용카드", "신용카드 간편결제", "계좌 간편결제", "포인트/머니결제", "무통장입금")
CANCEL_REASONS = ("INTENT_CHANGED", "SOLD_OUT", "DELAYED_DELIVERY", "WRONG_ORDER")
RETURN_REASONS = ("INTENT_CHANGED", "BROKEN", "WRONG_DELIVERY", "PRODUCT_UNSATISFIED")
EXCHANGE_REASONS = ("COLOR_AND_SIZE", "WRONG_OPTION", "BROKEN")
INQUIRY_TEXTS = (
    ("배송", "배송이 아직 안 왔어요", "주문한 지 5일이 지났는데 아직 배송 출발을 안 했다고 나옵니다. 확인 부탁드립니다."),
    ("교환", "사이즈 교환 문의", "M으로 주문했는데 L로 교환 가능할까요?"),
    ("반품", "반품 접수 방법", "상품이 마음에 들지 않아 반품하고 싶습니다. 어떻게 하면 되나요?"),
    ("상품", "색상 문의", "사진과 실제 색상이 많이 다른가요?"),
    ("환불", "환불 언제 되나요", "취소했는데 환불이 언제 처리되는지 궁금합니다."),
)

# Used when no product was registered through the API yet. invented: sample catalogue.
SYNTHETIC_PRODUCTS: tuple[dict[str, Any], ...] = (
    {"originProductNo": 5000000001, "smartstoreChannelProductNo": 5100000001, "name": "국내산 꿀고구마 3kg (중)",
     "sellerManagementCode": "SAMPLE-GOGUMA-3KG", "salePrice": 15900, "groups": [], "combos": []},
    {"originProductNo": 5000000002, "smartstoreChannelProductNo": 5100000002, "name": "남녀공용 오버핏 맨투맨",
     "sellerManagementCode": "SAMPLE-MTM-01", "salePrice": 29800, "groups": ["색상", "사이즈"],
     "combos": [(("블랙", "M"), 0), (("블랙", "L"), 0), (("그레이", "L"), 1000), (("그레이", "XL"), 2000)]},
)


def iso(moment: datetime) -> str:
    """Naver's date-time format: ISO-8601, milliseconds, +09:00."""
    return moment.astimezone(KST).isoformat(timespec="milliseconds")


def catalogue_entry(product: dict[str, Any]) -> dict[str, Any]:
    """Reduce a stored (registered) product to what an order needs."""
    origin = product.get("originProduct", {})
    option_info = origin.get("detailAttribute", {}).get("optionInfo") or {}
    names = option_info.get("optionCombinationGroupNames") or {}
    groups = [names[k] for k in ("optionGroupName1", "optionGroupName2", "optionGroupName3") if names.get(k)]
    combos = [
        (tuple(c.get(f"optionName{i}", "") for i in range(1, len(groups) + 1)), int(c.get("price", 0)))
        for c in option_info.get("optionCombinations") or []
    ]
    return {
        "originProductNo": product["originProductNo"],
        "smartstoreChannelProductNo": product["smartstoreChannelProductNo"],
        "name": product["name"],
        "sellerManagementCode": product.get("sellerManagementCode", ""),
        "salePrice": int(product.get("salePrice", 0)),
        "groups": groups,
        "combos": combos,
    }


def new_order(rng: random.Random, order_id: str, now: datetime) -> dict[str, Any]:
    name, phone = fixtures.person(rng)
    return {
        "orderId": order_id,
        "orderDate": iso(now),
        "ordererId": fixtures.masked_id(rng),
        "ordererNo": str(rng.randint(100000000, 999999999)),
        "ordererName": name,
        "ordererTel": phone,
        "paymentDate": iso(now),
        "paymentMeans": rng.choice(PAY_MEANS),
        "payLocationType": rng.choice(("PC", "MOBILE")),
        "generalPaymentAmount": 0,
        "naverMileagePaymentAmount": 0,
        "orderDiscountAmount": 0,
        "isDeliveryMemoParticularInput": False,
        "isMembershipSubscribed": rng.random() < 0.3,
    }


def new_product_order(
    rng: random.Random, order: dict[str, Any], product_order_id: str, product: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """One ``query`` item (order + productOrder) in state PAYED / NOT_YET."""
    quantity = rng.choice((1, 1, 1, 2, 3))
    option_text, option_price = "", 0
    if product["combos"]:
        values, option_price = rng.choice(product["combos"])
        option_text = " / ".join(f"{g}: {v}" for g, v in zip(product["groups"], values, strict=False))
    unit_price = int(product["salePrice"])
    total = (unit_price + option_price) * quantity
    fee = 0 if total >= 30000 else 3000
    receiver, phone = fixtures.person(rng)
    zip_code, address, detail = fixtures.address(rng)
    order["generalPaymentAmount"] = int(order["generalPaymentAmount"]) + total + fee
    return {
        "order": order,
        "productOrder": {
            "productOrderId": product_order_id,
            "productOrderStatus": "PAYED",
            "placeOrderStatus": "NOT_YET",
            "productId": str(product["smartstoreChannelProductNo"]),
            "originalProductId": str(product["originProductNo"]),
            "merchantChannelId": "500012345",  # invented: one sandbox channel
            "productName": product["name"],
            "productOption": option_text,
            "optionPrice": option_price,
            "sellerProductCode": product["sellerManagementCode"],
            "quantity": quantity,
            "initialQuantity": quantity,
            "remainQuantity": quantity,
            "unitPrice": unit_price,
            "totalProductAmount": total,
            "productDiscountAmount": 0,
            "totalPaymentAmount": total + fee,
            "deliveryFeeAmount": fee,
            "deliveryPolicyType": "조건부 무료" if fee == 0 else "유료",
            "shippingFeeType": "선결제",
            "shippingAddress": {
                "name": receiver, "tel1": phone, "tel2": "", "zipCode": zip_code, "baseAddress": address,
                "detailedAddress": detail, "isRoadNameAddress": True, "addressType": "DOMESTIC",
            },
            "shippingMemo": fixtures.memo(rng),
            "shippingDueDate": iso(now.replace(hour=23, minute=59, second=59, microsecond=0)),
            "expectedDeliveryMethod": "DELIVERY",
            "deliveryAttributeType": "NORMAL",
            "taxType": "TAXATION",
        },
        "completedClaims": [],
    }


def claim_document(rng: random.Random, kind: str, claim_id: str, quantity: int, now: datetime) -> dict[str, Any]:
    """A ``currentClaim.cancel|return|exchange`` body in its *_REQUEST state."""
    base = {"claimId": claim_id, "claimRequestDate": iso(now), "requestChannel": "구매자", "requestQuantity": quantity}
    if kind == "CANCEL":
        return {**base, "claimStatus": "CANCEL_REQUEST", "cancelReason": rng.choice(CANCEL_REASONS),
                "cancelDetailedReason": "구매자가 취소를 요청했습니다."}
    collect = {"collectStatus": "NOT_REQUESTED", "collectDeliveryMethod": "RETURN_DESIGNATED"}
    if kind == "RETURN":
        return {**base, **collect, "claimStatus": "RETURN_REQUEST", "returnReason": rng.choice(RETURN_REASONS),
                "returnDetailedReason": "상품이 설명과 달라 반품 요청합니다."}
    return {**base, **collect, "claimStatus": "EXCHANGE_REQUEST", "exchangeReason": rng.choice(EXCHANGE_REASONS),
            "exchangeDetailedReason": "다른 옵션으로 교환 요청합니다."}


def new_qna(rng: random.Random, question_id: int, product: dict[str, Any], now: datetime) -> dict[str, Any]:
    answered = rng.random() < 0.3
    return {
        "questionId": question_id,
        "productId": str(product["smartstoreChannelProductNo"]),
        "productName": product["name"],
        "question": fixtures.question(rng),
        "answer": fixtures.ANSWER if answered else None,
        "answered": answered,
        "maskedWriterId": fixtures.masked_id(rng),
        "createDate": iso(now),
    }


def new_inquiry(
    rng: random.Random, inquiry_no: int, line: dict[str, Any] | None, product: dict[str, Any], now: datetime
) -> dict[str, Any]:
    category, title, content = rng.choice(INQUIRY_TEXTS)
    answered = rng.random() < 0.3
    order_id, product_order_ids, option = "", "", ""
    if line is not None:
        order_id = line["order"]["orderId"]
        product_order_ids = line["productOrder"]["productOrderId"]
        option = line["productOrder"].get("productOption", "")
    name, _ = fixtures.person(rng)
    return {
        "inquiryNo": inquiry_no,
        "category": category,
        "title": title,
        "inquiryContent": content,
        "inquiryRegistrationDateTime": iso(now),
        "answerContentId": inquiry_no + 700000000 if answered else None,
        "answerContent": fixtures.ANSWER if answered else None,
        "answerTemplateNo": None,
        "answerRegistrationDateTime": iso(now) if answered else None,
        "answered": answered,
        "orderId": order_id,
        "productNo": str(product["smartstoreChannelProductNo"]),
        "productOrderIdList": product_order_ids,
        "productName": product["name"],
        "productOrderOption": option,
        "customerId": fixtures.masked_id(rng),
        "customerName": name[0] + "*" + name[2:],
    }


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def touch(item: dict[str, Any], change_type: str, now: datetime) -> None:
    """Record the last change of a product order, which ``last-changed-statuses`` lists."""
    item["lastChangedType"], item["lastChangedDate"], item["changed_ms"] = change_type, iso(now), ms(now)


def product_problems(body: dict[str, Any]) -> list[dict[str, str]]:
    """``invalidInputs`` for a v2 product body; the limits marked inferred are not published."""
    origin = body.get("originProduct")
    if not isinstance(origin, dict):
        return [{"name": "originProduct", "type": "NotNull", "message": "originProduct 가 필요합니다."}]
    problems: list[dict[str, str]] = []

    def bad(name: str, type_: str, message: str) -> None:
        problems.append({"name": f"originProduct.{name}", "type": type_, "message": message})

    name = origin.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("name", "NotBlank", "상품명을 입력해 주세요.")
    elif len(name) > 100:  # inferred limit
        bad("name", "Length", "상품명은 100자 이하로 입력해 주세요.")
    if not origin.get("leafCategoryId"):
        bad("leafCategoryId", "NotNull", "리프 카테고리 ID를 입력해 주세요.")
    price = origin.get("salePrice")
    if not isinstance(price, int) or not 10 <= price <= 999_999_990:  # inferred range
        bad("salePrice", "Range", "판매가는 10원 이상 999,999,990원 이하로 입력해 주세요.")
    if not isinstance(origin.get("stockQuantity"), int) or origin["stockQuantity"] < 0:
        bad("stockQuantity", "Min", "재고수량은 0 이상이어야 합니다.")
    if not ((origin.get("images") or {}).get("representativeImage") or {}).get("url"):
        bad("images.representativeImage.url", "NotNull", "대표 이미지를 입력해 주세요.")
    if not origin.get("detailContent"):
        bad("detailContent", "NotBlank", "상세 설명을 입력해 주세요.")
    if origin.get("statusType") not in ("SALE", "SUSPENSION", "OUTOFSTOCK"):
        bad("statusType", "Invalid", "판매 상태 값이 올바르지 않습니다.")
    option_info = (origin.get("detailAttribute") or {}).get("optionInfo") or {}
    names = option_info.get("optionCombinationGroupNames") or {}
    if set(names) - {"optionGroupName1", "optionGroupName2", "optionGroupName3"}:
        bad("detailAttribute.optionInfo.optionCombinationGroupNames", "Size", "옵션명은 최대 3개까지 가능합니다.")
    values = {
        (i, combo.get(f"optionName{i}"))
        for combo in option_info.get("optionCombinations") or [] for i in (1, 2, 3) if combo.get(f"optionName{i}")
    }
    if len(values) > 500:  # peer-tools §2.1: ≤500 option values in total
        bad("detailAttribute.optionInfo.optionCombinations", "Size", "옵션값은 최대 500개까지 가능합니다.")
    return problems


def search_row(product: dict[str, Any]) -> dict[str, Any]:
    """One ``contents`` item of the product search answer. inferred shape."""
    return {
        "originProductNo": product["originProductNo"],
        "channelProducts": [{
            "originProductNo": product["originProductNo"], "channelProductNo": product["smartstoreChannelProductNo"],
            "channelServiceType": "STOREFARM", "name": product["name"],
            "sellerManagementCode": product["sellerManagementCode"], "statusType": product["statusType"],
            "salePrice": product["salePrice"], "stockQuantity": product["stockQuantity"],
            "regDate": product["regDate"], "modifiedDate": product["modifiedDate"],
        }],
    }


# --- the seeded generator (called inside one store transaction) ---------------------------
def add_order(store: SimStore, rng: random.Random, catalogue: Catalogue) -> int:
    """One paid order of one or two product orders; returns the number of product orders."""
    now = datetime.now(KST)
    order = new_order(rng, f"{now:%Y%m%d}{store.next_id('orderId', 10000001):08d}", now)
    items = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        now = datetime.now(KST)
        pid = f"{now:%Y%m%d}{store.next_id('productOrderId', 50000001):08d}"
        item = {"productOrderId": pid, "detail": new_product_order(rng, order, pid, catalogue.pick(rng), now)}
        touch(item, "PAYED", now)
        items.append(item)
    for item in items:  # saved last: every line shares the order document and its payment total
        store.put("product_order", item["productOrderId"], item)
    return len(items)


def add_claims(store: SimStore, rng: random.Random, count: int, unit: Callable[[dict[str, Any]], Unit]) -> int:
    """Cancel requests on unshipped lines, returns/exchanges on shipped ones (every line read once)."""
    items = [i for i in store.all("product_order") if not i["detail"]["productOrder"].get("claimType")]
    unshipped = [i for i in items if claimable(unit(i), Claim.CANCEL)]
    shipped = [i for i in items if claimable(unit(i), Claim.RETURN)]
    made = 0
    for n in range(count):
        kind = ("CANCEL", "RETURN", "CANCEL", "EXCHANGE")[n % 4]
        pool = unshipped if kind == "CANCEL" else shipped
        if not pool:
            kind, pool = ("RETURN", shipped) if kind == "CANCEL" else ("CANCEL", unshipped)
        if not pool:
            break
        item = pool.pop(rng.randrange(len(pool)))
        now, po = datetime.now(KST), item["detail"]["productOrder"]
        claim_id = str(store.next_id("claimId", 3000000001))
        claim = claim_document(rng, kind, claim_id, po["quantity"], now)
        po.update(claimType=kind, claimStatus=claim["claimStatus"], claimId=claim_id)
        item["detail"]["currentClaim"] = {kind.lower(): claim}
        touch(item, "CLAIM_REQUESTED", now)
        store.put("product_order", item["productOrderId"], item)
        made += 1
    return made


def add_inquiry(store: SimStore, rng: random.Random, catalogue: Catalogue, lines: list[str], *, qna: bool) -> None:
    """A product Q&A, or a customer inquiry about one of the product orders ``lines`` (keys)."""
    now, product = datetime.now(KST), catalogue.pick(rng)
    if qna:
        question_id = store.next_id("questionId", 600000001)
        store.put("qna", str(question_id), new_qna(rng, question_id, product, now))
        return
    found = store.get("product_order", rng.choice(lines)) if lines else None
    line = found["detail"] if found else None
    inquiry_no = store.next_id("inquiryNo", 300000001)
    store.put("inquiry", str(inquiry_no), new_inquiry(rng, inquiry_no, line, product, now))
