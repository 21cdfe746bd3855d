"""문의답변 (inquiry answers). The inquiries workbook from ``collect`` is accepted too:
rows whose 답변 is left empty are skipped. Mall length limits are checked at send time."""

from __future__ import annotations

from mallbatch.kinds.common import (
    ACCOUNT,
    ANSWER,
    ANSWER_ACTION,
    INQUIRY_NO,
    MALL,
    check_account,
)
from mallbatch.sheets.columns import SheetKind

ANSWERS = SheetKind(
    code="answers",
    title="문의답변",
    columns=(MALL, ACCOUNT, INQUIRY_NO, ANSWER, ANSWER_ACTION),
    description="고객 문의에 보낼 답변",
    unique=("mall", "account", "inquiry_id"),
    row_rules=(check_account,),
    example_rows=({"mall": "위메프", "account": "기본", "inquiry_id": "10001", "answer": ANSWER.example, "action": "답변"},),
)
