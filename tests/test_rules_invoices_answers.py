"""송장 and 문의답변 sheet rules: one test per rule.

A valid first row sits in Excel row 2; the row under test, valid but for one field,
in Excel row 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kindbook import assert_cell, row_issues, validate, write_book
from mallbatch.kinds.answers import ANSWERS
from mallbatch.kinds.invoices import INVOICES
from mallbatch.sheets.columns import SheetKind
from mallbatch.sheets.issues import Issue, Report
from mallbatch.sheets.normalize import FIX_SCIENTIFIC, MSG_SCIENTIFIC
from mallbatch.sheets.rows import BookContext

ROW = 3


def invoice(**changes: Any) -> dict[str, Any]:
    """The kind's example (쿠팡/기본, CJ대한통운 12자리) for another order, then ``changes``."""
    row = dict(INVOICES.example_rows[0], order_no="2026112100020002", tracking_no="612345678902")
    row.update(changes)
    return row


def answer(**changes: Any) -> dict[str, Any]:
    row = dict(ANSWERS.example_rows[0], inquiry_id="20002", answer="네, 오늘 출고됩니다.")
    row.update(changes)
    return row


FIRST = {INVOICES.code: invoice(order_no="2026112100010001", tracking_no="612345678901"), ANSWERS.code: answer(inquiry_id="10001")}


def check(tmp_path: Path, kind: SheetKind, broken: dict[str, Any], book: BookContext | None = None) -> Report:
    path = write_book(tmp_path / f"{kind.title}.xlsx", [(kind, [FIRST[kind.code], broken])])
    return validate(path, book or BookContext(path))


def only(report: Report) -> Issue:
    issues = row_issues(report)
    assert len(issues) == 1, [(i.row, i.column, i.code, i.message) for i in issues]
    return issues[0]


def values(report: Report, excel_row: int = ROW) -> dict[str, Any]:
    return next(r.values for s in report.sheets for r in s.rows if r.excel_row == excel_row)


# --- 송장 ----------------------------------------------------------------------------------------


def test_valid_invoice(tmp_path: Path) -> None:
    report = check(tmp_path, INVOICES, invoice())
    assert report.valid and row_issues(report) == []
    assert [s.kind for s in report.sheets] == ["invoices"]


def test_invoice_required_cells(tmp_path: Path) -> None:
    names = [c.name for c in INVOICES.required_columns]
    assert names == ["mall", "order_no", "courier", "tracking_no"]
    rows = [{**invoice(order_no=f"20261121000{index}"), name: ""} for index, name in enumerate(names)]
    path = write_book(tmp_path / "송장.xlsx", [(INVOICES, rows)])
    issues = row_issues(validate(path, BookContext(path)))
    assert len(issues) == len(names), [(i.row, i.column, i.message) for i in issues]
    for excel_row, (name, issue) in enumerate(zip(names, issues), start=2):
        assert_cell(issue, INVOICES, excel_row, name, "required", "필수 항목이 비어 있습니다")


@pytest.mark.parametrize(("typed", "meant"), [
    ("대한통운", "CJ대한통운"),
    ("CJ택배", "CJ대한통운"),
    ("ＣＪ대한통운", "CJ대한통운"),
    ("우체국", "우체국택배"),
    ("현대택배", "롯데택배"),
])
def test_courier_synonyms_accepted(tmp_path: Path, typed: str, meant: str) -> None:
    tracking = "6123456789012" if meant in ("우체국택배", "롯데택배") else "612345678902"
    report = check(tmp_path, INVOICES, invoice(courier=typed, tracking_no=tracking))
    assert row_issues(report) == []
    assert values(report)["courier"] == meant


def test_courier_choice(tmp_path: Path) -> None:
    issue = only(check(tmp_path, INVOICES, invoice(courier="번개택배")))
    assert_cell(issue, INVOICES, ROW, "courier", "choices", "'번개택배'은(는) 고를 수 없는 값입니다")
    assert issue.fix.startswith("다음 중 하나를 입력하세요: CJ대한통운, 한진택배")


