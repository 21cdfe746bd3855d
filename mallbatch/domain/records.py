"""Canonical records: what every mall maps to and from.

Each record keeps the mall's own payload in ``raw`` so nothing the mall said is lost,
and so a later issue can surface fields we do not map yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class OrderStatus(StrEnum):
    PAID = "결제완료"
    PREPARING = "상품준비중"  # 발주확인 done
    SHIPPING = "배송중"
    DELIVERED = "배송완료"
    DECIDED = "구매확정"
    CANCELED = "취소"
    RETURNED = "반품"
    EXCHANGED = "교환"


class ClaimKind(StrEnum):
    CANCEL = "취소"
    RETURN = "반품"
    EXCHANGE = "교환"


class ClaimStatus(StrEnum):
    REQUESTED = "요청"
    IN_PROGRESS = "처리중"
    DONE = "완료"
    REJECTED = "거부"
    WITHDRAWN = "철회"


@dataclass(frozen=True)
class Address:
    zip: str
    address: str
    detail: str


@dataclass(frozen=True)
class ShippingInfo:
    """The 배송정보 of a sales group (seed 001 §판매정보 입력)."""

    name: str
    bundle_type: str  # 상품별배송 / 묶음배송
    method: str  # 일반-택배배송 …
    fee_type: str  # 무료 / 조건부 무료 / 유료
    fee: int
    free_over: int
    jeju_fee: int
    island_fee: int
    pay_type: str  # 선결제 / 착불
    return_fee: int
    exchange_fee: int
    ship_from: Address
    return_to: Address
    lead_days: int


@dataclass(frozen=True)
class OptionCombo:
    values: tuple[str, ...]  # one value per option name, in option-name order
    extra_price: int
    stock: int


@dataclass(frozen=True)
class Certification:
    kind: str
    agency: str
    number: str


@dataclass(frozen=True)
class ProductListing:
    """One product as it must appear on one mall: the product row joined with a sales group."""

    seller_code: str
    name: str
    on_sale: bool
    category_path: tuple[str, ...]
    mall_category: str
    model_name: str
    model_no: str
    maker: str
    brand: str
    made_on: date | None
    expires_on: date | None
    origin: str
    origin_detail: str
    certifications: tuple[Certification, ...]
    notice_group: str
    notice: dict[str, str]
    keywords: tuple[str, ...]
    detail_html: str
    main_image: str
    extra_images: tuple[str, ...]
    cost_price: int
    list_price: int
    sale_price: int
    tax_type: str  # 과세 / 면세 / 영세
    sale_region: str
    adult_only: bool
    sale_start: date
    sale_end: date
    option_type: str  # "" / 조합형 / 구매자입력형
    option_names: tuple[str, ...]
    options: tuple[OptionCombo, ...]
    stock: int
    shipping: ShippingInfo
    group: str


@dataclass(frozen=True)
class ProductRef:
    """The mall's identity of a registered product; ``extra`` holds secondary ids."""

    product_id: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class OrderLine:
    """One order line as collected. ``line_id`` is the natural key in the store.

    ``ship_unit`` is what the mall confirms and invoices together (쿠팡 shipmentBoxId,
    스마트스토어 productOrderId, 위메프 bundleNo).
    """

    mall: str
    account: str
    line_id: str
    order_id: str
    ship_unit: str
    status: OrderStatus
    status_raw: str
    ordered_at: datetime | None
    paid_at: datetime | None
    buyer_name: str
    buyer_phone: str
    receiver_name: str
    receiver_phone: str
    receiver_phone2: str
    zip: str
    address: str
    address_detail: str
    memo: str
    product_id: str
    seller_code: str
    product_name: str
    option_name: str
    quantity: int
    unit_price: int
    amount: int
    shipping_fee: int
    ship_by: datetime | None = None  # the mall's own dispatch deadline (발송기한) where its data has one
    courier: str = ""  # canonical courier code (mallbatch.domain.couriers)
    tracking_no: str = ""
    claim: str = ""  # e.g. "취소요청" while a claim is open on this line
    raw: dict[str, Any] = field(default_factory=dict)
    delivered_at: datetime | None = None  # when the mall says it was delivered: a return's window starts here (seed 002)
    hold: str = ""  # the mall holds this line from shipping, and why (아임웹 배송보류: 주소 변경); no invoice goes out


