"""상품 sheet rules (seed 001 §상품 등록 - 기본정보): one test per rule.

Each test writes a real workbook with a valid first row (Excel row 2) and, in Excel
row 3, a valid row with exactly one field broken, then asserts the one issue mallbatch
reports: sheet, Excel row, header, col_index, code and the Korean message.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest

from kindbook import assert_cell, col_index, errors, row_issues, validate, write_book
from mallbatch.examples import product_rows
from mallbatch.kinds.products import CERT_TYPES, NO_CERT, PRODUCTS
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.kinds.notices import NOTICE_GROUPS
from mallbatch.sheets.issues import ERROR, WARNING, Issue, Report
from mallbatch.sheets.rows import BookContext
from mallbatch.store import Store

GROUP = "쿠팡 기본"
STORE_GROUPS = {("coupang", "기본", GROUP)}
ROW = 3  # the broken row's Excel row number: header in 1, a valid row in 2
FASHION = "패션잡화(모자/벨트/액세서리)"
ELECTRIC_CERT = "전기용품 안전확인|KTL|SU071234-20001"


def plain(**changes: Any) -> dict[str, Any]:
    """A valid product without options (product_rows' first row), then ``changes``."""
    row = next(product_rows(1, [GROUP]))
    row.update(changes)
    return row


def optioned(**changes: Any) -> dict[str, Any]:
    """The kind's example under other codes: 조합형, 색상 × 골드,실버,로즈골드, 23,000원."""
    row = dict(PRODUCTS.example_rows[0], code="OP1001", model_name="OP-1001")
    row.update(changes)
    return row


def first_row() -> dict[str, Any]:
    return next(product_rows(1, [GROUP], prefix="A"))


def check(tmp_path: Path, broken: dict[str, Any], book: BookContext | None = None, drop: tuple[str, ...] = ()) -> Report:
    path = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, [first_row(), broken])], drop)
    return validate(path, book or BookContext(path, known_groups=set(STORE_GROUPS)))


def only(report: Report) -> Issue:
    """The single issue on the data rows; the first (valid) row has none."""
    issues = row_issues(report)
    assert len(issues) == 1, [(i.row, i.column, i.code, i.message) for i in issues]
    return issues[0]


def values(report: Report, excel_row: int = ROW) -> dict[str, Any]:
    return next(r.values for s in report.sheets for r in s.rows if r.excel_row == excel_row)


