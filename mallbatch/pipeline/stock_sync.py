"""Stock synced after every collection: orders and claims move the seller's own stock, and the
new available quantity goes to every mall the product is on before the next collection.

As each page of orders and claims is stored (:func:`~mallbatch.pipeline.collect.collect`),
:meth:`StockSync.absorb` applies it to the ledger (``store.stock``): an order line of a tracked
자체상품코드 (and option) paid after the seller's count decrements once; an approved cancel or
a completed return (or the line itself now 취소/반품) restores once. The ledger is keyed by the
mall's line id, so a re-collection counts nothing twice.

:meth:`StockSync.push` then sends every level an account was not sent yet (revision > the one it
was last sent) to every account the product is bound on that can set stock — the mall it sold
on too, since the mall's own decrement ignores 안전재고 — as journaled ``listing.stock``
commands. A crash between the decrement and the push leaves the level unsynced, so the next
run sends it; a crash mid-call leaves the command in flight, read back before it is resent.

Config: ``[stock] sync = false`` turns it off for the workspace, ``[stock] off = ["코드", …]``
for products (neither counted nor sent).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mallbatch.config import Config
from mallbatch.connectors.registry import connector_class
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import now_kst, to_kst
from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, Inquiry, OrderLine, OrderStatus
from mallbatch.errors import AuthError
from mallbatch.kinds.products import combinations
from mallbatch.kinds.stock import product_counts
from mallbatch.malls import mall_name
from mallbatch.pipeline.ops import OPS, Outcome, execute
from mallbatch.pipeline.option_match import match_option
from mallbatch.pipeline.session import Session
from mallbatch.pipeline.stock_push import STOCK_OP, mark_synced, stock_tasks
from mallbatch.sheets.rows import Row
from mallbatch.store import Store
from mallbatch.store.journal import DONE, UNKNOWN
from mallbatch.store.stock import RESTORED, SOLD, Level, option_key
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.stock")
GONE = (OrderStatus.CANCELED, OrderStatus.RETURNED)
RESTORING = (ClaimKind.CANCEL, ClaimKind.RETURN)
SHOWN = 20  # changes listed one by one in the run's output; the rest are counted


def sync_enabled(config: Config) -> bool:
    """``[stock] sync`` (default true)."""
    return bool(config.value("stock", "sync", bool, True))


def off_codes(config: Config) -> frozenset[str]:
    """``[stock] off``: 자체상품코드 whose stock the seller keeps by hand (neither counted nor sent)."""
    return frozenset(str(code).strip() for code in config.value("stock", "off", list, []) or [])


@dataclass
class Sent:
    """What one account was sent for one level."""

    label: str
    ok: bool
    message: str = ""


@dataclass
class StockReport:
    """One collection's stock work, for ``CollectResult.lines_ko`` and the CLI."""

    moved: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (code, option) → (before, after) available
    sent: dict[tuple[str, str], list[Sent]] = field(default_factory=lambda: defaultdict(list))
    warnings: list[str] = field(default_factory=list)

    def lines_ko(self) -> list[str]:
        lines = []
        keys = sorted(self.moved.keys() | self.sent.keys())
        for code, option in keys[:SHOWN]:
            name = f"{code} {option}".strip()
            before, after = self.moved.get((code, option), (None, None))
            change = f"{before}→{after}" if before is not None else "이전 수집분"
            sent = self.sent.get((code, option), [])
            done = "·".join(s.label for s in sent if s.ok)
            parts = [f"재고 연동: {name} {change}"]
            if done:
                parts.append(f"{done} 반영")
            parts += [f"{s.label} 실패 - {s.message}" for s in sent if not s.ok]
            if not sent:
                parts.append("연결된 쇼핑몰 없음")
            lines.append(", ".join(parts))
        if len(keys) > SHOWN:
            failed = sum(1 for k in keys if any(not s.ok for s in self.sent.get(k, [])))
            lines.append(f"재고 연동: 그 밖에 {len(keys) - SHOWN:,}개 옵션 (전체 {len(keys):,}개 중 실패 {failed:,}개)")
        lines += [f"재고 연동 경고: {w}" for w in self.warnings]
        return lines


