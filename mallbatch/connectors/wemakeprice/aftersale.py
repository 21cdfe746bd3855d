"""위메프 after the sale: 판매취소 per 옵션주문번호 and the seller's actions on claims (reference §1.3
operations with confirmed bodies and unknown paths, §1.6 codes), their prechecks and read-backs.

Bodies are the SK stoa request models of reference §1.3 ([C]); every path is invented (the mall's
``/…/in/set…`` naming rule, reference §1.1), and so is every field or code marked ``invented``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from mallbatch.connectors.wemakeprice.mapping import COURIER_CODES, courier_from_mall
from mallbatch.domain.clock import KST
from mallbatch.domain.records import (
    FEE_CHARGE,
    FEE_DEDUCT,
    FEE_NONE,
    ClaimAction,
    ClaimKind,
    OrderCancel,
    OrderStatus,
)
from mallbatch.domain.states import SELLER_REASONS

# Paths (invented: reference §1.3 gives the operations and bodies, not their URLs).
CANCEL_PATH = "/order/in/setOrderCancel"  # invented: path
CLAIM_INFO = "/claim/out/getClaimInfo"  # invented: path
APPROVE_PATH = "/claim/in/setClaimApprove"  # invented: path
REJECT_PATH = "/claim/in/setClaimReject"  # invented: path
PENDING_PATH = "/claim/in/setClaimPending"  # invented: path
PICKUP_DONE_PATH = "/claim/in/setClaimPickupComplete"  # invented: path
REDELIVERY_PATH = "/claim/in/setClaimDelivery"  # invented: path

CLAIM_TYPE = {ClaimKind.CANCEL: "CANCEL", ClaimKind.RETURN: "RETURN", ClaimKind.EXCHANGE: "EXCHANGE"}  # reference §1.6
KIND_KO = {ClaimKind.CANCEL: "취소", ClaimKind.RETURN: "반품", ClaimKind.EXCHANGE: "교환"}

# 판매취소 reasons (domain.states.SELLER_REASONS → 위메프). invented: every code; the reference shows
# no cancel reason table (only the CJD3 / RPD5 pattern of kind letter, action letter, D + digit).
REASONS: dict[str, str] = {
    "품절": "SCD1",  # invented
    "배송지연": "SCD2",  # invented
    "상품정보오류": "SCD3",  # invented
    "구매자요청": "SCD4",  # invented
    "기타": "SCD9",  # invented
}
ALREADY_SHIPPED = "CJD3"  # reference §1.6: a cancel rejected because the order already left ("이미출고")
RETURN_HOLD = "RPD5"  # reference §1.6: return hold
EXCHANGE_HOLD = "EPD5"  # invented: by analogy with RPD5
REJECT_CODES = {ClaimKind.RETURN: "RJD1", ClaimKind.EXCHANGE: "EJD1"}  # invented: by analogy with CJD3

SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})


def _digits(value: str, what: str) -> str | None:
    return None if value.strip().isdigit() else f"위메프 {what}는 숫자여야 합니다 ({value.strip()})"


def _tracking(number: str) -> str:
    return re.sub(r"[\s-]", "", number)


# --- 판매취소 ---------------------------------------------------------------------------------
def cancel_problem(cancel: OrderCancel) -> str | None:
    """Refused before any call: a shipped line (the buyer returns it instead), an unknown reason, part of a line."""
    problem = _digits(cancel.line_id, "옵션주문번호(orderOptionNo)")
    if problem:
        return problem
    line = cancel.line
    if line is not None and line.status in SHIPPED:
        return (f"이미 발송된 주문({cancel.line_id})은 판매취소할 수 없습니다. "
                "구매자에게 반품을 요청하도록 안내하거나 위메프 파트너센터에서 처리하세요")
    if cancel.reason_code not in REASONS:
        return f"판매취소 사유를 고르세요: {', '.join(SELLER_REASONS)} (현재 '{cancel.reason_code}')"
    if cancel.quantity and (line is None or cancel.quantity != line.quantity):
        return "위메프 판매취소는 옵션주문 단위로만 됩니다: 수량을 비우거나 주문수량 전체로 적으세요"
    return None


def cancel_body(cancels: list[OrderCancel]) -> dict[str, Any]:
    """SetOrderCancelRequest {"orderOptionNo"} (reference §1.3); the reason fields are invented."""
    cancel = cancels[0]
    return {"orderOptionNo": int(cancel.line_id.strip()),
            "cancelReasonCode": REASONS[cancel.reason_code],  # invented: field
            "cancelReasonDetail": cancel.reason or cancel.reason_code}  # invented: field


def line_cancelled(bundle: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Read-back: the option line is cancelled (the whole bundle, or its invented optionStatus)."""
    if str((bundle.get("delivery") or {}).get("shipStatus") or "") == "CANCEL":
        return True
    return any(str(o.get("orderOptionNo")) == str(wanted.get("line_id")) and o.get("optionStatus") == "CANCEL"
               for p in bundle.get("orderProduct") or [] for o in p.get("orderOption") or [])


