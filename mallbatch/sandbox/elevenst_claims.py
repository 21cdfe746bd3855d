"""11번가's claim actions on the shared claim state machine (:mod:`.engine.claims`), and the sandbox
controls that make a buyer open a claim or a parcel arrive.

A mixin of :class:`~mallbatch.sandbox.elevenst.ElevenstSimulator`. Paths and their parameters are
second-hand (11번가 Open API guide pages as crawled into public integrations, with production code
calling them; apiSeq 1640 취소승인, 1641 취소거부, 1644 반품승인, 1645 반품거부, 1654 반품보류, 1649 교환승인,
1650 교환거부); the reference found none (§3.4). The guide pages answer ``<ResultOrder>`` with
``result_code`` 0 for success and -1 비지니스 Error, -25002 주문번호를 알 수 없습니다, -25004 클레임 번호를 알 수
없습니다 (second-hand); the refusal texts beyond the page's example ("반품 신청상태가 아니어서 반품거부를 할 수
없습니다.") are invented in its style (with 처리를, so no particle depends on the action's name). A claim keeps its engine step in ``_step`` (the simulator's own
field), so steps 11번가 has no code for (수거중) survive; ``ordCnStatCd`` / ``clmStat`` are written from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mallbatch.sandbox import elevenst_data as data
from mallbatch.sandbox.elevenst_xml import ACTION_ROOT, Refused, action_refused, result
from mallbatch.sandbox.engine import claims, orders
from mallbatch.sandbox.engine.claims import Case, Step
from mallbatch.sandbox.engine.orders import Claim, Invoice, Stage, Unit
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.server import Request, Response
from mallbatch.sandbox.store import SimStore

Api = Callable[..., Callable[[Request], Response]]
BUSINESS, NO_ORDER, NO_CLAIM = -1, -25002, -25004  # second-hand (guide page apiSeq 1645)

# engine step → the mall's code. Cancels: ordCnStatCd 01 취소요청, 02 취소완료 (reference §3.4); 03 (rejected)
# is invented and never listed (a rejected cancel leaves the cancel lists). Returns and exchanges: clmStat
# (reference §3.4); 수거중/수거완료 have no code of their own and keep the request's; inferred: a sent exchange
# is 221 교환발송완료, a finished one 302.
CODES: dict[Claim, dict[Step, str]] = {
    Claim.CANCEL: {Step.REQUESTED: "01", Step.DONE: "02", Step.REJECTED: "03"},
    Claim.RETURN: {Step.REQUESTED: "105", Step.COLLECTING: "105", Step.COLLECTED: "105", Step.HELD: "104",
                   Step.DONE: "106", Step.REJECTED: "107", Step.WITHDRAWN: "108"},
    Claim.EXCHANGE: {Step.REQUESTED: "201", Step.COLLECTING: "201", Step.COLLECTED: "201", Step.APPROVED: "212",
                     Step.HELD: "214", Step.RESHIPPED: "221", Step.DONE: "302", Step.REJECTED: "232",
                     Step.WITHDRAWN: "233"},
}
FIELD = {Claim.CANCEL: "ordCnStatCd", Claim.RETURN: "clmStat", Claim.EXCHANGE: "clmStat"}
KIND_KO = {Claim.CANCEL: "취소", Claim.RETURN: "반품", Claim.EXCHANGE: "교환"}
STEP_KO = {Step.REQUESTED: "신청", Step.COLLECTING: "수거중", Step.COLLECTED: "수거완료", Step.APPROVED: "승인",
           Step.RESHIPPED: "발송완료", Step.HELD: "보류", Step.DONE: "완료", Step.REJECTED: "거부", Step.WITHDRAWN: "철회"}
# reason codes each call takes (second-hand: the guide pages and integrations' parameter notes)
REFUSAL_CODES = {Claim.RETURN: {"101", "102", "103", "104"}, Claim.EXCHANGE: {"201", "202", "203", "204"}}
HOLD_CODES = {"101", "102", "103", "104", "105"}


def case_of(kind: Claim, record: dict[str, Any]) -> Case:
    """The engine's view of a stored claim: its ``_step``, or the step its code stands for."""
    if record.get("_step"):
        step = Step(record["_step"])
    else:
        step = next(s for s, code in CODES[kind].items() if code == record[FIELD[kind]])
    held = record.get("_heldFrom")
    return Case(record["ordPrdCnSeq"] if kind is Claim.CANCEL else record["clmReqSeq"], kind, step,
                Step(held) if held else None)


