"""ESM after the sale (reference §4.4): 판매취소 only as 품절 (``…/Cancel/{OrderNo}/SoldOut``), 취소승인, 반품승인 /
수거 / 보류, 교환 수거 / 재발송 / 보류, each addressed by OrderNo and read back through its claim list (Type 0).

Not declared, because the reference lists no such call: 취소거부, 반품거부, 교환승인, 교환거부, and the 보류해제 of a
return (an exchange's exists but a release of only one kind would be refused half the time). Bodies beyond the
path are invented.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mallbatch.connectors.esm.mapping import COURIER_CODES, STATUS_FIELD, as_int, claim_id, order_of
from mallbatch.connectors.runtime.spec import ReadBack, Write
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ClaimAction, ClaimKind, OrderCancel, OrderStatus

C, R, X = ClaimKind.CANCEL, ClaimKind.RETURN, ClaimKind.EXCHANGE
KIND_KO = {C: "취소", R: "반품", X: "교환"}
SHIPPED = frozenset({OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED})
# The reasons a seller gives (domain.states.SELLER_REASONS): ESM's seller cancel is the sold-out one only.
REASONS = {"품절": "SoldOut"}  # reference §4.4 판매취소(품절)
# invented: the status numbers that show each action done (mapping.CLAIM_STATUS reads them the same way)
DONE_WHEN = {
    Capability.CANCEL_APPROVE: {C: (3,)}, Capability.RETURN_APPROVE: {R: (5,)},
    Capability.COLLECTED: {R: (3, 5), X: (3, 5, 6)}, Capability.RETURN_HOLD: {R: (4,)}, Capability.EXCHANGE_HOLD: {X: (4,)},
    Capability.EXCHANGE_RESHIP: {X: (5, 6)},
}


def _tracking(number: str) -> str:
    return re.sub(r"[\s-]", "", number)


def check(*kinds: ClaimKind, reason: bool = False, invoice: bool = False, fee: bool = False) -> Callable[[ClaimAction], str | None]:
    def problem(action: ClaimAction) -> str | None:
        if not order_of(action.claim_id).isdigit():
            return f"ESM 클레임번호는 '주문번호-종류' 형식입니다 ({action.claim_id.strip()}). 수집한 클레임 엑셀의 값을 그대로 쓰세요"
        if action.kind not in kinds:
            names = "·".join(KIND_KO[k] for k in kinds)
            return f"이 처리는 {names} 클레임에만 할 수 있습니다 (클레임 {action.claim_id} 은 {KIND_KO[action.kind]})"
        if reason and not (action.reason.strip() or action.reason_code.strip()):
            return "보류 사유를 적어 주세요 (ESM 은 보류 사유가 필요합니다)"
        if invoice and (action.courier not in COURIER_CODES or not _tracking(action.tracking_no)):
            return f"교환재발송에는 ESM 택배사와 송장번호가 필요합니다 (택배사 '{action.courier}')"
        if fee and action.fee:
            return "ESM 반품승인은 배송비 처리를 API 로 정할 수 없습니다. 배송비 처리를 비우고 ESM PLUS 에서 정하세요"
        return None
    return problem


def _path(action: ClaimAction) -> dict[str, Any]:
    return {"OrderNo": int(order_of(action.claim_id))}


def done(capability: Capability) -> Callable[[Any, dict[str, Any]], bool]:
    def holds(claim: dict[str, Any], wanted: dict[str, Any]) -> bool:
        kind = ClaimKind(wanted.get("kind", C))
        codes = DONE_WHEN[capability].get(kind, ())
        return as_int(claim.get(STATUS_FIELD[kind])) in codes
    return holds


def claim_write(capability: Capability, method: str, path: str, problem: Callable[[ClaimAction], str | None],
                message: str, body: Callable[[ClaimAction], dict[str, Any]] = lambda a: {},
                route: Callable[[list[ClaimAction]], tuple[str, str]] | None = None) -> Write:
    return Write(method, path, key=lambda a: a.claim_id.strip(), body=lambda items: {**_path(items[0]), **body(items[0])},
                 precheck=problem, route=route, read_back=ReadBack("claim", done(capability), message))


def _collect_route(actions: list[ClaimAction]) -> tuple[str, str]:
    """수거: a return's pickup is POST …/return/{orderNo}/pickup, an exchange's 수거완료 PUT …/exchange/{orderNo}/pickup."""
    if actions[0].kind is R:
        return "POST", "/claim/v1/sa/return/{OrderNo}/pickup"
    return "PUT", "/claim/v1/sa/exchange/{OrderNo}/pickup"


def cancel_problem(cancel: OrderCancel) -> str | None:
    if not cancel.line_id.strip().isdigit():
        return f"ESM 주문번호(OrderNo)는 숫자여야 합니다 ({cancel.line_id.strip()})"
    if cancel.reason_code not in REASONS:
        return (f"ESM(G마켓·옥션)의 판매취소는 '품절' 사유로만 API 로 할 수 있습니다 (현재 '{cancel.reason_code}'). "
                "다른 사유는 ESM PLUS 에서 처리하세요")
    if cancel.line is not None and cancel.line.status in SHIPPED:
        return f"이미 발송된 주문({cancel.line_id.strip()})은 판매취소할 수 없습니다. 구매자에게 반품을 요청하도록 안내하세요"
    if cancel.quantity and (cancel.line is None or cancel.quantity != cancel.line.quantity):
        return "ESM 판매취소는 주문번호 단위로만 됩니다: 수량을 비우거나 주문수량 전체로 적으세요"
    return None


def _cancelled(claim: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return as_int(claim.get("CancelStatus")) == 3


AFTER_SALE: dict[Capability, Write] = {
    Capability.ORDERS_CANCEL: Write(
        "POST", "/claim/v1/sa/Cancel/{OrderNo}/SoldOut", key=lambda c: c.line_id.strip(),
        body=lambda cancels: {"OrderNo": int(cancels[0].line_id.strip())}, precheck=cancel_problem,
        read_back=ReadBack("claim", _cancelled, "이미 취소된 주문입니다", key=lambda p: claim_id(C, str(p.get("line_id", "")).strip()))),
    Capability.CANCEL_APPROVE: claim_write(Capability.CANCEL_APPROVE, "PUT", "/claim/v1/sa/Cancel/{OrderNo}", check(C),
                                           "이미 취소승인된 클레임입니다"),
    Capability.RETURN_APPROVE: claim_write(Capability.RETURN_APPROVE, "PUT", "/claim/v1/sa/return/{OrderNo}", check(R, fee=True),
                                           "이미 반품승인된 클레임입니다"),
    Capability.COLLECTED: claim_write(Capability.COLLECTED, "POST", "/claim/v1/sa/return/{OrderNo}/pickup", check(R, X),
                                      "이미 수거완료된 클레임입니다", route=_collect_route),
    Capability.RETURN_HOLD: claim_write(Capability.RETURN_HOLD, "POST", "/claim/v1/sa/return/{OrderNo}/hold", check(R, reason=True),
                                        "이미 보류된 클레임입니다", body=lambda a: {"HoldReason": a.reason.strip() or a.reason_code}),
    Capability.EXCHANGE_HOLD: claim_write(Capability.EXCHANGE_HOLD, "POST", "/claim/v1/sa/exchange/{OrderNo}/hold",
                                          check(X, reason=True), "이미 보류된 클레임입니다",
                                          body=lambda a: {"HoldReason": a.reason.strip() or a.reason_code}),
    Capability.EXCHANGE_RESHIP: claim_write(
        Capability.EXCHANGE_RESHIP, "POST", "/claim/v1/sa/exchange/{OrderNo}/resend", check(X, invoice=True),
        "이미 교환 재발송된 클레임입니다",
        body=lambda a: {"DeliveryCompanyCode": int(COURIER_CODES[a.courier]), "InvoiceNo": _tracking(a.tracking_no)}),
}
