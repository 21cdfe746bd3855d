"""The pipeline side of the file malls: their downloads recognised among the seller's sheets, stored as orders and
claims of the mall's account (then in the 주문/클레임 workbooks like any mall's), and an invoice written into an
upload workbook (파일로 보냄) marked 완료 once a later order download shows its tracking number on the line.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mallbatch.config import Account
from mallbatch.connectors.filemall.downloads import (
    Download,
    claim,
    download_kinds,
    fits,
    headers_found,
    layouts_tried,
    order_line,
    parse_code,
)
from mallbatch.connectors.filemall.layouts import OVERRIDE_NAME, layouts
from mallbatch.connectors.filemall.spec import FILED
from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import Claim, OrderLine
from mallbatch.errors import ConfigError
from mallbatch.pipeline.stock_moves import StockMoves
from mallbatch.sheets.columns import SheetKind
from mallbatch.sheets.issues import ERROR, Issue, Report, SheetReport
from mallbatch.sheets.layout import find_layout
from mallbatch.sheets.reader import RawBook
from mallbatch.sheets.rows import Row
from mallbatch.store import Store
from mallbatch.workspace import Workspace

if TYPE_CHECKING:
    from mallbatch.pipeline.push import Pusher

INVOICE_OPS = ("invoice.send", "invoice.update")
DONE_NOTE = "완료"


def _rank(raw_sheet: Any, kind: SheetKind) -> tuple[float, int] | None:
    """How well ``kind`` explains a sheet, as kind detection ranks it (mallbatch.sheets.layout.detect)."""
    found = find_layout(raw_sheet, kind)
    if found is None or found.score < 3:
        return None
    return found.score / (found.score + len(found.unknown)), found.score


def prepare(ws: Workspace, raw: RawBook, kinds: dict[str, SheetKind]) -> tuple[dict[str, SheetKind], list[Issue]]:
    """Every kind a dropped file may be (the seller's and the file malls' downloads), and what keeps a sheet out:
    two mall layouts that fit it equally well (the sheet is left out, named, its headers and the layouts shown)."""
    try:
        downloads = download_kinds(layouts(ws.home))
    except ConfigError as exc:
        return kinds, [Issue(ERROR, "file-mall-layout", str(exc), f"작업 폴더의 {OVERRIDE_NAME} 을(를) 고친 뒤 파일을 다시 넣으세요")]
    everything = {**kinds, **downloads}
    issues = []
    for sheet in list(raw.sheets):
        ranked = sorted(((r, k) for k in everything.values() if (r := _rank(sheet, k)) is not None), key=lambda p: p[0], reverse=True)
        tied = [k for r, k in ranked if r == ranked[0][0]] if ranked else []
        if len(tied) > 1 and all(parse_code(k.code) for k in tied):
            raw.sheets.remove(sheet)
            issues.append(Issue(ERROR, "file-mall-ambiguous",
                                f"{raw.path.name} '{sheet.name}' 시트가 어느 쇼핑몰의 다운로드인지 정할 수 없습니다: "
                                f"{', '.join(k.title for k in tied)} 양식이 똑같이 맞습니다 (머리글: {', '.join(headers_found(sheet))})",
                                f"작업 폴더의 {OVERRIDE_NAME} 에서 두 양식의 열 이름이 겹치지 않게 고치세요", sheet.name))
    return everything, issues


def explain_unknown(report: Report, raw: RawBook, kinds: dict[str, SheetKind]) -> None:
    """A file no kind fits: say which headers were found and which mall layouts were tried, per sheet."""
    if not any(i.code == "unknown-kind" for i in report.issues):
        return
    downloads = {c: k for c, k in kinds.items() if parse_code(c)}
    for sheet in raw.sheets:
        near = fits(sheet, downloads)
        report.issues.append(Issue(
            ERROR, "file-mall-unknown",
            f"{raw.path.name} '{sheet.name}' 시트의 머리글({', '.join(headers_found(sheet)) or '없음'})은 "
            f"파일 연동 쇼핑몰의 다운로드 양식과도 맞지 않습니다" + (f" (가장 가까운 양식: {near[0][0].title})" if near else ""),
            f"시도한 양식: {layouts_tried(downloads)}. 쇼핑몰 양식이 다르면 작업 폴더의 {OVERRIDE_NAME} 에 그 쇼핑몰의 "
            "열 이름을 적으세요 (README '파일 연동 쇼핑몰')", sheet.name))


def _account(pusher: Pusher, download: Download, path: Path) -> Account | str:
    """The mall's account the download belongs to: its only one, else the one the file name names."""
    accounts = pusher.ws.config.accounts_for(download.mall)
    name = download.title.split()[0]
    if not accounts:
        return f"config.toml 에 {name} 계정이 없습니다. [[accounts]] 에 mall = \"{download.mall}\" 계정을 추가하세요"
    if len(accounts) == 1:
        return accounts[0]
    named = [a for a in accounts if a.name in path.stem]
    if len(named) == 1:
        return named[0]
    return (f"{name} 계정이 여러 개입니다 ({', '.join(a.name for a in accounts)}): 파일 이름에 계정 이름을 넣어 "
            f"다시 넣으세요 (예: {name}_{accounts[0].name}_주문.xlsx)")


