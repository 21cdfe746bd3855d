"""``collect``: orders, claims, inquiries and support tickets from every account into dated workbooks.

Each (mall, account, kind) resumes from its watermark, reads within the mall's window
and paging limits (the adapter splits), upserts by natural key (a claim listed twice
is one row) and writes 주문/클레임/문의/티켓 workbooks. Watermarks advance only after the
workbooks are written; a small overlap re-reads the edge, which the upsert absorbs.
A (mall, account, kind) whose read failed — the mall down, or an answer that is not
the mall's (HTML page, login redirect, paging loop) — keeps its watermark and is
reported; a kind that no account could read, or that no account offers (티켓 without a Wish
account), gets no workbook at all.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from mallbatch.domain.capability import Capability
from mallbatch.connectors.registry import connected, connector_class
from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, Inquiry, OrderLine, OrderStatus, Ticket
from mallbatch.domain.clock import KST, now_kst
from mallbatch.config import Account, Config
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.errors import AuthError, ConfigError, RemoteError
from mallbatch.files import COLLECTED, outbox_dir
from mallbatch.kinds.collected import (
    CLAIMS,
    INQUIRIES,
    ORDERS,
    claim_values,
    inquiry_values,
    order_values,
)
from mallbatch.kinds.tickets import TICKETS, ticket_values
from mallbatch.malls import MALLS, find_mall, mall_name
from mallbatch.pipeline import outbox
from mallbatch.pipeline.cs_metrics import metrics, summary_lines
from mallbatch.pipeline.dispatch import Deadlines
from mallbatch.pipeline.order_actions import DONE_OUTSIDE_OP
from mallbatch.pipeline.privacy import apply_retention
from mallbatch.pipeline.progress import Meter
from mallbatch.pipeline.session import Session
from mallbatch.pipeline.stock_sync import StockReport, StockSync
from mallbatch.sheets.columns import SheetKind
from mallbatch.store import Store
from mallbatch.store.records import CLOSED_TICKETS
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.collect")
T = TypeVar("T")
OVERLAP = timedelta(minutes=10)
KINDS = {
    "orders": (Capability.ORDERS_COLLECT, "orders"),
    "claims": (Capability.CLAIMS_COLLECT, "claims"),
    "inquiries": (Capability.INQUIRIES_COLLECT, "inquiries"),
    "tickets": (Capability.TICKETS_COLLECT, "tickets"),
}
OPEN_ORDER = (OrderStatus.PAID, OrderStatus.PREPARING)
CHUNK = 1000


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class CollectResult:
    run_id: str
    counts: dict[tuple[str, str, str], tuple[int, int]] = field(default_factory=dict)  # (mall, account, kind) → (seen, new)
    errors: dict[tuple[str, str, str], str] = field(default_factory=dict)
    workbooks: dict[str, Path] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)  # kinds whose workbook of today still holds every row
    stock: StockReport = field(default_factory=StockReport)  # what the orders and claims did to stock, and where it went

    def lines_ko(self) -> list[str]:
        lines = []
        for (mall, account, kind), (seen, new) in sorted(self.counts.items()):
            lines.append(f"{mall_name(mall)}/{account} {KIND_NAMES[kind]}: {seen}건 (신규 {new}건)")
        for (mall, account, kind), message in sorted(self.errors.items()):
            lines.append(f"{mall_name(mall)}/{account} {KIND_NAMES[kind]}: 실패 - {message}")
        return lines + self.stock.lines_ko()


KIND_NAMES = {"orders": "주문", "claims": "클레임", "inquiries": "문의", "tickets": "티켓"}


def first_collect_days(config: Config) -> int:
    """How far back an account's first collection reaches (``[collect] first_days``)."""
    return config.value("collect", "first_days", int, 7) or 7


