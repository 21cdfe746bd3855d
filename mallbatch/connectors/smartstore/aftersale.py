"""스마트스토어 after the sale: 판매취소 and the seller's actions on claims.

Reference §2.7 [C-code]: every action is one call per product order, ``POST
…/product-orders/{productOrderId}/claim/<kind>/<action>``, answered with the 주문-클레임 처리 반환
구조체 (success ids, fail infos). Bodies and enums are second-hand (public clients of the
커머스API). A claim is named ``productOrderId-claimId`` (:func:`mapping.claim_key`), so a read-back
finds its product order from the journal's target alone.

배송비 처리 (seed 003 차감 / 청구 / 없음): Naver works the return or exchange delivery fee out itself
(the buyer's reason, the product's claim delivery fee) and takes it as the buyer chose: from the
refund, or paid to the seller. The seller asks for it with a 보류 of the delivery-fee class
(RETURN_DELIVERYFEE / EXCHANGE_DELIVERYFEE): 차감 and 청구 both hold with it and the detail reason
says which; 없음 (or nothing) holds for the seller's own reason (ETC) without a fee. No extra amount
is sent (extra*FeeAmount is for costs beyond the delivery fee; the workbook has no amount column).
Approvals take no fee: the API has no field for one, Naver settles the fee it demanded.

수거완료: an exchange has ``exchange/collect/approve``. A return has no seller call: Naver marks it
collected when the courier's pickup arrives (COLLECT_DONE). The seller's 수거완료 of a return reads
the product order: done when Naver shows it collected, refused in Korean while the pickup is open.
Naver has no 교환승인 (collect/approve opens the re-shipment) and no 취소거부 call (§2.7 lists none).
"""

from __future__ import annotations

from typing import Any

from mallbatch.connectors.smartstore.mapping import COURIER_CODES, claim_body, product_order_of
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import (
    FEE_CHARGE,
    FEE_DEDUCT,
    FEE_NONE,
    ClaimAction,
    ClaimKind,
    ItemResult,
    OrderCancel,
    OrderStatus,
)

C = Capability
RETURN, EXCHANGE, CANCEL = ClaimKind.RETURN, ClaimKind.EXCHANGE, ClaimKind.CANCEL

# The path under …/{productOrderId}/claim/ of each action, per claim kind it applies to.
PATHS: dict[Capability, dict[ClaimKind, str]] = {
    C.CANCEL_APPROVE: {CANCEL: "cancel/approve"},
    C.RETURN_APPROVE: {RETURN: "return/approve"},
    C.RETURN_REJECT: {RETURN: "return/reject"},
    C.RETURN_HOLD: {RETURN: "return/holdback"},
    C.COLLECTED: {EXCHANGE: "exchange/collect/approve"},  # a return's is read back (module doc)
    C.EXCHANGE_RESHIP: {EXCHANGE: "exchange/dispatch"},
    C.EXCHANGE_REJECT: {EXCHANGE: "exchange/reject"},
    C.EXCHANGE_HOLD: {EXCHANGE: "exchange/holdback"},
    C.CLAIM_RELEASE: {RETURN: "return/holdback/release", EXCHANGE: "exchange/holdback/release"},
}
ACTION_KO = {
    C.CANCEL_APPROVE: "취소승인", C.RETURN_APPROVE: "반품승인", C.RETURN_REJECT: "반품거부", C.RETURN_HOLD: "반품보류",
    C.COLLECTED: "수거완료", C.EXCHANGE_RESHIP: "교환재발송", C.EXCHANGE_REJECT: "교환거부", C.EXCHANGE_HOLD: "교환보류",
    C.CLAIM_RELEASE: "보류해제",
}
# What the claim shows once the action is applied (read-back), by capability.
APPLIED: dict[Capability, frozenset[str]] = {
    C.CANCEL_APPROVE: frozenset({"CANCELING", "CANCEL_DONE"}),
    C.RETURN_APPROVE: frozenset({"RETURN_DONE"}),
    C.RETURN_REJECT: frozenset({"RETURN_REJECT"}),
    C.COLLECTED: frozenset({"COLLECT_DONE", "EXCHANGE_REDELIVERING", "EXCHANGE_DONE", "RETURN_DONE"}),
    C.EXCHANGE_RESHIP: frozenset({"EXCHANGE_REDELIVERING", "EXCHANGE_DONE"}),
    C.EXCHANGE_REJECT: frozenset({"EXCHANGE_REJECT"}),
}
HELD, RELEASED = "HOLDBACK", "RELEASED"  # second-hand: holdbackStatus values
# second-hand: holdbackClassType (one enum for returns and exchanges)
FEE_CLASS = {RETURN: "RETURN_DELIVERYFEE", EXCHANGE: "EXCHANGE_DELIVERYFEE"}
FEE_WORDS = {FEE_DEDUCT: "환불금에서 차감", FEE_CHARGE: "구매자에게 청구"}
OTHER_CLASS = "ETC"
SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})


