"""Generates the README's template reference from the kind definitions, so it cannot drift.

Run ``python -m mallbatch.docs`` and paste the output between the README markers;
``tests/test_docs.py`` fails when they differ.
"""

from __future__ import annotations

from mallbatch.kinds import KINDS
from mallbatch.sheets.columns import Kind

KIND_NAMES = {
    Kind.TEXT: "글자", Kind.CODE: "코드(텍스트)", Kind.DIGITS: "숫자(텍스트)", Kind.INT: "정수", Kind.DAYS: "일 수", Kind.DATE: "날짜",
    Kind.DATETIME: "일시", Kind.CHOICE: "선택", Kind.BOOL: "Y/N", Kind.PHONE: "전화번호", Kind.ZIP: "우편번호",
}
BEGIN, END = "<!-- template-reference:begin -->", "<!-- template-reference:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def template_reference() -> str:
    parts = []
    for kind in KINDS.values():
        if not kind.inbox:
            continue
        parts.append(f"### {kind.title} (`{kind.code}`)\n\n{kind.description}\n")
        parts.append("| 열 | 필수 | 형식 | 규칙 | 예 |\n|---|---|---|---|---|")
        for col in kind.columns:
            rule = col.help.replace("|", "\\|")
            if col.max_len:
                rule += f" (최대 {col.max_len}자)"
            example = col.example.replace("|", "\\|")
            parts.append(f"| {col.header} | {'예' if col.required else ''} | {KIND_NAMES[col.kind]} | {rule} | {example} |")
        parts.append("")
        for table in kind.guide_tables:
            parts.append(f"{table.title}:\n\n| {' | '.join(table.headers)} |\n|---|---|")
            parts.extend(f"| {_cell(a)} | {_cell(b)} |" for a, b in table.rows)
            parts.append("")
    outbox = ", ".join(f"{k.title} (`{k.code}`)" for k in KINDS.values() if not k.inbox)
    parts.append(f"수집 엑셀({outbox})은 같은 열 이름을 쓰므로 그대로 다시 넣을 수 있습니다: "
                 "주문 엑셀은 택배사·송장번호를 채우면 송장으로, 문의 엑셀은 답변을 채우면 문의답변으로 처리됩니다.")
    return "\n".join(parts)


if __name__ == "__main__":
    print(f"{BEGIN}\n{template_reference()}\n{END}")