@dataclass
class Claim:
    mall: str
    account: str
    claim_id: str
    kind: ClaimKind
    status: ClaimStatus
    status_raw: str
    order_id: str
    line_ids: list[str]
    ship_unit: str
    requested_at: datetime | None
    reason: str
    quantity: int
    product_name: str
    option_name: str
    requester_name: str
    requester_phone: str
    raw: dict[str, Any] = field(default_factory=dict)
    stage: str = ""  # a domain.states.State value more precise than kind + status (수거중, 재배송, 보류 …), from the mapping

    @property
    def blocks_shipping(self) -> bool:
        """A cancel the buyer asked for and the seller has not rejected: do not ship."""
        return self.kind is ClaimKind.CANCEL and self.status in (ClaimStatus.REQUESTED, ClaimStatus.IN_PROGRESS)


@dataclass
class Inquiry:
    mall: str
    account: str
    inquiry_id: str
    kind: str  # 상품문의 / 고객문의 / 주문문의 …
    subject: str
    body: str
    product_id: str
    product_name: str
    order_id: str
    asked_at: datetime | None
    writer: str  # masked id as the mall gives it
    answered: bool
    answer: str = ""
    answered_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Invoice:
    """Ship ``ship_unit`` (all of ``line_ids``) with this courier and number."""

    ship_unit: str
    line_ids: tuple[str, ...]
    order_id: str
    courier: str  # canonical courier code
    tracking_no: str
    shipped_on: date | None = None
    quantity: int = 0  # ship only this many of the one line in line_ids (0: the whole unit); MarketplaceSpec.split_quantity


@dataclass(frozen=True)
class Answer:
    inquiry_id: str
    text: str
    close: bool = False  # 답변후종료 where the mall supports it


@dataclass(frozen=True)
class ItemResult:
    """Per-item outcome of a bulk write, as the mall reported it."""

    key: str
    ok: bool
    code: str = ""
    message_ko: str = ""
    remote_id: str = ""
    already: bool = False  # the mall says it was already in this state (treated as done)
    extra: dict[str, Any] = field(default_factory=dict)  # secondary ids worth keeping (bindings)


@dataclass(frozen=True)
class ListingChange:
    """One absolute change of one listing on one mall: its stock, sale price or sale state, of the
    whole product (``option`` empty) or of one option combination. Absolute, never a delta, so a
    change applied twice leaves the mall as applied once.

    ``target`` (the mall's product id, then ``#`` and the option values joined by ``/``) is the
    journal's target and the write's key: a read-back is given only the target, and finds the
    product and the option from it (:func:`split_target`).
    """

    seller_code: str
    product_id: str
    option: tuple[str, ...] = ()  # option values in option-name order, e.g. ("골드", "M")
    stock: int | None = None
    sale_price: int | None = None
    on_sale: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # the binding's extra (mall option ids)

    @property
    def target(self) -> str:
        return f"{self.product_id}#{'/'.join(self.option)}" if self.option else self.product_id

    def payload(self) -> dict[str, Any]:
        """What the journal keeps and ReadBack.holds compares (the binding's extra stays out)."""
        return {"seller_code": self.seller_code, "product_id": self.product_id, "option": list(self.option),
                "stock": self.stock, "sale_price": self.sale_price, "on_sale": self.on_sale}


def split_target(target: str) -> tuple[str, tuple[str, ...]]:
    """(product id, option values) of a :attr:`ListingChange.target`."""
    product_id, _, option = target.partition("#")
    return product_id, tuple(option.split("/")) if option else ()


@dataclass
class MallProduct:
    """A listing as the mall shows it (``mallbatch import``): enough to bind it to a 자체상품코드 and
    to prefill a 상품 row. ``options`` carry each combination's values and stock as the mall has them."""

    mall: str
    account: str
    product_id: str
    seller_code: str  # the mall's seller-code field ("" when the seller never filled it)
    name: str
    sale_price: int
    list_price: int
    stock: int
    on_sale: bool
    category: str = ""
    option_names: tuple[str, ...] = ()
    options: tuple[OptionCombo, ...] = ()
    sale_end: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # ids worth keeping in the binding
    raw: dict[str, Any] = field(default_factory=dict)


# --- after the sale ------------------------------------------------------------------------
FEE_DEDUCT, FEE_CHARGE, FEE_NONE = "차감", "청구", "없음"  # 배송비 처리 of a return or exchange (seed 003)


