"""쿠팡 after the sale: the seller's 판매취소 and actions on receipts (취소·반품) and exchanges.

What each write needs beyond its declaration in ``spec.py``: prechecks that refuse in Korean before
any call, prepares that complete an action from the mall (the claim as 쿠팡 shows it now, the box of
a line), per-item results, and the read-back predicates that say "쿠팡 already shows this done".
A read-back maps what it finds through :mod:`.mapping` and compares canonical states, so the
predicates and the 클레임 workbook read a receipt the same way.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from typing import Any

from mallbatch.connectors.coupang.mapping import (
    COURIER_CODES,
    box_of,
    exchange_claim,
    exchange_id,
    exchange_invoices,
    is_stop_request,
    receipt_claim,
)
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.reads import run_read
from mallbatch.domain.clock import KST
from mallbatch.domain.couriers import BY_CODE as COURIERS_BY_CODE
from mallbatch.domain.records import Claim, ClaimAction, ClaimKind, ItemResult, OrderCancel, OrderStatus
from mallbatch.domain.states import State, claim_state

SHIPPED_STATUSES = ("DEPARTURE", "DELIVERING", "FINAL_DELIVERY", "NONE_TRACKING")
# 교환거부 codes (CPDOC19 exchange-request-deny-processing): only these two exist
EXCHANGE_REJECT_CODES = {"품절": "SOLDOUT", "구매자요청": "WITHDRAW"}
KIND_NAMES = {ClaimKind.CANCEL: "취소", ClaimKind.RETURN: "반품", ClaimKind.EXCHANGE: "교환"}


# --- lookups ----------------------------------------------------------------------------------
def claim_record(connector: Connector, claim_id: str, *, lookback: timedelta) -> dict[str, Any] | None:
    """The receipt (lookup "receipt") or the exchange of a claim id. 쿠팡 documents no single-exchange
    read, so an ``EX…`` id is found by scanning the exchange list (as collected) back ``lookback``."""
    if exchange_id(claim_id) is None:
        data = (connector.lookup("receipt", claim_id) or {}).get("data")
        return data if isinstance(data, dict) and data.get("receiptId") else None
    now = datetime.now(KST)
    read = connector.spec.reads["claims.exchange"]
    return next((c.raw for c in run_read(connector, read, now - lookback, now + timedelta(minutes=1))
                 if c.claim_id == claim_id), None)


def as_claim(found: dict[str, Any]) -> Claim:
    """A looked-up receipt or exchange as the connector collects it."""
    return exchange_claim(found, "", "") if "exchangeId" in found else receipt_claim(found, "", "")


# --- claim actions: precheck and prepare -------------------------------------------------------
def needs_kind(*kinds: ClaimKind, what: str) -> Any:
    """A precheck: the action applies to these kinds of claim only (the id says which: ``EX…`` is an exchange)."""
    def check(action: ClaimAction) -> tuple[str, str] | None:
        kind = ClaimKind.EXCHANGE if exchange_id(action.claim_id) is not None else action.kind
        if kind not in kinds or action.kind not in kinds:
            allowed = "·".join(KIND_NAMES[k] for k in kinds)
            return "CLAIM_KIND", f"{what} 처리는 {allowed} 클레임에만 할 수 있습니다 (이 클레임은 {KIND_NAMES[action.kind]})"
        return None
    return check


def needs_invoice(action: ClaimAction, what: str) -> tuple[str, str] | None:
    if not action.courier or not action.tracking_no.strip():
        return "NEEDS_INVOICE", f"{what}에는 택배사와 송장번호를 입력해야 합니다"
    if action.courier not in COURIER_CODES:
        courier = COURIERS_BY_CODE.get(action.courier)
        return "COURIER", f"쿠팡은 {courier.name if courier else action.courier} 택배사 코드를 지원하지 않습니다. 다른 택배사로 입력하세요"
    return None


def with_claim(connector: Connector, action: ClaimAction) -> ClaimAction | tuple[str, str]:
    """The action with its claim as collected (its counts and ids), read from 쿠팡 only when the action
    came without one; refused when 쿠팡 has no such claim."""
    if action.claim is not None and action.claim.raw:
        return action
    found = connector.lookup("claim", action.claim_id)
    if found is None:
        return "NOT_FOUND_CLAIM", f"쿠팡에서 이 클레임({action.claim_id})을 찾을 수 없습니다"
    return dataclasses.replace(action, claim=as_claim(found))


def stop_request(connector: Connector, action: ClaimAction) -> ClaimAction | tuple[str, str]:
    """취소승인 / 취소거부 answer a 출고중지요청 only: a cancel at 결제완료 is 쿠팡's own to complete."""
    found = with_claim(connector, action)
    if isinstance(found, tuple):
        return found
    assert found.claim is not None
    if not is_stop_request(found.claim.raw):
        return "NOT_STOP_REQUEST", "결제완료 단계의 취소는 쿠팡이 바로 처리합니다. 출고중지요청(상품준비중)만 승인·거부할 수 있습니다"
    return found


