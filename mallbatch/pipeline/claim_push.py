"""Sending the 클레임처리 sheet (and the 클레임 workbook dropped back with 처리 filled).

Per row, before any call: the collected claim (by 클레임번호 + 쇼핑몰 + 계정), the action fits its kind,
the claim is still open (an approval already completed is 건너뜀), the row has what the action
needs (취소거부 of a shipped order and 교환재발송 need 택배사·송장번호; a mall with reason codes needs
사유구분), and the mall's spec declares the action. Then one journaled command per claim, op named
as the capability, so a re-dropped file or a restart sends nothing twice. A done 취소승인 /
반품승인 gives the seller's stock back through the same ledger collection uses (keyed by the line:
the next collection, seeing the claim 완료, counts nothing twice) and sends the new level.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from mallbatch.connectors.runtime.spec import MarketplaceSpec
from mallbatch.domain.capability import Capability
from mallbatch.domain.couriers import find_courier
from mallbatch.domain.korean import object_
from mallbatch.domain.records import Claim, ClaimAction, ClaimStatus, OrderStatus
from mallbatch.domain.states import SELLER_REASONS, State, claim_state
from mallbatch.kinds.claim_actions import ACTIONS, CLOSED, Action, offered
from mallbatch.pipeline.ops import Outcome
from mallbatch.pipeline.plan import ALREADY, ERROR, FAILURE, SKIP, SUCCESS, Task
from mallbatch.pipeline.stock_moves import StockMoves
from mallbatch.sheets.rows import Row
from mallbatch.store.journal import DONE, Command

if TYPE_CHECKING:
    from mallbatch.pipeline.push import Pusher

SHIPPED = (OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED)


class ClaimPush:
    """One sheet of 처리 rows sent through ``pusher`` (its journal runner and row outcomes)."""

    def __init__(self, pusher: Pusher, sheet: str, sha: str) -> None:
        self.pusher, self.sheet, self.sha = pusher, sheet, sha
        self.store = pusher.store
        self.back = StockMoves(pusher.ws, self.store, pusher.session)
        self.finished: list[tuple[Task, str, str, bool]] = []  # (task, status, message, retry) as the mall answered

    def send(self, rows: list[Row]) -> None:
        self.pusher._run_each_op((self._plan(row) for row in rows), self._done)
        self._report()

    # --- before any call ----------------------------------------------------------------
    def _plan(self, row: Row) -> Task | None:
        resolved = self.pusher._account(self.sheet, row, Capability.CLAIMS_COLLECT)
        if resolved is None:
            return None
        account, adapter = resolved
        outcome = self.pusher.outcomes.of(self.sheet, row)
        label, action = account.label, ACTIONS[row.get("claim_action")]
        claim_id = str(row.get("claim_id"))
        claim = self.store.records.claim(account.mall, account.name, claim_id)
        if claim is None:
            outcome.add(label, FAILURE, f"클레임 {claim_id}을(를) 찾을 수 없습니다. 먼저 'mallbatch collect' 로 클레임을 수집하세요")
            return None
        refusal = self._refusal(action, claim, row, adapter.spec)
        if refusal is not None:
            outcome.add(label, *refusal)
            return None
        if action.capability not in adapter.spec.capabilities:
            can = ", ".join(offered(claim)) or "없음"
            outcome.add(label, FAILURE, f"이 쇼핑몰은 API 로 {object_(action.name)} 할 수 없습니다. 쇼핑몰 관리 화면에서 처리하세요 "
                                        f"(이 클레임에 mallbatch 로 할 수 있는 처리: {can})")
            return None
        courier = find_courier(row.get("courier", "")) if row.has("courier") else None
        item = ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids),
                           reason=row.get("action_reason", ""), reason_code=row.get("reason_code", "") if action.reason else "",
                           fee=row.get("fee", "") if action.fee else "", courier=courier.code if courier else "",
                           tracking_no=str(row.get("tracking_no", "")).replace("-", "").replace(" ", "") if courier else "",
                           claim=claim)
        command = Command.new(account.mall, account.name, str(action.capability), claim.claim_id, item.payload(), self.sha,
                              row.excel_row)
        return Task(self.sheet, row, account, command, item)

    def _refusal(self, action: Action, claim: Claim, row: Row, spec: MarketplaceSpec) -> tuple[str, str] | None:
        """(status, message) when the row must not be sent; None when it may."""
        state = claim_state(claim)
        if claim.kind not in action.kinds:
            fits = ", ".join(offered(claim) or [a.name for a in ACTIONS.values() if claim.kind in a.kinds])
            return ERROR, (f"{action.name}은(는) {'·'.join(str(k) for k in action.kinds)} 클레임에만 쓸 수 있습니다. "
                           f"이 클레임은 {claim.kind}입니다: 처리를 {fits} 중에서 고르세요")
        if state is action.reaches or (action.approves and claim.status is ClaimStatus.DONE):
            return SKIP, f"{ALREADY} (쇼핑몰 상태: {state})"
        if claim.status in CLOSED:
            return FAILURE, f"이미 {state} 상태인 클레임이라 {object_(action.name)} 할 수 없습니다"
        if action.capability is Capability.CLAIM_RELEASE and state is not State.HELD:
            return FAILURE, f"보류 중인 클레임이 아닙니다 (지금: {state}). 보류해제할 것이 없습니다"
        if state is State.HELD and not action.on_hold:
            release = ("먼저 보류해제를 보낸 뒤" if Capability.CLAIM_RELEASE in spec.capabilities
                       else "쇼핑몰 관리 화면에서 보류를 해제한 뒤 (이 쇼핑몰은 API 로 보류해제를 할 수 없습니다)")
            return FAILURE, f"보류 중인 클레임입니다. {release} {object_(action.name)} 보내세요"
        if action.capability is Capability.CANCEL_REJECT and not row.has("courier") and self._shipped(claim):
            return ERROR, "이미 발송된 주문의 취소거부에는 택배사·송장번호가 필요합니다. 보낸 택배사와 송장번호를 채우세요"
        if action.reason and spec.reasons and not row.has("reason_code"):
            return ERROR, f"이 쇼핑몰은 {action.name}에 사유구분이 필요합니다. 사유구분을 고르세요 ({', '.join(SELLER_REASONS)})"
        return None

    def _shipped(self, claim: Claim) -> bool:
        lines = self.store.records.orders(claim.mall, claim.account, claim.line_ids or [claim.ship_unit])
        return any(line.status in SHIPPED for line in lines)

    # --- after the mall answered --------------------------------------------------------
    def _done(self, task: Task, outcome: Outcome) -> None:
        status, message = self.pusher._status(outcome)
        action = next(a for a in ACTIONS.values() if str(a.capability) == task.command.op)
        if status == SUCCESS:
            message = message or f"{action.name} 완료"
        self.finished.append((task, status, message, outcome.retry))
        claim = task.obj.claim
        if outcome.state == DONE and action.restores and claim is not None:
            # also when skipped: a crash after the mall applied it and before this ran is caught up here (the ledger keeps it once)
            self.back.move(task.command.idem_key, dataclasses.replace(claim, status=ClaimStatus.DONE))

    def _report(self) -> None:
        """Each row's outcome, with the stock it gave back sent to every mall the product is on (as a collection would)."""
        self.back.push()
        for task, status, message, retry in self.finished:
            message += self.back.told(task.command.idem_key)
            self.pusher.outcomes.of(task.sheet, task.row).add(task.account.label, status, message, retry)
