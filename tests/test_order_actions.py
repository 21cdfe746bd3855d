"""The seller's actions on orders from Excel (issue 11): the 처리 column of the 주문 workbook and of 송장
sheets — 발주확인 alone, 송장, 판매취소, 강제완료, 보류해제 — and the workbook that makes them easy to fill.

Real workbooks on disk (the collected 주문 workbook edited with openpyxl, as a seller edits it in Excel),
real SQLite, simulators over loopback; exactly-once is asserted on the simulators' own audit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kindbook import row_issues, validate, write_book
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import KST
from mallbatch.domain.records import Claim, ClaimAction, ClaimKind, OrderLine, OrderStatus
from mallbatch.domain.states import State
from mallbatch.kinds.collected import ORDERS
from mallbatch.kinds.invoices import GENERAL_NO_CANCEL, GENERAL_NO_CANCEL_FIX, INVOICES, SMARTSTORE_BULK
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.dispatch import Deadlines
from mallbatch.pipeline.order_actions import NO_CANCEL, NO_RELEASE
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.sheets.rows import BookContext
from mallbatch.store import Store
from tests.contract.harness import HARNESSES
from tests.pipeline_helpers import open_lines, tracking_for

FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)
H = {name: ORDERS.column(name).header for name in ("action", "courier", "tracking_no", "reason_code", "line_id", "ship_unit",
                                                   "status", "status_raw", "ship_by", "ship_by_rule")}


API_MALLS = [h.mall for h in HARNESSES]  # every mall with an API connector and a simulator


def result_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)]


def fill(book: Path, target: Path, choose: Callable[[dict[str, Any]], dict[str, str]]) -> Path:
    """The collected 주문 workbook as the seller saves it after filling some cells of each row."""
    wb = openpyxl.load_workbook(book)
    ws = wb[ORDERS.title]
    header = [c.value for c in ws[1]]
    for cells in ws.iter_rows(min_row=2):
        values = {h: c.value for h, c in zip(header, cells)}
        for name, value in choose(values).items():
            cells[header.index(name)].value = value
    wb.save(target)
    return target


# --- the 처리 column's rules ----------------------------------------------------------------------


def invoice_row(**values: Any) -> dict[str, Any]:
    return {"mall": "쿠팡", "account": "기본", "order_no": "2026112100010001", **values}


def test_each_action_needs_what_it_sends_and_nothing_else(tmp_path: Path) -> None:
    rows = [
        invoice_row(action="발주확인"),  # 2: alone, no invoice: valid
        invoice_row(order_no="2026112100010002", action="판매취소"),  # 3: no 사유구분
        invoice_row(order_no="2026112100010003", action="판매취소", reason_code="품절"),  # 4: valid
        invoice_row(order_no="2026112100010004", action="발주확인", courier="CJ대한통운", tracking_no="612345678901"),  # 5
        invoice_row(order_no="2026112100010005", action="강제완료"),  # 6: valid
        invoice_row(order_no="2026112100010006", action="송장"),  # 7: 송장 without the invoice
        invoice_row(order_no="", line_id="2026112112345601", action="보류해제"),  # 8: a line id alone names the line
    ]
    path = write_book(tmp_path / "송장.xlsx", [(INVOICES, rows)])
    report = validate(path)
    found = [(i.row, i.column, i.code, i.severity) for i in row_issues(report)]
    assert found == [
        (3, INVOICES.column("reason_code").header, "required", "error"),
        (5, INVOICES.column("action").header, "action-invoice", "error"),
        (7, INVOICES.column("courier").header, "required", "error"),
        (7, INVOICES.column("tracking_no").header, "required", "error"),
    ], found


def test_a_general_mall_row_is_refused_with_seed_001s_reason(tmp_path: Path) -> None:
    path = write_book(tmp_path / "송장.xlsx", [(INVOICES, [invoice_row(mall="롯데ON", action="판매취소", reason_code="품절")])])
    issues = {i.code: i for i in row_issues(validate(path))}
    refused = issues["general-no-cancel"]
    assert (refused.column, refused.message, refused.fix) == (INVOICES.column("action").header, GENERAL_NO_CANCEL, GENERAL_NO_CANCEL_FIX)
    assert "종합몰은 판매자에 의한 판매취소처리가 제공되지 않습니다" in refused.text and "제휴몰 담당 MD" in refused.text


def test_smartstore_bulk_dispatch_sheet_reads_as_smartstore_invoices(tmp_path: Path) -> None:
    """스마트스토어 엑셀 일괄발송: a guide row first, then 상품주문번호, 배송방법, 택배사, 송장번호 — no 쇼핑몰, no 주문번호."""
    path = bulk_sheet(tmp_path / "엑셀일괄발송.xlsx", [("2026112151234561", "612345678901"), ("2026112151234562", "")])
    report = validate(path, BookContext(path, accounts={("smartstore", "기본")}))
    (sheet,) = report.sheets
    assert (sheet.kind, sheet.source_kind) == ("invoices", SMARTSTORE_BULK.code)
    first, second = sheet.rows
    assert (first.get("mall"), first.get("line_id"), first.get("courier"), first.issues) == (
        "스마트스토어", "2026112151234561", "CJ대한통운", [])
    # 택배사 without a number: checked, not skipped; no 쇼핑몰 or 주문번호 column is missed
    assert [(i.column, i.code) for i in second.issues] == [(INVOICES.column("tracking_no").header, "required")]
    assert report.issues == [] and sheet.issues == []


def bulk_sheet(path: Path, rows: list[tuple[str, str]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "발송처리"
    ws.append(["다운로드 받은 파일로 '엑셀 일괄발송' 처리하는 방법: 택배사와 송장번호를 입력한 뒤 업로드하세요"])
    ws.append([c.header for c in SMARTSTORE_BULK.columns])
    for line_id, tracking in rows:
        ws.append([line_id, "택배,등기,소포", "CJ대한통운", tracking or None])
    wb.save(path)
    return path


# --- the 주문 workbook --------------------------------------------------------------------------------


def test_the_orders_workbook_is_easy_to_fill(sim_workspace) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    servers["coupang"].simulator.generate(3, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
    wb = openpyxl.load_workbook(book)
    sheet = wb[ORDERS.title]
    header = [c.value for c in sheet[1]]
    ids = header.index(ORDERS.column("line_id").header)
    assert header[ids + 1:ids + 4] == [H["action"], H["courier"], H["tracking_no"]]  # right after the ids
    assert sheet.freeze_panes == f"{openpyxl.utils.get_column_letter(ids + 2)}2"  # header row and id columns stay
    dropdowns = {str(v.sqref).split(":")[0].rstrip("0123456789") for v in sheet.data_validations.dataValidation}
    letters = {openpyxl.utils.get_column_letter(header.index(H[n]) + 1) for n in ("action", "courier", "reason_code")}
    assert letters <= dropdowns
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows and {r[H["status"]] for r in rows} <= {s.value for s in State}
    assert all(r[H["status_raw"]] for r in rows)  # the mall's own code beside it
    assert H["ship_by"] in header and H["ship_by_rule"] in header


def order_rows(book: Path) -> list[dict[str, Any]]:
    return result_rows(book, ORDERS.title)


@pytest.mark.parametrize("mall", API_MALLS)
def test_confirm_alone_from_the_orders_workbook_once_on_every_mall(sim_workspace, tmp_path: Path, mall: str) -> None:
    """collect → 처리 발주확인 → dropped back: each ship unit confirmed once, no invoice; a re-drop sends nothing;
    the next collection shows 발주확인 in 주문상태."""
    ws, servers = sim_workspace((mall,), faults={mall: {"rate_limit": 1000}}, rate_limit=1000)
    sim = servers[mall].simulator
    sim.generate(4, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        if Capability.ORDERS_CONFIRM not in session.adapter(ws.config.accounts[0]).spec.capabilities:
            pytest.skip(f"{mall} 은 발주확인을 선언하지 않음")
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        lines = open_lines(store)
        paid = [l for l in lines if l.status is OrderStatus.PAID]
        assert paid
        # the simulator audits what the mall confirms: the ship unit, or each line (11번가)
        keys = {l.ship_unit: {l.ship_unit} | {m.line_id for m in paid if m.ship_unit == l.ship_unit} for l in paid}
        dropped = fill(book, tmp_path / "주문_발주확인.xlsx", lambda row: {H["action"]: "발주확인"})
        first = push_file(ws, store, session, dropped)
        assert {r["결과"] for r in result_rows(first.result_path, ORDERS.title)} == {"성공"}, first.summary_ko()
        confirmed = sim.store.audit_counts("order.confirm")
        assert set(confirmed.values()) == {1} and set(confirmed) <= set().union(*keys.values())
        assert all(names & set(confirmed) for names in keys.values())
        assert sim.store.audit_counts("invoice.send") == {}
        again = push_file(ws, store, session, dropped)
        assert {r["결과"] for r in result_rows(again.result_path, ORDERS.title)} == {"건너뜀"}
        assert sim.store.audit_counts("order.confirm") == confirmed
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
    states = {r[H["line_id"]] or r[H["ship_unit"]]: r[H["status"]] for r in order_rows(book)}
    assert set(states.values()) == {State.CONFIRMED.value}, states


# each mall's own carrier where it has its own names (Wish: its international carriers, reference §3.4)
CARRIER = {"wish": ("USPS", lambda unit: "9400" + tracking_for(unit) + "123456")}


@pytest.mark.parametrize("mall", API_MALLS)
def test_invoices_from_the_orders_workbook_ship_once_each_on_every_mall(sim_workspace, tmp_path: Path, mall: str) -> None:
    """collect → 택배사 + 송장번호 on every row → dropped back: every ship unit shipped once with its number (the
    simulator's audit), a re-drop sends nothing, and the next 주문 workbook no longer offers them as unshipped."""
    ws, servers = sim_workspace((mall,), faults={mall: {"rate_limit": 1000}}, rate_limit=1000)
    sim = servers[mall].simulator
    sim.generate(4, 0, 0)
    courier, number = CARRIER.get(mall, ("CJ대한통운", tracking_for))
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        paid = [l for l in open_lines(store) if l.status is OrderStatus.PAID and not l.hold]
        assert paid
        units = {l.ship_unit: {l.ship_unit} | {m.line_id for m in paid if m.ship_unit == l.ship_unit} for l in paid}
        dropped = fill(book, tmp_path / "주문_송장.xlsx", lambda row: {H["courier"]: courier, H["tracking_no"]: number(str(row[H["ship_unit"]]))}
                       if str(row[H["ship_unit"]]) in units else {})
        first = push_file(ws, store, session, dropped)
        done = {str(r[H["ship_unit"]]): r["결과"] for r in result_rows(first.result_path, ORDERS.title)}
        assert {done[u] for u in units} == {"성공"}, first.summary_ko()
        sent = sim.store.audit_counts("invoice.send")
        assert set(sent.values()) == {1} and set(sent) <= set().union(*units.values()), sent
        assert all(names & set(sent) for names in units.values()), (sent, units)
        again = push_file(ws, store, session, dropped)
        assert {r["결과"] for r in result_rows(again.result_path, ORDERS.title) if str(r[H["ship_unit"]]) in units} == {"건너뜀"}
        assert sim.store.audit_counts("invoice.send") == sent
        after = collect(ws, store, session, kinds=("orders",), since=datetime.now(KST) - timedelta(days=2)).workbooks["orders"]
        assert {l.status for l in store.records.orders(mall, "기본", list(units))} == {OrderStatus.SHIPPING}
    assert all(r[H["status"]] == State.SHIPPING.value for r in order_rows(after) if str(r[H["ship_unit"]]) in units)


def test_cancel_is_refused_once_shipped_and_where_the_mall_does_not_offer_it(sim_workspace, tmp_path: Path) -> None:
    """A line shipped through mallbatch (then collected as 배송중) is refused on any mall; 판매취소 and 보류해제 on a
    mall whose spec does not declare them fail saying what to do, and nothing is asked of the mall."""
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    server = servers["coupang"]
    server.simulator.generate(3, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        shipped, paid, held = sorted({l.ship_unit for l in open_lines(store)})
        sent = fill(book, tmp_path / "주문_송장.xlsx", lambda row: {H["courier"]: "CJ대한통운", H["tracking_no"]: tracking_for(shipped)}
                    if row[H["ship_unit"]] == shipped else {})
        assert "성공" in {r["결과"] for r in result_rows(push_file(ws, store, session, sent).result_path, ORDERS.title)}
        collect(ws, store, session, kinds=("orders",), since=datetime.now(KST) - timedelta(days=2))
        assert {l.status for l in store.records.orders("coupang", "기본", [shipped])} == {OrderStatus.SHIPPING}
        rows = [{"mall": "쿠팡", "account": "기본", "ship_unit": unit, "action": action, "reason_code": reason}
                for unit, action, reason in ((shipped, "판매취소", "품절"), (paid, "판매취소", "품절"), (held, "보류해제", ""))]
        path = write_book(tmp_path / "송장_취소.xlsx", [(INVOICES, rows)])
        before = server.requests
        result = push_file(ws, store, session, path)
        outcome = [(r["결과"], r["메시지"]) for r in result_rows(result.result_path, INVOICES.title)]
        assert outcome[0][0] == "실패" and "이미 발송된 주문은 판매취소할 수 없습니다" in outcome[0][1]
        spec = session.adapter(ws.config.accounts[0]).spec
        if Capability.ORDERS_CANCEL not in spec.capabilities:
            assert outcome[1] == ("실패", f"쿠팡/기본: 실패 - {NO_CANCEL}")
        if Capability.ORDERS_RELEASE not in spec.capabilities:
            assert outcome[2] == ("실패", f"쿠팡/기본: 실패 - {NO_RELEASE}")
        if not {Capability.ORDERS_CANCEL, Capability.ORDERS_RELEASE} & spec.capabilities:
            assert server.requests == before  # refused here: nothing was asked of the mall


@pytest.mark.parametrize("mall", API_MALLS)
def test_cancel_from_the_orders_workbook_once_where_the_mall_offers_it(sim_workspace, tmp_path: Path, mall: str) -> None:
    """판매취소 of every line of one paid ship unit, with 사유구분 품절: cancelled at the mall (its simulator says so),
    a re-drop sends nothing, and the next collection no longer lists it as open."""
    from tests.contract.harness import HARNESSES

    harness = next(h for h in HARNESSES if h.mall == mall)
    ws, servers = sim_workspace((mall,), faults={mall: {"rate_limit": 1000}}, rate_limit=1000)
    servers[mall].simulator.generate(3, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        if Capability.ORDERS_CANCEL not in session.adapter(ws.config.accounts[0]).spec.capabilities:
            pytest.skip(f"{mall} 의 spec 이 판매취소(orders.cancel)를 선언하지 않음")
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        unit = sorted(l.ship_unit for l in open_lines(store) if l.status is OrderStatus.PAID)[0]
        choose = lambda row: {H["action"]: "판매취소", H["reason_code"]: "품절"} if row[H["ship_unit"]] == unit else {}  # noqa: E731
        dropped = fill(book, tmp_path / "주문_판매취소.xlsx", choose)
        first = push_file(ws, store, session, dropped)
        done = {r["결과"] for r in result_rows(first.result_path, ORDERS.title) if r[H["ship_unit"]] == unit}
        assert done == {"성공"}, first.summary_ko()
        assert harness.line_cancelled(servers[mall], unit)
        again = push_file(ws, store, session, dropped)
        assert {r["결과"] for r in result_rows(again.result_path, ORDERS.title) if r[H["ship_unit"]] == unit} == {"건너뜀"}
        after = collect(ws, store, session, kinds=("orders",), since=datetime.now(KST) - timedelta(days=2)).workbooks["orders"]
    # gone from the open orders (or, collected as new, shown 취소완료): never left there to be shipped
    assert all(r[H["status"]] == State.CANCELED.value for r in order_rows(after) if r[H["ship_unit"]] == unit)


def test_done_outside_leaves_the_next_orders_workbook_and_sends_nothing(sim_workspace, tmp_path: Path) -> None:
    """강제완료 (seed 001 송장송신관리): journaled locally, the line is gone from the next 주문 workbook, nothing sent."""
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    server = servers["coupang"]
    server.simulator.generate(3, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        rows = order_rows(book)
        done = rows[0][H["line_id"]]
        dropped = fill(book, tmp_path / "주문_강제완료.xlsx", lambda row: {H["action"]: "강제완료"} if row[H["line_id"]] == done else {})
        before = server.requests
        result = push_file(ws, store, session, dropped)
        assert server.requests == before
        outcome = [r for r in result_rows(result.result_path, ORDERS.title)]
        assert [r["결과"] for r in outcome].count("성공") == 1 and "강제완료" in outcome[0]["메시지"]
        assert len(outcome) == len(rows)  # every input row appears in the result
        assert store.journal.done_targets("order.done") == {("coupang", "기본", done)}
        again = push_file(ws, store, session, dropped)
        assert [r["결과"] for r in result_rows(again.result_path, ORDERS.title)].count("성공") == 0
        after = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
    assert after != book
    left = [r[H["line_id"]] for r in order_rows(after)]
    assert done not in left and len(left) == len(rows) - 1


def test_smartstore_bulk_dispatch_sheet_sends_each_invoice_once(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("smartstore",), faults={"smartstore": {"rate_limit": 1000}}, rate_limit=1000)
    sim = servers["smartstore"].simulator
    sim.generate(3, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collect(ws, store, session, kinds=("orders",))
        lines = open_lines(store)
        path = bulk_sheet(tmp_path / "엑셀일괄발송.xlsx", [(l.line_id, tracking_for(l.line_id)) for l in lines])
        result = push_file(ws, store, session, path)
        assert [r["결과"] for r in result_rows(result.result_path, "발송처리")] == ["성공"] * len(lines), result.summary_ko()
        push_file(ws, store, session, path)
    sent = sim.store.audit_counts("invoice.send")
    assert sorted(sent) == sorted(l.line_id for l in lines) and set(sent.values()) == {1}


# --- 발송기한 ------------------------------------------------------------------------------------------


def line(**values: Any) -> OrderLine:
    base: dict[str, Any] = dict(mall="coupang", account="기본", line_id="L1", order_id="O1", ship_unit="U1", status=OrderStatus.PAID,
                                status_raw="ACCEPT", ordered_at=None, paid_at=datetime(2026, 11, 20, 15, tzinfo=KST), buyer_name="",
                                buyer_phone="", receiver_name="", receiver_phone="", receiver_phone2="", zip="", address="",
                                address_detail="", memo="", product_id="9001", seller_code="NK1001", product_name="목걸이",
                                option_name="", quantity=1, unit_price=1000, amount=1000, shipping_fee=0)
    return OrderLine(**{**base, **values})


def test_dispatch_deadline_is_the_malls_else_paid_plus_the_groups_working_days(tmp_path: Path) -> None:
    with Store(tmp_path / "mallbatch.db") as store:
        store.save_groups([{"mall": "coupang", "account": "기본", "group": "쿠팡 기본", "lead_days": 2}])
        store.journal.bind("coupang", "기본", "NK1001", "9001", {}, "쿠팡 기본")
        deadlines = Deadlines(store)
        # paid on Friday 2026-11-20: two working days later is Tuesday 2026-11-24
        assert deadlines.of(line()) == (datetime(2026, 11, 24).date(), "결제일+출고기한 2일 (주말 제외, 공휴일 미반영)")
        assert deadlines.of(line(ship_by=datetime(2026, 11, 21, 23, 59, tzinfo=KST))) == (datetime(2026, 11, 21).date(), "쇼핑몰")
        assert deadlines.of(line(line_id="L2", product_id="other", seller_code="")) == (None, "")
        store.records.upsert([line(ship_by=datetime(2026, 11, 21, 23, 59, tzinfo=KST))], "run")
        (stored, _, _), = store.records.all(OrderLine, "orders")
        assert stored.ship_by == datetime(2026, 11, 21, 23, 59, tzinfo=KST)


# --- exactly once across a SIGKILL ---------------------------------------------------------------------


@pytest.mark.skipif(__import__("os").name != "posix", reason="SIGKILL")
def test_confirm_alone_is_sent_once_across_sigkill_mid_batch(sim_workspace, tmp_path: Path) -> None:
    from mallbatch.kinds import KINDS
    from mallbatch.malls import mall_name
    from mallbatch.sheets.templates import write_filled
    from tests.test_crash_restart import kill_and_finish

    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000}}, rate_limit=300)
    sim = servers["coupang"].simulator
    sim.generate(300, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collect(ws, store, session, kinds=("orders",))
        lines = open_lines(store)
    units = {l.ship_unit for l in lines}
    rows = [{"mall": mall_name(l.mall), "account": l.account, "ship_unit": l.ship_unit, "line_id": l.line_id, "action": "발주확인"}
            for l in lines]
    path = write_filled(tmp_path / "발주확인.xlsx", [(KINDS["invoices"], rows)])
    sim.faults.update({"drop_rate": 0.05, "latency_ms": 250, "seed": 4})  # 50 per call: slow calls, so kills land mid-way
    kill_and_finish(ws.home, path, random.Random(9), 3, lambda: len(sim.store.audit_counts("order.confirm")), len(units))
    confirmed = sim.store.audit_counts("order.confirm")
    assert set(confirmed) == units and set(confirmed.values()) == {1}
    assert sim.store.audit_counts("invoice.send") == {}


# --- 판매취소 gives the stock back ----------------------------------------------------------------------


@pytest.mark.parametrize("mall", API_MALLS)
def test_a_done_sale_cancel_gives_the_stock_back_once_on_every_mall(sim_workspace, tmp_path: Path, mall: str) -> None:
    """판매취소 from the 주문 workbook: the line's stock comes back at once (told on the row, sent like a claim's),
    a re-drop and the next collections (orders and claims, which see it cancelled) count nothing twice, and
    the next 주문 workbook does not list it open (on 쿠팡 the line is collected 취소, not left 결제완료)."""
    ws, servers = sim_workspace((mall,), faults={mall: {"rate_limit": 1000}}, rate_limit=1000)
    servers[mall].simulator.generate(3, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        if Capability.ORDERS_CANCEL not in session.adapter(ws.config.accounts[0]).spec.capabilities:
            pytest.skip(f"{mall} 의 spec 이 판매취소(orders.cancel)를 선언하지 않음")
        collect(ws, store, session, kinds=("orders",))
        unit = sorted(l.ship_unit for l in open_lines(store) if l.status is OrderStatus.PAID)[0]
        lines = store.records.orders(mall, "기본", [unit])
        codes = {l.seller_code or l.product_id: l for l in lines}
        for code, line in codes.items():  # the seller counted 10 before the orders were paid (others may share it)
            store.stock.set(code, "", 10, counted_at=datetime(2000, 1, 1, tzinfo=KST))
            store.journal.bind(mall, "기본", code, line.product_id, {}, "")
        book = collect(ws, store, session, kinds=("orders",), since=datetime.now(KST) - timedelta(days=2)).workbooks["orders"]
        sold = {code: store.stock.level(code, "").on_hand for code in codes}
        assert all(n < 10 for n in sold.values()), sold
        choose = lambda row: {H["action"]: "판매취소", H["reason_code"]: "품절"} if row[H["ship_unit"]] == unit else {}  # noqa: E731
        dropped = fill(book, tmp_path / "주문_판매취소.xlsx", choose)
        first = [r for r in result_rows(push_file(ws, store, session, dropped).result_path, ORDERS.title) if r[H["ship_unit"]] == unit]
        assert {r["결과"] for r in first} == {"성공"}, first
        told = "\n".join(r["메시지"] for r in first)
        back = {code: sold[code] + sum(l.quantity for l in lines if (l.seller_code or l.product_id) == code) for code in codes}
        assert all(f"재고 되돌림: {code} {n}→{back[code]}" in told for code, n in sold.items()), told
        assert {code: store.stock.level(code, "").on_hand for code in codes} == back
        push_file(ws, store, session, dropped)  # a re-drop
        after = collect(ws, store, session, since=datetime.now(KST) - timedelta(days=2)).workbooks["orders"]
        assert {code: store.stock.level(code, "").on_hand for code in codes} == back
        if mall == "coupang":  # its list drops a cancelled box: the line must still be re-read as 취소, not kept 결제완료
            assert {l.status for l in store.records.orders(mall, "기본", [unit])} == {OrderStatus.CANCELED}
    assert all(r[H["status"]] == State.CANCELED.value for r in order_rows(after) if r[H["ship_unit"]] == unit)
    with Store(ws.store_path) as store:
        restored = sorted(r["quantity"] for r in store.db.execute(
            "SELECT quantity FROM stock_ledger WHERE mall=? AND event='restored'", (mall,)))
    assert restored == sorted(l.quantity for l in lines)


@pytest.mark.parametrize("mall", API_MALLS)
def test_a_cancel_completed_at_the_mall_leaves_the_open_orders_workbook(sim_workspace, mall: str) -> None:
    """The buyer cancels and the seller approves it in the mall's own seller centre (not through mallbatch):
    the next 주문 workbook must not offer the line for shipping, whatever the mall's order list still says."""
    from tests.contract.harness import HARNESSES

    harness = next(h for h in HARNESSES if h.mall == mall)
    ws, servers = sim_workspace((mall,), rate_limit=200)
    server = servers[mall]
    before = harness.ship_units(server)
    server.simulator.generate(1, 0, 0)
    unit = sorted(harness.ship_units(server) - before)[0]
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        account = ws.config.find_account(mall, None)
        if Capability.CANCEL_APPROVE not in session.adapter(account).spec.capabilities:  # the next test covers it
            pytest.skip(f"{mall} 의 spec 이 선언하지 않음: {Capability.CANCEL_APPROVE} (취소 클레임이 없는 쇼핑몰)")
        harness.open_claim(server, unit, "cancel")
        # a window ends before the millisecond it is read in (a change in that very millisecond is the next run's):
        # the mall's changes must be older than this collection for it to see them
        time.sleep(0.005)
        collect(ws, store, session, kinds=("orders", "claims"))
        [claim] = [c for c, _, _ in store.records.all(Claim, "claims")
                   if c.kind is ClaimKind.CANCEL and (c.ship_unit == unit or any(unit in l for l in c.line_ids))]
        seller_centre = session.adapter(account)
        assert seller_centre.act_on_claims(Capability.CANCEL_APPROVE, [ClaimAction(
            claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids), claim=claim)])[0].ok
        book = collect(ws, store, session, kinds=("orders", "claims")).workbooks["orders"]
    rows = list(openpyxl.load_workbook(book)[ORDERS.title].iter_rows(values_only=True))
    head = rows[0]
    listed = [dict(zip(head, r)) for r in rows[1:] if str(dict(zip(head, r))["묶음배송번호"]) == unit]
    assert all(r["주문상태"] not in ("결제완료", "발주확인") for r in listed), listed


@pytest.mark.parametrize("mall", API_MALLS)
def test_a_cancel_completed_at_a_mall_without_cancel_claims_leaves_the_open_orders_workbook(sim_workspace, mall: str) -> None:
    """Where the mall has no cancel claims for the seller to approve (Wish refunds the buyer's cancel itself),
    the order list is the only news: the next 주문 workbook no longer offers the line for shipping."""
    from tests.contract.harness import HARNESSES

    harness = next(h for h in HARNESSES if h.mall == mall)
    ws, servers = sim_workspace((mall,), rate_limit=200)
    server = servers[mall]
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        if Capability.CANCEL_APPROVE in session.adapter(ws.config.accounts[0]).spec.capabilities:
            pytest.skip(f"{mall} 은 취소 클레임을 승인합니다: 앞의 테스트가 다룹니다")
        before = harness.ship_units(server)
        server.simulator.generate(2, 0, 0)
        unit, kept = sorted(harness.ship_units(server) - before)
        collect(ws, store, session, kinds=("orders",))
        assert {l.ship_unit for l in open_lines(store)} >= {unit, kept}
        harness.cancel(server, unit)
        book = collect(ws, store, session, kinds=("orders",)).workbooks["orders"]
        assert {l.status for l in store.records.orders(mall, "기본", [unit])} == {OrderStatus.CANCELED}
    rows = {r[H["ship_unit"]]: r for r in order_rows(book)}
    # gone from the open orders (or shown 취소완료 with nothing to do): never left there to be shipped
    assert unit not in rows or (rows[unit][H["status"]], rows[unit]["처리가능"]) == (State.CANCELED.value, "처리할 것 없음"), rows[unit]
    assert rows[kept][H["status"]] == State.PAID.value