def exchange_parcel(connector: Connector, action: ClaimAction) -> list[ExchangeParcel] | tuple[str, str]:
    """교환재발송: the new parcel's shipmentBoxId is the exchange's delivery box (deliveryInvoiceGroupDtos)."""
    found = with_claim(connector, action)
    if isinstance(found, tuple):
        return found
    assert found.claim is not None
    groups = found.claim.raw.get("deliveryInvoiceGroupDtos") or []
    box = next((str(g["shipmentBoxId"]) for g in groups if g.get("shipmentBoxId")), "")
    if not box:
        return "NO_EXCHANGE_BOX", "쿠팡이 아직 교환 배송번호를 만들지 않았습니다. 잠시 후 다시 시도하세요"
    return [ExchangeParcel(action.claim_id, str(exchange_id(action.claim_id)), box, action.courier, action.tracking_no.strip(),
                           connector.account.secret("vendor_id"))]


@dataclasses.dataclass(frozen=True)
class ExchangeParcel:
    """One 교환상품 송장 (the body is a JSON array of these, CPDOC19 sample and public clients)."""

    claim_id: str
    exchange_id: str
    shipment_box_id: str
    courier: str
    tracking_no: str
    vendor_id: str

    def dto(self) -> dict[str, Any]:
        return {"exchangeId": int(self.exchange_id), "vendorId": self.vendor_id, "shipmentBoxId": int(self.shipment_box_id),
                "goodsDeliveryCode": COURIER_CODES[self.courier], "invoiceNumber": self.tracking_no}


def exchange_invoice_body(parcels: list[ExchangeParcel]) -> dict[str, Any]:
    return {"exchange": parcels[0].exchange_id, "content": json.dumps([p.dto() for p in parcels], ensure_ascii=False)}


def exchange_reject_problem(action: ClaimAction) -> tuple[str, str] | None:
    if action.reason_code not in EXCHANGE_REJECT_CODES:
        return "REASON", "쿠팡 교환거부 사유는 품절 또는 구매자요청(고객 철회)만 가능합니다. 사유를 바꿔 입력하세요"
    return None


def claim_results(body: Any, actions: list[Any]) -> list[ItemResult]:
    """``{"code", "message", "data": {"resultCode": SUCCESS|FAIL, "resultMessage"}}`` (data absent on approvals)."""
    data = body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else {}
    failed = str(data.get("resultCode") or "").upper() == "FAIL"
    message = f"쿠팡 처리 실패: {data.get('resultMessage')}" if data.get("resultMessage") else "쿠팡이 처리하지 않았습니다"
    return [ItemResult(a.claim_id, not failed, "FAIL" if failed else "OK", message if failed else "") for a in actions]


