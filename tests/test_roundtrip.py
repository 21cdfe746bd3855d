"""Workbooks mallbatch writes come back in as input: blank templates, result workbooks
fixed by the seller, and collected orders/inquiries with tracking numbers or answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kindbook import row_issues, validate, write_book
from mallbatch.examples import product_rows
from mallbatch.kinds import KINDS
from mallbatch.kinds.collected import INQUIRIES, ORDERS
from mallbatch.sheets.result_columns import MESSAGE, RESULT
from mallbatch.kinds.invoices import INVOICES
from mallbatch.kinds.products import PRODUCTS
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.sheets.issues import STATUS_ERROR, STATUS_OK
from mallbatch.sheets.results import SUMMARY_SHEET, sheets_from_report, validation_summary, write_result
from mallbatch.sheets.rows import BookContext
from mallbatch.sheets.templates import write_filled, write_template
from mallbatch.workspace import TEMPLATE_FILES


@pytest.mark.parametrize("name", list(TEMPLATE_FILES))
def test_blank_template_reads_back_empty(tmp_path: Path, name: str) -> None:
    """The guide and example rows of a fresh template are not seller data."""
    kinds = [KINDS[c] for c in TEMPLATE_FILES[name]]
    path = write_template(tmp_path / name, kinds)
    report = validate(path)
    assert sorted(s.kind for s in report.sheets) == sorted(k.code for k in kinds)
    assert report.row_count == 0
    assert report.all_issues() == []
    assert all(s.header_row == 1 for s in report.sheets)


def test_template_row_lookalike_further_down_is_data(tmp_path: Path) -> None:
    """Only the two rows under the header can be a template's guide/example rows."""
    first = dict(SALES_GROUPS.example_rows[0], group="첫 그룹")
    example = dict(SALES_GROUPS.example_rows[0])
    path = write_book(tmp_path / "판매정보.xlsx", [(SALES_GROUPS, [first, dict(first, group="둘째 그룹"), example])])
    report = validate(path)
    assert [r.excel_row for r in report.sheets[0].rows] == [2, 3, 4]
    assert report.valid


# --- result workbooks -------------------------------------------------------------------------


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def test_fixed_result_workbook_validates_clean(tmp_path: Path) -> None:
    group = dict(SALES_GROUPS.example_rows[0], group="판매 그룹", list_price="20000")  # 판매가 25,000 > 정가
    products = list(product_rows(3, ["판매 그룹"]))
    products[1]["cost_price"] = "0"
    products[2]["name"] = "목걸이★세트"
    source = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, products), (SALES_GROUPS, [group])])
    report = validate(source)
    assert [(i.sheet, i.row, i.code) for i in row_issues(report) if i.severity == "error"] == [
        ("판매정보", 2, "price"), ("상품", 3, "too-small"), ("상품", 4, "name-chars"),
    ]
    result = write_result(tmp_path / "상품_검사결과.xlsx", sheets_from_report(report), validation_summary(report), report.listed())

    wb = openpyxl.load_workbook(result)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    bad = [i for i in row_issues(report) if i.severity == "error"]
    fixes = {(i.sheet, i.row, i.col_index): value for i, value in zip(bad, ["20000", "15000", "목걸이 세트"])}
    for (sheet, row, col), value in fixes.items():
        cell = wb[sheet].cell(row, col + 3)  # the seller's columns follow 결과 and 메시지
        assert cell.comment is not None
        cell.value = value
    wb.save(result)

    fixed = validate(result)
    assert fixed.valid, [(i.sheet, i.row, i.column, i.message) for i in fixed.all_issues()]
    assert sorted(s.kind for s in fixed.sheets) == ["products", "sales_groups"]
    assert fixed.row_count == 4
    assert all(not s.issues for s in fixed.sheets)  # 결과/메시지 columns are not unknown columns
    assert all(r.status == STATUS_OK for s in fixed.sheets for r in s.rows)
    headers = sheet_rows(result, "상품")[0]
    assert headers[:2] == [RESULT.header, MESSAGE.header]
    assert [r[0] for r in sheet_rows(result, "상품")[1:]] == [STATUS_OK, STATUS_ERROR, STATUS_ERROR]


