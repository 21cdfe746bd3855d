"""문의답변 (inquiry answers). The inquiries workbook from ``collect`` is accepted too:
rows whose 답변 and 템플릿 are left empty are skipped. A 템플릿 alone renders the answer in the
customer's language (pipeline.answer_templates); mall length limits are checked at send time."""

from __future__ import annotations

from mallbatch.kinds.common import (
    ACCOUNT,
    ANSWER,
    ANSWER_ACTION,
    INQUIRY_NO,
    MALL,
    TEMPLATE,
    answer_or_template,
    check_account,
    check_template_unused,
)
from mallbatch.sheets.columns import SheetKind

ANSWERS = SheetKind(
    code="answers",
    title="문의답변",
    columns=(MALL, ACCOUNT, INQUIRY_NO, ANSWER, ANSWER_ACTION, TEMPLATE),
    description="고객 문의에 보낼 답변 (답변 대신 템플릿 이름도 됩니다)",
    unique=("mall", "account", "inquiry_id"),
    row_rules=(check_account, check_template_unused),
    waived=answer_or_template,
    example_rows=({"mall": "위메프", "account": "기본", "inquiry_id": "10001", "answer": ANSWER.example, "action": "답변"},),
)
