"""Outbox kind: the 가져온상품 workbook of ``mallbatch import`` (seed 001 데이터이전 서비스).

One row per listing found on the mall: what import did with it (쇼핑몰, 계정, 쇼핑몰상품번호,
연결상태, 사유, the mall's 판매가/정가), then the 상품 kind's own columns, prefilled. Dropped back
into the inbox it reads as a 상품 file: a 확인 필요 row whose 자체상품코드 the seller kept or
wrote binds to its listing (pipeline.importing.link_rows), a completed row is saved as a product.
"""

from __future__ import annotations

from mallbatch.kinds.collected import REASON
from mallbatch.kinds.common import ACCOUNT, MALL, MALL_PRODUCT_ID
from mallbatch.kinds.products import PRODUCTS
from mallbatch.kinds.sales_groups import LIST_PRICE, SALE_PRICE
from mallbatch.sheets.columns import Column, SheetKind

BOUND, NEW_CODE, CONFIRM = "연결됨", "새 상품코드", "확인 필요"
LINK_STATE = Column(
    "연결상태", "link_state",
    help=f"{BOUND}: 저장된 상품에 연결됨, {NEW_CODE}: 쇼핑몰의 판매자상품코드로 연결함 (나머지 칸을 채우면 상품으로 저장), "
         f"{CONFIRM}: 제안한 자체상품코드를 확인하고 이 엑셀을 inbox 에 넣으면 연결됨 (연결하지 않을 행은 지우세요)",
    width=12,
)
LINK_COLUMNS = (MALL, ACCOUNT, MALL_PRODUCT_ID, LINK_STATE, REASON, SALE_PRICE, LIST_PRICE)

IMPORTED = SheetKind(
    code="imported",
    title="가져온상품",
    columns=(*LINK_COLUMNS, *PRODUCTS.columns),
    description="mallbatch import 로 쇼핑몰에서 가져온 상품. 확인 필요 행의 자체상품코드를 확인하고 inbox 에 넣으면 연결됩니다",
    inbox=False,
    reads_as="products",
)