def jpeg(width: int, height: int) -> bytes:
    """The smallest bytes our JPEG parser reads: SOI, one SOF0 segment with the size, EOI."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + bytes([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"


# --- the baseline -----------------------------------------------------------------------------


def test_valid_rows_have_no_issues(tmp_path: Path) -> None:
    path = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, [first_row(), plain(), optioned()])])
    report = validate(path, BookContext(path, known_groups=set(STORE_GROUPS)))
    assert row_issues(report) == [] and report.valid
    assert [r.excel_row for r in report.sheets[0].rows] == [2, 3, 4]


# --- required columns, choices, lengths, types --------------------------------------------------


def test_required_cell_empty(tmp_path: Path) -> None:
    """One row per required column, each with only that cell empty (one workbook: fast)."""
    names = [c.name for c in PRODUCTS.required_columns if c.default is None]
    assert {"code", "name", "category", "maker", "brand", "notice", "detail", "main_image", "cost_price"} <= set(names)
    rows = [{**plain(code=f"R{index}"), name: ""} for index, name in enumerate(names)]
    path = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, rows)])
    issues = row_issues(validate(path, BookContext(path, known_groups=set(STORE_GROUPS))))
    assert len(issues) == len(names), [(i.row, i.column, i.message) for i in issues]
    for excel_row, (name, issue) in enumerate(zip(names, issues), start=2):
        assert_cell(issue, PRODUCTS, excel_row, name, "required", "필수 항목이 비어 있습니다")


def test_certs_empty_means_no_certification(tmp_path: Path) -> None:
    report = check(tmp_path, plain(certs=""))
    assert row_issues(report) == []
    assert values(report)["certs"] == NO_CERT


def test_required_column_missing_from_header(tmp_path: Path) -> None:
    drop = ("brand",)
    report = check(tmp_path, plain(), drop=drop)
    header = PRODUCTS.column("brand").header
    cell_issues = row_issues(report)
    assert [(i.row, i.column, i.col_index, i.code) for i in cell_issues] == [(2, header, None, "missing-column"), (ROW, header, None, "missing-column")]
    assert cell_issues[0].message == f"필수 열 '{header}'이(가) 없어 처리할 수 없습니다"
    sheet_level = report.sheets[0].issues
    assert [(i.row, i.column, i.code, i.message) for i in sheet_level] == [(1, header, "missing-column", f"필수 열 '{header}'이(가) 없습니다")]


def test_status_choice(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(status="판매보류")))
    assert_cell(issue, PRODUCTS, ROW, "status", "choices", "'판매보류'은(는) 고를 수 없는 값입니다")
    assert issue.fix == "다음 중 하나를 입력하세요: 판매가능, 판매불가"


@pytest.mark.parametrize(("name", "typed", "meant"), [
    ("tax_type", "과세상품", "과세"),
    ("tax_type", "비과세", "면세"),
    ("status", "판매중", "판매가능"),
    ("origin", "원산지표기대상아님", "원산지표시대상아님"),
    ("region", "전국 ", "전국"),
])
def test_choice_synonyms_accepted(tmp_path: Path, name: str, typed: str, meant: str) -> None:
    report = check(tmp_path, plain(**{name: typed}))
    assert row_issues(report) == []
    assert values(report)[name] == meant


@pytest.mark.parametrize(("name", "typed", "meant"), [
    ("status", "품절", "판매불가"),
    ("tax_type", "일반과세", "과세"),
    ("origin", "해당없음", "원산지표시대상아님"),
    ("region", "제주 제외", "전국(제주/도서산간지역제외)"),
])
def test_sellers_spellings_of_a_choice_are_read_with_a_warning(tmp_path: Path, name: str, typed: str, meant: str) -> None:
    report = check(tmp_path, plain(**{name: typed}))
    issue = only(report)
    assert_cell(issue, PRODUCTS, ROW, name, "normalised", f"'{typed}'을(를) '{meant}'(으)로 읽었습니다")
    assert issue.severity == WARNING and values(report)[name] == meant


def test_stock_hint_fits_a_count(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(stock="많음")))
    assert_cell(issue, PRODUCTS, ROW, "stock", "type", "정수가 아닙니다 (많음)")
    assert issue.fix == "100 처럼 숫자만 입력하세요"


def test_tax_type_choice(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(tax_type="부가세")))
    assert_cell(issue, PRODUCTS, ROW, "tax_type", "choices", "'부가세'은(는) 고를 수 없는 값입니다")


def test_notice_group_choice_names_the_closest_groups_and_other_goods(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(notice_group="부엌용품")))
    assert_cell(issue, PRODUCTS, ROW, "notice_group", "choices", "'부엌용품'은(는) 고를 수 없는 값입니다")
    assert issue.fix.startswith("비슷한 값: 주방용품, ") and "기타 재화" in issue.fix
    assert f"전체 {len(NOTICE_GROUPS)}개" in issue.fix


def test_notice_table_is_the_whole_gosi() -> None:
    """Every group of the 고시 is offered, 기타 재화 included, each with its fields."""
    for group in ("의류", "주방용품", "가구(침대/소파/싱크대/DIY제품)", "침구류/커튼", "소형전자(MP3/전자사전 등)",
                  "영상가전(TV류)", "계절가전(에어컨/온풍기)", "사무용기기(컴퓨터/노트북/프린터)", "휴대형 통신기기",
                  "자동차용품(자동차부품/기타 자동차용품)", "의료기기", "악기", "생활화학제품", "살생물제품",
                  "디지털 콘텐츠(음원/게임/인터넷강의 등)", "상품권/쿠폰", "모바일 쿠폰", "기타 용역", "기타 재화"):
        assert NOTICE_GROUPS[group], group
    assert len(NOTICE_GROUPS) >= 35
    assert PRODUCTS.column("notice_group").choices == tuple(NOTICE_GROUPS)


KITCHEN_NOTICE = ("품명 및 모델명=스테인리스 텀블러 TB-500;재질=스테인리스(STS304);구성품=본체, 뚜껑;크기=7×7×20cm;"
                  "동일모델의 출시년월=2026-03;제조자(수입자)=실버라인;제조국=대한민국;식품위생법에 따른 수입신고=해당없음;"
                  "품질보증기준=구입 후 1년;A/S 책임자와 전화번호=실버라인 02-1234-5678")
FURNITURE_NOTICE = ("품명=원목 선반\nKC 인증정보=해당없음\n색상=내추럴\n구성품=선반 3단\n주요 소재=원목(소나무)\n"
                    "제조자(수입자)=원목공방\n제조국=대한민국\n크기=80×30×120cm\n배송·설치비용=무료 설치\n"
                    "품질보증기준=구입 후 1년\nA/S 책임자와 전화번호=원목공방 031-123-4567")


@pytest.mark.parametrize(("group", "notice", "category"), [
    ("주방용품", KITCHEN_NOTICE, "생활/건강>주방용품>컵/텀블러"),
    ("가구(침대/소파/싱크대/DIY제품)", FURNITURE_NOTICE, "가구/인테리어>수납가구>선반"),
    ("가구", FURNITURE_NOTICE, "가구/인테리어>수납가구>선반"),  # the short name a seller types
])
def test_kitchen_and_furniture_products_validate_with_their_fields(tmp_path: Path, group: str, notice: str, category: str) -> None:
    report = check(tmp_path, plain(notice_group=group, notice=notice, category=category))
    assert row_issues(report) == []
    assert values(report)["notice_group"] in NOTICE_GROUPS


def test_kitchen_product_missing_a_field_names_it(tmp_path: Path) -> None:
    notice = KITCHEN_NOTICE.replace("재질=스테인리스(STS304);", "")
    issue = only(check(tmp_path, plain(notice_group="주방용품", notice=notice)))
    assert_cell(issue, PRODUCTS, ROW, "notice", "notice-missing", "품목고시 항목이 빠졌습니다: 재질")


def test_code_max_10(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, plain(code="ABCDEFGHIJ"))) == []
    issue = only(check(tmp_path, plain(code="ABCDEFGHIJK")))
    assert_cell(issue, PRODUCTS, ROW, "code", "too-long", "10자를 넘습니다 (11자)")


def test_model_name_max_30(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, plain(model_name="M" * 30))) == []
    issue = only(check(tmp_path, plain(model_name="M" * 31)))
    assert_cell(issue, PRODUCTS, ROW, "model_name", "too-long", "30자를 넘습니다 (31자)")


def test_price_minimum(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(cost_price="0")))
    assert_cell(issue, PRODUCTS, ROW, "cost_price", "too-small", "1 이상이어야 합니다 (입력: 0)")


def test_price_not_a_number_reported_once(tmp_path: Path) -> None:
    """A cell the normaliser rejects is not reported again by pandera."""
    issue = only(check(tmp_path, plain(cost_price="이만원")))
    assert_cell(issue, PRODUCTS, ROW, "cost_price", "type", "정수가 아닙니다 (이만원)")


def test_price_with_won_and_commas_accepted(tmp_path: Path) -> None:
    report = check(tmp_path, plain(cost_price="12,000원"))
    assert row_issues(report) == [] and values(report)["cost_price"] == 12000


# --- 상품명 ------------------------------------------------------------------------------------


def test_name_forbidden_characters(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(name="실버 목걸이★세트!")))
    assert_cell(issue, PRODUCTS, ROW, "name", "name-chars", "사용할 수 없는 특수문자가 있습니다: !★")


def test_name_allowed_punctuation(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, plain(name="목걸이 (골드),실버/로즈+화이트-블랙~"))) == []


def test_name_weighted_length(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, plain(name="가" * 20))) == []
    assert row_issues(check(tmp_path, plain(name="a" * 40))) == []
    issue = only(check(tmp_path, plain(name="가" * 21)))
    assert_cell(issue, PRODUCTS, ROW, "name", "name-length", "상품명이 깁니다 (한글 2자·영문 1자로 42/40)")
    issue = only(check(tmp_path, plain(name="가" * 19 + "abc")))
    assert_cell(issue, PRODUCTS, ROW, "name", "name-length", "상품명이 깁니다 (한글 2자·영문 1자로 41/40)")


def test_name_promo_word_is_a_warning(tmp_path: Path) -> None:
    report = check(tmp_path, plain(name="무료배송 실버 목걸이"))
    issue = only(report)
    assert_cell(issue, PRODUCTS, ROW, "name", "name-promo", "홍보 문구가 들어 있습니다: 무료배송")
    assert issue.severity == WARNING and report.valid


# --- 카테고리, 날짜, 원산지 ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["패션잡화", "a>b>c>d>e", "패션잡화>>목걸이", "패션잡화>주얼리>"])
def test_category_path(tmp_path: Path, path: str) -> None:
    issue = only(check(tmp_path, plain(category=path)))
    assert_cell(issue, PRODUCTS, ROW, "category", "category-path", "카테고리는 대분류>중분류>소분류>세분류 형식이어야 합니다")


@pytest.mark.parametrize("path", ["생활/건강>주방용품", "a>b>c>d"])
def test_category_two_to_four_levels_accepted(tmp_path: Path, path: str) -> None:
    assert row_issues(check(tmp_path, plain(category=path))) == []


def test_expiry_after_manufacture(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(made_on="2026-05-01", expires_on="2026-04-30")))
    assert_cell(issue, PRODUCTS, ROW, "expires_on", "date-order", "유효일자가 제조일자보다 빠릅니다")
    assert row_issues(check(tmp_path, plain(made_on="2026-05-01", expires_on="2027.05.01"))) == []


def test_processed_food_needs_ingredient_origin(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(origin="가공품")))
    assert_cell(issue, PRODUCTS, ROW, "origin_detail", "origin-detail", "가공품은 원재료 원산지가 필요합니다")
    assert row_issues(check(tmp_path, plain(origin="가공품", origin_detail="배추/국산/80%"))) == []


# --- 인증정보 ------------------------------------------------------------------------------------


def test_cert_not_required_spelled_with_spaces(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, plain(certs="인증 대상 아님"))) == []


def test_cert_at_most_five(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, plain(certs=";".join([ELECTRIC_CERT] * 5)))) == []
    issue = only(check(tmp_path, plain(certs=";".join([ELECTRIC_CERT] * 6))))
    assert_cell(issue, PRODUCTS, ROW, "certs", "cert-count", "인증정보는 5개까지 등록할 수 있습니다 (현재 6개)")


def test_cert_type_from_list(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(certs="KC인증|KTL|SU071234-20001")))
    assert_cell(issue, PRODUCTS, ROW, "certs", "cert-type", "알 수 없는 인증 유형입니다: KC인증")
    assert CERT_TYPES[0] in issue.fix


def test_cert_format_needs_agency_and_number(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(certs="전기용품 안전확인|KTL")))
    assert_cell(issue, PRODUCTS, ROW, "certs", "cert-format", "'전기용품 안전확인'의 인증기관 또는 인증번호가 없습니다")


def test_child_category_requires_cert(tmp_path: Path) -> None:
    category = "유아동/출산>완구>블록"
    issue = only(check(tmp_path, plain(category=category)))
    assert_cell(issue, PRODUCTS, ROW, "certs", "cert-required", "어린이 제품 카테고리는 인증정보가 필수입니다")
    certified = plain(category=category, certs="어린이제품 안전확인|KCL|CB061R123-1001")
    assert row_issues(check(tmp_path, certified)) == []


def test_electric_category_requires_cert(tmp_path: Path) -> None:
    category = "디지털/가전>생활가전>선풍기"
    issue = only(check(tmp_path, plain(category=category, certs=NO_CERT)))
    assert_cell(issue, PRODUCTS, ROW, "certs", "cert-required", "전기·전자 제품 카테고리는 인증정보가 필수입니다")
    assert row_issues(check(tmp_path, plain(category=category, certs=ELECTRIC_CERT))) == []


# --- 품목고시 -----------------------------------------------------------------------------------


def notice_text(**overrides: str) -> str:
    fields = {f: "상세정보 별도표기" for f in NOTICE_GROUPS[FASHION]}
    fields.update(overrides)
    return ";".join(f"{k}={v}" for k, v in fields.items())


def test_notice_missing_fields(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(notice_group=FASHION, notice="종류=목걸이;소재=은")))
    assert_cell(issue, PRODUCTS, ROW, "notice", "notice-missing",
                "품목고시 항목이 빠졌습니다: 치수, 제조자(수입자), 제조국, 취급시 주의사항, 품질보증기준 …")


@pytest.mark.parametrize("value", ["N", "아니오", "no"])
def test_notice_no_value_forbidden(tmp_path: Path, value: str) -> None:
    issue = only(check(tmp_path, plain(notice_group=FASHION, notice=notice_text(치수=value))))
    assert_cell(issue, PRODUCTS, ROW, "notice", "notice-value", "품목고시에 N·아니오 같은 값은 쓸 수 없습니다: 치수")


@pytest.mark.parametrize("text", [
    "상세정보 별도표기",
    "상세페이지 참조",
    notice_text(),
    notice_text(종류="목걸이", 소재="은 925", 치수="해당없음").replace(";", "\n"),
])
def test_notice_placeholders_accepted(tmp_path: Path, text: str) -> None:
    assert row_issues(check(tmp_path, plain(notice_group=FASHION, notice=text))) == []


# --- 키워드 --------------------------------------------------------------------------------------


def test_keywords_at_most_four(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(keywords="목걸이,실버,선물,여성,액세서리")))
    assert_cell(issue, PRODUCTS, ROW, "keywords", "keyword-count", "키워드는 4개까지입니다 (현재 5개)")


def test_keyword_at_most_ten_characters(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, plain(keywords="가나다라마바사아자차"))) == []
    issue = only(check(tmp_path, plain(keywords="목걸이,가나다라마바사아자차카")))
    assert_cell(issue, PRODUCTS, ROW, "keywords", "keyword-length", "10자를 넘는 키워드가 있습니다: 가나다라마바사아자차카")


# --- 이미지 --------------------------------------------------------------------------------------


@pytest.fixture
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "NK1001.jpg").write_bytes(jpeg(1000, 1000))
    (folder / "NK1002.jpg").write_bytes(jpeg(1000, 1000))
    (folder / "small800.jpg").write_bytes(jpeg(800, 600))
    (folder / "fake.jpg").write_bytes(b"\x89PNG\r\n\x1a\n not a jpeg")
    return folder


def with_images(path: Path, images_dir: Path) -> BookContext:
    return BookContext(path, images_dir=images_dir, known_groups=set(STORE_GROUPS))


def test_image_file_name_letters_and_digits(tmp_path: Path, images: Path) -> None:
    broken = plain(main_image="목걸이 1.jpg")
    issue = only(check(tmp_path, broken, with_images(tmp_path, images)))
    assert_cell(issue, PRODUCTS, ROW, "main_image", "image",
                "목걸이 1.jpg: 파일명은 영문·숫자와 .jpg 확장자만 쓸 수 있습니다 (공백·특수문자·한글 불가)")


def test_image_must_be_jpg(tmp_path: Path, images: Path) -> None:
    issue = only(check(tmp_path, plain(main_image="NK1001.png"), with_images(tmp_path, images)))
    assert_cell(issue, PRODUCTS, ROW, "main_image", "image",
                "NK1001.png: 파일명은 영문·숫자와 .jpg 확장자만 쓸 수 있습니다 (공백·특수문자·한글 불가)")


def test_image_missing_in_images_folder(tmp_path: Path, images: Path) -> None:
    issue = only(check(tmp_path, plain(main_image="NK9999.jpg"), with_images(tmp_path, images)))
    assert_cell(issue, PRODUCTS, ROW, "main_image", "image", "NK9999.jpg: images 폴더에 파일이 없습니다 (images/NK9999.jpg)")


def test_real_1000_square_jpeg_passes(tmp_path: Path, images: Path) -> None:
    broken = plain(main_image="NK1001.jpg", extra_images="NK1002.jpg")
    report = check(tmp_path, broken, with_images(tmp_path, images))
    assert row_issues(report) == []
    # No URL left in that row, yet the first row's URL still gets the one file note.
    assert [i.code for i in report.issues] == ["note"]


def test_wrong_size_jpeg_fails(tmp_path: Path, images: Path) -> None:
    issue = only(check(tmp_path, plain(extra_images="NK1002.jpg,small800.jpg"), with_images(tmp_path, images)))
    assert_cell(issue, PRODUCTS, ROW, "extra_images", "image", "small800.jpg: 이미지 크기가 800×600입니다 (1000×1000이어야 합니다)")


def test_not_a_jpeg_fails(tmp_path: Path, images: Path) -> None:
    issue = only(check(tmp_path, plain(main_image="fake.jpg"), with_images(tmp_path, images)))
    assert_cell(issue, PRODUCTS, ROW, "main_image", "image", "fake.jpg: JPEG 파일이 아닙니다")


def test_at_most_two_extra_images(tmp_path: Path) -> None:
    urls = ",".join(f"https://example.com/{i}.jpg" for i in range(3))
    issue = only(check(tmp_path, plain(extra_images=urls)))
    assert_cell(issue, PRODUCTS, ROW, "extra_images", "image-count", "추가이미지는 2개까지입니다 (현재 3개)")


# --- 옵션 / 재고 ----------------------------------------------------------------------------------


def test_option_type_required(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_type="")))
    assert_cell(issue, PRODUCTS, ROW, "option_type", "option-type", "옵션을 사용하면 옵션형식이 필요합니다")


def test_option_name1_required(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_name1="")))
    assert_cell(issue, PRODUCTS, ROW, "option_name1", "option-name", "옵션명1이 비어 있습니다")


def test_option_name_without_values(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_name2="사이즈")))
    assert_cell(issue, PRODUCTS, ROW, "option_values2", "option-pair", "옵션명2과 옵션값2은 함께 입력해야 합니다")


def test_option_values_without_name(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_values3="S,M,L")))
    assert_cell(issue, PRODUCTS, ROW, "option_name3", "option-pair", "옵션명3과 옵션값3은 함께 입력해야 합니다")


def test_option_value_forbidden_characters(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_values1="골드,실버:대,로즈골드")))
    assert_cell(issue, PRODUCTS, ROW, "option_values1", "option-chars", "옵션값에 특수문자가 있습니다: 실버:대")


def test_option_prices_one_per_combination(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_prices="0,1000")))
    assert_cell(issue, PRODUCTS, ROW, "option_prices", "option-prices", "조합은 3개인데 값은 2개입니다")


def stored_group(sale_price: int, mall: str = "coupang", name: str = GROUP) -> BookContext:
    """A book whose store holds ``name`` on ``mall``/기본 at ``sale_price``."""
    group = {"mall": mall, "account": "기본", "group": name, "sale_price": sale_price}
    return BookContext(Path("x.xlsx"), known_groups={(mall, "기본", name)},
                       stored_groups=lambda n: [group] if n == name else [])


def test_option_prices_within_half_the_sale_price_of_the_linked_group(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, optioned(option_prices="0,-11500,11500"), stored_group(23000))) == []
    issue = only(check(tmp_path, optioned(option_prices="0,-12000,12000"), stored_group(23000)))
    assert_cell(issue, PRODUCTS, ROW, "option_prices", "option-price-range",
                f"추가금액은 판매그룹 '{GROUP}'(쿠팡/기본)의 판매가 23,000원의 -50%~+50% (-11,500~11,500원) "
                "안이어야 합니다: -12,000, 12,000")


def test_option_prices_are_not_checked_against_the_cost_price(tmp_path: Path) -> None:
    """대표가격(공급원가) is not what the buyer pays: a 1,000원 cost with a 25,000원 판매가 allows 2,000원 extra."""
    assert row_issues(check(tmp_path, optioned(cost_price="1000", option_prices="0,2000,0"), stored_group(25000))) == []
    issue = only_error(check(tmp_path, optioned(cost_price="23000", option_prices="0,2000,0"), stored_group(3000)))
    assert issue.code == "option-price-range" and "판매가 3,000원" in issue.message


def only_error(report: Report) -> Issue:
    """The single error on the broken row (a 공급원가 above the 판매가 is only warned about)."""
    found = [i for i in row_issues(report) if i.row == ROW and i.severity == ERROR]
    assert len(found) == 1, [(i.column, i.code, i.message) for i in found]
    return found[0]


def test_cost_above_a_linked_groups_sale_price_is_a_warning(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, plain(cost_price="23000"), stored_group(25000))) == []
    report = check(tmp_path, plain(cost_price="30000"), stored_group(25000))
    issue = only(report)
    assert_cell(issue, PRODUCTS, ROW, "cost_price", "cost-above-price",
                f"대표가격(공급원가) 30,000원이 판매그룹의 판매가보다 높습니다: '{GROUP}'(쿠팡/기본) 25,000원")
    assert issue.severity == WARNING and report.valid


def test_the_example_products_cost_less_than_their_groups_price(tmp_path: Path) -> None:
    """The example workbook teaches: none of its products sells at a loss."""
    groups = [dict(SALES_GROUPS.example_rows[0], group=GROUP)]
    path = write_book(tmp_path / "예시.xlsx", [(PRODUCTS, list(product_rows(20, [GROUP]))), (SALES_GROUPS, groups)])
    report = validate(path)
    assert [i for i in row_issues(report) if i.code == "cost-above-price"] == []


def test_option_prices_checked_against_every_group_in_the_file(tmp_path: Path) -> None:
    """The same group name on two malls (push links both): the cheaper one is named."""
    groups = [dict(SALES_GROUPS.example_rows[0], group=GROUP, sale_price="24000"),
              dict(SALES_GROUPS.example_rows[0], mall="위메프", group=GROUP, sale_price="3000", list_price="3000")]
    path = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, [optioned(option_prices="0,2000,0")]), (SALES_GROUPS, groups)])
    issues = errors(validate(path, stored_group(25000, "wemakeprice")))
    assert [(i.sheet, i.row, i.code) for i in issues] == [("상품", 2, "option-price-range")]
    assert f"판매그룹 '{GROUP}'(위메프/기본)의 판매가 3,000원" in issues[0].message
    assert "(쿠팡/" not in issues[0].message


def test_a_group_in_the_file_replaces_the_stored_one(tmp_path: Path) -> None:
    """The file's 판매가 is what push will use: the stored 3,000원 group is redefined at 24,000원."""
    groups = [dict(SALES_GROUPS.example_rows[0], group=GROUP, sale_price="24000")]
    path = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, [optioned(option_prices="0,2000,0")]), (SALES_GROUPS, groups)])
    assert errors(validate(path, stored_group(3000))) == []


