"""mallbatch.sheets.xlsx: every feature read back by openpyxl and python-calamine, escaping,
a random-text round trip, a real result workbook, and LibreOffice when it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.pipeline.check import check_file, write_check_result
from mallbatch.sheets.templates import write_filled
from mallbatch.sheets.xlsx import MAX_CHARS, Workbook
from mallbatch.store import Store
from mallbatch.workspace import init_workspace

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LONG_DIGITS = "0012345678901234567890"


def calamine(path: Path, sheet: str) -> list[list[object]]:
    with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
        return book.get_sheet_by_name(sheet).to_python()


def feature_book(path: Path) -> Path:
    """One workbook using every call mallbatch makes, written column by column like templates."""
    wb = Workbook(str(path), {"strings_to_numbers": False})
    lists = wb.add_worksheet("_lists")
    lists.hide()
    for row, courier in enumerate(("CJ대한통운", "한진택배", "우체국택배")):
        lists.write_string(row, 0, courier)
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    required = wb.add_format({"bold": True, "font_color": "#C00000", "border": 1})
    guide = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": "@"})
    text = wb.add_format({"num_format": "@"})
    bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "@"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    minute = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws = wb.add_worksheet("주문 목록")
    ws.freeze_panes(1, 1)
    ws.set_row(1, 60)
    ws.set_column(0, 1, 20, text)
    ws.set_column(2, 2, 12)
    ws.set_column(3, 4, 16)
    for col in reversed(range(5)):  # any order: last column first, rows bottom-up
        ws.write_string(4, col, f"끝행{col}")
        ws.write_string(1, col, "안내", guide)
        ws.write_string(0, col, f"헤더{col}", required if col == 0 else header)
        ws.write_comment(0, col, f"{col}번 열 설명\n둘째 줄", {"x_scale": 2.5, "y_scale": 2})
    ws.write_string(2, 0, LONG_DIGITS)
    ws.write_string(2, 1, "0", bad)
    ws.write_comment(2, 1, "1 이상이어야 합니다 (입력: 0)", {"x_scale": 2, "y_scale": 1.5})
    ws.write_number(2, 2, 12345)
    ws.write_number(3, 2, -0.25)
    ws.write_datetime(2, 3, datetime(2024, 2, 29, 13, 45), minute)
    ws.write_datetime(2, 4, datetime(1900, 3, 1), day)
    ws.write_datetime(3, 3, datetime(2026, 11, 21), day)
    ws.write_blank(3, 1, None, bad)
    ws.write_blank(3, 0, None)  # unstyled blank: nothing written
    ws.write_string(3, 4, "열 서식")  # unstyled: takes its column's "@" only if the column has one
    ws.autofilter(0, 0, 4, 4)
    ws.data_validation(2, 3, 500, 3, {"validate": "list", "source": "=_lists!$A$1:$A$3", "error_type": "warning",
                                      "error_title": "택배사", "error_message": "목록에 없는 값입니다.\n그대로 둘 수 있습니다."})
    wb.add_worksheet("숨김").hide()
    wb.close()
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return feature_book(tmp_path_factory.mktemp("xlsx") / "features.xlsx")


def test_openpyxl_reads_values_and_styles(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["_lists", "주문 목록", "숨김"]
    assert [s.sheet_state for s in wb.worksheets] == ["hidden", "visible", "hidden"]
    assert wb.active.title == "주문 목록"
    ws = wb["주문 목록"]
    assert [c.value for c in ws[1]] == [f"헤더{c}" for c in range(5)]
    assert [c.value for c in ws[5]] == [f"끝행{c}" for c in range(5)]
    assert ws["A3"].value == LONG_DIGITS and ws["A3"].number_format == "@"  # column style on an unstyled cell
    assert ws["B3"].value == "0" and ws["B3"].fill.fgColor.rgb == "FFFFC7CE" and ws["B3"].font.color.rgb == "FF9C0006"
    assert ws["C3"].value == 12345 and ws["C4"].value == -0.25
    assert ws["D3"].value == datetime(2024, 2, 29, 13, 45) and ws["D3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["E3"].value == datetime(1900, 3, 1) and ws["D4"].value == datetime(2026, 11, 21)
    assert ws["E3"].number_format == "yyyy-mm-dd"
    assert ws["B4"].value is None and ws["B4"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["E4"].value == "열 서식" and ws["E4"].number_format == "General"
    head, first = ws["B1"], ws["A1"]
    assert head.font.b and head.fill.fgColor.rgb == "FFDDEBF7" and head.fill.fill_type == "solid"
    assert head.border.left.style == head.border.bottom.style == "thin"
    assert head.alignment.wrap_text and head.alignment.vertical == "top"
    assert first.font.b and first.font.color.rgb == "FFC00000" and first.fill.fill_type is None
    assert ws["A2"].font.i and ws["A2"].font.color.rgb == "FF7F7F7F"


def test_openpyxl_reads_sheet_settings(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["주문 목록"]
    assert ws["A1"].comment.text == "0번 열 설명\n둘째 줄"
    assert ws["B3"].comment.text == "1 이상이어야 합니다 (입력: 0)"
    assert ws["C3"].comment is None
    assert ws.column_dimensions["A"].width == pytest.approx(20.71, abs=0.01)  # XlsxWriter's width for 20
    assert ws.column_dimensions["C"].width == pytest.approx(12.71, abs=0.01)
    assert ws.row_dimensions[2].height == 60
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == "A1:E5"
    (dv,) = ws.data_validations.dataValidation
    assert (dv.type, dv.formula1, dv.errorStyle, str(dv.sqref)) == ("list", "_lists!$A$1:$A$3", "warning", "D3:D501")
    assert dv.errorTitle == "택배사" and dv.error == "목록에 없는 값입니다.\n그대로 둘 수 있습니다."


def test_package_parts(book: Path) -> None:
    """Comments need the VML drawing and the sheet's <legacyDrawing>; the filter its defined name."""
    with zipfile.ZipFile(book) as zf:
        names = set(zf.namelist())
        assert {"xl/comments2.xml", "xl/drawings/vmlDrawing2.vml", "xl/worksheets/_rels/sheet2.xml.rels"} <= names
        sheet = zf.read("xl/worksheets/sheet2.xml").decode()
        workbook = zf.read("xl/workbook.xml").decode()
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in zf.infolist())
    assert '<legacyDrawing r:id="rId2"/>' in sheet
    assert re.findall(r'<c r="([A-Z]+)1"', sheet) == list("ABCDE")  # written last-column-first, stored in order
    assert "_xlnm._FilterDatabase" in workbook and "'주문 목록'!$A$1:$E$5" in workbook
    assert 'activeTab="1"' in workbook


