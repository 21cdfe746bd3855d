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
    INVOICES_DELETE = "invoices.delete"  # 송장삭제: 아임웹 refuses a cancel in 배송대기 while an invoice is on it (seed 003)
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
    # support tickets (Wish, seed 004): collected like inquiries, each action its own write
    TICKETS_COLLECT = "tickets.collect"
    TICKET_REPLY = "tickets.reply"  # 답변: only while AWAITING_MERCHANT, ≤ 2000 characters
    TICKET_CLOSE = "tickets.close"  # 답변후종료: the reply, then close
    TICKET_APPEAL = "tickets.appeal"  # Wish지원요청 (appeal to Wish support)
    TICKET_REOPEN = "tickets.reopen"  # 재오픈: never a PERMANENTLY_CLOSED ticket
    TICKET_REFUND = "tickets.refund"  # 환불 of the ticket's marked order items (구매 후 티켓 only)


CLAIM_ACTIONS: tuple[Capability, ...] = (
    Capability.CANCEL_APPROVE, Capability.CANCEL_REJECT, Capability.RETURN_APPROVE, Capability.RETURN_REJECT,
    Capability.RETURN_HOLD, Capability.COLLECTED, Capability.EXCHANGE_APPROVE, Capability.EXCHANGE_REJECT,
    Capability.EXCHANGE_RESHIP, Capability.EXCHANGE_HOLD, Capability.CLAIM_RELEASE,
)

TICKET_ACTIONS: tuple[Capability, ...] = (
    Capability.TICKET_REPLY, Capability.TICKET_CLOSE, Capability.TICKET_APPEAL, Capability.TICKET_REOPEN, Capability.TICKET_REFUND,
)
