"""The 티켓 workbook round trip on the Wish simulator (seed 004): collected into outbox/, filled in
Excel, dropped back; each action sent exactly once (the simulator's own audit), the state rules
checked first with Korean messages, the simulator's refusals shown in Korean, every row in the
result, a re-dropped file sending nothing twice and a lost answer read back, never resent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from mallbatch.connectors.registry import connected
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.records import Ticket, TicketState
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from mallbatch.store.records import TICKETS

pytestmark = pytest.mark.skipif("wish" not in connected(), reason="needs the Wish connector")
FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)
HANGUL = re.compile("[가-힣]")


def result_rows(path: Path, sheet: str = "티켓") -> dict[str, dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    return {str(r[header.index("티켓번호")]): dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}


def fill(workbook: Path, target: Path, cells: dict[str, dict[str, str]]) -> Path:
    """The seller's edits: ticket id → header → value, saved as a new file."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["티켓"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for column, value in cells.get(str(row[header.index("티켓번호")].value), {}).items():
            row[header.index(column)].value = value
    book.save(target)
    return target


def test_ticket_workbook_round_trip_sends_each_action_once(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("wish",), rate_limit=200)
    sim = servers["wish"].simulator
    pre_de = sim.open_ticket({"type": "PRE_PURCHASE", "locale": "de"})["id"]
    order = sim.open_ticket({"type": "ORDER", "locale": "en"})["id"]
    post = sim.open_ticket({"type": "POST_CUSTOMER_SUPPORT", "locale": "fr"})["id"]
    wrong_kind = sim.open_ticket({"type": "PRE_PURCHASE", "locale": "en"})["id"]
    gone = sim.open_ticket({"type": "PRE_PURCHASE", "locale": "en"})["id"]
    closed_for_good = sim.open_ticket({"type": "POST_CUSTOMER_SUPPORT", "locale": "es"})["id"]
    sim.close_for_good({"id": closed_for_good})
    untouched = sim.open_ticket({"type": "PRE_PURCHASE", "locale": "it"})["id"]
    sim.age_ticket({"id": untouched, "hours": 40})  # 8 hours left
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collected = collect(ws, store, session, kinds=("tickets",))
        assert not collected.errors
        workbook = collected.workbooks["tickets"]
        listed = result_rows(workbook)
        assert closed_for_good not in listed or listed[closed_for_good]["상태"] == "영구 종료"
        assert listed[untouched]["응답까지 남은 시간"].startswith(("7시간", "8시간"))
        assert listed[pre_de]["언어"] == "de" and listed[order]["카테고리"] == "구매 후 티켓"
        sim.close_for_good({"id": gone})  # closed at Wish after we collected: the simulator refuses
        cells = {
            pre_de: {"처리": "답변후종료", "템플릿": "배송안내"},
            order: {"처리": "환불", "환불사유": "파손"},
            post: {"답변": "x" * 2001},
            wrong_kind: {"처리": "Wish지원요청"},
            gone: {"답변": "Hello, yes it does."},
        }
        if closed_for_good in listed:
            cells[closed_for_good] = {"처리": "재오픈", "답변": "Please reopen"}
        dropped = fill(workbook, tmp_path / "티켓.xlsx", cells)
        result = push_file(ws, store, session, dropped)
        rows = result_rows(result.result_path)
        assert set(rows) == set(listed)  # every input row is in the result
        assert rows[pre_de]["결과"] == "성공", rows[pre_de]["메시지"]
        assert rows[order]["결과"] == "성공", rows[order]["메시지"]
        assert rows[post]["결과"] == "오류" and "2000자" in rows[post]["메시지"]
        assert rows[wrong_kind]["결과"] == "오류" and "구매 후 티켓" in rows[wrong_kind]["메시지"]
        assert rows[gone]["결과"] == "실패" and HANGUL.search(rows[gone]["메시지"]), rows[gone]["메시지"]
        if closed_for_good in listed:
            assert rows[closed_for_good]["결과"] == "실패" and "영구 종료" in rows[closed_for_good]["메시지"]
        assert rows[untouched]["결과"] == "건너뜀"
        german = next(t for t in sim.store.all("ticket") if t["id"] == pre_de)
        assert german["state"] == "CLOSED" and "Hallo" in german["replies"][-1]["message"]
        audits = {op: sim.store.audit_counts(op) for op in ("ticket.reply", "ticket.close", "ticket.appeal", "ticket.reopen",
                                                            "ticket.refund", "order.refund")}
        assert audits["ticket.close"] == {pre_de: 1} and audits["ticket.appeal"] == {} and audits["ticket.reopen"] == {}
        assert set(audits["order.refund"].values()) == {1}

        again = push_file(ws, store, session, dropped)  # the same file once more: nothing twice
        rows = result_rows(again.result_path)
        assert rows[pre_de]["결과"] == "건너뜀" and rows[order]["결과"] == "건너뜀"
        assert {op: sim.store.audit_counts(op) for op in audits} == audits

        other = fill(workbook, tmp_path / "티켓2.xlsx", {pre_de: {"처리": "답변후종료", "답변": "Another answer"}})
        rows = result_rows(push_file(ws, store, session, other).result_path)
        assert rows[pre_de]["결과"] == "건너뜀"  # closed already: the other answer is not sent
        assert {op: sim.store.audit_counts(op) for op in audits} == audits


