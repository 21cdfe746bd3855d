"""상품 (products): the mall-independent product record of seed 001 §상품 등록 - 기본정보.

Rules here are seed 001's field rules; per-mall limits (option counts, name lengths)
are checked by each connector's ``listing_problems`` before anything is sent.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from mallbatch.kinds import images
from mallbatch.kinds.common import PRODUCT_NAME
from mallbatch.malls import OPTION_PRICES_FIX, OPTION_PRICES_IGNORED, find_mall, mall_name
from mallbatch.kinds.notices import (
    ALLOWED_PLACEHOLDERS,
    FORBIDDEN_VALUES,
    NOTICE_ALIASES,
    NOTICE_GROUPS,
    OTHER_GOODS,
    closest_groups,
    find_group,
)
from mallbatch.sheets.columns import Column, GuideTable, Kind, SheetKind
from mallbatch.sheets.issues import WARNING, Issue
from mallbatch.sheets.normalize import NormalizeError, integer, split_list
from mallbatch.sheets.rows import Row, SheetContext

ORIGIN_PROCESSED = "가공품"
NO_CERT = "인증대상아님"
CERT_TYPES = (
    "어린이제품 안전인증", "어린이제품 안전확인", "어린이제품 공급자적합성확인",
    "전기용품 안전인증", "전기용품 안전확인", "전기용품 공급자적합성확인",
    "생활용품 안전인증", "생활용품 안전확인", "생활용품 공급자적합성확인", "어린이보호포장",
    "방송통신기자재 적합인증", "방송통신기자재 적합등록", "방송통신기자재 잠정인증",
)
CHILD_CATEGORY_WORDS = ("유아동", "출산", "완구", "어린이", "유아")
ELECTRIC_CATEGORY_WORDS = ("가전", "전기", "디지털")
PROMO_WORDS = ("무료배송", "사은품증정", "사은품", "1+1", "최저가", "당일배송", "특가")
GENERAL_NAME_CHARS = "(),/+-~"  # seed 001: 종합몰인 경우 기본문자도 가능한 사용 금지
NAME_CHARS = re.compile(r"[0-9A-Za-z가-힣ㄱ-ㅎㅏ-ㅣ\s(),/+\-~]*")
OPTION_VALUE_FORBIDDEN = re.compile(r"[\^|:;=<>\"'`]")

CODE = Column(
    "자체상품코드", "code", Kind.CODE, required=True, max_len=10,
    synonyms=("판매자상품코드", "업체상품코드", "상품코드(자체)", "관리코드"),
    help="판매자가 정하는 상품 코드 (10자 이내, 파일 안에서 중복 불가). 같은 코드로 다시 올리면 수정됩니다",
    example="NK1001", width=12,
)
STATUS = Column(
    "상품상태", "status", Kind.CHOICE, required=True, choices=("판매가능", "판매불가"),
    aliases={"판매중": "판매가능", "판매중지": "판매불가"},
    variants={"판매": "판매가능", "판매함": "판매가능", "정상": "판매가능", "판매가능상품": "판매가능", "판매불가능": "판매불가",
              "판매안함": "판매불가", "품절": "판매불가", "일시품절": "판매불가", "판매종료": "판매불가", "중지": "판매불가"},
    help="판매가능 또는 판매불가", example="판매가능", width=10,
)
CATEGORY = Column(
    "카테고리", "category", Kind.TEXT, required=True, synonyms=("상품분류", "카테고리경로"),
    help="대분류>중분류>소분류>세분류 (2~4단계, '>'로 구분)", example="패션잡화>주얼리/시계>귀걸이/목걸이", width=30,
)
MODEL_NAME = Column("모델명", "model_name", max_len=30, help="30자 이내", example="NK-1001", width=12)
MODEL_NO = Column("모델NO", "model_no", max_len=30, synonyms=("모델번호",), help="30자 이내", width=12)
MAKER = Column("제조사", "maker", required=True, max_len=50, synonyms=("제조자",), help="상품을 만든 회사", example="중소기업유통센터")
BRAND = Column("브랜드", "brand", required=True, max_len=50, synonyms=("브랜드명",), help="브랜드 이름 (없으면 제조사)", example="실버라인")
MADE_ON = Column("제조일자", "made_on", Kind.DATE, help="식품·전자제품·화장품이면 입력 (YYYY-MM-DD)", width=12)
EXPIRES_ON = Column("유효일자", "expires_on", Kind.DATE, synonyms=("유통기한",), help="제조일자보다 뒤 (YYYY-MM-DD)", width=12)
ORIGIN = Column(
    "원산지", "origin", Kind.CHOICE, required=True, choices=("농산물", "수산물", ORIGIN_PROCESSED, "원산지표시대상아님"),
    aliases={"원산지표기대상아님": "원산지표시대상아님", "표시대상아님": "원산지표시대상아님", "표기대상아님": "원산지표시대상아님"},
    variants={"해당없음": "원산지표시대상아님", "대상아님": "원산지표시대상아님", "원산지표시대상아님(공산품)": "원산지표시대상아님",
              "공산품": "원산지표시대상아님", "농산품": "농산물", "수산품": "수산물", "가공식품": ORIGIN_PROCESSED,
              "가공품(원산지표시)": ORIGIN_PROCESSED},
    help="농산물/수산물/가공품/원산지표시대상아님", example="원산지표시대상아님", width=16,
)
ORIGIN_DETAIL = Column(
    "원재료 원산지", "origin_detail", synonyms=("원재료원산지", "원료 원산지", "원산지 상세"),
    help="가공품이면 필수: 원료명/원산지/함량 (예: 배추/국산/80%)", width=24,
)
CERTS = Column(
    "인증정보", "certs", required=True, synonyms=("KC인증", "인증"),
    help="인증대상아님, 또는 '유형|기관|번호'를 ; 로 구분해 최대 5개. 어린이·전기 제품은 필수",
    example=NO_CERT, width=30, default=NO_CERT,
)
NOTICE_GROUP = Column(
    "품목고시", "notice_group", Kind.CHOICE, required=True, choices=tuple(NOTICE_GROUPS), aliases=NOTICE_ALIASES,
    suggest=closest_groups, synonyms=("상품정보고시", "품목"),
    help=f"상품정보제공고시 품목을 목록에서 고르세요 ({len(NOTICE_GROUPS)}개, 맞는 품목이 없으면 {OTHER_GOODS})",
    example="패션잡화(모자/벨트/액세서리)", width=24,
)
NOTICE = Column(
    "품목고시 내용", "notice", required=True, synonyms=("품목고시내용", "고시내용"),
    help="'항목=값'을 ; 또는 줄바꿈으로 구분 (품목별 항목은 '안내' 시트의 품목고시 표). 값 대신 상세정보 별도표기/상세페이지 참조/해당없음 가능 (N·아니오 불가). 전체를 '상세정보 별도표기'로도 가능",
    example="상세정보 별도표기", width=40,
)
KEYWORDS = Column("키워드", "keywords", synonyms=("검색어", "상품키워드"), help="쉼표로 구분해 4개까지, 각 10자 이내", example="목걸이,실버,선물", width=20)
DETAIL = Column(
    "상세설명", "detail", required=True, synonyms=("상품상세설명", "상세페이지"),
    help="HTML 또는 이미지 URL", example='<img src="https://example.com/detail1.jpg">', width=30,
)
MAIN_IMAGE = Column(
    "대표이미지", "main_image", required=True, synonyms=("대표 이미지", "기본이미지"),
    help="URL 또는 images 폴더의 파일명 (jpg, 1000×1000, 3MB 이하, 파일명은 영문·숫자만)", example="NK1001.jpg", width=24,
)
EXTRA_IMAGES = Column("추가이미지", "extra_images", synonyms=("추가 이미지", "부가이미지"), help="쉼표로 구분해 2개까지 (대표이미지와 같은 규칙)", width=24)
COST = Column(
    "대표가격(공급원가)", "cost_price", Kind.INT, required=True, min=1, synonyms=("대표가격", "공급원가", "원가"),
    help="원 단위 숫자 (쇼핑몰 판매가는 판매정보에서 정합니다)", example="23000", width=14,
)
TAX = Column(
    "과세구분", "tax_type", Kind.CHOICE, required=True, choices=("과세", "면세", "영세"),
    aliases={"과세상품": "과세", "면세상품": "면세", "비과세": "면세", "영세율": "영세"},
    variants={"일반과세": "과세", "과세품": "과세", "과세(10%)": "과세", "부가세포함": "과세", "면세품": "면세", "부가세면세": "면세",
              "영세품": "영세", "영세율적용": "영세"},
    synonyms=("세금구분",),
    help="과세/면세/영세", example="과세", width=10,
)
REGION = Column(
    "판매지역", "region", Kind.CHOICE, choices=("전국", "전국(제주/도서산간지역제외)"),
    variants={"전지역": "전국", "전국가능": "전국", "제주/도서산간제외": "전국(제주/도서산간지역제외)",
              "도서산간제외": "전국(제주/도서산간지역제외)", "제주제외": "전국(제주/도서산간지역제외)",
              "전국(제주제외)": "전국(제주/도서산간지역제외)", "전국(도서산간제외)": "전국(제주/도서산간지역제외)"},
    help="비우면 전국", example="전국",
    default="전국", width=14,
)
ADULT = Column("성인인증", "adult", Kind.BOOL, help="성인용품이면 Y", example="N", default=False, width=8)
OPTION_USE = Column("옵션사용", "option_use", Kind.BOOL, help="옵션이 있으면 Y", example="Y", default=False, width=8)
OPTION_TYPE = Column(
    "옵션형식", "option_type", Kind.CHOICE, choices=("조합형", "구매자입력형"), aliases={"입력형": "구매자입력형"},
    variants={"조합": "조합형", "옵션조합형": "조합형", "직접입력형": "구매자입력형", "직접입력": "구매자입력형", "구매자입력": "구매자입력형",
              "텍스트입력형": "구매자입력형"},
    help="조합형 또는 구매자입력형", example="조합형", width=12,
)
OPTION_NAMES = tuple(Column(f"옵션명{i}", f"option_name{i}", max_len=25, help="예: 색상", example="색상" if i == 1 else "", width=10) for i in (1, 2, 3))
OPTION_VALUES = tuple(
    Column(f"옵션값{i}", f"option_values{i}", help="쉼표로 구분 (예: 골드,실버,로즈골드)", example="골드,실버,로즈골드" if i == 1 else "", width=20)
    for i in (1, 2, 3)
)
OPTION_PRICES = Column(
    "옵션추가금액", "option_prices", synonyms=("추가금액",),
    help="숫자 하나(모든 조합에 적용) 또는 조합 순서대로 쉼표 구분. 판매가의 -50%~+50%, 0원인 조합이 하나 이상", example="0", width=16,
)
OPTION_STOCK = Column(
    "옵션재고", "option_stock", synonyms=("옵션별재고",),
    help="숫자 하나(모든 조합에 적용) 또는 조합 순서대로 쉼표 구분, 0 이상", example="100", width=14,
)
STOCK = Column("재고수량", "stock", Kind.INT, min=0, synonyms=("재고",), help="옵션이 없을 때 재고 (1개 이상)", example="100", width=10)
GROUPS = Column(
    "판매그룹", "groups", synonyms=("판매정보그룹", "판매정보"),
    help="연동할 판매정보 그룹명을 쉼표로 구분 (판매정보 시트나 이미 저장된 그룹)", example="쿠팡 기본", width=20,
)

COLUMNS = (
    CODE, PRODUCT_NAME, STATUS, CATEGORY, MODEL_NAME, MODEL_NO, MAKER, BRAND, MADE_ON, EXPIRES_ON,
    ORIGIN, ORIGIN_DETAIL, CERTS, NOTICE_GROUP, NOTICE, KEYWORDS, DETAIL, MAIN_IMAGE, EXTRA_IMAGES,
    COST, TAX, REGION, ADULT, OPTION_USE, OPTION_TYPE, *[c for pair in zip(OPTION_NAMES, OPTION_VALUES) for c in pair],
    OPTION_PRICES, OPTION_STOCK, STOCK, GROUPS,
)


def weighted_length(text: str) -> int:
    """Hangul (any non-ASCII) counts as 2: 20 Hangul or 40 Latin characters fit in 40."""
    return sum(2 if ord(ch) > 127 else 1 for ch in text)


def check_name(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    name = row.get("name", "")
    if not name:
        return
    if not NAME_CHARS.fullmatch(name):
        bad = "".join(sorted({ch for ch in name if not NAME_CHARS.fullmatch(ch)}))
        yield ctx.issue(row, "name", "name-chars", f"사용할 수 없는 특수문자가 있습니다: {bad}", "특수문자는 ( ) , / + - ~ 만 쓸 수 있습니다")
    if weighted_length(name) > 40:
        yield ctx.issue(row, "name", "name-length", f"상품명이 깁니다 (한글 2자·영문 1자로 {weighted_length(name)}/40)", "한글 20자, 영문 40자 이내로 줄이세요")
    promo = [w for w in PROMO_WORDS if w in name.replace(" ", "")]
    if promo:
        yield ctx.issue(row, "name", "name-promo", f"홍보 문구가 들어 있습니다: {', '.join(promo)}", "상품명에서 빼고 상세설명에 쓰세요", WARNING)


def check_category(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    path = row.get("category", "")
    if path and not 2 <= len([p for p in path.split(">") if p.strip()]) == len(path.split(">")) <= 4:
        yield ctx.issue(row, "category", "category-path", "카테고리는 대분류>중분류>소분류>세분류 형식이어야 합니다", "2~4단계를 '>'로 구분하세요 (예: 패션잡화>주얼리/시계>귀걸이/목걸이)")


def check_dates(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    made, expires = row.get("made_on"), row.get("expires_on")
    if made and expires and expires <= made:
        yield ctx.issue(row, "expires_on", "date-order", "유효일자가 제조일자보다 빠릅니다", "유효일자를 제조일자 뒤의 날짜로 고치세요")


def check_origin(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    if row.get("origin") == ORIGIN_PROCESSED and not row.has("origin_detail"):
        yield ctx.issue(row, "origin_detail", "origin-detail", "가공품은 원재료 원산지가 필요합니다", "원료명/원산지/함량을 입력하세요 (예: 배추/국산/80%)")


def parse_certs(text: str) -> list[tuple[str, str, str]] | None:
    """``None`` for 인증대상아님; otherwise (type, agency, number) triples."""
    if text.replace(" ", "") == NO_CERT:
        return None
    entries = [e.strip() for e in re.split(r"[;\n]", text) if e.strip()]
    return [tuple((p.strip() for p in (e.split("|") + ["", ""])[:3])) for e in entries]  # type: ignore[misc]


def check_certs(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    text = row.get("certs", NO_CERT)
    certs = parse_certs(text)
    category = row.get("category", "")
    if certs is None:
        if any(w in category for w in CHILD_CATEGORY_WORDS):
            yield ctx.issue(row, "certs", "cert-required", "어린이 제품 카테고리는 인증정보가 필수입니다", "'어린이제품 안전확인|기관|번호' 형식으로 입력하세요")
        elif any(w in category for w in ELECTRIC_CATEGORY_WORDS):
            yield ctx.issue(row, "certs", "cert-required", "전기·전자 제품 카테고리는 인증정보가 필수입니다", "'전기용품 안전확인|기관|번호' 형식으로 입력하세요")
        return
    if len(certs) > 5:
        yield ctx.issue(row, "certs", "cert-count", f"인증정보는 5개까지 등록할 수 있습니다 (현재 {len(certs)}개)", "5개 이하로 줄이고 나머지는 상세설명에 쓰세요")
    for kind, agency, number in certs:
        if kind not in CERT_TYPES:
            yield ctx.issue(row, "certs", "cert-type", f"알 수 없는 인증 유형입니다: {kind}", f"다음 중 하나를 쓰세요: {', '.join(CERT_TYPES[:4])} …")
        elif not agency or not number:
            yield ctx.issue(row, "certs", "cert-format", f"'{kind}'의 인증기관 또는 인증번호가 없습니다", "'유형|기관|번호' 형식으로 입력하세요")


def parse_notice(text: str, group: str) -> dict[str, str]:
    """Parse '항목=값' pairs; a lone placeholder applies to every field of the group."""
    if text.strip() in ALLOWED_PLACEHOLDERS:
        return {field: text.strip() for field in NOTICE_GROUPS.get(find_group(group) or "", ())}
    pairs: dict[str, str] = {}
    for part in re.split(r"[;\n]", text):
        key, sep, value = part.partition("=") if "=" in part else part.partition(":")
        if sep and key.strip():
            pairs[key.strip()] = value.strip()
    return pairs


def check_notice(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    group, text = row.get("notice_group"), row.get("notice")
    if group not in NOTICE_GROUPS or not text:
        return
    values = parse_notice(text, group)
    missing = [f for f in NOTICE_GROUPS[group] if not values.get(f)]
    if missing:
        yield ctx.issue(row, "notice", "notice-missing", f"품목고시 항목이 빠졌습니다: {', '.join(missing[:5])}" + (" …" if len(missing) > 5 else ""),
                        "'항목=값'으로 모두 채우거나 값에 '상세정보 별도표기'를 쓰세요")
    bad = [f for f, v in values.items() if v.strip().lower() in FORBIDDEN_VALUES]
    if bad:
        yield ctx.issue(row, "notice", "notice-value", f"품목고시에 N·아니오 같은 값은 쓸 수 없습니다: {', '.join(bad)}", "'해당없음' 또는 '상세페이지 참조'로 쓰세요")


def check_keywords(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    words = split_list(row.get("keywords", "")).value
    if len(words) > 4:
        yield ctx.issue(row, "keywords", "keyword-count", f"키워드는 4개까지입니다 (현재 {len(words)}개)", "4개 이하로 줄이세요")
    long = [w for w in words if len(w) > 10]
    if long:
        yield ctx.issue(row, "keywords", "keyword-length", f"10자를 넘는 키워드가 있습니다: {', '.join(long)}", "키워드 하나는 10자 이내로 쓰세요")


def check_images(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    extras = split_list(row.get("extra_images", "")).value
    if len(extras) > 2:
        yield ctx.issue(row, "extra_images", "image-count", f"추가이미지는 2개까지입니다 (현재 {len(extras)}개)", "2개 이하로 줄이세요")
    for name, images_ in (("main_image", [row.get("main_image")] if row.has("main_image") else []), ("extra_images", extras)):
        for ref in images_:
            problem = images.check_image(ref, ctx.book.images_dir)
            if problem is images.UNCHECKED:
                ctx.book.notes.append(images.UNCHECKED_NOTE)
            elif problem:
                yield ctx.issue(row, name, "image", f"{ref}: {problem}", "jpg, 1000×1000, 3MB 이하, 파일명은 영문·숫자만 쓰세요")


def combinations(row: Row) -> list[tuple[str, ...]]:
    """조합형 option combinations in order: option 1 varies slowest (seed 001 '배수로 생성')."""
    value_lists = [split_list(row.get(f"option_values{i}", "")).value for i in (1, 2, 3) if row.has(f"option_name{i}")]
    return [tuple(c) for c in itertools.product(*value_lists)] if value_lists else []


def per_combination(text: str, count: int) -> list[int]:
    """One number for all combinations, or exactly ``count`` comma-separated numbers."""
    parts = split_list(text).value or ["0"]
    numbers = [integer(p).value for p in parts]
    if len(numbers) == 1:
        return numbers * count
    if len(numbers) != count:
        raise NormalizeError(f"조합은 {count}개인데 값은 {len(numbers)}개입니다", f"숫자 하나 또는 {count}개를 쉼표로 구분해 입력하세요")
    return numbers


def check_options(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    if not row.get("option_use", False):
        if row.get("stock") is None or row.get("stock") < 1:
            yield ctx.issue(row, "stock", "stock", "옵션이 없으면 재고수량이 1개 이상이어야 합니다",
                            "재고수량에 1 이상을 입력하세요. 품절은 등록 뒤 재고·가격 시트에 재고 0 으로 보내세요")
        return
    kind = row.get("option_type")
    if not kind:
        yield ctx.issue(row, "option_type", "option-type", "옵션을 사용하면 옵션형식이 필요합니다", "조합형 또는 구매자입력형을 고르세요")
        return
    if not row.has("option_name1"):
        yield ctx.issue(row, "option_name1", "option-name", "옵션명1이 비어 있습니다", "옵션명(예: 색상)을 입력하세요")
        return
    if kind == "구매자입력형":
        return
    for i in (1, 2, 3):
        named, valued = row.has(f"option_name{i}"), row.has(f"option_values{i}")
        if named != valued:
            target = f"option_values{i}" if named else f"option_name{i}"
            yield ctx.issue(row, target, "option-pair", f"옵션명{i}과 옵션값{i}은 함께 입력해야 합니다", "둘 다 채우거나 둘 다 비우세요")
            return
        bad = [v for v in split_list(row.get(f"option_values{i}", "")).value if OPTION_VALUE_FORBIDDEN.search(v)]
        if bad:
            yield ctx.issue(row, f"option_values{i}", "option-chars", f"옵션값에 특수문자가 있습니다: {', '.join(bad)}", "^ | : ; = < > 따옴표는 쓸 수 없습니다")
    combos = combinations(row)
    try:
        extras = per_combination(row.get("option_prices", ""), len(combos))
    except NormalizeError as exc:
        yield ctx.issue(row, "option_prices", "option-prices", exc.message, exc.fix)
        extras = []
    if extras:
        yield from check_option_price_range(row, ctx, extras)
        if 0 not in extras:
            yield ctx.issue(row, "option_prices", "option-price-zero", "추가금액이 0원인 조합이 하나 이상 있어야 합니다", "대표 조합의 추가금액을 0으로 하세요")
    try:
        stocks = per_combination(row.get("option_stock", ""), len(combos))
    except NormalizeError as exc:
        yield ctx.issue(row, "option_stock", "option-stock", exc.message, exc.fix)
        return
    if any(s < 0 for s in stocks):
        yield ctx.issue(row, "option_stock", "option-stock", "옵션재고는 0 이상이어야 합니다", "음수를 0 이상으로 고치세요")
    elif sum(stocks) < 1:
        yield ctx.issue(row, "option_stock", "option-stock", "옵션별 총 재고가 1개 이상이어야 합니다", "재고를 1개 이상 입력하세요")


def check_option_price_range(row: Row, ctx: SheetContext, extras: list[int]) -> Iterator[Issue]:
    """Seed 001's 옵션추가금액 rule, the one place it is written: every extra price within
    -50%~+50% of the 판매가 of each sales group the product is linked to (one mall may sell
    cheaper), taken from this file or the store exactly as push will link them."""
    problems = []
    for name in split_list(row.get("groups", "")).value:
        for group in ctx.book.groups_named(name):
            price = group.get("sale_price")
            half = price // 2 if isinstance(price, int) and price > 0 else None
            out = [e for e in extras if half is not None and abs(e) * 2 > price]
            if out:
                where = "/".join(filter(None, (mall_name(group["mall"]), group.get("account"))))
                problems.append(f"판매그룹 '{name}'({where})의 판매가 {price:,}원의 -50%~+50% ({-half:,}~{half:,}원) "
                                f"안이어야 합니다: {', '.join(f'{e:,}' for e in out[:5])}")
    if problems:
        yield ctx.issue(row, "option_prices", "option-price-range", "추가금액은 " + "; ".join(problems),
                        "추가금액을 범위 안으로 고치거나 그 판매그룹의 판매가를 확인하세요")


def check_cost_below_price(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    """A 공급원가 above a linked group's 판매가 sells at a loss: allowed (a clearance), but said."""
    cost = row.get("cost_price")
    if not isinstance(cost, int):
        return
    above = []
    for name in split_list(row.get("groups", "")).value:
        for group in ctx.book.groups_named(name):
            price = group.get("sale_price")
            if isinstance(price, int) and cost > price:
                where = "/".join(filter(None, (mall_name(group["mall"]), group.get("account"))))
                above.append(f"'{name}'({where}) {price:,}원")
    if above:
        yield ctx.issue(row, "cost_price", "cost-above-price", f"대표가격(공급원가) {cost:,}원이 판매그룹의 판매가보다 높습니다: {', '.join(above)}",
                        "팔수록 손해입니다. 공급원가나 그 판매그룹의 판매가를 확인하세요", WARNING)


