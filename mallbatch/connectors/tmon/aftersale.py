"""티몬 claim actions (reference §2.2): 취소거부 with JCD1 and the invoice the order left with ([C]); 취소승인,
반품승인, 교환보류 and 교환 재배송, which SK stoa implements (``cancel-confirm-proc``, ``return-confirm``,
``exchange-hold-proc``, redelivery) at paths the reference does not show — every path here but the reject is
invented, as are their bodies. 판매취소 by the seller and inquiries are not offered (no path or body known).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.spec import ReadBack, Write
from mallbatch.connectors.tmon.hooks import tracking
from mallbatch.connectors.tmon.mapping import CLAIM_LISTS, COURIER_CODES, SELF_DELIVERY
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ClaimAction, ClaimKind
from mallbatch.errors import RejectedError

Doc = dict[str, Any]
ALREADY_SHIPPED = "JCD1"  # reference §2.2 [C]: a cancel rejected because the order already left
KIND_KO = {ClaimKind.CANCEL: "취소", ClaimKind.RETURN: "반품", ClaimKind.EXCHANGE: "교환"}
BY_VALUE = {str(k): k for k in ClaimKind}


def claim_key(payload: Doc) -> str:
    """The read-back key: the claim's list and number (a claim is read from its own list)."""
    return f"{payload.get('kind')}:{str(payload.get('claim_id') or '').strip()}"


def claim_lookup(connector: Connector, key: str) -> Doc | None:
    """invented path: ``GET /{cancellations|refunds|exchanges}/{claimNo}`` (the reference shows only the searches)."""
    kind, _, number = key.partition(":")
    if kind not in BY_VALUE or not number.isdigit():
        return None
    try:
        return connector.call("GET", f"/{CLAIM_LISTS[BY_VALUE[kind]]}/{number}", send="params") or None
    except RejectedError:
        return None


def check(kind: ClaimKind, *needs: Callable[[ClaimAction], str | None]) -> Callable[[ClaimAction], str | None]:
    def precheck(action: ClaimAction) -> str | None:
        if not action.claim_id.strip().isdigit():
            return f"티몬 클레임번호(claimNo)는 숫자여야 합니다 ({action.claim_id.strip()})"
        if action.kind is not kind:
            return f"이 처리는 {KIND_KO[kind]} 클레임에만 할 수 있습니다 (클레임 {action.claim_id} 은 {KIND_KO[action.kind]})"
        return next((p for p in (need(action) for need in needs) if p), None)
    return precheck


def needs_invoice(what: str) -> Callable[[ClaimAction], str | None]:
    def need(action: ClaimAction) -> str | None:
        if action.courier not in COURIER_CODES:
            return f"{what}에는 티몬이 지원하는 택배사와 송장번호가 필요합니다 (현재 택배사 '{action.courier}')"
        if COURIER_CODES[action.courier] != SELF_DELIVERY and not tracking(action.tracking_no):
            return f"{what}에는 송장번호가 필요합니다"
        return None
    return need


def needs_reason(action: ClaimAction) -> str | None:
    return None if (action.reason.strip() or action.reason_code.strip()) else "보류 사유를 적어 주세요 (티몬은 보류 사유가 필요합니다)"


def no_fee(action: ClaimAction) -> str | None:
    """The approve call carries no fee (invented body): a 배송비 처리 is refused, never dropped silently."""
    if action.fee:
        return "티몬 반품 배송비는 티몬이 정합니다 (API 로 보낼 수 없음). 배송비 처리를 비우세요"
    return None


def delivery_invoice(action: ClaimAction) -> Doc:
    corp = COURIER_CODES[action.courier]
    if corp == SELF_DELIVERY:
        return {"deliveryCorp": int(corp)}
    return {"deliveryCorp": int(corp), "invoiceNo": tracking(action.tracking_no)}


def route(kind: ClaimKind, verb: str) -> Callable[[list[ClaimAction]], tuple[str, str]]:
    return lambda actions: ("PUT", f"/{CLAIM_LISTS[kind]}/{actions[0].claim_id.strip()}/{verb}")


def status_is(*codes: str) -> Callable[[Doc, Doc], bool]:
    return lambda claim, wanted: str(claim.get("claimStatus")) in codes


def reshipped(claim: Doc, wanted: Doc) -> bool:
    return bool(claim.get("reInvoiceNo") or claim.get("reDeliveryCorp")) and (
        not wanted.get("tracking_no") or str(claim.get("reInvoiceNo") or "") == tracking(str(wanted.get("tracking_no"))))


def held(claim: Doc, wanted: Doc) -> bool:
    return bool(claim.get("holding"))


def _write(kind: ClaimKind, verb: str, body: Callable[[list[ClaimAction]], Doc], precheck: Callable[[ClaimAction], str | None],
           holds: Callable[[Doc, Doc], bool], message: str) -> Write:
    return Write("PUT", "", key=lambda a: a.claim_id.strip(), body=body, route=route(kind, verb), precheck=precheck,
                 read_back=ReadBack("claim", holds, message, key=claim_key))


_C, _R, _E = ClaimKind.CANCEL, ClaimKind.RETURN, ClaimKind.EXCHANGE
CLAIM_WRITES: dict[Capability, Write] = {
    Capability.CANCEL_APPROVE: _write(_C, "approve", lambda a: {}, check(_C), status_is("C3"),  # invented path
                                      "이미 취소승인된 클레임입니다"),
    Capability.CANCEL_REJECT: _write(  # reference §2.2 [C]
        _C, "reject", lambda a: {"reason": ALREADY_SHIPPED, "deliveryInvoice": delivery_invoice(a[0])},
        check(_C, needs_invoice("취소거부(이미 출고)")), status_is("C4"), "이미 취소거부된 클레임입니다"),
    Capability.RETURN_APPROVE: _write(_R, "approve", lambda a: {}, check(_R, no_fee), status_is("C3"),  # invented path
                                      "이미 반품승인된 클레임입니다"),
    Capability.EXCHANGE_HOLD: _write(  # invented path and body (SK stoa exchange-hold-proc)
        _E, "hold", lambda a: {"holdingReason": a[0].reason.strip() or a[0].reason_code}, check(_E, needs_reason), held,
        "이미 보류된 클레임입니다"),
    Capability.EXCHANGE_RESHIP: _write(  # invented path and body (SK stoa redelivery)
        _E, "redelivery", lambda a: {"deliveryInvoice": delivery_invoice(a[0])}, check(_E, needs_invoice("교환재발송")),
        reshipped, "이미 같은 송장으로 교환 재발송된 클레임입니다"),
}
