"""Blank templates generated from the kind definitions: a 안내 sheet first (what the colours
and rows mean, where the file goes), headers (required ones in red), a guide row and an
example row (shaded, italic, marked; skipped when read back unchanged), dropdowns fed from
a hidden list sheet (Excel caps inline lists at 255 characters), text format on identifier
columns, a note on every header, and a sheet per reference table (품목고시 → 항목)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from mallbatch.files import atomic_write
from mallbatch.sheets.columns import Column, GuideTable, Kind, SheetKind
from mallbatch.sheets.writer import Book
from mallbatch.sheets.xlsx import Worksheet, column_letter

LIST_SHEET = "_lists"
GUIDE_SHEET = "안내"
DATA_ROWS = 5000  # rows covered by dropdowns and formats
LINE_POINTS = 15  # one line of 11-point text
MAX_ROW_POINTS = 409  # Excel's tallest row
LEGEND = (
    "빨간 글씨 머리글은 필수 항목입니다 (검은 글씨는 선택). 머리글에 마우스를 올리면 규칙과 예가 보입니다.",
    "각 시트의 2행(회색, [안내 행])은 쓰는 법, 3행(파란색)은 예시입니다. 그대로 두면 읽지 않으니 지우지 않아도 됩니다.",
    "4행부터 입력하세요. 2·3행에 덮어써도 됩니다: 바꾼 행은 데이터로 읽고, 안내 문구가 남은 칸은 빈 칸으로 읽습니다.",
    "목록이 있는 칸은 드롭다운에서 고르세요. 시트 이름과 머리글은 바꾸지 마세요 (열 순서는 바꿔도 됩니다).",
    "다 채우면 저장하고 닫은 뒤 작업 폴더의 inbox 폴더에 넣으세요. mallbatch watch 가 켜져 있으면 바로 처리합니다",
    "(켜져 있지 않으면: mallbatch push 파일.xlsx, 검사만 하려면 mallbatch validate 파일.xlsx).",
    "결과 엑셀(결과·메시지 열, 요약 시트)은 outbox/날짜/결과 폴더에 생깁니다. 오류인 행만 고쳐 그 결과 엑셀을 다시 inbox 에 넣으면 됩니다.",
)


def header_note(col: Column, legend: bool = False) -> str:
    parts = ["빨간 머리글은 필수, 2행은 안내·3행은 예시(읽지 않음). 자세한 설명은 '안내' 시트"] if legend else []
    parts.append("(필수) " + col.help if col.required else col.help)
    if col.example:
        parts.append(f"예: {col.example}")
    if len(col.choices) > 12:
        parts.append(f"선택: 드롭다운의 {len(col.choices)}개 중 하나 (목록은 '안내' 시트)")
    elif col.choices:
        parts.append(f"선택: {', '.join(col.choices)}")
    return "\n".join(p for p in parts if p)


def write_template(path: Path, kinds: Sequence[SheetKind]) -> Path:
    """One workbook with a sheet per kind (e.g. 상품 + 판매정보)."""

    def write(tmp: Path) -> None:
        book = Book(tmp)
        tables = [t for kind in kinds for t in kind.guide_tables]
        _guide(book, kinds, tables)  # first: the sheet Excel opens on
        lists = book.workbook.add_worksheet(LIST_SHEET)
        lists.hide()
        list_columns: dict[tuple[str, ...], str] = {}
        for kind in kinds:
            _sheet(book, kind, lists, list_columns)
        for table in tables:
            _table(book, table)
        book.meta["template"] = ",".join(k.code for k in kinds)
        book.close()

    return atomic_write(path, write)


def list_range(lists: Worksheet, choices: tuple[str, ...], known: dict[tuple[str, ...], str]) -> str:
    if choices not in known:
        col = len(known)
        for row, value in enumerate(choices):
            lists.write_string(row, col, value)
        letter = column_letter(col)
        known[choices] = f"={LIST_SHEET}!${letter}$1:${letter}${len(choices)}"
    return known[choices]


def dropdown(ws: Worksheet, index: int, col: Column, last_row: int, lists: Worksheet, known: dict[tuple[str, ...], str]) -> None:
    """A dropdown of ``col``'s choices on rows 2..``last_row`` + 1 of column ``index`` (none when it has no choices)."""
    choices = col.choices or (("Y", "N") if col.kind is Kind.BOOL else ())
    if choices:
        ws.data_validation(1, index, last_row, index, {
            "validate": "list",
            "source": list_range(lists, choices, known),
            "error_type": "warning",  # synonyms (대한통운 …) stay allowed
            "error_title": col.header,
            "error_message": "목록에 없는 값입니다. 그대로 두면 mallbatch 가 비슷한 값을 찾아봅니다.",
        })


