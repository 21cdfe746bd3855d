"""``push``: validate a workbook, then send every valid row through its mall's adapter.

Kinds handled: 상품 (+판매정보) → register or update on each mall of the row's 판매그룹;
재고·가격 (and the 판매상품 workbook dropped back) → stock, price, sale state on every bound mall;
송장 → 발주확인 where needed, a fresh claims check, then invoices; 문의답변 → answers;
클레임처리 (and the 클레임 workbook dropped back) → the seller's action on each collected claim;
티켓처리 (and the 티켓 workbook dropped back) → the seller's action on each collected support ticket.
Everything goes through the journal, so a re-dropped file or a restart after a crash
sends nothing twice.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from mallbatch.connectors.filemall.spec import UPLOAD_FILE
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import (
    Answer,
    Claim,
    Invoice,
    OrderLine,
    OrderStatus,
    ProductRef,
)
from mallbatch.domain.clock import now_kst
from mallbatch.config import Account
from mallbatch.domain.couriers import find_courier
from mallbatch.domain.states import State, order_state
from mallbatch.errors import AuthError, RemoteError
from mallbatch.sheets.result_columns import MALL_IDS
from mallbatch.malls import find_mall, mall_name
from mallbatch.connectors.filemall.downloads import parse_code
from mallbatch.pipeline.answer_templates import INQUIRY_FALLBACK, AnswerTemplates, TemplateProblem, inquiry_context
from mallbatch.pipeline.claim_push import ClaimPush
from mallbatch.pipeline.ticket_push import TicketPush
from mallbatch.pipeline.file_malls import receive
from mallbatch.pipeline.check import (
    Checked,
    check_file,
    result_path,
    save_valid,
)
from mallbatch.kinds.common import CANCEL, CONFIRM, DELETE_INVOICE, DONE_OUTSIDE, RELEASE, SEND
from mallbatch.kinds.imported import IMPORTED
from mallbatch.kinds.invoices import action_of, tracking_text
from mallbatch.pipeline.importing import link_rows
from mallbatch.pipeline.group_push import push_groups
from mallbatch.pipeline.listing import build_listing
from mallbatch.pipeline.ops import OPS, Outcome, execute, is_transient
from mallbatch.pipeline.order_actions import NOT_FOUND, OrderActions, invoice_payload
from mallbatch.pipeline.quantities import part_of
from mallbatch.pipeline.plan import (
    ALREADY,
    ERROR,
    FAILURE,
    FILED,
    HOLD,
    SAVED,
    SKIP,
    SUCCESS,
    Outcomes,
    Task,
)
from mallbatch.pipeline.session import Session
from mallbatch.pipeline.stock_sheet import StockSheet, changed_rows
from mallbatch.kinds.listings import LISTINGS
from mallbatch.sheets.issues import ERROR as ISSUE_ERROR
from mallbatch.sheets.issues import STATUS_WARNING, WARNING, Issue, Report, SheetReport
from mallbatch.sheets.normalize import split_list
from mallbatch.sheets.results import (
    ResultSheet,
    sheets_from_report,
    validation_summary,
    write_result,
)
from mallbatch.sheets.rows import Row
from mallbatch.store import Store
from mallbatch.store.journal import DONE, FAILED, UNKNOWN, Command
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.push")
Progress = Callable[[int, int], None]  # (items just finished, items planned so far)
CLAIM_LOOKBACK = timedelta(days=7)
UNSUPPORTED = "이 쇼핑몰은 지원하지 않습니다"


@dataclass
class PushResult:
    checked: Checked
    outcomes: Outcomes
    result_path: Path

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for outcome in self.outcomes.values():
            counts[outcome.status] += 1
        return dict(counts)

    @property
    def retryable(self) -> bool:
        """Some row failed or was held for now; rows the mall refused would fail the same way again."""
        return any(outcome.retryable for outcome in self.outcomes.values())

    @property
    def file_problem(self) -> str:
        """Why the whole file could not be read (not a spreadsheet, damaged, encrypted …); "" when it was."""
        report = self.checked.report
        if report.row_count:
            return ""
        return " ".join(i.text for i in report.issues if i.severity == ISSUE_ERROR)

    def summary_ko(self) -> str:
        if self.file_problem:
            return f"{self.checked.report.path.name}: 실패 - 파일을 읽지 못함: {self.file_problem}"
        c = self.counts
        report = self.checked.report
        filed = f", 파일로 보냄 {c[FILED]}" if c.get(FILED) else ""
        lines = [f"{report.path.name}: 성공 {c.get(SUCCESS, 0)}, 실패 {c.get(FAILURE, 0)}, 보류 {c.get(HOLD, 0)}, "
                 f"건너뜀 {c.get(SKIP, 0)}, 오류 {c.get(ERROR, 0)}, 저장만 {c.get(SAVED, 0)}{filed}"]
        # What kept the file (or a sheet) from being read at all: no row carries it.
        for issue in report.issues + [i for s in report.sheets for i in s.issues]:
            if issue.severity == "error":
                lines.append(f"  - {issue.where() or '파일'}: {issue.message}" + (f" → {issue.fix}" if issue.fix else ""))
        return "\n".join(lines)

    @property
    def failed(self) -> bool:
        """Anything not done: a row failed or was refused, or the file or a sheet could not be read."""
        return any(k in self.counts for k in (FAILURE, ERROR)) or not self.checked.report.valid


class Pusher:
    def __init__(self, ws: Workspace, store: Store, session: Session, progress: Progress | None = None,
                 automatic: bool = False) -> None:
        self.ws, self.store, self.session = ws, store, session
        self.automatic = automatic  # watch's retry: rows the mall refused are reported, not sent again
        self.progress = progress or (lambda done, total: None)
        self.outcomes = Outcomes()
        self.planned = 0
        self.linked: set[tuple[str, int, str, str]] = set()  # (sheet, row, mall, account) bound to a listing by import
        self.templates = AnswerTemplates(ws)
        self.report: Report | None = None  # the file being pushed: where() names its cells

    def where(self, sheet: str, row: Row, name: str) -> str:
        """The seller's cell in words: "주문.xlsx '주문' 시트 5행 '수량' 열" (for refusals made at send time)."""
        report = self.report
        header = next((s.headers[s.columns[name]] for s in (report.sheets if report else [])
                       if s.sheet == sheet and name in s.columns), "")
        cell = Issue(ISSUE_ERROR, "", "", sheet=sheet, row=row.excel_row, column=header or name).where()
        return f"{report.path.name} {cell}" if report else cell

    # --- helpers ----------------------------------------------------------------------
    def _account(self, sheet: str, row: Row, capability: Capability, unsupported: str = UNSUPPORTED) -> tuple[Account, Connector] | None:
        """The row's account and adapter when they can do ``capability``; otherwise record why not."""
        mall = find_mall(row.get("mall", ""))
        assert mall is not None  # validated
        account = self.session.account(mall.code, row.get("account"))
        outcome = self.outcomes.of(sheet, row)
        if account is None:
            outcome.add(mall.name, FAILURE, "config.toml 에 이 쇼핑몰 계정이 없습니다")
            return None
        adapter = self.session.adapter(account)
        if adapter is None:
            outcome.add(account.label, FAILURE, "아직 mallbatch 가 연동하지 않는 쇼핑몰입니다")
        elif capability not in adapter.spec.capabilities:
            outcome.add(account.label, FAILURE, unsupported)
        elif self._dead(account):
            outcome.add(account.label, FAILURE, f"인증 실패: {self._dead(account)}")
        else:
            return account, adapter
        return None

    def _dead(self, account: Account) -> str | None:
        return self.session.failed_auth.get((account.mall, account.name))

    def _run_each_op(self, tasks: Iterable[Task | None], on_done: Callable[[Task, Outcome], None] | None = None) -> None:
        """Run a sheet's planned tasks (None: a row refused while planning) grouped by journal op, all planned first."""
        by_op: dict[str, list[Task]] = defaultdict(list)
        for task in tasks:
            if task is not None:
                by_op[task.command.op].append(task)
        for op, group in by_op.items():
            self._run(op, group, on_done)

    def _run(self, op_name: str, tasks: list[Task], on_done: Callable[[Task, Outcome], None] | None = None) -> dict[str, Outcome]:
        """Execute tasks per account; record row outcomes; an auth failure stops that account."""
        op = OPS[op_name]
        self.planned += len(tasks)
        results: dict[str, Outcome] = {}
        by_account: dict[tuple[str, str], list[Task]] = defaultdict(list)
        for task in tasks:
            by_account[(task.account.mall, task.account.name)].append(task)
        for key, group in by_account.items():
            account = group[0].account
            adapter = self.session.adapter(account)
            assert adapter is not None
            dead = self._dead(account)
            told = 0  # items of this group already counted as they finished
            if dead is None:

                def tell(count: int) -> None:
                    nonlocal told
                    told += count
                    self.progress(count, self.planned)

                try:
                    execute(self.store.journal, adapter, op, [(t.command, t.obj) for t in group], results,
                            resend_refused=not self.automatic, progress=tell)
                except AuthError as exc:
                    self.session.failed_auth[key] = exc.message_ko
                    dead = exc.message_ko
            for task in group:
                outcome = results.get(task.command.idem_key)
                if outcome is None:
                    outcome = Outcome(FAILED, f"인증 실패로 보내지 않았습니다: {dead}")
                    results[task.command.idem_key] = outcome
                if on_done:
                    on_done(task, outcome)
            self.progress(max(0, len(group) - told), self.planned)
        return results

    @staticmethod
    def _status(outcome: Outcome) -> tuple[str, str]:
        if outcome.skipped:
            return SKIP, ALREADY
        if outcome.state == DONE and UPLOAD_FILE in (outcome.extra or {}):
            return FILED, outcome.message  # written into a file mall's upload workbook (the message names it)
        if outcome.state == DONE:
            return SUCCESS, outcome.message
        if outcome.state == UNKNOWN:
            return HOLD, outcome.message
        return FAILURE, outcome.message

    # --- products ---------------------------------------------------------------------
    def push_products(self, sheet: str, rows: list[Row], sha: str) -> None:
        creates: list[Task] = []
        updates: list[Task] = []
        for row in rows:
            outcome = self.outcomes.of(sheet, row)
            names = split_list(row.get("groups", "")).value
            if not names:
                outcome.add("", SAVED, "판매그룹이 없어 저장만 했습니다")
                continue
            product = self.store.product(row.get("code"))
            assert product is not None  # saved by save_valid
            for name in names:
                for group in self.store.groups_named(name):
                    self._plan_product(sheet, row, product, group, sha, creates, updates)
        self._run("product.create", creates, self._product_done)
        self._run("product.update", updates, self._product_done)

    def _plan_product(self, sheet: str, row: Row, product: dict[str, Any], group: dict[str, Any], sha: str,
                      creates: list[Task], updates: list[Task]) -> None:
        outcome = self.outcomes.of(sheet, row)
        if (sheet, row.excel_row, group["mall"], group["account"]) in self.linked:
            return  # the row names this account's listing: bound to it (or refused), never created again
        account = self.session.account(group["mall"], group["account"])
        label = f"{mall_name(group['mall'])}/{group['account']}"
        if account is None:
            outcome.add(label, FAILURE, "config.toml 에 이 계정이 없습니다")
            return
        adapter = self.session.adapter(account)
        if adapter is None:
            outcome.add(label, FAILURE, "아직 mallbatch 가 연동하지 않는 쇼핑몰입니다")
            return
        listing = build_listing(product, group)
        problems = adapter.listing_problems(listing)
        journal = self.store.journal
        binding = journal.binding(account.mall, account.name, listing.seller_code)
        if problems:
            # In 연동이력 like a refusal by the mall: the product is not simply waiting to be sent.
            message = "; ".join(problems)
            outcome.add(label, FAILURE, message)
            journal.add_history(account.mall, account.name, listing.seller_code,
                                "product.update" if binding else "product.create", FAILURE, message)
            return
        for warning in adapter.listing_warnings(listing):
            outcome.add(label, STATUS_WARNING, warning)
        payload: dict[str, Any] = {"listing": dataclasses.asdict(listing)}
        stop_unconfirmed = binding is not None and not listing.on_sale and binding["extra"].get("on_sale") is not False
        if binding and not stop_unconfirmed and journal.same_as_last(
                account.mall, account.name, ("product.create", "product.update"), listing.seller_code,
                payload["listing"], part="listing"):
            outcome.add(label, SKIP, f"{ALREADY} (바뀐 내용 없음)")
            outcome.mall_ids.append(f"{account.label}:{binding['product_id']}")
            return
        capability = Capability.PRODUCTS_UPDATE if binding else Capability.PRODUCTS_CREATE
        if capability not in adapter.spec.capabilities:
            outcome.add(label, FAILURE, UNSUPPORTED)
            return
        if binding:
            ref = ProductRef(binding["product_id"], binding["extra"])
            payload["product_id"] = ref.product_id  # the update's read-back asks the mall for this product
            command = Command.new(account.mall, account.name, "product.update", listing.seller_code, payload, sha, row.excel_row)
            updates.append(Task(sheet, row, account, command, (ref, listing)))
        else:
            command = Command.new(account.mall, account.name, "product.create", listing.seller_code, payload, sha, row.excel_row)
            creates.append(Task(sheet, row, account, command, listing))

    def _product_done(self, task: Task, outcome: Outcome) -> None:
        account, code = task.account, task.command.target
        listing = task.obj[1] if isinstance(task.obj, tuple) else task.obj
        status, message = self._status(outcome)
        row_outcome = self.outcomes.of(task.sheet, task.row)
        if outcome.state == DONE and outcome.remote_id:
            # a read-back says only "applied": what the mall told us before (its other ids) stays in the binding
            old = self.store.journal.binding(account.mall, account.name, code)
            kept = old["extra"] if old and old["product_id"] == outcome.remote_id else {}
            self.store.journal.bind(account.mall, account.name, code, outcome.remote_id, {**kept, **(outcome.extra or {})}, listing.group)
        product_id = outcome.remote_id or (self.store.journal.binding(account.mall, account.name, code) or {}).get("product_id", "")
        if product_id:
            row_outcome.mall_ids.append(f"{account.label}:{product_id}")
        verb = "수정" if task.command.op == "product.update" else "등록"
        if status == SUCCESS and not listing.on_sale:
            # 판매불가 is 성공 only when the adapter reports the mall's sale stopped
            stopped = (outcome.extra or {}).get("on_sale") is False
            status = SUCCESS if stopped else FAILURE
            message = f"{verb} 완료, 판매중지" if stopped else (
                f"{verb}은 되었지만 판매중지를 확인하지 못했습니다. 쇼핑몰 관리 화면에서 판매중지하세요")
        row_outcome.add(account.label, status, message or (f"{verb} 완료" if status == SUCCESS else ""), outcome.retry)
        if not outcome.skipped:
            self.store.journal.add_history(account.mall, account.name, code, task.command.op, status, message)

    def _link_imported(self, sheet: SheetReport) -> None:
        """A 가져온상품 workbook dropped back: each row binds to the listing it names, even a row whose
        other cells are still incomplete (binding needs only the code and the listing)."""
        rows = [r for r in sheet.rows if not r.skipped]
        links = link_rows(self.store, self.session, sheet, rows)
        for row in rows:
            link = links.get(row.excel_row)
            if link is None:
                continue
            message = link.message
            if link.status == SUCCESS and row.status == "오류":
                message += " 상품 정보는 아래 오류 칸을 채워 다시 넣으면 저장됩니다."
            self.outcomes.of(sheet.sheet, row).add(link.label, link.status, message, link.transient)
            if link.mall:
                self.linked.add((sheet.sheet, row.excel_row, link.mall, link.account))

    # --- stock and prices -------------------------------------------------------------
    def push_stock(self, sheet: str, rows: list[Row], sha: str) -> None:
        """재고·가격 rows: the seller's count, then stock, price and sale state on every bound account."""
        StockSheet(self, sheet, sha).send(rows)

    # --- invoices ---------------------------------------------------------------------
    def _order_lines(self, account: Account, adapter: Connector, row: Row) -> list[OrderLine]:
        """The most precise id the row gives: 상품주문번호, then 묶음배송번호, then 주문번호 (required)."""
        name = next(n for n in ("line_id", "ship_unit", "order_no") if row.has(n))
        ids = [str(row.get(name))]
        lines = self.store.records.orders(account.mall, account.name, ids)
        if not lines and Capability.ORDERS_COLLECT in adapter.spec.capabilities:
            lines = adapter.lookup_orders(ids)
            self.store.records.upsert(lines, "push")
        return lines

    def push_invoices(self, sheet: str, rows: list[Row], sha: str) -> None:
        """Each row's 처리: 보류해제 first (a held order cannot ship), 송장삭제 (a deleted invoice may be replaced), then
        송장, 발주확인, 판매취소, 강제완료."""
        by_action: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_action[action_of(row)].append(row)
        actions = OrderActions(self, sheet, sha)
        actions.release(by_action[RELEASE])
        actions.delete_invoices(by_action[DELETE_INVOICE])
        self._send_invoices(sheet, by_action[SEND], sha)
        actions.confirm(by_action[CONFIRM])
        actions.cancel(by_action[CANCEL])
        actions.done_outside(by_action[DONE_OUTSIDE])

    def resolve_lines(self, sheet: str, rows: Sequence[Row], capability: Capability,
                      unsupported: str = UNSUPPORTED) -> list[tuple[Row, Account, Connector, list[OrderLine]]]:
        """Each row's account (when it offers ``capability``) and the order lines it names; a row without is told why."""
        found = []
        for row in rows:
            resolved = self._account(sheet, row, capability, unsupported)
            if resolved is None:
                continue
            account, adapter = resolved
            outcome = self.outcomes.of(sheet, row)
            try:
                lines = self._order_lines(account, adapter, row)
            except RemoteError as exc:
                outcome.add(account.label, FAILURE, f"주문을 조회하지 못했습니다: {exc.message_ko}", is_transient(exc))
                continue
            if not lines:
                outcome.add(account.label, FAILURE, NOT_FOUND)
                continue
            found.append((row, account, adapter, lines))
        return found

    def _send_invoices(self, sheet: str, rows: list[Row], sha: str) -> None:
        """Resolve each row to its ship unit(s); rows naming the same unit become one invoice. A row asking for part
        of a line (수량) is an invoice of its own for that line, checked first (``pipeline/quantities.py``)."""
        units: dict[tuple[str, ...], list[tuple[Row, str, str]]] = defaultdict(list)
        named: dict[tuple[str, ...], list[OrderLine]] = defaultdict(list)
        accounts: dict[tuple[str, str], tuple[Account, Connector]] = {}
        per_account: dict[tuple[str, str], list[tuple[list[Row], Invoice, list[OrderLine]]]] = defaultdict(list)
        for row, account, adapter, lines in self.resolve_lines(sheet, rows, Capability.INVOICES_SEND):
            courier = find_courier(row.get("courier"))
            assert courier is not None  # validated
            tracking = tracking_text(courier, str(row.get("tracking_no")))
            accounts[(account.mall, account.name)] = (account, adapter)
            part = part_of(row, lines, adapter.spec, self.where(sheet, row, "quantity"))
            if part.quantity or part.refusal:
                line = lines[0]
                invoice = Invoice(line.ship_unit, (line.line_id,), line.order_id, courier.code, tracking,
                                  row.get("shipped_on") or None, part.quantity)
                sent = self.store.journal.get(Command.new(account.mall, account.name, "invoice.send", invoice.ship_unit,
                                                          invoice_payload(invoice)).idem_key)
                if sent is not None and sent.state == DONE:
                    self._note(sheet, [row], account.label, SKIP, ALREADY)  # sent before: the line now shows what is left
                elif part.refusal:
                    self._note(sheet, [row], account.label, FAILURE, part.refusal)
                else:
                    per_account[(account.mall, account.name)].append(([row], invoice, lines))
                continue
            for unit in dict.fromkeys(l.ship_unit for l in lines):
                # a mall that splits lines ships each invoice on the lines its rows name: one unit, several invoices
                number = (courier.code, tracking) if adapter.spec.split_quantity else ("", "")
                units[(account.mall, account.name, unit, *number)].append((row, courier.code, tracking))
                if adapter.spec.split_quantity:
                    named[(account.mall, account.name, unit, *number)].extend(l for l in lines if l.ship_unit == unit)
        for (mall, name, unit, *number), entries in units.items():
            account, _ = accounts[(mall, name)]
            unit_rows = list({id(r): r for r, _, _ in entries}.values())
            numbers = {(c, t) for _, c, t in entries}
            if len(numbers) > 1:
                for row in unit_rows:
                    self.outcomes.of(sheet, row).add(account.label, FAILURE, f"같은 묶음배송({unit})에 송장번호가 여러 개입니다. 한 묶음은 송장 하나로 보내세요")
                continue
            (courier_code, tracking), = numbers
            lines = self.store.records.orders(mall, name, [unit])
            if (mall, name, unit, *number) in named:  # a mall that splits lines: the invoice ships the lines the rows name
                lines = _shippable(list({l.line_id: l for l in named[(mall, name, unit, *number)]}.values()), tracking)
            shipped_on = next((r.get("shipped_on") for r in unit_rows if r.has("shipped_on")), None)
            invoice = Invoice(unit, tuple(l.line_id for l in lines), lines[0].order_id if lines else "", courier_code, tracking, shipped_on)
            per_account[(mall, name)].append((unit_rows, invoice, lines))
        for key, items in per_account.items():
            self._invoices_for_account(sheet, *accounts[key], items, sha)

    def _holds(self, account: Account, adapter: Connector, lines: Sequence[OrderLine]) -> dict[str, str]:
        """Line id → why the mall holds it from shipping. Where a mall holds orders (it declares 보류해제) the lines are
        read again right before sending, so a hold put on since the last collection never ships to the old address."""
        if Capability.ORDERS_RELEASE in adapter.spec.capabilities and adapter.spec.hooks.lookup_orders and lines:
            fresh = adapter.lookup_orders(list(dict.fromkeys(l.ship_unit for l in lines)))
            self.store.records.upsert(fresh, "push")
            lines = [*fresh, *lines]  # what the mall says now comes first
        holds: dict[str, str] = {}
        for line in lines:
            holds.setdefault(line.line_id, line.hold if order_state(line) is State.HELD else "")
        return {line_id: why for line_id, why in holds.items() if why}

    def _pending_cancels(self, account: Account, adapter: Connector, lines: Sequence[OrderLine]) -> set[str]:
        """Collect claims again right before sending (seed 001: 취소요청 lines must not ship, nor be confirmed)."""
        if Capability.CLAIMS_COLLECT in adapter.spec.capabilities:
            now = now_kst()
            paid = [l.paid_at or l.ordered_at for l in lines if (l.paid_at or l.ordered_at)]
            since = min([*paid, now - CLAIM_LOOKBACK]) - timedelta(hours=1)
            claims = list(adapter.claims(since, now))
            self.store.records.upsert(claims, "push")
        else:  # a mall whose claims arrive as downloads (a file mall): the last one dropped says it
            claims = [c for c, _, _ in self.store.records.all(Claim, "claims", raw=False)
                      if (c.mall, c.account) == (account.mall, account.name)]
        blocked = set()
        for claim in claims:
            if claim.blocks_shipping:
                blocked.add(claim.ship_unit)
                blocked.update(claim.line_ids)
        return blocked

    def _invoices_for_account(self, sheet: str, account: Account, adapter: Connector,
                              items: list[tuple[list[Row], Invoice, list[OrderLine]]], sha: str) -> None:
        label = account.label
        try:
            blocked = self._pending_cancels(account, adapter, [l for _, _, lines in items for l in lines])
            held = self._holds(account, adapter, [l for _, _, lines in items for l in lines])
        except AuthError as exc:
            self.session.failed_auth[(account.mall, account.name)] = exc.message_ko
            for unit_rows, _, _ in items:
                self._note(sheet, unit_rows, label, FAILURE, f"인증 실패: {exc.message_ko}")
            return
        except RemoteError as exc:
            for unit_rows, _, _ in items:
                self._note(sheet, unit_rows, label, HOLD, f"클레임을 확인하지 못해 보내지 않았습니다: {exc.message_ko}")
            return
        confirms: dict[str, Task] = {}
        sends: list[Task] = []
        updates: list[Task] = []
        journal = self.store.journal
        for unit_rows, invoice, lines in items:
            row, others = unit_rows[0], unit_rows[1:]
            if invoice.ship_unit in blocked or any(l.line_id in blocked for l in lines):
                self._note(sheet, unit_rows, label, HOLD, "취소요청이 들어와 송장을 보내지 않았습니다. 쇼핑몰에서 취소를 처리하세요")
                continue
            holds = [held[l.line_id] for l in lines if l.line_id in held]
            if holds:
                self._note(sheet, unit_rows, label, HOLD, f"쇼핑몰이 배송을 보류한 주문이라 송장을 보내지 않았습니다 (사유: "
                           f"{', '.join(dict.fromkeys(holds))}). 바뀐 배송지를 확인하고 처리 '{RELEASE}'로 보류를 푼 뒤, "
                           "보류해제 후 다시 넣으세요")
                continue
            if all(l.status is OrderStatus.CANCELED for l in lines):
                self._note(sheet, unit_rows, label, FAILURE, "취소된 주문입니다")
                continue
            payload = invoice_payload(invoice)
            shipped = [l for l in lines if l.status in (OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.DECIDED)]
            same = [l for l in lines if l.tracking_no.replace("-", "") == invoice.tracking_no]
            if (shipped and any(l in same for l in shipped)) or (not invoice.quantity and lines and len(same) == len(lines)):
                # (the 주문 workbook shows a 배송대기 part with the invoice it already carries)
                self._note(sheet, unit_rows, label, SKIP, f"{ALREADY} (쇼핑몰에 같은 송장번호가 있습니다)")
                continue
            if invoice.quantity:  # a part of a 상품준비 line: its own shipment, never a change of another one's invoice
                command = Command.new(account.mall, account.name, "invoice.send", invoice.ship_unit, payload, sha, row.excel_row)
                sends.append(Task(sheet, row, account, command, invoice, others))
                continue
            previous = journal.last_done(account.mall, account.name, "invoice.send", invoice.ship_unit)
            changed = shipped or (previous is not None and not previous.payload.get("quantity")
                                  and previous.payload.get("tracking_no") != invoice.tracking_no)
            if changed:
                if Capability.INVOICES_UPDATE not in adapter.spec.capabilities:
                    self._note(sheet, unit_rows, label, FAILURE, "이미 발송된 주문이고 이 쇼핑몰은 송장 수정을 지원하지 않습니다")
                    continue
                command = Command.new(account.mall, account.name, "invoice.update", invoice.ship_unit, payload, sha, row.excel_row)
                updates.append(Task(sheet, row, account, command, invoice, others))
                continue
            if adapter.spec.confirm_before_invoice and any(l.status is OrderStatus.PAID for l in lines) \
                    and Capability.ORDERS_CONFIRM in adapter.spec.capabilities and invoice.ship_unit not in confirms:
                command = Command.new(account.mall, account.name, "order.confirm", invoice.ship_unit, {}, sha, row.excel_row)
                confirms[invoice.ship_unit] = Task(sheet, row, account, command, invoice.ship_unit)
            command = Command.new(account.mall, account.name, "invoice.send", invoice.ship_unit, payload, sha, row.excel_row)
            sends.append(Task(sheet, row, account, command, invoice, others))
        confirmed = self._run("order.confirm", list(confirms.values()))
        failed_units: dict[str, Outcome] = {}
        for task in confirms.values():
            outcome = confirmed[task.command.idem_key]
            if outcome.state != DONE:
                failed_units[task.command.target] = outcome
        ready = []
        for task in sends:
            failed = failed_units.get(task.command.target)
            if failed is not None:
                self._note(task.sheet, task.rows, label, FAILURE, f"발주확인 실패: {failed.message}", failed.retry)
            else:
                ready.append(task)
        self._run("invoice.send", ready, self._simple_done)
        self._run("invoice.update", updates, self._simple_done)

    def _simple_done(self, task: Task, outcome: Outcome) -> None:
        status, message = self._status(outcome)
        self._note(task.sheet, task.rows, task.account.label, status, message, outcome.retry)

    def _note(self, sheet: str, rows: Sequence[Row], label: str, status: str, message: str, transient: bool = False) -> None:
        for row in rows:
            self.outcomes.of(sheet, row).add(label, status, message, transient)

    # --- answers ----------------------------------------------------------------------
    def push_answers(self, sheet: str, rows: list[Row], sha: str) -> None:
        tasks = []
        for row in rows:
            resolved = self._account(sheet, row, Capability.INQUIRIES_ANSWER)
            if resolved is None:
                continue
            account, adapter = resolved
            outcome = self.outcomes.of(sheet, row)
            text = str(row.get("answer", "")) or self._from_template(sheet, row, account)
            if not text:
                continue
            limits, unit = adapter.spec.answer_length, "바이트" if adapter.spec.answer_bytes else "자"
            size = len(text.encode("utf-8")) if adapter.spec.answer_bytes else len(text)
            if limits and not limits[0] <= size <= limits[1]:
                outcome.add(account.label, FAILURE, f"{account.label} 답변은 {limits[0]}~{limits[1]}{unit}여야 합니다 (현재 {size}{unit})")
                continue
            close = row.get("action") == "답변후종료"
            answer = Answer(str(row.get("inquiry_id")), text, close)
            command = Command.new(account.mall, account.name, "inquiry.answer", answer.inquiry_id, {"text": text, "close": close}, sha, row.excel_row)
            tasks.append(Task(sheet, row, account, command, answer))
        self._run("inquiry.answer", tasks, self._simple_done)

    def _from_template(self, sheet: str, row: Row, account: Account) -> str:
        """The row's 템플릿 filled for its stored inquiry (Korean malls: ko); "" with the row told why not."""
        outcome, name = self.outcomes.of(sheet, row), str(row.get("template"))
        inquiry = self.store.records.inquiry(account.mall, account.name, str(row.get("inquiry_id")))
        if inquiry is None:
            outcome.add(account.label, FAILURE, f"문의 {row.get('inquiry_id')}을(를) 찾을 수 없어 템플릿 '{name}'을(를) 채울 수 없습니다. "
                                                "먼저 'mallbatch collect' 로 문의를 수집하세요")
            return ""
        try:
            return self.templates.render(name, "", INQUIRY_FALLBACK, inquiry_context(self.store, inquiry)).text
        except TemplateProblem as exc:
            outcome.add(account.label, ERROR, f"템플릿 칸: {exc.message_ko}")
            return ""

    # --- claims -----------------------------------------------------------------------
    def push_claims(self, sheet: str, rows: list[Row], sha: str) -> None:
        """클레임처리 rows: each checked against its collected claim and its mall, then sent once."""
        ClaimPush(self, sheet, sha).send(rows)

    # --- support tickets --------------------------------------------------------------
    def push_tickets(self, sheet: str, rows: list[Row], sha: str) -> None:
        """티켓처리 rows: each checked against its collected ticket, its answer rendered, then sent once."""
        TicketPush(self, sheet, sha).send(rows)

    # --- whole file -------------------------------------------------------------------
    def push(self, path: Path) -> PushResult:
        checked = check_file(self.ws, self.store, path)
        save_valid(self.ws, self.store, checked)
        report = self.report = checked.report
        for sheet in report.sheets:  # first: what binding did is the first line a seller reads on the row
            if sheet.source_kind == IMPORTED.code:
                self._link_imported(sheet)
        for sheet in report.sheets:
            for row in sheet.rows:
                if row.skipped:
                    self.outcomes.of(sheet.sheet, row).add("", SKIP, row.skipped)
                elif row.status == "오류":
                    self.outcomes.of(sheet.sheet, row).add("", ERROR, "\n".join(row.texts(ISSUE_ERROR)))
        handlers = {"products": self.push_products, "stock": self.push_stock, "invoices": self.push_invoices,
                    "answers": self.push_answers, "claim_actions": self.push_claims, "ticket_actions": self.push_tickets}
        for sheet in report.sheets:
            handler = handlers.get(sheet.kind)
            rows = [r for r in sheet.rows if not r.skipped and r.status != "오류"]
            if sheet.kind == "stock" and sheet.source_kind == LISTINGS.code:
                rows = changed_rows(self, sheet.sheet, rows)  # the 판매상품 workbook dropped back
            if handler is None and parse_code(sheet.kind):
                handler = lambda name, rows, sha, sheet=sheet: receive(self, sheet, rows)  # noqa: E731 - a mall's download
            if handler and rows:
                handler(sheet.sheet, rows, checked.sha256)
            elif sheet.kind == "sales_groups" and rows:
                push_groups(self, sheet.sheet, rows, checked.sha256, report)
        return PushResult(checked, self.outcomes, self._write(checked, path))

    def _write(self, checked: Checked, path: Path) -> Path:
        report = checked.report
        sheets: list[ResultSheet] = sheets_from_report(report)
        for spec, sheet in zip(sheets, report.sheets):
            # a 가져온상품 sheet has its own 쇼핑몰상품번호 column: a second one (same header key) would be read in its place
            ids = sheet.kind == "products" and sheet.source_kind != IMPORTED.code
            if ids:
                spec.extra_headers = [MALL_IDS.header]
            for result_row, row in zip(spec.rows, sheet.rows):
                outcome = self.outcomes.get((sheet.sheet, row.excel_row))
                if outcome is None:
                    continue
                result_row.status = outcome.status
                warnings = "\n".join(f"경고 - {t}" for t in row.texts(WARNING))
                result_row.message = "\n".join(p for p in (outcome.message, warnings) if p)
                if ids:
                    result_row.extra = ["\n".join(outcome.mall_ids)]
        summary = validation_summary(report)
        summary[1] = ("처리 일시", summary[1][1])
        counts = PushResult(checked, self.outcomes, path).counts
        summary.append(("전송 결과", ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))))
        return write_result(result_path(self.ws, path, "처리결과"), sheets, summary, report.listed())


def _shippable(lines: list[OrderLine], tracking: str) -> list[OrderLine]:
    """Of the named lines of a mall that splits them, those an invoice is for: not cancelled, and not a part already
    carrying another invoice while one still has none or this one (2 of 3 went yesterday; today's is for the last 1)."""
    live = [l for l in lines if l.status is not OrderStatus.CANCELED] or lines
    return [l for l in live if l.tracking_no in ("", tracking)] or live


def push_file(ws: Workspace, store: Store, session: Session, path: Path, progress: Progress | None = None,
              automatic: bool = False) -> PushResult:
    """``automatic``: a retry nobody asked for (watch), which sends nothing the mall already refused."""
    return Pusher(ws, store, session, progress, automatic).push(path)