def test_result_workbook_dropped_back_replaces_its_own_result_columns(tmp_path: Path) -> None:
    """Dropped back (as a push result, with 쇼핑몰 상품번호), the new result has one 결과/메시지 pair
    and one 쇼핑몰 상품번호, not a second set beside the stale ones, and marks land on the right cells."""
    from mallbatch.sheets.result_columns import MALL_IDS

    products = list(product_rows(2, ["판매 그룹"]))
    products[1]["cost_price"] = "0"
    source = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, products)])
    def check(path: Path) -> Any:
        return validate(path, BookContext(path, known_groups={("coupang", "기본", "판매 그룹")}))

    first = sheets_from_report(report := check(source))
    first[0].extra_headers = [MALL_IDS.header]
    for row in first[0].rows:
        row.extra = ["쿠팡/기본:123"]
    once = write_result(tmp_path / "결과1.xlsx", first, validation_summary(report), report.listed())

    again = check(once)
    assert [(i.row, i.code) for i in row_issues(again) if i.severity == "error"] == [(3, "too-small")]
    twice = write_result(tmp_path / "결과2.xlsx", sheets_from_report(again), validation_summary(again), again.listed())
    rows = sheet_rows(twice, "상품")
    seller_headers = [c.header for c in PRODUCTS.columns]
    assert rows[0] == [RESULT.header, MESSAGE.header, *seller_headers]
    assert [r[0] for r in rows[1:]] == [STATUS_OK, STATUS_ERROR]
    cost = 2 + seller_headers.index(PRODUCTS.column("cost_price").header)
    wb = openpyxl.load_workbook(twice)
    assert wb["상품"].cell(3, cost + 1).comment is not None  # the bad 대표가격 cell, not a shifted one
    assert [c.comment for c in wb["상품"][3] if c.comment] == [wb["상품"].cell(3, cost + 1).comment]


# --- collected workbooks dropped back --------------------------------------------------------------


def order(number: int, **values: Any) -> dict[str, Any]:
    row = {"new": "Y", "mall": "쿠팡", "account": "기본", "order_no": f"20261121{number:08d}", "ship_unit": f"{number:010d}",
           "status": "결제완료", "receiver_name": "홍길동", "receiver_phone": "010-1234-5678", "zip": "06236",
           "address": "서울특별시 강남구 테헤란로 1", "name": "실버 목걸이", "quantity": 1, "amount": 23000}
    row.update(values)
    return row


def test_orders_workbook_reads_as_invoices(tmp_path: Path) -> None:
    rows = [
        order(1, courier="CJ대한통운", tracking_no="612345678901"),
        order(2),
        order(3, courier="대한통운", tracking_no="61234567890"),  # 11 digits: wrong
        order(4),
        order(5, courier="우체국택배"),  # courier without a number: validated, not skipped
    ]
    path = write_filled(tmp_path / "주문_20261121.xlsx", [(ORDERS, rows)])
    report = validate(path)
    (sheet,) = report.sheets
    assert (sheet.kind, sheet.source_kind) == ("invoices", "orders")
    assert [(r.excel_row, r.skipped) for r in sheet.rows] == [(2, ""), (3, "송장 미입력"), (4, ""), (5, "송장 미입력"), (6, "")]
    assert sheet.rows[0].status == STATUS_OK and sheet.rows[0].values["tracking_no"] == "612345678901"
    assert all(not r.issues for r in sheet.rows if r.skipped)
    errors = [(i.row, i.column, i.col_index, i.code, i.message) for i in row_issues(report)]
    tracking = ORDERS.columns.index(ORDERS.column("tracking_no"))
    assert errors == [
        (4, INVOICES.column("tracking_no").header, tracking, "tracking", "CJ대한통운 송장번호는 10/12자리입니다 (입력: 11자리)"),
        (6, INVOICES.column("tracking_no").header, tracking, "required", "필수 항목이 비어 있습니다"),
    ]
    result = write_result(tmp_path / "주문_결과.xlsx", sheets_from_report(report), validation_summary(report), report.listed())
    statuses = [r[0] for r in sheet_rows(result, ORDERS.title)[1:]]
    assert statuses == [STATUS_OK, "건너뜀", STATUS_ERROR, "건너뜀", STATUS_ERROR]


def test_inquiries_workbook_reads_as_answers(tmp_path: Path) -> None:
    def inquiry(number: int, **values: Any) -> dict[str, Any]:
        return {"mall": "위메프", "account": "기본", "inquiry_id": f"Q{number}", "subject": "배송 문의", "body": "언제 오나요?",
                "answered": "N", **values}

    rows = [inquiry(1, answer="내일 출고됩니다."), inquiry(2), inquiry(3, answer="오늘 출고됩니다.", action="종료"), inquiry(4, action="답변")]
    path = write_filled(tmp_path / "문의_20261121.xlsx", [(INQUIRIES, rows)])
    report = validate(path)
    (sheet,) = report.sheets
    assert (sheet.kind, sheet.source_kind) == ("answers", "inquiries")
    assert [(r.excel_row, r.skipped) for r in sheet.rows] == [(2, ""), (3, "답변 미입력"), (4, ""), (5, "답변 미입력")]
    assert report.valid and row_issues(report) == []
    assert [(r.values["inquiry_id"], r.values["action"]) for r in sheet.rows if not r.skipped] == [("Q1", "답변"), ("Q3", "답변후종료")]


def test_orders_columns_are_known_when_read_as_invoices(tmp_path: Path) -> None:
    """The orders sheet keeps its collected columns; none is reported as unknown."""
    path = write_filled(tmp_path / "주문.xlsx", [(ORDERS, [order(1, courier="한진", tracking_no="123456789012")])])
    report = validate(path, BookContext(path, accounts={("coupang", "기본")}))
    assert report.valid and report.all_issues() == []
    assert report.sheets[0].rows[0].values["courier"] == "한진택배"


