"""The 티켓 workbook (seed 004): the 48-hour clock in KST with its highlights, the latest messages
escaped, the columns to fill, and a 요약 of the CS metrics against Wish's thresholds."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import openpyxl

from mallbatch.domain.clock import KST, now_kst
from mallbatch.domain.records import TicketCategory, TicketMessage, TicketState
from mallbatch.pipeline.collect import write_workbooks
from mallbatch.pipeline.cs_metrics import NOT_REPORTED, metrics
from mallbatch.store import Store
from mallbatch.workspace import init_workspace
from tests.ticket_helpers import ticket


def test_late_rate_and_csat_against_wishs_thresholds() -> None:
    now = now_kst()
    day = timedelta(days=1)
    in_time = [ticket(f"A{i}", TicketState.CLOSED, opened=now - 3 * day, first_reply_hours=5) for i in range(24)]
    late = ticket("L1", TicketState.CLOSED, opened=now - 3 * day, first_reply_hours=49)
    unanswered_past = ticket("L2", opened=now - 3 * day, waiting_hours=72)  # no reply, 48 h gone: late
    young = ticket("Y1", waiting_hours=2)  # no reply yet, 2 h old: not counted either way
    old = ticket("OLD", TicketState.CLOSED, opened=now - 40 * day, first_reply_hours=100)  # outside the 30 days
    (found,) = metrics([*in_time, late, unanswered_past, young, old], now)
    assert (found.tickets, found.counted, found.late) == (27, 26, 2)
    assert found.late_rate == 2 / 26 and found.csat is None
    assert "정상 기준(5% 미만)을 넘었습니다" in found.late_text() and found.warn
    assert NOT_REPORTED in found.csat_text()

    approaching = metrics([*in_time, late], now)[0]  # 1 of 25 = 4 %: healthy, but within a point of the limit
    assert approaching.late_rate == 0.04 and approaching.warn and "가깝습니다" in approaching.late_text()
    healthy = metrics(in_time, now)[0]
    assert not healthy.warn and healthy.late_text().endswith("정상")

    rated = [dataclasses.replace(t, csat=1.0) for t in in_time[:5]] + [dataclasses.replace(in_time[5], csat=0.0)]
    scored = metrics([*rated, *in_time[6:]], now)[0]
    assert round(scored.csat, 3) == 0.833 and "정상 기준(85% 초과)에 못 미칩니다" in scored.csat_text()
    risky = metrics([dataclasses.replace(t, csat=0.5) for t in in_time], now)[0]
    assert "위험: 60% 미만" in risky.csat_text()


def test_ticket_workbook_clock_highlights_messages_and_summary(tmp_path: Path) -> None:
    ws, _ = init_workspace(tmp_path / "ws")
    now = now_kst()
    calm = ticket("CALM", waiting_hours=10)  # 38 h left
    urgent = ticket("URGENT", waiting_hours=40, category=TicketCategory.ORDER)  # 8 h left: highlighted
    overdue = ticket("OVERDUE", waiting_hours=50)  # past
    waiting_user = ticket("USER", TicketState.AWAITING_USER)  # no clock for the merchant
    hostile = dataclasses.replace(ticket("EVIL"), customer_name="=HYPERLINK(\"http://x\",\"y\")",
                                  messages=[TicketMessage("USER", "first", now - timedelta(hours=3)),
                                            TicketMessage("MERCHANT", "second", now - timedelta(hours=2)),
                                            TicketMessage("USER", "third", now - timedelta(hours=1)),
                                            TicketMessage("USER", "=1+2 fourth", now)])
    closed_before = ticket("OLDCLOSED", TicketState.CLOSED)
    with Store(ws.store_path) as store:
        store.records.upsert([closed_before], "earlier")
        store.records.upsert([calm, urgent, overdue, waiting_user, hostile], "run")
        path = write_workbooks(ws, store, "run", now, ["tickets"])["tickets"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["티켓", "요약"]
    sheet = book["티켓"]
    header = [c.value for c in sheet[1]]
    for name in ("티켓번호", "카테고리", "문제 유형", "상태", "접수일시", "최근변경", "응답까지 남은 시간", "응답기한", "고객", "언어",
                 "주문번호", "상품번호", "최근 메시지", "답변", "처리", "환불사유", "템플릿"):
        assert name in header, name
    rows = {r[header.index("티켓번호")].value: r for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"CALM", "URGENT", "OVERDUE", "USER", "EVIL"}  # closed before this run: not listed

    def cell(ticket_id: str, column: str):  # noqa: ANN202
        return rows[ticket_id][header.index(column)]

    assert cell("CALM", "응답까지 남은 시간").value.startswith("37시간") or cell("CALM", "응답까지 남은 시간").value.startswith("38시간")
    assert cell("CALM", "응답까지 남은 시간").fill.fgColor.rgb in (None, "00000000")
    assert cell("URGENT", "응답까지 남은 시간").value.startswith(("7시간", "8시간"))
    assert cell("URGENT", "응답까지 남은 시간").fill.fgColor.rgb.endswith("FFEB9C")
    assert cell("OVERDUE", "응답까지 남은 시간").value.startswith("기한 지남")
    assert cell("OVERDUE", "응답까지 남은 시간").fill.fgColor.rgb.endswith("FFC7CE")
    assert cell("USER", "응답까지 남은 시간").value is None and cell("USER", "상태").value == "고객 응답 대기"
    assert cell("URGENT", "카테고리").value == "구매 후 티켓"
    due = cell("CALM", "응답기한").value
    assert due == (calm.awaiting_since + timedelta(hours=48)).astimezone(KST).replace(tzinfo=None, microsecond=0) \
        or abs((due - (calm.awaiting_since + timedelta(hours=48)).astimezone(KST).replace(tzinfo=None)).total_seconds()) < 1
    assert cell("EVIL", "고객").value.startswith("'=")
    messages = cell("EVIL", "최근 메시지").value.splitlines()
    assert len(messages) == 3 and messages[0].startswith("[판매자") and messages[-1].endswith("=1+2 fourth")
    for column in ("답변", "처리", "환불사유", "템플릿"):
        assert cell("CALM", column).value is None
    summary = {r[0]: r[1] for r in book["요약"].iter_rows(values_only=True)}
    assert "Wish/기본 응답 지연율" in summary and NOT_REPORTED in summary["Wish/기본 CSAT"]
    assert "1/" in summary["Wish/기본 응답 지연율"]  # OVERDUE: no reply and 48 h gone
    assert "5% 미만" in summary["기준"] and "45% 초과" in summary["기준"] and "4% 이상" in summary["기준"]


def test_status_shows_cs_metrics_and_warns_when_approaching(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mallbatch.cli import cli
    from mallbatch.watch.status import Board

    ws, _ = init_workspace(tmp_path / "ws")
    now = now_kst()
    opened = now - timedelta(days=3)
    tickets = [ticket(f"A{i}", TicketState.CLOSED, opened=opened, first_reply_hours=5) for i in range(24)]
    tickets.append(ticket("LATE", TicketState.CLOSED, opened=opened, first_reply_hours=50))  # 1 of 25: 4 %
    with Store(ws.store_path) as store:
        store.records.upsert(tickets, "run")
        from mallbatch.pipeline.cs_metrics import status_lines

        lines = status_lines(store, now)
    out = CliRunner().invoke(cli, ["--home", str(ws.home), "status"]).output
    assert "고객 서비스 성과 (지원 티켓, 최근 30일):" in out
    assert "⚠ Wish/기본 최근 30일 티켓 25건: 응답 지연율 4.0% (1/25건) — 정상이지만 한도(5% 미만)에 가깝습니다" in out
    assert f"CSAT {NOT_REPORTED}" in out and "4% 이상" in out
    board = Board(started_at="now", cs=lines)
    assert "[고객 서비스 성과] 지원 티켓, 최근 30일" in board.text_ko() and lines[0] in board.text_ko()