def test_calamine_reads_values(book: Path) -> None:
    rows = calamine(book, "주문 목록")
    assert rows[2][:3] == [LONG_DIGITS, "0", 12345]
    assert rows[2][3] == datetime(2024, 2, 29, 13, 45) and rows[2][4] == date(1900, 3, 1)
    assert rows[4] == [f"끝행{c}" for c in range(5)]
    assert calamine(book, "_lists") == [["CJ대한통운"], ["한진택배"], ["우체국택배"]]


def test_escaping(tmp_path: Path) -> None:
    nasty = ['<a href="x">&amp;</a>', "tab\tnew\nline\r\ncr", "bell\x07 nul\x00 esc\x1b end", " lead and trail ",
             "_x0041_ is not A", "\ufffe\uffff\ud800 gone", "=SUM(A1)"]
    wb = Workbook(str(tmp_path / "e.xlsx"), {})
    ws = wb.add_worksheet("'e&<>\"'"[1:-1])
    for row, text in enumerate(nasty):
        ws.write_string(row, 0, text)
        ws.write_comment(row, 0, text)
    ws.data_validation(0, 1, 9, 1, {"validate": "list", "source": "=_l!$A$1:$A$2", "error_message": '<&">\tx'})
    wb.close()
    expected = [ILLEGAL.sub("", t) for t in nasty]
    ws = openpyxl.load_workbook(tmp_path / "e.xlsx")['e&<>"']
    got = [ws.cell(r + 1, 1).value for r in range(len(nasty))]
    # openpyxl does not undo Excel's _xHHHH_ escape for inline strings; calamine (mallbatch's reader) does
    assert got[:4] + got[5:] == expected[:4] + expected[5:] and got[4] == "_x005F_x0041_ is not A"
    assert [r[0] for r in calamine(tmp_path / "e.xlsx", 'e&<>"')] == expected
    assert ws["A1"].comment.text == expected[0] and ws.data_validations.dataValidation[0].error == '<&">\tx'


def test_limits_and_errors(tmp_path: Path) -> None:
    wb = Workbook(str(tmp_path / "l.xlsx"), {})
    ws = wb.add_worksheet("가" * 31)
    ws.write_string(0, 0, "x" * (MAX_CHARS + 10))
    for bad in ("가" * 32, "a/b", "[x]", "'q'"):
        with pytest.raises(ValueError):
            wb.add_worksheet(bad)
    with pytest.raises(ValueError):
        wb.add_worksheet("가" * 31)
    with pytest.raises(ValueError):
        wb.add_format({"underline": True})
    with pytest.raises(ValueError):
        ws.write_number(0, 1, float("nan"))
    with pytest.raises(ValueError):
        ws.data_validation(0, 0, 1, 1, {"validate": "integer", "source": "=A1"})
    ws.hide()  # the only sheet: shown anyway
    wb.close()
    book = openpyxl.load_workbook(tmp_path / "l.xlsx")
    assert book.worksheets[0].sheet_state == "visible"
    assert len(book.worksheets[0]["A1"].value) == MAX_CHARS


