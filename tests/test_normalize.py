"""Normalisers: exact results on what sellers type, plus properties that hold for any text."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mallbatch.sheets import normalize as n
from mallbatch.sheets.normalize import Normal, NormalizeError

BLANK = ("값이 비어 있습니다", "값을 입력하세요")
FIX_PHONE = "010-1234-5678 처럼 지역번호를 포함해 입력하세요"


def error(fn: Callable[[str], Normal[Any]], s: str) -> tuple[str, str]:
    with pytest.raises(NormalizeError) as info:
        fn(s)
    return info.value.message, info.value.fix


def test_text() -> None:
    assert n.text("  " + unicodedata.normalize("NFD", "홍길동") + " \u00a0") == Normal("홍길동")
    assert n.text("줄1\r\n줄2\r줄3\t끝") == Normal("줄1\n줄2\n줄3\t끝")
    assert n.text("메모\x00\x07\u200b\ufeff입니다\x7f") == Normal("메모입니다", "보이지 않는 제어 문자를 제거했습니다")
    assert n.text("") == Normal("")


def test_code() -> None:
    assert n.code(" ＡＢＣ－１２３ ") == Normal("ABC-123")
    assert n.code("4524.0") == Normal("4524", "숫자 뒤의 .0을 제거했습니다")
    assert n.code("v1.0") == Normal("v1.0")
    assert n.code("2E10") == Normal("2E10")  # could be a real model code
    scientific = ("숫자가 지수 형식(1.23E+17)으로 바뀌어 원래 값을 알 수 없습니다", "엑셀에서 이 열의 서식을 '텍스트'로 바꾸고 값을 다시 입력하세요")
    for value in ["1.23456789012346E+17", "1.23457E+17", "1E+15", "1.2e5", "-3.5E-02", "１.２３Ｅ＋１７"]:
        assert error(n.code, value) == scientific
    assert error(n.code, " \t") == BLANK


def test_digits() -> None:
    assert n.digits("6012-3456-7890") == Normal("601234567890")
    assert n.digits("２０２４ ０５０１ １２３") == Normal("20240501123")
    assert n.digits("2024050112345.0") == Normal("2024050112345", "숫자 뒤의 .0을 제거했습니다")
    assert error(n.digits, "CJ-1234") == ("숫자만 입력할 수 있습니다 (CJ-1234)", "숫자 외의 글자를 지우세요")
    assert error(n.digits, "٣٤٥")[0] == "숫자만 입력할 수 있습니다 (٣٤٥)"
    assert error(n.digits, "1.23457E+17")[0].startswith("숫자가 지수 형식")


@pytest.mark.parametrize(
    ("s", "value"),
    [("12,000원", 12000), ("１２,０００", 12000), ("₩7,000", 7000), ("￦7,000", 7000), ("3개", 3), ("10 EA", 10),
     ("-500", -500), ("+5", 5), (" 1 000 ", 1000), ("3.0", 3), ("0", 0), ("1,234,567원", 1234567)],
)
def test_integer_accepts(s: str, value: int) -> None:
    assert n.integer(s) == Normal(value)


@pytest.mark.parametrize("s", ["1.5", "abc", "1,2,3", "12,00", "원", "1e3", "--5", "1" * 25])
def test_integer_rejects(s: str) -> None:
    assert error(n.integer, s) == (f"정수가 아닙니다 ({s})", "12000 처럼 숫자만 입력하세요")


@pytest.mark.parametrize(
    ("s", "value"),
    [
        ("45413", dt.datetime(2024, 5, 1)),
        ("45413.5", dt.datetime(2024, 5, 1, 12)),
        ("45413.395833333336", dt.datetime(2024, 5, 1, 9, 30)),
        ("2024-05-01", dt.datetime(2024, 5, 1)),
        ("2024.05.01", dt.datetime(2024, 5, 1)),
        ("2024. 5. 1.", dt.datetime(2024, 5, 1)),
        ("2024/5/1", dt.datetime(2024, 5, 1)),
        ("20240501", dt.datetime(2024, 5, 1)),
        ("２０２４－０５－０１", dt.datetime(2024, 5, 1)),
        ("2024-05-01 09:30:15", dt.datetime(2024, 5, 1, 9, 30, 15)),
        ("2024-05-01T09:30", dt.datetime(2024, 5, 1, 9, 30)),
        ("2024.05.01 13:05:00.123", dt.datetime(2024, 5, 1, 13, 5)),
        ("2024-05-01 오후 3:00:00", dt.datetime(2024, 5, 1, 15)),
        ("2024-05-01 오전 12:10", dt.datetime(2024, 5, 1, 0, 10)),
        ("2024-05-01 9:30 PM", dt.datetime(2024, 5, 1, 21, 30)),
    ],
)
def test_dates(s: str, value: dt.datetime) -> None:
    assert n.datetime_(s) == Normal(value)
    assert n.date(s) == Normal(value.date())


def test_dates_rejected() -> None:
    assert error(n.date, "2024-02-30") == ("없는 날짜입니다 (2024-02-30)", "날짜를 YYYY-MM-DD 형식으로 다시 확인하세요")
    assert error(n.date, "20241301")[0] == "없는 날짜입니다 (20241301)"
    assert error(n.datetime_, "2024-05-01 25:00")[0] == "없는 날짜입니다 (2024-05-01 25:00)"
    unknown = ("날짜 형식을 알 수 없습니다 (다음주 월요일)", "2024-05-01 처럼 YYYY-MM-DD 형식으로 입력하세요")
    assert error(n.date, "다음주 월요일") == unknown
    assert error(n.date, "19999")[0] == "날짜 형식을 알 수 없습니다 (19999)"  # outside the serial window
    assert error(n.date, "2024-05/01")[0] == "날짜 형식을 알 수 없습니다 (2024-05/01)"
    assert error(n.date, "") == BLANK


@pytest.mark.parametrize(
    ("s", "value", "note"),
    [
        ("010-1234-5678", "010-1234-5678", ""),
        ("01012345678", "010-1234-5678", ""),
        ("+82 10-1234-5678", "010-1234-5678", ""),
        ("+82 (0)10 1234 5678", "010-1234-5678", ""),
        ("０１０.１２３４.５６７８", "010-1234-5678", ""),
        ("1012345678", "010-1234-5678", "맨 앞의 0이 빠져 있어 010으로 복원했습니다"),
        ("111234567", "011-123-4567", "맨 앞의 0이 빠져 있어 011로 복원했습니다"),
        ("212345678", "02-1234-5678", "맨 앞의 0이 빠져 있어 02로 복원했습니다"),
        ("21234567", "02-123-4567", "맨 앞의 0이 빠져 있어 02로 복원했습니다"),
        ("311234567", "031-123-4567", "맨 앞의 0이 빠져 있어 031로 복원했습니다"),
        ("7012345678", "070-1234-5678", "맨 앞의 0이 빠져 있어 070으로 복원했습니다"),
        ("02-123-4567", "02-123-4567", ""),
        ("(031)123-4567", "031-123-4567", ""),
        ("0507-1234-5678", "0507-1234-5678", ""),
        ("1588-1234", "1588-1234", ""),
        ("15441234", "1544-1234", ""),
    ],
)
def test_phone(s: str, value: str, note: str) -> None:
    assert n.phone(s) == Normal(value, note)


@pytest.mark.parametrize(
    "s", ["1234", "010-1234", "0101234567890", "999-1234-5678", "010-abcd-5678", "+1 415 555 0100", "+82"]
)
def test_phone_rejects(s: str) -> None:
    assert error(n.phone, s) == (f"올바른 전화번호가 아닙니다 ({s})", FIX_PHONE)


def test_zipcode() -> None:
    assert n.zipcode("06236") == Normal("06236")
    assert n.zipcode("０６２３６") == Normal("06236")
    assert n.zipcode("4524") == Normal("04524", "우편번호 맨 앞의 0을 복원했습니다")
    assert n.zipcode("4524.0") == Normal("04524", "우편번호 맨 앞의 0을 복원했습니다")
    fix = "06236 처럼 앞의 0을 포함해 5자리로 입력하세요"
    for bad in ["123-456", "123", "123456", "서울"]:
        assert error(n.zipcode, bad) == (f"우편번호는 5자리 숫자입니다 ({bad})", fix)


def test_boolean() -> None:
    yes = ["Y", "y", "YES", "예", "네", "사용", "필요", "TRUE", "True", "O", "o", "1", "Ｙ"]
    no = ["N", "no", "아니오", "아니요", "사용안함", "사용 안함", "미사용", "불필요", "FALSE", "X", "0"]
    assert [n.boolean(s).value for s in yes] == [True] * len(yes)
    assert [n.boolean(s).value for s in no] == [False] * len(no)
    assert error(n.boolean, "모름") == ("예/아니오 값이 아닙니다 (모름)", "Y 또는 N으로 입력하세요")


def test_split_list() -> None:
    assert n.split_list(" 빨강, 파랑，노랑、 ,,초록 ") == Normal(["빨강", "파랑", "노랑", "초록"])
    assert n.split_list("a|b, c|", sep="|") == Normal(["a", "b, c"])
    assert n.split_list("") == Normal([])


# ---- properties: only NormalizeError, idempotent on their own output, round trips ----

TYPED: list[tuple[Callable[[str], Normal[Any]], Callable[[Any], str]]] = [
    (n.code, str),
    (n.digits, str),
    (n.integer, str),
    (n.days, str),
    (n.date, dt.date.isoformat),
    (n.datetime_, lambda v: v.isoformat(sep=" ")),
    (n.phone, str),
    (n.zipcode, str),
    (n.boolean, lambda v: "TRUE" if v else "FALSE"),
]
messy = st.one_of(
    st.text(),
    st.text(alphabet="0123456789０１２,.-+ :/원개EA₩eE오후T", max_size=25),
    st.from_regex(r"\+?82? ?1?0?[- ]?[0-9]{3,4}[- ]?[0-9]{4}", fullmatch=True),
    st.from_regex(r"[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?", fullmatch=True),
)


@pytest.mark.parametrize(("fn", "render"), TYPED, ids=[fn.__name__ for fn, _ in TYPED])
@settings(max_examples=75)
@given(s=messy)
def test_typed_normalisers_only_raise_normalize_error_and_are_idempotent(
    fn: Callable[[str], Normal[Any]], render: Callable[[Any], str], s: str
) -> None:
    try:
        first = fn(s)
    except NormalizeError as exc:
        assert exc.message and exc.fix
        return
    assert fn(render(first.value)) == Normal(first.value)


@given(st.text())
def test_text_and_split_list_are_idempotent(s: str) -> None:
    once = n.text(s).value
    assert n.text(once) == Normal(once)
    assert unicodedata.is_normalized("NFC", once)
    items = n.split_list(s).value
    assert n.split_list(",".join(items)) == Normal(items)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["{:,}원", "{:,}", "₩{:,}", "{}개", "{} EA"]))
def test_integer_round_trip(value: int, pattern: str) -> None:
    assert n.integer(pattern.format(value)) == Normal(value)


@given(st.from_regex(r"1[016789][0-9]{7,8}", fullmatch=True))
def test_mobile_missing_zero_is_restored(digits: str) -> None:
    result = n.phone(digits)
    assert result.value.replace("-", "") == "0" + digits
    assert result.note.startswith("맨 앞의 0이 빠져 있어 01")


@given(st.integers(min_value=1000, max_value=99999))
def test_zipcode_from_number_cell(value: int) -> None:
    assert n.zipcode(str(value)).value == f"{value:05d}"


@given(st.dates(min_value=dt.date(1955, 1, 1), max_value=dt.date(2118, 12, 31)))
def test_serial_round_trip(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    assert n.date(str(serial)) == Normal(day)
    assert n.date(day.strftime("%Y%m%d")) == n.date(day.strftime("%Y.%m.%d")) == Normal(day)


@pytest.mark.parametrize("mark", ["\u00a0", "\u200c", "\u2060", "\ufeff", "\u200b"])
def test_invisible_characters_in_codes_and_numbers_are_stripped_with_a_note(mark: str) -> None:
    note = n.NOTE_INVISIBLE
    assert n.code(f"{mark}NK{mark}1001{mark}") == Normal("NK1001", note)
    assert n.digits(f"6123{mark}45678901") == Normal("612345678901", note)
    assert n.integer(f"12{mark},000원") == Normal(12000, note)
    assert n.phone(f"010-1234-5678{mark}") == Normal("010-1234-5678", note)
    assert n.zipcode(f"{mark}06236") == Normal("06236", note)
    assert n.date(f"2024-05-01{mark}") == Normal(dt.date(2024, 5, 1), note)
    assert n.code("NK1001") == Normal("NK1001")  # nothing to strip, no note


# ---- spellings sellers type: a date without its year, a number of days ----

TODAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize(("s", "value"), [
    ("12/1", dt.date(2026, 12, 1)), ("12.1", dt.date(2026, 12, 1)), ("12월 1일", dt.date(2026, 12, 1)),
    ("12 월 1 일", dt.date(2026, 12, 1)), ("11/21", dt.date(2026, 11, 21)),  # today is still coming
    ("11/20", dt.date(2027, 11, 20)), ("1.5", dt.date(2027, 1, 5)),  # passed this year: next year
])
def test_date_without_year_is_the_coming_one(s: str, value: dt.date) -> None:
    found = n.date(s, today=TODAY)
    assert found.value == value
    assert found.note == f"연도가 없어 다가오는 날짜인 {value.year}년 {value.month}월 {value.day}일({value.isoformat()})로 읽었습니다"


def test_date_without_year_rejects_impossible_days() -> None:
    assert error(n.date, "13/1")[0] == "없는 날짜입니다 (13/1)"
    assert n.date("2/29", today=dt.date(2027, 3, 1)).value == dt.date(2028, 2, 29)  # the next leap day


def test_korean_date_with_year() -> None:
    assert n.date("2026년 12월 1일") == Normal(dt.date(2026, 12, 1))


@pytest.mark.parametrize(("s", "value"), [("2일", 2), ("2 일", 2), ("이틀", 2), ("2일 이내", 2), ("영업일 3일", 3), ("D+2", 2), ("열흘", 10)])
def test_days_as_sellers_write_them(s: str, value: int) -> None:
    assert n.days(s) == Normal(value, f"'{s}'을(를) {value}일로 읽었습니다")


def test_days_plain_and_rejected() -> None:
    assert n.days("3") == Normal(3) and n.days("3.0") == Normal(3)
    assert error(n.days, "곧") == ("일 수가 아닙니다 (곧)", "2 처럼 며칠인지 숫자만 입력하세요")
