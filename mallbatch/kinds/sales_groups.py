"""판매정보 (sales groups): per mall and account, the price, period, category and shipping
info a product is linked with (seed 001 §판매정보 입력, §위메프 배송 정보 설정)."""

from __future__ import annotations

from collections.abc import Iterator

from mallbatch.kinds.common import ACCOUNT, MALL, check_account
from mallbatch.kinds.general_malls import GROUP_NOTICE, GROUP_NOTICE_GROUP, check_group_notice
from mallbatch.sheets.columns import Column, Kind, SheetKind
from mallbatch.sheets.issues import Issue
from mallbatch.sheets.rows import Row, SheetContext

FEE_FREE, FEE_CONDITIONAL, FEE_PAID = "무료", "조건부 무료", "유료"

GROUP = Column("그룹명", "group", required=True, max_len=50, synonyms=("판매그룹", "판매정보그룹", "그룹"),
               help="구분하기 쉬운 이름 (쇼핑몰·계정 안에서 중복 불가, 쇼핑몰에는 노출되지 않음)", example="쿠팡 기본", width=16)
MALL_CATEGORY = Column("쇼핑몰 카테고리", "mall_category", required=True, synonyms=("제휴몰 카테고리", "쇼핑몰카테고리", "카테고리코드"),
                       help="그 쇼핑몰의 카테고리 코드 또는 경로", example="56137", width=18)
SALE_START = Column("판매시작일", "sale_start", Kind.DATE, required=True, synonyms=("판매기간 시작",), help="YYYY-MM-DD", example="2026-11-21", width=12)
SALE_END = Column("판매종료일", "sale_end", Kind.DATE, required=True, synonyms=("판매기간 종료",), help="시작일보다 뒤 (YYYY-MM-DD)", example="2027-12-31", width=12)
LIST_PRICE = Column("정가", "list_price", Kind.INT, required=True, min=1, help="원 단위 숫자", example="30000", width=10)
SALE_PRICE = Column("판매가", "sale_price", Kind.INT, required=True, min=1, help="정가 이하", example="25000", width=10)
SHIP_NAME = Column("배송정보명", "ship_name", required=True, max_len=50, help="배송정보를 구분할 이름", example="기본 택배", width=14)
BUNDLE = Column("배송유형", "bundle_type", Kind.CHOICE, required=True, choices=("상품별배송", "묶음배송"),
                aliases={"묶음배송(판매자별)": "묶음배송"},
                variants={"개별배송": "상품별배송", "단독배송": "상품별배송", "상품별": "상품별배송", "묶음": "묶음배송", "합배송": "묶음배송",
                          "묶음배송가능": "묶음배송"},
                help="상품별배송 또는 묶음배송", example="상품별배송", width=12)
METHOD = Column("배송방법", "method", Kind.CHOICE, required=True,
                choices=("일반-택배배송", "일반-직접배송", "일반-우편배송", "해외구매대행-택배배송", "해외구매대행-직접배송"),
                aliases={"택배": "일반-택배배송", "택배배송": "일반-택배배송", "직접배송": "일반-직접배송", "우편배송": "일반-우편배송"},
                variants={"택배발송": "일반-택배배송", "일반택배": "일반-택배배송", "직배송": "일반-직접배송", "직접전달": "일반-직접배송",
                          "우편": "일반-우편배송", "등기우편": "일반-우편배송", "해외배송": "해외구매대행-택배배송",
                          "구매대행": "해외구매대행-택배배송", "해외구매대행": "해외구매대행-택배배송"},
                help="목록에서 고르세요", example="일반-택배배송", width=18)
FEE_TYPE = Column("배송비종류", "fee_type", Kind.CHOICE, required=True, choices=(FEE_FREE, FEE_CONDITIONAL, FEE_PAID),
                  aliases={"조건부무료": FEE_CONDITIONAL, "무료배송": FEE_FREE},
                  variants={"조건부": FEE_CONDITIONAL, "조건부무료배송": FEE_CONDITIONAL, "조건부배송비": FEE_CONDITIONAL,
                            "유료배송": FEE_PAID, "배송비있음": FEE_PAID, "고정배송비": FEE_PAID, "무배": FEE_FREE, "0원": FEE_FREE},
                  help="무료/조건부 무료/유료", example=FEE_FREE, width=12)
FEE = Column("배송비", "fee", Kind.INT, min=0, help="유료·조건부 무료일 때 배송비 (원)", example="0", width=10)
FREE_OVER = Column("무료배송 기준금액", "free_over", Kind.INT, min=1, synonyms=("무료기준금액", "조건부 무료 기준금액"),
                   help="조건부 무료일 때: 이 금액 이상이면 무료", example="50000", width=14)
