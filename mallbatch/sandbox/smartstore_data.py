"""Documents of the 스마트스토어 simulator: product orders shaped like
``POST /v1/pay-order/seller/product-orders/query`` items, claims, the two inquiry kinds,
v2 product validation, the catalogue's stock rules (option combinations, OUTOFSTOCK) and the
seeded generator, whose orders take from registered products' stock.

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


def _groups(origin: dict[str, Any]) -> list[str]:
    names = (origin.get("detailAttribute", {}).get("optionInfo") or {}).get("optionCombinationGroupNames") or {}
    return [names[k] for k in ("optionGroupName1", "optionGroupName2", "optionGroupName3") if names.get(k)]


def combinations(origin: dict[str, Any]) -> list[dict[str, Any]]:
    return list((origin.get("detailAttribute", {}).get("optionInfo") or {}).get("optionCombinations") or [])


def values_of(combination: dict[str, Any], count: int) -> tuple[str, ...]:
    return tuple(str(combination.get(f"optionName{i}", "")) for i in range(1, count + 1))


def target(product: dict[str, Any], values: tuple[str, ...] = ()) -> str:
    """How the audit names a product or one of its combinations: ``no`` or ``no#골드/M``."""
    return f"{product['originProductNo']}#{'/'.join(values)}" if values else str(product["originProductNo"])


def settle(product: dict[str, Any]) -> None:
    """The product's stock is its usable combinations' sum, and its state follows its stock.

    invented (Naver's own behaviour, not documented in the reference): SALE at stock 0 shows
    OUTOFSTOCK, OUTOFSTOCK with stock again is SALE; SUSPENSION (the seller's stop) stays either way.
    The stored product's top-level copies follow the origin product."""
    origin = product["originProduct"]
    combos = combinations(origin)
    if combos:
        origin["stockQuantity"] = sum(int(c.get("stockQuantity", 0)) for c in combos if c.get("usable", True))
    stock, status = int(origin.get("stockQuantity", 0)), origin.get("statusType")
    if status == "SALE" and stock == 0:
        origin["statusType"] = "OUTOFSTOCK"
    elif status == "OUTOFSTOCK" and stock > 0:
        origin["statusType"] = "SALE"
    product.update(statusType=origin["statusType"], salePrice=origin["salePrice"], stockQuantity=origin["stockQuantity"])


def number_combinations(store: SimStore, origin: dict[str, Any], before: dict[str, Any] | None) -> None:
    """Every combination gets the mall's id; one with the values of a combination already there keeps its id."""
    count = len(_groups(origin))
    kept = {values_of(c, count): c["id"] for c in combinations((before or {}).get("originProduct") or {}) if c.get("id")}
    for combination in combinations(origin):
        combination["id"] = kept.get(values_of(combination, count)) or store.next_id("optionCombinationId", 27900000001)  # invented numbering


def option_stock_problems(product: dict[str, Any], body: dict[str, Any]) -> list[dict[str, str]]:
    """``invalidInputs`` of an option-stock body against the product (invented messages; inferred ranges)."""
    problems: list[dict[str, str]] = []
    price = (body.get("productSalePrice") or {}).get("salePrice")
    if price is not None and (not isinstance(price, int) or not 10 <= price <= 999_999_990):
        problems.append({"name": "productSalePrice.salePrice", "type": "Range",
                         "message": "판매가는 10원 이상 999,999,990원 이하로 입력해 주세요."})
    stock = body.get("stockQuantity")
    if stock is not None and (not isinstance(stock, int) or stock < 0):
        problems.append({"name": "stockQuantity", "type": "Min", "message": "재고수량은 0 이상이어야 합니다."})
    known = {c["id"] for c in combinations(product["originProduct"])}
    for n, entry in enumerate((body.get("optionInfo") or {}).get("optionCombinations") or []):
        name = f"optionInfo.optionCombinations[{n}]"
        if not isinstance(entry, dict) or entry.get("id") not in known:
            problems.append({"name": f"{name}.id", "type": "NotExist", "message": "존재하지 않는 옵션 조합입니다."})
        elif not isinstance(entry.get("stockQuantity", 0), int) or entry.get("stockQuantity", 0) < 0:
            problems.append({"name": f"{name}.stockQuantity", "type": "Min", "message": "재고수량은 0 이상이어야 합니다."})
    return problems


