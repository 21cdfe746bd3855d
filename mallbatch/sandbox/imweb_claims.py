"""아임웹 claims on the shared claim state machine (:mod:`mallbatch.sandbox.engine.claims`): the buyer's
cancel, return or exchange of an order's prod orders, and the seller's ``PATCH /orders/{order_no}/{kind}/{action}``
(reference §4.2: cancel accept/reject, return accept/reject/collect_done/withhold/releasehold, exchange
accept/reject/collect_done/withhold/releasehold/resend).

The prod orders show only ``claim_type`` and ``claim_status`` (reference §4.2 values). invented: one claim per
order and kind (stored under ``{order_no}:{claim_type}``), the statuses of a held, rejected, approved or
finished claim (RETURN_HOLD, EXCHANGE_HOLD, *_REJECT, EXCHANGE_ACCEPT, *_DONE), ``claim_time`` and
``claim_reason``, and that an approved cancel cancels its prod orders and a finished return marks them RETURN.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from mallbatch.sandbox.engine import claims
from mallbatch.sandbox.engine.claims import Case, Step
from mallbatch.sandbox.engine.orders import Claim, Invoice
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.imweb_data import ApiError
from mallbatch.sandbox.imweb_orders import CANCEL, COMPLETE, DELIVERING, PAID, PARCEL_CODES, STANDBY

if TYPE_CHECKING:
    from mallbatch.sandbox.imweb import ImwebSimulator

Doc = dict[str, Any]
TYPES = {Claim.CANCEL: "CANCEL", Claim.RETURN: "RETURN", Claim.EXCHANGE: "EXCHANGE"}
KINDS = {v.lower(): k for k, v in TYPES.items()}  # the path's cancel / return / exchange
STATUS = {  # (kind, step) → claim_status; reference §4.2 where listed, else invented
    (Claim.CANCEL, Step.REQUESTED): "CANCEL_REQUEST", (Claim.CANCEL, Step.DONE): "CANCEL_DONE",
    (Claim.CANCEL, Step.REJECTED): "CANCEL_REJECT", (Claim.CANCEL, Step.WITHDRAWN): "CANCEL_WITHDRAW",
    (Claim.RETURN, Step.REQUESTED): "RETURN_REQUEST", (Claim.RETURN, Step.COLLECTING): "RETURN_COLLECTING",
    (Claim.RETURN, Step.COLLECTED): "RETURN_COLLECT_DONE", (Claim.RETURN, Step.HELD): "RETURN_HOLD",
    (Claim.RETURN, Step.DONE): "RETURN_DONE", (Claim.RETURN, Step.REJECTED): "RETURN_REJECT",
    (Claim.RETURN, Step.WITHDRAWN): "RETURN_WITHDRAW",
    (Claim.EXCHANGE, Step.REQUESTED): "EXCHANGE_REQUEST", (Claim.EXCHANGE, Step.COLLECTING): "EXCHANGE_COLLECTIN",
    (Claim.EXCHANGE, Step.COLLECTED): "EXCHANGE_COLLECT_DONE", (Claim.EXCHANGE, Step.APPROVED): "EXCHANGE_ACCEPT",
    (Claim.EXCHANGE, Step.RESHIPPED): "REDELIVERING", (Claim.EXCHANGE, Step.HELD): "EXCHANGE_HOLD",
    (Claim.EXCHANGE, Step.DONE): "EXCHANGE_DONE", (Claim.EXCHANGE, Step.REJECTED): "EXCHANGE_REJECT",
    (Claim.EXCHANGE, Step.WITHDRAWN): "EXCHANGE_WITHDRAW",
}
ACTIONS = {
    Claim.CANCEL: ("accept", "reject"),
    Claim.RETURN: ("accept", "reject", "collect_done", "withhold", "releasehold"),
    Claim.EXCHANGE: ("accept", "reject", "collect_done", "withhold", "releasehold", "resend"),
}
STEP_KO = {Step.REQUESTED: "요청", Step.COLLECTING: "수거중", Step.COLLECTED: "수거완료", Step.APPROVED: "승인",
           Step.RESHIPPED: "재배송", Step.HELD: "보류", Step.DONE: "완료", Step.REJECTED: "거부", Step.WITHDRAWN: "철회"}
REFUSED = {  # engine refusals in the failed list's words (invented)
    Code.CLAIM_CLOSED: "이미 처리가 끝난 클레임입니다 (현재: {step})",
    Code.CLAIM_SAME: "이미 {step} 상태인 클레임입니다",
    Code.CLAIM_STEP: "현재 상태({step})의 클레임에는 할 수 없는 처리입니다",
    Code.CLAIM_KIND: "이 클레임에는 할 수 없는 처리입니다",
    Code.NEEDS_INVOICE: "택배사 코드(parcel_code)와 송장번호(invoice_no)가 필요합니다",
}


def claim_id(order_no: str, kind: Claim) -> str:
    return f"{order_no}:{TYPES[kind]}"


def fields(claim: Doc | None) -> Doc:
    """What a prod order shows of its claim."""
    if claim is None:
        return {"claim_type": "", "claim_status": ""}
    kind = Claim(claim["kind"])
    return {"claim_type": TYPES[kind], "claim_status": STATUS[(kind, Step(claim["step"]))],
            "claim_time": claim["time"], "claim_reason": claim.get("buyer_reason", "")}


def case_of(claim: Doc) -> Case:
    invoice = Invoice(*claim["invoice"]) if claim.get("invoice") else None
    held = Step(claim["held_from"]) if claim.get("held_from") else None
    return Case(claim["id"], Claim(claim["kind"]), Step(claim["step"]), held, claim.get("reason", ""), claim.get("fee", ""),
                invoice)


def _text(refusal: Refusal) -> str:
    detail = str(refusal.detail)
    step = STEP_KO[Step(detail)] if detail in set(Step) else detail
    return REFUSED[refusal.code].format(step=step)


def open_claim(sim: ImwebSimulator, unit: str, kind_name: str) -> Doc:
    """The buyer's claim on every prod order of order ``unit`` that can have one (a return or exchange
    on a delivered order: the order is delivered first)."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise ValueError("kind 는 cancel, return, exchange 중 하나입니다")
    order = sim.store.get("order", unit)
    if order is None:
        raise ValueError(f"존재하지 않는 주문입니다: {unit}")
    if kind is not Claim.CANCEL:
        sim.deliver({"order_no": unit})
    prod_orders = sim._prod_orders(order)  # noqa: SLF001 - the simulator's own documents
    open_ = (PAID, STANDBY) if kind is Claim.CANCEL else (DELIVERING, COMPLETE)
    chosen = [p for p in prod_orders if p["status"] in open_ and not (kind is Claim.CANCEL and p.get("invoice_no"))
              and not _open(sim, p)]
    if not chosen:
        raise ValueError(f"이 주문에는 {TYPES[kind]} 클레임을 열 수 없습니다")
    claim = {"id": claim_id(unit, kind), "order_no": unit, "kind": str(kind), "step": str(Step.REQUESTED),
             "prod_orders": [p["order_no"] for p in chosen], "time": int(time.time()),
             "buyer_reason": {Claim.CANCEL: "단순 변심", Claim.RETURN: "상품 불량", Claim.EXCHANGE: "사이즈 교환"}[kind]}
    sim.store.put("claim", claim["id"], claim)
    for prod_order in chosen:
        prod_order["_claim"] = claim["id"]
        prod_order["_cancel_requested"] = kind is Claim.CANCEL
        sim.store.put("prod_order", prod_order["order_no"], prod_order)
    return claim


