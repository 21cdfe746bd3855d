"""Read any seller workbook or CSV into plain text cells, with nothing interpreted.

Everything is text here: identifiers, phone numbers and dates are parsed later,
explicitly, by :mod:`mallbatch.sheets.normalize`, because guessing types at read time
is what destroys leading zeros and long order numbers.  Reading goes through
python-calamine (5-20x faster than openpyxl); the only thing calamine cannot tell
us — a formula that has no cached result — is found by scanning the sheet XML.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import msoffcrypto
import python_calamine
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from msoffcrypto.exceptions import InvalidKeyError

from mallbatch.errors import InputFileError
from mallbatch.sheets.csvfile import LineProblem, read_records
from mallbatch.sheets.sparse import DENSE_FACTOR, EMPTY_ROW, dense_is_safe, read_sparse
from mallbatch.sheets.guard import (
    FIX_CORRUPT,
    FIX_RESAVE,
    MSG_CORRUPT,
    MSG_ENCRYPTED,
    EncryptedFileError,
    Limits,
    check_file,
    check_zip,
    open_zip,
)

META_SHEET = "_mallbatch"
MSG_UNREADABLE = "엑셀 파일 내용을 읽을 수 없습니다"
_XML_ERRORS = (ParseError, DefusedXmlException, ValueError, KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error)
# A formula element, with or without a namespace prefix (<f>, <x:f>, <f t="shared"/>).
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_CHUNK = 2**20
PAD_FLOOR = 2**16  # cells of padding any sheet may get, however sparse


@dataclass
class RawSheet:
    """One sheet as a rectangle of text; coordinates are 0-based from A1."""

    name: str
    rows: list[list[str]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # inclusive (r1, c1, r2, c2)
    formula_missing: set[tuple[int, int]] = field(default_factory=set)  # formula cells without a cached value
    problems: dict[int, list[LineProblem]] = field(default_factory=dict)  # row index → why that row cannot be trusted


@dataclass
class RawBook:
    """A whole input file; ``meta`` comes from the hidden ``_mallbatch`` sheet of our templates."""

    path: Path
    format: str
    sheets: list[RawSheet]
    meta: dict[str, str]


def read_book(path: Path, limits: Limits, passwords: Sequence[str] = ()) -> RawBook:
    """Check, then read ``path``; every failure is an :class:`InputFileError`."""
    source: Path | IO[bytes] = path
    try:
        fmt = check_file(path, limits)
    except EncryptedFileError:
        if not passwords:
            raise
        source = _decrypt(path, passwords)
        with open_zip(source) as zf:
            fmt = check_zip(zf, limits)
    if fmt == "csv":
        return RawBook(path, fmt, [_read_csv(path)], {})
    sparse: dict[str, str] = {}
    if fmt == "xlsx":
        with open_zip(source) as zf:
            missing = _formulas_without_value(zf)
            sparse = _sparse_sheets(zf)
    sheets = _read_calamine(source, sparse)
    if fmt == "xlsx":
        for sheet in sheets:
            sheet.formula_missing = missing.get(sheet.name, set())
    meta_sheets = [s for s in sheets if s.name == META_SHEET]
    meta = {row[0].strip(): row[1] for s in meta_sheets for row in s.rows if len(row) > 1 and row[0].strip()}
    return RawBook(path, fmt, [s for s in sheets if s.name != META_SHEET], meta)


def cell_text(value: object) -> str:
    """Turn a calamine cell value into the text a seller sees in Excel.

    Floats are the dangerous case: integral values lose their ".0", 16+ digit numbers
    keep Excel's lossy scientific form so the code normaliser can reject them, and
    binary artefacts (274.65999999999997) are rounded to Excel's 15 digits.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        if value.microsecond >= 500_000 and value.year < 9999:
            value += dt.timedelta(seconds=1)  # serial floats give 09:29:59.999999 for 09:30
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return str(value)


def _float_text(value: float) -> str:
    if -1e15 < value < 1e15:  # False for NaN and infinities
        if value.is_integer():
            return str(int(value))
        text = f"{value:.15g}"
        return format(Decimal(text), "f") if "e" in text else text  # 1e-05 → 0.00001
    if not math.isfinite(value):
        return "#NUM!"  # what Excel shows; calamine never produces it, but never crash
    mantissa, exponent = f"{value:.14E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"


def _decrypt(path: Path, passwords: Sequence[str]) -> io.BytesIO:
    """Decrypt an encrypted OOXML package in memory with the first password that fits."""
    for password in passwords:
        try:
            with path.open("rb") as f:
                office = msoffcrypto.OfficeFile(f)
                office.load_key(password=password, verify_password=True)
                out = io.BytesIO()
                office.decrypt(out)
        except InvalidKeyError:
            continue
        except Exception as exc:  # msoffcrypto reports damage with assorted exception types
            raise InputFileError(MSG_CORRUPT, FIX_CORRUPT) from exc
        out.seek(0)
        return out
    raise EncryptedFileError(f"{MSG_ENCRYPTED} (설정된 암호 {len(passwords)}개가 모두 맞지 않습니다)")