def test_option_prices_need_a_zero(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_prices="1000,2000,3000")))
    assert_cell(issue, PRODUCTS, ROW, "option_prices", "option-price-zero", "추가금액이 0원인 조합이 하나 이상 있어야 합니다")


def test_option_stock_one_per_combination(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_stock="10,20")))
    assert_cell(issue, PRODUCTS, ROW, "option_stock", "option-stock", "조합은 3개인데 값은 2개입니다")


def test_option_stock_total_at_least_one(tmp_path: Path) -> None:
    assert row_issues(check(tmp_path, optioned(option_stock="0,0,1"))) == []
    issue = only(check(tmp_path, optioned(option_stock="0")))
    assert_cell(issue, PRODUCTS, ROW, "option_stock", "option-stock", "옵션별 총 재고가 1개 이상이어야 합니다")


def test_option_stock_not_negative(tmp_path: Path) -> None:
    issue = only(check(tmp_path, optioned(option_stock="5,-1,5")))
    assert_cell(issue, PRODUCTS, ROW, "option_stock", "option-stock", "옵션재고는 0 이상이어야 합니다")


@pytest.mark.parametrize("stock", ["", "0"])
def test_stock_without_options_at_least_one(tmp_path: Path, stock: str) -> None:
    issue = only(check(tmp_path, plain(stock=stock)))
    assert_cell(issue, PRODUCTS, ROW, "stock", "stock", "옵션이 없으면 재고수량이 1개 이상이어야 합니다")


