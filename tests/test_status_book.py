"""상태.xlsx: one model with ``mallbatch status``, rewritten atomically, progress of a long push, a stopped service."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from mallbatch.cli import cli
from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import Inquiry, TicketState
from mallbatch.pipeline.progress import Meter, progress_ko
from mallbatch.store import Store
from mallbatch.watch.overview import STATUS_BOOK
from mallbatch.watch.status import Board, status_lines
from mallbatch.workspace import Workspace, init_workspace
from tests.pipeline_helpers import products_file
from tests.ticket_helpers import ticket
from tests.watch_helpers import Watcher, configure, drop, results, wait_for


def inquiry(inquiry_id: str, hours_ago: float, answered_after: float | None = None, mall: str = "wemakeprice") -> Inquiry:
    asked = now_kst() - timedelta(hours=hours_ago)
    return Inquiry(mall, "기본", inquiry_id, "상품문의", "배송", "언제 와요?", "P1", "상품", "", asked, "ab***",
                   answered_after is not None, "곧 갑니다" if answered_after is not None else "",
                   asked + timedelta(hours=answered_after) if answered_after is not None else None)


def sheets(path: Path) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()


def known_state(ws: Workspace) -> Board:
    """A store with wemakeprice inquiries (48 h deadline) and Wish tickets, and a service snapshot."""
    with Store(ws.store_path) as store:
        store.records.upsert([inquiry("Q-fast", 72, 10), inquiry("Q-late", 80, 60), inquiry("Q-overdue", 50),
                              inquiry("Q-soon", 30), inquiry("Q-fresh", 2)], "run")
        store.records.upsert([ticket("T-open", opened=now_kst() - timedelta(hours=40)),
                              ticket("T-done", TicketState.CLOSED, opened=now_kst() - timedelta(days=3), first_reply_hours=5)], "run")
    board = Board(started_at="2030-01-01 09:00", inbox=ws.inbox, outbox=ws.outbox)
    board.accounts = [{"label": "쿠팡/기본", "ok": True, "warn": True, "days_left": 5, "by_file": False,
                       "line": "쿠팡/기본: 인증 정상, 키 만료까지 5일 - 곧 만료됩니다. 새 키를 발급받으세요"},
                      {"label": "롯데홈쇼핑/기본", "ok": True, "warn": False, "days_left": None, "by_file": True,
                       "line": "롯데홈쇼핑/기본: 파일 연동, 인증·키 만료 없음"}]
    board.collections = [{"account": "쿠팡/기본", "kind": "주문", "last": "2030-01-01 09:10", "next": "2030-01-01 09:40",
                          "error": "쿠팡 서버 오류 (잠시 후 다시 시도합니다)"}]
    board.add_failed("깨진.xlsx", "파일을 읽지 못함: 엑셀 파일이 아닙니다")
    with Store(ws.store_path) as store:
        from mallbatch.watch.overview import store_facts

        board.set_facts(store_facts(store, {}, now_kst()))
    return board


def test_workbook_shows_a_known_state_and_agrees_with_mallbatch_status(tmp_path: Path) -> None:
    ws, _ = init_workspace(tmp_path / "ws")
    (ws.inbox / "대기.xlsx").write_bytes(b"x")
    board = known_state(ws)
    board.stopped_at = "2030-01-01 10:00"  # a stopped service: `mallbatch status` reads the same snapshot
    board.save(ws)
    book = sheets(ws.outbox / STATUS_BOOK)

    assert book["서비스"][1] == ["서비스", "실행 중이 아님 (2030-01-01 10:00 에 멈췄습니다)"]
    assert book["계정"][1:] == [["쿠팡/기본", "정상", 5, "⚠", board.accounts[0]["line"]],
                                ["롯데홈쇼핑/기본", "파일 연동", "만료 없음", None, board.accounts[1]["line"]]]
    assert book["수집"][1] == ["쿠팡/기본", "주문", "2030-01-01 09:10", "서비스 실행 시", "쿠팡 서버 오류 (잠시 후 다시 시도합니다)"]
    files = {(r[0], r[1]): r for r in book["파일"][1:]}
    assert ("대기", "대기.xlsx") in files and files[("실패", "깨진.xlsx")][3] == "파일을 읽지 못함: 엑셀 파일이 아닙니다"
    due = {r[2]: r for r in book["답변기한"][1:]}
    assert set(due) == {"Q-overdue", "Q-soon", "T-open"}  # Q-fresh has 46 h left, the others are answered or closed
    assert due["Q-overdue"][4] == "2시간 지남" and due["Q-soon"][4] == "18시간 남음" and due["T-open"][4] == "8시간 남음"
    late = {r[0]: r for r in book["답변지연율"][1:]}
    # 위메프: 3 inquiries can be judged (Q-soon and Q-fresh are inside their 48 h), Q-late and Q-overdue are late
    assert late["위메프"][1:] == [48, 5, 3, 2, "66.7% (2/3건)"]
    assert late["Wish"][1:] == [48, 2, 1, 0, "0.0% (0/1건)"]

    out = status_lines(ws)
    assert out[0] == "서비스: 실행 중이 아님 (2030-01-01 10:00 에 멈췄습니다)"
    text = "\n".join(out)
    for row in [*book["계정"][1:], *book["수집"][1:]]:
        assert str(row[0]) in text and str(row[-1] or "") in text, row
    for state, name, _at, detail in book["파일"][1:]:
        assert any(name in line and str(detail or "") in line for line in out), (state, name)
    for kind, label, item, when, left in book["답변기한"][1:]:
        assert f"{label} {kind} {item}: 답변 기한 {when[5:]} ({left})" in text
    for mall, hours, asked, _counted, _late, rate in book["답변지연율"][1:]:
        assert f"{mall} 최근 30일 {asked}건, {hours}시간 넘긴 답변: {rate}" in text
    cli_out = CliRunner().invoke(cli, ["--home", str(ws.home), "status"]).output
    assert cli_out.splitlines() == out
    state_text = (ws.outbox / "상태.txt").read_text("utf-8-sig")  # the one-line-per-fact text for scripts
    assert "중지됨" in state_text and "위메프 최근 30일 5건, 48시간 넘긴 답변: 66.7% (2/3건)" in state_text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_converts_the_state_workbook_to_pdf(tmp_path: Path) -> None:
    ws, _ = init_workspace(tmp_path / "ws")
    known_state(ws).save(ws)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "out"), str(ws.outbox / STATUS_BOOK)], check=True, capture_output=True, timeout=180)
    assert (tmp_path / "out" / "상태.pdf").stat().st_size > 1000


def test_a_reader_never_sees_a_half_written_workbook_and_a_blocked_one_does_not_stop_the_save(tmp_path: Path) -> None:
    ws, _ = init_workspace(tmp_path / "ws")
    board = known_state(ws)
    board.save(ws)
    path = ws.outbox / STATUS_BOOK
    stop, seen, errors = threading.Event(), [], []

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(len(sheets(path)))
            except Exception as exc:  # noqa: BLE001 - any failure to read is what this test looks for
                errors.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(40):
        board.add_failed(f"파일{i}.xlsx", "다시 넣어 주세요")
        board.save(ws)
    stop.set()
    reader.join()
    assert not errors and seen and set(seen) == {8}
    assert not list(ws.outbox.glob(".*.part"))

    # Excel keeps the file; here a folder in its place makes the rename fail the same way
    path.unlink()
    path.mkdir()
    (path / "x").write_text("")
    board.add_failed("다음.xlsx", "다시 넣어 주세요")
    board.save(ws)
    state_text = (ws.outbox / "상태.txt").read_text("utf-8-sig")
    assert "⚠ 상태.xlsx 을(를) 쓰지 못했습니다" in state_text and "다음.xlsx" in state_text
    assert not list(ws.outbox.glob(".*.part"))


def test_meter_shows_counts_and_eta_at_most_once_a_second() -> None:
    assert progress_ko(120, 300, 20.0) == "120/300 건, 약 30초 남음"
    assert progress_ko(0, 300, 1.0) == "0/300 건" and progress_ko(300, 300, 9.0) == "300/300 건"
    clock = iter([0.0, 0.2, 0.5, 1.1, 1.3, 2.4, 2.4]).__next__
    shown: list[str] = []
    meter = Meter(lambda text, done, total: shown.append(text), clock=clock)
    for _ in range(5):
        meter.advance(10, 100)
    assert shown == ["30/100 건, 약 3초 남음", "50/100 건, 약 2초 남음"]


def test_a_long_push_shows_its_progress_and_a_stopped_service_shows_as_stopped(sim_workspace, tmp_path: Path) -> None:
    ws, _ = sim_workspace(("coupang",), faults={"coupang": {"latency_ms": 120}}, rate_limit=1000)
    ws = configure(ws)
    watcher = Watcher(ws.home)
    watcher.wait_started()
    drop(products_file(ws, tmp_path / "많이.xlsx", 40), ws.inbox)

    def progress_shown() -> str:
        status = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "status"],
                                capture_output=True, text=True, timeout=60, check=False).stdout
        lines = [line for line in status.splitlines() if line.startswith("  많이.xlsx (") and "/40 건" in line]
        return lines[0] if lines else ""

    line = wait_for(progress_shown, 60, "progress in mallbatch status")
    assert "약 " in line and "남음" in line, line
    book = wait_for(lambda: [r for r in sheets(ws.outbox / STATUS_BOOK)["파일"][1:] if r[0] == "처리 중" and r[3]], 30,
                    "progress in 상태.xlsx")
    assert "/40 건" in book[0][3]
    wait_for(lambda: results(ws, "많이"), 120, "result")
    assert watcher.stop() == 0

    book = sheets(ws.outbox / STATUS_BOOK)
    service = book["서비스"][1][1]
    assert service.startswith("실행 중이 아님 (") and "멈췄습니다" in service
    out = status_lines(ws)
    assert out[0] == f"서비스: {service}"
    assert not [r for r in book["파일"][1:] if r[0] == "처리 중"]


def as_status_lines(state_text: str) -> tuple[str, list[str]]:
    """상태.txt's head line and its blocks written the way ``mallbatch status`` writes them (``[제목] 메모`` → ``제목 (메모):``)."""
    head, *rest = state_text.splitlines()
    lines = []
    for line in rest:
        if line.startswith("["):
            title, _, note = line[1:].partition("]")
            lines.append(f"{title} ({note.strip()}):" if note.strip() else f"{title}:")
        elif line:
            lines.append(line)
    return head, lines


