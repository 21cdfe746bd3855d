"""Claims and the seller's actions on them: the one claim state machine of every simulator.

A :class:`Case` is one buyer's cancel, return or exchange. Its steps follow seed 003:
요청 → (수거중 → 수거완료) → 승인 → (재배송, exchanges) → 완료, with 보류 beside any open step
and 거부 / 철회 as ends. Protocol modules build a Case from their stored claim, call a
transition, write it back in their own fields and render a :class:`Refusal` from a table,
like :mod:`.orders`. Which actions a mall offers at all is the protocol module's business.

Rules are this engine's reading of seed 003 and the malls' claim APIs; the step names are
invented (no mall uses them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mallbatch.sandbox.engine.orders import Claim, Invoice
from mallbatch.sandbox.engine.refusal import Code, Refusal


class Step(StrEnum):
    REQUESTED = "requested"
    COLLECTING = "collecting"  # the pickup is under way (returns, exchanges)
    COLLECTED = "collected"  # the seller has the item back
    APPROVED = "approved"  # exchanges: approved, the new item not sent yet
    RESHIPPED = "reshipped"  # exchanges: the new item is on its way
    HELD = "held"
    DONE = "done"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


CLOSED = (Step.DONE, Step.REJECTED, Step.WITHDRAWN)
OPEN = (Step.REQUESTED, Step.COLLECTING, Step.COLLECTED, Step.APPROVED, Step.HELD)


@dataclass
class Case:
    id: str
    kind: Claim
    step: Step = Step.REQUESTED
    held_from: Step | None = None  # the step a hold interrupted (보류해제 returns to it)
    reason: str = ""  # the seller's last 거부/보류 reason
    fee: str = ""  # 배송비 처리 (차감 / 청구 / 없음)
    invoice: Invoice | None = None  # 교환재발송, or the invoice a 취소거부 names


def _open(case: Case, target: Step) -> None:
    if case.step is target:
        raise Refusal(Code.CLAIM_SAME, case.step)
    if case.step in CLOSED:
        raise Refusal(Code.CLAIM_CLOSED, case.step)


def _kind(case: Case, *kinds: Claim) -> None:
    if case.kind not in kinds:
        raise Refusal(Code.CLAIM_KIND, case.kind)


def approve(case: Case, fee: str = "") -> None:
    """취소승인 / 반품승인 end the claim; 교환승인 lets the new item go (after or before 수거)."""
    target = Step.APPROVED if case.kind is Claim.EXCHANGE else Step.DONE
    _open(case, target)
    if case.step is Step.HELD:
        raise Refusal(Code.CLAIM_STEP, case.step)  # release the hold first
    if case.kind is Claim.EXCHANGE and case.step is Step.RESHIPPED:
        raise Refusal(Code.CLAIM_STEP, case.step)
    case.step, case.fee = target, fee or case.fee


def reject(case: Case, reason: str, invoice: Invoice | None = None, *, shipped: bool = False) -> None:
    """거부: a cancel of an order already shipped names its invoice (``shipped``)."""
    _open(case, Step.REJECTED)
    if case.kind is Claim.EXCHANGE and case.step in (Step.APPROVED, Step.RESHIPPED):
        raise Refusal(Code.CLAIM_STEP, case.step)
    if case.kind is Claim.CANCEL and shipped and invoice is None:
        raise Refusal(Code.NEEDS_INVOICE)
    case.step, case.reason, case.invoice = Step.REJECTED, reason, invoice or case.invoice


def hold(case: Case, reason: str) -> None:
    """보류 of a return or exchange that is still open."""
    _kind(case, Claim.RETURN, Claim.EXCHANGE)
    _open(case, Step.HELD)
    if case.step in (Step.APPROVED, Step.RESHIPPED):
        raise Refusal(Code.CLAIM_STEP, case.step)
    case.held_from, case.step, case.reason = case.step, Step.HELD, reason


def release(case: Case) -> None:
    """보류해제: back to the step the hold interrupted."""
    if case.step is not Step.HELD:
        raise Refusal(Code.CLAIM_CLOSED if case.step in CLOSED else Code.CLAIM_STEP, case.step)
    case.step, case.held_from = case.held_from or Step.REQUESTED, None


def collected(case: Case) -> None:
    """수거완료: the seller has the returned or exchanged item."""
    _kind(case, Claim.RETURN, Claim.EXCHANGE)
    _open(case, Step.COLLECTED)
    if case.step not in (Step.REQUESTED, Step.COLLECTING):
        raise Refusal(Code.CLAIM_STEP, case.step)
    case.step = Step.COLLECTED


def reship(case: Case, invoice: Invoice) -> None:
    """교환재발송: the new item leaves with ``invoice``, once the exchange is approved or collected."""
    _kind(case, Claim.EXCHANGE)
    _open(case, Step.RESHIPPED)
    if case.step not in (Step.APPROVED, Step.COLLECTED):
        raise Refusal(Code.CLAIM_STEP, case.step)
    case.step, case.invoice = Step.RESHIPPED, invoice


def withdraw(case: Case) -> None:
    """The buyer takes the claim back (simulator control)."""
    _open(case, Step.WITHDRAWN)
    case.step = Step.WITHDRAWN
