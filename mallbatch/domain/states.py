"""One canonical state in Korean for every order line and claim, whatever the mall calls it.

The 주문 and 클레임 workbooks show :class:`State` (the mall's own code goes in a side column);
mappings set ``Claim.stage`` when the mall says more than kind + status (수거중, 재배송, 보류).
``SELLER_REASONS`` are the reasons a seller picks for 판매취소 and for refusing or holding a
claim; each connector spec maps them to its mall's codes.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, OrderLine, OrderStatus


class State(StrEnum):
    PAID = "결제완료"
    CONFIRMED = "발주확인"
    SHIPPING = "배송중"
    DELIVERED = "배송완료"
    DECIDED = "구매확정"
    CANCEL_REQUESTED = "취소요청"
    CANCELED = "취소완료"
    CANCEL_REJECTED = "취소거부"
    RETURN_REQUESTED = "반품요청"
    COLLECTING = "수거중"
    COLLECTED = "수거완료"
    RETURNED = "반품완료"
    RETURN_REJECTED = "반품거부"
    EXCHANGE_REQUESTED = "교환요청"
    EXCHANGE_APPROVED = "교환승인"
    RESHIPPING = "재배송"
    EXCHANGED = "교환완료"
    EXCHANGE_REJECTED = "교환거부"
    HELD = "보류"
    WITHDRAWN = "철회"
    DONE_OUTSIDE = "강제완료"  # the seller marked it done in mallbatch (shipped outside it)


RETURN_WINDOW = timedelta(days=7)  # seed 002: returns within 7 days of delivery

SELLER_REASONS: tuple[str, ...] = ("품절", "배송지연", "상품정보오류", "구매자요청", "기타")

_ORDER = {
    OrderStatus.PAID: State.PAID, OrderStatus.PREPARING: State.CONFIRMED, OrderStatus.SHIPPING: State.SHIPPING,
    OrderStatus.DELIVERED: State.DELIVERED, OrderStatus.DECIDED: State.DECIDED, OrderStatus.CANCELED: State.CANCELED,
    OrderStatus.RETURNED: State.RETURNED, OrderStatus.EXCHANGED: State.EXCHANGED,
}
_CLAIM = {
    (ClaimKind.CANCEL, ClaimStatus.REQUESTED): State.CANCEL_REQUESTED,
    (ClaimKind.CANCEL, ClaimStatus.IN_PROGRESS): State.CANCEL_REQUESTED,
    (ClaimKind.CANCEL, ClaimStatus.DONE): State.CANCELED,
    (ClaimKind.CANCEL, ClaimStatus.REJECTED): State.CANCEL_REJECTED,
    (ClaimKind.RETURN, ClaimStatus.REQUESTED): State.RETURN_REQUESTED,
    (ClaimKind.RETURN, ClaimStatus.IN_PROGRESS): State.COLLECTING,
    (ClaimKind.RETURN, ClaimStatus.DONE): State.RETURNED,
    (ClaimKind.RETURN, ClaimStatus.REJECTED): State.RETURN_REJECTED,
    (ClaimKind.EXCHANGE, ClaimStatus.REQUESTED): State.EXCHANGE_REQUESTED,
    (ClaimKind.EXCHANGE, ClaimStatus.IN_PROGRESS): State.COLLECTING,
    (ClaimKind.EXCHANGE, ClaimStatus.DONE): State.EXCHANGED,
    (ClaimKind.EXCHANGE, ClaimStatus.REJECTED): State.EXCHANGE_REJECTED,
}


def claim_state(claim: Claim) -> State:
    """The mapping's ``stage`` when it set one, else what kind + status say."""
    if claim.stage:
        return State(claim.stage)
    if claim.status is ClaimStatus.WITHDRAWN:
        return State.WITHDRAWN
    return _CLAIM[(claim.kind, claim.status)]


def order_state(line: OrderLine, open_claim: Claim | None = None) -> State:
    """An open claim on the line says more than the line's own status (취소요청 on a paid line); a
    line the mall holds from shipping (``hold``) is 보류 until the seller releases it."""
    if line.hold and line.status in (OrderStatus.PAID, OrderStatus.PREPARING):
        return State.HELD
    if open_claim is not None and open_claim.status in (ClaimStatus.REQUESTED, ClaimStatus.IN_PROGRESS):
        return claim_state(open_claim)
    return _ORDER[line.status]