def _open(sim: ImwebSimulator, prod_order: Doc) -> bool:
    claim = sim.store.get("claim", prod_order["_claim"]) if prod_order.get("_claim") else None
    return claim is not None and Step(claim["step"]) not in claims.CLOSED


def act(sim: ImwebSimulator, order_no: str, kind_name: str, action: str, body: Doc) -> Doc:
    kind = KINDS.get(kind_name)
    if kind is None or action not in ACTIONS[kind]:
        raise ApiError(-99, f"지원하지 않는 처리입니다: {kind_name}/{action}")
    claim = sim.store.get("claim", claim_id(order_no, kind))
    if claim is None:
        return {"success": [], "failed": [{"order_no": order_no, "prod_order_list": [
            {"prod_order_no": "", "msg": f"이 주문에는 {TYPES[kind]} 클레임이 없습니다", "detail_msg": ""}]}]}
    etc = body.get("etc") if isinstance(body.get("etc"), dict) else {}
    case = case_of(claim)
    try:
        _step(case, action, etc)
    except Refusal as refusal:
        return {"success": [], "failed": [{"order_no": order_no, "prod_order_list": [
            {"prod_order_no": n, "msg": _text(refusal), "detail_msg": ""} for n in claim["prod_orders"]]}]}
    claim.update(step=str(case.step), held_from=str(case.held_from) if case.held_from else None, reason=case.reason,
                 fee=case.fee, invoice=[case.invoice.courier, case.invoice.number] if case.invoice else None)
    sim.store.put("claim", claim["id"], claim)
    _settle(sim, claim, kind, case, etc)
    sim.store.audit(f"claim.{kind_name}", claim["id"], {"action": action, **etc})
    return {"success": [{"order_no": order_no, "prod_order_list": claim["prod_orders"]}], "failed": []}