def path(capability: Capability, action: ClaimAction) -> str:
    return f"{product_order_of(action)}/claim/{PATHS[capability][action.kind]}"


def _named(action: ClaimAction) -> str:
    return f"{action.kind.value} 클레임 {action.claim_id}"


def claim_problem(capability: Capability, action: ClaimAction) -> tuple[str, str] | None:
    """A Korean refusal before any call: the wrong kind of claim, a missing reason or invoice."""
    kinds = set(PATHS[capability]) | ({RETURN} if capability is C.COLLECTED else set())
    if action.kind not in kinds:
        allowed = "·".join(k.value for k in kinds)
        return "CLAIM_KIND", f"{_named(action)}: {ACTION_KO[capability]}은(는) {allowed} 클레임에만 할 수 있습니다"
    if not product_order_of(action).isdigit():
        return "CLAIM_ID", f"{_named(action)}: 상품주문번호를 알 수 없습니다. 수집한 클레임 엑셀의 클레임번호를 그대로 두세요"
    if action.fee not in ("", FEE_DEDUCT, FEE_CHARGE, FEE_NONE):
        return "FEE", f"{_named(action)}: 배송비 처리는 차감·청구·없음 중 하나여야 합니다 ({action.fee})"
    if capability in (C.RETURN_REJECT, C.EXCHANGE_REJECT) and not action.reason.strip():
        return "REASON", f"{_named(action)}: 스마트스토어는 거부 사유가 있어야 합니다. 사유 칸을 채워 주세요"
    if capability in (C.RETURN_HOLD, C.EXCHANGE_HOLD) and not action.reason.strip() and action.fee in ("", FEE_NONE):
        return "REASON", f"{_named(action)}: 보류 사유를 적거나 배송비 처리(차감·청구)를 골라 주세요"
    if capability is C.EXCHANGE_RESHIP:
        if action.courier != "DIRECT" and action.courier not in COURIER_CODES:
            return "COURIER", f"{_named(action)}: 스마트스토어에서 지원하지 않는 택배사입니다 ({action.courier or '빈 칸'})"
        if action.courier != "DIRECT" and not action.tracking_no.strip():
            return "TRACKING", f"{_named(action)}: 교환재발송에는 송장번호가 필요합니다"
    return None


def _hold(kind: ClaimKind, action: ClaimAction) -> tuple[str, str]:
    """(holdbackClassType, detail reason) of a 보류 with its 배송비 처리."""
    reason = action.reason.strip()
    if action.fee in FEE_WORDS:
        fee = f"{kind.value} 배송비 {FEE_WORDS[action.fee]}"
        return FEE_CLASS[kind], f"{reason} ({fee})" if reason else fee
    return OTHER_CLASS, reason


def action_body(capability: Capability, actions: list[ClaimAction]) -> dict[str, Any]:
    """The body of one action (one claim per call); approvals and releases send none."""
    action = actions[0]
    if capability is C.COLLECTED and action.kind is RETURN:  # read back, see the module doc
        return {"productOrderIds": [product_order_of(action)], "quantityClaimCompatibility": True}
    if capability is C.RETURN_REJECT:
        return {"rejectReturnReason": action.reason.strip()}
    if capability is C.EXCHANGE_REJECT:
        return {"rejectExchangeReason": action.reason.strip()}
    if capability in (C.RETURN_HOLD, C.EXCHANGE_HOLD):
        word = "Return" if action.kind is RETURN else "Exchange"
        kind, detail = _hold(action.kind, action)
        return {"holdbackClassType": kind, f"holdback{word}DetailReason": detail}
    if capability is C.EXCHANGE_RESHIP:
        if action.courier == "DIRECT":
            return {"reDeliveryMethod": "DIRECT_DELIVERY"}
        return {"reDeliveryMethod": "DELIVERY", "reDeliveryCompany": COURIER_CODES[action.courier],
                "reDeliveryTrackingNumber": action.tracking_no.replace("-", "").strip()}
    return {}


