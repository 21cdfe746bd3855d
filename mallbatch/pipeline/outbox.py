"""What the seller finds in ``outbox/``: one collected workbook per change, and no old days forever.

A collection that brought nothing new writes no new 주문/클레임/문의 workbook: the last one
written today still says everything (its rows' fingerprint is kept in ``state/``), and a new
file is never written over one the seller may have open. Dated folders older than
``[outbox] keep_days`` are removed at each collection.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from mallbatch.files import part_path, private_file, prune_dated, write_unique
from mallbatch.sheets.columns import SheetKind
from mallbatch.sheets.dropdowns import row_dropdowns
from mallbatch.sheets.results import SUMMARY_SHEET
from mallbatch.sheets.templates import DATA_ROWS, LIST_SHEET, dropdown
from mallbatch.sheets.writer import CELL_STYLE, Book
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.outbox")
LATEST_FILE = "outbox_latest.json"  # kind → {"path", "digest"} of the last collected workbook
DEFAULT_KEEP_DAYS = 30
VOLATILE = ("collected_at", "time_left", CELL_STYLE)  # change with every read or minute; the 기한 column stays exact


def fingerprint(rows: Iterable[tuple[dict[str, object], bool]]) -> str:
    """The rows as the seller would read them, less what changes on every read (and the 신규 mark:
    a collection with a new row always gets its own workbook)."""
    digest = hashlib.sha256()
    for values, _new in rows:
        stable = {k: v for k, v in values.items() if k not in VOLATILE}
        digest.update(json.dumps(stable, sort_keys=True, default=str, ensure_ascii=False).encode())
    return digest.hexdigest()


def _latest(ws: Workspace) -> dict[str, dict[str, str]]:
    try:
        return json.loads((ws.state / LATEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: the next workbook is simply written


def unchanged(ws: Workspace, kind: str, digest: str, folder: Path) -> Path | None:
    """Today's workbook of ``kind`` when it already holds exactly these rows, else None."""
    entry = _latest(ws).get(kind, {})
    path = Path(entry.get("path", ""))
    if entry.get("digest") == digest and path.parent == folder and path.is_file():
        return path
    return None


def remember(ws: Workspace, kind: str, path: Path, digest: str) -> None:
    latest = _latest(ws)
    latest[kind] = {"path": str(path), "digest": digest}
    target = ws.state / LATEST_FILE
    tmp = part_path(target)  # replaced, not atomic_write: this file is ours, and two workers may write it at once
    try:
        tmp.write_text(json.dumps(latest, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    private_file(target)


def keep_days(ws: Workspace) -> int:
    """``[outbox] keep_days``: how many days of dated folders stay (0: all)."""
    value = ws.config.value("outbox", "keep_days", int, DEFAULT_KEEP_DAYS)
    return max(0, DEFAULT_KEEP_DAYS if value is None else value)


def prune(ws: Workspace, now: datetime) -> list[Path]:
    removed = prune_dated(ws.outbox, keep_days(ws), now.date())
    for folder in removed:
        log.info("오래된 outbox 폴더를 지웠습니다 ([outbox] keep_days = %s): %s", keep_days(ws), folder)
    return removed


def write_book(folder: Path, kind: SheetKind, rows: list[tuple[dict[str, object], bool]], now: datetime,
               summary: Sequence[tuple[str, str]] = ()) -> Path:
    """One outbox workbook of ``kind``: header (and ``kind.frozen`` id columns) frozen, autofilter, text format on
    ids, dropdowns on ``kind.column_dropdowns`` (처리, 택배사 …) and per-row ones, cells a row styles (``CELL_STYLE``:
    a deadline close or past), and a 요약 sheet of ``summary`` lines when given; written atomically."""
    names = [c.name for c in kind.columns]

    def write(tmp: Path) -> None:
        book = Book(tmp)
        ws = book.sheet(kind.title, kind.code)
        ws.freeze_panes(1, names.index(kind.frozen) + 1 if kind.frozen else 0)
        lists, known = None, {}  # one hidden list sheet per workbook, for column and per-row dropdowns
        if kind.column_dropdowns:
            lists = book.workbook.add_worksheet(LIST_SHEET)
            lists.hide()
            for name in kind.column_dropdowns:
                dropdown(ws, names.index(name), kind.column(name), max(len(rows), DATA_ROWS), lists, known)
        for col, column in enumerate(kind.columns):
            ws.set_column(col, col, column.width, book.text if column.text_format else None)
            book.cell(ws, 0, col, column.header, book.header)
            if column.help:
                ws.write_comment(0, col, column.help)
        for number, (values, new) in enumerate(rows, start=1):
            for col, column in enumerate(kind.columns):
                styles: dict[str, str] = values.get(CELL_STYLE) or {}  # type: ignore[assignment]
                if column.name == "new":
                    book.cell(ws, number, col, "신규" if new else "", book.new if new else None)
                elif column.name in styles:
                    book.cell(ws, number, col, values.get(column.name), getattr(book, styles[column.name]))
                else:
                    book.cell(ws, number, col, values.get(column.name), book.text if column.text_format else None)
        ws.autofilter(0, 0, max(1, len(rows)), len(kind.columns) - 1)
        if summary:  # right after the seller's sheet, before the hidden list sheet
            sheet = book.sheet(SUMMARY_SHEET)
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, 1, 90, book.wrap)
            for number, (label, text) in enumerate(summary):
                book.cell(sheet, number, 0, label, book.title if not text else None)
                book.cell(sheet, number, 1, text)
        row_dropdowns(book, ws, kind, [values for values, _ in rows], lists=lists, known=known)
        book.close()

    return write_unique(folder, f"{kind.title}_{now:%Y%m%d_%H%M%S}", ".xlsx", write)
