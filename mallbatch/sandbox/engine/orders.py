"""Order units and their transitions: the one order state machine of every simulator.

A :class:`Unit` is what one invoice ships (쿠팡 shipment box, 스마트스토어 product order,
위메프 bundle) with its lines and quantities. Protocol modules build it from their stored
document, call a transition, and write the unit back; a :class:`Refusal` leaves the document
untouched because nothing is written back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from mallbatch.sandbox.engine.refusal import Code, Refusal


class Stage(IntEnum):
    PAID = 1  # 결제완료
    CONFIRMED = 2  # 발주확인 / 상품준비중
    SHIPPED = 3  # 발송처리: the invoice is known, the courier has not scanned it yet
    IN_TRANSIT = 4  # 배송중: the courier has the parcel, the invoice is final
    DELIVERED = 5  # 배송완료
    DECIDED = 6  # 구매확정


class Claim(StrEnum):
    CANCEL = "cancel"
    RETURN = "return"
    EXCHANGE = "exchange"


@dataclass
class Line:
    """One ordered option with its quantities: ``held`` waits on a buyer's cancel request."""

    id: str
    quantity: int
    cancelled: int = 0
    held: int = 0

    @property
    def active(self) -> bool:
        return self.cancelled < self.quantity


@dataclass(frozen=True)
class Invoice:
    """How a unit left: a courier code and tracking number, or a method without one (직접배송)."""

    courier: str
    number: str


@dataclass
class Unit:
    id: str
    stage: Stage
    lines: list[Line] = field(default_factory=list)
    invoice: Invoice | None = None

    @property
    def cancelled(self) -> bool:
        return not any(line.active for line in self.lines)

    @property
    def held(self) -> bool:
        return any(line.held > 0 for line in self.lines)


@dataclass(frozen=True)
class Policy:
    """Where malls differ in their state rules (not in their protocol)."""

    confirm_while_cancel_requested: bool = False
    ship_while_cancel_requested: bool = False  # 위메프 accepts invoices on 취소요청 (seed 001)
    confirm_before_ship: bool = True
    same_invoice_is_done: bool = False  # a repeated 발송처리 with the same invoice is "already done"


def confirm(unit: Unit, policy: Policy) -> None:
    """발주확인: PAID → CONFIRMED."""
    if unit.cancelled:
        raise Refusal(Code.CANCELLED)
    if unit.stage > Stage.CONFIRMED:
        raise Refusal(Code.PAST_STAGE, unit.stage.name)
    if unit.held and not policy.confirm_while_cancel_requested:
        raise Refusal(Code.CANCEL_REQUESTED)
    if unit.stage is Stage.CONFIRMED:
        raise Refusal(Code.ALREADY_CONFIRMED)
    unit.stage = Stage.CONFIRMED


def ship(unit: Unit, invoice: Invoice, policy: Policy, lines: Iterable[str] | None = None) -> None:
    """발송처리: CONFIRMED (or PAID where no 발주확인 is needed) → SHIPPED.

    ``lines`` (when the mall names them) must be exactly the unit's active lines: one parcel
    carries everything still to ship.
    """
    if unit.cancelled:
        raise Refusal(Code.CANCELLED)
    if unit.stage >= Stage.SHIPPED:
        if policy.same_invoice_is_done and unit.invoice == invoice:
            raise Refusal(Code.SHIPPED_SAME)
        raise Refusal(Code.ALREADY_SHIPPED, unit.stage.name)
    if unit.held and not policy.ship_while_cancel_requested:
        raise Refusal(Code.CANCEL_REQUESTED)
    if unit.stage is Stage.PAID and policy.confirm_before_ship:
        raise Refusal(Code.NOT_CONFIRMED)
    _covers(unit, lines)
    unit.stage, unit.invoice = Stage.SHIPPED, invoice


def change_invoice(unit: Unit, invoice: Invoice, lines: Iterable[str] | None = None) -> None:
    """송장수정: only before the courier scans the parcel, and only to a different invoice."""
    if unit.cancelled:
        raise Refusal(Code.CANCELLED)
    if unit.stage < Stage.SHIPPED:
        raise Refusal(Code.NOT_SHIPPED, unit.stage.name)
    if unit.stage > Stage.SHIPPED:
        raise Refusal(Code.PAST_STAGE, unit.stage.name)
    _covers(unit, lines)
    if unit.invoice == invoice:
        raise Refusal(Code.INVOICE_UNCHANGED)
    unit.invoice = invoice


def _covers(unit: Unit, lines: Iterable[str] | None) -> None:
    """Named lines must be every active line of the unit, and only its lines."""
    if lines is None:
        return
    sent = set(lines)
    if not {line.id for line in unit.lines if line.active} <= sent <= {line.id for line in unit.lines}:
        raise Refusal(Code.LINES_MISMATCH)


def claimable(unit: Unit, kind: Claim) -> bool:
    """Cancels before shipping; returns and exchanges once the parcel left (not after 구매확정)."""
    if unit.cancelled:
        return False
    if kind is Claim.CANCEL:
        return unit.stage <= Stage.CONFIRMED
    return Stage.SHIPPED <= unit.stage <= Stage.DELIVERED


def cancel(unit: Unit, *, complete: bool) -> None:
    """A buyer's cancel: hold every open quantity until the seller decides, or cancel outright."""
    if not claimable(unit, Claim.CANCEL):
        raise Refusal(Code.NOT_CLAIMABLE, unit.stage.name)
    for line in unit.lines:
        if complete:
            line.cancelled, line.held = line.quantity, 0
        else:
            line.held = line.quantity - line.cancelled