def check_groups(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    names = split_list(row.get("groups", "")).value
    known = ctx.book.groups_in_file | {g for _, _, g in ctx.book.known_groups}
    missing = [n for n in names if n not in known]
    if missing:
        yield ctx.issue(row, "groups", "group-missing", f"판매그룹을 찾을 수 없습니다: {', '.join(missing)}", "판매정보 시트에 그룹을 추가하거나 저장된 그룹명을 쓰세요")


def check_store_collision(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    stored = ctx.book.stored_products(row.get("code", "")) if row.has("code") else None
    if stored and row.has("name") and stored.get("name") != row.get("name"):
        yield ctx.issue(row, "code", "code-in-store", f"이미 저장된 상품코드입니다 (저장된 상품명: {stored.get('name')})",
                        "같은 상품이면 그대로 두세요(수정됩니다). 다른 상품이면 코드를 바꾸세요", WARNING)


def _general_groups(row: Row, ctx: SheetContext) -> list[tuple[str, str]]:
    """(group name, mall code) of each 종합몰 sales group the product row links to."""
    found = []
    for name in split_list(row.get("groups", "")).value:
        for group in ctx.book.groups_named(name):
            mall = find_mall(str(group.get("mall", "")))
            if mall is not None and mall.general:
                found.append((name, mall.code))
    return found


def check_general_product(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    """A product row linked to a 종합몰: no priced options where the mall ignores them, plain 상품명."""
    groups = _general_groups(row, ctx)
    if not groups:
        return
    priced = row.get("option_use") and row.get("option_type") == "조합형" and row.has("option_prices")
    if priced:
        try:
            extras = per_combination(row.get("option_prices", ""), len(combinations(row)))
        except NormalizeError:
            extras = []  # reported by check_options
        ignoring = [(n, m) for n, m in groups if not find_mall(m).option_prices]  # type: ignore[union-attr]
        if any(extras) and ignoring:
            names = ", ".join(dict.fromkeys(f"{mall_name(m)}(판매그룹 '{n}')" for n, m in ignoring))
            yield ctx.issue(row, "option_prices", "general-option-prices", OPTION_PRICES_IGNORED.format(name=names), OPTION_PRICES_FIX)
    used = "".join(ch for ch in GENERAL_NAME_CHARS if ch in str(row.get("name") or ""))
    if used:
        malls = ", ".join(dict.fromkeys(mall_name(m) for _, m in groups))
        yield ctx.issue(row, "name", "general-name-chars", f"종합몰({malls}) 상품명에는 기본 특수문자도 되도록 쓰지 마세요: {' '.join(used)}",
                        "종합몰에 보낼 상품명에서 ( ) , / + - ~ 를 빼세요", WARNING)


NOTICE_TABLE = GuideTable(
    "품목고시별 '품목고시 내용' 항목 ('항목=값'으로 모두 채우거나 전체를 '상세정보 별도표기')",
    ("품목고시", "필수 항목"),
    tuple((group, ", ".join(fields)) for group, fields in NOTICE_GROUPS.items()),
)

PRODUCTS = SheetKind(
    code="products",
    title="상품",
    columns=COLUMNS,
    description="쇼핑몰 공통 상품 정보 (아임셀러 상품등록 - 기본정보)",
    unique=("code",),
    row_rules=(check_name, check_category, check_dates, check_origin, check_certs, check_notice, check_keywords,
               check_images, check_options, check_cost_below_price, check_groups, check_store_collision, check_general_product),
    guide_tables=(NOTICE_TABLE,),
    example_rows=({
        "code": "NK1001", "name": "실버 목걸이 세트 (로즈골드)", "status": "판매가능", "category": "패션잡화>주얼리/시계>귀걸이/목걸이",
        "model_name": "NK-1001", "maker": "중소기업유통센터", "brand": "실버라인", "origin": "원산지표시대상아님",
        "certs": NO_CERT, "notice_group": "패션잡화(모자/벨트/액세서리)", "notice": "상세정보 별도표기", "keywords": "목걸이,실버,선물",
        "detail": '<img src="https://example.com/NK1001_detail.jpg">', "main_image": "https://example.com/NK1001.jpg",
        "cost_price": "23000", "tax_type": "과세", "region": "전국", "adult": "N", "option_use": "Y", "option_type": "조합형",
        "option_name1": "색상", "option_values1": "골드,실버,로즈골드", "option_prices": "0,0,2000", "option_stock": "100",
        "groups": "쿠팡 기본",
    },),
)