def apply_option_stock(product: dict[str, Any], body: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Apply a checked option-stock body; (audit op, target, detail) of each value it changed.

    invented: a combination the body leaves out keeps its values; an option-less product's stock
    comes as ``stockQuantity``."""
    origin, changed = product["originProduct"], []
    price = (body.get("productSalePrice") or {}).get("salePrice")
    if price is not None and price != origin["salePrice"]:
        origin["salePrice"] = price
        changed.append(("listing.price", target(product), {"salePrice": price}))
    combos, count = {c["id"]: c for c in combinations(origin)}, len(_groups(origin))
    for entry in (body.get("optionInfo") or {}).get("optionCombinations") or []:
        combination = combos[entry["id"]]
        for field in ("stockQuantity", "price", "usable"):
            if field in entry and entry[field] != combination.get(field):
                combination[field] = entry[field]
                if field == "stockQuantity":
                    changed.append(("listing.stock", target(product, values_of(combination, count)), {field: entry[field]}))
    if not combos and body.get("stockQuantity") is not None and body["stockQuantity"] != origin["stockQuantity"]:
        origin["stockQuantity"] = body["stockQuantity"]
        changed.append(("listing.stock", target(product), {"stockQuantity": body["stockQuantity"]}))
    settle(product)
    return changed


def catalogue_entry(product: dict[str, Any]) -> dict[str, Any]:
    """Reduce a stored (registered) product to what an order needs, with the stock orders take from."""
    origin = product.get("originProduct", {})
    groups = _groups(origin)
    usable = [c for c in combinations(origin) if c.get("usable", True)]
    stock = {values_of(c, len(groups)): int(c.get("stockQuantity", 0)) for c in usable} if usable else {
        (): int(origin.get("stockQuantity", 0))}
    return {
        "originProductNo": product["originProductNo"],
        "smartstoreChannelProductNo": product["smartstoreChannelProductNo"],
        "name": product["name"],
        "sellerManagementCode": product.get("sellerManagementCode", ""),
        "salePrice": int(product.get("salePrice", 0)),
        "groups": groups,
        "combos": [(values_of(c, len(groups)), int(c.get("price", 0))) for c in usable],
        "stock": stock,
    }


def sellable(product: dict[str, Any]) -> bool:
    """Orders come only for products on sale with something in stock."""
    display = product["smartstoreChannelProduct"].get("channelProductDisplayStatusType", "ON")
    return product["statusType"] == "SALE" and display == "ON" and int(product.get("stockQuantity", 0)) > 0


def choose(rng: random.Random, product: dict[str, Any]) -> tuple[tuple[str, ...], int, int] | None:
    """(option values, option price, quantity) of one order line; None when a registered product has nothing left."""
    quantity = rng.choice((1, 1, 1, 2, 3))
    if "stock" not in product:  # a synthetic sample: no stock kept
        values, price = rng.choice(product["combos"]) if product["combos"] else ((), 0)
        return values, price, quantity
    left = [(values, price) for values, price in product["combos"] or [((), 0)] if product["stock"].get(values, 0) > 0]
    if not left:
        return None
    values, price = rng.choice(left)
    return values, price, min(quantity, product["stock"][values])


def take(store: SimStore, product: dict[str, Any], values: tuple[str, ...], quantity: int) -> None:
    """An order decrements the registered product's (or its combination's) stock, in the store and the run's copy."""
    if "stock" not in product:
        return
    product["stock"][values] -= quantity
    stored = store.get("product", str(product["originProductNo"]))
    if stored is None:
        return
    origin = stored["originProduct"]
    found = next((c for c in combinations(origin) if values_of(c, len(values)) == values), None) if values else None
    holder = found if found is not None else origin
    holder["stockQuantity"] = max(0, int(holder.get("stockQuantity", 0)) - quantity)
    settle(stored)
    store.put("product", str(product["originProductNo"]), stored)


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
    rng: random.Random, order: dict[str, Any], product_order_id: str, product: dict[str, Any], now: datetime,
    chosen: tuple[tuple[str, ...], int, int],
) -> dict[str, Any]:
    """One ``query`` item (order + productOrder) in state PAYED / NOT_YET of the ``chosen`` (values, price, quantity)."""
    values, option_price, quantity = chosen
    option_text = " / ".join(f"{g}: {v}" for g, v in zip(product["groups"], values, strict=False)) if values else ""
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
    """One ``contents`` item of the product search answer (second-hand fields; no options in it)."""
    return {
        "originProductNo": product["originProductNo"],
        "channelProducts": [{
            "originProductNo": product["originProductNo"], "channelProductNo": product["smartstoreChannelProductNo"],
            "channelServiceType": "STOREFARM", "name": product["name"],
            "sellerManagementCode": product["sellerManagementCode"], "statusType": product["statusType"],
            "channelProductDisplayStatusType": product["smartstoreChannelProduct"].get("channelProductDisplayStatusType", "ON"),
            "salePrice": product["salePrice"], "stockQuantity": product["stockQuantity"],
            "categoryId": product["originProduct"].get("leafCategoryId"),
            "saleStartDate": product["originProduct"].get("saleStartDate"), "saleEndDate": product["originProduct"].get("saleEndDate"),
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
        product, chosen = _pick(rng, catalogue)
        now = datetime.now(KST)
        pid = f"{now:%Y%m%d}{store.next_id('productOrderId', 50000001):08d}"
        item = {"productOrderId": pid, "detail": new_product_order(rng, order, pid, product, now, chosen)}
        take(store, product, chosen[0], chosen[2])
        touch(item, "PAYED", now)
        items.append(item)
    for item in items:  # saved last: every line shares the order document and its payment total
        store.put("product_order", item["productOrderId"], item)
    return len(items)


def _pick(rng: random.Random, catalogue: Catalogue) -> tuple[dict[str, Any], tuple[tuple[str, ...], int, int]]:
    """A product with stock left (an earlier order of this run may have sold one out), else a sample."""
    for _ in range(8):
        product = catalogue.pick(rng)
        chosen = choose(rng, product)
        if chosen is not None:
            return product, chosen
    sample = rng.choice(SYNTHETIC_PRODUCTS)
    return sample, choose(rng, sample) or ((), 0, 1)


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
