"""아임웹 documents as the simulator stores them: orders and their 품목주문 (prod orders), made up
from the registered products (or samples) and the shared fake customers.

Shapes follow reference §4.2 (IMWEBDOC ``orders/get.md``): an order holds the orderer, the delivery
address and the payment; each prod order holds one item whose ``options`` is a list of lists. Numbers
and everything marked invented are this simulator's own.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from mallbatch.sandbox.engine import fixtures
from mallbatch.sandbox.engine.catalogue import Catalogue

NextId = Callable[[str, int], int]
Doc = dict[str, Any]

# invented: sample products while the seller has registered none (fields of IMWEBDOC Items/get.md)
SYNTHETIC_PRODUCTS: tuple[Doc, ...] = (
    {"no": 101, "name": "린넨 셔츠", "custom_prod_code": "LN-SHIRT", "price": 39000,
     "_options": [{"name": "사이즈", "values": ["M", "L"]}]},
    {"no": 102, "name": "수제 딸기잼 300g", "custom_prod_code": "JAM-300", "price": 12000, "_options": []},
    {"no": 103, "name": "도자기 머그컵", "custom_prod_code": "MUG-01", "price": 18000,
     "_options": [{"name": "색상", "values": ["화이트", "네이비"]}]},
)
# invented: the share of orders paid through 네이버페이 주문형 / 톡체크아웃 (type npay / talkpay, reference §4.2)
EXTERNAL_SHARE = 0.2


class ApiError(Exception):
    """A refusal of the whole call: the mall's negative code (reference §4.1) and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def order_number(next_id: NextId) -> str:
    """invented: yyyymmdd and a 7-digit sequence (the reference's orders are 15-digit numbers)."""
    return f"{time.strftime('%Y%m%d')}{next_id('order_no', 1000001) % 10_000_000:07d}"


def make_order(rng: random.Random, next_id: NextId, catalogue: Catalogue, now: int,
               *, kind: str | None = None, deliv_type: str = "parcel") -> tuple[Doc, list[Doc]]:
    """One paid order (결제완료 = 상품준비, PAY_COMPLETE) and its prod orders, one or two products."""
    (buyer, buyer_phone), (receiver, receiver_phone) = fixtures.buyer_and_receiver(rng)
    zip_code, base, detail = fixtures.address(rng)
    if kind is None:
        kind = rng.choice(("npay", "talkpay")) if rng.random() < EXTERNAL_SHARE else "normal"
    order_no = order_number(next_id)
    prod_orders = [make_prod_order(rng, next_id, product, now, deliv_type)
                   for product in catalogue.sample(rng, rng.choice((1, 1, 2)))]
    total = sum(p["items"][0]["payment"]["price"] * p["items"][0]["payment"]["count"] for p in prod_orders)
    deliv_price = rng.choice((0, 3000))
    order = {
        "order_no": order_no, "type": kind,
        "device": {"type": rng.choice(("pc", "mobile")), "app": "", "device_code": ""},
        "order_time": now, "complete_time": 0,
        "orderer": {"member_code": f"m{next_id('member', 20240001)}", "name": buyer, "email": "", "call": buyer_phone,
                    "call2": ""},
        "delivery": {"country": "KR", "country_text": "대한민국",
                     "address": {"name": receiver, "phone": receiver_phone, "phone2": "", "postcode": zip_code,
                                 "address": base, "address_detail": detail, "address_street": "",
                                 "address_building": "", "address_city": "", "address_state": ""},
                     "memo": fixtures.memo(rng), "unipass_number": ""},
        "payment": {"pay_type": "npay_point" if kind == "npay" else "card", "pg_type": "kcp", "deliv_type": deliv_type,
                    "deliv_pay_type": "price", "price_currency": "KRW", "total_price": total + deliv_price,
                    "price_tax_free": 0, "price_sale": 0, "deliv_price": deliv_price, "point": 0, "coupon": 0,
                    "membership_discount": 0, "period_discount": 0},
        "cash_receipt": {}, "form": [],
        "_prod_orders": [p["order_no"] for p in prod_orders],
        "_hold": None,  # invented: 배송보류 {"code", "reason", "time"} (seed 003: address changed on npay/talkpay)
    }
    for prod_order in prod_orders:
        prod_order["_order"] = order_no
    return order, prod_orders


def make_prod_order(rng: random.Random, next_id: NextId, product: Doc, now: int, deliv_type: str) -> Doc:
    """One 품목주문 of ``product``: one item, one option combination (``options`` a list of lists)."""
    count = rng.choice((1, 1, 2, 3))
    price = int(product.get("price") or 0)
    option_groups = product.get("_options") or []
    options: list[list[Doc]] = []
    if option_groups:
        values = [rng.choice(group["values"]) for group in option_groups]
        options = [[{"option_code": "", "option_name_list": [g["name"] for g in option_groups],
                     "value_name_list": values, "payment": {"price": 0, "count": count}}]]
    return {
        "order_no": str(next_id("prod_order_no", 30000001)),  # reference §4.2: a prod order's own number is "order_no"
        "status": "PAY_COMPLETE", "claim_status": "", "claim_type": "", "pay_time": now, "delivery_time": 0,
        "complete_time": 0, "parcel_code": "", "invoice_no": "",
        "items": [{
            "no": next_id("item_no", 1), "prod_no": int(product["no"]), "prod_name": product["name"],
            "prod_custom_code": str(product.get("custom_prod_code") or ""), "prod_sku_no": "",
            "payment": {"count": count, "price": price, "price_tax_free": 0, "deliv_price": 0, "island_price": 0,
                        "price_sale": 0, "point": 0, "coupon": 0, "membership_discount": 0, "period_discount": 0},
            "delivery": {"deliv_code": "", "deliv_price_mix": False, "deliv_group_code": "", "deliv_type": deliv_type,
                         "deliv_pay_type": "price", "deliv_price_type": "fixed"},
            "options": options,
        }],
    }


def count_of(prod_order: Doc) -> int:
    return int(prod_order["items"][0]["payment"]["count"])


def set_count(prod_order: Doc, count: int) -> None:
    item = prod_order["items"][0]
    item["payment"]["count"] = count
    for group in item["options"]:
        for option in group:
            option["payment"]["count"] = count


def public(doc: Doc) -> Doc:
    """What the API shows: the simulator's own ``_`` fields left out."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}