# --- claims: checks ----------------------------------------------------------------------------
def for_kinds(*kinds: ClaimKind) -> Any:
    """A precheck: the claim id is a number and the action is for this kind of claim."""
    def check(action: ClaimAction) -> str | None:
        problem = _digits(action.claim_id, "클레임번호(claimBundleNo)")
        if problem:
            return problem
        if action.kind not in kinds:
            names = "·".join(KIND_KO[k] for k in kinds)
            return f"이 처리는 {names} 클레임에만 할 수 있습니다 (클레임 {action.claim_id} 은 {KIND_KO[action.kind]})"
        return None
    return check


def mall_fee(claim: dict[str, Any]) -> str:
    """배송비 처리 as 위메프 decides it (inferred: claimFee 0 = 없음; claimShipFeeEnclose Y, the buyer
    encloses it = 청구; otherwise it comes off the refund = 차감)."""
    if not int(claim.get("claimFee") or 0):
        return FEE_NONE
    return FEE_CHARGE if str(claim.get("claimShipFeeEnclose") or "") == "Y" else FEE_DEDUCT


def approve_problem(*kinds: ClaimKind) -> Any:
    """Approve takes no fee (SetClaimApprove is claimBundleNo + claimType): a 배송비 처리 other than the
    mall's own is refused, not silently dropped."""
    base = for_kinds(*kinds)

    def check(action: ClaimAction) -> str | None:
        problem = base(action)
        if problem or not action.fee:
            return problem
        raw = action.claim.raw if action.claim is not None else None
        if raw is None:
            return "배송비 처리를 확인할 클레임 정보가 없습니다. 클레임을 다시 수집한 뒤 보내세요"
        fee = mall_fee(raw)
        if action.fee != fee:
            return (f"위메프는 반품·교환 배송비를 직접 정합니다 (이 클레임: {fee}, {int(raw.get('claimFee') or 0):,}원). "
                    f"배송비 처리를 비우거나 '{fee}'(으)로 적으세요")
        return None
    return check


def _needs_reason(action: ClaimAction) -> str | None:
    if not (action.reason.strip() or action.reason_code.strip()):
        return "사유를 적어 주세요 (위메프는 거부·보류 사유가 필요합니다)"
    return None


def _needs_invoice(action: ClaimAction, what: str) -> str | None:
    if action.courier not in COURIER_CODES:
        return f"{what}에는 위메프가 지원하는 택배사가 필요합니다 (현재 '{action.courier}')"
    if COURIER_CODES[action.courier] != "DIRECT" and not _tracking(action.tracking_no):
        return f"{what}에는 송장번호가 필요합니다"
    return None


def reject_problem(kind: ClaimKind) -> Any:
    base = for_kinds(kind)

    def check(action: ClaimAction) -> str | None:
        problem = base(action) or _needs_reason(action)
        if not problem and kind is ClaimKind.CANCEL:  # CJD3 이미출고: the invoice the order left with
            problem = _needs_invoice(action, "취소거부(이미 출고)")
        return problem
    return check


def hold_problem(kind: ClaimKind) -> Any:
    base = for_kinds(kind)
    return lambda action: base(action) or _needs_reason(action)


