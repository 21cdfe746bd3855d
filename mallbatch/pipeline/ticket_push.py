"""Sending the 티켓처리 sheet (and the 티켓 workbook dropped back with 처리, 답변 or 템플릿 filled).

Per row, before any call: the collected ticket (by 티켓번호 + 쇼핑몰 + 계정); the answer — 답변 as
written, else the 템플릿 rendered in the customer's language (pipeline.answer_templates, fallback
en); the action fits the ticket's category and state (seed 004: 답변 only while 판매자 응답 대기,
at most 2000 characters; 재오픈 never for 영구 종료; 환불 only for 구매 후 티켓, with a 환불사유);
the mall's spec declares it. Then one journaled command per ticket, op named as the capability, so
a re-dropped file or a restart sends nothing twice and a lost answer is read back, never resent.
A done action moves the stored ticket to the state the mall gives it (until the next collection
says otherwise), so the same file with another answer is refused, not sent again.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from mallbatch.domain.capability import Capability
from mallbatch.domain.korean import object_
from mallbatch.domain.records import Ticket, TicketAction, TicketState
from mallbatch.kinds.tickets import ACTIONS, REOPEN, REPLY_MAX, Action, offered
from mallbatch.pipeline.answer_templates import TICKET_FALLBACK, TemplateProblem, ticket_context
from mallbatch.pipeline.ops import Outcome
from mallbatch.pipeline.plan import ALREADY, ERROR, FAILURE, SKIP, SUCCESS, Task
from mallbatch.sheets.normalize import split_list
from mallbatch.sheets.rows import Row
from mallbatch.store.journal import DONE, Command

if TYPE_CHECKING:
    from mallbatch.pipeline.push import Pusher


STATE_CHANGES = (Capability.TICKET_CLOSE, Capability.TICKET_APPEAL, Capability.TICKET_REOPEN)


class TicketPush:
    """One sheet of ticket rows sent through ``pusher`` (its journal runner and row outcomes)."""

    def __init__(self, pusher: Pusher, sheet: str, sha: str) -> None:
        self.pusher, self.sheet, self.sha = pusher, sheet, sha
        self.store = pusher.store

    def send(self, rows: list[Row]) -> None:
        self.pusher._run_each_op((self._plan(row) for row in rows), self._done)

    # --- before any call ----------------------------------------------------------------
    def _plan(self, row: Row) -> Task | None:
        resolved = self.pusher._account(self.sheet, row, Capability.TICKETS_COLLECT)
        if resolved is None:
            return None
        account, adapter = resolved
        outcome = self.pusher.outcomes.of(self.sheet, row)
        label, action = account.label, ACTIONS[row.get("ticket_action")]
        ticket_id = str(row.get("ticket_id"))
        ticket = self.store.records.ticket(account.mall, account.name, ticket_id)
        if ticket is None:
            outcome.add(label, FAILURE, f"티켓 {ticket_id}을(를) 찾을 수 없습니다. 먼저 'mallbatch collect' 로 티켓을 수집하세요")
            return None
        text = self._text(row, ticket, action, label)
        if text is None:
            return None
        order_ids = (tuple(split_list(str(row.get("refund_orders", ""))).value) or tuple(ticket.order_ids)) if action.reason else ()
        item = TicketAction(ticket.ticket_id, text=text, reason_code=str(row.get("refund_reason", "")) if action.reason else "",
                            order_ids=order_ids, ticket=ticket)
        command = Command.new(account.mall, account.name, str(action.capability), ticket.ticket_id, item.payload(), self.sha,
                              row.excel_row)
        journaled = self.store.journal.get(command.idem_key)
        if journaled is None or journaled.state != DONE:  # a done one the journal reports 건너뜀 itself
            refusal = self._refusal(action, ticket, item, account.mall, account.name)
            if refusal is not None:
                outcome.add(label, *refusal)
                return None
        if action.capability not in adapter.spec.capabilities:
            outcome.add(label, FAILURE, f"이 쇼핑몰은 API 로 {object_(action.name)} 할 수 없습니다. 쇼핑몰 관리 화면에서 처리하세요")
            return None
        return Task(self.sheet, row, account, command, item)

    def _text(self, row: Row, ticket: Ticket, action: Action, label: str) -> str | None:
        """The message sent: 답변 as written, else the 템플릿 in the customer's language; None with the row told why."""
        if row.has("answer"):
            return str(row.get("answer"))
        if not row.has("template"):
            return ""
        name = str(row.get("template"))
        try:
            rendered = self.pusher.templates.render(name, ticket.locale, TICKET_FALLBACK, ticket_context(self.store, ticket))
        except TemplateProblem as exc:
            self.pusher.outcomes.of(self.sheet, row).add(label, ERROR, f"템플릿 칸: {exc.message_ko}")
            return None
        if not action.text and action.name != REOPEN:
            return ""  # Wish지원요청 and 환불 send no message
        return rendered.text

    def _refusal(self, action: Action, ticket: Ticket, item: TicketAction, mall: str, account: str) -> tuple[str, str] | None:
        """(status, message) when the row must not be sent; None when it may."""
        state = ticket.state
        if ticket.category not in action.categories:
            can = ", ".join(offered(ticket)) or "없음"
            return ERROR, (f"처리 칸: {action.name}은(는) {'·'.join(str(c) for c in action.categories)}에만 쓸 수 있습니다. "
                           f"이 티켓은 {ticket.category}입니다 (이 티켓에 지금 할 수 있는 처리: {can})")
        if state not in action.states:
            done_before = self.store.journal.last_done(mall, account, str(action.capability), ticket.ticket_id)
            # the state asked for is there already (a reply or a refund only when it was ours: another may have moved it)
            if state is action.reaches and (done_before is not None or action.capability in STATE_CHANGES):
                return SKIP, f"{ALREADY} (티켓 상태: {state})"
            if state is TicketState.PERMANENTLY_CLOSED:
                return FAILURE, f"영구 종료된 티켓이라 {object_(action.name)} 할 수 없습니다 (Wish 는 영구 종료된 티켓을 다시 열지 않습니다)"
            allowed = "·".join(str(s) for s in action.states)
            return FAILURE, (f"{action.name}은(는) {allowed} 상태의 티켓에만 할 수 있습니다 (지금: {state}). "
                             "다시 수집해 상태를 확인하세요")
        if len(item.text) > REPLY_MAX:
            return ERROR, f"답변 칸: 답변은 {REPLY_MAX}자 이내여야 합니다 (현재 {len(item.text)}자). 줄이거나 템플릿을 고치세요"
        if action.text and not item.text.strip():
            return ERROR, f"답변 칸: {action.name}에는 답변이 필요합니다. 답변을 쓰거나 템플릿 이름을 적으세요"
        if action.reason and not item.order_ids:
            return FAILURE, "환불할 주문이 없습니다: 이 티켓에는 주문번호가 없습니다"
        if action.reason and set(item.order_ids) - set(ticket.order_ids):
            extra = ", ".join(sorted(set(item.order_ids) - set(ticket.order_ids)))
            return ERROR, f"환불주문 칸: 이 티켓의 주문이 아닙니다: {extra} (티켓의 주문: {', '.join(ticket.order_ids)})"
        return None

    # --- after the mall answered --------------------------------------------------------
    def _done(self, task: Task, outcome: Outcome) -> None:
        status, message = self.pusher._status(outcome)
        action = next(a for a in ACTIONS.values() if str(a.capability) == task.command.op)
        ticket: Ticket | None = task.obj.ticket
        if status == SUCCESS and ticket is not None and action.reaches is not None:
            # what the mall made of it, until the next collection says otherwise
            self.store.records.upsert([dataclasses.replace(ticket, state=action.reaches, state_raw=action.reaches.name)], "push")
            message = message or f"{action.name} 완료 (티켓 상태: {action.reaches})"
        self.pusher.outcomes.of(task.sheet, task.row).add(task.account.label, status, message, outcome.retry)
