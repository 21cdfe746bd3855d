"""Seeded sample data for the ESM simulator: orders (one OrderNo per option line, PayNo the basket),
claims and CS messages, in the field names of reference §4.3–4.5."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from mallbatch.sandbox.engine import fixtures
from mallbatch.sandbox.engine.catalogue import Catalogue

NextId = Callable[[str, int], int]
OUT = "%Y-%m-%dT%H:%M:%S"  # reference §5.4: ESM answers YYYY-MM-DDThh:mm:ss
SHIP_DAYS = 3  # invented: TransDueDate (발송마감일) is three days after payment

SYNTHETIC_GOODS = (  # invented samples, used while no goods are registered on the site
    {"goodsNo": 3100000001, "goodsName": "국내산 햇 고구마 3kg", "siteGoodsNo": "", "managedCode": "SIM-ESM-001",
     "price": 15900, "options": ["3kg", "5kg"]},
    {"goodsNo": 3100000002, "goodsName": "남성 기모 조거팬츠", "siteGoodsNo": "", "managedCode": "SIM-ESM-002",
     "price": 24900, "options": [""]},
)
CLAIM_REASONS = {"cancel": ("단순변심", "주문실수"), "return": ("상품불량", "단순변심"), "exchange": ("사이즈 교환", "색상 교환")}


def stamp(moment: datetime) -> str:
    return moment.strftime(OUT)


def make_order(rng: random.Random, next_id: NextId, catalogue: Catalogue, site: str, now: datetime) -> list[dict[str, Any]]:
    """One basket (PayNo) of one or two option lines, each its own OrderNo, 결제완료."""
    (buyer, buyer_phone), (receiver, receiver_phone) = fixtures.buyer_and_receiver(rng)
    zip_code, base, detail = fixtures.address(rng)
    pay_no = next_id("PayNo", 1200000001)
    group = next_id("GroupNo", 700000001)
    lines = []
    for goods in catalogue.sample(rng, rng.choice((1, 1, 2))):
        option = rng.choice(goods["options"] or [""])
        quantity = rng.choice((1, 1, 2))
        lines.append({
            "OrderNo": next_id("OrderNo", 3300000001), "PayNo": pay_no, "GroupNo": group, "Site": site,
            "OrderStatus": 1, "OrderDate": stamp(now), "PayDate": stamp(now),
            "TransDueDate": stamp(now + timedelta(days=SHIP_DAYS)),
            "GoodsName": goods["goodsName"], "SiteGoodsNo": goods["siteGoodsNo"], "GoodsNo": goods["goodsNo"],
            "OutGoodsNo": goods["managedCode"], "ItemOptionSelectList": option,  # invented: the option text field
            "SalePrice": goods["price"], "ContrAmount": quantity, "OrderAmount": goods["price"] * quantity,
            "ShippingFee": 3000 if not lines else 0, "TransType": "B",
            "BuyerName": buyer, "BuyerMobileTel": buyer_phone, "BuyerTel": "",
            "ReceiverName": receiver, "HpNo": receiver_phone, "TelNo": "", "ZipCode": zip_code,
            "DelFullAddress": f"{base} {detail}", "DelMemo": fixtures.memo(rng), "TakbaeName": "", "NoSongjang": "",
            "_stage": 1, "_cancelled": False, "_held": False, "_changed": False, "_invoice": None, "_delivered": "",
        })
    return lines


def make_message(rng: random.Random, next_id: NextId, site: str, order: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """One buyer question on the site's board (qnaType 3 G마켓 게시판; 1 옥션 게시판, 2 옥션 쪽지)."""
    question = fixtures.question(rng)
    return {
        "messageNo": next_id("messageNo", 880000001), "token": secrets.token_hex(8),  # a per-message token (§4.5)
        "qnaType": 3 if site == "G" else rng.choice((1, 2)), "title": question[:20], "comments": question,
        "regDate": stamp(now), "buyerId": fixtures.masked_id(rng),  # invented: field names beyond messageNo/token
        "goodsNo": (order or {}).get("GoodsNo", ""), "goodsName": (order or {}).get("GoodsName", ""),
        "orderNo": (order or {}).get("OrderNo", ""), "answerStatus": 0, "answerComments": "", "answerDate": "",
    }
