"""Build legacy and odd containers byte by byte, so tests need no writer for them.

No installed library writes .xls (BIFF8) or a bare CFB container, so these produce
the smallest files calamine and olefile accept: one CFB v3 stream of at least 4096
bytes (no mini stream) holding a BIFF8 workbook with LABEL/NUMBER/MERGEDCELLS records.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def make_xls(path: Path, sheet: str, cells: dict[tuple[int, int], str | float], merged: tuple = ()) -> Path:
    """Write a one-sheet .xls; ``merged`` holds (r1, c1, r2, c2) inclusive ranges."""
    path.write_bytes(make_cfb("Workbook", _biff8(sheet, cells, merged)))
    return path


def make_cfb(stream_name: str, data: bytes) -> bytes:
    """A CFB v3 file with one root stream; ``data`` is padded to 4096 bytes."""
    data = data.ljust(4096, b"\0")
    sectors = -(-len(data) // 512)
    fat = [FATSECT, ENDOFCHAIN] + [3 + i for i in range(sectors - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<9I", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108
    directory = _entry("Root Entry", 5, 1, ENDOFCHAIN, 0) + _entry(stream_name, 2, NOSTREAM, 2, len(data))
    directory += _entry("", 0, NOSTREAM, 0, 0) * 2
    return header + struct.pack("<128I", *fat) + directory + data.ljust(sectors * 512, b"\0")


def make_ods(path: Path, rows: list[list[str]]) -> Path:
    """A minimal OpenDocument spreadsheet with string cells."""
    body = "".join(
        "<table:table-row>"
        + "".join(f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="시트1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    return path


def _entry(name: str, etype: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), etype, 1, NOSTREAM, NOSTREAM, child)
        + bytes(20 + 16)
        + struct.pack("<IQ", start, size)
    )


def _record(rtype: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _biff8(name: str, cells: dict[tuple[int, int], str | float], merged: tuple) -> bytes:
    sheet = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, 100, 0, 100, 0))
    for (r, c), v in cells.items():
        if isinstance(v, str):
            sheet += _record(0x0204, struct.pack("<HHHHB", r, c, 0, len(v), 1) + v.encode("utf-16-le"))
        else:
            sheet += _record(0x0203, struct.pack("<HHHd", r, c, 0, v))
    if merged:
        refs = b"".join(struct.pack("<HHHH", r1, r2, c1, c2) for r1, c1, r2, c2 in merged)
        sheet += _record(0x00E5, struct.pack("<H", len(merged)) + refs)
    sheet += _record(0x000A)

    def workbook_globals(sheet_offset: int) -> bytes:
        boundsheet = struct.pack("<IBBBB", sheet_offset, 0, 0, len(name), 1) + name.encode("utf-16-le")
        return _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + _record(0x0085, boundsheet) + _record(0x000A)

    return workbook_globals(len(workbook_globals(0))) + sheet
