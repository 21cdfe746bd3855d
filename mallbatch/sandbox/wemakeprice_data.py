"""Seeded sample data for the 위메프 simulator: bundles, claims and Q&A in W-API shapes.

Shapes follow reference §1.4 (bundle / delivery / orderProduct / orderOption), §1.6
(claim) and §1.7 (Q&A). Names, addresses and phone numbers are made up but look like
what a Korean seller sees, so workbooks built from them read naturally.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

NextId = Callable[[str, int], int]

FAMILY = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오")
GIVEN = ("민준", "서연", "도윤", "하은", "지호", "수빈", "예준", "지우", "현우", "채원", "건우", "소율")
ADDRESSES = (
    ("06236", "서울특별시 강남구 테헤란로 152", "강남파이낸스센터 12층"),
    ("04524", "서울특별시 중구 세종대로 110", "3층 민원실"),
    ("13529", "경기도 성남시 분당구 판교역로 166", "카카오판교아지트 A동"),
    ("48058", "부산광역시 해운대구 센텀중앙로 79", "센텀사이언스파크 1203호"),
    ("35229", "대전광역시 서구 둔산로 100", "둔산동 아파트 102동 803호"),
    ("61945", "광주광역시 서구 내방로 111", "상무지구 5층"),
    ("63122", "제주특별자치도 제주시 문연로 6", "제주도청 별관"),
    ("41911", "대구광역시 중구 공평로 88", "동인동 주택 2층"),
)
MEMOS = ("", "", "부재 시 경비실에 맡겨주세요", "문 앞에 놓아주세요", "배송 전 연락 부탁드립니다", "파손 주의")
SYNTHETIC_PRODUCTS = (
    {"productNo": 4174343458, "productName": "디지털가전) 가스레인지", "sellerProdCode": "SIM-WMP-001",
     "salePrice": 230000, "options": [{"optionNo": 417434345801, "optionName": "옐로우", "sellerOptionCode": ""},
                                      {"optionNo": 417434345802, "optionName": "화이트", "sellerOptionCode": ""}]},
    {"productNo": 4174343459, "productName": "패션잡화) 가죽 반지갑", "sellerProdCode": "SIM-WMP-002",
     "salePrice": 39000, "options": [{"optionNo": 0, "optionName": "", "sellerOptionCode": ""}]},
)
QUESTIONS = (
    "배송은 언제쯤 출발하나요? 이번 주 안에 받을 수 있을까요?",
    "색상이 사진과 같은가요? 실물이 더 어둡다는 후기가 있어서요.",
    "사이즈 교환이 가능한가요? 한 치수 크게 받고 싶습니다.",
    "재입고 예정이 있나요?",
    "제주도도 추가 배송비가 있나요?",
    "묶음배송 가능한가요? 두 개 주문하려고 합니다.",
)
CLAIM_REASONS = {
    "취소": ("단순변심", "주문실수", "배송지연"),
    "반품": ("상품불량", "단순변심", "오배송"),
    "교환": ("사이즈 교환", "색상 교환", "상품불량"),
}


def person(rng: random.Random) -> tuple[str, str]:
    """A Korean name and a mobile number."""
    name = rng.choice(FAMILY) + rng.choice(GIVEN)
    return name, f"010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}"


def masked_id(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghkmnprstwxyz") for _ in range(3)) + "***"


def make_bundle(rng: random.Random, next_id: NextId, products: list[dict[str, Any]], now: str) -> dict[str, Any]:
    """One 묶음배송 unit in NEW (결제완료) state with one or two products."""
    buyer, buyer_phone = person(rng)
    receiver, receiver_phone = (buyer, buyer_phone) if rng.random() < 0.7 else person(rng)
    zipcode, fixed, detail = rng.choice(ADDRESSES)
    lines = []
    for product in rng.sample(products, k=min(len(products), rng.choice((1, 1, 2)))):
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
        "orderDate": now, "payDate": now, "orderConfirmDate": None, "orderShippingDate": None, "shipCompleteDate": None,
        "buyerName": buyer, "buyerPhone": buyer_phone, "shipPrice": rng.choice((0, 2500, 3000)), "prepayment": "Y",
        "delivery": {
            "shipStatus": "NEW", "shipMethod": None, "shipMethodMessage": None, "scheduleShipDate": None,
            "parcelCompany": None, "invoiceNo": None, "name": receiver, "phone": receiver_phone,
            "shipAddress": {"zipcode": zipcode, "addrFixed": fixed, "addrDetail": detail, "message": rng.choice(MEMOS)},
        },
        "orderProduct": lines,
    }


def make_claim(rng: random.Random, next_id: NextId, bundle: dict[str, Any], kind: str, status: str, now: str) -> dict[str, Any]:
    """A claim (kind = Korean 취소/반품/교환 as the list returns it) on one product of ``bundle``."""
    product = rng.choice(bundle["orderProduct"])
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
        "pickup": pickup, "orderProduct": [product],
    }


def make_qna(rng: random.Random, next_id: NextId, product: dict[str, Any], now: str, order_no: int | None) -> dict[str, Any]:
    return {
        "qnaSeq": next_id("qnaSeq", 900001), "question": rng.choice(QUESTIONS), "questionDate": now,
        "productNo": product["productNo"], "productName": product["productName"],
        "orderNo": order_no, "privateYn": rng.choice(("N", "N", "Y")),
        "writerId": masked_id(rng),  # invented: the reference shows no writer field
        "answer": None, "answerDate": None,
    }
