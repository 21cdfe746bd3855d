"""Dropdowns whose list differs per row (a collected workbook's 처리: only what that row's mall can do).

A row's values carry ``ROW_CHOICES`` (column name → its choices); consecutive rows with the same
choices share one data validation, fed from the hidden list sheet as in the templates (Excel caps
inline lists at 255 characters). A row with no choices gets no dropdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby

from mallbatch.sheets.columns import SheetKind
from mallbatch.sheets.templates import LIST_SHEET, list_range
from mallbatch.sheets.writer import Book
from mallbatch.sheets.xlsx import Worksheet

ROW_CHOICES = "_choices"  # the key in a row's values; never a column name


def row_dropdowns(book: Book, ws: Worksheet, kind: SheetKind, rows: Sequence[Mapping[str, object]], first_row: int = 1,
                  lists: Worksheet | None = None, known: dict[tuple[str, ...], str] | None = None) -> None:
    """Per-row dropdowns on ``ws`` for every column of ``kind`` some row gives choices for; ``lists`` is the
    workbook's hidden list sheet when the caller made one already (a workbook has one)."""
    per_row = [dict(values.get(ROW_CHOICES) or {}) for values in rows]  # type: ignore[call-overload]
    names = {name for choices in per_row for name in choices}
    if not names:
        return
    if lists is None:
        lists = book.workbook.add_worksheet(LIST_SHEET)
        lists.hide()
    known = {} if known is None else known
    for col, column in enumerate(kind.columns):
        if column.name not in names:
            continue
        number = first_row
        for choices, group in groupby(tuple(c.get(column.name) or ()) for c in per_row):
            count = len(list(group))
            if choices:
                ws.data_validation(number, col, number + count - 1, col, {
                    "validate": "list", "source": list_range(lists, choices, known),
                    "error_title": column.header,
                    "error_message": f"이 행의 쇼핑몰에서 할 수 있는 {column.header}: {', '.join(choices)}",
                })
            number += count