def mallbatch_status(ws: Workspace) -> list[str]:
    out = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "status"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return out.splitlines()


def assert_all_three_agree(ws: Workspace, status: list[str], state_text: str) -> None:
    """상태.txt has the blocks of ``mallbatch status`` line for line; 상태.xlsx's rows are in both."""
    head, lines = as_status_lines(state_text)
    service = status[0].removeprefix("서비스: ")
    assert service.partition(" (")[2].removesuffix(")") in head and lines == [l for l in status[1:] if not l.startswith("⚠")], (status, state_text)
    book = {name: [r for r in rows if r[0] != "(없음)"] for name, rows in sheets(ws.outbox / STATUS_BOOK).items()}
    assert book["서비스"][1] == ["서비스", service] and book["서비스"][2][1] in head
    text = "\n".join(status)
    for _state, name, _at, detail in book["파일"][1:]:
        assert any(name in line and str(detail or "") in line for line in status), (name, detail, status)
    for account, kind, last, following, error in book["수집"][1:]:
        assert f"{account} {kind}: {last} / {following}" + (f"  실패: {error}" if error else "") in text
    for row in book["계정"][1:]:
        assert row[-1] in text


def test_state_text_workbook_and_mallbatch_status_agree_on_a_real_workspace(sim_workspace, tmp_path: Path) -> None:
    ws, _ = sim_workspace(("coupang",), rate_limit=1000)
    ws = configure(ws)
    with Store(ws.store_path) as store:  # inquiries near their deadline and late answers: the store's half of 상태
        store.records.upsert([inquiry("Q-late", 80, 60), inquiry("Q-soon", 30)], "run")
    watcher = Watcher(ws.home)
    watcher.wait_started()
    drop(products_file(ws, tmp_path / "상품.xlsx", 3), ws.inbox)
    (tmp_path / "깨진.xlsx").write_bytes(b"not a workbook")
    drop(tmp_path / "깨진.xlsx", ws.inbox)
    wait_for(lambda: results(ws, "상품") and results(ws, "깨진"), 60, "both results")

    def consistent_read() -> tuple[list[str], str] | None:
        """The running service rewrites 상태 as it works: a read between two equal 상태.txt is one state."""
        before = (ws.outbox / "상태.txt").read_text("utf-8-sig")
        status = mallbatch_status(ws)
        after = (ws.outbox / "상태.txt").read_text("utf-8-sig")
        return (status, after) if before == after and status[0].startswith("서비스: 실행 중") else None

    status, text = wait_for(consistent_read, 60, "a quiet moment")
    assert text.startswith("mallbatch 상태: 실행 중") and "최근 처리:" in status and "처리 못 한 파일:" in status
    assert_all_three_agree(ws, status, text)
    assert watcher.stop() == 0

    status, text = mallbatch_status(ws), (ws.outbox / "상태.txt").read_text("utf-8-sig")
    assert text.startswith("mallbatch 상태: 중지됨") and "멈췄습니다" in status[0]
    assert any("Q-soon" in line for line in status) and any("위메프 최근 30일" in line for line in status), status
    assert_all_three_agree(ws, status, text)


