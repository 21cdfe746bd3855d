"""Sending the 재고·가격 sheet (and the 판매상품 workbook dropped back): per row, the seller's count
is set in the store, then every bound account (or the row's 쇼핑몰/계정) gets journaled
``listing.stock`` / ``listing.price`` / ``listing.sale`` commands.

A row's count is applied once per file and row (a local journal entry keyed by the file's
hash), so a re-dropped file never puts back stock that orders have taken since. Price and
sale commands carry the file's hash too: the same file sends nothing twice, a new file
with the same value is sent again (absolute, harmless).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ListingChange
from mallbatch.kinds.listings import LISTINGS
from mallbatch.kinds.stock import ON_SALE, SALE_STATE, SOLD_OUT, STOPPED, option_text, product_counts, stored_combinations
from mallbatch.malls import find_mall, mall_name
from mallbatch.pipeline.ops import Outcome
from mallbatch.pipeline.plan import ALREADY, FAILURE, SAVED, SKIP, SUCCESS, RowOutcome, Task
from mallbatch.pipeline.stock_push import StockTask, bound_accounts, connect, mark_synced, stock_tasks
from mallbatch.sheets.issues import WARNING, Issue
from mallbatch.sheets.rows import Row
from mallbatch.store import Store
from mallbatch.store.journal import DONE, Command
from mallbatch.store.stock import Level

if TYPE_CHECKING:
    from mallbatch.pipeline.push import Pusher

COUNT_OP = "stock.count"  # local: the seller's count from one file row was applied (never sent)
UNCHANGED = "바뀐 내용 없음"


def seeded_levels(store: Store, code: str) -> list[Level]:
    """Every level of ``code``, seeded from the stored product where mallbatch has no count yet."""
    product = store.product(code) or {}
    for option, count in product_counts(product).items():
        store.stock.seed(code, option, count)
    return store.stock.levels(code)


def row_accounts(pusher: Pusher, row: Row) -> set[tuple[str, str]] | None:
    """The row's 쇼핑몰/계정 as (mall, account) pairs; None when blank (every bound account)."""
    mall = find_mall(row.get("mall", ""))
    if mall is None:
        return None
    names = [row.get("account")] if row.has("account") else [a.name for a in pusher.ws.config.accounts if a.mall == mall.code]
    return {(mall.code, name) for name in names}


