"""Outbox kind: the 판매상품 workbook (seed 001 판매상품조회, 연동대기상품).

One row per stored product × mall account it is linked to, with what mallbatch last
knows of it there. Input columns are reused so each header string exists once.
"""

from __future__ import annotations

from mallbatch.kinds.collected import REASON
from mallbatch.kinds.common import ACCOUNT, MALL, MALL_PRODUCT_ID, PRODUCT_NAME
from mallbatch.kinds.products import CODE, GROUPS, STATUS
from mallbatch.kinds.sales_groups import SALE_END, SALE_PRICE
from mallbatch.sheets.columns import Column, Kind, SheetKind

LINKED, FAILED, WAITING, UNSETTLED = "반영완료", "실패", "연동대기", "확인중"
LINK_STATE = Column("연동상태", "link_state", help=f"{LINKED}: 쇼핑몰에 반영됨, {FAILED}: 마지막 전송이 실패함 (사유 열), "
                    f"{WAITING}: 저장만 하고 아직 보내지 않음, {UNSETTLED}: 응답을 받지 못해 다음 전송 때 쇼핑몰에서 확인함", width=10)
STOCK_OUT = Column("재고", "stock", Kind.INT, help="저장된 재고 (옵션 상품은 조합 재고의 합)", width=8)
SALE_ALERT = Column("판매기간알림", "sale_alert", help="판매종료일이 7일 안에 오거나 지난 상품 (판매 종료 N일 전 / 오늘 판매 종료 / "
                    "판매기간 종료됨): 판매정보 시트의 판매종료일을 늦춰 다시 보내면 연장됩니다", width=14)
LINKED_AT = Column("최근연동일시", "linked_at", Kind.DATETIME, help="마지막으로 이 쇼핑몰에 보낸 시각", width=18)

LISTINGS = SheetKind(
    code="listings",
    title="판매상품",
    columns=(CODE, PRODUCT_NAME, MALL, ACCOUNT, GROUPS, MALL_PRODUCT_ID, LINK_STATE, REASON, STOCK_OUT, SALE_PRICE,
             STATUS, SALE_END, SALE_ALERT, LINKED_AT),
    description="저장한 상품의 쇼핑몰별 연동상태·상품번호·재고·판매가",
    inbox=False,
    reads_as="stock",  # dropped back: the changed 재고/판매가/상품상태 cells are sent as 재고·가격 rows
)
