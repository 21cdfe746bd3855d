"""판매정보 sheet rules (seed 001 §판매정보 입력, §위메프 배송 정보 설정): one test per rule.

A valid first row sits in Excel row 2; the row under test, valid but for one field,
in Excel row 3.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kindbook import assert_cell, row_issues, validate, write_book
from mallbatch.domain.clock import now_kst
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.sheets.issues import WARNING, Issue, Report
from mallbatch.sheets.rows import BookContext

ROW = 3
ACCOUNTS = {("coupang", "기본"), ("smartstore", "기본"), ("wemakeprice", "기본"), ("wemakeprice", "부계정")}


def group(**changes: Any) -> dict[str, Any]:
    """The kind's example row (쿠팡/기본, 무료 배송) under another name and category, then
    ``changes`` (a row left equal to the template's example would be skipped as one)."""
    row = dict(SALES_GROUPS.example_rows[0], group="판매 그룹", mall_category="56138")
    row.update(changes)
    return row


def first_row() -> dict[str, Any]:
    return group(group="첫 그룹")


def check(tmp_path: Path, broken: dict[str, Any], accounts: set[tuple[str, str]] | None = None) -> Report:
    path = write_book(tmp_path / "판매정보.xlsx", [(SALES_GROUPS, [first_row(), broken])])
    return validate(path, BookContext(path, accounts=accounts))


def only(report: Report) -> Issue:
    issues = row_issues(report)
    assert len(issues) == 1, [(i.row, i.column, i.code, i.message) for i in issues]
    return issues[0]


def values(report: Report, excel_row: int = ROW) -> dict[str, Any]:
    return next(r.values for s in report.sheets for r in s.rows if r.excel_row == excel_row)


def test_valid_rows_have_no_issues(tmp_path: Path) -> None:
    report = check(tmp_path, group(), ACCOUNTS)
    assert report.valid and row_issues(report) == []
    assert values(report)["jeju_fee"] == 3500 and values(report)["from_zip"] == "07997"


def test_required_cell_empty(tmp_path: Path) -> None:
    """One row per required column, each with only that cell empty."""
    names = [c.name for c in SALES_GROUPS.required_columns]
    assert {"mall", "group", "sale_start", "sale_end", "list_price", "sale_price", "from_zip", "return_zip", "lead_days"} <= set(names)
    rows = [{**group(group=f"그룹{index}"), name: ""} for index, name in enumerate(names)]
    path = write_book(tmp_path / "판매정보.xlsx", [(SALES_GROUPS, rows)])
    issues = row_issues(validate(path, BookContext(path)))
    assert len(issues) == len(names), [(i.row, i.column, i.message) for i in issues]
    for excel_row, (name, issue) in enumerate(zip(names, issues), start=2):
        assert_cell(issue, SALES_GROUPS, excel_row, name, "required", "필수 항목이 비어 있습니다")


def test_empty_surcharges_default_to_zero(tmp_path: Path) -> None:
    report = check(tmp_path, group(jeju_fee="", island_fee=""))
    assert row_issues(report) == []
    assert (values(report)["jeju_fee"], values(report)["island_fee"]) == (0, 0)


@pytest.mark.parametrize(("name", "typed", "meant"), [
    ("mall", "스토어팜", "스마트스토어"),
    ("mall", "coupang", "쿠팡"),
    ("bundle_type", "묶음배송(판매자별)", "묶음배송"),
    ("method", "택배", "일반-택배배송"),
    ("fee_type", "무료배송", "무료"),
])
def test_choice_synonyms_accepted(tmp_path: Path, name: str, typed: str, meant: str) -> None:
    report = check(tmp_path, group(**{name: typed}))
    assert row_issues(report) == []
    assert values(report)[name] == meant


def test_mall_choice(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(mall="아마존")))
    assert_cell(issue, SALES_GROUPS, ROW, "mall", "choices", "'아마존'은(는) 고를 수 없는 값입니다")


def test_pay_type_choice(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(pay_type="카드결제")))
    assert_cell(issue, SALES_GROUPS, ROW, "pay_type", "choices", "'카드결제'은(는) 고를 수 없는 값입니다")
    assert issue.fix == "다음 중 하나를 입력하세요: 선결제, 착불"