@dataclass(frozen=True)
class ClaimAction:
    """The seller's decision on one collected claim. Its journal target and write key is ``claim_id``;
    ``claim`` is the claim as last collected (its ``raw`` carries the mall's own ids), so a write's
    ``prepare`` needs no second read to address it."""

    claim_id: str
    kind: ClaimKind
    order_id: str = ""
    ship_unit: str = ""
    line_ids: tuple[str, ...] = ()
    reason: str = ""  # the seller's words (거부·보류 사유)
    reason_code: str = ""  # a key of domain.states.SELLER_REASONS, mapped per mall by its spec
    fee: str = ""  # FEE_DEDUCT / FEE_CHARGE / FEE_NONE, for returns and exchanges
    courier: str = ""  # canonical courier code: 취소거부 of a shipped order, 교환재발송
    tracking_no: str = ""
    claim: Claim | None = field(default=None, compare=False)

    @property
    def target(self) -> str:
        return self.claim_id

    def payload(self) -> dict[str, Any]:
        """What the journal keeps and ReadBack.holds compares."""
        return {"claim_id": self.claim_id, "kind": str(self.kind), "order_id": self.order_id, "ship_unit": self.ship_unit,
                "line_ids": list(self.line_ids), "reason": self.reason, "reason_code": self.reason_code, "fee": self.fee,
                "courier": self.courier, "tracking_no": self.tracking_no}


@dataclass(frozen=True)
class OrderCancel:
    """판매취소 of one order line by the seller (seed 001 주문확인 → 판매취소 → 판매취소 연동); its
    target and write key is ``line_id``. ``quantity`` 0 cancels the whole line."""

    line_id: str
    order_id: str
    ship_unit: str
    reason_code: str  # a key of domain.states.SELLER_REASONS
    reason: str = ""
    quantity: int = 0
    line: OrderLine | None = field(default=None, compare=False)

    @property
    def target(self) -> str:
        return self.line_id

    def payload(self) -> dict[str, Any]:
        return {"line_id": self.line_id, "order_id": self.order_id, "ship_unit": self.ship_unit,
                "reason_code": self.reason_code, "reason": self.reason, "quantity": self.quantity}


# --- support tickets (Wish, seed 004) ------------------------------------------------------
class TicketCategory(StrEnum):
    PRE_PURCHASE = "구매 전 질문"
    ORDER = "구매 후 티켓"
    POST_CUSTOMER_SUPPORT = "고객 지원 후 질문"


class TicketState(StrEnum):
    AWAITING_MERCHANT = "판매자 응답 대기"
    AWAITING_USER = "고객 응답 대기"
    AWAITING_WISH = "Wish 검토 중"
    CLOSED = "종료"
    PERMANENTLY_CLOSED = "영구 종료"


@dataclass(frozen=True)
class TicketMessage:
    sender: str  # USER / MERCHANT / WISH_SUPPORT / WISH_AUTOMATED_SUPPORT / LIVE_CHAT (Wish v3 Reply.sender)
    text: str
    at: datetime | None


@dataclass
class Ticket:
    """One support ticket as collected; ``ticket_id`` is its key in the store. The 48-hour clock
    (seed 004 응답까지 남은 시간) runs from ``awaiting_since``: when it last became AWAITING_MERCHANT."""

    mall: str
    account: str
    ticket_id: str
    category: TicketCategory
    state: TicketState
    state_raw: str
    label: str  # 문제 유형 as the mall names it
    subject: str
    opened_at: datetime | None
    updated_at: datetime | None
    customer_name: str
    locale: str  # the customer's language ("en", "de", "ko" …): picks the answer template's language
    order_ids: list[str] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    messages: list[TicketMessage] = field(default_factory=list)
    awaiting_since: datetime | None = None
    first_reply_at: datetime | None = None  # the merchant's first reply (CS metric: late when > 48 h after opened)
    csat: float | None = None  # the customer's satisfaction where the mall reports it
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketAction:
    """The seller's action on one ticket (a domain.capability.TICKET_ACTIONS member); target and write
    key ``ticket_id``. ``text`` is the reply (답변, 답변후종료) or the re-open reason; ``order_ids`` are the
    order items a 환불 refunds, with ``reason_code`` the mall's refund reason."""

    ticket_id: str
    text: str = ""
    reason_code: str = ""
    order_ids: tuple[str, ...] = ()
    ticket: Ticket | None = field(default=None, compare=False)

    @property
    def target(self) -> str:
        return self.ticket_id

    def payload(self) -> dict[str, Any]:
        return {"ticket_id": self.ticket_id, "text": self.text, "reason_code": self.reason_code, "order_ids": list(self.order_ids)}
