"""쿠팡 simulator, after the sale: the seller's answers to receipts (취소·반품) and exchanges, and 판매취소.

A mixin of :class:`~mallbatch.sandbox.coupang.CoupangSimulator`. Each handler builds an engine
:class:`~mallbatch.sandbox.engine.claims.Case` from the stored receipt or exchange, applies one
transition, and writes the result back in 쿠팡's own fields (receiptStatus, releaseStopStatus,
exchangeStatus, collectStatus, deliveryStatus); a refusal is 쿠팡's 400 ``{"code", "message"}`` with
Korean text (invented wording: the real texts are not documented). Every applied action is
audited as ``claim.action`` under the claim's id (receiptId, or ``EX`` + exchangeId).

Endpoints (independent reading of CPDOC19 and reference §1.7–1.8; the connector is never imported):
출고중지완료 ``stoppedShipment``, 이미출고 ``completedShipment``, 반품 ``approval`` and
``receiveConfirmation``, 교환 ``receiveConfirmation``, ``rejection`` and ``invoices``, and v5
주문 상품 취소 (second-hand).
"""

from __future__ import annotations

import copy
from typing import Any

from mallbatch.sandbox.coupang_data import COURIERS, now_kst, stamp, unit, write_lines
from mallbatch.sandbox.engine import claims
from mallbatch.sandbox.engine.claims import Case, Step
from mallbatch.sandbox.engine.orders import Claim, Invoice, Stage
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.server import Request, Response
from mallbatch.sandbox.store import SimStore

STOP_OPEN, STOPPED, ALREADY_SHIPPED = "미처리", "처리(출고중지)", "처리(이미출고)"
STEP_NAMES = {
    Step.REQUESTED: "접수", Step.COLLECTING: "회수중", Step.COLLECTED: "입고완료", Step.APPROVED: "승인",
    Step.RESHIPPED: "교환상품 발송", Step.HELD: "쿠팡확인요청", Step.DONE: "완료", Step.REJECTED: "거부", Step.WITHDRAWN: "철회",
}
# Engine refusals as 쿠팡's 400 message (invented wording, Korean like 쿠팡's other state refusals)
REFUSED = {
    Code.CLAIM_CLOSED: "이미 처리가 끝난 요청입니다. (현재 상태: {step})",
    Code.CLAIM_SAME: "이미 처리된 요청입니다. (현재 상태: {step})",
    Code.CLAIM_STEP: "현재 상태에서는 처리할 수 없습니다. (현재 상태: {step})",
    Code.CLAIM_KIND: "이 접수 건에는 사용할 수 없는 요청입니다.",
    Code.NEEDS_INVOICE: "택배사 코드와 송장번호를 입력해주세요.",
}
REJECT_CODES = ("SOLDOUT", "WITHDRAW")  # exchangeRejectCode (CPDOC19)
CANCEL_CODES = ("CCTTER", "CCPNER", "CCPRER", "CCSSER")  # middleCancelCode under bigCancelCode CANERR (CPDOC19 v4 refunds)
SELLER_CANCEL = ("판매자 취소", "판매자 사정으로 취소")  # invented reason texts
RESHIP_STATUSES = ("CompleteDirection", "Delivering", "CompleteDelivery", "VendorDirect")


class ClaimRefused(Exception):
    """A state rule or a parameter said no: answered as 쿠팡's 400 with ``message``."""


# --- receipts and exchanges as engine cases --------------------------------------------------
def receipt_kind(receipt: dict[str, Any]) -> Claim:
    """receiptType CANCEL (결제완료) and every 출고중지요청 (releaseStopStatus other than 비대상) are cancels."""
    if receipt["receiptType"] == "CANCEL" or receipt.get("releaseStopStatus", "비대상") != "비대상":
        return Claim.CANCEL
    return Claim.RETURN


def receipt_case(receipt: dict[str, Any]) -> Case:
    kind, status, release = receipt_kind(receipt), receipt["receiptStatus"], receipt.get("releaseStopStatus")
    if kind is Claim.CANCEL and release not in (None, "비대상"):
        step = {STOP_OPEN: Step.REQUESTED, STOPPED: Step.DONE}.get(release, Step.REJECTED)  # 이미출고: rejected
    else:
        step = {"RETURNS_UNCHECKED": Step.REQUESTED, "VENDOR_WAREHOUSE_CONFIRM": Step.COLLECTED,
                "REQUEST_COUPANG_CHECK": Step.HELD, "RETURNS_COMPLETED": Step.DONE}.get(status, Step.REQUESTED)
    return Case(str(receipt["receiptId"]), kind, step)


