"""아임웹 after the sale (reference §4.2, seed 003): 판매취소 per prod order (part of its quantity in 상품준비),
보류해제 of a 배송보류 order, 송장삭제 (so a 배송대기 order with an invoice can be cancelled), and the seller's
claim actions ``PATCH /orders/{order_no}/{cancel|return|exchange}/{action}`` with their read-backs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mallbatch.connectors.imweb.hooks import SHOP, failed_text, order_with_lines, tracking
from mallbatch.connectors.imweb.mapping import CLAIM_KINDS, COURIER_CODES, FREE_TEXT, claim_records, quantity_of, to_claim
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.spec import ReadBack, Write
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ClaimAction, ClaimKind, Invoice, ItemResult, OrderCancel
from mallbatch.domain.states import SELLER_REASONS

Doc = dict[str, Any]
EXTERNAL = ("npay", "talkpay")  # seed 003: no 수량나누기 for 네이버페이 주문형 / 톡체크아웃
# domain.states.SELLER_REASONS → reason_code (reference §4.2 list); invented: ETC for 기타
REASONS = {"품절": "SOLD_OUT", "배송지연": "DELAYED_DELIVERY", "상품정보오류": "INCORRECT_INFO",
           "구매자요청": "INTENT_CHANGED", "기타": "ETC"}
SHIPPED = ("DELIVERING", "COMPLETE", "PURCHASE_CONFIRM")


# --- 판매취소 -----------------------------------------------------------------------------------
def cancel_problem(cancel: OrderCancel) -> str | None:
    """Refused before any call, with what to do instead (seed 003's cancel rules)."""
    if not cancel.line_id.strip().isdigit() or not cancel.order_id.strip().isdigit():
        return f"아임웹 주문번호·품목주문번호는 숫자여야 합니다 ({cancel.order_id}/{cancel.line_id})"
    if cancel.reason_code not in REASONS:
        return f"판매취소 사유를 고르세요: {', '.join(SELLER_REASONS)} (현재 '{cancel.reason_code}')"
    line = cancel.line
    if line is None:
        return None
    prod_order = (line.raw or {}).get("prod_order") or {}
    order = (line.raw or {}).get("order") or {}
    if prod_order.get("status") in SHIPPED:
        return "배송중 단계부터는 판매취소할 수 없습니다. 구매자에게 반품을 접수하도록 안내하세요 (반품으로 처리)"
    if prod_order.get("status") == "STANDBY" and prod_order.get("invoice_no"):
        return ("송장번호가 등록된 배송대기 주문은 취소할 수 없습니다. 처리 열에서 송장삭제를 먼저 보낸 뒤 "
                "판매취소하세요")
    if cancel.quantity and cancel.quantity != line.quantity:
        if order.get("type") in EXTERNAL:
            return "네이버페이 주문형·톡체크아웃 주문은 수량을 나눠 취소할 수 없습니다. 수량을 비우세요 (전체 취소)"
        if prod_order.get("status") != "PAY_COMPLETE":
            return "수량 나누기는 상품준비 상태에서만 됩니다. 배송대기 주문은 전체를 취소하세요"
        if not 0 < cancel.quantity < line.quantity:
            return f"취소 수량은 1~{line.quantity} 사이여야 합니다 (입력: {cancel.quantity})"
    return None


def cancel_body(cancels: list[OrderCancel]) -> Doc:
    cancel = cancels[0]
    body: Doc = {"prod_order_no": [cancel.line_id.strip()], "etc": {"reason_code": REASONS[cancel.reason_code]}}
    if cancel.quantity and (cancel.line is None or cancel.quantity != cancel.line.quantity):
        body["count"] = cancel.quantity  # invented: the partial quantity's parameter
    return body


def cancel_route(cancels: list[OrderCancel]) -> tuple[str, str]:
    return "PATCH", f"{SHOP}/orders/{cancels[0].order_id.strip()}/cancel"


def results_by_line(data: Any, cancels: list[OrderCancel]) -> list[ItemResult]:
    failed = {str(f.get("order_no")): f for f in (data or {}).get("failed") or []}
    answered = []
    for cancel in cancels:
        entry = failed.get(cancel.order_id.strip())
        lines = [l for l in (entry or {}).get("prod_order_list") or [] if str(l.get("prod_order_no") or "") in ("", cancel.line_id)]
        if lines:
            answered.append(ItemResult(cancel.line_id, False, code="failed",
                                       message_ko=failed_text({"prod_order_list": lines})))
        else:
            answered.append(ItemResult(cancel.line_id, True))
    return answered


def line_key(payload: Doc) -> str:
    return f"{payload.get('order_id', '')}/{payload.get('line_id', '')}"


def line_cancelled(seen: Doc, wanted: Doc) -> bool:
    """The line is cancelled; a partial cancel: the line keeps what was not cancelled, a cancelled part beside it."""
    line_id, quantity = str(wanted.get("line_id")), int(wanted.get("quantity") or 0)
    line = next((p for p in seen["prod_orders"] if str(p["order_no"]) == line_id), None)
    if line is None:
        return False
    before = int((wanted.get("line") or {}).get("quantity") or 0)
    if not quantity or quantity == before:
        return line.get("status") == "CANCEL"
    return quantity_of(line) == before - quantity and any(
        p.get("status") == "CANCEL" and quantity_of(p) == quantity for p in seen["prod_orders"] if p is not line)


# --- 송장삭제 and 보류해제 ---------------------------------------------------------------------------
def delete_body(invoices: list[Invoice]) -> Doc:
    """invented action ``delete_invoice`` (seed 003: 송장번호 삭제 버튼): the invoice's prod orders, else the order's."""
    lines = [line for invoice in invoices for line in invoice.line_ids]
    return {"prod_order_no": lines} if lines else {}


def release_body(units: list[str]) -> Doc:
    return {}


# --- claims --------------------------------------------------------------------------------------
PATH_KIND = {ClaimKind.CANCEL: "cancel", ClaimKind.RETURN: "return", ClaimKind.EXCHANGE: "exchange"}
FEES = {"차감": "DEDUCT", "청구": "CHARGE", "없음": "NONE"}  # invented codes of 배송비 처리 (seed 003: 차감/청구/없음)
# exchange withhold reason codes (reference §4.2); invented: the same list for returns
HOLD_CODES = {"배송비": "EXCHANGE_DELIVERYFEE", "추가비용": "EXCHANGE_EXTRAFEE", "상품준비": "EXCHANGE_PRODUCT_READY",
              "미도착": "EXCHANGE_PRODUCT_NOT_DELIVERED"}


def claim_lookup(connector: Connector, key: str) -> Doc | None:
    """The claim ``{order_no}:{claim_type}`` as its order's prod orders show it, or None."""
    order_no, _, kind = key.partition(":")
    seen = order_with_lines(connector, order_no)
    if seen is None or kind not in CLAIM_KINDS:
        return None
    grouped = claim_records({order_no: {p["order_no"]: p for p in seen["prod_orders"]}}, {order_no: seen["order"]})
    record = next((r for r in grouped if r["prod_orders"][0].get("claim_type") == kind), None)
    return None if record is None else {"claim_status": record["prod_orders"][0].get("claim_status"),
                                        "claim": to_claim(record, connector.account.name)}


def _is(*statuses: str) -> Callable[[Any, Doc], bool]:
    return lambda seen, wanted: str(seen.get("claim_status")) in statuses


def _invoice_problem(action: ClaimAction, what: str) -> str | None:
    if action.courier not in COURIER_CODES:
        return f"{what}에는 아임웹이 받는 택배사가 필요합니다 (현재 '{action.courier}')"
    if action.courier not in FREE_TEXT and not tracking(action.tracking_no).isdigit():
        return f"{what}에는 숫자로 된 송장번호가 필요합니다"
    return None


def claim_problem(kinds: tuple[ClaimKind, ...], *, reason: bool = False, invoice: str = "") -> Callable[[ClaimAction], str | None]:
    names = "·".join(str(k) for k in kinds)

    def check(action: ClaimAction) -> str | None:
        order_no, _, kind = action.claim_id.partition(":")
        if not order_no.isdigit() or kind not in CLAIM_KINDS:
            return f"아임웹 클레임번호는 '주문번호:종류' 형식입니다 ({action.claim_id})"
        if action.kind not in kinds:
            return f"이 처리는 {names} 클레임에만 할 수 있습니다 (클레임 {action.claim_id} 은 {action.kind})"
        if reason and not (action.reason.strip() or action.reason_code.strip()):
            return "사유를 적어 주세요 (아임웹은 거부·보류 사유가 필요합니다)"
        if action.fee and action.fee not in FEES:
            return f"배송비 처리는 {', '.join(FEES)} 중 하나입니다"
        return _invoice_problem(action, invoice) if invoice else None
    return check


def claim_body(action_name: str) -> Callable[[list[ClaimAction]], Doc]:
    def body(actions: list[ClaimAction]) -> Doc:
        action = actions[0]
        etc: Doc = {}
        if action.reason.strip():
            etc["claim_memo"] = action.reason.strip()
        if action.fee:
            etc["deliv_fee_type"] = FEES[action.fee]  # invented field
        if action_name == "withhold":
            etc["reason_code"] = next((code for word, code in HOLD_CODES.items() if word in action.reason), "ETC")
        if action.courier:
            etc.update(parcel_code=COURIER_CODES[action.courier], invoice_no=tracking(action.tracking_no))
        if action_name == "resend":
            etc["method"] = {"QUICK": "QUICK_SVC", "VISIT": "VISIT_RECEIPT", "DIRECT": "DIRECT_DELIVERY"}.get(
                action.courier, "DELIVERY")
        return {"prod_order_no": list(action.line_ids), "etc": etc}
    return body


def claim_route(action_name: str) -> Callable[[list[ClaimAction]], tuple[str, str]]:
    def route(actions: list[ClaimAction]) -> tuple[str, str]:
        action = actions[0]
        return "PATCH", f"{SHOP}/orders/{action.claim_id.partition(':')[0]}/{PATH_KIND[action.kind]}/{action_name}"
    return route


def claim_results(data: Any, actions: list[ClaimAction]) -> list[ItemResult]:
    failed = {str(f.get("order_no")): f for f in (data or {}).get("failed") or []}
    return [ItemResult(a.claim_id, False, code="failed", message_ko=failed_text(failed[a.claim_id.partition(":")[0]]))
            if a.claim_id.partition(":")[0] in failed else ItemResult(a.claim_id, True) for a in actions]


def claim_write(action_name: str, kinds: tuple[ClaimKind, ...], holds: tuple[str, ...], message: str,
                **problems: Any) -> Write:
    return Write("PATCH", "", key=lambda a: a.claim_id.strip(), body=claim_body(action_name),
                 route=claim_route(action_name), precheck=claim_problem(kinds, **problems), results=claim_results,
                 read_back=ReadBack("claim", _is(*holds), message))


_C, _R, _E = ClaimKind.CANCEL, ClaimKind.RETURN, ClaimKind.EXCHANGE
CLAIM_WRITES: dict[Capability, Write] = {
    Capability.CANCEL_APPROVE: claim_write("accept", (_C,), ("CANCEL_DONE",), "이미 취소승인된 클레임입니다"),
    Capability.CANCEL_REJECT: claim_write("reject", (_C,), ("CANCEL_REJECT",), "이미 취소거부된 클레임입니다",
                                          invoice="취소거부(이미 발송)"),  # reference §4.2: reject = parcel_code + invoice_no
    Capability.RETURN_APPROVE: claim_write("accept", (_R,), ("RETURN_DONE",), "이미 반품승인된 클레임입니다"),
    Capability.RETURN_REJECT: claim_write("reject", (_R,), ("RETURN_REJECT",), "이미 반품거부된 클레임입니다", reason=True),
    Capability.RETURN_HOLD: claim_write("withhold", (_R,), ("RETURN_HOLD",), "이미 보류된 클레임입니다", reason=True),
    Capability.EXCHANGE_APPROVE: claim_write("accept", (_E,), ("EXCHANGE_ACCEPT", "REDELIVERING", "EXCHANGE_DONE"),
                                             "이미 교환승인된 클레임입니다"),
    Capability.EXCHANGE_REJECT: claim_write("reject", (_E,), ("EXCHANGE_REJECT",), "이미 교환거부된 클레임입니다", reason=True),
    Capability.EXCHANGE_HOLD: claim_write("withhold", (_E,), ("EXCHANGE_HOLD",), "이미 보류된 클레임입니다", reason=True),
    Capability.EXCHANGE_RESHIP: claim_write("resend", (_E,), ("REDELIVERING", "EXCHANGE_DONE"),
                                            "이미 교환 재발송된 클레임입니다", invoice="교환재발송"),
    Capability.COLLECTED: claim_write("collect_done", (_R, _E), (
        "RETURN_COLLECT_DONE", "RETURN_REFUNDING", "RETURN_DONE", "EXCHANGE_COLLECT_DONE", "EXCHANGE_ACCEPT", "REDELIVERING",
        "EXCHANGE_DONE"), "이미 수거완료된 클레임입니다"),
    Capability.CLAIM_RELEASE: claim_write("releasehold", (_R, _E), (
        "RETURN_REQUEST", "RETURN_COLLECTING", "RETURN_COLLECT_DONE", "EXCHANGE_REQUEST", "EXCHANGE_COLLECTIN",
        "EXCHANGE_COLLECT_DONE"), "이미 보류가 해제된 클레임입니다"),
}