def shows(capability: Capability, found: Any, wanted: dict[str, Any]) -> bool:
    """Read-back: the product order's claim (the same claim id) shows the action applied."""
    body = _claim_of(found, str(wanted.get("claim_id", "")), str(wanted.get("kind", "")))
    if body is None:
        return False
    status, hold = str(body.get("claimStatus") or ""), str(body.get("holdbackStatus") or "")
    if capability in (C.RETURN_HOLD, C.EXCHANGE_HOLD):
        return hold == HELD
    if capability is C.CLAIM_RELEASE:
        return hold == RELEASED
    if capability is C.EXCHANGE_RESHIP:
        number = str(wanted.get("tracking_no", "")).replace("-", "").strip()
        return status in APPLIED[capability] and (not number or str(body.get("reDeliveryTrackingNumber") or "") == number)
    return status in APPLIED[capability]


def _claim_of(found: Any, claim_id: str, kind: str) -> dict[str, Any] | None:
    pid, _, number = claim_id.partition("-")
    try:
        wanted = ClaimKind(kind)
    except ValueError:
        return None
    for item in (found or {}).get("data") or []:
        if str((item.get("productOrder") or {}).get("productOrderId")) != pid:
            continue
        body = claim_body(item, wanted)
        if body is not None and (not number or str(body.get("claimId") or "") == number):
            return body
    return None


def collected_return(data: Any, actions: list[ClaimAction]) -> list[ItemResult]:
    """수거완료 of a return: done when Naver shows the pickup arrived, else a Korean refusal."""
    action = actions[0]
    body = _claim_of(data, action.claim_id, str(action.kind))
    if body is not None and str(body.get("claimStatus") or "") in APPLIED[C.COLLECTED]:
        return [ItemResult(action.claim_id, ok=True, already=True, remote_id=product_order_of(action),
                           message_ko="스마트스토어에 수거완료로 표시되어 있습니다")]
    return [ItemResult(action.claim_id, ok=False, code="COLLECT_BY_MALL", message_ko=(
        f"{_named(action)}: 스마트스토어는 반품 수거완료를 판매자가 처리하지 않습니다. 택배 수거가 끝나면 스마트스토어가 "
        "수거완료로 바꿉니다. 상품을 이미 받았으면 반품승인을 하세요"))]


# --- 판매취소 -----------------------------------------------------------------------------------
def cancel_problem(reasons: dict[str, str], cancel: OrderCancel) -> tuple[str, str] | None:
    """판매취소 is refused before any call once the line left, or for a reason Naver has no code for."""
    name = f"상품주문 {cancel.line_id}"
    if not cancel.line_id.strip().isdigit():
        return "LINE", f"{name}: 상품주문번호는 숫자여야 합니다"
    if cancel.line is not None and cancel.line.status in SHIPPED:
        return "SHIPPED", f"{name}: 이미 발송된 주문은 판매취소할 수 없습니다 ({cancel.line.status.value}). 반품으로 처리하세요"
    if cancel.reason_code not in reasons:
        return "REASON", (f"{name}: 스마트스토어 판매취소 사유에 '{cancel.reason_code or '빈 칸'}'이(가) 없습니다. "
                          f"{'·'.join(reasons)} 중에서 고르세요")
    return None


def cancel_body(reasons: dict[str, str], cancels: list[OrderCancel]) -> dict[str, Any]:
    cancel = cancels[0]
    body: dict[str, Any] = {"cancelReason": reasons[cancel.reason_code]}
    if cancel.reason.strip():
        body["cancelDetailedReason"] = cancel.reason.strip()
    if cancel.quantity:
        body["cancelQuantity"] = cancel.quantity  # second-hand: omitted cancels the whole line
    return body


def cancelled(found: Any, wanted: dict[str, Any]) -> bool:
    """Read-back of 판매취소: the product order is cancelled (or its cancel is being refunded)."""
    for item in (found or {}).get("data") or []:
        po = item.get("productOrder") or {}
        if str(po.get("productOrderId")) != str(wanted.get("line_id")):
            continue
        body = claim_body(item, CANCEL) or {}
        if po.get("productOrderStatus") == "CANCELED" or body.get("claimStatus") in APPLIED[C.CANCEL_APPROVE]:
            return True
    return False