def exchange_case(exchange: dict[str, Any]) -> Case:
    status = exchange["exchangeStatus"]
    if status == "PROGRESS":
        if exchange.get("deliveryStatus") in RESHIP_STATUSES:
            step = Step.RESHIPPED
        else:
            step = Step.COLLECTED if exchange.get("collectStatus") == "CompleteCollect" else Step.COLLECTING
    else:
        step = {"RECEIPT": Step.REQUESTED, "SUCCESS": Step.DONE, "REJECT": Step.REJECTED, "CANCEL": Step.WITHDRAWN}[status]
    return Case(f"EX{exchange['exchangeId']}", Claim.EXCHANGE, step)


def refused(refusal: Refusal, case: Case) -> ClaimRefused:
    return ClaimRefused(REFUSED[refusal.code].format(step=STEP_NAMES.get(Step(case.step), case.step)))


def apply(case: Case, transition: Any, *args: Any, **kwargs: Any) -> None:
    try:
        transition(case, *args, **kwargs)
    except Refusal as refusal:
        raise refused(refusal, case) from None


class CoupangClaims:
    """The seller's claim and cancel writes (routes registered by the simulator)."""

    store: SimStore
    credentials: dict[str, str]

    def claim_routes(self, vendor: Any, api: Any) -> None:
        receipt, exchange = vendor("v4") + "/returnRequests/{receiptId}", vendor("v4") + "/exchangeRequests/{exchangeId}"
        api("GET", vendor("v6") + "/returnRequests/{receiptId}", self.get_receipt)  # reference §1.7 [C-paths]
        api("PATCH", receipt + "/stoppedShipment", self.stop_shipment)
        api("PATCH", receipt + "/completedShipment", self.already_shipped)
        api("PATCH", receipt + "/approval", self.approve_return)
        api("PATCH", receipt + "/receiveConfirmation", self.receive_return)
        api("PATCH", exchange + "/receiveConfirmation", self.receive_exchange)
        api("PATCH", exchange + "/rejection", self.reject_exchange)
        api("POST", exchange + "/invoices", self.exchange_invoices)
        api("POST", vendor("v5") + "/orders/{orderId}/cancel", self.cancel_order)  # 2nd-hand

    # --- plumbing ----------------------------------------------------------------------
    def _claim_call(self, request: Request, kind: str, act: Any) -> Response:
        """One claim write in one transaction: ``act(record, body)`` raises ClaimRefused or changes the record."""
        body = request.json()
        if isinstance(body, list):  # 교환상품 송장: an array of parcels of one exchange
            first = body[0] if body and isinstance(body[0], dict) else {}
            body = {**first, "parcels": body}
        if not isinstance(body, dict) or body.get("vendorId") != self.credentials["vendor_id"]:
            return Response.json({"code": 400, "message": "Invalid vendor ID"}, 400)
        key = request.params["receiptId" if kind == "receipt" else "exchangeId"]
        try:
            with self.store.transaction():
                record = self.store.get(kind, key)
                if record is None:
                    raise ClaimRefused(f"접수번호({key})를 찾을 수 없습니다.")  # invented wording
                name = act(record, body)
                record["modifiedAt"] = stamp(now_kst())
                self.store.put(kind, key, record)
                claim_key = key if kind == "receipt" else f"EX{key}"
                self.store.audit("claim.action", claim_key, {"action": name})
        except ClaimRefused as exc:
            return Response.json({"code": 400, "message": str(exc)}, 400)
        return Response.json({"code": "200", "message": "OK", "data": {"resultCode": "SUCCESS", "resultMessage": "요청 처리완료"}})

    def get_receipt(self, request: Request) -> Response:
        receipt = self.store.get("receipt", request.params["receiptId"])
        if receipt is None:
            return Response.json({"code": 400, "message": f"receiptId ({request.params['receiptId']}) is not found."}, 400)
        return Response.json({"code": 200, "message": "OK", "data": receipt})

    # --- receipts ----------------------------------------------------------------------
    def stop_shipment(self, request: Request) -> Response:
        """출고중지완료: the box is not shipped, its held pieces are cancelled → 취소완료 (RETURNS_COMPLETED, inferred)."""
        def act(receipt: dict[str, Any], body: dict[str, Any]) -> str:
            case = self._stop_case(receipt)
            apply(case, claims.approve)
            box = self._box(receipt)
            state = unit(box)
            for line in state.lines:
                line.cancelled, line.held = line.quantity, 0
            write_lines(box, state)
            self.store.put("box", str(box["shipmentBoxId"]), box)
            now = stamp(now_kst())
            receipt.update(releaseStopStatus=STOPPED, receiptStatus="RETURNS_COMPLETED", completeConfirmType="VENDOR_CONFIRM",
                           completeConfirmDate=now)
            return "stoppedShipment"
        return self._claim_call(request, "receipt", act)

    def already_shipped(self, request: Request) -> Response:
        """이미출고: the box leaves with the invoice given (its holds released) → the cancel is refused; the
        receipt stays 반품접수 for the parcel to come back (inferred)."""
        def act(receipt: dict[str, Any], body: dict[str, Any]) -> str:
            case = self._stop_case(receipt)
            courier, number = str(body.get("deliveryCompanyCode") or ""), str(body.get("invoiceNumber") or "")
            invoice = Invoice(courier, number) if courier and number else None
            apply(case, claims.reject, "이미출고", invoice, shipped=True)
            box = copy.deepcopy(self._box(receipt))
            for item in box["orderItems"]:
                item["holdCountForCancel"] = 0
            dtos = [{"shipmentBoxId": box["shipmentBoxId"], "orderId": box["orderId"], "vendorItemId": i["vendorItemId"],
                     "deliveryCompanyCode": courier, "invoiceNumber": number} for i in box["orderItems"]]
            code, message = self._invoice_problem(box, dtos, False)  # type: ignore[attr-defined]
            if code != "OK":
                raise ClaimRefused(message)
            self._apply_invoice(box, dtos[0], False)  # type: ignore[attr-defined]
            receipt.update(releaseStopStatus=ALREADY_SHIPPED, receiptStatus="RETURNS_UNCHECKED")
            return "completedShipment"
        return self._claim_call(request, "receipt", act)

    def approve_return(self, request: Request) -> Response:
        """반품요청 승인 → 반품완료."""
        def act(receipt: dict[str, Any], body: dict[str, Any]) -> str:
            case = self._return_case(receipt)
            apply(case, claims.approve)
            receipt.update(receiptStatus="RETURNS_COMPLETED", completeConfirmType="VENDOR_CONFIRM", completeConfirmDate=stamp(now_kst()))
            return "approval"
        return self._claim_call(request, "receipt", act)

    def receive_return(self, request: Request) -> Response:
        """반품상품 입고확인 → VENDOR_WAREHOUSE_CONFIRM."""
        def act(receipt: dict[str, Any], body: dict[str, Any]) -> str:
            apply(self._return_case(receipt), claims.collected)
            receipt["receiptStatus"] = "VENDOR_WAREHOUSE_CONFIRM"
            return "receiveConfirmation"
        return self._claim_call(request, "receipt", act)

    def _stop_case(self, receipt: dict[str, Any]) -> Case:
        """Only a 출고중지요청 takes stoppedShipment / completedShipment (CPDOC19: RELEASE_STOP_UNCHECKED)."""
        if receipt.get("releaseStopStatus", "비대상") == "비대상":
            raise ClaimRefused("출고중지요청 건이 아닙니다.")  # invented wording
        return receipt_case(receipt)

    def _return_case(self, receipt: dict[str, Any]) -> Case:
        case = receipt_case(receipt)
        if case.kind is not Claim.RETURN:
            raise refused(Refusal(Code.CLAIM_KIND), case)
        return case

    def _box(self, receipt: dict[str, Any]) -> dict[str, Any]:
        box = self.store.get("box", str(receipt["returnItems"][0]["shipmentBoxId"]))
        if box is None:
            raise ClaimRefused("주문을 찾을 수 없습니다.")  # invented wording
        return box

    # --- exchanges ---------------------------------------------------------------------
    def receive_exchange(self, request: Request) -> Response:
        """교환요청상품 입고확인 → collectStatus CompleteCollect (업체전달완료), still 진행 (inferred)."""
        def act(exchange: dict[str, Any], body: dict[str, Any]) -> str:
            apply(exchange_case(exchange), claims.collected)
            exchange.update(exchangeStatus="PROGRESS", collectStatus="CompleteCollect", collectCompleteDate=stamp(now_kst()))
            return "receiveConfirmation"
        return self._claim_call(request, "exchange", act)

    def reject_exchange(self, request: Request) -> Response:
        def act(exchange: dict[str, Any], body: dict[str, Any]) -> str:
            code = body.get("exchangeRejectCode")
            if code not in REJECT_CODES:
                raise ClaimRefused(f"exchangeRejectCode 는 {' 또는 '.join(REJECT_CODES)} 만 가능합니다. ({code})")  # invented
            apply(exchange_case(exchange), claims.reject, code)
            exchange.update(exchangeStatus="REJECT", rejectable=False, successable=False)
            return "rejection"
        return self._claim_call(request, "exchange", act)

    def exchange_invoices(self, request: Request) -> Response:
        """교환상품 송장 업로드: the new parcel of the exchange's delivery box → deliveryStatus CompleteDirection."""
        def act(exchange: dict[str, Any], body: dict[str, Any]) -> str:
            parcels = body.get("parcels") or [body]
            groups = {str(g["shipmentBoxId"]): g for g in exchange.get("deliveryInvoiceGroupDtos") or []}
            entries = []
            for parcel in parcels:
                courier, number = str(parcel.get("goodsDeliveryCode") or ""), str(parcel.get("invoiceNumber") or "")
                group = groups.get(str(parcel.get("shipmentBoxId")))
                if group is None:
                    raise ClaimRefused(f"교환 배송번호({parcel.get('shipmentBoxId')})가 맞지 않습니다.")  # invented
                digits = COURIERS[courier][1] if courier in COURIERS else ()
                if courier not in COURIERS or (digits is not None and (not number.isdigit() or len(number) not in digits)):
                    raise ClaimRefused(f"택배사 코드 또는 송장번호가 올바르지 않습니다. ({courier} {number})")  # invented
                entries.append((group, courier, number))
            apply(exchange_case(exchange), claims.reship, Invoice(entries[0][1], entries[0][2]))
            now = stamp(now_kst())
            for group, courier, number in entries:
                group["deliveryInvoiceDtos"] = [{"invoiceNumber": number, "deliverCode": courier, "statusCode": "DEPARTURE",
                                                 "invoiceNumberUploadDate": now, "statusModifiedAt": now}]
            exchange.update(deliveryStatus="CompleteDirection", deliveryInvoiceModifiable=True, rejectable=False)
            return "invoices"
        return self._claim_call(request, "exchange", act)

    # --- 판매취소 ------------------------------------------------------------------------
    def cancel_order(self, request: Request) -> Response:
        """주문 상품 취소 (v5, second-hand): the seller cancels pieces of an order not yet shipped; a
        400 "Order status …" for a shipped one (the second-hand message), with the failed ids."""
        body = request.json()
        if not isinstance(body, dict) or body.get("vendorId") != self.credentials["vendor_id"]:
            return Response.json({"code": 400, "message": "Invalid vendor ID"}, 400)
        items, counts = body.get("vendorItemIds"), body.get("receiptCounts")
        if (not isinstance(items, list) or not isinstance(counts, list) or not items or len(items) != len(counts)
                or body.get("bigCancelCode") != "CANERR" or body.get("middleCancelCode") not in CANCEL_CODES or not body.get("userId")):
            return Response.json({"code": 400, "message": "입력값에 오류가 있습니다. vendorItemIds/receiptCounts/cancelCode"}, 400)  # invented
        order_id = request.params["orderId"]
        with self.store.transaction():
            boxes = [b for b in self.store.all("box") if str(b["orderId"]) == order_id]
            wanted = {str(i): int(n) for i, n in zip(items, counts, strict=True)}
            found = {str(i["vendorItemId"]): b for b in boxes for i in b["orderItems"] if str(i["vendorItemId"]) in wanted}
            failed = [int(i) for i in wanted if i not in found or unit(found[i]).stage >= Stage.SHIPPED
                      or unit(found[i]).cancelled]
            if failed:
                return Response.json({"code": 400, "message": "Order status is not Payment Completed or Instruct. 취소할 수 없는 주문입니다.",
                                      "data": {"failedVendorItemIds": failed}}, 400)  # 2nd-hand English, invented Korean
            receipt_ids = []
            for box in {str(b["shipmentBoxId"]): b for b in found.values()}.values():
                state = unit(box)
                for item, line in zip(box["orderItems"], state.lines, strict=True):
                    if str(item["vendorItemId"]) in wanted:
                        line.cancelled = min(line.quantity, line.cancelled + wanted[str(item["vendorItemId"])])
                        line.held = 0
                write_lines(box, state)
                self.store.put("box", str(box["shipmentBoxId"]), box)
                for item in box["orderItems"]:
                    if str(item["vendorItemId"]) in wanted:
                        self.store.audit("order.cancel", f"{box['shipmentBoxId']}-{item['vendorItemId']}")
                # inferred: a seller's cancel is listed like a buyer's cancelType=CANCEL receipt, completed at once
                receipt_ids.append(self._new_receipt(box, "CANCEL", "RETURNS_COMPLETED", "비대상", SELLER_CANCEL))  # type: ignore[attr-defined]
        return Response.json({"code": "200", "message": "Success",
                              "data": {"receiptMap": {"receiptId": receipt_ids[0]}, "orderId": int(order_id), "failedItemIds": []}})