def _invoice(etc: Doc) -> Invoice | None:
    parcel, number = str(etc.get("parcel_code") or ""), str(etc.get("invoice_no") or "").strip()
    if not parcel and not number:
        return None
    if parcel not in PARCEL_CODES or not number:
        raise Refusal(Code.NEEDS_INVOICE)
    return Invoice(parcel, number)


def _step(case: Case, action: str, etc: Doc) -> None:
    if action == "accept":
        claims.approve(case, str(etc.get("deliv_fee_type") or ""))  # invented field for 배송비 처리 (차감/청구/없음)
    elif action == "reject":
        claims.reject(case, str(etc.get("claim_memo") or ""), _invoice(etc), shipped=case.kind is Claim.CANCEL)
    elif action == "collect_done":
        claims.collected(case)
    elif action == "withhold":
        claims.hold(case, str(etc.get("reason_code") or "ETC"))
    elif action == "releasehold":
        claims.release(case)
    else:  # resend (method DELIVERY | QUICK_SVC …, reference §4.2)
        invoice = _invoice(etc)
        if invoice is None:
            raise Refusal(Code.NEEDS_INVOICE)
        claims.reship(case, invoice)


def _settle(sim: ImwebSimulator, claim: Doc, kind: Claim, case: Case, etc: Doc) -> None:
    """What the claim's new step does to its prod orders."""
    for number in claim["prod_orders"]:
        prod_order = sim.store.get("prod_order", number)
        if prod_order is None:
            continue
        if kind is Claim.CANCEL and case.step in (Step.DONE, Step.REJECTED):
            prod_order["_cancel_requested"] = False
            if case.step is Step.DONE:
                prod_order["status"] = CANCEL
            elif case.invoice is not None and prod_order["status"] in (PAID, STANDBY):  # rejected: it ships as named
                prod_order.update(status=DELIVERING, parcel_code=case.invoice.courier, invoice_no=case.invoice.number)
        elif kind is Claim.RETURN and case.step is Step.DONE:
            prod_order["status"] = "RETURN"
        sim.store.put("prod_order", number, prod_order)


def generate(sim: ImwebSimulator, count: int) -> int:
    """Claims on orders without one: cancels of paid orders, returns or exchanges of others (delivered first)."""
    made = 0
    candidates = [o for o in sim.store.all("order") if not any(
        (p := sim.store.get("prod_order", n)) is not None and p.get("_claim") for n in o["_prod_orders"])]
    rng = sim.rng
    rng.shuffle(candidates)
    for order in candidates[:count]:
        kind = "cancel" if rng.random() < 0.6 else rng.choice(("return", "exchange"))
        try:
            open_claim(sim, order["order_no"], kind)
        except ValueError:
            continue
        made += 1
    return made