@pytest.mark.parametrize("tracking", ["6123456789", "612345678902", "6123-4567-8902"])
def test_cj_tracking_10_or_12_digits_accepted(tmp_path: Path, tracking: str) -> None:
    assert row_issues(check(tmp_path, INVOICES, invoice(tracking_no=tracking))) == []


def test_cj_tracking_length(tmp_path: Path) -> None:
    issue = only(check(tmp_path, INVOICES, invoice(tracking_no="61234567890")))
    assert_cell(issue, INVOICES, ROW, "tracking_no", "tracking", "CJ대한통운 송장번호는 10/12자리입니다 (입력: 11자리)")
    assert issue.fix == "송장번호를 다시 확인하세요 (엑셀 서식은 '텍스트')"


def test_epost_tracking_13_digits(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, INVOICES, invoice(courier="우체국택배", tracking_no="6123456789012"))) == []
    issue = only(check(tmp_path, INVOICES, invoice(courier="우체국택배", tracking_no="612345678902")))
    assert_cell(issue, INVOICES, ROW, "tracking_no", "tracking", "우체국택배 송장번호는 13자리입니다 (입력: 12자리)")


def test_tracking_digits_only(tmp_path: Path) -> None:
    issue = only(check(tmp_path, INVOICES, invoice(tracking_no="61234567890A")))
    assert_cell(issue, INVOICES, ROW, "tracking_no", "tracking", "송장번호는 숫자만 입력하세요")


@pytest.mark.parametrize("reference", ["기사님 직접 전달", "A-1"])
def test_direct_delivery_accepts_any_reference(tmp_path: Path, reference: str) -> None:
    report = check(tmp_path, INVOICES, invoice(courier="업체직송", tracking_no=reference))
    assert row_issues(report) == []
    assert values(report)["courier"] == "직접배송"


def test_tracking_number_typed_as_a_number(tmp_path: Path) -> None:
    """A 12-digit number cell is exact (below 15 digits): accepted as the seller sees it."""
    report = check(tmp_path, INVOICES, invoice(tracking_no=612345678902))
    assert row_issues(report) == [] and values(report)["tracking_no"] == "612345678902"


def test_order_number_in_scientific_notation(tmp_path: Path) -> None:
    """A 16-digit order number typed into a number cell lost its last digits."""
    issue = only(check(tmp_path, INVOICES, invoice(order_no=2026112100020002)))
    assert_cell(issue, INVOICES, ROW, "order_no", "type", MSG_SCIENTIFIC)
    assert "텍스트" in issue.fix and issue.fix == FIX_SCIENTIFIC
    assert issue.value == "2.02611210002E+15"


def test_order_number_scientific_text_pasted(tmp_path: Path) -> None:
    issue = only(check(tmp_path, INVOICES, invoice(order_no="1.23457E+17")))
    assert_cell(issue, INVOICES, ROW, "order_no", "type", MSG_SCIENTIFIC)


def test_order_number_digits_only(tmp_path: Path) -> None:
    issue = only(check(tmp_path, INVOICES, invoice(order_no="주문-123")))
    assert_cell(issue, INVOICES, ROW, "order_no", "type", "숫자만 입력할 수 있습니다 (주문-123)")


def test_wish_order_ids_are_read_as_written_and_other_malls_still_take_digits(tmp_path: Path) -> None:
    """Wish's order and transaction ids are 24-hex: its own 주문 workbook must read back, not fail 숫자만."""
    row = invoice(mall="Wish", order_no="5D0000000000000000000001", ship_unit="5e000000000000000000000a",
                  courier="USPS", tracking_no="9400111899223856921312")
    report = check(tmp_path, INVOICES, row)
    assert row_issues(report) == []
    assert (values(report)["order_no"], values(report)["ship_unit"]) == ("5D0000000000000000000001", "5e000000000000000000000a")
    issue = only(check(tmp_path, INVOICES, invoice(ship_unit="5e000000000000000000000a")))  # 쿠팡: digits, as before
    assert_cell(issue, INVOICES, ROW, "ship_unit", "type", "숫자만 입력할 수 있습니다 (5e000000000000000000000a)")
    assert values(check(tmp_path, INVOICES, invoice(order_no="2026-1121-0002-0002")))["order_no"] == "2026112100020002"


