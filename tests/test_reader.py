"""read_book and cell_text on a hostile corpus written to disk by the tests themselves."""

from __future__ import annotations

import codecs
import datetime as dt
import unicodedata
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sheetmaker import make_ods, make_xls

from mallbatch.errors import InputFileError
from mallbatch.sheets.guard import FIX_ENCRYPTED, FIX_RESAVE, MSG_ENCRYPTED, EncryptedFileError, Limits, check_file
from mallbatch.sheets.reader import MSG_UNREADABLE, RawSheet, cell_text, read_book

LIMITS = Limits()
NFD_NAME = unicodedata.normalize("NFD", "홍길동")


def hostile_workbook(path: Path) -> Path:
    """What sellers really send: numbers where text belongs, merges, formulas, payloads."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "주문"
    ws.append(["주문번호", "전화", "우편번호", "주문일", "금액", "메모", "합계"])
    ws.append([123456789012345678, 1012345678, 4524, 45413, 274.65999999999997, "=HYPERLINK(\"http://x\")", "=E2*2"])
    ws["F2"].data_type = "s"  # keep the payload as text, as a seller's typed memo would be
    ws.append(["１２３４５", "010-1234-5678", "06236", dt.datetime(2024, 5, 1, 9, 30), True, NFD_NAME, "=E3*2"])
    ws.append([dt.date(2024, 5, 2), dt.time(14, 5), dt.timedelta(hours=30), 45413.5, -0.5, None, None])
    ws.merge_cells("A6:B7")
    ws["A6"] = "병합"
    ws["Z50"].number_format = "@"  # styled but empty: must not widen the sheet
    meta = wb.create_sheet("_mallbatch")
    meta.sheet_state = "hidden"
    meta.append(["kind", "orders"])
    meta.append(["version", 3])
    meta.append([None, "ignored"])
    wb.create_sheet("빈 시트")
    wb.save(path)
    return path


def encrypted(tmp_path: Path, password: str) -> Path:
    plain = hostile_workbook(tmp_path / "plain.xlsx")
    path = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, path.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt(password, out)
    return path


EXPECTED_ROWS = [
    ["주문번호", "전화", "우편번호", "주문일", "금액", "메모", "합계"],
    ["1.23456789012346E+17", "1012345678", "4524", "45413", "274.66", '=HYPERLINK("http://x")', ""],
    ["１２３４５", "010-1234-5678", "06236", "2024-05-01 09:30:00", "TRUE", NFD_NAME, ""],
    ["2024-05-02", "14:05:00", "1 day, 6:00:00", "45413.5", "-0.5", "", ""],
    ["", "", "", "", "", "", ""],
    ["병합", "", "", "", "", "", ""],
]


def test_hostile_xlsx_reads_as_text(tmp_path: Path) -> None:
    book = read_book(hostile_workbook(tmp_path / "주문.xlsx"), LIMITS)
    assert book.format == "xlsx"
    assert [s.name for s in book.sheets] == ["주문", "빈 시트"]
    assert book.meta == {"kind": "orders", "version": "3"}
    sheet = book.sheets[0]
    assert sheet.rows == EXPECTED_ROWS
    assert sheet.rows[2][5] != "홍길동"  # decomposed Hangul arrives untouched; normalize.text composes it
    assert sheet.merged == [(5, 0, 6, 1)]
    assert sheet.formula_missing == {(1, 6), (2, 6)}
    assert book.sheets[1] == RawSheet("빈 시트", [], [], set())


def test_formula_scan_uses_workbook_rels_and_cached_values(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "계산없음"
    wb.active["C3"] = "=1+1"
    wb.create_sheet("값").append([1])
    wb.move_sheet("값", offset=-1)  # sheet order differs from sheetN.xml numbering
    wb.save(tmp_path / "f.xlsx")
    # Re-pack with a cached value for one formula, as Excel itself would save it
    src, path = tmp_path / "f.xlsx", tmp_path / "cached.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
            zout.writestr(item, data)
    assert {s.name: s.formula_missing for s in read_book(src, LIMITS).sheets} == {"값": set(), "계산없음": {(2, 2)}}
    cached = read_book(path, LIMITS).sheets
    assert {s.name: s.formula_missing for s in cached} == {"값": set(), "계산없음": set()}
    assert cached[1].rows[2] == ["", "", "2"]


def test_header_only_and_empty_workbooks(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["상품코드", "재고"])
    wb.save(tmp_path / "one.xlsx")
    assert read_book(tmp_path / "one.xlsx", LIMITS).sheets == [RawSheet("Sheet", [["상품코드", "재고"]], [], set())]
    openpyxl.Workbook().save(tmp_path / "none.xlsx")
    book = read_book(tmp_path / "none.xlsx", LIMITS)
    assert (book.sheets, book.meta) == ([RawSheet("Sheet", [], [], set())], {})


def test_password_protected_xlsx(tmp_path: Path) -> None:
    path = encrypted(tmp_path, "비밀1234")
    book = read_book(path, LIMITS, passwords=["wrong", "비밀1234"])
    assert (book.format, book.sheets[0].rows, book.meta["kind"]) == ("xlsx", EXPECTED_ROWS, "orders")
    assert book.sheets[0].formula_missing == {(1, 6), (2, 6)}
    with pytest.raises(EncryptedFileError) as none:
        read_book(path, LIMITS)
    assert (none.value.message, none.value.fix) == (MSG_ENCRYPTED, FIX_ENCRYPTED)
    with pytest.raises(EncryptedFileError) as wrong:
        read_book(path, LIMITS, passwords=["0000", "1111"])
    assert wrong.value.message == "암호가 걸린 파일입니다 (설정된 암호 2개가 모두 맞지 않습니다)"


def test_decrypted_content_is_guarded_too(tmp_path: Path) -> None:
    path = encrypted(tmp_path, "pw")
    with pytest.raises(InputFileError) as info:
        read_book(path, Limits(max_uncompressed=2000), passwords=["pw"])
    assert info.value.message == "압축을 풀면 크기가 비정상적으로 커지는 파일입니다 (최대 0MB)"


def test_legacy_xls(tmp_path: Path) -> None:
    cells = {(0, 0): "주문번호", (0, 1): "전화", (1, 0): "2024050112345", (1, 1): 1012345678.0, (2, 0): "병합"}
    path = make_xls(tmp_path / "이지어드민.xls", "주문", cells, merged=((2, 0, 3, 1),))
    book = read_book(path, LIMITS)
    assert (book.format, book.meta) == ("xls", {})
    assert book.sheets == [
        RawSheet("주문", [["주문번호", "전화"], ["2024050112345", "1012345678"], ["병합", ""]], [(2, 0, 3, 1)], set())
    ]


def test_ods(tmp_path: Path) -> None:
    book = read_book(make_ods(tmp_path / "a.ods", [["상품명", "가격"], ["양말", "1000"]]), LIMITS)
    assert (book.format, book.sheets) == ("ods", [RawSheet("시트1", [["상품명", "가격"], ["양말", "1000"]], [], set())])


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cp949.csv", "주문번호,수취인,,\r\n0012345,홍길동,,\r\n,,,\r\n\r\n".encode("cp949")),
        ("bom.csv", "주문번호,수취인\n0012345,홍길동\n".encode("utf-8-sig")),
        ("plain.csv", "주문번호,수취인\n0012345,홍길동\n".encode()),
        ("utf16.txt", "주문번호\t수취인\r\n0012345\t홍길동\r\n".encode("utf-16")),
        ("tabs.txt", "주문번호\t수취인\n0012345\t홍길동\n".encode("cp949")),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    book = read_book(path, LIMITS)
    assert (book.format, book.meta) == ("csv", {})
    assert book.sheets == [RawSheet(path.stem, [["주문번호", "수취인"], ["0012345", "홍길동"]], [], set())]


def test_csv_keeps_payloads_quoted_newlines_and_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "memo.csv"
    path.write_text('메모,수량\n"=1+1",1\n"줄1\n줄2",2,extra\n@SUM(A1)\n', encoding="utf-8")
    assert read_book(path, LIMITS).sheets[0].rows == [
        ["메모", "수량", ""],
        ["=1+1", "1", ""],
        ["줄1\n줄2", "2", "extra"],
        ["@SUM(A1)", "", ""],
    ]


def test_unreadable_csv_and_damaged_sheet_xml(tmp_path: Path) -> None:
    csv_path = tmp_path / "big-field.csv"
    csv_path.write_text('"' + "x" * 200_000 + '"\nok\n', encoding="utf-8")
    sheet = read_book(csv_path, LIMITS).sheets[0]  # that line is an error, the next one is read
    assert sheet.rows[1] == ["ok"]
    assert [p.message for p in sheet.problems[0]] == ["한 칸의 내용이 너무 깁니다 (131,072자 초과, 파일의 1번째 줄)"]
    src, broken = hostile_workbook(tmp_path / "ok.xlsx"), tmp_path / "broken.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():
            is_sheet = item.filename == "xl/worksheets/sheet1.xml"
            zout.writestr(item, b"<worksheet><sheetData><row>" if is_sheet else zin.read(item))
    with pytest.raises(InputFileError) as info:
        read_book(broken, LIMITS)
    assert (info.value.message, info.value.fix) == (MSG_UNREADABLE, FIX_RESAVE)


def test_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("주문,수량\n".encode("cp949") * 10_000 + b"\xff\xff\n")
    assert check_file(path, LIMITS) == "csv"  # the sniffed head is CP949 text, the whole file is not
    sheet = read_book(path, LIMITS).sheets[0]
    assert len(sheet.rows) == 10_001 and sheet.rows[0] == ["주문", "수량"]
    assert list(sheet.problems) == [10_000]
    assert sheet.problems[10_000][0].message == "글자로 읽을 수 없는 바이트(0xFF)가 있습니다 (파일의 10001번째 줄, 1번째 바이트)"
    path.write_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8a\x00")  # a lone surrogate: UTF-16 is all or nothing
    with pytest.raises(InputFileError) as info:
        read_book(path, LIMITS)
    assert info.value.message == "글자 인코딩을 알 수 없는 CSV 파일입니다 (UTF-16)"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("", ""),
        ("0012", "0012"),
        (True, "TRUE"),
        (False, "FALSE"),
        (7, "7"),
        (4524.0, "4524"),
        (-0.0, "0"),
        (999999999999999.0, "999999999999999"),
        (1e15, "1E+15"),
        (123456789012345678.0, "1.23456789012346E+17"),
        (-1e20, "-1E+20"),
        (274.65999999999997, "274.66"),
        (0.1 + 0.2, "0.3"),
        (1.5e-7, "0.00000015"),
        (float("nan"), "#NUM!"),
        (dt.date(2024, 5, 1), "2024-05-01"),
        (dt.datetime(2024, 5, 1, 9, 29, 59, 999_999), "2024-05-01 09:30:00"),
        (dt.datetime(2024, 5, 1, 9, 30, 0, 400_000), "2024-05-01 09:30:00"),
        (dt.time(9, 5, 7), "09:05:07"),
        (dt.timedelta(hours=30), "1 day, 6:00:00"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_cell_text_floats_match_excel_precision(value: float) -> None:
    text = cell_text(value)
    if abs(value) < 1e15 and value.is_integer():
        assert text == str(int(value))
    elif abs(value) < 1e15:
        assert float(text) == float(f"{value:.15g}")
        assert "e" not in text
    else:
        assert "E+" in text and float(text) == float(f"{value:.14E}")


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf"]),
    body=st.binary(max_size=1500),
    ext=st.sampled_from([".xlsx", ".xls", ".csv"]),
)
def test_read_book_random_bytes_never_crash(tmp_path: Path, prefix: bytes, body: bytes, ext: str) -> None:
    path = tmp_path / f"random{ext}"
    path.write_bytes(prefix + body)
    try:
        assert read_book(path, LIMITS).format in {"xlsx", "xls", "ods", "csv"}
    except InputFileError as exc:
        assert exc.message


def test_corrupted_real_xlsx_bytes_never_crash(tmp_path: Path) -> None:
    data = hostile_workbook(tmp_path / "src.xlsx").read_bytes()
    path = tmp_path / "flipped.xlsx"
    for offset in range(0, len(data), max(1, len(data) // 60)):
        path.write_bytes(data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :])
        try:
            read_book(path, LIMITS)
        except InputFileError as exc:
            assert exc.message