class ElevenstClaims:
    store: SimStore
    rng: Any
    _line: Callable[[str, str], dict[str, Any]]
    _put_line: Callable[[dict[str, Any], Unit, str], None]
    _ship_line: Callable[[dict[str, Any], Unit, Invoice, str, str], None]
    _refused: Callable[[Refusal], Refused]
    _unit: Callable[[dict[str, Any]], Unit]
    _cancels: Callable[[dict[str, Any], str], list[dict[str, Any]]]

    def claim_routes(self, api: Api) -> None:
        route = self.route  # type: ignore[attr-defined]
        for path, handler in (
            ("cancelreqconf/{ordPrdCnSeq}/{ordNo}/{ordPrdSeq}", self.cancel_approve),
            ("cancelreqreject/{ordNo}/{ordPrdSeq}/{ordPrdCnSeq}/{dlvMthdCd}/{sendDt}/{dlvEtprsCd}/{invcNo}", self.cancel_reject),
            ("returnreqconf/{clmReqSeq}/{ordNo}/{ordPrdSeq}", self.return_approve),
            ("returnreqreject/{ordNo}/{ordPrdSeq}/{clmReqSeq}/{refsRsnCd}/{refsRsn}", self.claim_reject(Claim.RETURN)),
            ("returnclaimdefer/{ordNo}/{ordPrdSeq}/{clmReqSeq}/{deferRefsRsnCd}/{deferRefsRsn}", self.return_hold),
            ("exchangereqconf/{clmReqSeq}/{ordNo}/{ordPrdSeq}/{dlvEtprsCd}/{invcNo}", self.exchange_approve),
            ("exchangereqreject/{ordNo}/{ordPrdSeq}/{clmReqSeq}/{refsRsnCd}/{refsRsn}", self.claim_reject(Claim.EXCHANGE)),
        ):
            route("GET", f"/claimservice/{path}", api(handler, write=True))

    # --- one action: find, transition, write back, audit ------------------------------------
    def _claim(self, kind: Claim, p: dict[str, str]) -> dict[str, Any]:
        seq = p["ordPrdCnSeq"] if kind is Claim.CANCEL else p["clmReqSeq"]
        record = self.store.get("cancel" if kind is Claim.CANCEL else "claim", seq)
        if record is None or (kind is not Claim.CANCEL and record["_kind"] != kind):
            raise action_refused(NO_CLAIM, f"클레임 번호를 알 수 없습니다: {seq}")
        if (record["ordNo"], record["ordPrdSeq"]) != (p["ordNo"], p["ordPrdSeq"]):
            raise action_refused(NO_ORDER, f"주문번호를 알 수 없습니다: {p['ordNo']}/{p['ordPrdSeq']}")
        return record

    def _apply(self, kind: Claim, p: dict[str, str], action_ko: str, change: Callable[[Case], None]) -> None:
        """Run ``change`` on the claim's case; a refusal answers in 11번가's words, nothing written."""
        record = self._claim(kind, p)
        case = case_of(kind, record)
        try:
            change(case)
        except Refusal as refusal:
            raise self._claim_refused(kind, case, action_ko, refusal) from None
        record.update({"_step": str(case.step), "_heldFrom": str(case.held_from or ""), FIELD[kind]: CODES[kind][case.step]})
        self.store.put("cancel" if kind is Claim.CANCEL else "claim", case.id, record)
        self.store.audit(f"claim.{kind}", case.id, {"action": action_ko, "step": str(case.step)})

    @staticmethod
    def _claim_refused(kind: Claim, case: Case, action_ko: str, refusal: Refusal) -> Refused:
        if refusal.code is Code.NEEDS_INVOICE:
            return action_refused(BUSINESS, "발송할 택배사와 송장번호를 입력하세요.")
        if refusal.code is Code.CLAIM_STEP and case.step is Step.HELD:
            return action_refused(BUSINESS, f"{KIND_KO[kind]}보류 상태입니다. 보류를 먼저 해제하세요.")
        state = f"{KIND_KO[kind]}{STEP_KO[case.step]}"
        return action_refused(BUSINESS, f"{KIND_KO[kind]} 신청상태가 아니어서 {action_ko} 처리를 할 수 없습니다. (현재: {state})")

    @staticmethod
    def _invoice(p: dict[str, str]) -> Invoice:
        if p["dlvEtprsCd"] not in data.COURIERS:
            raise action_refused(BUSINESS, f"등록되지 않은 택배사 코드입니다: {p['dlvEtprsCd']}")  # invented
        if not re.fullmatch(r"[0-9A-Za-z-]{8,20}", p["invcNo"].strip()):
            raise action_refused(BUSINESS, f"송장번호 형식이 올바르지 않습니다: {p['invcNo']}")  # invented rule and text
        return Invoice(p["dlvEtprsCd"], p["invcNo"].strip())

    @staticmethod
    def _reason(text: str, code: str, codes: set[str]) -> str:
        if code not in codes:
            raise action_refused(BUSINESS, f"사유코드가 올바르지 않습니다: {code}")  # invented
        if not text.strip():
            raise action_refused(BUSINESS, "사유를 입력하세요.")  # invented
        return text.strip()

    # --- cancels ---------------------------------------------------------------------------
    def cancel_approve(self, request: Request) -> bytes:
        """취소승인: the held line is cancelled."""
        p = request.params
        line = self._line(p["ordNo"], p["ordPrdSeq"])
        self._apply(Claim.CANCEL, p, "취소승인", claims.approve)
        state = self._unit(line)
        try:
            orders.cancel(state, complete=True)  # a held line never ships, so it is still cancellable
        except Refusal as refusal:
            raise self._refused(refusal) from None
        self._put_line(line, state, "")
        return result(ACTION_ROOT, 0, "취소승인 처리되었습니다.")  # invented text

    def cancel_reject(self, request: Request) -> bytes:
        """취소거부 ships the line with the given invoice (강제출고); second-hand: sendDt is yyyyMMdd here."""
        p = request.params
        if not re.fullmatch(r"\d{8}", p["sendDt"]):
            raise action_refused(BUSINESS, "sendDt 형식은 yyyyMMdd 입니다.")  # invented wording
        if p["dlvMthdCd"] not in data.DELIVERY_METHODS:
            raise action_refused(BUSINESS, f"배송방법 코드가 올바르지 않습니다: {p['dlvMthdCd']}")  # invented
        invoice = self._invoice(p)
        line = self._line(p["ordNo"], p["ordPrdSeq"])
        self._apply(Claim.CANCEL, p, "취소거부", lambda case: claims.reject(case, "", invoice, shipped=True))
        state = self._unit(line)
        state.lines[0].held = 0
        if state.stage is Stage.PAID:
            state.stage = Stage.CONFIRMED  # invented: a forced shipment confirms the line on the way
        line["plcodrCnfDt"] = line["plcodrCnfDt"] or data.stamp(data.now_kst())
        self._ship_line(line, state, invoice, p["dlvMthdCd"], data.stamp(data.now_kst()))
        return result(ACTION_ROOT, 0, "취소거부 처리되었습니다.")  # invented text

    # --- returns and exchanges --------------------------------------------------------------
    def return_approve(self, request: Request) -> bytes:
        """반품승인 (inferred: approving a held return lifts the hold; 11번가 has no call for that alone)."""
        def approve(case: Case) -> None:
            if case.step is Step.HELD:
                claims.release(case)
            claims.approve(case)
        self._apply(Claim.RETURN, request.params, "반품승인", approve)
        return result(ACTION_ROOT, 0, "반품승인 처리되었습니다.")  # invented text

    def return_hold(self, request: Request) -> bytes:
        p = request.params
        reason = self._reason(p["deferRefsRsn"], p["deferRefsRsnCd"], HOLD_CODES)
        self._apply(Claim.RETURN, p, "반품보류", lambda case: claims.hold(case, reason))
        return result(ACTION_ROOT, 0, "반품보류 처리되었습니다.")  # invented text

    def claim_reject(self, kind: Claim) -> Callable[[Request], bytes]:
        def reject(request: Request) -> bytes:
            p = request.params
            reason = self._reason(p["refsRsn"], p["refsRsnCd"], REFUSAL_CODES[kind])
            self._apply(kind, p, f"{KIND_KO[kind]}거부", lambda case: claims.reject(case, reason))
            return result(ACTION_ROOT, 0, f"{KIND_KO[kind]}거부 처리되었습니다.")  # invented text
        return reject

    def exchange_approve(self, request: Request) -> bytes:
        """교환승인 names the new item's invoice: approved and sent in one call."""
        p = request.params
        invoice = self._invoice(p)

        def approve_and_send(case: Case) -> None:
            if case.step is not Step.APPROVED:
                claims.approve(case)
            claims.reship(case, invoice)
        self._apply(Claim.EXCHANGE, p, "교환승인", approve_and_send)
        return result(ACTION_ROOT, 0, "교환승인 처리되었습니다.")  # invented text

    # --- sandbox controls -----------------------------------------------------------------
    def _box(self, unit: str) -> list[dict[str, Any]]:
        box = self.store.get("box", unit)
        if box is None:
            raise ValueError(f"배송번호가 없습니다: {unit}")
        return [line for key in box["lines"] if (line := self.store.get("line", key)) is not None]

    def deliver(self, unit: str) -> None:
        """Every open line of box ``unit`` confirmed, shipped with a made-up CJ invoice and delivered."""
        now = data.stamp(data.now_kst())
        for line in self._box(unit):
            state = self._unit(line)
            if state.cancelled or state.stage >= Stage.DELIVERED:
                continue
            line["plcodrCnfDt"] = line["plcodrCnfDt"] or now
            if state.stage < Stage.SHIPPED:
                state.stage = Stage.CONFIRMED
                self._ship_line(line, state, Invoice("00034", f"6{unit}{line['ordPrdSeq']}"), "01", now)
            state.stage = Stage.DELIVERED
            line["_deliveredDt"] = now
            self._put_line(line, state, now)

    def open_claim(self, unit: str, kind: str) -> dict[str, Any]:
        """The buyer opens a ``kind`` claim on the first line of box ``unit`` that can have one; a return or
        an exchange delivers the box first. ValueError (Korean) when no line can."""
        if kind not in tuple(Claim):
            raise ValueError(f"클레임 종류는 cancel, return, exchange 중 하나입니다: {kind}")
        claim, now = Claim(kind), data.stamp(data.now_kst())
        with self.store.transaction():
            if claim is not Claim.CANCEL:
                self.deliver(unit)
            line = next((x for x in self._box(unit) if not x["_claim"] and orders.claimable(self._unit(x), claim)), None)
            if line is None:
                raise ValueError(f"배송번호 {unit} 에 {KIND_KO[claim]} 신청할 수 있는 주문이 없습니다")
            if claim is Claim.CANCEL:
                state = self._unit(line)
                orders.cancel(state, complete=False)
                record = data.make_cancel(self.store.next_id, line, "01", now)
                self.store.put("cancel", record["ordPrdCnSeq"], record)
                line["_cancels"] = [*line.get("_cancels", []), record["ordPrdCnSeq"]]
                line["_held"] = True
                number = record["ordPrdCnSeq"]
            else:
                record = data.make_claim(self.rng, self.store.next_id, line, kind, now)
                self.store.put("claim", record["clmReqSeq"], record)
                number = record["clmReqSeq"]
            line["_claim"] = kind
            self.store.put("line", f"{line['ordNo']}-{line['ordPrdSeq']}", line)
        return {"kind": kind, "claim": number, "ordNo": line["ordNo"], "ordPrdSeq": line["ordPrdSeq"]}
