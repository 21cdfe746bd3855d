"""Writing workbooks: the formats every output shares, safe text cells,
the hidden metadata sheet that lets a workbook be read back as the right kind.

Workbooks are written with :mod:`mallbatch.sheets.xlsx`, a small writer with XlsxWriter's
API: 100k×10 string cells in ~2.5 s where XlsxWriter itself took ~16 s on the 2-core CI
machine, with comments, fills and data validation.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from mallbatch.sheets.safetext import safe_text
from mallbatch.sheets.xlsx import Workbook, Worksheet

META_SHEET = "_mallbatch"
CELL_STYLE = "_style"  # in an outbox row's values: column name → "warn" / "bad" / "good" (a Book format); never a column
DATE_FMT = "yyyy-mm-dd"
DATETIME_FMT = "yyyy-mm-dd hh:mm"


class Book:
    """A workbook with mallbatch's formats and metadata."""

    def __init__(self, path: Path) -> None:
        self.workbook = Workbook(str(path))
        self.meta: dict[str, str] = {}
        wb = self.workbook
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        self.header_required = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_color": "#C00000", "text_wrap": True, "valign": "top"})
        self.header_result = wb.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1})
        self.guide = wb.add_format({"italic": True, "font_color": "#595959", "bg_color": "#EDEDED", "border": 1, "text_wrap": True,
                                    "valign": "top", "num_format": "@"})
        self.example = wb.add_format({"italic": True, "font_color": "#2F5597", "bg_color": "#EAF1FB", "border": 1, "text_wrap": True,
                                      "valign": "top", "num_format": "@"})
        self.title = wb.add_format({"bold": True, "font_color": "#1F3864"})
        self.text = wb.add_format({"num_format": "@"})
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "@"})
        self.warn = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700", "num_format": "@"})
        self.good = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.date = wb.add_format({"num_format": DATE_FMT})
        self.datetime = wb.add_format({"num_format": DATETIME_FMT})
        self.new = wb.add_format({"bg_color": "#E2EFDA", "bold": True})

    def sheet(self, name: str, kind: str | None = None) -> Worksheet:
        sheet = self.workbook.add_worksheet(name[:31])
        if kind:
            self.meta[f"kind:{name[:31]}"] = kind
        return sheet

    def cell(self, ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """Every value goes through here: text through safe_text, dates as real dates."""
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
            return
        if isinstance(value, bool):
            ws.write_string(row, col, "Y" if value else "N", fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, datetime):
            ws.write_datetime(row, col, value.replace(tzinfo=None), fmt or self.datetime)
        elif isinstance(value, date):
            ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt or self.date)
        else:
            ws.write_string(row, col, safe_text(value), fmt)

    def close(self) -> None:
        if self.meta:
            meta = self.workbook.add_worksheet(META_SHEET)
            for index, (key, value) in enumerate(sorted(self.meta.items())):
                meta.write_string(index, 0, key)
                meta.write_string(index, 1, value)
            meta.hide()
        self.workbook.close()
