"""Parse one cell's text into a value, explicitly and forgivingly, or say why not.

Each normaliser takes the text produced by :func:`mallbatch.sheets.reader.cell_text`
(or a CSV field) and returns :class:`Normal` — the value plus a Korean note when a
repair was made that the seller should know about (a restored leading zero) — or
raises :class:`NormalizeError` with a Korean message and fix.  Only ``text`` and
``split_list`` accept blank input; whether a blank cell is allowed is the caller's call.
All are idempotent: feeding a result's text back in gives the same value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Generic, TypeVar

from openpyxl.utils.datetime import from_excel

from mallbatch.domain.clock import now_kst
from mallbatch.errors import MallbatchError

T = TypeVar("T")

MSG_SCIENTIFIC = "숫자가 지수 형식(1.23E+17)으로 바뀌어 원래 값을 알 수 없습니다"
FIX_SCIENTIFIC = "엑셀에서 이 열의 서식을 '텍스트'로 바꾸고 값을 다시 입력하세요"

# Control characters other than \n and \t, plus invisible marks that break matching.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
# What a copy from a web page or another program leaves in codes and numbers: no-break
# spaces, zero-width (non-)joiners and spaces, word joiners, byte-order marks.
_INVISIBLE = re.compile("[\u00a0\u202f\u200b-\u200d\u2060\ufeff]")
NOTE_INVISIBLE = "보이지 않는 문자(줄바꿈 없는 공백·폭 없는 문자·BOM)를 지웠습니다"
# Excel's display of a 16+ digit number (1.23457E+17) or any decimal mantissa with exponent.
_SCIENTIFIC = re.compile(r"[+-]?(\d(\.\d+)?E[+-]\d+|\d+\.\d+[eE][+-]?\d+)")
_TRAILING_ZERO = re.compile(r"([+-]?\d+)\.0+")
_INTEGER = re.compile(r"[+-]?(\d+|\d{1,3}(,\d{3})+)")
_UNIT = re.compile(r"^[₩]+|(원|개|EA)+$", re.IGNORECASE)
_DATE = re.compile(
    r"(\d{4})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})\.?"
    r"(?:[ T]+(오전|오후|AM|PM)?\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(AM|PM)?)?",
    re.IGNORECASE,
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_KOREAN_DATE = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일?")
# A date without its year, as sellers type it: 12/1, 12.1, 12-1, 12월 1일.
_MONTH_DAY = re.compile(r"(\d{1,2})\s*(?:[-./]\s*(\d{1,2})\.?|월\s*(\d{1,2})\s*일?)")
# A count of days: 2, 2일, 2 일, 2일 이내, 영업일 2일, D+2.
_DAYS = re.compile(r"(?:영업일|D\+)?\s*(\d{1,3})\s*(?:영업일|일)?\s*(?:이내|내|안에)?", re.IGNORECASE)
NATIVE_DAYS = {"하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7, "여드레": 8, "아흐레": 9, "열흘": 10}
_SERIAL = re.compile(r"\d{5}(\.\d+)?")
_PHONE_CHARS = re.compile(r"[\s\-.()]")
# Korean prefixes: 2-digit Seoul, 4-digit 050X safe numbers, 3-digit mobile/area/internet.
_PHONE_PREFIX = re.compile(r"02|050\d|01[016789]|03[1-3]|04[1-4]|05[1-5]|06[1-4]|070|080")
_REPRESENTATIVE = re.compile(r"1[5689]\d{6}")  # 1588-1234 style
_BOOLEANS = {
    **dict.fromkeys(["y", "yes", "예", "네", "사용", "필요", "true", "o", "1"], True),
    **dict.fromkeys(["n", "no", "아니오", "아니요", "사용안함", "미사용", "불필요", "false", "x", "0"], False),
}


@dataclass(frozen=True)
class Normal(Generic[T]):
    """A parsed value and an optional Korean note describing a repair."""

    value: T
    note: str = ""


class NormalizeError(MallbatchError):
    """A cell cannot be understood; ``message`` and ``fix`` are shown beside the row."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} {self.fix}"


def text(s: str) -> Normal[str]:
    """Free text: NFC (macOS sends decomposed Hangul), trimmed, control characters removed."""
    lines = s.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROL.sub("", lines)
    note = "보이지 않는 제어 문자를 제거했습니다" if cleaned != lines else ""
    # NFC after removal: a control character between jamo would otherwise block composition
    return Normal(unicodedata.normalize("NFC", cleaned).strip(), note)


def _visible(s: str) -> tuple[str, str]:
    """``s`` without invisible characters, and the note saying so when there were any."""
    cleaned = _INVISIBLE.sub("", s)
    return cleaned, NOTE_INVISIBLE if cleaned != s else ""