class StockSync:
    """The stock work of one collection: :meth:`absorb` pages as they are stored, then :meth:`push`."""

    def __init__(self, ws: Workspace, store: Store, session: Session) -> None:
        self.ws, self.store, self.session = ws, store, session
        self.enabled = sync_enabled(ws.config)
        self.off = off_codes(ws.config)
        self.report = StockReport()
        self._options: dict[str, dict[str, tuple[str, ...]]] = {}  # code → option key → values
        self._codes: dict[tuple[str, str], dict[str, str]] = {}  # (mall, account) → mall product id → code

    # --- the ledger -------------------------------------------------------------------
    def absorb(self, records: Iterable[OrderLine | Claim | Inquiry]) -> None:
        if not self.enabled:
            return
        for record in records:
            if isinstance(record, OrderLine):
                self._line(record)
            elif isinstance(record, Claim) and record.kind in RESTORING and record.status is ClaimStatus.DONE:
                self._claim(record)

    def _line(self, line: OrderLine) -> None:
        stock = self.store.stock
        if self._splits(line.mall):
            self._family(line)
            return
        if line.status in GONE:  # cancelled or returned in full: give back what was counted
            self._restore(line.mall, line.account, line.line_id, None)
            return
        if not stock.counted(line.mall, line.account, line.line_id):
            self._sell(line, line.quantity)

    def _sell(self, line: OrderLine, quantity: int) -> None:
        found = self._option_of(line)
        if found is None:
            return
        level = self.store.stock.level(*found)
        assert level is not None
        if _after_count(line, level):  # an order paid before the seller's count is in that count
            self._note(level, self.store.stock.sold(line.mall, line.account, line.line_id, level.code, level.option, quantity))

    def _splits(self, mall: str) -> bool:
        cls = connector_class(mall)
        return bool(cls is not None and cls.spec.split_quantity)

    def _family(self, line: OrderLine) -> None:
        """A mall that splits lines (아임웹, seed 003) gives a part shipped or cancelled a line of its own and leaves the
        rest on the line, so the ledger follows the quantities of the order's lines of one product and option: what
        they still hold active stays sold, anything more is newly sold (on a line not counted yet), anything less
        comes back — whatever the split's line ids, and never twice (a part given back when the seller cancelled it
        is already off what is out)."""
        stock = self.store.stock
        family = {l.line_id: l for l in self.store.records.orders(line.mall, line.account, [line.order_id])
                  if (l.product_id, l.option_name) == (line.product_id, line.option_name)}
        family[line.line_id] = line  # as absorbed now
        sold = {l.line_id: stock.sold_quantity(l.mall, l.account, l.line_id) for l in family.values()}
        counted = {i: s[2] - stock.restored_quantity(line.mall, line.account, i) for i, s in sold.items() if s is not None}
        active = sum(l.quantity for l in family.values() if l.status not in GONE)
        out = sum(counted.values())
        if active > out and line.line_id not in counted and line.status not in GONE:
            self._sell(line, min(line.quantity, active - out))
        elif active < out:
            back, restored = out - active, sum(sold[i][2] for i in counted) - out  # type: ignore[index]
            for line_id, left in counted.items():
                part = min(back, left)
                if part > 0:
                    self._restore(line.mall, line.account, line_id, part, f"split:{restored}")
                    back, restored = back - part, restored + part

    def _claim(self, claim: Claim) -> None:
        stock = self.store.stock
        ids = claim.line_ids or [l.line_id for l in self.store.records.orders(claim.mall, claim.account, [claim.ship_unit])]
        left = claim.quantity if claim.quantity > 0 else None  # a partial cancel gives back only its quantity
        for line_id in ids:
            sold = stock.sold_quantity(claim.mall, claim.account, line_id)
            if sold is None:
                continue
            back = sold[2] if left is None else min(sold[2], left)
            if back <= 0:
                break
            self._restore(claim.mall, claim.account, line_id, back)
            left = None if left is None else left - back

    def restore_part(self, line: OrderLine, quantity: int, part: str) -> None:
        """``quantity`` of the line cancelled by the seller (a partial 판매취소), given back once under ``part``."""
        if self.enabled:
            self._restore(line.mall, line.account, line.line_id, quantity, part)

    def _restore(self, mall: str, account: str, line_id: str, quantity: int | None, part: str = "") -> None:
        sold = self.store.stock.sold_quantity(mall, account, line_id)
        before = self.store.stock.level(sold[0], sold[1]) if sold else None
        if before is not None:
            self._note(before, self.store.stock.restored(mall, account, line_id, quantity, part))

    def _note(self, before: Level, after: Level | None) -> None:
        """Remember the level's available before this run first moved it, and after."""
        if after is None:
            return
        key = (after.code, after.option)
        start = self.report.moved[key][0] if key in self.report.moved else before.available
        self.report.moved[key] = (start, after.available)

    # --- which stock an order line is ---------------------------------------------------
    def _option_of(self, line: OrderLine) -> tuple[str, str] | None:
        """(code, option key) of a tracked level, or None (not tracked, or an option text no combination fits: 경고)."""
        code = self._code_of(line)
        if code is None:
            return None
        options = self._combinations(code)
        if "" in options and len(options) == 1:
            return code, ""
        values = match_option(line.option_name, list(options.values()))
        if values is None:
            self.report.warnings.append(
                f"{mall_name(line.mall)}/{line.account} 주문 {line.order_id} (주문상품 {line.line_id})의 옵션 "
                f"'{line.option_name}' 이(가) 상품 {code} 의 옵션 중 하나와 맞지 않아 재고를 빼지 않았습니다. "
                "상품 시트의 옵션값과 쇼핑몰의 옵션이 같은지 확인하고, 재고·가격 시트로 이 상품의 재고를 다시 맞추세요")
            return None
        return code, option_key(values)

    def _code_of(self, line: OrderLine) -> str | None:
        for code in (line.seller_code.strip(), self._bound_code(line.mall, line.account, line.product_id)):
            if code and code not in self.off and self._combinations(code):
                return code
        return None

    def _bound_code(self, mall: str, account: str, product_id: str) -> str:
        """The 자체상품코드 bound to this mall product id (or to one of the binding's secondary ids)."""
        if (mall, account) not in self._codes:
            ids: dict[str, str] = {}
            for code, binding in self.store.journal.bindings_on(mall, account).items():
                ids[str(binding["product_id"])] = code
                for value in binding["extra"].values():
                    if isinstance(value, (str, int)) and not isinstance(value, bool):
                        ids.setdefault(str(value), code)
            self._codes[(mall, account)] = ids
        return self._codes[(mall, account)].get(str(product_id), "")

    def _combinations(self, code: str) -> dict[str, tuple[str, ...]]:
        """Tracked option key → its values ({"": ()} for a product without options); {} when untracked."""
        if code not in self._options:
            keys = [level.option for level in self.store.stock.levels(code)]
            product = self.store.product(code)
            known = {option_key(c): c for c in combinations(Row(0, [], product))} if product and product.get("option_use") else {}
            self._options[code] = {k: known.get(k) or (tuple(k.split("/")) if k else ()) for k in keys}
        return self._options[code]

    # --- the push -----------------------------------------------------------------------
    def push(self) -> StockReport:
        """Send every level each stock-capable account was not sent yet; mark what the mall took."""
        if not self.enabled:
            return self.report
        shared = Counter(a.mall for a in self.ws.config.accounts)
        for account in self.ws.config.accounts:
            key = (account.mall, account.name)
            adapter = self.session.adapter(account) if key not in self.session.failed_auth else None
            if adapter is None or Capability.STOCK_UPDATE not in adapter.spec.capabilities:
                continue
            levels = [level for level in self.store.stock.unsynced(*key) if level.code not in self.off]
            plan = stock_tasks(self.store, self.session, levels, [key])
            if not plan.tasks:
                continue
            label = account.label if shared[account.mall] > 1 else mall_name(account.mall)
            outcomes: dict[str, Outcome] = {}
            try:
                execute(self.store.journal, adapter, OPS[STOCK_OP], [(t.command, t.change) for t in plan.tasks], outcomes)
            except AuthError as exc:  # the rest of this account waits for the next run (still unsynced)
                self.session.failed_auth[key] = exc.message_ko
            for task in plan.tasks:
                outcome = outcomes.get(task.command.idem_key) or Outcome(UNKNOWN, "인증 실패로 보내지 않았습니다")
                mark_synced(self.store, task, outcome)
                message = outcome.message or "쇼핑몰이 받지 않았습니다 (다음 수집 때 다시 보냅니다)"
                for level in task.levels:
                    self.report.sent[(level.code, level.option)].append(Sent(label, outcome.state == DONE, message))
                sold_out = [level.option for level in task.levels if level.option and not level.available]
                if sold_out and not task.change.option:  # sent as the product's total: the option still sells there
                    self.report.warnings.append(
                        f"{account.label}: 옵션별 재고를 바꿀 수 없는 쇼핑몰이라 {task.change.seller_code} 의 재고를 옵션 합계 "
                        f"{task.change.stock}개로 보냈습니다. 품절된 옵션 {', '.join(sold_out)} 은(는) 판매자센터에서 직접 품절로 바꾸세요")
        return self.report


