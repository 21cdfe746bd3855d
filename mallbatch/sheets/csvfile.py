"""CSV files read line by line, so every physical line ends up in exactly one record.

Fed a whole file, Python's csv module lets one unbalanced quote swallow every line after
it, and one undecodable byte made the whole file unreadable.  Here the bytes are split
into physical lines first and each line is decoded on its own; the csv module runs in
strict mode, so a quote that does not close cleanly raises at once.  That record's first
line becomes a record of its own carrying the problem, and reading resumes on the next
line.  Problems are reported in the seller's terms: the line number and what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mallbatch.errors import InputFileError

# A physical line as io.StringIO(newline="") and the csv module see one; safe on bytes
# because neither UTF-8 nor CP949 ever uses 0x0A or 0x0D inside a character.
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# The control characters the guard calls binary (tab, LF, FF, CR and ESC are tolerated).
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_ENCODING_NAMES = {"utf-8": "UTF-8", "cp949": "CP949(한글 완성형)"}
FIX_ENCODING = "엑셀에서 파일을 열어 'CSV UTF-8(쉼표로 분리)' 형식으로 다시 저장한 뒤 넣어 주세요"
FIX_QUOTE = '이 줄의 따옴표를 지우거나 닫는 따옴표(")를 넣으세요. 칸 안의 따옴표는 두 번("") 쓰세요'


@dataclass(frozen=True)
class LineProblem:
    """Why one record cannot be trusted; ``col`` is the 0-based cell when known."""

    code: str
    message: str
    fix: str
    col: int | None = None


@dataclass
class Record:
    """One CSV record and the physical lines (0-based, inclusive) it was read from."""

    first: int
    last: int
    cells: list[str]
    problems: list[LineProblem] = field(default_factory=list)


def read_records(raw: bytes) -> list[Record]:
    """Decode and split ``raw``; every physical line is in exactly one record."""
    lines, line_problems = _decode_lines(raw)
    first = lines[0] if lines else ""
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    records = _split(lines, delimiter)
    for record in records:
        for number in range(record.first, record.last + 1):
            record.problems.extend(line_problems.get(number, ()))
        if any(CONTROL.search(lines[n]) for n in range(record.first, record.last + 1)):
            _control_cells(record)
    return records


def _decode_lines(raw: bytes) -> tuple[list[str], dict[int, list[LineProblem]]]:
    """Physical lines as text (endings kept) and the lines that did not decode cleanly.

    A file is UTF-8 or CP949 as a whole; a line that only decodes in the other encoding,
    or in neither, is shown as best it can be and rejected with its number, never guessed:
    a wrong guess would send garbled text to a mall or a customer, a rejection costs one
    re-save.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _text_lines(raw.decode("utf-16")), {}
        except UnicodeDecodeError as exc:
            raise InputFileError("글자 인코딩을 알 수 없는 CSV 파일입니다 (UTF-16)", FIX_ENCODING) from exc
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return _text_lines(raw.decode("utf-8")), {}
    except UnicodeDecodeError:
        pass
    chunks = [m.group() for m in _LINE.finditer(raw)]
    fits = [(_decodes(c, "utf-8"), _decodes(c, "cp949")) for c in chunks]
    utf8_only = sum(1 for u, k in fits if u and not k)
    cp949_only = sum(1 for u, k in fits if k and not u)
    encoding, other = ("utf-8", "cp949") if utf8_only >= cp949_only else ("cp949", "utf-8")
    lines: list[str] = []
    problems: dict[int, list[LineProblem]] = {}
    for number, (chunk, (utf8, cp949)) in enumerate(zip(chunks, fits)):
        ok, other_ok = (utf8, cp949) if encoding == "utf-8" else (cp949, utf8)
        if ok:
            lines.append(chunk.decode(encoding))
        elif other_ok:
            lines.append(chunk.decode(other))
            problems[number] = [LineProblem(
                "encoding", f"이 줄만 다른 글자 인코딩({_ENCODING_NAMES[other]})으로 저장되어 있어 읽지 않았습니다 "
                f"(파일의 {number + 1}번째 줄, 파일은 {_ENCODING_NAMES[encoding]})", FIX_ENCODING)]
        else:
            lines.append(chunk.decode(encoding, errors="replace"))
            bad = _first_bad_byte(chunk, encoding)
            problems[number] = [LineProblem(
                "encoding", f"글자로 읽을 수 없는 바이트(0x{chunk[bad]:02X})가 있습니다 "
                f"(파일의 {number + 1}번째 줄, {bad + 1}번째 바이트)", "이 줄의 값을 다시 입력하고 " + FIX_ENCODING)]
    return lines, problems


def _text_lines(text: str) -> list[str]:
    return list(io.StringIO(text, newline=""))


def _decodes(chunk: bytes, encoding: str) -> bool:
    try:
        chunk.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _first_bad_byte(chunk: bytes, encoding: str) -> int:
    try:
        chunk.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def _split(lines: list[str], delimiter: str) -> list[Record]:
    """Records in order; a record the strict parser rejects is cut back to its first line."""
    records: list[Record] = []
    start = 0
    while start < len(lines):
        reader = csv.reader(_from(lines, start), delimiter=delimiter, strict=True)
        done = 0  # lines of ``lines[start:]`` consumed by complete records
        try:
            for cells in reader:
                records.append(Record(start + done, start + reader.line_num - 1, cells))
                done = reader.line_num
            return records
        except csv.Error as exc:
            broken = start + done
            records.append(_broken(lines[broken], broken, delimiter, str(exc)))
            start = broken + 1
    return records


def _from(lines: list[str], start: int) -> Iterator[str]:
    for index in range(start, len(lines)):
        yield lines[index]


def _broken(line: str, number: int, delimiter: str, error: str) -> Record:
    """The first line of a record the strict parser refused, read leniently on its own."""
    text = line.rstrip("\r\n")
    try:
        cells = next(csv.reader([text], delimiter=delimiter, strict=False), [])
    except csv.Error:  # a field beyond the csv module's limit, even on this one line
        cells = text.split(delimiter)
    where = f"파일의 {number + 1}번째 줄"
    if "field limit" in error:
        problem = LineProblem("csv-field-too-long", f"한 칸의 내용이 너무 깁니다 ({csv.field_size_limit():,}자 초과, {where})",
                              '닫히지 않은 따옴표(")가 있는지 확인하고, 긴 내용은 줄이세요')
    elif "expected after" in error:
        problem = LineProblem("csv-quote", f'닫는 따옴표(") 뒤에 구분 문자가 없습니다 ({where})', FIX_QUOTE)
    else:
        problem = LineProblem("csv-quote", f'따옴표(")가 닫히지 않았습니다 ({where})', FIX_QUOTE, max(len(cells) - 1, 0))
    return Record(number, number, cells, [problem])


def _control_cells(record: Record) -> None:
    """A control byte is a damaged cell: reject that cell, keep the rest of the file."""
    for col, cell in enumerate(record.cells):
        if match := CONTROL.search(cell):
            code = ord(match.group())
            name = "NUL, 0x00" if code == 0 else f"0x{code:02X}"
            record.problems.append(LineProblem(
                "control-char", f"보이지 않는 제어 문자({name})가 들어 있습니다 (파일의 {record.first + 1}번째 줄)",
                "이 칸의 값을 지우고 다시 입력한 뒤 저장하세요", col))
