"""Result workbooks: the seller's own rows, a 결과 and 메시지 column per row, every bad
cell filled and commented, and a 요약 sheet. Validation and push write the same shape,
and the workbook is itself a valid input: fixed rows can be dropped back into inbox/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mallbatch.clock import now_kst
from mallbatch.files import atomic_write
from mallbatch.kinds.common import MESSAGE, RESULT
from mallbatch.redact import mask
from mallbatch.sheets.issues import ERROR, STATUS_ERROR, STATUS_WARNING, Issue, Report
from mallbatch.sheets.writer import Book

BAD_STATUSES = {STATUS_ERROR, "실패"}
WARN_STATUSES = {STATUS_WARNING, "보류"}
GOOD_STATUSES = {"성공"}
SUMMARY_SHEET = "요약"
MAX_COMMENTS = 1000


@dataclass
class ResultRow:
    cells: list[str]
    status: str
    message: str
    extra: list[str] = field(default_factory=list)
    marks: dict[int, Issue] = field(default_factory=dict)  # col_index → the issue on that cell


@dataclass
class ResultSheet:
    name: str
    kind: str  # kind code written to the metadata so the workbook reads back as that kind
    headers: list[str]
    text_columns: set[int]
    rows: list[ResultRow]
    extra_headers: list[str] = field(default_factory=list)


def sheets_from_report(report: Report) -> list[ResultSheet]:
    """One result sheet per validated sheet, rows in the seller's order."""
    result = []
    for sheet in report.sheets:
        rows = []
        for row in sheet.rows:
            marks: dict[int, Issue] = {}
            for issue in row.issues:
                if issue.col_index is not None and (issue.col_index not in marks or issue.severity == ERROR):
                    marks[issue.col_index] = issue
            status = "건너뜀" if row.skipped else row.status
            rows.append(ResultRow(row.cells, status, row.skipped or row.message, [], marks))
        result.append(ResultSheet(sheet.sheet, sheet.source_kind, sheet.headers, set(range(len(sheet.headers))), rows))
    return result


def write_result(path: Path, sheets: Sequence[ResultSheet], summary: Sequence[tuple[str, str]], issues: Sequence[Issue]) -> Path:
    """Write atomically; ``summary`` lines and the listed ``issues`` go to the 요약 sheet."""

    def write(tmp: Path) -> None:
        book = Book(tmp)
        _summary(book, summary, issues)
        comments = 0
        for spec in sheets:
            comments = _sheet(book, spec, comments)
        book.close()

    return atomic_write(path, write)


def _summary(book: Book, lines: Sequence[tuple[str, str]], issues: Sequence[Issue]) -> None:
    ws = book.sheet(SUMMARY_SHEET)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 60, book.wrap)
    for index, (key, value) in enumerate(lines):
        book.cell(ws, index, 0, key, book.header)
        book.cell(ws, index, 1, value, book.wrap)
    top = len(lines) + 1
    if not issues:
        return
    headers = ("구분", "위치", "값", "문제", "고치는 방법")
    for col, text in enumerate(headers):
        book.cell(ws, top, col, text, book.header)
    ws.set_column(2, 2, 24)
    ws.set_column(3, 4, 50, book.wrap)
    for offset, issue in enumerate(issues, start=1):
        fmt = book.bad if issue.severity == ERROR else book.warn
        values = ("오류" if issue.severity == ERROR else "경고", issue.where() or "파일", issue.value, issue.message, issue.fix)
        for col, value in enumerate(values):
            book.cell(ws, top + offset, col, value, fmt if col == 0 else None)
    ws.freeze_panes(top + 1, 0)


def _sheet(book: Book, spec: ResultSheet, comments: int) -> int:
    """결과/메시지 (and extras) come first, frozen, so a seller sees them without scrolling
    past forty product columns; the seller's own columns follow unchanged."""
    ws = book.sheet(spec.name, spec.kind)
    lead = [RESULT.header, MESSAGE.header, *spec.extra_headers]
    shift = len(lead)
    width = max([len(spec.headers)] + [len(r.cells) for r in spec.rows])
    for col, text in enumerate(lead):
        book.cell(ws, 0, col, text, book.header_result)
    for col, text in enumerate(list(spec.headers) + [""] * (width - len(spec.headers))):
        book.cell(ws, 0, shift + col, text, book.header)
    ws.set_column(0, 0, RESULT.width)
    ws.set_column(1, 1, MESSAGE.width, book.wrap)
    if spec.extra_headers:
        ws.set_column(2, shift - 1, 24, book.wrap)
    ws.set_column(shift, shift + width - 1, 14, book.text)
    ws.freeze_panes(1, shift)
    for number, row in enumerate(spec.rows, start=1):
        status_fmt = book.bad if row.status in BAD_STATUSES else book.warn if row.status in WARN_STATUSES else book.good if row.status in GOOD_STATUSES else None
        book.cell(ws, number, 0, row.status, status_fmt)
        book.cell(ws, number, 1, mask(row.message))  # last line: a mall's echo never reaches the sheet
        for offset, value in enumerate(row.extra):
            book.cell(ws, number, 2 + offset, value)
        for col, value in enumerate(row.cells):
            issue = row.marks.get(col)
            fmt = None if issue is None else (book.bad if issue.severity == ERROR else book.warn)
            book.cell(ws, number, shift + col, value, fmt)
            if issue is not None and comments < MAX_COMMENTS:
                ws.write_comment(number, shift + col, issue.text[:2000], {"x_scale": 2, "y_scale": 1.5})
                comments += 1
        for col in set(row.marks) - set(range(len(row.cells))):
            book.cell(ws, number, shift + col, "", book.bad)
    ws.autofilter(0, 0, max(1, len(spec.rows)), shift + width - 1)
    return comments


def validation_summary(report: Report, when: datetime | None = None) -> list[tuple[str, str]]:
    lines = [
        ("파일", report.path.name),
        ("검사 일시", (when or now_kst()).strftime("%Y-%m-%d %H:%M:%S")),
        ("종류", ", ".join(f"{s.sheet} ({s.kind})" for s in report.sheets) or "-"),
        ("행 수", f"{report.row_count:,}"),
        ("오류", f"{report.error_count:,}건 (오류가 있는 행 {report.rows_with_errors():,}개)"),
        ("경고", f"{report.warning_count:,}건"),
    ]
    if report.capped:
        lines.append(("알림", f"오류가 너무 많아 요약에는 처음 {report.max_errors:,}건만 표시했습니다. 각 행의 메시지는 모두 남아 있습니다."))
    return lines