@pytest.mark.parametrize(("name", "typed", "meant"), [
    ("pay_type", "선불", "선결제"),
    ("pay_type", "선불 결제", "선결제"),
    ("pay_type", "후불", "착불"),
    ("pay_type", "착불(후불)", "착불"),
    ("fee_type", "유료배송", "유료"),
    ("bundle_type", "개별배송", "상품별배송"),
    ("method", "직배송", "일반-직접배송"),
])
def test_sellers_spellings_of_a_choice_are_read_with_a_warning(tmp_path: Path, name: str, typed: str, meant: str) -> None:
    changes = {name: typed, **({"fee": "3000"} if meant == "유료" else {})}
    issue = only(check(tmp_path, group(**changes)))
    assert_cell(issue, SALES_GROUPS, ROW, name, "normalised", f"'{typed}'을(를) '{meant}'(으)로 읽었습니다")
    assert issue.severity == WARNING
    assert values(check(tmp_path, group(**changes)))[name] == meant


@pytest.mark.parametrize("typed", ["2일", "2 일", "이틀", "2일 이내"])
def test_lead_days_written_as_days_is_read_with_a_warning(tmp_path: Path, typed: str) -> None:
    report = check(tmp_path, group(lead_days=typed))
    issue = only(report)
    assert_cell(issue, SALES_GROUPS, ROW, "lead_days", "normalised", f"'{typed}'을(를) 2일로 읽었습니다")
    assert issue.severity == WARNING and report.valid and values(report)["lead_days"] == 2


def test_lead_days_hint_fits_a_day_count(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(lead_days="주문 후 바로")))
    assert_cell(issue, SALES_GROUPS, ROW, "lead_days", "type", "일 수가 아닙니다 (주문 후 바로)")
    assert issue.fix == "2 처럼 며칠인지 숫자만 입력하세요" and "12000" not in issue.fix


@pytest.mark.parametrize("typed", ["12/1", "12.1", "12월 1일"])
def test_date_without_a_year_is_the_coming_one_with_a_warning(tmp_path: Path, typed: str) -> None:
    today = now_kst().date()
    year = today.year if (12, 1) >= (today.month, today.day) else today.year + 1
    report = check(tmp_path, group(sale_start=typed, sale_end="2099-12-31"))
    issue = only(report)
    assert_cell(issue, SALES_GROUPS, ROW, "sale_start", "normalised",
                f"연도가 없어 다가오는 날짜인 {year}년 12월 1일({year}-12-01)로 읽었습니다")
    assert issue.severity == WARNING and values(report)["sale_start"] == dt.date(year, 12, 1)


def test_group_name_max_50(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(group="가" * 51)))
    assert_cell(issue, SALES_GROUPS, ROW, "group", "too-long", "50자를 넘습니다 (51자)")


def test_sale_period_order(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(sale_start="2026-12-01", sale_end="2026-11-30")))
    assert_cell(issue, SALES_GROUPS, ROW, "sale_end", "period", "판매종료일이 판매시작일보다 빠르거나 같습니다")
    issue = only(check(tmp_path, group(sale_start="2026-12-01", sale_end="2026.12.01")))
    assert issue.code == "period"


def test_date_format(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(sale_start="내일부터")))
    assert_cell(issue, SALES_GROUPS, ROW, "sale_start", "type", "날짜 형식을 알 수 없습니다 (내일부터)")


def test_sale_price_not_above_list_price(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, group(list_price="30000", sale_price="30,000원"))) == []
    issue = only(check(tmp_path, group(list_price="30000", sale_price="35000")))
    assert_cell(issue, SALES_GROUPS, ROW, "sale_price", "price", "판매가(35,000원)가 정가(30,000원)보다 큽니다")


def test_list_price_minimum(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(list_price="0")))
    assert_cell(issue, SALES_GROUPS, ROW, "list_price", "too-small", "1 이상이어야 합니다 (입력: 0)")


def test_lead_days_range(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(lead_days="31")))
    assert_cell(issue, SALES_GROUPS, ROW, "lead_days", "too-large", "30 이하여야 합니다 (입력: 31)")
    issue = only(check(tmp_path, group(lead_days="0")))
    assert_cell(issue, SALES_GROUPS, ROW, "lead_days", "too-small", "1 이상이어야 합니다 (입력: 0)")