def test_lost_answer_is_read_back_not_resent(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("wish",), rate_limit=200)
    sim = servers["wish"].simulator
    ticket_id = sim.open_ticket({"type": "PRE_PURCHASE", "locale": "en"})["id"]
    with Store(ws.store_path) as store, Session(ws, RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)) as session:
        workbook = collect(ws, store, session, kinds=("tickets",)).workbooks["tickets"]
        dropped = fill(workbook, tmp_path / "티켓.xlsx", {ticket_id: {"답변": "Yes, it comes in a larger size."}})
        sim.faults.update({"drop_rate": 1.0})  # the reply is applied, its answer lost
        first = result_rows(push_file(ws, store, session, dropped).result_path)[ticket_id]
        sim.faults.update({"drop_rate": 0.0})
        assert first["결과"] in ("보류", "성공"), first["메시지"]
        second = result_rows(push_file(ws, store, session, dropped).result_path)[ticket_id]
        assert second["결과"] in ("성공", "건너뜀"), second["메시지"]
        assert sim.store.audit_counts("ticket.reply") == {ticket_id: 1}
        collect(ws, store, session, kinds=("tickets",))
        (stored,) = [t for t, _, _ in store.records.all(Ticket, TICKETS) if t.ticket_id == ticket_id]
        assert stored.state is TicketState.AWAITING_USER and stored.first_reply_at is not None


def test_tickets_collected_per_account_and_a_failed_read_moves_no_watermark(sim_workspace) -> None:
    ws, servers = sim_workspace(("wish", "wemakeprice"), rate_limit=200)
    sim = servers["wish"].simulator
    sim.open_ticket({"type": "ORDER", "locale": "en"})
    with Store(ws.store_path) as store, Session(ws, RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.02)) as session:
        sim.faults.update({"error_rate": 1.0})
        failed = collect(ws, store, session)  # every kind: tickets only where the spec reads them
        assert ("wish", "기본", "tickets") in failed.errors and HANGUL.search(failed.errors[("wish", "기본", "tickets")])
        assert store.records.watermark("wish", "기본", "tickets") is None and "tickets" not in failed.workbooks
        assert not any(kind == "tickets" for mall, _, kind in failed.counts if mall == "wemakeprice")
        sim.faults.update({"error_rate": 0.0})
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        done = collect(ws, store, session, kinds=("tickets",))
        assert done.counts[("wish", "기본", "tickets")][0] >= 1 and "tickets" in done.workbooks
        assert store.records.watermark("wish", "기본", "tickets") is not None