def _guide(book: Book, kinds: Sequence[SheetKind], tables: Sequence[GuideTable]) -> None:
    ws = book.sheet(GUIDE_SHEET)
    ws.set_column(0, 0, 110, book.wrap)
    book.cell(ws, 0, 0, f"{' · '.join(k.title for k in kinds)} 템플릿 사용법", book.title)
    for index, line in enumerate(LEGEND, start=2):
        book.cell(ws, index, 0, line, book.wrap)
    row = len(LEGEND) + 3
    for kind in kinds:
        book.cell(ws, row, 0, f"'{kind.title}' 시트 필수 열: {', '.join(c.header for c in kind.required_columns)}", book.header_required)
        row += 1
    for table in tables:
        book.cell(ws, row, 0, f"'{_table_name(table)}' 시트: {table.title}", book.wrap)
        row += 1


def _table_name(table: GuideTable) -> str:
    return table.headers[0]


def _table(book: Book, table: GuideTable) -> None:
    """A reference table (e.g. every 품목고시 with its fields) on a sheet of its own."""
    ws = book.sheet(f"{_table_name(table)} 항목")
    ws.set_column(0, 0, 34, book.wrap)
    ws.set_column(1, 1, 110, book.wrap)
    book.cell(ws, 0, 0, table.title, book.title)
    for col, text in enumerate(table.headers):
        book.cell(ws, 1, col, text, book.header)
    for index, (name, value) in enumerate(table.rows, start=2):
        book.cell(ws, index, 0, name, book.wrap)
        book.cell(ws, index, 1, value, book.wrap)
        ws.set_row(index, _height(value, 110))
    ws.freeze_panes(2, 1)


def _height(text: str, width: float) -> float:
    """Points for ``text`` wrapped in a column ``width`` characters wide (Hangul is two wide)."""
    lines = sum(max(1, math.ceil(sum(2 if ord(c) > 127 else 1 for c in part) / max(width - 1, 1))) for part in text.split("\n"))
    return min(MAX_ROW_POINTS, lines * LINE_POINTS)


def _sheet(book: Book, kind: SheetKind, lists: Worksheet, known: dict[tuple[str, ...], str]) -> None:
    ws = book.sheet(kind.title, kind.code)
    ws.freeze_panes(1, 1)
    guide, example = kind.guide_row, kind.example_row
    ws.set_row(1, max(_height(guide.get(c.name, ""), c.width) for c in kind.columns))  # the whole rule shows, never clipped
    ws.set_row(2, max(_height(example.get(c.name, ""), c.width) for c in kind.columns))
    for index, col in enumerate(kind.columns):
        ws.set_column(index, index, col.width, book.text if col.text_format else None)
        book.cell(ws, 0, index, col.header, book.header_required if col.required else book.header)
        ws.write_comment(0, index, header_note(col, legend=index == 0), {"x_scale": 2.5, "y_scale": 2})
        book.cell(ws, 1, index, guide.get(col.name, ""), book.guide)
        book.cell(ws, 2, index, example.get(col.name, ""), book.example)
        dropdown(ws, index, col, DATA_ROWS, lists, known)
    ws.write_comment(1, 0, "안내 행입니다. 그대로 두면 읽지 않습니다 (덮어쓰면 데이터로 읽습니다).")
    ws.write_comment(2, 0, "예시 행입니다. 그대로 두면 읽지 않습니다 (고치면 데이터로 읽습니다).")


def write_filled(path: Path, sheets: Sequence[tuple[SheetKind, Sequence[dict[str, str]]]]) -> Path:
    """A template already filled in, as a seller would save it: header row, then data rows."""

    def write(tmp: Path) -> None:
        book = Book(tmp)
        for kind, rows in sheets:
            ws = book.sheet(kind.title, kind.code)
            for index, col in enumerate(kind.columns):
                ws.set_column(index, index, col.width, book.text if col.text_format else None)
                book.cell(ws, 0, index, col.header, book.header_required if col.required else book.header)
            for number, values in enumerate(rows, start=1):
                for index, col in enumerate(kind.columns):
                    book.cell(ws, number, index, values.get(col.name, ""))
        book.close()

    return atomic_write(path, write)