def test_errors_and_warnings_are_listed_apart(tmp_path: Path) -> None:
    """A row with both: its 메시지 lists 오류 lines first, then 경고 lines; 요약 has a table for each."""
    product = dict(next(product_rows(1, ["판매 그룹"])), cost_price="0", name="무료배송 목걸이", status="품절")
    source = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, [product])])
    report = validate(source, BookContext(source, known_groups={("coupang", "기본", "판매 그룹")}))
    row = report.sheets[0].rows[0]
    lines = row.message.split("\n")
    assert [line.split(" - ", 1)[0] for line in lines] == ["오류", "경고", "경고"], lines
    assert lines[0].startswith(f"오류 - [{PRODUCTS.column('cost_price').header}]")
    assert {line.split("]")[0] for line in lines[1:]} == {f"경고 - [{PRODUCTS.column(n).header}" for n in ("name", "status")}

    result = write_result(tmp_path / "결과.xlsx", sheets_from_report(report), validation_summary(report), report.listed())
    cells = [[c for c in r if c is not None] for r in sheet_rows(result, SUMMARY_SHEET)]
    titles = [r[0] for r in cells if r and str(r[0]).endswith("건") and str(r[0]).split()[0] in ("오류", "경고")]
    warned = f"경고 {report.warning_count}건"  # the two on the row and the file's note on images
    assert titles == ["오류 1건", warned]
    first_warning = next(i for i, r in enumerate(cells) if r and r[0] == warned)
    assert all(r[0] == "경고" for r in cells[first_warning + 2:] if r)
    assert any(r and r[0] == "오류" for r in cells[:first_warning])


# --- the template explains itself ------------------------------------------------------------------


def test_template_opens_on_a_guide_that_explains_it(tmp_path: Path) -> None:
    from mallbatch.kinds.notices import NOTICE_GROUPS
    from mallbatch.sheets.columns import GUIDE_MARK

    path = write_template(tmp_path / "상품.xlsx", [PRODUCTS, SALES_GROUPS])
    wb = openpyxl.load_workbook(path)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == ["안내", PRODUCTS.title, SALES_GROUPS.title, "품목고시 항목"]
    assert wb.active.title == "안내"
    legend = "\n".join(str(c.value) for row in wb["안내"].iter_rows() for c in row if c.value)
    for words in ("빨간 글씨 머리글은 필수", "2행", "3행", "읽지 않으니", "inbox", "outbox/날짜/결과"):
        assert words in legend, words
    assert "상품명" in legend and "품목고시 내용" in legend  # required columns named

    sheet = wb[PRODUCTS.title]
    guide, example = sheet[2], sheet[3]
    assert guide[0].value.startswith(GUIDE_MARK) and guide[0].comment is not None and example[0].comment is not None
    assert all(c.font.i and c.fill.fgColor.rgb.endswith("EDEDED") for c in guide[: len(PRODUCTS.columns)])
    assert all(c.font.i and c.fill.fgColor.rgb.endswith("EAF1FB") for c in example[: len(PRODUCTS.columns)])
    assert sheet["A1"].comment is not None and "'안내' 시트" in sheet["A1"].comment.text
    # the longest rule is not clipped: the row is tall enough for it wrapped in its column
    notice = PRODUCTS.column("notice")
    needed = sum(2 if ord(ch) > 127 else 1 for ch in notice.help) / (notice.width - 1)
    assert sheet.row_dimensions[2].height >= 15 * needed and guide[0].alignment.wrap_text

    table = {r[0].value: r[1].value for r in wb["품목고시 항목"].iter_rows(min_row=3)}
    assert set(table) == set(NOTICE_GROUPS) and "재질" in table["주방용품"]


def test_a_guide_row_the_seller_typed_over_is_the_sellers_first_row(tmp_path: Path) -> None:
    """The seller wrote a product straight into row 2 and left the guide text in cells they do not use."""
    path = write_template(tmp_path / "상품.xlsx", [PRODUCTS])
    wb = openpyxl.load_workbook(path)
    sheet = wb[PRODUCTS.title]
    product = next(product_rows(1, ["판매 그룹"]))
    typed = {name: value for name, value in product.items() if value and PRODUCTS.column(name).required}
    typed |= {"stock": "30", "groups": "판매 그룹"}
    for index, col in enumerate(PRODUCTS.columns, start=1):
        if col.name in typed:
            sheet.cell(2, index).value = typed[col.name]
    wb.save(path)

    report = validate(path, BookContext(path, known_groups={("coupang", "기본", "판매 그룹")}))
    rows = report.sheets[0].rows
    assert [r.excel_row for r in rows] == [2]
    assert report.valid, [(i.column, i.message) for i in report.all_issues()]
    assert rows[0].values["code"] == product["code"] and rows[0].values["stock"] == 30
    assert rows[0].values["made_on"] is None and rows[0].values["model_no"] is None  # guide text, not a value
    left = [i for i in rows[0].issues if i.code == "guide-left"]
    assert len(left) == 1 and left[0].severity == "warning" and "제조일자" in left[0].message
