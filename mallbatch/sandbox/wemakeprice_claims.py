"""위메프 claims on the shared claim state machine: a stored claim (reference §1.6 fields) read as an
engine :class:`~mallbatch.sandbox.engine.claims.Case`, written back in 위메프's own fields, and the
engine's refusals in this mall's words.

Field use beyond reference §1.6 is this simulator's reading, all invented: a hold keeps claimStatus
REQUEST and sets pendingDate; a rejected claim is claimStatus REJECT with rejectDate; the pickup and
the exchange's delivery carry the order's shipStatus values (DELIVERY under way, COMPLETE done).
"""

from __future__ import annotations

from typing import Any

from mallbatch.sandbox.engine.claims import Case, Step
from mallbatch.sandbox.engine.orders import Claim, Invoice
from mallbatch.sandbox.engine.refusal import Code, Refusal

KINDS = {"취소": Claim.CANCEL, "반품": Claim.RETURN, "교환": Claim.EXCHANGE}  # claimType as stored (Korean, §1.6)
CLAIM_TYPES = {"CANCEL": "취소", "RETURN": "반품", "EXCHANGE": "교환"}  # claimType as requested (§1.6)
PICKUP_STEPS = {"DELIVERY": Step.COLLECTING, "COMPLETE": Step.COLLECTED}
STEP_KO = {
    Step.REQUESTED: "요청", Step.COLLECTING: "수거중", Step.COLLECTED: "수거완료", Step.APPROVED: "승인",
    Step.RESHIPPED: "재배송", Step.HELD: "보류", Step.DONE: "완료", Step.REJECTED: "거부", Step.WITHDRAWN: "철회",
}
KIND_KO = {Claim.CANCEL: "취소", Claim.RETURN: "반품", Claim.EXCHANGE: "교환"}
# Engine refusals as 위메프 answers them: (HTTP status = resultCode, error text; {step} / {kind} filled). Invented.
REFUSED = {
    Code.CLAIM_CLOSED: (409, "이미 처리가 끝난 클레임입니다 (현재 상태: {step})"),
    Code.CLAIM_SAME: (409, "이미 {step} 처리된 클레임입니다"),
    Code.CLAIM_STEP: (409, "현재 상태({step})의 클레임에는 할 수 없는 처리입니다"),
    Code.CLAIM_KIND: (400, "{kind} 클레임에는 할 수 없는 처리입니다"),
    Code.NEEDS_INVOICE: (400, "이미출고(CJD3) 취소거부에는 배송방법과 택배사·송장번호가 필요합니다"),
}


def refusal_text(refusal: Refusal) -> tuple[int, str]:
    status, text = REFUSED[refusal.code]
    detail = str(refusal.detail)
    step = STEP_KO[Step(detail)] if detail in set(Step) else detail
    kind = KIND_KO[Claim(detail)] if detail in set(Claim) else detail
    return status, text.format(step=step, kind=kind)


def _pickup_step(claim: dict[str, Any]) -> Step:
    return PICKUP_STEPS.get(str((claim.get("pickup") or {}).get("shipStatus") or ""), Step.REQUESTED)


def case_of(claim: dict[str, Any]) -> Case:
    """The engine's view of a stored claim."""
    kind, status = KINDS[claim["claimType"]], claim["claimStatus"]
    delivery = claim.get("delivery") or {}
    invoice = Invoice(str(delivery.get("parcelCompany") or ""), str(delivery.get("invoiceNo") or "")) if delivery.get("shipStatus") else None
    case = Case(str(claim["claimBundleNo"]), kind, reason=str(claim.get("pendingReasonDetail") or ""), invoice=invoice)
    if status == "WITHDRAW":
        case.step = Step.WITHDRAWN
    elif status == "REJECT":
        case.step = Step.REJECTED
    elif status == "APPROVE":
        case.step = (Step.RESHIPPED if invoice else Step.APPROVED) if kind is Claim.EXCHANGE else Step.DONE
    elif claim.get("pendingDate"):
        case.step, case.held_from = Step.HELD, _pickup_step(claim)
    else:
        case.step = _pickup_step(claim)
    return case


def write_back(claim: dict[str, Any], case: Case, now: str) -> None:
    """The case's step in 위메프's fields (see the module docstring)."""
    step = case.step
    if step is Step.HELD:
        claim["pendingDate"] = now
        return
    claim["pendingDate"] = None if step in (Step.REQUESTED, Step.COLLECTING, Step.COLLECTED) else claim.get("pendingDate")
    if step in (Step.COLLECTING, Step.COLLECTED):
        claim["pickup"] = {**(claim.get("pickup") or {}), "shipStatus": "DELIVERY" if step is Step.COLLECTING else "COMPLETE"}
    elif step in (Step.DONE, Step.APPROVED):
        claim.update(claimStatus="APPROVE", approveDate=now)
    elif step is Step.RESHIPPED and case.invoice is not None:
        claim["delivery"] = {**(claim.get("delivery") or {}), "shipStatus": "DELIVERY", "parcelCompany": case.invoice.courier,
                             "invoiceNo": case.invoice.number, "shipDate": now}  # invented: shipDate
    elif step is Step.REJECTED:
        claim.update(claimStatus="REJECT", rejectDate=now)
    elif step is Step.WITHDRAWN:
        claim.update(claimStatus="WITHDRAW", withdrawDate=now)


def options_of(claim: dict[str, Any]) -> set[int]:
    """The orderOptionNos a claim names."""
    return {o["orderOptionNo"] for p in claim.get("orderProduct") or [] for o in p.get("orderOption") or []}
