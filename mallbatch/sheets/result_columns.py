"""Result columns appended to the seller's rows in every result workbook (read back by layout)."""

from __future__ import annotations

from mallbatch.sheets.columns import Column

RESULT = Column("결과", "result", help="정상/오류/경고 (검사) 또는 성공/실패/보류/건너뜀 (전송)", width=10)
MESSAGE = Column("메시지", "message", help="무엇이 문제이고 어떻게 고치는지", width=60)
MALL_IDS = Column("쇼핑몰 상품번호", "mall_ids", help="쇼핑몰별로 등록된 상품번호", width=30)
