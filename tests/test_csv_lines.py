"""CSV files with one damaged line: that line is reported with its number, the rest is read.

Real CSV files written to disk; the property tests check the line accounting of the CSV
reader: every physical line is in exactly one record (a row or an error), always.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kindbook import validate
from mallbatch.kinds.answers import ANSWERS
from mallbatch.kinds.invoices import INVOICES
from mallbatch.sheets.csvfile import read_records
from mallbatch.sheets.guard import Limits, check_file
from mallbatch.sheets.issues import STATUS_ERROR, Report
from mallbatch.sheets.results import sheets_from_report, write_result

HEADER = ",".join(INVOICES.column(n).header for n in ("mall", "account", "order_no", "courier", "tracking_no"))


def invoice_lines(count: int = 100) -> list[str]:
    return [HEADER] + [f"쿠팡,기본,2026112100{n:06d},CJ대한통운,6123{n:08d}" for n in range(1, count + 1)]


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return path


def statuses(report: Report) -> dict[int, str]:
    return {r.excel_row: r.status for s in report.sheets for r in s.rows}


def damaged(report: Report) -> list[tuple[int, str, str]]:
    return [(i.row or 0, i.code, i.message) for s in report.sheets for r in s.rows for i in r.issues]


def test_unbalanced_quote_is_reported_on_its_line_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = invoice_lines()
    lines[4] = lines[4].replace(",CJ대한통운", ',"CJ대한통운')  # invoice 4, physical line 5: the quote never closes
    path = write_lines(tmp_path / "송장.csv", [line.encode() for line in lines])
    report = validate(path)
    rows = statuses(report)
    assert sorted(rows) == list(range(2, 102))  # all 100 invoices are in the result
    assert damaged(report) == [(5, "csv-quote", '따옴표(")가 닫히지 않았습니다 (파일의 5번째 줄)')]
    assert [n for n, status in rows.items() if status == STATUS_ERROR] == [5]
    issue = next(i for s in report.sheets for r in s.rows for i in r.issues)
    assert issue.column == INVOICES.column("courier").header and "따옴표" in issue.fix
    out = write_result(tmp_path / "결과.xlsx", sheets_from_report(report), [], report.listed())
    with python_calamine.CalamineWorkbook.from_path(str(out)) as book:
        result = book.get_sheet_by_name(INVOICES.title if report.sheets[0].sheet == INVOICES.title else report.sheets[0].sheet)
        data = result.to_python()
    assert len(data) == 101 and data[4][0] == STATUS_ERROR


def test_quote_closed_by_a_later_line_does_not_swallow_the_lines_between(tmp_path: Path) -> None:
    lines = invoice_lines(10)
    lines[2] = lines[2].replace(",CJ대한통운", ',"CJ대한통운')
    lines[8] = lines[8].replace(",CJ대한통운", ',"CJ대한통운"')  # a properly quoted field further down
    report = validate(write_lines(tmp_path / "송장.csv", [line.encode() for line in lines]))
    assert sorted(statuses(report)) == list(range(2, 12))
    assert [(row, code) for row, code, _ in damaged(report)] == [(3, "csv-quote")]


def test_cp949_line_in_a_utf8_file_is_rejected_with_its_number(tmp_path: Path) -> None:
    lines = [line.encode() for line in invoice_lines(20)]
    lines[7] = invoice_lines(20)[7].encode("cp949")  # pasted from an old export
    path = write_lines(tmp_path / "송장.csv", lines)
    assert check_file(path, Limits()) == "csv"
    report = validate(path)
    rows = statuses(report)
    assert sorted(rows) == list(range(2, 22))
    assert damaged(report) == [(8, "encoding", "이 줄만 다른 글자 인코딩(CP949(한글 완성형))으로 저장되어 있어 읽지 않았습니다 "
                                            "(파일의 8번째 줄, 파일은 UTF-8)")]
    row = next(r for s in report.sheets for r in s.rows if r.excel_row == 8)
    assert "CJ대한통운" in row.cells  # shown readable in the result, but never sent
    assert [n for n, status in rows.items() if status == STATUS_ERROR] == [8]


def test_invalid_bytes_and_nul_are_named_by_line(tmp_path: Path) -> None:
    lines = [line.encode() for line in invoice_lines(20)]
    lines[3] = lines[3].replace("CJ".encode(), b"C\xff")
    lines[11] = lines[11].replace(b",6123", b",\x006123")
    path = write_lines(tmp_path / "송장.csv", lines)
    assert check_file(path, Limits()) == "csv"  # was "엑셀 파일이 아닙니다"
    report = validate(path)
    assert sorted(statuses(report)) == list(range(2, 22))
    assert damaged(report) == [
        (4, "encoding", "글자로 읽을 수 없는 바이트(0xFF)가 있습니다 (파일의 4번째 줄, 33번째 바이트)"),
        (12, "control-char", "보이지 않는 제어 문자(NUL, 0x00)가 들어 있습니다 (파일의 12번째 줄)"),
    ]
    nul = next(i for s in report.sheets for r in s.rows for i in r.issues if i.code == "control-char")
    assert (nul.column, nul.col_index) == (INVOICES.column("tracking_no").header, 4)


def test_one_control_character_in_an_answers_csv_rejects_only_that_cell(tmp_path: Path) -> None:
    header = ",".join(ANSWERS.column(n).header for n in ("mall", "account", "inquiry_id", "answer"))
    lines = [header.encode()] + [f"위메프,기본,{n},네 오늘 출고됩니다.".encode() for n in range(10001, 10006)]
    lines[2] = lines[2].replace(b"\xeb\x84\xa4", b"\xeb\x84\xa4\x07")  # a BEL after 네
    report = validate(write_lines(tmp_path / "답변.csv", lines))
    rows = statuses(report)
    assert sorted(rows) == [2, 3, 4, 5, 6]
    assert [n for n, status in rows.items() if status == STATUS_ERROR] == [3]
    issue = next(i for s in report.sheets for r in s.rows for i in r.issues)
    assert (issue.row, issue.column, issue.code) == (3, ANSWERS.column("answer").header, "control-char")


def physical_lines(raw: bytes) -> int:
    return len(io.StringIO(raw.decode("utf-8"), newline="").readlines())


def assert_every_line_once(raw: bytes) -> list[list[str]]:
    records = read_records(raw)
    covered = [n for r in records for n in range(r.first, r.last + 1)]
    assert covered == list(range(physical_lines(raw)))
    return [r.cells for r in records]


FIELDS = st.lists(st.text(alphabet='ab가나,"\n\r ', max_size=8), min_size=1, max_size=4)


def to_csv(rows: list[list[str]], terminator: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=terminator).writerows(rows)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(FIELDS, min_size=1, max_size=12))
def test_property_well_formed_csv_reads_back_exactly(rows: list[list[str]]) -> None:
    raw = to_csv(rows, "\r\n").encode()  # Excel's line end (with "\n" the writer leaves a lone "\r" unquoted)
    records = read_records(raw)
    assert all(not r.problems for r in records)
    assert [r.cells for r in records] == rows
    assert_every_line_once(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(FIELDS, min_size=1, max_size=12), terminator=st.sampled_from(["\r\n", "\n"]),
       cuts=st.lists(st.integers(min_value=0), min_size=1, max_size=3))
def test_property_stray_quotes_never_lose_a_line(rows: list[list[str]], terminator: str, cuts: list[int]) -> None:
    text = to_csv(rows, terminator)
    for cut in cuts:
        position = cut % (len(text) + 1)
        text = text[:position] + '"' + text[position:]
    assert_every_line_once(text.encode())


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.binary(max_size=30).filter(lambda b: b"\n" not in b and b"\r" not in b), min_size=1, max_size=10))
def test_property_any_bytes_every_line_once(lines: list[bytes]) -> None:
    raw = b"\n".join(lines) + b"\n"
    records = read_records(raw)
    covered = [n for r in records for n in range(r.first, r.last + 1)]
    assert covered == list(range(len(lines)))