@pytest.mark.parametrize("fee", ["", "0"])
def test_paid_shipping_needs_fee(tmp_path: Path, fee: str) -> None:
    issue = only(check(tmp_path, group(fee_type="유료", fee=fee)))
    assert_cell(issue, SALES_GROUPS, ROW, "fee", "fee", "유료 배송이면 배송비가 필요합니다")


def test_conditional_free_needs_threshold(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, group(fee_type="조건부 무료", fee="3000", free_over="50000"))) == []
    issue = only(check(tmp_path, group(fee_type="조건부무료", fee="3000")))
    assert_cell(issue, SALES_GROUPS, ROW, "free_over", "free-over", "조건부 무료 배송이면 무료배송 기준금액이 필요합니다")


def test_conditional_free_needs_fee(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(fee_type="조건부 무료", fee="", free_over="50000")))
    assert_cell(issue, SALES_GROUPS, ROW, "fee", "fee", "조건부 무료 배송이면 배송비가 필요합니다")


def test_zip_four_digits_padded_with_a_warning(tmp_path: Path) -> None:
    """A zip typed into a number cell loses its leading 0: restored, and the seller told."""
    report = check(tmp_path, group(from_zip=7997))
    issue = only(report)
    assert_cell(issue, SALES_GROUPS, ROW, "from_zip", "normalised", "우편번호 맨 앞의 0을 복원했습니다")
    assert issue.severity == WARNING and report.valid
    assert values(report)["from_zip"] == "07997"


@pytest.mark.parametrize("typed", ["1234567", "서울"])
def test_zip_must_be_five_digits(tmp_path: Path, typed: str) -> None:
    issue = only(check(tmp_path, group(return_zip=typed)))
    assert_cell(issue, SALES_GROUPS, ROW, "return_zip", "type", f"우편번호는 5자리 숫자입니다 ({typed})")


def test_account_must_be_configured(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(account="부계정"), ACCOUNTS))
    assert_cell(issue, SALES_GROUPS, ROW, "account", "account", "config.toml 에 쿠팡 '부계정' 계정이 없습니다")
    assert issue.fix == "계정 이름을 고치거나(기본) config.toml 에 계정을 추가하세요"


def test_account_may_be_empty_when_the_mall_has_one(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, group(account=""), ACCOUNTS)) == []


def test_account_needed_when_the_mall_has_several(tmp_path: Path) -> None:
    issue = only(check(tmp_path, group(mall="위메프", account=""), ACCOUNTS))
    assert_cell(issue, SALES_GROUPS, ROW, "account", "account", "위메프 계정을 정할 수 없습니다")
    assert issue.fix == "계정을 입력하세요 (기본, 부계정)"


def test_account_for_an_unconfigured_mall(tmp_path: Path) -> None:
    accounts = {a for a in ACCOUNTS if a[0] != "smartstore"}
    issue = only(check(tmp_path, group(mall="스마트스토어", account=""), accounts))
    assert_cell(issue, SALES_GROUPS, ROW, "account", "account", "스마트스토어 계정을 정할 수 없습니다")
    assert issue.fix == "config.toml 에 이 쇼핑몰 계정을 추가하세요"


def test_duplicate_mall_account_group(tmp_path: Path) -> None:
    rows = [first_row(), group(), group(list_price="40000"), group(mall="스마트스토어")]
    path = write_book(tmp_path / "판매정보.xlsx", [(SALES_GROUPS, rows)])
    first, issue = row_issues(validate(path, BookContext(path)))  # both rows of a duplicate are errors
    assert_cell(first, SALES_GROUPS, 3, "group", "duplicate", "4행과 중복됩니다")
    assert_cell(issue, SALES_GROUPS, 4, "group", "duplicate", "3행과 중복됩니다")


def test_duplicate_detected_through_mall_synonyms(tmp_path: Path) -> None:
    rows = [first_row(), group(mall="스마트스토어"), group(mall="스토어팜")]
    path = write_book(tmp_path / "판매정보.xlsx", [(SALES_GROUPS, rows)])
    first, issue = row_issues(validate(path, BookContext(path)))  # both rows of a duplicate are errors
    assert_cell(first, SALES_GROUPS, 3, "group", "duplicate", "4행과 중복됩니다")
    assert_cell(issue, SALES_GROUPS, 4, "group", "duplicate", "3행과 중복됩니다")
