"""Write small seller workbooks for a sheet kind and validate them, for the rule tests.

Headers always come from the kind definitions (``KIND.column(name).header``), never
from a string typed in a test. The workbook is written with openpyxl: strings as text
cells (what a seller's "텍스트" formatted template holds), ints and floats as number
cells; header in row 1 and data from row 2, so the n-th data row is Excel row n + 1
and a column's ``col_index`` is its position in the kind's column list (unless
columns are dropped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from mallbatch.kinds import KINDS
from mallbatch.sheets.columns import SheetKind
from mallbatch.sheets.guard import Limits
from mallbatch.sheets.issues import ERROR, Issue, Report
from mallbatch.sheets.reader import read_book
from mallbatch.sheets.rows import BookContext
from mallbatch.sheets.validate import validate_book

Rows = Sequence[Mapping[str, Any]]


def write_book(path: Path, sheets: Iterable[tuple[SheetKind, Rows]], drop: Iterable[str] = ()) -> Path:
    """One sheet per (kind, rows), named by the kind's title; ``drop`` leaves columns out."""
    dropped = set(drop)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for kind, rows in sheets:
        ws = wb.create_sheet(kind.title)
        columns = [c for c in kind.columns if c.name not in dropped]
        ws.append([c.header for c in columns])
        for values in rows:
            ws.append([_text(values.get(c.name, "")) for c in columns])
    wb.save(path)
    return path


def _text(value: Any) -> Any:
    """Strings stay text cells; ints and floats become number cells (a lost leading zero…)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, int | float) else str(value)


def col_index(kind: SheetKind, name: str, drop: Iterable[str] = ()) -> int:
    """0-based position of column ``name`` in a sheet written by :func:`write_book`."""
    dropped = set(drop)
    return [c.name for c in kind.columns if c.name not in dropped].index(name)


def validate(path: Path, book: BookContext | None = None) -> Report:
    raw = read_book(path, Limits())
    return validate_book(raw, book or BookContext(path=path), KINDS)


def row_issues(report: Report) -> list[Issue]:
    """Issues attached to data rows (cells), in sheet and row order."""
    return [i for s in report.sheets for r in s.rows for i in r.issues]


def errors(report: Report) -> list[Issue]:
    return [i for i in report.all_issues() if i.severity == ERROR]


def assert_cell(issue: Issue, kind: SheetKind, excel_row: int, name: str, code: str, message: str,
                drop: Iterable[str] = ()) -> None:
    """The issue points at the cell of column ``name`` in ``excel_row`` of ``kind``'s sheet."""
    expected = (kind.title, excel_row, kind.column(name).header, col_index(kind, name, drop), code, message)
    actual = (issue.sheet, issue.row, issue.column, issue.col_index, issue.code, issue.message)
    assert actual == expected, f"\n  got      {actual}\n  expected {expected}\n  fix: {issue.fix}"