def reship_problem(action: ClaimAction) -> str | None:
    return for_kinds(ClaimKind.EXCHANGE)(action) or _needs_invoice(action, "교환재발송")


# --- claims: bodies (reference §1.3 [C]) ----------------------------------------------------------
def _claim(action: ClaimAction) -> dict[str, Any]:
    return {"claimBundleNo": int(action.claim_id.strip()), "claimType": CLAIM_TYPE[action.kind]}


def _shipping(action: ClaimAction) -> dict[str, Any]:
    """shipMethod / parcelCompanyCode / invoiceNo / scheduleShipDate as setOrderDelivery takes them (§1.5)."""
    code, today = COURIER_CODES[action.courier], datetime.now(KST).date().isoformat()
    if code == "DIRECT":
        return {"shipMethod": "DIRECT", "parcelCompanyCode": "", "invoiceNo": "", "scheduleShipDate": today,
                "shipMethodMessage": _tracking(action.tracking_no) or "직접배송"}
    return {"shipMethod": "PARCEL", "parcelCompanyCode": code, "invoiceNo": _tracking(action.tracking_no),
            "scheduleShipDate": today, "shipMethodMessage": ""}


def approve_body(actions: list[ClaimAction]) -> dict[str, Any]:
    """SetClaimApprove {"claimBundleNo", "claimType"}."""
    return _claim(actions[0])


def reject_body(actions: list[ClaimAction]) -> dict[str, Any]:
    """SetClaimRejectRequest: a cancel only as CJD3 (이미출고) with the invoice; returns and exchanges with
    an invented code and the seller's words."""
    action = actions[0]
    detail = action.reason.strip() or action.reason_code
    if action.kind is ClaimKind.CANCEL:
        return {**_claim(action), "rejectReasonCode": ALREADY_SHIPPED, "rejectReasonDetail": detail, **_shipping(action)}
    return {**_claim(action), "rejectReasonCode": REJECT_CODES[action.kind], "rejectReasonDetail": detail}


def hold_body(actions: list[ClaimAction]) -> dict[str, Any]:
    """SetClaimPending {"claimBundleNo", "claimType", "pendingReasonCode", "pendingReasonDetail"}."""
    action = actions[0]
    code = RETURN_HOLD if action.kind is ClaimKind.RETURN else EXCHANGE_HOLD
    return {**_claim(action), "pendingReasonCode": code, "pendingReasonDetail": action.reason.strip() or action.reason_code}


def pickup_done_body(actions: list[ClaimAction]) -> dict[str, Any]:
    """SetClaimPickupComplete {"claimBundleNo", "claimType"}."""
    return _claim(actions[0])


def reship_body(actions: list[ClaimAction]) -> dict[str, Any]:
    """SetClaimDeliveryRequest: the pickup shape (claim + shipMethod / parcelCompanyCode / invoiceNo / scheduleShipDate)."""
    shipping = _shipping(actions[0])
    shipping.pop("shipMethodMessage")
    return {**_claim(actions[0]), **shipping}


# --- claims: read-backs on GetClaimInfo {"claimBundleNo"} -------------------------------------------
def approved(claim: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return claim.get("claimStatus") == "APPROVE"


def rejected(claim: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return claim.get("claimStatus") == "REJECT"  # invented: status value (reference §1.6 shows rejectDate)


def held(claim: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return claim.get("claimStatus") == "REQUEST" and bool(claim.get("pendingDate"))


def picked_up(claim: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """The item is back: pickup.shipStatus COMPLETE (invented: the value), or the claim approved since."""
    return str((claim.get("pickup") or {}).get("shipStatus") or "") == "COMPLETE" or approved(claim, wanted)


def reshipped(claim: dict[str, Any], wanted: dict[str, Any]) -> bool:
    delivery = claim.get("delivery") or {}
    courier = str(wanted.get("courier") or "")
    return (bool(delivery.get("shipStatus")) and courier_from_mall(delivery) == courier
            and (courier == "DIRECT" or str(delivery.get("invoiceNo") or "") == _tracking(str(wanted.get("tracking_no") or ""))))