def resolve_malls(config: Config, names: Sequence[str]) -> list[str]:
    """Mall codes for ``--mall`` values (code or Korean name); each must have an adapter and an account."""
    codes = []
    for name in names:
        mall = find_mall(name)
        if mall is None:
            known = ", ".join(f"{m.code}({m.name})" for m in MALLS if m.code in connected())
            raise ConfigError(f"알 수 없는 쇼핑몰 '{name}' 입니다. 다음 중 하나를 쓰세요: {known}")
        if mall.code not in connected():
            raise ConfigError(f"{mall.name}은(는) 아직 연동하지 않는 쇼핑몰입니다. 수집할 수 없습니다.")
        if getattr(connector_class(mall.code), "transport", "api") == "file":
            raise ConfigError(f"{mall.name}은(는) 파일 연동 쇼핑몰이라 쇼핑몰에서 수집하지 않습니다. {mall.name} 판매자센터에서 "
                              "내려받은 주문·클레임 엑셀을 inbox/ 에 넣으면 읽어서 수집 엑셀에 넣습니다.")
        if not config.accounts_for(mall.code):
            raise ConfigError(f"config.toml 에 {mall.name} 계정이 없습니다. [[accounts]] 에 mall = \"{mall.code}\" 계정을 추가하세요.")
        codes.append(mall.code)
    return codes


def _unlisted(store: Store, adapter: Connector, account: Account, listed: set[str]) -> list[OrderLine]:
    """The open lines of ``account`` its order lists did not show, as the mall has them now (looked up)."""
    units = [line.ship_unit for line, _, _ in store.records.all(OrderLine, "orders", raw=False)
             if (line.mall, line.account) == (account.mall, account.name) and line.status in OPEN_ORDER
             and line.line_id not in listed]
    return adapter.lookup_orders(list(dict.fromkeys(units))) if units else []


def collect(ws: Workspace, store: Store, session: Session, *, malls: Sequence[str] = (), kinds: Sequence[str] = (),
            since: datetime | None = None, now: datetime | None = None,
            progress: Callable[[str], None] | None = None, accounts: Sequence[str] = ()) -> CollectResult:
    """``accounts``: only these account names (a job collects one mall×account×kind); empty: all."""
    now = now or now_kst()
    apply_retention(ws.config, store, now)
    outbox.prune(ws, now)
    result = CollectResult(run_id=f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}")
    malls = resolve_malls(ws.config, malls)
    first_days = first_collect_days(ws.config)
    marks: list[tuple[str, str, str, datetime]] = []
    stock = StockSync(ws, store, session)
    offered: set[str] = set()  # kinds some account asked for can collect
    was_open = open_claims(store)  # a claim this run sees closed shows once more, with how it ended
    tickets_open = open_tickets(store)
    for account in ws.config.accounts:
        if (malls and account.mall not in malls) or (accounts and account.name not in accounts):
            continue
        adapter = session.adapter(account)
        if adapter is None:
            continue
        for kind in kinds or tuple(KINDS):
            capability, method = KINDS[kind]
            key = (account.mall, account.name, kind)
            if capability not in adapter.spec.capabilities:
                continue
            offered.add(kind)
            if (account.mall, account.name) in session.failed_auth:
                result.errors[key] = session.failed_auth[(account.mall, account.name)]
                continue
            start = since or store.records.watermark(account.mall, account.name, kind) or now - timedelta(days=first_days)
            if progress:
                progress(f"{account.label} {KIND_NAMES[kind]} 수집 중 ({start:%m-%d %H:%M} 부터)")
            seen = new = 0
            listed: set[str] = set()
            meter = Meter(lambda text, done, _total, label=f"{account.label} {KIND_NAMES[kind]}": progress(f"  {label}: {done}건 받음")
                          if progress else None)
            try:  # upsert as pages arrive: memory stays flat however many orders there are
                for chunk in _chunks(getattr(adapter, method)(start - OVERLAP if not since else start, now), CHUNK):
                    new += store.records.upsert(chunk, result.run_id)
                    stock.absorb(chunk)  # the ledger moves with the page: a crash after it re-reads from the watermark
                    seen += len(chunk)
                    meter.advance(len(chunk), 0)  # the mall does not say how many will come: a count, no ETA
                    if kind == "orders":
                        listed.update(line.line_id for line in chunk)
                if kind == "orders" and adapter.spec.open_orders_only:
                    fresh = _unlisted(store, adapter, account, listed)
                    new += store.records.upsert(fresh, result.run_id)
                    stock.absorb(fresh)
            except AuthError as exc:
                session.failed_auth[(account.mall, account.name)] = exc.message_ko
                result.errors[key] = exc.message_ko
                continue
            except RemoteError as exc:
                result.errors[key] = exc.message_ko
                continue
            result.counts[key] = (seen, new)
            marks.append((account.mall, account.name, kind, now))
    # A kind no account could read gets no workbook: an empty one would say "nothing new".
    read = {kind for (_, _, kind) in result.counts}
    failed = {kind for (_, _, kind) in result.errors}
    wanted = [k for k in kinds or tuple(KINDS) if k in offered and (k in read or k not in failed)]
    result.workbooks = write_workbooks(ws, store, result.run_id, now, wanted, result.unchanged, was_open, tickets_open)
    for mall, account_name, kind, value in marks:
        store.records.set_watermark(mall, account_name, kind, value)
    result.stock = stock.push()  # what is not sent now stays unsynced and goes with the next run
    return result