def seed_from_products(store: Store, products: Sequence[dict[str, Any]]) -> int:
    """The 상품 sheet's 재고수량 / 옵션재고 as the seller's count, only where mallbatch has none yet,
    so a seller who never used the 재고·가격 sheet still gets stock sync; returns how many were seeded."""
    # 구매자입력형 (the buyer types a text) has one stock for the product, like no options
    return store.stock.seed_many([(p["code"], option, n) for p in products for option, n in product_counts(p).items()])


def stock_today(store: Store, now: datetime | None = None) -> list[str]:
    """상태: what orders and claims did to stock today and whether each bound mall has it yet (Korean)."""
    start = (now or now_kst()).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC).isoformat(timespec="milliseconds")
    rows = store.db.execute("SELECT code, option, event, COUNT(*) AS n, SUM(quantity) AS q FROM stock_ledger WHERE at >= ? "
                            "GROUP BY code, option, event ORDER BY code, option", (start,)).fetchall()
    if not rows:
        return []
    moved: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in rows:
        moved[(row["code"], row["option"])][row["event"]] = row["q"]
    sold = sum(r["q"] for r in rows if r["event"] == SOLD)
    back = sum(r["q"] for r in rows if r["event"] == RESTORED)
    lines = [f"오늘 판매로 뺀 재고 {sold:,}개, 취소·반품으로 되돌린 재고 {back:,}개 ({len(moved):,}개 옵션)"]
    for (code, option), events in list(moved.items())[:SHOWN]:
        level = store.stock.level(code, option)
        if level is None:
            continue
        done, waiting = [], []
        for binding in store.journal.bindings_for(code):
            cls = connector_class(binding["mall"])
            if cls is None or Capability.STOCK_UPDATE not in cls.spec.capabilities:
                continue
            sent = store.stock.last_synced(binding["mall"], binding["account"], code, option)
            (done if sent and sent[0] >= level.revision else waiting).append(mall_name(binding["mall"]))
        where = ", ".join(p for p in (f"{'·'.join(done)} 반영" if done else "", f"{'·'.join(waiting)} 보낼 예정" if waiting else "") if p)
        change = ", ".join(f"{label} {events[e]}개" for e, label in ((SOLD, "판매"), (RESTORED, "취소·반품")) if e in events)
        lines.append(f"{f'{code} {option}'.strip()}: {change} → 지금 {level.available}개" + (f" ({where})" if where else ""))
    if len(moved) > SHOWN:
        lines.append(f"그 밖에 {len(moved) - SHOWN:,}개 옵션")
    return lines


def _after_count(line: OrderLine, level: Level) -> bool:
    """Paid (or ordered) after the seller's count; a line without either time counts (oversell is worse)."""
    when = line.paid_at or line.ordered_at
    return when is None or to_kst(when) >= to_kst(datetime.fromisoformat(level.counted_at))

