"""The seller's actions on order lines besides 송장, from the 처리 column of a 송장 sheet or of the 주문
workbook dropped back (seed 001: 주문확인 → 발주확인 → 송장, or 주문확인 → 판매취소; 송장송신관리의 강제완료;
seed 003: 보류해제 of a 배송보류, 송장삭제 before a cancel).

발주확인 alone is the journal's ``order.confirm`` on the ship unit — the very command an invoice sends first —
so it is sent once whichever comes first; 판매취소 is ``order.cancel`` per line with the mall's reason code
(``MarketplaceSpec.reasons``) and, for a part of the line, its 수량 (``pipeline/quantities.py``); 보류해제
``order.release`` per ship unit; 송장삭제 ``invoice.delete`` of the invoice the line has: journaled and read
back like invoices. The cancel rules hold on every mall, from the stored line, before any call: nothing from
배송중 on (a return instead), and on a mall that deletes invoices nothing while the line has one (송장삭제
first). A done 판매취소 gives the line's stock back at once — exactly the quantity cancelled — as an approved
cancel does (``pipeline/stock_moves.py``). 강제완료 sends nothing: a ``order.done`` command per line is
journaled done at once, and the line leaves the next 주문 workbook. A mall that does not offer an action says
so on the row, with what to do instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mallbatch.config import Account
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import Invoice, OrderCancel, OrderLine, OrderStatus
from mallbatch.domain.states import SELLER_REASONS
from mallbatch.errors import AuthError, RemoteError
from mallbatch.kinds.common import DELETE_INVOICE
from mallbatch.kinds.invoices import SHIPPED, action_of
from mallbatch.pipeline.ops import Outcome
from mallbatch.pipeline.plan import ALREADY, FAILURE, HOLD, SKIP, SUCCESS, Task
from mallbatch.pipeline.quantities import part_of
from mallbatch.pipeline.stock_moves import StockMoves
from mallbatch.sheets.rows import Row
from mallbatch.store.journal import DONE, Command

if TYPE_CHECKING:
    from mallbatch.pipeline.push import Pusher

DONE_OUTSIDE_OP = "order.done"
NOT_FOUND = "주문을 찾을 수 없습니다. 먼저 'mallbatch collect' 로 주문을 수집하세요"
NO_CONFIRM = "이 쇼핑몰은 mallbatch 에서 발주확인을 지원하지 않습니다. 쇼핑몰 판매자센터에서 발주확인하세요"
NO_CANCEL = "이 쇼핑몰은 mallbatch 에서 판매취소를 지원하지 않습니다. 쇼핑몰 판매자센터에서 판매취소하세요"
NO_RELEASE = "이 쇼핑몰은 주문 보류해제를 지원하지 않습니다. 쇼핑몰 판매자센터에서 보류를 해제하세요"
NO_ORDERS = "이 쇼핑몰은 mallbatch 가 주문을 수집하지 않아 강제완료할 주문이 없습니다"
NO_DELETE = "이 쇼핑몰은 mallbatch 에서 송장삭제를 지원하지 않습니다. 쇼핑몰 판매자센터에서 송장을 지우세요"
CANCEL_PENDING = "취소요청이 들어와 발주확인하지 않았습니다. 클레임 엑셀이나 쇼핑몰에서 취소요청을 먼저 처리하세요"
SHIPPED_NO_CANCEL = "배송중 이후는 취소할 수 없습니다 — 반품으로 처리하세요"
DELETE_FIRST = f"송장을 먼저 삭제하세요 (처리: {DELETE_INVOICE})"
Resolved = tuple[Row, Account, Connector, list[OrderLine]]


def cancel_payload(cancel: OrderCancel) -> dict[str, object]:
    """What the journal keeps of a 판매취소: a part also keeps the line's quantity before it, which a read-back after
    a lost answer needs to tell "2 of 3 cancelled" from "not yet" (the line then holds 1, a cancelled part beside it)."""
    payload: dict[str, object] = cancel.payload()
    if cancel.quantity and cancel.line is not None:
        payload["line"] = {"quantity": cancel.line.quantity}
    return payload


def invoice_payload(invoice: Invoice) -> dict[str, object]:
    """What the journal keeps of an invoice (its idem key): a part of a line adds the line and its quantity, so
    "2 of 3" today and "the last 1" tomorrow are two commands, and a re-dropped file maps onto the same ones."""
    payload: dict[str, object] = {"courier": invoice.courier, "tracking_no": invoice.tracking_no,
                                  "shipped_on": str(invoice.shipped_on or "")}
    if invoice.quantity:
        payload.update(line_ids=list(invoice.line_ids), quantity=invoice.quantity)
    return payload


class OrderActions:
    """One sheet's 발주확인, 판매취소, 강제완료 and 보류해제 rows; outcomes go on the pusher's rows."""

    def __init__(self, pusher: Pusher, sheet: str, sha: str) -> None:
        self.pusher, self.sheet, self.sha = pusher, sheet, sha

    def _resolve(self, rows: Sequence[Row], capability: Capability, unsupported: str) -> list[Resolved]:
        """The rows' accounts and lines; a row asking for part of a line (수량) is refused: only 송장 and 판매취소 split."""
        found = []
        for row, account, adapter, lines in self.pusher.resolve_lines(self.sheet, rows, capability, unsupported):
            whole = sum(l.quantity for l in lines)
            if row.has("quantity") and int(row.get("quantity")) != whole:
                where = self.pusher.where(self.sheet, row, "quantity")
                self._note([row], account.label, FAILURE, f"{where}: {action_of(row)}은(는) 수량을 나누지 않습니다 "
                                                          f"(수량 나누기는 송장·판매취소만) — 수량을 비우거나 {whole}(전체)로 두세요")
                continue
            found.append((row, account, adapter, lines))
        return found

    def _by_unit(self, resolved: list[Resolved]) -> dict[tuple[str, str], tuple[Account, Connector, dict[str, list[Row]]]]:
        """Per account, the ship units the rows name, each with the rows naming it (one command per unit)."""
        accounts: dict[tuple[str, str], tuple[Account, Connector, dict[str, list[Row]]]] = {}
        for row, account, adapter, lines in resolved:
            units = accounts.setdefault((account.mall, account.name), (account, adapter, {}))[2]
            for unit in dict.fromkeys(l.ship_unit for l in lines):
                if row not in units.setdefault(unit, []):
                    units[unit].append(row)
        return accounts

    def _note(self, rows: Sequence[Row], label: str, status: str, message: str, transient: bool = False) -> None:
        self.pusher._note(self.sheet, rows, label, status, message, transient)

    # --- 발주확인 ---------------------------------------------------------------------------
    def confirm(self, rows: Sequence[Row]) -> None:
        """발주확인 of each named ship unit still 결제완료, after a fresh claims check (a 취소요청 is held)."""
        tasks: list[Task] = []
        for account, adapter, units in self._by_unit(self._resolve(rows, Capability.ORDERS_CONFIRM, NO_CONFIRM)).values():
            lines = {u: self.pusher.store.records.orders(account.mall, account.name, [u]) for u in units}
            label = account.label
            try:
                blocked = self.pusher._pending_cancels(account, adapter, [l for ls in lines.values() for l in ls])
            except AuthError as exc:
                self.pusher.session.failed_auth[(account.mall, account.name)] = exc.message_ko
                self._note([r for rs in units.values() for r in rs], label, FAILURE, f"인증 실패: {exc.message_ko}")
                continue
            except RemoteError as exc:
                self._note([r for rs in units.values() for r in rs], label, HOLD,
                           f"클레임을 확인하지 못해 발주확인하지 않았습니다: {exc.message_ko}")
                continue
            for unit, unit_rows in units.items():
                unit_lines = lines[unit]
                if unit in blocked or any(l.line_id in blocked for l in unit_lines):
                    self._note(unit_rows, label, HOLD, CANCEL_PENDING)
                elif all(l.status is OrderStatus.CANCELED for l in unit_lines):
                    self._note(unit_rows, label, FAILURE, "취소된 주문입니다")
                elif not any(l.status is OrderStatus.PAID for l in unit_lines):
                    self._note(unit_rows, label, SKIP, f"{ALREADY} (이미 발주확인된 주문입니다)")
                else:
                    command = Command.new(account.mall, account.name, "order.confirm", unit, {}, self.sha, unit_rows[0].excel_row)
                    tasks.append(Task(self.sheet, unit_rows[0], account, command, unit, unit_rows[1:]))
        self.pusher._run("order.confirm", tasks, self.pusher._simple_done)

    # --- 판매취소 ---------------------------------------------------------------------------
    def cancel(self, rows: Sequence[Row]) -> None:
        """판매취소 of each named line not shipped yet, once per line (or per part) whatever reason a later file gives.
        Refused before any call, on any mall: a line from 배송중 on (a return instead); where the mall deletes
        invoices, a line that has one (송장삭제 first). A done one gives back the stock it cancelled at once and
        sends the new level, told on the row."""
        tasks: dict[tuple[str, str, str, int], Task] = {}
        journal = self.pusher.store.journal
        back = StockMoves(self.pusher.ws, self.pusher.store, self.pusher.session)
        finished: list[tuple[list[Row], str, str, str, bool, str]] = []  # (rows, label, status, message, retry, key)
        for row, account, adapter, lines in self.pusher.resolve_lines(self.sheet, rows, Capability.ORDERS_COLLECT, NO_ORDERS):
            label, code = account.label, str(row.get("reason_code"))
            part = part_of(row, lines, adapter.spec, self.pusher.where(self.sheet, row, "quantity"))
            if part.quantity or part.refusal:
                line = lines[0]
                cancel = OrderCancel(line.line_id, line.order_id, line.ship_unit, code, code, part.quantity, line=line)
                command = Command.new(account.mall, account.name, "order.cancel", line.line_id, cancel_payload(cancel))
                done = journal.get(command.idem_key)
                if done is not None and done.state == DONE:  # sent before; the line now shows what is left
                    back.move(command.idem_key, line, part.quantity)  # caught up after a crash (the ledger keeps it once)
                    finished.append(([row], label, SKIP, f"{ALREADY} (이미 취소된 수량입니다: {line.line_id} {part.quantity}개)",
                                     False, command.idem_key))
                    continue
                if part.refusal:
                    self._note([row], label, FAILURE, part.refusal)
                    continue
            open_lines = []
            for line in lines:
                whole = journal.last_done(account.mall, account.name, "order.cancel", line.line_id)
                if line.status is OrderStatus.CANCELED or (whole is not None and not whole.payload.get("quantity")):
                    # a crash after the mall cancelled and before the stock came back is caught up here (the ledger keeps it once)
                    back.move(_key(line), dataclasses.replace(line, status=OrderStatus.CANCELED))
                    finished.append(([row], label, SKIP, f"{ALREADY} (이미 취소된 주문입니다: {line.line_id})", False, _key(line)))
                elif line.status in SHIPPED:
                    self._note([row], label, FAILURE, f"이미 발송된 주문은 판매취소할 수 없습니다 ({line.line_id}): "
                                                      f"{SHIPPED_NO_CANCEL}. 구매자가 반품을 요청하면 클레임 엑셀에서 처리하세요")
                elif line.tracking_no and Capability.INVOICES_DELETE in adapter.spec.capabilities:
                    self._note([row], label, FAILURE, f"배송대기 주문에 송장({line.tracking_no})이 있어 판매취소할 수 없습니다 "
                                                      f"({line.line_id}): {DELETE_FIRST}. 송장삭제가 끝난 뒤 판매취소를 다시 넣으세요")
                else:
                    open_lines.append(line)
            if not open_lines:
                continue
            reasons = adapter.spec.reasons
            if Capability.ORDERS_CANCEL not in adapter.spec.capabilities:
                self._note([row], label, FAILURE, NO_CANCEL)
                continue
            if reasons and code not in reasons:
                offered = ", ".join(r for r in SELLER_REASONS if r in reasons)
                self._note([row], label, FAILURE, f"{label}에는 '{code}' 사유로 판매취소할 수 없습니다. 사유구분을 다시 고르세요: {offered}")
                continue
            for line in open_lines:
                key = (account.mall, account.name, line.line_id, part.quantity)
                if key in tasks:
                    if tasks[key].command.payload["reason_code"] == code:
                        tasks[key].others.append(row)
                    else:
                        self._note([row], label, FAILURE, f"같은 상품주문({line.line_id})에 다른 사유구분의 판매취소가 있습니다. 한 행만 남기세요")
                    continue
                cancel = OrderCancel(line.line_id, line.order_id, line.ship_unit, code, code, part.quantity, line=line)
                command = Command.new(account.mall, account.name, "order.cancel", line.line_id, cancel_payload(cancel), self.sha,
                                      row.excel_row)
                tasks[key] = Task(self.sheet, row, account, command, cancel)

        def done(task: Task, outcome: Outcome) -> None:
            cancel: OrderCancel = task.obj
            line, key = cancel.line, (task.command.idem_key if cancel.quantity else _key(cancel.line))
            if outcome.state == DONE and line is not None:  # cancelled at the mall: its stock comes back now, once
                if cancel.quantity:
                    back.move(key, line, cancel.quantity)
                else:
                    back.move(key, dataclasses.replace(line, status=OrderStatus.CANCELED))
            status, message = self.pusher._status(outcome)
            done_text = f"판매취소 완료 ({cancel.quantity}개)" if cancel.quantity else "판매취소 완료"
            message = message or (done_text if status == SUCCESS else "")
            finished.append((task.rows, task.account.label, status, message, outcome.retry, key))

        self.pusher._run("order.cancel", list(tasks.values()), done)
        back.push()
        for noted, label, status, message, retry, key in finished:
            self._note(noted, label, status, message + back.told(key), retry)

    # --- 송장삭제 ---------------------------------------------------------------------------
    def delete_invoices(self, rows: Sequence[Row]) -> None:
        """송장삭제 of the invoice each named line has (seed 003: a 배송대기 line with one cannot be cancelled); once
        done the stored line has no invoice, so a 판매취소 after it goes."""
        tasks: dict[tuple[str, str, str], Task] = {}
        for row, account, _, lines in self._resolve(rows, Capability.INVOICES_DELETE, NO_DELETE):
            label = account.label
            for unit in dict.fromkeys(l.ship_unit for l in lines):
                unit_lines = [l for l in lines if l.ship_unit == unit]
                invoiced = [l for l in unit_lines if l.tracking_no]
                if any(l.status in SHIPPED for l in unit_lines):
                    self._note([row], label, FAILURE, f"이미 발송된 주문의 송장은 지울 수 없습니다 ({unit}): {SHIPPED_NO_CANCEL}")
                elif not invoiced:
                    self._note([row], label, SKIP, f"{ALREADY} (송장이 없는 주문입니다: {unit})")
                elif (account.mall, account.name, unit) in tasks:
                    tasks[(account.mall, account.name, unit)].others.append(row)
                else:
                    first = invoiced[0]
                    invoice = Invoice(unit, tuple(l.line_id for l in invoiced), first.order_id, first.courier, first.tracking_no)
                    command = Command.new(account.mall, account.name, "invoice.delete", unit, invoice_payload(invoice), self.sha,
                                          row.excel_row)
                    tasks[(account.mall, account.name, unit)] = Task(self.sheet, row, account, command, invoice)

        def done(task: Task, outcome: Outcome) -> None:
            if outcome.state == DONE:
                self._stored_as_now(task.account, [task.obj.ship_unit], lambda l: dataclasses.replace(l, courier="", tracking_no="")
                                    if l.line_id in task.obj.line_ids else l)
            status, message = self.pusher._status(outcome)
            self._note(task.rows, task.account.label, status,
                       message or (f"송장삭제 완료 ({task.obj.tracking_no}). 이제 판매취소할 수 있습니다" if status == SUCCESS else ""),
                       outcome.retry)

        self.pusher._run("invoice.delete", list(tasks.values()), done)

    # --- 보류해제 ---------------------------------------------------------------------------
    def release(self, rows: Sequence[Row]) -> None:
        """보류해제 of each named ship unit; once done the stored lines are no longer held, so an invoice for them
        (in this file or the next) goes."""
        tasks: list[Task] = []
        for account, _, units in self._by_unit(self._resolve(rows, Capability.ORDERS_RELEASE, NO_RELEASE)).values():
            for unit, unit_rows in units.items():
                command = Command.new(account.mall, account.name, "order.release", unit, {}, self.sha, unit_rows[0].excel_row)
                tasks.append(Task(self.sheet, unit_rows[0], account, command, unit, unit_rows[1:]))

        def done(task: Task, outcome: Outcome) -> None:
            if outcome.state == DONE:
                self._stored_as_now(task.account, [task.obj], lambda l: dataclasses.replace(l, hold=""))
            status, message = self.pusher._status(outcome)
            self._note(task.rows, task.account.label, status,
                       message or ("보류해제 완료. 송장을 넣으면 보냅니다" if status == SUCCESS else ""), outcome.retry)

        self.pusher._run("order.release", tasks, done)

    def _stored_as_now(self, account: Account, units: list[str], applied: Callable[[OrderLine], OrderLine]) -> None:
        """After a done write the store shows the lines as the mall does now: read again where the mall can be
        asked (the next rule reads them, its raw copy too), else the stored lines with ``applied`` done to them."""
        adapter, store = self.pusher.session.adapter(account), self.pusher.store.records
        try:
            lines = adapter.lookup_orders(units) if adapter is not None and adapter.spec.hooks.lookup_orders else []
        except RemoteError:
            lines = []
        store.upsert(lines or [applied(l) for l in store.orders(account.mall, account.name, units)], "push")

    # --- 강제완료 ---------------------------------------------------------------------------
    def done_outside(self, rows: Sequence[Row]) -> None:
        """Mark each named line done in mallbatch only (shipped outside it): nothing goes to the mall."""
        journal = self.pusher.store.journal
        for row, account, _, lines in self._resolve(rows, Capability.ORDERS_COLLECT, NO_ORDERS):
            for line in lines:
                command = journal.register(Command.new(account.mall, account.name, DONE_OUTSIDE_OP, line.line_id, {},
                                                       self.sha, row.excel_row))
                if command.state == DONE:
                    self._note([row], account.label, SKIP, f"{ALREADY} (강제완료된 주문입니다)")
                    continue
                journal.mark(command, DONE, message="강제완료 (쇼핑몰에 보내지 않음)")
                self._note([row], account.label, SUCCESS, "강제완료: 쇼핑몰에는 보내지 않았고, 다음 주문 엑셀에서 빠집니다")


def _key(line: OrderLine | None) -> str:
    """A line's give-back key (its journal target, per account)."""
    return f"{line.mall}|{line.account}|{line.line_id}" if line is not None else ""