def _number_text(s: str) -> tuple[str, str]:
    """A number-like cell folded (full-width, invisible characters) with a lost Excel ".0" dropped."""
    visible, note = _visible(s)
    value = unicodedata.normalize("NFKC", visible).strip()
    _require(value)
    if match := _TRAILING_ZERO.fullmatch(value):
        value = match.group(1)
    return value, note


def _notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def code(s: str) -> Normal[str]:
    """An identifier (product code, order number): never a number, full-width folded."""
    visible, note = _visible(s)
    value = unicodedata.normalize("NFKC", _CONTROL.sub("", visible)).strip()
    _require(value)
    if _SCIENTIFIC.fullmatch(value):
        raise NormalizeError(MSG_SCIENTIFIC, FIX_SCIENTIFIC)
    if match := _TRAILING_ZERO.fullmatch(value):
        return Normal(match.group(1), _notes(note, "숫자 뒤의 .0을 제거했습니다"))
    return Normal(value, note)


def digits(s: str) -> Normal[str]:
    """Digits-only identifiers (tracking and order numbers); spaces and hyphens dropped."""
    result = code(s)
    value = re.sub(r"[\s-]", "", result.value)
    if not value.isascii() or not value.isdigit():
        raise NormalizeError(f"숫자만 입력할 수 있습니다 ({result.value})", "숫자 외의 글자를 지우세요")
    return Normal(value, result.note)


def integer(s: str, example: str = "12000") -> Normal[int]:
    """Money and counts as sellers type them: "12,000원", "₩7,000", "3개", "１２".

    ``example`` is the column's own example, so the hint fits it (a count is not "12000")."""
    visible, note = _visible(s)
    value = re.sub(r"\s", "", unicodedata.normalize("NFKC", visible))
    _require(value)
    value = _UNIT.sub("", value)
    if match := _TRAILING_ZERO.fullmatch(value):
        value = match.group(1)
    if len(value) > 24 or not _INTEGER.fullmatch(value):
        raise NormalizeError(f"정수가 아닙니다 ({visible.strip()})", f"{example} 처럼 숫자만 입력하세요")
    return Normal(int(value.replace(",", "")), note)


def days(s: str, example: str = "2") -> Normal[int]:
    """A number of days as sellers write it: 2, "2일", "2 일", "2일 이내", "이틀" (a repair is noted)."""
    value, note = _number_text(s)
    if value.isascii() and value.isdigit():
        return Normal(int(value), note)
    native = re.sub(r"\s|이내$|안에$|내$", "", value)
    if native in NATIVE_DAYS:
        number = NATIVE_DAYS[native]
    elif match := _DAYS.fullmatch(value):
        number = int(match.group(1))
    else:
        raise NormalizeError(f"일 수가 아닙니다 ({value})", f"{example} 처럼 며칠인지 숫자만 입력하세요")
    return Normal(number, _notes(note, f"'{value}'을(를) {number}일로 읽었습니다"))


def date(s: str, today: dt.date | None = None) -> Normal[dt.date]:
    """A calendar date from a serial, 2024-05-01, 2024.05.01, 2024/05/01, 20240501 or 2024년 5월 1일.

    A date without a year (12/1, 12.1, 12월 1일) is the next one from ``today`` (KST),
    and the note says which year was taken."""
    visible, note = _visible(s)
    value = unicodedata.normalize("NFKC", visible).strip()
    if match := _MONTH_DAY.fullmatch(value):
        month, day = int(match.group(1)), int(match.group(2) or match.group(3))
        base = today or now_kst().date()
        for year in (base.year, base.year + 1):
            try:
                found = dt.date(year, month, day)
            except ValueError as exc:
                if month > 12 or day > 31:
                    raise NormalizeError(f"없는 날짜입니다 ({value})", "날짜를 YYYY-MM-DD 형식으로 다시 확인하세요") from exc
                continue  # 2/29 outside a leap year: the next year may have it
            if found >= base:
                return Normal(found, _notes(note, f"연도가 없어 다가오는 날짜인 {found.year}년 {found.month}월 {found.day}일({found.isoformat()})로 읽었습니다"))
        raise NormalizeError(f"없는 날짜입니다 ({value})", "날짜를 YYYY-MM-DD 형식으로 다시 확인하세요")
    return Normal(_parse_datetime(visible).date(), note)


def datetime_(s: str) -> Normal[dt.datetime]:
    """Like :func:`date` with an optional time (naive, as the seller typed it)."""
    visible, note = _visible(s)
    return Normal(_parse_datetime(visible), note)