def test_duplicate_invoice(tmp_path: Path) -> None:
    rows = [FIRST["invoices"], invoice(), invoice(tracking_no="612345678999")]
    path = write_book(tmp_path / "송장.xlsx", [(INVOICES, rows)])
    first, issue = row_issues(validate(path, BookContext(path)))  # both rows of a duplicate are errors
    assert_cell(first, INVOICES, 3, "order_no", "duplicate", "4행과 중복됩니다")
    assert_cell(issue, INVOICES, 4, "order_no", "duplicate", "3행과 중복됩니다")


def test_same_order_other_line_is_not_a_duplicate(tmp_path: Path) -> None:
    rows = [FIRST["invoices"], invoice(line_id="L1"), invoice(line_id="L2")]
    path = write_book(tmp_path / "송장.xlsx", [(INVOICES, rows)])
    assert row_issues(validate(path, BookContext(path))) == []


def test_invoice_account_must_be_configured(tmp_path: Path) -> None:
    book = BookContext(tmp_path, accounts={("coupang", "기본")})
    issue = only(check(tmp_path, INVOICES, invoice(account="없는계정"), book))
    assert_cell(issue, INVOICES, ROW, "account", "account", "config.toml 에 쿠팡 '없는계정' 계정이 없습니다")


# --- 문의답변 --------------------------------------------------------------------------------------


def test_valid_answer(tmp_path: Path) -> None:
    report = check(tmp_path, ANSWERS, answer())
    assert report.valid and row_issues(report) == []


def test_answer_required(tmp_path: Path) -> None:
    issue = only(check(tmp_path, ANSWERS, answer(answer="")))
    assert_cell(issue, ANSWERS, ROW, "answer", "required", "필수 항목이 비어 있습니다")
    assert issue.fix == ANSWERS.column("answer").help


def test_inquiry_number_required(tmp_path: Path) -> None:
    issue = only(check(tmp_path, ANSWERS, answer(inquiry_id="")))
    assert_cell(issue, ANSWERS, ROW, "inquiry_id", "required", "필수 항목이 비어 있습니다")


def test_answer_action_defaults_to_answer(tmp_path: Path) -> None:
    report = check(tmp_path, ANSWERS, answer(action=""))
    assert row_issues(report) == [] and values(report)["action"] == "답변"


@pytest.mark.parametrize(("typed", "meant"), [("답변후종료", "답변후종료"), ("종료", "답변후종료"), ("답변 후 종료", "답변후종료")])
def test_answer_action_synonyms(tmp_path: Path, typed: str, meant: str) -> None:
    report = check(tmp_path, ANSWERS, answer(action=typed))
    assert row_issues(report) == [] and values(report)["action"] == meant


def test_answer_action_choice(tmp_path: Path) -> None:
    issue = only(check(tmp_path, ANSWERS, answer(action="보류")))
    assert_cell(issue, ANSWERS, ROW, "action", "choices", "'보류'은(는) 고를 수 없는 값입니다")
    assert issue.fix == "다음 중 하나를 입력하세요: 답변, 답변후종료"


def test_duplicate_answer(tmp_path: Path) -> None:
    rows = [FIRST["answers"], answer(), answer(answer="다른 답변입니다.")]
    path = write_book(tmp_path / "문의답변.xlsx", [(ANSWERS, rows)])
    first, issue = row_issues(validate(path, BookContext(path)))  # both rows of a duplicate are errors
    assert_cell(first, ANSWERS, 3, "inquiry_id", "duplicate", "4행과 중복됩니다")
    assert_cell(issue, ANSWERS, 4, "inquiry_id", "duplicate", "3행과 중복됩니다")
