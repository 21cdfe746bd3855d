"""More rows than one Excel sheet holds: the result continues on '이름 (2)' …, never past the limit.

The limit is injected small (3 rows) so the test writes a handful of rows, not a million;
the real constant is checked against Excel's documented 1,048,576 rows per sheet.
"""

from __future__ import annotations

from pathlib import Path

import python_calamine

from kindbook import validate
from mallbatch.kinds.invoices import INVOICES
from mallbatch.sheets.results import MAX_DATA_ROWS, SUMMARY_SHEET, sheets_from_report, write_result

NAMES = ("mall", "account", "order_no", "courier", "tracking_no")


def invoices_csv(path: Path, count: int) -> Path:
    lines = [",".join(INVOICES.column(n).header for n in NAMES)]
    lines += [f"쿠팡,기본,2026112100{n:06d},CJ대한통운,6123{n:08d}" for n in range(1, count + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_excel_row_limit_constant() -> None:
    assert MAX_DATA_ROWS == 1_048_576 - 1  # Excel's rows per sheet, less the header row


def test_rows_beyond_the_sheet_limit_continue_on_numbered_sheets(tmp_path: Path) -> None:
    report = validate(invoices_csv(tmp_path / "송장.csv", 7))
    sheet_name = report.sheets[0].sheet
    out = write_result(tmp_path / "결과.xlsx", sheets_from_report(report), [("파일", "송장.csv")], report.listed(), max_rows=3)
    with python_calamine.CalamineWorkbook.from_path(str(out)) as book:
        names = [s.name for s in book.sheets_metadata if s.visible == python_calamine.SheetVisibleEnum.Visible]
        parts = {name: book.get_sheet_by_name(name).to_python() for name in names}
    assert names == [SUMMARY_SHEET, sheet_name, f"{sheet_name} (2)", f"{sheet_name} (3)"]
    assert [len(parts[n]) - 1 for n in names[1:]] == [3, 3, 1]
    assert all(parts[n][0][2:7] == [INVOICES.column(c).header for c in NAMES] for n in names[1:])
    assert ["알림", f"'{sheet_name}' 시트: 행이 7개라 엑셀 한 시트의 한도(3행)를 넘어 시트 3개로 나누어 썼습니다"] in parts[SUMMARY_SHEET]
    orders = [row[4] for n in names[1:] for row in parts[n][1:]]
    assert orders == [f"2026112100{n:06d}" for n in range(1, 8)]  # every row once, in order

    back = validate(out)  # the split result reads back as invoices, all seven rows
    assert [s.kind for s in back.sheets] == ["invoices"] * 3
    assert sum(len(s.rows) for s in back.sheets) == 7


def test_long_sheet_name_keeps_its_number_within_31_characters(tmp_path: Path) -> None:
    report = validate(invoices_csv(tmp_path / ("송장" * 20 + ".csv"), 4))
    specs = sheets_from_report(report)
    out = write_result(tmp_path / "결과.xlsx", specs, [], [], max_rows=2)
    with python_calamine.CalamineWorkbook.from_path(str(out)) as book:
        names = [s.name for s in book.sheets_metadata][1:3]
    assert names == [specs[0].name[:31], specs[0].name[:27] + " (2)"]


def test_a_result_name_another_writer_took_meanwhile_gets_the_next_free_name(tmp_path: Path) -> None:
    """Two pushes (or workers) of one file finishing in the same second chose the same name: the second one
    used to fail at publishing (FileExistsError, and the push ended in a traceback); now it takes ``_2``."""
    report = validate(invoices_csv(tmp_path / "송장.csv", 2))
    path = tmp_path / "상품_처리결과_120000.xlsx"
    first = write_result(path, sheets_from_report(report), [], report.listed())
    second = write_result(path, sheets_from_report(report), [], report.listed())
    assert first == path and second == tmp_path / "상품_처리결과_120000_2.xlsx"
    assert first.is_file() and second.is_file()