class StockSheet:
    """One sheet of 재고·가격 rows sent through ``pusher`` (its journal runner and row outcomes)."""

    def __init__(self, pusher: Pusher, sheet: str, sha: str) -> None:
        self.pusher, self.sheet, self.sha = pusher, sheet, sha
        self.store = pusher.store
        self.stock: dict[str, tuple[Task, StockTask]] = {}
        self.price: dict[str, Task] = {}
        self.sale: dict[str, Task] = {}

    def outcome(self, row: Row) -> RowOutcome:
        return self.pusher.outcomes.of(self.sheet, row)

    def send(self, rows: list[Row]) -> None:
        for row in rows:
            self.plan(row)
        self.pusher._run("listing.stock", [t for t, _ in self.stock.values()], self._stock_done)
        self.pusher._run("listing.price", list(self.price.values()), self._done("판매가"))
        self.pusher._run("listing.sale", list(self.sale.values()), self._done("판매상태"))

    def plan(self, row: Row) -> None:
        code, option = row.get("code"), option_text(row.get("option", ""))
        accounts = row_accounts(self.pusher, row)
        bindings = bound_accounts(self.store, code, accounts)
        outcome = self.outcome(row)
        counted = self._count(row, code, option)
        if not bindings:
            if row.has("mall"):
                mall = row.get("mall")
                outcome.add(mall, FAILURE, f"{mall}에 연동되지 않은 상품입니다. 상품 시트의 판매그룹에 {mall} 판매정보 그룹을 넣어 먼저 "
                            f"등록하거나, 이미 {mall}에서 판매 중이면 mallbatch import 로 연결하세요")
            elif counted is not None and not row.has("sale_price") and row.get("status") in (None, SOLD_OUT):
                outcome.add("", SAVED, "재고를 저장했습니다. 연동된 쇼핑몰이 없어 보내지 않았습니다")
            else:
                outcome.add("", FAILURE, "아직 어느 쇼핑몰에도 연동되지 않은 상품입니다. 상품 시트의 판매그룹을 채워 먼저 등록하거나, "
                            "이미 판매 중이면 mallbatch import 로 연결하세요")
            return
        if counted:
            self._plan_stock(row, counted, accounts)
        elif counted is not None:
            outcome.add("", SKIP, "재고가 저장된 것과 같아 보내지 않았습니다")
        if row.has("sale_price"):
            self._plan_listing(row, bindings, Capability.PRICE_UPDATE, "listing.price", self.price,
                               lambda b: ListingChange(code, b["product_id"], sale_price=row.get("sale_price"), extra=b["extra"]))
        if row.get("status") in (ON_SALE, STOPPED):
            on_sale = row.get("status") != STOPPED
            self._plan_listing(row, bindings, Capability.SALE_STATUS, "listing.sale", self.sale,
                               lambda b: ListingChange(code, b["product_id"], on_sale=on_sale, extra=b["extra"]))

    def _count(self, row: Row, code: str, option: str) -> list[Level] | None:
        """Apply the row's count (once per file row); the levels to send, [] when the count is what is
        stored already, None when the row sets no stock."""
        sold_out = row.get("status") == SOLD_OUT
        if not (row.has("stock") or row.has("safety") or sold_out):
            return None
        levels = {l.option: l for l in seeded_levels(self.store, code)}
        options = [option] if option or "" in levels else sorted(levels)  # 품절 of an option product: every option
        on_hand = 0 if sold_out else row.get("stock")
        safety = row.get("safety")
        journal = self.store.journal
        send = []
        for key in options:
            payload = {"code": code, "option": key, "on_hand": on_hand, "safety": safety, "source": self.sha}
            entry = journal.register(Command.new("", "", COUNT_OP, f"{code}#{key}", payload, self.sha, row.excel_row))
            level = levels.get(key)
            if entry.state == DONE:  # this file row was applied before: send what the store holds now
                send.append(level)
                continue
            if level is None or (on_hand is not None and on_hand != level.on_hand) or (safety is not None and safety != level.safety):
                send.append(self.store.stock.set(code, key, on_hand, safety))
            journal.mark(entry, DONE)
        return [l for l in send if l is not None]

    def _plan_stock(self, row: Row, levels: list[Level], accounts: set[tuple[str, str]] | None) -> None:
        outcome = self.outcome(row)
        plan = stock_tasks(self.store, self.pusher.session, levels, accounts, source_sha=self.sha, excel_row=row.excel_row)
        for refusal in plan.refusals:
            if refusal.current:
                outcome.add(refusal.label, SKIP, f"{ALREADY} (재고 {_option(refusal.option)}{refusal.message})")
            else:
                outcome.add(refusal.label, FAILURE, f"재고{_option(refusal.option, ' ')}: {refusal.message}")
        for stock_task in plan.tasks:
            key = stock_task.command.idem_key
            if key in self.stock:  # another row of this file needs the same send (an option total)
                task, known = self.stock[key]
                if row is not task.row and row not in task.others:
                    task.others.append(row)
                known.warnings.extend(w for w in stock_task.warnings if w not in known.warnings)
                continue
            self.stock[key] = (Task(self.sheet, row, stock_task.account, stock_task.command, stock_task.change), stock_task)

    def _plan_listing(self, row: Row, bindings: list[dict[str, Any]], capability: Capability, op: str,
                      into: dict[str, Task], change_of: Callable[[dict[str, Any]], ListingChange]) -> None:
        outcome = self.outcome(row)
        for binding in bindings:
            label = f"{mall_name(binding['mall'])}/{binding['account']}"
            resolved = connect(self.pusher.session, binding["mall"], binding["account"], capability)
            if isinstance(resolved, str):
                outcome.add(label, FAILURE, resolved)
                continue
            account, _ = resolved
            change = change_of(binding)
            command = Command.new(account.mall, account.name, op, change.target, change.payload() | {"source": self.sha},
                                  self.sha, row.excel_row)
            into.setdefault(command.idem_key, Task(self.sheet, row, account, command, change))

    def _stock_done(self, task: Task, outcome: Outcome) -> None:
        _, stock_task = self.stock[task.command.idem_key]
        mark_synced(self.store, stock_task, outcome)
        status, message = self.pusher._status(outcome)
        text = message if status != SUCCESS else f"재고 {task.obj.stock:,}개" + (" (상품 전체)" if len(stock_task.levels) > 1 else "")
        for row in task.rows:
            self.outcome(row).add(task.account.label, status, text if status == SUCCESS else f"재고: {text}", outcome.retry)
            if status in (SUCCESS, SKIP):
                for warning in stock_task.warnings:
                    row.issues.append(_warning(row, self.sheet, f"{task.account.label}: {warning}"))

    def _done(self, what: str) -> Callable[[Task, Outcome], None]:
        def done(task: Task, outcome: Outcome) -> None:
            status, message = self.pusher._status(outcome)
            change: ListingChange = task.obj
            shown = f"{change.sale_price:,}원" if change.sale_price is not None else ("판매" if change.on_sale else STOPPED)
            text = f"{what} {shown}" if status == SUCCESS else f"{what}: {message}"
            for row in task.rows:
                self.outcome(row).add(task.account.label, status, text, outcome.retry)
        return done


def _option(option: str, before: str = "") -> str:
    return f"{before}'{option}' " if option else ""


def _warning(row: Row, sheet: str, text: str) -> Issue:
    return Issue(WARNING, "option-total", text, "", sheet, row.excel_row)


def changed_rows(pusher: Pusher, sheet: str, rows: list[Row]) -> list[Row]:
    """판매상품 workbook rows dropped back: only what the seller changed against what the workbook
    shows now is sent; an unchanged row is 건너뜀, a changed 재고 of an option product is refused."""
    from mallbatch.pipeline.catalogue import listing_rows

    current = {(r["code"], r.get("mall"), r.get("account")): r for r in listing_rows(pusher.store)}
    kept = []
    for row in rows:
        outcome = pusher.outcomes.of(sheet, row)
        now = current.get((row.get("code"), row.get("mall"), row.get("account")))
        if now is None or not now.get("product_id"):
            outcome.add("", SKIP, "아직 이 쇼핑몰에 등록되지 않은 상품이라 보내지 않았습니다 (연동대기)")
            continue
        if SALE_STATE.choice(str(now.get("status") or "")) == row.get("status"):
            row.values["status"] = None
        for name in ("stock", "sale_price"):
            if row.get(name) == now.get(name):
                row.values[name] = None
        if row.has("stock") and stored_combinations(pusher.store.product(row.get("code")) or {}):
            outcome.add("", FAILURE, f"옵션 상품의 재고는 옵션마다 바꿉니다: {LISTINGS.title} 엑셀 옆의 재고 엑셀에서 옵션별 재고를 고쳐 넣으세요")
            continue
        if not any(row.has(n) for n in ("stock", "sale_price", "status")):
            outcome.add("", SKIP, UNCHANGED)
            continue
        kept.append(row)
    return kept