def _deadline(ws: Workspace, inquiry: Inquiry, session: Session) -> datetime | None:
    account = ws.config.find_account(inquiry.mall, inquiry.account)
    adapter = session.adapter(account) if account else None
    hours = adapter.spec.answer_deadline_hours if adapter else None
    return inquiry.asked_at + timedelta(hours=hours) if hours and inquiry.asked_at else None


def write_workbooks(ws: Workspace, store: Store, run_id: str, now: datetime, kinds: Sequence[str],
                    unchanged: set[str] | None = None, was_open: frozenset[tuple[str, str, str]] = frozenset(),
                    tickets_open: frozenset[tuple[str, str, str]] = frozenset()) -> dict[str, Path]:
    """The seller's to-do lists: open orders, open claims, unanswered inquiries, open tickets (with the CS metrics in
    their 요약), plus anything changed in this run (new, or a claim in ``was_open`` / a ticket in ``tickets_open`` now
    closed: the seller sees 취소완료 after a 취소승인, 종료 after a 답변후종료).

    A kind whose rows are those of today's last workbook keeps that workbook (named in ``unchanged``)."""
    folder = outbox_dir(ws.outbox, COLLECTED, now)
    same = unchanged if unchanged is not None else set()

    def _write(kind: SheetKind, rows: list[tuple[dict[str, object], bool]], summary: Sequence[tuple[str, str]] = ()) -> Path:
        digest = outbox.fingerprint(rows)
        if not any(new for _, new in rows) and (path := outbox.unchanged(ws, kind.code, digest, folder)) is not None:
            same.add(kind.code)
            return path
        path = outbox.write_book(folder, kind, rows, now, summary)
        outbox.remember(ws, kind.code, path, digest)
        return path

    written: dict[str, Path] = {}
    claims = [c for c, _, _ in store.records.all(Claim, "claims", raw=False)]
    open_claims: dict[str, Claim] = {}
    cancelled: set[str] = set()  # lines a completed cancel covers, whatever the mall's order list still says
    for claim in claims:
        if claim.status.value in ("요청", "처리중"):
            for line_id in [*claim.line_ids, claim.ship_unit]:
                open_claims[f"{claim.mall}:{claim.account}:{line_id}"] = claim
        elif claim.kind is ClaimKind.CANCEL and claim.status is ClaimStatus.DONE:
            cancelled.update(f"{claim.mall}:{claim.account}:{line_id}" for line_id in claim.line_ids or [claim.ship_unit])
    if "orders" in kinds:
        rows = []
        # no longer to do whatever the mall's list still says: 강제완료 (shipped outside mallbatch) and a 판매취소 the
        # mall accepted (a mall may drop it from its lists unchanged: 위메프 and 11번가 lines stay 결제완료 in the store)
        done_outside = store.journal.done_targets(DONE_OUTSIDE_OP) | store.journal.done_targets("order.cancel", whole=True)
        deadlines = Deadlines(store)
        for line, first_run, updated in store.records.all(OrderLine, "orders", raw=False):
            if (line.mall, line.account, line.line_id) in done_outside:
                continue
            if {f"{line.mall}:{line.account}:{line.line_id}", f"{line.mall}:{line.account}:{line.ship_unit}"} & cancelled:
                continue  # a cancel completed at the mall (its seller centre, or the buyer's at 결제완료): nothing to ship
            if line.status in OPEN_ORDER or first_run == run_id:
                claim = open_claims.get(f"{line.mall}:{line.account}:{line.line_id}") or open_claims.get(f"{line.mall}:{line.account}:{line.ship_unit}")
                line.claim = f"{claim.kind.value}{claim.status.value}" if claim else ""
                rows.append((order_values(line, claim, deadlines.of(line)) | _collected(updated), first_run == run_id))
        written["orders"] = _write(ORDERS, rows)
    if "claims" in kinds:
        rows = [(claim_values(c, _delivered(store, c)) | _collected(updated), first == run_id)
                for c, first, updated in store.records.all(Claim, "claims", raw=False)
                if c.status.value in ("요청", "처리중") or first == run_id or (c.mall, c.account, c.claim_id) in was_open]
        written["claims"] = _write(CLAIMS, rows)
    if "inquiries" in kinds:
        session = Session(ws)
        rows = []
        for inquiry, first, updated in store.records.all(Inquiry, "inquiries", raw=False):
            if not inquiry.answered or first == run_id:
                rows.append((inquiry_values(inquiry, _deadline(ws, inquiry, session), now) | _collected(updated), first == run_id))
        session.close()
        written["inquiries"] = _write(INQUIRIES, rows)
    if "tickets" in kinds:
        # open tickets and what changed in this run (a ticket closed since shows once more, with how it ended)
        stored = [(t, first, updated) for t, first, updated in store.records.all(Ticket, "tickets", raw=False)]
        rows = [(ticket_values(t, now) | _collected(updated), first == run_id)
                for t, first, updated in stored
                if t.state not in CLOSED_TICKETS or first == run_id or (t.mall, t.account, t.ticket_id) in tickets_open]
        written["tickets"] = _write(TICKETS, rows, summary_lines(metrics([t for t, _, _ in stored], now)))
    return written


def open_claims(store: Store) -> frozenset[tuple[str, str, str]]:
    """(mall, account, claim id) of every claim still open in the store."""
    return frozenset((c.mall, c.account, c.claim_id) for c, _, _ in store.records.all(Claim, "claims", raw=False)
                     if c.status.value in ("요청", "처리중"))


def open_tickets(store: Store) -> frozenset[tuple[str, str, str]]:
    """(mall, account, ticket id) of every ticket not closed in the store."""
    return frozenset((t.mall, t.account, t.ticket_id) for t, _, _ in store.records.all(Ticket, "tickets", raw=False)
                     if t.state not in CLOSED_TICKETS)


def _delivered(store: Store, claim: Claim) -> datetime | None:
    """When the claim's line was delivered, where the mall said so (a return's window starts there)."""
    if claim.kind is not ClaimKind.RETURN:
        return None
    lines = store.records.orders(claim.mall, claim.account, claim.line_ids or [claim.ship_unit])
    return max((l.delivered_at for l in lines if l.delivered_at), default=None)


def _collected(updated_at: str) -> dict[str, object]:
    return {"collected_at": datetime.fromisoformat(updated_at).astimezone(KST)}