def phone(s: str) -> Normal[str]:
    """A Korean phone number, hyphenated; a leading 0 lost to a number cell is restored."""
    visible, invisible = _visible(s)
    value = _PHONE_CHARS.sub("", unicodedata.normalize("NFKC", visible))
    _require(value)
    if value.startswith("+82"):
        value = value[3:] if value[3:4] == "0" else "0" + value[3:]
    note = ""
    if not value.isascii() or not value.isdigit():
        raise _bad_phone(s)
    if not value.startswith("0") and not _REPRESENTATIVE.fullmatch(value):
        value = "0" + value
        prefix = _phone_prefix(value)
        note = f"맨 앞의 0이 빠져 있어 {prefix}{_ro(prefix)} 복원했습니다" if prefix else ""
    if _REPRESENTATIVE.fullmatch(value):
        return Normal(f"{value[:4]}-{value[4:]}", _notes(invisible, note))
    prefix = _phone_prefix(value)
    rest = value[len(prefix) :]
    if not prefix or len(rest) not in (7, 8):
        raise _bad_phone(s)
    return Normal(f"{prefix}-{rest[:-4]}-{rest[-4:]}", _notes(invisible, note))


def zipcode(s: str) -> Normal[str]:
    """A 5-digit Korean postal code; a 4-digit number lost its leading 0."""
    value, note = _number_text(s)
    if value.isascii() and value.isdigit():
        if len(value) == 5:
            return Normal(value, note)
        if len(value) == 4:
            return Normal("0" + value, _notes(note, "우편번호 맨 앞의 0을 복원했습니다"))
    raise NormalizeError(f"우편번호는 5자리 숫자입니다 ({s.strip()})", "06236 처럼 앞의 0을 포함해 5자리로 입력하세요")


def boolean(s: str) -> Normal[bool]:
    """Yes/no in the many ways Korean templates spell it (Y/N, 예/아니오, 사용/사용안함, O/X…)."""
    key = re.sub(r"\s", "", unicodedata.normalize("NFKC", s)).casefold()
    _require(key)
    if key not in _BOOLEANS:
        raise NormalizeError(f"예/아니오 값이 아닙니다 ({s.strip()})", "Y 또는 N으로 입력하세요")
    return Normal(_BOOLEANS[key])


def split_list(s: str, sep: str = ",") -> Normal[list[str]]:
    """Split a list cell; with the default comma also on full-width "，" and "、"."""
    if sep == ",":
        s = s.replace("，", ",").replace("、", ",")
    items = (text(part).value for part in s.split(sep))
    return Normal([item for item in items if item])


def _require(value: str) -> None:
    if not value:
        raise NormalizeError("값이 비어 있습니다", "값을 입력하세요")


def _parse_datetime(s: str) -> dt.datetime:
    value = unicodedata.normalize("NFKC", s).strip()
    _require(value)
    if _SERIAL.fullmatch(value) and 20000 <= float(value) <= 80000:
        # from_excel handles the 1900 leap-year bug; round float noise to the second
        parsed = from_excel(float(value))
        return (parsed + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    if match := _COMPACT_DATE.fullmatch(value) or _KOREAN_DATE.fullmatch(value):
        return _build(value, *match.groups())
    if not (match := _DATE.fullmatch(value)):
        raise NormalizeError(f"날짜 형식을 알 수 없습니다 ({value})", "2024-05-01 처럼 YYYY-MM-DD 형식으로 입력하세요")
    year, _, month, day, meridiem, hour, minute, second, meridiem_after = match.groups()
    hour_24 = int(hour or 0)
    if (meridiem or meridiem_after or "").upper() in ("오후", "PM") and hour_24 < 12:
        hour_24 += 12
    elif (meridiem or meridiem_after or "").upper() in ("오전", "AM") and hour_24 == 12:
        hour_24 = 0
    return _build(value, year, month, day, str(hour_24), minute or "0", second or "0")


def _build(value: str, *parts: str) -> dt.datetime:
    try:
        return dt.datetime(*map(int, parts))  # type: ignore[misc]
    except ValueError as exc:
        raise NormalizeError(f"없는 날짜입니다 ({value})", "날짜를 YYYY-MM-DD 형식으로 다시 확인하세요") from exc


def _phone_prefix(value: str) -> str:
    match = _PHONE_PREFIX.match(value)
    return match.group() if match else ""


def _ro(word: str) -> str:
    """Korean particle 으로/로 after a number read aloud (영, 삼, 육 end in a consonant)."""
    return "으로" if word[-1] in "036" else "로"


def _bad_phone(s: str) -> NormalizeError:
    return NormalizeError(f"올바른 전화번호가 아닙니다 ({s.strip()})", "010-1234-5678 처럼 지역번호를 포함해 입력하세요")
