"""Decide what a dropped file really is before any parser touches it.

Parsers (calamine, openpyxl) trust their input: a half-copied zip, a zip bomb or an
encrypted container reaches them as a crash or as gigabytes of memory.  Every check
here is cheap, reads at most the file's headers and zip directory, and turns each
problem into an :class:`~mallbatch.errors.InputFileError` the seller can act on.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import olefile  # installed with msoffcrypto-tool, which needs it for the same containers

from mallbatch.errors import InputFileError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv"}
MIB = 2**20
# Small entries (styles, rels) legitimately compress beyond any ratio; only big ones can bomb.
RATIO_MIN_BYTES = MIB
TEXT_SNIFF_BYTES = 64 * 1024
# Control bytes that never occur in CSV text (tab, LF, FF, CR and ESC are tolerated).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

FIX_RESAVE = "엑셀에서 파일을 열어 'Excel 통합 문서(*.xlsx)' 형식으로 다시 저장한 뒤 넣어 주세요"
FIX_FORMAT = "엑셀(.xlsx, .xls) 또는 CSV 파일만 넣어 주세요"
MSG_CORRUPT = "파일이 손상되었거나 아직 복사 중입니다"
FIX_CORRUPT = "복사가 끝났는지 확인하고, 엑셀에서 열리는지 확인한 뒤 다시 넣어 주세요"
MSG_ENCRYPTED = "암호가 걸린 파일입니다"
FIX_ENCRYPTED = "암호를 해제하고 다시 저장하거나 config.toml [read] passwords 에 암호를 추가하세요"
MSG_NOT_SHEET = "엑셀 파일이 아닙니다"
MSG_XLSB = "Excel 바이너리 통합 문서(.xlsb)는 읽을 수 없습니다"
FIX_XLSB = "엑셀에서 파일을 열고 [파일] → [다른 이름으로 저장]에서 파일 형식을 'Excel 통합 문서(*.xlsx)'로 골라 저장한 뒤 넣어 주세요"


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one upload may cost to open."""

    max_bytes: int = 50 * MIB
    max_zip_entries: int = 5000
    max_uncompressed: int = 500 * MIB
    max_ratio: int = 300


class EncryptedFileError(InputFileError):
    """The file is an encrypted OOXML container; a configured password may open it."""

    def __init__(self, message: str = MSG_ENCRYPTED, fix: str = FIX_ENCRYPTED) -> None:
        super().__init__(message, fix)


def check_file(path: Path, limits: Limits) -> str:
    """Return the real format of ``path``: ``"xlsx"``, ``"ods"``, ``"xls"`` or ``"csv"``.

    The extension is only trusted to tell CSV text from a mislabelled file; zip and
    CFB containers are recognised by content whatever they are called.  Raises
    :class:`EncryptedFileError` for password-protected workbooks and
    :class:`InputFileError` for everything else that cannot be read.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(TEXT_SNIFF_BYTES)
    except OSError as exc:
        raise InputFileError("파일을 열 수 없습니다", "다른 프로그램에서 사용 중이면 닫은 뒤 다시 넣어 주세요") from exc
    if size == 0:
        raise InputFileError("빈 파일입니다 (0바이트)", "파일 복사가 끝났는지 확인하고 내용을 저장한 뒤 다시 넣어 주세요")
    if size > limits.max_bytes:
        raise InputFileError(
            f"파일이 너무 큽니다 ({size / MIB:.1f}MB, 최대 {limits.max_bytes / MIB:.0f}MB)",
            "파일을 여러 개로 나누어 넣어 주세요",
        )
    if head.startswith(ZIP_MAGIC):
        with open_zip(path) as zf:
            return check_zip(zf, limits)
    if head.startswith(CFB_MAGIC):
        return _check_cfb(path)
    if _looks_like_text(head):
        ext = path.suffix.lower()
        if ext in TEXT_EXTENSIONS:
            return "csv"
        raise InputFileError(f"확장자는 {ext or '(없음)'}이지만 실제 내용은 엑셀이 아닌 텍스트 파일입니다", FIX_RESAVE)
    raise InputFileError(MSG_NOT_SHEET, FIX_FORMAT)


def open_zip(source: Path | IO[bytes]) -> zipfile.ZipFile:
    """Open a zip, turning every way a damaged archive fails into one seller message."""
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise InputFileError(MSG_CORRUPT, FIX_CORRUPT) from exc


def check_zip(zf: zipfile.ZipFile, limits: Limits) -> str:
    """Bound a zip container's declared contents and tell xlsx from ods.

    Python's zipfile stops each entry at its declared size, so checking the declared
    sizes bounds our own XML scan; calamine has no such guard, so this is its only one.
    """
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise InputFileError(
            f"파일 내부 항목이 너무 많습니다 ({len(infos)}개, 최대 {limits.max_zip_entries}개)", FIX_RESAVE
        )
    total = 0
    for info in infos:
        if _unsafe_name(info.filename):
            raise InputFileError("파일 내부에 허용되지 않는 경로가 있습니다", FIX_RESAVE)
        total += info.file_size
        bombish = info.file_size >= RATIO_MIN_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1)
        if bombish or total > limits.max_uncompressed:
            raise InputFileError(
                f"압축을 풀면 크기가 비정상적으로 커지는 파일입니다 (최대 {limits.max_uncompressed / MIB:.0f}MB)",
                FIX_RESAVE,
            )
    names = set(zf.namelist())
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise InputFileError(MSG_XLSB, FIX_XLSB)
    if "mimetype" in names and zf.getinfo("mimetype").file_size < 100:
        try:
            mimetype = zf.read("mimetype")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise InputFileError(MSG_CORRUPT, FIX_CORRUPT) from exc
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return "ods"
    raise InputFileError(MSG_NOT_SHEET, FIX_FORMAT)


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]


def _check_cfb(path: Path) -> str:
    """A CFB container is either a legacy .xls or an encrypted OOXML package."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
    except Exception as exc:  # olefile signals damage with many exception types
        raise InputFileError(MSG_CORRUPT, FIX_CORRUPT) from exc
    if "EncryptedPackage" in streams:
        raise EncryptedFileError()
    if streams & {"Workbook", "Book"}:
        return "xls"
    raise InputFileError(MSG_NOT_SHEET, FIX_FORMAT)


def _looks_like_text(head: bytes) -> bool:
    """True if the first bytes are UTF-16 (with BOM) text, or lines of UTF-8 or CP949 text.

    Judged line by line: one damaged line (a NUL, a stray byte, a line pasted in another
    encoding) must not make a whole CSV "not a spreadsheet" — the reader names that line.
    A binary file has almost no clean lines.
    """
    if head.startswith(_TEXT_BOMS):
        return True
    lines = [line for line in head.split(b"\n") if line.strip(b"\r")]
    last = len(lines) - 1
    clean = sum(1 for n, line in enumerate(lines) if _text_line(line, final=n < last or len(head) < TEXT_SNIFF_BYTES))
    bad = len(lines) - clean
    return clean > 0 and bad <= max(1, len(lines) // 10)


def _text_line(line: bytes, final: bool) -> bool:
    if _BINARY_BYTES.search(line):
        return False
    for encoding in ("utf-8", "cp949"):
        try:
            # final=False for the sniffed chunk's last line: it may end in the middle of a character
            codecs.getincrementaldecoder(encoding)().decode(line, final=final)
        except UnicodeDecodeError:
            continue
        return True
    return False