@pytest.mark.parametrize("typed", ["구매자입력형", "입력형"])
def test_buyer_input_option_needs_no_values(tmp_path: Path, typed: str) -> None:
    row = optioned(option_type=typed, option_name1="각인 문구", option_values1="", option_prices="", option_stock="")
    report = check(tmp_path, row)
    assert row_issues(report) == []
    assert values(report)["option_type"] == "구매자입력형"


# --- 판매그룹, 중복, 저장소 -------------------------------------------------------------------------


def test_group_must_exist(tmp_path: Path) -> None:
    issue = only(check(tmp_path, plain(groups=f"{GROUP},없는 그룹"), BookContext(tmp_path, known_groups=set(STORE_GROUPS))))
    assert_cell(issue, PRODUCTS, ROW, "groups", "group-missing", "판매그룹을 찾을 수 없습니다: 없는 그룹")


def test_group_found_in_the_files_sales_sheet(tmp_path: Path) -> None:
    """The 판매정보 sheet is read first even when it comes after 상품 in the workbook."""
    group = dict(SALES_GROUPS.example_rows[0], group="파일 안 그룹")
    path = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, [plain(groups="파일 안 그룹")]), (SALES_GROUPS, [group])])
    report = validate(path, BookContext(path))  # nothing in the store
    assert [s.kind for s in report.sheets] == ["sales_groups", "products"]
    assert row_issues(report) == []