def _sparse_sheets(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member for sheets too sparse for calamine's rectangle."""
    try:
        return {name: member for name, member in _sheet_members(zf).items() if not dense_is_safe(zf, member)}
    except _XML_ERRORS as exc:
        raise InputFileError(MSG_UNREADABLE, FIX_RESAVE) from exc


def _read_calamine(source: Path | IO[bytes], sparse: dict[str, str]) -> list[RawSheet]:
    try:
        if isinstance(source, Path):
            book = python_calamine.CalamineWorkbook.from_path(str(source))
        else:
            source.seek(0)  # the zip checks left the buffer anywhere
            book = python_calamine.CalamineWorkbook.from_filelike(source)
        with book:
            sheets = []
            for info in book.sheets_metadata:
                if info.typ != python_calamine.SheetTypeEnum.WorkSheet:
                    continue  # chart and macro sheets hold no rows
                if info.name in sparse:
                    if not isinstance(source, Path):
                        source.seek(0)
                    rows, merged = read_sparse(source, sparse[info.name])
                    sheets.append(RawSheet(info.name, _text_rows(rows), merged))
                    continue
                sheet = book.get_sheet_by_name(info.name)
                merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []]
                sheets.append(RawSheet(info.name, _text_rows(sheet.to_python(skip_empty_area=False)), merged))
            return sheets
    except python_calamine.PasswordError as exc:
        raise EncryptedFileError() from exc
    except Exception as exc:  # calamine raises its own errors but also ValueError/OverflowError on odd files
        raise InputFileError(MSG_UNREADABLE, FIX_RESAVE) from exc


def _text_rows(data: list[list[Any]]) -> list[list[str]]:
    """Convert cells to text and drop trailing empty rows/columns; pad to a rectangle only
    when that costs no more than the cells themselves (a stray far cell must not)."""
    # Exact-type fast paths: this loop runs once per cell (800k cells for 100k orders)
    rows = [
        [v if type(v) is str else _float_text(v) if type(v) is float else cell_text(v) for v in row]  # noqa: E721
        if row else EMPTY_ROW
        for row in data
    ]
    for row in rows:
        while row and not row[-1]:
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    filled = sum(map(len, rows))
    width = max(map(len, rows), default=0)
    if width * len(rows) <= DENSE_FACTOR * filled + PAD_FLOOR:
        rows = [row + [""] * (width - len(row)) if len(row) < width else row for row in rows]
    return rows


def _read_csv(path: Path) -> RawSheet:
    """Korean CSVs come as UTF-8 (often with BOM), CP949 from older Excel, or UTF-16."""
    records = read_records(path.read_bytes())
    problems = {index: r.problems for index, r in enumerate(records) if r.problems}
    return RawSheet(path.stem, _text_rows([r.cells for r in records]), problems=problems)


def _formulas_without_value(zf: zipfile.ZipFile) -> dict[str, set[tuple[int, int]]]:
    """Map sheet name → cells holding a formula but no cached value.

    Files written by openpyxl/xlsxwriter and never opened in Excel have no results,
    and calamine silently reports those cells as empty.
    """
    try:
        found = {}
        for name, member in _sheet_members(zf).items():
            if _has_formula(zf, member):
                with zf.open(member) as stream:
                    found[name] = _scan_formulas(stream)
        return found
    except _XML_ERRORS as exc:
        raise InputFileError(MSG_UNREADABLE, FIX_RESAVE) from exc


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member, via workbook.xml and its relationships."""
    targets = {}
    for el in SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels")).iter():
        if _local(el.tag) == "Relationship" and el.get("Target"):
            target = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            targets[el.get("Id")] = path
    members = {}
    for el in SafeET.fromstring(zf.read("xl/workbook.xml")).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                members[el.get("name", "")] = targets[rid]
    return members


def _has_formula(zf: zipfile.ZipFile, member: str) -> bool:
    """Cheap streaming pre-check so formula-free sheets are never XML-parsed."""
    tail = b""
    with zf.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _scan_formulas(stream: IO[bytes]) -> set[tuple[int, int]]:
    missing: set[tuple[int, int]] = set()
    row = col = -1
    has_f = has_v = False
    sheet_data = None
    for event, el in SafeET.iterparse(stream, events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "sheetData":
                sheet_data = el
            elif tag == "row":
                row, col = (int(el.get("r", "0")) - 1 if el.get("r") else row + 1), -1
            elif tag == "c":
                row, col = _position(el.get("r"), row, col + 1)
                has_f = has_v = False
        elif tag == "f":
            has_f = True
        elif tag == "v":
            has_v = bool(el.text)
        elif tag == "c" and has_f and not has_v:
            missing.add((row, col))
        elif tag == "row" and sheet_data is not None:
            sheet_data.clear()  # keep memory flat on big sheets
    return missing


def _position(ref: str | None, row: int, next_col: int) -> tuple[int, int]:
    """0-based (row, col) of a cell; the ``r`` attribute is optional in OOXML."""
    match = _CELL_REF.fullmatch(ref or "")
    if not match:
        return row, next_col
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
