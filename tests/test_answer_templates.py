"""Answer templates per language (seed 004): the customer's locale picks the language, a sandboxed
jinja2 environment fills them, and a template the seller got wrong is the row's error — on the
Korean malls' 문의 workbook too."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.records import Inquiry
from mallbatch.kinds import KINDS
from mallbatch.malls import mall_name
from mallbatch.pipeline.answer_templates import AnswerTemplates, TemplateProblem, languages_for
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from mallbatch.workspace import Workspace, init_workspace

FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)


def rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]


def put(ws: Workspace, language: str, name: str, text: str) -> None:
    folder = ws.home / "templates" / "answers" / language
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")


def test_languages_tried_locale_then_base_then_fallback() -> None:
    assert languages_for("pt_BR", "en") == ["pt-br", "pt", "en"]
    assert languages_for("de", "en") == ["de", "en"]
    assert languages_for("", "ko") == ["ko"]


def test_init_writes_examples_in_three_languages_and_they_render(tmp_path: Path) -> None:
    ws, _ = init_workspace(tmp_path / "ws")
    templates = AnswerTemplates(ws)
    assert {"ko", "en", "de"} <= set(templates.languages())
    context = {"customer_name": "Anna", "order_id": "ORD1", "product": "Silver necklace", "tracking_no": "612345678901",
               "courier": "CJ대한통운", "subject": "Where is my order?"}
    for language in ("ko", "en", "de"):
        assert templates.names(language) == templates.names("ko")
        for name in templates.names(language):
            assert templates.render(name, language, "en", context).text
    shipped = templates.render("배송안내", "de_DE", "en", context)
    assert shipped.language == "de" and "612345678901" in shipped.text and "Anna" in shipped.text
    assert templates.render("배송안내", "fr", "en", context).language == "en"  # no French: Wish's fallback
    (ws.home / "templates" / "answers" / "en" / "배송안내.txt").write_text("mine", encoding="utf-8")
    init_workspace(ws.home)
    assert templates.render("배송안내", "en", "en", context).text == "mine"  # the seller's own stay


def test_unknown_name_bad_variable_and_sandbox_are_errors_naming_the_template(tmp_path: Path) -> None:
    ws, _ = init_workspace(tmp_path / "ws")
    templates = AnswerTemplates(ws)
    with pytest.raises(TemplateProblem) as unknown:
        templates.render("없는템플릿", "en", "en", {})
    assert "'없는템플릿'" in unknown.value.message_ko and "ko(" in unknown.value.message_ko and "de(" in unknown.value.message_ko
    put(ws, "en", "typo", "Dear {{ custmer_name }}")
    with pytest.raises(TemplateProblem) as typo:
        templates.render("typo", "en", "en", {"customer_name": "Anna"})
    assert "'typo' (en)" in typo.value.message_ko and "custmer_name" in typo.value.message_ko
    put(ws, "en", "escape", "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateProblem):
        templates.render("escape", "en", "en", {})
    with pytest.raises(TemplateProblem):
        templates.render("../en/typo", "en", "en", {})


def test_inquiries_workbook_template_column_renders_answers_on_a_korean_mall(sim_workspace, tmp_path: Path) -> None:
    """템플릿 alone renders the answer (ko: Korean malls give no locale); 답변 filled wins; an unknown
    template is the row's 오류 and nothing is sent for it; a re-dropped file sends nothing twice."""
    ws, servers = sim_workspace(("wemakeprice",), rate_limit=200)
    sim = servers["wemakeprice"].simulator
    sim.generate(0, 0, 8)
    put(ws, "ko", "감사", "{{ customer_name }}님, 문의 감사합니다. 주문 {{ order_id or '없음' }} 확인 후 답변드리겠습니다.")
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        result = collect(ws, store, session, kinds=("inquiries",))
        first, second, third = [i for i, _, _ in store.records.all(Inquiry, "inquiries") if not i.answered][:3]
        book = openpyxl.load_workbook(result.workbooks["inquiries"])
        sheet = book.active
        header = [c.value for c in sheet[1]]
        ids = {str(r[header.index("문의번호")].value): r for r in sheet.iter_rows(min_row=2)}
        ids[first.inquiry_id][header.index("템플릿")].value = "감사"
        ids[second.inquiry_id][header.index("답변")].value = "직접 쓴 답변입니다. 감사합니다."
        ids[second.inquiry_id][header.index("템플릿")].value = "감사"
        ids[third.inquiry_id][header.index("템플릿")].value = "없는템플릿"
        dropped = tmp_path / "문의.xlsx"
        book.save(dropped)
        pushed = push_file(ws, store, session, dropped)
        by_id = {str(r["문의번호"]): r for r in rows(pushed.result_path, "문의")}
        assert by_id[first.inquiry_id]["결과"] == "성공"
        assert by_id[second.inquiry_id]["결과"] == "성공" and "템플릿은 쓰지 않고" in by_id[second.inquiry_id]["메시지"]
        assert by_id[third.inquiry_id]["결과"] == "오류"
        assert "'없는템플릿'" in by_id[third.inquiry_id]["메시지"] and "ko(" in by_id[third.inquiry_id]["메시지"]
        answers = {str(q["qnaSeq"]): q.get("answer") for q in sim.store.all("qna")}
        assert answers[first.inquiry_id] == f"{first.writer}님, 문의 감사합니다. 주문 {first.order_id or '없음'} 확인 후 답변드리겠습니다."
        assert answers[second.inquiry_id] == "직접 쓴 답변입니다. 감사합니다."
        assert not answers[third.inquiry_id]
        push_file(ws, store, session, dropped)
        assert sim.store.audit_counts("inquiry.answer") == {first.inquiry_id: 1, second.inquiry_id: 1}


def test_answers_template_sheet_needs_answer_or_template(tmp_path: Path) -> None:
    from kindbook import validate

    path = write_filled(tmp_path / "문의답변.xlsx", [(KINDS["answers"], [
        {"mall": mall_name("wemakeprice"), "account": "기본", "inquiry_id": "1", "template": "배송안내"},
        {"mall": mall_name("wemakeprice"), "account": "기본", "inquiry_id": "2"},
    ])])
    report = validate(path)
    first, second = report.sheets[0].rows
    assert first.status != "오류", first.message
    assert second.status == "오류" and "답변" in second.message
