"""Why the engine refuses a transition, in words no mall uses.

Each protocol module maps a :class:`Code` to its own answer (HTTP status, mall code, Korean
text) through a table, so two malls can refuse the same thing in their own way.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    CANCELLED = "cancelled"  # every line is cancelled
    CANCEL_REQUESTED = "cancel_requested"  # the buyer asked to cancel: lines are held
    PAST_STAGE = "past_stage"  # the unit has moved beyond what the transition needs
    ALREADY_CONFIRMED = "already_confirmed"
    NOT_CONFIRMED = "not_confirmed"  # shipping before 발주확인
    ALREADY_SHIPPED = "already_shipped"
    SHIPPED_SAME = "shipped_same"  # already shipped with this very invoice
    NOT_SHIPPED = "not_shipped"  # changing an invoice that was never sent
    INVOICE_UNCHANGED = "invoice_unchanged"
    INVOICE_IN_USE = "invoice_in_use"  # the number belongs to another receiver's parcel
    LINES_MISMATCH = "lines_mismatch"  # an invoice must cover every open line of the unit
    NOT_CLAIMABLE = "not_claimable"
    ALREADY_ANSWERED = "already_answered"
    CLAIM_CLOSED = "claim_closed"  # the claim is done, rejected or withdrawn
    CLAIM_STEP = "claim_step"  # the claim is not at a step this action applies to (detail: the step)
    CLAIM_KIND = "claim_kind"  # the action is for another kind of claim
    CLAIM_SAME = "claim_same"  # the claim is already where this action would take it
    NEEDS_INVOICE = "needs_invoice"  # 취소거부 of a shipped order, 교환재발송: the invoice is required


class Refusal(Exception):
    """A state rule said no; ``detail`` is free context (a status, an id) for the mall's text."""

    def __init__(self, code: Code, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail
