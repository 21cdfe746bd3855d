"""check_file on real hostile files: every problem is a Korean InputFileError, never a crash."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sheetmaker import make_cfb, make_ods, make_xls

from mallbatch.errors import InputFileError
from mallbatch.sheets.guard import (
    CFB_MAGIC,
    FIX_CORRUPT,
    FIX_ENCRYPTED,
    FIX_FORMAT,
    FIX_RESAVE,
    MSG_CORRUPT,
    MSG_ENCRYPTED,
    MSG_NOT_SHEET,
    EncryptedFileError,
    Limits,
    check_file,
)

LIMITS = Limits()
MSG_BOMB = "압축을 풀면 크기가 비정상적으로 커지는 파일입니다 (최대 500MB)"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["주문번호", "수량"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def raised(path: Path, limits: Limits = LIMITS) -> tuple[str, str]:
    with pytest.raises(InputFileError) as info:
        check_file(path, limits)
    return info.value.message, info.value.fix


def test_real_formats_are_detected_by_content(tmp_path: Path) -> None:
    assert check_file(write(tmp_path / "a.xlsx", xlsx_bytes()), LIMITS) == "xlsx"
    assert check_file(write(tmp_path / "a.xlsm", xlsx_bytes()), LIMITS) == "xlsx"
    # Malls often export xlsx content under an .xls or .csv name: content wins
    assert check_file(write(tmp_path / "misnamed.xls", xlsx_bytes()), LIMITS) == "xlsx"
    assert check_file(write(tmp_path / "misnamed.csv", xlsx_bytes()), LIMITS) == "xlsx"
    assert check_file(make_xls(tmp_path / "old.xls", "시트", {(0, 0): "a"}), LIMITS) == "xls"
    assert check_file(make_ods(tmp_path / "a.ods", [["a"]]), LIMITS) == "ods"


def test_text_is_csv_only_with_a_text_extension(tmp_path: Path) -> None:
    assert check_file(write(tmp_path / "a.csv", "주문번호,수량\n1,2\n".encode("cp949")), LIMITS) == "csv"
    assert check_file(write(tmp_path / "a.txt", "a\tb\n".encode("utf-8-sig")), LIMITS) == "csv"
    assert check_file(write(tmp_path / "a.csv", "주문,수량\n".encode("utf-16")), LIMITS) == "csv"
    assert raised(write(tmp_path / "fake.xlsx", b"order,qty\n1,2\n")) == (
        "확장자는 .xlsx이지만 실제 내용은 엑셀이 아닌 텍스트 파일입니다",
        FIX_RESAVE,
    )
    assert raised(write(tmp_path / "noext", b"<html><table></table></html>"))[0] == (
        "확장자는 (없음)이지만 실제 내용은 엑셀이 아닌 텍스트 파일입니다"
    )


def test_empty_missing_too_big_and_binary_files(tmp_path: Path) -> None:
    assert raised(write(tmp_path / "empty.xlsx", b"")) == (
        "빈 파일입니다 (0바이트)",
        "파일 복사가 끝났는지 확인하고 내용을 저장한 뒤 다시 넣어 주세요",
    )
    assert raised(tmp_path / "gone.xlsx") == ("파일을 열 수 없습니다", "다른 프로그램에서 사용 중이면 닫은 뒤 다시 넣어 주세요")
    big = write(tmp_path / "big.csv", b"a," * (2**20 // 2 + 1))
    assert raised(big, Limits(max_bytes=2**20)) == ("파일이 너무 큽니다 (1.0MB, 최대 1MB)", "파일을 여러 개로 나누어 넣어 주세요")
    assert raised(write(tmp_path / "photo.xlsx", PNG)) == (MSG_NOT_SHEET, FIX_FORMAT)
    assert raised(write(tmp_path / "photo.csv", PNG)) == (MSG_NOT_SHEET, FIX_FORMAT)


def test_truncated_xlsx_is_reported_as_still_copying(tmp_path: Path) -> None:
    data = xlsx_bytes()
    assert raised(write(tmp_path / "half.xlsx", data[: len(data) // 2])) == (MSG_CORRUPT, FIX_CORRUPT)
    # A pre-allocated copy: full length, but the tail (central directory) still zeros
    assert raised(write(tmp_path / "prealloc.xlsx", data[:-200] + bytes(200))) == (MSG_CORRUPT, FIX_CORRUPT)


def test_zip_that_is_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert raised(path) == (MSG_NOT_SHEET, FIX_FORMAT)


def test_zip_bomb_too_many_entries(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(LIMITS.max_zip_entries):
            zf.writestr(f"xl/x{i}.xml", "")
    assert raised(path) == ("파일 내부 항목이 너무 많습니다 (5001개, 최대 5000개)", FIX_RESAVE)


def test_zip_bomb_compression_ratio(tmp_path: Path) -> None:
    path = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", bytes(10 * 2**20))  # ~10 KB compressed, ratio ~1000
    assert raised(path) == (MSG_BOMB, FIX_RESAVE)


def test_zip_bomb_declared_size(tmp_path: Path) -> None:
    data = bytearray(xlsx_bytes())
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 0xFFFFFF00)  # uncompressed size of the first entry
    assert raised(write(tmp_path / "declared.xlsx", bytes(data))) == (MSG_BOMB, FIX_RESAVE)
    total = raised(write(tmp_path / "total.xlsx", xlsx_bytes()), Limits(max_uncompressed=2000))
    assert total == ("압축을 풀면 크기가 비정상적으로 커지는 파일입니다 (최대 0MB)", FIX_RESAVE)


@pytest.mark.parametrize("name", ["../evil.xml", "xl/../../evil.xml", "/etc/passwd", "\\evil.xml", "C:/evil.xml"])
def test_zip_with_escaping_names(tmp_path: Path, name: str) -> None:
    path = tmp_path / "slip.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr(zipfile.ZipInfo(name), "x")
    assert raised(path) == ("파일 내부에 허용되지 않는 경로가 있습니다", FIX_RESAVE)


def test_password_protected_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    with path.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(xlsx_bytes())).encrypt("1234", out)
    with pytest.raises(EncryptedFileError) as info:
        check_file(path, LIMITS)
    assert (info.value.message, info.value.fix) == (MSG_ENCRYPTED, FIX_ENCRYPTED)
    assert FIX_ENCRYPTED == "암호를 해제하고 다시 저장하거나 config.toml [read] passwords 에 암호를 추가하세요"


def test_cfb_containers_other_than_workbooks(tmp_path: Path) -> None:
    assert raised(write(tmp_path / "doc.xls", make_cfb("WordDocument", b"x"))) == (MSG_NOT_SHEET, FIX_FORMAT)
    assert raised(write(tmp_path / "broken.xls", CFB_MAGIC + bytes(600))) == (MSG_CORRUPT, FIX_CORRUPT)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06", CFB_MAGIC, b"\xef\xbb\xbf", b"\xff\xfe"]),
    body=st.binary(max_size=2000),
    ext=st.sampled_from([".xlsx", ".xls", ".csv", ".txt", ""]),
)
def test_random_bytes_never_crash(tmp_path: Path, prefix: bytes, body: bytes, ext: str) -> None:
    path = write(tmp_path / f"random{ext}", prefix + body)
    try:
        assert check_file(path, LIMITS) in {"xlsx", "xls", "ods", "csv"}
    except InputFileError as exc:
        assert exc.message


def test_xlsb_is_named_and_the_seller_told_how_to_save_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "주문.xlsb"
    with zipfile.ZipFile(path, "w") as zf:  # the parts Excel writes for a binary workbook
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")
        zf.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    message, fix = raised(path)
    assert message == "Excel 바이너리 통합 문서(.xlsb)는 읽을 수 없습니다"
    assert "다른 이름으로 저장" in fix and "Excel 통합 문서(*.xlsx)" in fix
