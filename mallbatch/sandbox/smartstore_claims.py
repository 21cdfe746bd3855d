"""The 스마트스토어 simulator's claims: a stored product order's claim fields as the shared claim
state machine's :class:`Case` and back, the seller's actions of reference §2.7, and the buyer's and
courier's side the sandbox controls drive (open a claim, deliver, bring a return back).

Naver keeps a claim in ``currentClaim.<kind>`` with its ``claimStatus`` and, beside it, a
``holdbackStatus`` (HOLDBACK / RELEASED, second-hand): a hold does not change the claimStatus, so
the step a hold interrupted is the claimStatus itself. ``productOrder.claimType/claimStatus``
mirror the current claim. Exchanges go 요청 → 수거완료 (collect/approve) → 재배송 → 완료; Naver has
no 교환승인 step. A return is collected by the courier, never by a seller call.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from mallbatch.sandbox import smartstore_data as data
from mallbatch.sandbox.engine import claims, orders
from mallbatch.sandbox.engine.claims import Case, Step
from mallbatch.sandbox.engine.orders import Claim, Invoice
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.store import SimStore

KST = data.KST
KINDS = {"cancel": Claim.CANCEL, "return": Claim.RETURN, "exchange": Claim.EXCHANGE}
# claimStatus per kind and engine step (the step of a hold is its claimStatus, see the module doc)
STATUS: dict[Claim, dict[Step, str]] = {
    Claim.CANCEL: {Step.REQUESTED: "CANCEL_REQUEST", Step.DONE: "CANCEL_DONE", Step.REJECTED: "CANCEL_REJECT"},
    Claim.RETURN: {Step.REQUESTED: "RETURN_REQUEST", Step.COLLECTING: "COLLECTING", Step.COLLECTED: "COLLECT_DONE",
                   Step.DONE: "RETURN_DONE", Step.REJECTED: "RETURN_REJECT"},
    Claim.EXCHANGE: {Step.REQUESTED: "EXCHANGE_REQUEST", Step.COLLECTING: "COLLECTING", Step.COLLECTED: "COLLECT_DONE",
                     Step.RESHIPPED: "EXCHANGE_REDELIVERING", Step.DONE: "EXCHANGE_DONE", Step.REJECTED: "EXCHANGE_REJECT"},
}
STEPS = {kind: {status: step for step, status in table.items()} | ({"CANCELING": Step.DONE} if kind is Claim.CANCEL else {})
         for kind, table in STATUS.items()}
# The productOrderStatus a closed claim leaves (None: the order's own status stays).
CLOSES = {(Claim.CANCEL, Step.DONE): "CANCELED", (Claim.RETURN, Step.DONE): "RETURNED", (Claim.EXCHANGE, Step.DONE): "EXCHANGED"}
CHANGE = {Step.DONE: "CLAIM_COMPLETED", Step.REJECTED: "CLAIM_REJECTED", Step.COLLECTED: "COLLECT_DONE",
          Step.RESHIPPED: "CLAIM_REDELIVERING", Step.HELD: "CLAIM_REQUESTED"}  # lastChangedType of each step
# second-hand: holdbackClassType
HOLDBACK_CLASSES = {
    "RETURN_DELIVERYFEE", "EXTRAFEEE", "RETURN_DELIVERYFEE_AND_EXTRAFEEE", "RETURN_PRODUCT_NOT_DELIVERED",
    "EXCHANGE_DELIVERYFEE", "EXCHANGE_EXTRAFEE", "EXCHANGE_PRODUCT_READY", "EXCHANGE_PRODUCT_NOT_DELIVERED",
    "EXCHANGE_HOLDBACK", "SELLER_CONFIRM_NEED", "PURCHASER_CONFIRM_NEED", "SELLER_REMIT", "ETC", "ETC2",
}
# second-hand: cancel/request cancelReason
CANCEL_REASONS = {"INTENT_CHANGED", "COLOR_AND_SIZE", "WRONG_ORDER", "PRODUCT_UNSATISFIED", "DELAYED_DELIVERY", "SOLD_OUT",
                  "INCORRECT_INFO"}
DELIVERY_FEE = 3000  # invented: the sandbox products' return/exchange delivery fee one way

# Engine refusals as fail infos (code, message). 104442 "product-order status check" and 105306
# "same status as before" are reference §2.3's codes; which refusal answers which is invented.
REFUSED = {
    Code.CLAIM_CLOSED: ("104442", "이미 처리가 끝난 클레임입니다. (현재 상태: {status})"),
    Code.CLAIM_STEP: ("104442", "지금 클레임 상태에서는 처리할 수 없습니다. (현재 상태: {status})"),
    Code.CLAIM_KIND: ("104442", "해당 클레임 유형에는 처리할 수 없습니다. (현재 클레임: {status})"),
    Code.CLAIM_SAME: ("105306", "이미 같은 상태로 처리된 클레임입니다. (현재 상태: {status})"),
    Code.NOT_CLAIMABLE: ("104442", "발송 처리된 상품주문은 판매 취소할 수 없습니다. 반품으로 처리해 주세요. (현재 상태: {status})"),
    Code.CANCEL_REQUESTED: ("104442", "이미 클레임이 진행 중인 상품주문입니다. (현재 상태: {status})"),
}


def kind_of(item: dict[str, Any]) -> Claim | None:
    return KINDS.get(str(item["detail"]["productOrder"].get("claimType") or "").lower())


def body_of(item: dict[str, Any], kind: Claim) -> dict[str, Any] | None:
    return (item["detail"].get("currentClaim") or {}).get(kind.value)


def case_of(item: dict[str, Any]) -> Case | None:
    """The product order's current claim as the engine's Case; None when it has none."""
    kind = kind_of(item)
    body = body_of(item, kind) if kind else None
    if kind is None or body is None:
        return None
    step = STEPS[kind].get(body["claimStatus"], Step.REQUESTED)
    case = Case(body["claimId"], kind, step, reason=body.get("holdbackDetailedReason") or "", fee=body.get("holdbackReason") or "")
    if body.get("holdbackStatus") == "HOLDBACK":
        case.held_from, case.step = step, Step.HELD
    if body.get("reDeliveryMethod"):
        case.invoice = Invoice(body.get("reDeliveryCompany") or body["reDeliveryMethod"], body.get("reDeliveryTrackingNumber") or "")
    return case


def write_back(item: dict[str, Any], case: Case, now: datetime) -> None:
    """The Case in Naver's fields: claimStatus (a hold keeps it), holdbackStatus, the order's status."""
    po, body = item["detail"]["productOrder"], body_of(item, case.kind)
    assert body is not None
    held = case.step is Step.HELD
    if held:
        body.update(holdbackStatus="HOLDBACK", holdbackReason=case.fee, holdbackDetailedReason=case.reason)
    else:
        if body.get("holdbackStatus") == "HOLDBACK":
            body.update(holdbackStatus="RELEASED")
        body["claimStatus"] = STATUS[case.kind][case.step]
    po["claimStatus"] = body["claimStatus"]
    if case.step is Step.DONE:
        body[f"{case.kind.value}CompletedDate"] = data.iso(now)
        po["productOrderStatus"] = CLOSES[(case.kind, Step.DONE)]
    if case.step is Step.COLLECTED:
        body.update(collectStatus="DELIVERED", collectCompletedDate=data.iso(now))  # inferred: DELIVERED is 수거완료
    data.touch(item, CHANGE.get(case.step, "CLAIM_REQUESTED"), now)


def refusal(pid: str, refused: Refusal, status: str) -> dict[str, str]:
    code, message = REFUSED.get(refused.code, ("104442", "상품주문 상태를 확인해 주세요. (현재 상태: {status})"))
    return {"productOrderId": pid, "code": code, "message": message.format(status=status)}


def status_of(item: dict[str, Any]) -> str:
    po = item["detail"]["productOrder"]
    return str(po.get("claimStatus") or po["productOrderStatus"])


# --- the seller's actions (reference §2.7): each checks its body, then moves the Case -------------
def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(name)
    return value.strip()


def _hold(case: Case, body: dict[str, Any], detail: str, extra: str) -> None:
    kind = body.get("holdbackClassType")
    if kind not in HOLDBACK_CLASSES:
        raise ValueError("holdbackClassType")
    reason, amount = _text(body, detail), body.get(extra, 0)
    if not isinstance(amount, int) or amount < 0:
        raise ValueError(extra)
    claims.hold(case, reason)
    case.fee = str(kind)


def _reship(case: Case, body: dict[str, Any], companies: set[str]) -> None:
    method = body.get("reDeliveryMethod") or "DELIVERY"
    company, number = str(body.get("reDeliveryCompany") or ""), str(body.get("reDeliveryTrackingNumber") or "")
    if method == "DELIVERY" and company not in companies:
        raise ValueError("reDeliveryCompany")
    if method == "DELIVERY" and not number.isdigit():
        raise ValueError("reDeliveryTrackingNumber")
    claims.reship(case, Invoice(company or str(method), number))


def act(action: str, case: Case, body: dict[str, Any], companies: set[str]) -> None:
    """Apply ``<kind>/<action>`` to the Case. ValueError(field) for a bad body, Refusal for the state."""
    kind, _, verb = action.partition("/")
    if KINDS[kind] is not case.kind:
        raise Refusal(Code.CLAIM_KIND, case.kind.value)
    if verb == "approve":
        claims.approve(case)
    elif verb == "reject":
        claims.reject(case, _text(body, f"reject{kind.capitalize()}Reason"))
    elif verb == "holdback":
        _hold(case, body, f"holdback{kind.capitalize()}DetailReason", f"extra{kind.capitalize()}FeeAmount")
    elif verb == "holdback/release":
        claims.release(case)
    elif verb == "collect/approve":
        claims.collected(case)
    elif verb == "dispatch":
        _reship(case, body, companies)
    else:
        raise KeyError(action)


def applied(item: dict[str, Any], case: Case, body: dict[str, Any], now: datetime) -> None:
    """Write the Case back with what the action carried (fee demand, re-delivery invoice)."""
    write_back(item, case, now)
    claim = body_of(item, case.kind)
    assert claim is not None
    if case.step is Step.HELD and case.fee in ("RETURN_DELIVERYFEE", "EXCHANGE_DELIVERYFEE"):
        both_ways = 2 if case.kind is Claim.EXCHANGE else 1  # invented: an exchange's fee covers both ways
        claim["claimDeliveryFeeDemandAmount"] = DELIVERY_FEE * both_ways
    if case.step is Step.HELD:
        claim["etcFeeDemandAmount"] = int(body.get(f"extra{case.kind.value.capitalize()}FeeAmount") or 0)
    if case.step is Step.RESHIPPED and case.invoice is not None:
        method = body.get("reDeliveryMethod") or "DELIVERY"
        claim.update(reDeliveryMethod=method, reDeliveryCompany=body.get("reDeliveryCompany"),
                     reDeliveryTrackingNumber=body.get("reDeliveryTrackingNumber"), reDeliveryStatus="DELIVERING")
    if case.kind is Claim.CANCEL and case.step is Step.DONE:
        claim["cancelApprovalDate"] = data.iso(now)


# --- 판매취소 and the buyer's and courier's side ----------------------------------------------------
def seller_cancel(store: SimStore, item: dict[str, Any], unit: orders.Unit, reason: str, detail: str, now: datetime) -> None:
    """cancel/request: the seller's cancel of a line not shipped is done at once (invented: Naver
    refunds a seller's cancel without asking the buyer)."""
    if kind_of(item) is not None and (case := case_of(item)) is not None and case.step not in claims.CLOSED:
        raise Refusal(Code.CANCEL_REQUESTED)
    orders.cancel(unit, complete=True)
    open_claim(store, item, Claim.CANCEL, now, reason=reason, channel="판매자")
    case, body = case_of(item), body_of(item, Claim.CANCEL)
    assert case is not None and body is not None
    case.step = Step.DONE
    body.update(cancelDetailedReason=detail, cancelApprovalDate=data.iso(now))
    write_back(item, case, now)


