"""Result workbooks: the seller's own rows, a 결과 and 메시지 column per row, every bad
cell filled and commented, and a 요약 sheet. Validation and push write the same shape,
and the workbook is itself a valid input: fixed rows can be dropped back into inbox/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mallbatch.domain.clock import now_kst
from mallbatch.files import write_unique
from mallbatch.sheets.result_columns import MESSAGE, RESULT
from mallbatch.redact import mask
from mallbatch.sheets.columns import header_key
from mallbatch.sheets.issues import ERROR, STATUS_ERROR, STATUS_WARNING, WARNING, Issue, Report, SheetReport
from mallbatch.sheets.layout import RESULT_HEADERS
from mallbatch.sheets.writer import Book

BAD_STATUSES = {STATUS_ERROR, "실패"}
WARN_STATUSES = {STATUS_WARNING, "보류"}
GOOD_STATUSES = {"성공"}
SUMMARY_SHEET = "요약"
MAX_COMMENTS = 1000
MAX_DATA_ROWS = 1_048_575  # Excel's 1,048,576 rows per sheet, less the header
MAX_COLUMNS = 16_384  # A … XFD
MAX_EMPTY_COLUMNS = 256  # more empty columns than this are a stray far cell's doing, not a layout
MAX_SHEET_NAME = 31


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
    """One result sheet per validated sheet, rows in the seller's order.

    A result workbook dropped back brings its own 결과/메시지/쇼핑몰 상품번호 columns: they are
    left out here, so the new result replaces them instead of adding a second set beside them.
    """
    result = []
    for sheet in report.sheets:
        stale = _stale_result_columns(sheet)
        width = max([len(sheet.headers)] + [len(r.cells) for r in sheet.rows])
        keep = [i for i in range(width) if i not in stale]
        moved = {old: new for new, old in enumerate(keep)}
        rows = []
        for row in sheet.rows:
            marks: dict[int, Issue] = {}
            for issue in row.issues:
                col = moved.get(issue.col_index) if issue.col_index is not None else None
                if col is not None and (col not in marks or issue.severity == ERROR):
                    marks[col] = issue
            status = "건너뜀" if row.skipped else row.status
            cells = [row.cells[i] for i in keep if i < len(row.cells)]
            rows.append(ResultRow(cells, status, row.skipped or row.message, [], marks))
        headers = [sheet.headers[i] for i in keep if i < len(sheet.headers)]
        result.append(ResultSheet(sheet.sheet, sheet.source_kind, headers, set(range(len(headers))), rows))
    return result


def _stale_result_columns(sheet: SheetReport) -> set[int]:
    """Columns an earlier result workbook added (not one of the kind's own columns)."""
    mapped = set(sheet.columns.values())
    return {i for i, h in enumerate(sheet.headers) if header_key(h) in RESULT_HEADERS and i not in mapped}


def write_result(path: Path, sheets: Sequence[ResultSheet], summary: Sequence[tuple[str, str]], issues: Sequence[Issue],
                 max_rows: int = MAX_DATA_ROWS) -> Path:
    """Write atomically, at ``path`` or, when another writer took it meanwhile, the next free ``_2`` name (returned);
    ``summary`` lines and the listed ``issues`` go to the 요약 sheet.

    A sheet with more than ``max_rows`` rows continues on '이름 (2)', '이름 (3)' …, each with
    the header, so Excel can open every result however many rows the input had.
    """
    notes = list(summary)
    places = {}
    for spec in sheets:
        places[id(spec)], dropped = _places(spec)
        if dropped:
            notes.append(("알림", f"'{spec.name}' 시트: 내용이 없는 열 {dropped:,}개를 빼고 썼습니다 "
                                  "(멀리 떨어진 칸의 값은 다른 열 옆으로 옮겼습니다)"))
        if len(spec.rows) > max_rows:
            parts = -(-len(spec.rows) // max_rows)
            notes.append(("알림", f"'{spec.name}' 시트: 행이 {len(spec.rows):,}개라 엑셀 한 시트의 한도({max_rows:,}행)를 넘어 "
                                  f"시트 {parts}개로 나누어 썼습니다"))

    def write(tmp: Path) -> None:
        book = Book(tmp)
        _summary(book, notes, issues)
        comments = 0
        names = {SUMMARY_SHEET.lower()}
        for spec in sheets:
            for part, start in enumerate(range(0, max(len(spec.rows), 1), max_rows), start=1):
                name = _part_name(spec.name, part, names)
                names.add(name.lower())
                comments = _sheet(book, spec, comments, name, spec.rows[start : start + max_rows], places[id(spec)])
        book.close()

    return write_unique(path.parent, path.stem, path.suffix, write)  # taken meanwhile (a push of the same file, the same second): _2


def _part_name(name: str, part: int, taken: set[str]) -> str:
    """'결과', then '결과 (2)' …: within Excel's 31 characters and not already used."""
    number = part
    while True:
        suffix = "" if number == 1 else f" ({number})"
        candidate = name[: MAX_SHEET_NAME - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
        number += 1


def _places(spec: ResultSheet) -> tuple[dict[int, int], int]:
    """Seller column → result column (after the lead columns), and how many were dropped.

    Columns stay where the seller put them, spacer columns included; only when empty
    columns are counted in hundreds (a stray value far to the right) or the sheet would
    not fit beside 결과/메시지 are the empty ones left out.
    """
    width = max([len(spec.headers)] + [len(r.cells) for r in spec.rows])
    used = {c for c, text in enumerate(spec.headers) if text}
    for row in spec.rows:
        used.update(c for c, value in enumerate(row.cells) if value)
        used.update(row.marks)
    width = max(width, max(used, default=-1) + 1)
    lead = 2 + len(spec.extra_headers)
    if lead + width <= MAX_COLUMNS and width - len(used) <= MAX_EMPTY_COLUMNS:
        return {c: c for c in range(width)}, 0
    return {c: n for n, c in enumerate(sorted(used))}, width - len(used)


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
    ws.set_column(2, 2, 24)
    ws.set_column(3, 4, 50, book.wrap)
    # Errors and warnings in tables of their own: what stops a row first, what is only worth a look after.
    for severity, title, fix_header, fmt in ((ERROR, STATUS_ERROR, "고치는 방법", book.bad), (WARNING, STATUS_WARNING, "참고", book.warn)):
        group = [i for i in issues if i.severity == severity]
        if not group:
            continue
        book.cell(ws, top, 0, f"{title} {len(group):,}건", fmt)
        for col, text in enumerate(("구분", "위치", "값", "문제", fix_header)):
            book.cell(ws, top + 1, col, text, book.header)
        for offset, issue in enumerate(group, start=2):
            values = (title, issue.where() or "파일", issue.value, issue.message, issue.fix)
            for col, value in enumerate(values):
                book.cell(ws, top + offset, col, value, fmt if col == 0 else None)
        top += len(group) + 3
    ws.freeze_panes(len(lines) + 3, 0)


def _sheet(book: Book, spec: ResultSheet, comments: int, name: str, rows: Sequence[ResultRow], places: dict[int, int]) -> int:
    """결과/메시지 (and extras) come first, frozen, so a seller sees them without scrolling
    past forty product columns; the seller's own columns follow unchanged."""
    ws = book.sheet(name, spec.kind)
    lead = [RESULT.header, MESSAGE.header, *spec.extra_headers]
    shift = len(lead)
    width = len(places)
    for col, text in enumerate(lead):
        book.cell(ws, 0, col, text, book.header_result)
    for col, place in places.items():
        book.cell(ws, 0, shift + place, spec.headers[col] if col < len(spec.headers) else "", book.header)
    ws.set_column(0, 0, RESULT.width)
    ws.set_column(1, 1, MESSAGE.width, book.wrap)
    if spec.extra_headers:
        ws.set_column(2, shift - 1, 24, book.wrap)
    ws.set_column(shift, shift + width - 1, 14, book.text)
    ws.freeze_panes(1, shift)
    for number, row in enumerate(rows, start=1):
        status_fmt = book.bad if row.status in BAD_STATUSES else book.warn if row.status in WARN_STATUSES else book.good if row.status in GOOD_STATUSES else None
        book.cell(ws, number, 0, row.status, status_fmt)
        book.cell(ws, number, 1, mask(row.message))  # last line: a mall's echo never reaches the sheet
        for offset, value in enumerate(row.extra):
            book.cell(ws, number, 2 + offset, value)
        for col, value in enumerate(row.cells):
            issue = row.marks.get(col)
            if not value and issue is None:
                continue
            fmt = None if issue is None else (book.bad if issue.severity == ERROR else book.warn)
            book.cell(ws, number, shift + places[col], value, fmt)
            if issue is not None and comments < MAX_COMMENTS:
                ws.write_comment(number, shift + places[col], issue.text[:2000], {"x_scale": 2, "y_scale": 1.5})
                comments += 1
        for col in set(row.marks) - set(range(len(row.cells))):
            book.cell(ws, number, shift + places[col], "", book.bad)
    ws.autofilter(0, 0, max(1, len(rows)), shift + max(width, 1) - 1)
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