def confirm_invoices(store: Store, lines: Sequence[OrderLine]) -> dict[str, str]:
    """Line id → note, for each invoice written into an upload (파일로 보냄) that a download now shows on its line."""
    journal, notes = store.journal, {}
    for line in lines:
        number = line.tracking_no.replace("-", "").replace(" ", "")
        if not number:
            continue
        for op in INVOICE_OPS:
            command = journal.last_done(line.mall, line.account, op, line.ship_unit)
            if command is None or command.payload.get("tracking_no") != number:
                continue
            if command.message.startswith(FILED):
                journal.mark(command, "done", message=f"{DONE_NOTE}: 쇼핑몰 주문 다운로드에 송장번호 {number} 이(가) 보입니다 "
                                                       f"({command.message})", remote_ref=command.remote_ref)
            if command.message.startswith((FILED, DONE_NOTE)):
                notes[line.line_id] = f"송장 {DONE_NOTE}: 올린 송장번호 {number} 이(가) 쇼핑몰에 반영되었습니다"
    return notes


def receive(pusher: Pusher, sheet: SheetReport, rows: list[Row]) -> None:
    """A download's valid rows stored as that mall account's orders or claims; the 주문/클레임 workbook written."""
    from mallbatch.pipeline.collect import open_claims, write_workbooks  # collect imports the pusher's session module

    from mallbatch.pipeline.plan import FAILURE, SAVED

    download = parse_code(sheet.kind)
    assert download is not None
    report = pusher.report
    assert report is not None
    account = _account(pusher, download, report.path)
    if isinstance(account, str):
        for row in rows:
            pusher.outcomes.of(sheet.sheet, row).add("", FAILURE, account)
        return
    layout = layouts(pusher.ws.home)[download.mall]
    make = order_line if download.section == "order_download" else claim
    records: list[tuple[Row, OrderLine | Claim]] = [(row, make(layout, account.name, row.values)) for row in rows]
    was_open = open_claims(pusher.store)
    now = now_kst()
    run_id = f"{now:%Y%m%dT%H%M%S}-file-{uuid.uuid4().hex[:6]}"
    new_keys = _new(pusher.store, [r for _, r in records])
    pusher.store.records.upsert([r for _, r in records], run_id)
    moves = StockMoves(pusher.ws, pusher.store, pusher.session)  # a sale here sells out elsewhere too
    for _, record in records:
        moves.move(_key(record), record)
    moves.push()
    notes = confirm_invoices(pusher.store, [r for _, r in records if isinstance(r, OrderLine)])
    what = "orders" if download.section == "order_download" else "claims"
    workbook = write_workbooks(pusher.ws, pusher.store, run_id, now, [what], was_open=was_open)[what]
    where = f"{workbook.parent.name}/{workbook.name}"
    for row, record in records:
        key = _key(record)
        text = f"{account.label} {'주문' if what == 'orders' else '클레임'} {'신규' if key in new_keys else '갱신'} 저장 ({where})"
        outcome = pusher.outcomes.of(sheet.sheet, row)
        outcome.add("", SAVED, "\n".join(filter(None, (text, notes.get(key, "")))) + moves.told(key))


def _key(record: OrderLine | Claim) -> str:
    return record.line_id if isinstance(record, OrderLine) else record.claim_id


def _new(store: Store, records: Sequence[OrderLine | Claim]) -> set[str]:
    """Keys of the records the store does not hold yet."""
    new = set()
    for record in records:
        kind, key = ("orders" if isinstance(record, OrderLine) else "claims"), _key(record)
        if store.db.execute("SELECT 1 FROM records WHERE mall=? AND account=? AND kind=? AND key=?",
                            (record.mall, record.account, kind, key)).fetchone() is None:
            new.add(key)
    return new
