"""Seed 001's 종합몰 rules, checked before anything is sent whatever the transport, and the file connector's
recovery, overrides and messages: a crash between the upload workbook and the journal, a seller's own layout,
a download no layout or two layouts fit, and ``mallbatch accounts``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from filemall_helpers import ORDER, download, file_workspace, group, product, products_file, push, result_rows, uploads
from kindbook import row_issues, validate, write_book
from mallbatch.cli import cli
from mallbatch.connectors.filemall.layouts import layout
from mallbatch.domain.records import Invoice, OrderLine
from mallbatch.kinds.invoices import GENERAL_NO_CANCEL, INVOICES
from mallbatch.kinds.products import PRODUCTS
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.malls import MALLS
from mallbatch.pipeline.ops import OPS, reconcile_unsettled
from mallbatch.pipeline.order_actions import invoice_payload
from mallbatch.pipeline.plan import FILED
from mallbatch.pipeline.session import Session
from mallbatch.sheets.issues import ERROR, WARNING
from mallbatch.store import Store
from mallbatch.store.journal import DONE, IN_FLIGHT, PENDING, Command

NOTICE = {"notice_group": "패션잡화(모자/벨트/액세서리)", "notice": "상세정보 별도표기"}


def issues_of(ws, path: Path) -> dict[str, list]:
    from mallbatch.pipeline.check import check_file

    with Store(ws.store_path) as store:
        report = check_file(ws, store, path).report
    found: dict[str, list] = {}
    for issue in row_issues(report) + report.issues:
        found.setdefault(issue.code, []).append(issue)
    return found


@pytest.mark.parametrize("mall", ["현대몰", "롯데ON", "롯데닷컴", "롯데홈쇼핑"])
def test_priced_options_linked_to_a_mall_that_ignores_them_are_an_error_saying_register_each_option(tmp_path: Path, mall: str) -> None:
    ws = file_workspace(tmp_path, ("hmall", "lotteon", "lottehomeshopping"))
    path = products_file(ws.inbox / "상품.xlsx", [group(mall, "종합몰", **NOTICE)], [product("종합몰", name="실버 목걸이 세트")])
    (issue,) = issues_of(ws, path)["general-option-prices"]
    assert issue.severity == ERROR and issue.column == "옵션추가금액" and "옵션별 추가금액을 반영하지 않습니다" in issue.message
    assert "단품" in issue.fix
    result = push(ws, path)
    assert result_rows(result, "상품")[0]["결과"] == "오류" and uploads(ws, "현대몰") == []


def test_the_same_options_without_prices_or_on_cj_mall_are_sent(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path, ("hmall", "cjmall"))
    groups = [group("현대몰", "현대", **NOTICE), group("CJ몰", "CJ", **NOTICE)]
    products = [product("현대", code="NK2001", name="실버 목걸이", option_prices="0"),
                product("CJ", code="NK2002", name="실버 반지")]  # 0,0,2000: CJ몰 applies option prices
    path = products_file(ws.inbox / "상품.xlsx", groups, products)
    assert "general-option-prices" not in issues_of(ws, path)
    assert [r["결과"] for r in result_rows(push(ws, path), "상품")] == [FILED, FILED]


def test_a_send_time_check_refuses_priced_options_a_saved_product_carries(tmp_path: Path) -> None:
    """A product saved with prices, linked to 현대몰 later through a 판매정보 sheet alone: refused before writing."""
    from mallbatch.pipeline.listing import build_listing

    ws = file_workspace(tmp_path)
    with Store(ws.store_path) as store, Session(ws) as session:
        adapter = session.adapter(ws.config.find_account("hmall", "기본"))
        listing = build_listing({**PRODUCTS.example_rows[0], "code": "NK1", "option_use": True, "option_type": "조합형",
                                 "cost_price": 1, "stock": 1}, {**SALES_GROUPS.example_rows[0], "mall": "hmall", **NOTICE})
        assert listing.options and any(o.extra_price for o in listing.options)
        (problem,) = adapter.listing_problems(listing)
        assert "현대몰은(는) 옵션별 추가금액을 반영하지 않습니다" in problem and "단품" in problem


def test_basic_special_characters_in_a_general_mall_name_are_a_warning(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path, ("gsshop", "interpark"))
    path = products_file(ws.inbox / "상품.xlsx", [group("GS SHOP", "GS", **NOTICE), group("인터파크", "IP")],
                         [product("GS", option_prices="0"), product("IP", code="NK1002")])
    found = issues_of(ws, path)
    (issue,) = found["general-name-chars"]  # 인터파크 is not a 종합몰: its row says nothing
    assert (issue.severity, issue.row, issue.column) == (WARNING, 2, "상품명") and "( )" in issue.message.replace("(\u200b", "(")


def test_a_general_mall_sales_group_needs_its_own_notice_and_its_listings_carry_it(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path, ("cjmall", "interpark"))
    path = write_book(ws.inbox / "판매정보.xlsx", [(SALES_GROUPS, [group("CJ몰", "CJ"), group("인터파크", "IP")])])
    found = issues_of(ws, path)["general-notice"]
    assert [(i.row, i.column) for i in found] == [(2, "품목고시"), (2, "품목고시 내용")]
    assert all("종합몰의 판매정보에는" in i.message for i in found)
    own = {"notice_group": "가방", "notice": "종류=토트;소재=가죽;색상=검정;크기=30cm;제조자(수입자)=실버라인;제조국=한국;"
                                           "취급시 주의사항=상세페이지 참조;품질보증기준=상세페이지 참조;A/S 책임자와 전화번호=1588-0000"}
    path = products_file(ws.inbox / "상품.xlsx", [group("CJ몰", "CJ", **own)], [product("CJ", option_prices="0", name="가죽 가방")])
    assert "general-notice" not in issues_of(ws, path)
    push(ws, path)
    (upload,) = uploads(ws, "CJ몰")
    values = dict(zip(*list(openpyxl.load_workbook(upload).worksheets[0].iter_rows(values_only=True))[:2]))
    assert values["상품정보고시"] == "가방" and "소재=가죽" in values["상품정보고시내용"]


@pytest.mark.parametrize("mall", [m.name for m in MALLS if m.general])
def test_a_sellers_cancel_on_a_general_mall_is_refused_with_seed_001s_reason(tmp_path: Path, mall: str) -> None:
    path = write_book(tmp_path / "송장.xlsx", [(INVOICES, [{"mall": mall, "order_no": "20261121000123", "action": "판매취소",
                                                            "reason_code": "품절"}])])
    (issue,) = [i for i in row_issues(validate(path)) if i.code == "general-no-cancel"]
    assert issue.message == GENERAL_NO_CANCEL and "담당 MD" in issue.fix


def _one_line(ws) -> OrderLine:
    push(ws, download(ws.inbox / "주문.xlsx", "hmall", "order_download", [ORDER], ws.home))
    with Store(ws.store_path) as store:
        (line,) = store.records.orders("hmall", "기본", [ORDER["order_id"]])
    return line


@pytest.mark.parametrize("written", [True, False], ids=["killed-after-the-workbook", "killed-before-the-workbook"])
def test_a_crash_between_the_upload_and_the_journal_loses_nothing_and_writes_nothing_twice(tmp_path: Path, written: bool) -> None:
    ws = file_workspace(tmp_path)
    line = _one_line(ws)
    invoice = Invoice(line.ship_unit, (line.line_id,), line.order_id, "CJ", "612345678901")
    command = Command.new("hmall", "기본", "invoice.send", line.ship_unit, invoice_payload(invoice))
    with Store(ws.store_path) as store, Session(ws) as session:
        adapter = session.adapter(ws.config.find_account("hmall", "기본"))
        store.journal.register(command)
        store.journal.mark(command, IN_FLIGHT)  # the journal's mark before the write, as ops.execute does
        if written:
            OPS["invoice.send"].send(adapter, [invoice])  # the workbook is in place; the process dies before "done"
    with Store(ws.store_path) as store, Session(ws) as session:  # the next start
        assert reconcile_unsettled(store.journal, session.adapter_named) == 1
        assert store.journal.get(command.idem_key).state == (DONE if written else PENDING)
    filled = write_book(ws.inbox / "송장.xlsx", [(INVOICES, [{"mall": "현대몰", "order_no": line.order_id, "courier": "CJ대한통운",
                                                             "tracking_no": "612345678901"}])])
    (row,) = result_rows(push(ws, filled))
    assert row["결과"] == ("건너뜀" if written else FILED), row
    (upload,) = uploads(ws, "현대몰")
    rows = list(openpyxl.load_workbook(upload).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == line.order_id  # exactly one row for the line, whichever way it died


def test_a_sellers_own_layout_for_one_mall_replaces_its_table(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path, ("gsshop", "hmall"))
    (ws.home / "filemalls.toml").write_text('''
[gsshop.order_download.columns]
"GS주문번호" = "order_id"
"순번" = "line_seq"
"상태" = "status"
"상품" = "product_name"
"개수" = "quantity"
"받는이" = "receiver_name"

[statuses.orders]
"배송지시" = "상품준비중"
''', encoding="utf-8")
    assert [h for h, _ in layout("gsshop", ws.home).part("order_download").columns][:2] == ["GS주문번호", "순번"]
    assert layout("hmall", ws.home).part("order_download") == layout("hmall").part("order_download")  # others untouched
    row = dict(ORDER, status="배송지시")
    result = push(ws, download(ws.inbox / "GS.xlsx", "gsshop", "order_download", [row], ws.home))
    assert [r["결과"] for r in result_rows(result)] == ["저장"]
    with Store(ws.store_path) as store:
        (line,) = store.records.orders("gsshop", "기본", [ORDER["order_id"]])
    assert (line.line_id, line.status.value, line.receiver_name) == ("20261121000123-1", "상품준비중", "김수령")
    (ws.home / "filemalls.toml").write_text('[gsshop.order_download.columns]\n"주문" = "order_no"\n', encoding="utf-8")
    output = CliRunner().invoke(cli, ["--home", str(ws.home), "accounts"]).output
    assert "GS SHOP/기본: 파일 연동 (업로드 파일 작성 / 다운로드 파일 읽기) - 양식 오류" in output and "'order_no'" in output, output


def test_accounts_says_file_transport_without_auth_or_key_expiry(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path, ("interpark", "hmall"))
    result = CliRunner().invoke(cli, ["--home", str(ws.home), "accounts"])
    assert result.exit_code == 0, result.output
    assert "인터파크/기본: 파일 연동 (업로드 파일 작성 / 다운로드 파일 읽기), 인증·키 만료 없음 (업로드 파일은 outbox/인터파크/)" in result.output
    assert "현대몰/기본: 파일 연동" in result.output and "인증 실패" not in result.output


def test_a_download_no_layout_fits_names_the_file_sheet_headers_and_layouts_tried(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path)
    wb = openpyxl.Workbook()
    wb.active.title = "다운로드"
    wb.active.append(["거래번호", "고객", "품명", "개수"])
    wb.active.append(["1", "홍길동", "반지", "1"])
    wb.save(ws.inbox / "낯선파일.xlsx")
    result = push(ws, ws.inbox / "낯선파일.xlsx")
    (issue,) = [i for i in result.checked.report.issues if i.code == "file-mall-unknown"]
    assert "낯선파일.xlsx '다운로드' 시트의 머리글(거래번호, 고객, 품명, 개수)" in issue.message
    assert "현대몰 주문 다운로드(주문번호, 진행상태, 상품명, 주문수량)" in issue.fix and "filemalls.toml" in issue.fix
    assert result.failed and (ws.inbox / "낯선파일.xlsx").exists()  # never deleted: the watcher archives it


def test_a_download_two_layouts_fit_equally_is_refused_naming_both(tmp_path: Path) -> None:
    ws = file_workspace(tmp_path, ("gsshop", "cjmall"))
    cj = layout("cjmall").part("order_download")
    table = "\n".join(f'"{h}" = "{f}"' for h, f in cj.columns)
    (ws.home / "filemalls.toml").write_text(f"[gsshop.order_download.columns]\n{table}\n", encoding="utf-8")  # a copy of CJ's
    result = push(ws, download(ws.inbox / "주문.xlsx", "cjmall", "order_download", [ORDER], ws.home))
    (issue,) = [i for i in result.checked.report.issues if i.code == "file-mall-ambiguous"]
    assert "CJ몰 주문 다운로드" in issue.message and "GS SHOP 주문 다운로드" in issue.message and "주문번호" in issue.message
    assert issue.sheet == "조회결과" and result.failed
    with Store(ws.store_path) as store:
        assert store.records.count("orders") == 0