def test_a_killed_service_shows_as_stopped_with_its_last_record_and_the_next_start_says_so(sim_workspace) -> None:
    ws, _ = sim_workspace(("coupang",), rate_limit=1000)
    ws = configure(ws)
    watcher = Watcher(ws.home)
    watcher.wait_started()
    wait_for(lambda: (ws.outbox / STATUS_BOOK).exists() and sheets(ws.outbox / STATUS_BOOK)["서비스"][2] == ["상태", "실행 중"], 30,
             "상태.xlsx of the running service")
    watcher.kill()  # SIGKILL: no clean stop, 상태 still says 실행 중
    assert sheets(ws.outbox / STATUS_BOOK)["서비스"][2] == ["상태", "실행 중"]
    last = json.loads((ws.state / "watch-status.json").read_text("utf-8"))["updated_at"]

    status = mallbatch_status(ws)
    assert status[0] == f"서비스: 실행 중이 아님 (마지막 기록 {last}, 정상 종료 기록 없이 멈췄습니다. mallbatch watch 로 다시 켜세요)"
    book = sheets(ws.outbox / STATUS_BOOK)  # rewritten for the seller who opens it next
    assert book["서비스"][1] == ["서비스", status[0].removeprefix("서비스: ")] and book["서비스"][2] == ["상태", "중지됨"]
    assert all(row[3] == "서비스 실행 시" for row in book["수집"][1:])
    text = (ws.outbox / "상태.txt").read_text("utf-8-sig")
    assert text.startswith("mallbatch 상태: 중지됨") and f"마지막 기록 {last}" in text
    assert_all_three_agree(ws, mallbatch_status(ws), text)  # a second look reads the same, and writes nothing new

    again = Watcher(ws.home)
    again.wait_started()
    assert f"지난번 서비스는 정상 종료 없이 멈췄습니다 (마지막 기록 {last})" in again.output()
    wait_for(lambda: sheets(ws.outbox / STATUS_BOOK)["서비스"][2] == ["상태", "실행 중"], 30, "running again")
    assert again.stop() == 0
    assert "에 멈췄습니다" in mallbatch_status(ws)[0]


def test_a_long_deadline_list_is_cut_in_the_text_and_whole_in_the_workbook(tmp_path: Path) -> None:
    """A big store's overdue inquiries (thousands) would bury the rest of 상태.txt and ``mallbatch status``."""
    from mallbatch.watch.overview import TEXT_AT_MOST, Deadline, StoreFacts

    ws, _ = init_workspace(tmp_path / "ws")
    board = Board(started_at="2030-01-01 09:00", inbox=ws.inbox, outbox=ws.outbox)
    due = [Deadline("문의", "위메프/기본", f"Q{n:03}", now_kst() - timedelta(hours=n)) for n in range(TEXT_AT_MOST + 12)]
    board.set_facts(StoreFacts(deadlines=due))
    board.save(ws)
    text = (ws.outbox / "상태.txt").read_text("utf-8-sig")
    assert text.count(" 문의 Q") == TEXT_AT_MOST and "외 12건 (상태.xlsx 의 답변기한 시트에 모두 있습니다)" in text
    assert [r[2] for r in sheets(ws.outbox / STATUS_BOOK)["답변기한"][1:]] == [d.item for d in due]
