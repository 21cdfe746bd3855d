"""Seeded sample data for the 위메프 simulator: bundles, claims and Q&A in W-API shapes.

Shapes follow reference §1.4 (bundle / delivery / orderProduct / orderOption), §1.6
(claim) and §1.7 (Q&A); the customers come from the shared fixtures.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from mallbatch.sandbox.engine import fixtures
from mallbatch.sandbox.engine.catalogue import Catalogue

NextId = Callable[[str, int], int]
SHIP_DAYS = 2  # invented: the 발송기한 (originShipDate) is the end of the second day after payment

SYNTHETIC_PRODUCTS = (
    {"productNo": 4174343458, "productName": "디지털가전) 가스레인지", "sellerProdCode": "SIM-WMP-001",
     "salePrice": 230000, "options": [{"optionNo": 417434345801, "optionName": "옐로우", "sellerOptionCode": ""},
                                      {"optionNo": 417434345802, "optionName": "화이트", "sellerOptionCode": ""}]},
    {"productNo": 4174343459, "productName": "패션잡화) 가죽 반지갑", "sellerProdCode": "SIM-WMP-002",
     "salePrice": 39000, "options": [{"optionNo": 0, "optionName": "", "sellerOptionCode": ""}]},
)
CLAIM_REASONS = {
    "취소": ("단순변심", "주문실수", "배송지연"),
    "반품": ("상품불량", "단순변심", "오배송"),
    "교환": ("사이즈 교환", "색상 교환", "상품불량"),
}


def make_bundle(rng: random.Random, next_id: NextId, catalogue: Catalogue, now: str) -> dict[str, Any]:
    """One 묶음배송 unit in NEW (결제완료) state with one or two products."""
    (buyer, buyer_phone), (receiver, receiver_phone) = fixtures.buyer_and_receiver(rng)
    zipcode, fixed, detail = fixtures.address(rng)
    lines = []
    for product in catalogue.sample(rng, rng.choice((1, 1, 2))):
        options = product["options"] or [{"optionNo": 0, "optionName": "", "sellerOptionCode": ""}]
        chosen = rng.sample(options, k=min(len(options), rng.choice((1, 1, 2))))
        order_options = [
            {"orderOptionNo": next_id("orderOptionNo", 5200000001), "optionNo": o["optionNo"],
             "optionName": o["optionName"], "optionQty": rng.choice((1, 1, 1, 2, 3)),
             "sellerOptionCode": o.get("sellerOptionCode", "")}
            for o in chosen
        ]
        price = int(product["salePrice"])
        lines.append({
            "orderNo": next_id("orderNo", 3100000001), "productNo": product["productNo"],
            "productName": product["productName"], "productOriginPrice": price, "productPrice": price,
            "productQty": sum(o["optionQty"] for o in order_options),
            "sellerProductCode": product.get("sellerProdCode", ""), "orderOption": order_options,
        })
    return {
        "bundleNo": next_id("bundleNo", 2667100001), "purchaseNo": next_id("purchaseNo", 1300000001),
        "orderDate": now, "payDate": now, "originShipDate": ship_by(now), "orderConfirmDate": None,
        "orderShippingDate": None, "shipCompleteDate": None,
        "buyerName": buyer, "buyerPhone": buyer_phone, "shipPrice": rng.choice((0, 2500, 3000)), "prepayment": "Y",
        "delivery": {
            "shipStatus": "NEW", "shipMethod": None, "shipMethodMessage": None, "scheduleShipDate": None,
            "parcelCompany": None, "invoiceNo": None, "name": receiver, "phone": receiver_phone,
            "shipAddress": {"zipcode": zipcode, "addrFixed": fixed, "addrDetail": detail, "message": fixtures.memo(rng)},
        },
        "orderProduct": lines,
    }


def ship_by(paid: str) -> str:
    """originShipDate (reference §1.4 lists it; inferred: the bundle's 발송기한) of a bundle paid at ``paid``."""
    return f"{date.fromisoformat(paid[:10]) + timedelta(days=SHIP_DAYS)} 23:59:59"


def make_claim(rng: random.Random, next_id: NextId, bundle: dict[str, Any], kind: str, status: str, now: str,
               products: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A claim (kind = Korean 취소/반품/교환 as the list returns it) on ``products`` of ``bundle``
    (default: one of its products, at random)."""
    products = products or [rng.choice(bundle["orderProduct"])]
    delivery = bundle["delivery"]
    pickup = None
    if kind != "취소":
        pickup = {"name": delivery["name"], "phone": delivery["phone"], "shipAddress": delivery["shipAddress"],
                  "shipMethod": "PARCEL", "parcelCompany": None, "invoiceNo": None}
    return {
        "claimBundleNo": next_id("claimBundleNo", 7100000001), "claimType": kind, "claimStatus": status,
        "purchaseNo": bundle["purchaseNo"], "bundleNo": bundle["bundleNo"],
        "requestDate": now, "approveDate": now if status == "APPROVE" else None,
        "withdrawDate": now if status == "WITHDRAW" else None,  # invented: the reference lists no withdraw date
        "claimReason": rng.choice(CLAIM_REASONS[kind]), "claimReasonDetail": "",
        "claimWhoReason": "01", "claimFee": 0 if kind == "취소" else 5000,
        "pickup": pickup, "orderProduct": products,
    }


def make_qna(rng: random.Random, next_id: NextId, product: dict[str, Any], now: str, order_no: int | None) -> dict[str, Any]:
    return {
        "qnaSeq": next_id("qnaSeq", 900001), "question": fixtures.question(rng), "questionDate": now,
        "productNo": product["productNo"], "productName": product["productName"],
        "orderNo": order_no, "privateYn": rng.choice(("N", "N", "Y")),
        "writerId": fixtures.masked_id(rng),  # invented: the reference shows no writer field
        "answer": None, "answerDate": None,
    }