def test_group_found_in_the_store(tmp_path: Path) -> None:
    stored = {*STORE_GROUPS, ("smartstore", "기본", "스마트 그룹")}
    assert row_issues(check(tmp_path, plain(groups="스마트 그룹"), BookContext(tmp_path, known_groups=stored))) == []
    issue = only(check(tmp_path, plain(groups="스마트 그룹"), BookContext(tmp_path, known_groups=set(STORE_GROUPS))))
    assert_cell(issue, PRODUCTS, ROW, "groups", "group-missing", "판매그룹을 찾을 수 없습니다: 스마트 그룹")


def test_duplicate_code_in_file_makes_every_row_with_it_an_error(tmp_path: Path) -> None:
    """Which row the seller meant is unknown: none of them is saved or sent (the earlier one used to be)."""
    from mallbatch.pipeline.check import valid_rows

    code = first_row()["code"]
    rows = [first_row(), plain(), plain(code=code, name="다른 이름 목걸이"), plain(code=code, name="셋째 목걸이")]
    path = write_book(tmp_path / "상품.xlsx", [(PRODUCTS, rows)])
    report = validate(path, BookContext(path, known_groups=set(STORE_GROUPS)))
    issues = row_issues(report)
    assert len(issues) == 3, [(i.row, i.message) for i in issues]
    assert_cell(issues[0], PRODUCTS, 2, "code", "duplicate", "4, 5행과 중복됩니다")
    assert_cell(issues[1], PRODUCTS, 4, "code", "duplicate", "2, 5행과 중복됩니다")
    assert_cell(issues[2], PRODUCTS, 5, "code", "duplicate", "2, 4행과 중복됩니다")
    assert [r.excel_row for r in valid_rows(report, "products")] == [3]


def test_store_collision_is_a_warning(tmp_path: Path) -> None:
    with Store(tmp_path / "state" / "mallbatch.db") as store:
        store.save_products([{"code": plain()["code"], "name": "예전 상품"}])
        book = BookContext(tmp_path, known_groups=set(STORE_GROUPS), stored_products=store.product)
        report = check(tmp_path, plain(), book)
        same_name = check(tmp_path, plain(name="예전 상품"), book)
    issue = only(report)
    assert_cell(issue, PRODUCTS, ROW, "code", "code-in-store", "이미 저장된 상품코드입니다 (저장된 상품명: 예전 상품)")
    assert issue.severity == WARNING and report.valid
    assert row_issues(same_name) == []  # the same product again: an update, no warning


def test_issue_columns_follow_the_sellers_header_order(tmp_path: Path) -> None:
    """col_index is the position in the seller's sheet, not in the kind: drop a column first."""
    drop = ("model_no",)
    issue = only(check(tmp_path, plain(cost_price="0"), drop=drop))
    assert issue.col_index == col_index(PRODUCTS, "cost_price", drop) == col_index(PRODUCTS, "cost_price") - 1
    assert errors(check(tmp_path, plain(), drop=drop)) == []
    assert issue.severity == ERROR