JEJU_FEE = Column("제주 추가배송비", "jeju_fee", Kind.INT, min=0, synonyms=("제주추가배송비",), help="편도, 원 (비우면 0)", example="3500", default=0, width=12)
ISLAND_FEE = Column("도서산간 추가배송비", "island_fee", Kind.INT, min=0, synonyms=("도서산간추가배송비",), help="편도, 원 (비우면 0)", example="3500", default=0, width=14)
PAY_TYPE = Column("배송비결제방식", "pay_type", Kind.CHOICE, required=True, choices=("선결제", "착불"),
                  variants={"선불": "선결제", "선불결제": "선결제", "선결재": "선결제", "선결제(선불)": "선결제", "주문시결제": "선결제",
                            "후불": "착불", "착불결제": "착불", "착불(후불)": "착불", "후불(착불)": "착불", "수령시결제": "착불",
                            "수취인부담": "착불"},
                  help="선결제 또는 착불", example="선결제", width=12)
RETURN_FEE = Column("반품/교환배송비", "return_fee", Kind.INT, required=True, min=0, synonyms=("반품배송비", "반품/교환배송비(편도)"),
                    help="편도, 원", example="2500", width=14)
SHIP_FROM_ZIP = Column("출고지 우편번호", "from_zip", Kind.ZIP, required=True, synonyms=("출고지우편번호",), help="5자리", example="07997", width=10)
SHIP_FROM_ADDR = Column("출고지 주소", "from_address", required=True, synonyms=("출고지주소",), help="도로명 또는 지번 주소", example="서울특별시 양천구 목동동로 100", width=30)
SHIP_FROM_DETAIL = Column("출고지 상세주소", "from_detail", synonyms=("출고지상세주소",), help="동·호수 등", example="4층", width=14)
RETURN_ZIP = Column("회수지 우편번호", "return_zip", Kind.ZIP, required=True, synonyms=("반품지 우편번호", "회수지우편번호"), help="5자리", example="07997", width=10)
RETURN_ADDR = Column("회수지 주소", "return_address", required=True, synonyms=("반품지 주소", "회수지주소"), help="도로명 또는 지번 주소", example="서울특별시 양천구 목동동로 100", width=30)
RETURN_DETAIL = Column("회수지 상세주소", "return_detail", synonyms=("반품지 상세주소", "회수지상세주소"), help="동·호수 등", example="4층", width=14)
LEAD_DAYS = Column("출고기한", "lead_days", Kind.DAYS, required=True, min=1, max=30, synonyms=("출고기한(일)",),
                   help="주문 후 며칠 안에 출고하는지 (주말·공휴일 제외)", example="2", width=8)

COLUMNS = (MALL, ACCOUNT, GROUP, MALL_CATEGORY, SALE_START, SALE_END, LIST_PRICE, SALE_PRICE, SHIP_NAME, BUNDLE, METHOD,
           FEE_TYPE, FEE, FREE_OVER, JEJU_FEE, ISLAND_FEE, PAY_TYPE, RETURN_FEE, SHIP_FROM_ZIP, SHIP_FROM_ADDR,
           SHIP_FROM_DETAIL, RETURN_ZIP, RETURN_ADDR, RETURN_DETAIL, LEAD_DAYS, GROUP_NOTICE_GROUP, GROUP_NOTICE)


def check_period(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    start, end = row.get("sale_start"), row.get("sale_end")
    if start and end and end <= start:
        yield ctx.issue(row, "sale_end", "period", "판매종료일이 판매시작일보다 빠르거나 같습니다", "종료일을 시작일 뒤로 고치세요")


def check_prices(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    listed, sale = row.get("list_price"), row.get("sale_price")
    if listed and sale and sale > listed:
        yield ctx.issue(row, "sale_price", "price", f"판매가({sale:,}원)가 정가({listed:,}원)보다 큽니다", "판매가를 정가 이하로 고치세요")


def check_fee(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    kind = row.get("fee_type")
    if kind in (FEE_PAID, FEE_CONDITIONAL) and not row.get("fee"):
        yield ctx.issue(row, "fee", "fee", f"{kind} 배송이면 배송비가 필요합니다", "배송비(원)를 입력하세요")
    if kind == FEE_CONDITIONAL and not row.has("free_over"):
        yield ctx.issue(row, "free_over", "free-over", "조건부 무료 배송이면 무료배송 기준금액이 필요합니다", "기준금액(원)을 입력하세요")


SALES_GROUPS = SheetKind(
    code="sales_groups",
    title="판매정보",
    columns=COLUMNS,
    description="쇼핑몰·계정별 판매정보 그룹 (판매가, 판매기간, 카테고리, 배송정보; 종합몰은 품목고시도)",
    unique=("mall", "account", "group"),
    row_rules=(check_period, check_prices, check_fee, check_account, check_group_notice),
    example_rows=({
        "mall": "쿠팡", "account": "기본", "group": "쿠팡 기본", "mall_category": "56137", "sale_start": "2026-11-21",
        "sale_end": "2027-12-31", "list_price": "30000", "sale_price": "25000", "ship_name": "기본 택배", "bundle_type": "상품별배송",
        "method": "일반-택배배송", "fee_type": "무료", "fee": "0", "jeju_fee": "3500", "island_fee": "3500", "pay_type": "선결제",
        "return_fee": "2500", "from_zip": "07997", "from_address": "서울특별시 양천구 목동동로 100", "from_detail": "4층",
        "return_zip": "07997", "return_address": "서울특별시 양천구 목동동로 100", "return_detail": "4층", "lead_days": "2",
    },),
)
