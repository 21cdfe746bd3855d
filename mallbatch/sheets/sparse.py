"""Sheets whose used range is mostly empty, read cell by cell instead of as a rectangle.

calamine builds the whole rectangle from A1 to the farthest cell: one stray value in XFD1
of a 20,000-row sheet is 327 million cells (15 GiB).  :func:`dense_is_safe` bounds that
rectangle from the sheet XML with a few C-speed searches (no per-cell Python work on a
normal sheet); a sheet that fails it is read by :func:`read_sparse` through openpyxl's
streaming sheet parser, so memory and time follow the cells that exist.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

_CHUNK = 2**22
# How much bigger than its cells a rectangle may be before it is read sparsely: generous,
# so ordinary sheets with empty stretches keep calamine's speed; 4M cells cost ~150 MB.
DENSE_FACTOR = 32
DENSE_FLOOR = 4_000_000
_ROW_TAG = re.compile(rb'<row r="([0-9]{1,7})"')
_COL1 = re.compile(rb'<c r="([A-Z])[0-9]')
EMPTY_ROW: list[str] = []  # shared by every empty row of a sparse sheet; never mutated


def dense_is_safe(zf: zipfile.ZipFile, member: str) -> bool:
    """True when the sheet's rectangle is at most a few times its cells.

    Four C-speed passes per chunk, no Python work per cell on a normal sheet: cells must
    carry their ``r`` reference first (as Excel, openpyxl and our writer put it; anything
    else is read sparsely, always correct, only slower); rows are bounded by the digit
    count of the last row tag (999,999 for a 6-digit one); one search finds every cell with
    a two- or three-letter column or more row digits than that, so no crafted reference
    makes the rectangle bigger than the bound.
    """
    cells = refs = max_row = 0
    max_col = 26
    with zf.open(member) as stream:
        for data in _chunks(stream):
            cells += data.count(b"<c ")
            refs += data.count(b'<c r="')
            max_row = max([max_row, *map(int, _ROW_TAG.findall(data))])
            found = set(_far(len(str(max_row)) + 1).findall(data))
            if b"" in found:
                return False  # a cell far below every row tag
            if found:
                max_col = max(max_col, *map(_column, found))  # any two-letter column is beyond Z
    if cells != refs:
        return False
    budget = DENSE_FACTOR * cells + DENSE_FLOOR
    bound = 10 ** len(str(max_row)) - 1
    if bound * max_col > budget and max_col <= 26:
        max_col = _single_letter_max(zf, member)  # a tall narrow sheet: measure its width exactly
    return bound * max_col <= budget


@functools.cache
def _far(digits: int) -> re.Pattern[bytes]:
    """Cells with a multi-letter column (captured) or at least ``digits`` row digits (b"")."""
    return re.compile(rb'<c r="(?:([A-Z]{2,3})[0-9]|[A-Z]{1,3}[0-9]{%d})' % digits)


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in big pieces, each cut before a ``<`` so no tag is split."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        data = tail + chunk
        cut = data.rfind(b"<")
        data, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
        yield data
    if tail:
        yield tail


def _single_letter_max(zf: zipfile.ZipFile, member: str) -> int:
    letters: set[bytes] = set()
    with zf.open(member) as stream:
        for data in _chunks(stream):
            letters.update(_COL1.findall(data))
    return max(map(_column, letters), default=1)


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def read_sparse(source: Any, member: str) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    """Rows (0-based, each only up to its last cell) and merged ranges of one sheet."""
    wb = load_workbook(source, read_only=True, data_only=True)
    try:
        cells: dict[int, dict[int, Any]] = {}
        with wb._archive.open(member) as src:
            parser = WorkSheetParser(src, wb.shared_strings, data_only=True, epoch=wb.epoch,
                                     date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            for _, row in parser.parse():
                for cell in row:  # placed by the cell's own reference, as calamine does
                    if cell["value"] is not None:
                        cells.setdefault(cell["row"] - 1, {})[cell["column"] - 1] = cell["value"]
            merged = []
            for cell_range in getattr(getattr(parser, "merged_cells", None), "mergeCell", []) or []:
                c1, r1, c2, r2 = range_boundaries(cell_range.ref)
                merged.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))
        rows: list[list[Any]] = [EMPTY_ROW] * (max(cells) + 1 if cells else 0)
        for number, values in cells.items():
            row = rows[number] = [None] * (max(values) + 1)
            for col, value in values.items():
                row[col] = value
        return rows, merged
    finally:
        wb.close()
