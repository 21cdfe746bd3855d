"""Static data and payload rendering for the 쿠팡 simulator.

Kept apart from the request handlers so ``coupang.py`` reads as the protocol: what is
checked, what changes. Everything here is an independent reading of the reference
(shared/reference §1); nothing is imported from the connectors.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mallbatch.sandbox.engine.orders import Invoice, Line, Stage, Unit

KST = ZoneInfo("Asia/Seoul")

# 택배사 코드 (article 360034156033): display name and allowed invoice digit counts; None = any.
COURIERS: dict[str, tuple[str, tuple[int, ...] | None]] = {
    "CJGLS": ("CJ 대한통운", (10, 12)),
    "HANJIN": ("한진택배", (10, 12)),
    "HYUNDAI": ("롯데택배", (10, 12, 13)),
    "KGB": ("로젠택배", (10, 11)),
    "EPOST": ("우체국", (13,)),
    "KDEXP": ("경동택배", tuple(range(8, 17))),
    "DAESIN": ("대신택배", (13,)),
    "ILYANG": ("일양택배", tuple(range(8, 17))),
    "CHUNIL": ("천일특송", (11,)),
    "HDEXP": ("합동택배", tuple(range(8, 17))),
    "CVS": ("CVS택배", (10, 12)),
    "DIRECT": ("업체직송", None),
}

ORDER_STATUSES = ("ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING")
SHIPPED = ("DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING")
STAGES = {
    "ACCEPT": Stage.PAID, "INSTRUCT": Stage.CONFIRMED, "DEPARTURE": Stage.SHIPPED, "DELIVERING": Stage.IN_TRANSIT,
    "FINAL_DELIVERY": Stage.DELIVERED, "NONE_TRACKING": Stage.IN_TRANSIT,
}

# returnRequests ``status`` filter -> receiptStatus values it lists. RU claims also show under UC
# (peer-tools S48: "Coupang may return one claim in two lists (RU and UC)"). inferred: 입고완료
# (VENDOR_WAREHOUSE_CONFIRM) has no filter of its own, so it stays in 반품접수 until completed.
RETURN_FILTERS: dict[str, tuple[str, ...]] = {
    "RU": ("RELEASE_STOP_UNCHECKED",),
    "UC": ("RETURNS_UNCHECKED", "RELEASE_STOP_UNCHECKED", "VENDOR_WAREHOUSE_CONFIRM"),
    "PR": ("REQUEST_COUPANG_CHECK",),
    "CC": ("RETURNS_COMPLETED",),
}

EXCHANGE_STATUSES = ("RECEIPT", "PROGRESS", "SUCCESS", "REJECT", "CANCEL")

BOX_MONEY = ("shippingPrice", "remotePrice")
ITEM_MONEY = ("salesPrice", "orderPrice", "discountPrice", "instantCouponDiscount",
              "downloadableCouponDiscount", "coupangDiscount")

SYNTHETIC_PRODUCTS: tuple[dict[str, Any], ...] = (
    {"sellerProductId": 900000001, "productId": 7000000001, "sellerProductName": "국내산 햇 고구마 3kg",
     "items": [{"vendorItemId": 80000000011, "itemName": "특상 3kg", "salePrice": 15900, "externalVendorSku": "SAMPLE-GOGUMA"},
               {"vendorItemId": 80000000012, "itemName": "특상 5kg", "salePrice": 23900, "externalVendorSku": "SAMPLE-GOGUMA"}]},
    {"sellerProductId": 900000002, "productId": 7000000002, "sellerProductName": "무형광 순면 수건 10장",
     "items": [{"vendorItemId": 80000000021, "itemName": "화이트", "salePrice": 19800, "externalVendorSku": "SAMPLE-TOWEL"}]},
)

APPROVED = "승인완료"  # statusName of a product on sale (reference §1.10: approval is asynchronous)


def sellable(item: dict[str, Any]) -> bool:
    """Buyers can order the item: not 판매중지 and not sold out (a sample without a stock is endless)."""
    stock = item.get("maximumBuyCount")
    return item.get("_onSale", True) and (stock is None or int(stock) > 0)


CANCEL_REASONS = (("단순변심", "주문실수"), ("단순변심", "다른 상품 구매"), ("배송지연", "배송 예정일 지남"))
RETURN_REASONS = (("상품불량", "제품 하자"), ("단순변심", "필요 없어짐"), ("오배송", "다른 상품 배송됨"))
EXCHANGE_REASONS = (("DIFFERENTOPT", "다른 옵션으로 교환 원함"), ("DEFECT", "상품 불량"), ("WRONGOPT", "옵션 잘못 선택"))


def now_kst() -> datetime:
    return datetime.now(KST)


def parse_kst(text: str) -> datetime:
    """Stored timestamps; those without an offset are KST."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=KST)


def stamp(moment: datetime) -> str:
    """Claim timestamps: ``yyyy-MM-ddTHH:mm:ss`` in KST (inferred: no offset in v6 samples)."""
    return moment.astimezone(KST).strftime("%Y-%m-%dT%H:%M:%S")


def money(value: int) -> dict[str, Any]:
    """v5 Money object."""
    return {"currencyCode": "KRW", "units": int(value), "nanos": 0}


def render_box(box: dict[str, Any]) -> dict[str, Any]:
    """The v5 ordersheet as the mall returns it: Money objects, no internal keys."""
    out = {k: copy.deepcopy(v) for k, v in box.items() if not k.startswith("_")}
    for key in BOX_MONEY:
        out[key] = money(out.get(key, 0))
    for item in out["orderItems"]:
        for key in ITEM_MONEY:
            item[key] = money(item.get(key, 0))
    return out


def render_product_summary(product: dict[str, Any]) -> dict[str, Any]:
    """상품 요약 정보 (lookup by externalVendorSkuCode)."""
    return {
        "sellerProductId": product["sellerProductId"],
        "sellerProductName": product.get("sellerProductName", ""),
        "displayCategoryCode": product.get("displayCategoryCode"),
        "categoryId": product.get("displayCategoryCode"),
        "productId": product.get("productId"),
        "vendorId": product.get("vendorId"),
        "brand": product.get("brand", ""),
        "statusName": product.get("statusName", ""),
        "createdAt": product.get("createdAt"),
        "saleStartedAt": product.get("saleStartedAt"),  # 2nd-hand: in the paged product list
        "saleEndedAt": product.get("saleEndedAt"),
    }


def unit(box: dict[str, Any]) -> Unit:
    """The engine's view of a box: its stage, one line per vendorItemId with its counts, its invoice."""
    lines = [Line(str(i["vendorItemId"]), i["shippingCount"], i["cancelCount"], i["holdCountForCancel"]) for i in box["orderItems"]]
    invoice = Invoice(box.get("_deliveryCompanyCode") or "", str(box["invoiceNumber"])) if box.get("invoiceNumber") else None
    return Unit(str(box["shipmentBoxId"]), STAGES[box["status"]], lines, invoice)


def write_lines(box: dict[str, Any], state: Unit) -> None:
    """Cancel and hold counts back into the box's orderItems."""
    for item, line in zip(box["orderItems"], state.lines, strict=True):
        item.update(cancelCount=line.cancelled, holdCountForCancel=line.held, canceled=not line.active)