def open_claim(store: SimStore, item: dict[str, Any], kind: Claim, now: datetime, *, reason: str = "", channel: str = "구매자") -> None:
    """A new claim on the product order, in its *_REQUEST state (the buyer's, unless ``channel``)."""
    po = item["detail"]["productOrder"]
    claim_id = str(store.next_id("claimId", 3000000001))
    body = data.claim_document(random.Random(claim_id), kind.value.upper(), claim_id, int(po["quantity"]), now)
    body["requestChannel"] = channel
    if reason:
        body[f"{kind.value}Reason"] = reason
    po.update(claimType=kind.value.upper(), claimStatus=body["claimStatus"], claimId=claim_id)
    item["detail"]["currentClaim"] = {kind.value: body}
    data.touch(item, "CLAIM_REQUESTED", now)


def deliver(item: dict[str, Any], now: datetime, company: str = "CJGLS", number: str = "") -> None:
    """Ship and deliver the product order (a sandbox control: the courier's side)."""
    po = item["detail"]["productOrder"]
    po.update(placeOrderStatus="OK", productOrderStatus="DELIVERED", shippingStartDate=data.iso(now))
    item["detail"]["delivery"] = {
        "deliveryMethod": "DELIVERY", "deliveryCompany": company, "trackingNumber": number or f"{now:%m%d%H%M%S}0",
        "deliveryStatus": "DELIVERY_COMPLETION", "sendDate": data.iso(now), "deliveredDate": data.iso(now),
        "isWrongTrackingNumber": False,
    }
    data.touch(item, "DISPATCHED", now)


def pickup(item: dict[str, Any], now: datetime) -> None:
    """The courier brings a returned or exchanged item back to the seller (Naver's own 수거완료)."""
    case = case_of(item)
    if case is None:
        raise Refusal(Code.CLAIM_KIND)
    claims.collected(case)
    write_back(item, case, now)
