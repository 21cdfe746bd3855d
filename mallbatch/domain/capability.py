"""What a marketplace connector can do; the planner answers "지원하지 않습니다" per row from these."""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    PRODUCTS_CREATE = "products.create"
    PRODUCTS_UPDATE = "products.update"
    PRODUCTS_LIST = "products.list"  # mallbatch import: the listings a seller already has
    STOCK_UPDATE = "stock.update"  # 재고 of a product or one option (0 = 품절)
    PRICE_UPDATE = "price.update"  # 판매가
    SALE_STATUS = "sale.status"  # 판매중지 / 판매재개
    ORDERS_COLLECT = "orders.collect"
    ORDERS_CONFIRM = "orders.confirm"
    INVOICES_SEND = "invoices.send"
    INVOICES_UPDATE = "invoices.update"
    CLAIMS_COLLECT = "claims.collect"
    INQUIRIES_COLLECT = "inquiries.collect"
    INQUIRIES_ANSWER = "inquiries.answer"
