"""Blank templates generated from the kind definitions: headers (required ones in red),
a guide row and an example row (both recognised and skipped when read back unchanged),
dropdowns fed from a hidden list sheet (Excel caps inline lists at 255 characters),
text format on identifier columns, and a note on every header."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mallbatch.files import atomic_write
from mallbatch.sheets.columns import Column, Kind, SheetKind
from mallbatch.sheets.writer import Book
from mallbatch.sheets.xlsx import Worksheet, column_letter

LIST_SHEET = "_lists"
DATA_ROWS = 5000  # rows covered by dropdowns and formats


def header_note(col: Column) -> str:
    parts = ["(필수) " + col.help if col.required else col.help]
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
        lists = book.workbook.add_worksheet(LIST_SHEET)
        lists.hide()
        list_columns: dict[tuple[str, ...], str] = {}
        for kind in kinds:
            _sheet(book, kind, lists, list_columns)
        book.meta["template"] = ",".join(k.code for k in kinds)
        book.close()

    return atomic_write(path, write)


def _list_range(lists: Worksheet, choices: tuple[str, ...], known: dict[tuple[str, ...], str]) -> str:
    if choices not in known:
        col = len(known)
        for row, value in enumerate(choices):
            lists.write_string(row, col, value)
        letter = column_letter(col)
        known[choices] = f"={LIST_SHEET}!${letter}$1:${letter}${len(choices)}"
    return known[choices]


def _sheet(book: Book, kind: SheetKind, lists: Worksheet, known: dict[tuple[str, ...], str]) -> None:
    ws = book.sheet(kind.title, kind.code)
    ws.freeze_panes(1, 1)
    ws.set_row(1, 60)
    example = kind.example_rows[0] if kind.example_rows else {}
    for index, col in enumerate(kind.columns):
        ws.set_column(index, index, col.width, book.text if col.text_format else None)
        book.cell(ws, 0, index, col.header, book.header_required if col.required else book.header)
        ws.write_comment(0, index, header_note(col), {"x_scale": 2.5, "y_scale": 2})
        book.cell(ws, 1, index, col.help, book.guide)
        book.cell(ws, 2, index, example.get(col.name, ""), book.example)
        choices = col.choices or (("Y", "N") if col.kind is Kind.BOOL else ())
        if choices:
            ws.data_validation(1, index, DATA_ROWS, index, {
                "validate": "list",
                "source": _list_range(lists, choices, known),
                "error_type": "warning",  # synonyms (대한통운 …) stay allowed
                "error_title": col.header,
                "error_message": "목록에 없는 값입니다. 그대로 두면 mallbatch 가 비슷한 값을 찾아봅니다.",
            })


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
