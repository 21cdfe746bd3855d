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
    # after the sale (seed 001 판매취소, seed 003 claims): the seller's own actions
    ORDERS_CANCEL = "orders.cancel"  # 판매취소: the seller cancels a line that has not shipped
    ORDERS_RELEASE = "orders.release"  # 보류해제 of an order the mall holds (address changed …)
    CANCEL_APPROVE = "claims.cancel.approve"  # 취소승인
    CANCEL_REJECT = "claims.cancel.reject"  # 취소거부 (already shipped: with the invoice)
    RETURN_APPROVE = "claims.return.approve"  # 반품승인 (the refund goes out)
    RETURN_REJECT = "claims.return.reject"  # 반품거부
    RETURN_HOLD = "claims.return.hold"  # 반품보류
    COLLECTED = "claims.collected"  # 수거완료 of a return or an exchange
    EXCHANGE_APPROVE = "claims.exchange.approve"  # 교환승인
    EXCHANGE_REJECT = "claims.exchange.reject"  # 교환거부
    EXCHANGE_RESHIP = "claims.exchange.reship"  # 교환재발송 (with the new invoice)
    EXCHANGE_HOLD = "claims.exchange.hold"  # 교환보류
    CLAIM_RELEASE = "claims.release"  # 보류해제 of a held return or exchange


CLAIM_ACTIONS: tuple[Capability, ...] = (
    Capability.CANCEL_APPROVE, Capability.CANCEL_REJECT, Capability.RETURN_APPROVE, Capability.RETURN_REJECT,
    Capability.RETURN_HOLD, Capability.COLLECTED, Capability.EXCHANGE_APPROVE, Capability.EXCHANGE_REJECT,
    Capability.EXCHANGE_RESHIP, Capability.EXCHANGE_HOLD, Capability.CLAIM_RELEASE,
)