def test_many_comments_on_several_sheets(tmp_path: Path) -> None:
    """Over 1024 notes on one sheet need a second VML id block; ids must not collide with the next sheet."""
    wb = Workbook(str(tmp_path / "c.xlsx"), {})
    sheets = [wb.add_worksheet(name) for name in ("one", "two")]
    for ws, count in zip(sheets, (1500, 3)):
        for row in range(count):
            ws.write_string(row, 0, str(row))
            ws.write_comment(row, 0, f"{ws.name} {row}")
    wb.close()
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert [c.comment.text for c in book["one"]["A"]] == [f"one {r}" for r in range(1500)]
    assert [c.comment.text for c in book["two"]["A"]] == [f"two {r}" for r in range(3)]
    with zipfile.ZipFile(tmp_path / "c.xlsx") as zf:
        assert 'data="1,2"' in zf.read("xl/drawings/vmlDrawing1.vml").decode()
        assert 'data="3"' in zf.read("xl/drawings/vmlDrawing2.vml").decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(exclude_categories=()), min_size=1, max_size=40), min_size=1, max_size=30))
def test_random_text_round_trip(tmp_path: Path, texts: list[str]) -> None:
    expected = [ILLEGAL.sub("", t) for t in texts]
    assume(all(expected) and not any(re.search("_x[0-9A-Fa-f]{4}_", t) for t in expected))
    path = tmp_path / "r.xlsx"
    wb = Workbook(str(path), {})
    ws = wb.add_worksheet("무작위")
    for row, text in enumerate(texts):
        ws.write_string(row, row % 3, text)
    wb.close()
    sheet = openpyxl.load_workbook(path)["무작위"]
    assert [sheet.cell(row + 1, row % 3 + 1).value for row in range(len(texts))] == expected
    rows = calamine(path, "무작위")
    assert [rows[row][row % 3] for row in range(len(texts))] == expected


def test_mallbatch_result_workbook(tmp_path: Path) -> None:
    """The validate pipeline's result: bad cell filled and commented, 요약 first, kinds readable back."""
    ws, _ = init_workspace(tmp_path / "ws")
    groups = sales_group_rows(ws.config)
    products = list(product_rows(3, [groups[0]["group"]]))
    products[1]["cost_price"] = "0"
    source = write_filled(tmp_path / "상품.xlsx", [(KINDS["products"], products), (KINDS["sales_groups"], groups)])
    with Store(ws.store_path) as store:
        checked = check_file(ws, store, source)
    out = write_check_result(ws, checked, source)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "요약" and wb["_mallbatch"].sheet_state == "hidden"
    sheet = wb[KINDS["products"].title]
    col = [c.name for c in KINDS["products"].columns].index("cost_price") + 3  # after 결과, 메시지
    bad = sheet.cell(3, col)
    assert bad.value == "0" and bad.fill.fgColor.rgb == "FFFFC7CE"
    assert bad.comment is not None and "1 이상이어야 합니다" in bad.comment.text
    assert sheet.cell(2, col).comment is None
    with Store(ws.store_path) as store:
        again = check_file(ws, store, out)  # the result workbook is itself a valid input
    assert [s.kind for s in again.report.sheets] == [s.kind for s in checked.report.sheets]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_it(book: Path, tmp_path: Path) -> None:
    """Headless LibreOffice converts to PDF, and re-saves as xlsx with the comment and fill intact."""
    for target in ("pdf", "xlsx"):
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", target,
                        "--outdir", str(tmp_path / "out"), str(book)], check=True, capture_output=True, timeout=180)
    assert (tmp_path / "out" / "features.pdf").stat().st_size > 1000
    ws = openpyxl.load_workbook(tmp_path / "out" / "features.xlsx")["주문 목록"]
    assert ws["A3"].value == LONG_DIGITS and ws["B3"].comment.text == "1 이상이어야 합니다 (입력: 0)"
    assert ws["B3"].fill.fgColor.rgb == "FFFFC7CE" and ws["D3"].value == datetime(2024, 2, 29, 13, 45)


def test_rows_beyond_excel_are_refused_not_written(tmp_path: Path) -> None:
    """A workbook Excel cannot open is never produced; the result writer splits sheets instead."""
    wb = Workbook(str(tmp_path / "r.xlsx"), {})
    wb.add_worksheet("s").write_string(1_048_576, 0, "one row too far")
    with pytest.raises(ValueError, match="beyond Excel"):
        wb.close()