# --- read-back predicates: the claim as 쿠팡 shows it is where the action takes it -------------------
def reached(*states: State) -> Any:
    def holds(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
        return claim_state(as_claim(found)) in states
    return holds


def reshipped_with(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return str(wanted.get("tracking_no", "")).strip() in exchange_invoices(found)


# --- 판매취소 ------------------------------------------------------------------------------------
def cancel_problem(reasons: dict[str, str]) -> Any:
    """Refused before any call: a reason 쿠팡 has no code for, or a line the sheet already shows shipped."""
    def check(cancel: OrderCancel) -> tuple[str, str] | None:
        if cancel.reason_code not in reasons:
            return "REASON", f"쿠팡 판매취소 사유는 {', '.join(reasons)} 중에서 고르세요"
        if cancel.line is not None and cancel.line.status in (OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED):
            return "SHIPPED", SHIPPED_REFUSAL
        if not cancel.line_id.partition("-")[2].isdigit():
            return "INVALID_ID", "쿠팡 주문 라인 번호는 묶음배송번호-옵션ID 입니다"
        return None
    return check


SHIPPED_REFUSAL = "이미 발송된 주문은 판매취소할 수 없습니다. 구매자에게 반품 요청을 안내하세요"


def cancellable(connector: Connector, cancel: OrderCancel) -> OrderCancel | tuple[str, str]:
    """The cancel with the box as 쿠팡 shows it now: refused once it has shipped, the quantity left to
    cancel filled in when the sheet gives none."""
    unit, _, item_id = cancel.line_id.partition("-")
    box = box_of(connector.lookup("box", unit) or {})
    if not box:
        return "NOT_FOUND_SHIPMENT_BOX", "쿠팡에서 이 묶음배송번호를 찾을 수 없습니다"
    if box.get("status") in SHIPPED_STATUSES:
        return "SHIPPED", SHIPPED_REFUSAL
    item = next((i for i in box.get("orderItems") or [] if str(i.get("vendorItemId")) == item_id), None)
    if item is None:
        return "NOT_FOUND_VENDOR_ITEM", "이 묶음배송에 해당 옵션이 없습니다"
    left = int(item.get("shippingCount") or 0) - int(item.get("cancelCount") or 0)
    return dataclasses.replace(cancel, ship_unit=unit, order_id=str(box.get("orderId")), quantity=cancel.quantity or left)


def cancel_body(reasons: dict[str, str], vendor: Any, user: Any) -> Any:
    def body(cancels: list[OrderCancel]) -> dict[str, Any]:
        return {"order": cancels[0].order_id, "orderId": int(cancels[0].order_id),
                "vendorItemIds": [int(c.line_id.partition("-")[2]) for c in cancels],
                "receiptCounts": [c.quantity for c in cancels], "bigCancelCode": "CANERR",
                "middleCancelCode": reasons[cancels[0].reason_code], "vendorId": vendor, "userId": user}
    return body


def cancel_results(body: Any, cancels: list[OrderCancel]) -> list[ItemResult]:
    """``data.failedItemIds`` names the vendorItemIds 쿠팡 did not cancel (second-hand)."""
    data = body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else {}
    failed = {str(i) for i in data.get("failedItemIds") or []}
    return [ItemResult(c.line_id, False, "FAILED_ITEM", "쿠팡이 이 옵션을 취소하지 않았습니다")
            if c.line_id.partition("-")[2] in failed else ItemResult(c.line_id, True, "OK") for c in cancels]


def line_cancelled(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """The line's option shows every ordered piece cancelled (or at least the quantity asked)."""
    item_id = str(wanted.get("line_id", "")).partition("-")[2]
    item = next((i for i in box_of(found).get("orderItems") or [] if str(i.get("vendorItemId")) == item_id), None)
    if item is None:
        return False
    cancelled, ordered = int(item.get("cancelCount") or 0), int(item.get("shippingCount") or 0)
    return cancelled >= (int(wanted.get("quantity") or 0) or ordered) and cancelled > 0
