"""A stray value far away (XFD1, row 1,000,000) costs what its cells cost, not the rectangle.

Before, calamine built the whole rectangle (20,000 rows × 16,384 columns: 15 GiB) and the
result writer ran past column XFD (IndexError). The test workbook is a real xlsx on disk.
"""

from __future__ import annotations

import re
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import python_calamine

from kindbook import validate
from mallbatch.kinds.invoices import INVOICES
from mallbatch.sheets.guard import Limits
from mallbatch.sheets.reader import read_book
from mallbatch.sheets.results import sheets_from_report, write_result

NAMES = ("mall", "account", "order_no", "courier", "tracking_no")
ROWS = 3000


def far_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = INVOICES.title
    ws.append([INVOICES.column(n).header for n in NAMES])
    for n in range(1, ROWS + 1):
        ws.append(["쿠팡", "기본", f"2026112100{n:06d}", "CJ대한통운", f"6123{n:08d}"])
    ws["XFD1"] = "메모"  # a stray value in the last column Excel has
    ws["C1000000"] = "2026112199999999"  # and one a million rows down
    wb.save(path)
    return path


def dimensions(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [m.group(1).decode() for name in zf.namelist() if name.startswith("xl/worksheets/")
                for m in [re.search(rb'<dimension ref="([^"]+)"', zf.read(name))] if m]


def test_far_cells_are_read_and_written_in_bounded_memory(tmp_path: Path) -> None:
    path = far_workbook(tmp_path / "송장.xlsx")
    tracemalloc.start()
    try:
        sheet = read_book(path, Limits()).sheets[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20  # the rectangle would be 16 billion cells; the cells are 15,000
    assert len(sheet.rows) == 1_000_000
    assert len(sheet.rows[0]) == 16_384 and sheet.rows[0][-1] == "메모"
    assert sheet.rows[1] == ["쿠팡", "기본", "2026112100000001", "CJ대한통운", "612300000001"]
    assert sheet.rows[5000] == [] and sheet.rows[-1] == ["", "", "2026112199999999"]

    report = validate(path)
    rows = {r.excel_row: r for s in report.sheets for r in s.rows}
    assert sorted(rows) == [*range(2, ROWS + 2), 1_000_000]
    assert rows[2].status != "오류" and rows[1_000_000].status == "오류"
    out = write_result(tmp_path / "결과.xlsx", sheets_from_report(report), [], report.listed())
    with python_calamine.CalamineWorkbook.from_path(str(out)) as book:
        data = book.get_sheet_by_name(INVOICES.title).to_python()
    assert len(data) == ROWS + 2  # header, the 3,000 invoices and the far row, nothing between
    assert "메모" in data[0]  # the stray header is kept, moved next to the others
    assert all(len(d) < 20 for d in data)
    assert max(dimensions(out), key=len) in {f"A1:H{ROWS + 2}", f"A1:I{ROWS + 2}"}


def test_crafted_references_are_read_sparsely(tmp_path: Path) -> None:
    """A cell whose reference disagrees with its row tag, or whose r is not first, cannot
    slip a far cell past the bound: the sheet is then read cell by cell."""
    src = tmp_path / "ok.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["주문번호", "수량"])
    wb.active.append(["1", "2"])
    wb.save(src)
    for name, old, new in [
        ("below.xlsx", b'<c r="B2"', b'<c r="B999999"'),  # row tag 2, cell at row 999,999
        ("late-r.xlsx", b'<c r="B2"', b'<c s="0" r="XFD2"'),  # reference not the first attribute
    ]:
        path = tmp_path / name
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
            for item in zin.infolist():
                data = zin.read(item)
                zout.writestr(item, data.replace(old, new) if item.filename == "xl/worksheets/sheet1.xml" else data)
        rows = read_book(path, Limits()).sheets[0].rows
        assert [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row) if v] == [
            (0, 0, "주문번호"), (0, 1, "수량"), (1, 0, "1"), (999_998, 1, "2") if name == "below.xlsx" else (1, 16383, "2")]
