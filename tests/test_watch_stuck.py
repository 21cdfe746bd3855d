"""The real watcher is never stuck on one file and never silent about what it cannot take.

A file that fails the same way every time is archived after the retry budget with a
note; rows the mall refuses are not retried; folders, links and unknown entries in the
inbox are reported once; every message the seller sees is Korean.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest

from mallbatch.domain.clock import now_kst
from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.sheets.templates import write_filled
from tests.pipeline_helpers import products_file
from tests.watch_helpers import Watcher, configure, drop, summary_text, wait_for

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals, symlinks and POSIX name limits")


def _start(sim_workspace, **watch):
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000}}, rate_limit=300)
    ws = configure(ws, **watch)
    watcher = Watcher(ws.home)
    watcher.wait_started()
    return ws, servers["coupang"].simulator, watcher


def _log(ws) -> str:
    return (ws.state / "logs" / "watch.log").read_text("utf-8")


def _state(ws) -> str:
    return (ws.outbox / "상태.txt").read_text("utf-8-sig")


def test_a_name_too_long_for_the_result_gets_a_result_and_is_taken_once(sim_workspace, tmp_path: Path) -> None:
    ws, sim, watcher = _start(sim_workspace)
    name = "긴" * 80 + ".xlsx"  # 240 bytes of stem: the result suffix would pass the 255-byte limit
    drop(products_file(ws, tmp_path / "long.xlsx", 2), ws.inbox, name)
    wait_for(lambda: list(ws.outbox.glob("*/결과/긴*_처리결과_*.xlsx")) and list(ws.archive.glob(f"*/{name}")), 30, "long-name result")
    result = next(ws.outbox.glob("*/결과/긴*_처리결과_*.xlsx"))
    assert len(os.fsencode(result.name)) <= 255 - len(".part.")
    assert "성공 2" in summary_text(result)
    time.sleep(2)
    assert _log(ws).count("처리 시작") == 1, "taken again"
    assert "Errno" not in _log(ws) and "Errno" not in _state(ws)
    assert set(sim.store.audit_counts("product.create").values()) == {1}
    assert watcher.stop() == 0


def test_a_file_that_fails_every_time_is_archived_with_a_note_after_the_budget(sim_workspace, tmp_path: Path) -> None:
    ws, sim, watcher = _start(sim_workspace, retry_attempts=1)
    dated = ws.outbox / f"{now_kst():%Y-%m-%d}"
    shutil.rmtree(dated, ignore_errors=True)  # today's 결과/ and 수집/ folders
    dated.write_text("폴더 자리에 놓인 파일")  # neither the result nor a note can be written to the outbox
    drop(products_file(ws, tmp_path / "막힘.xlsx", 2), ws.inbox)
    note = ws.archive / f"{now_kst():%Y-%m-%d}" / "막힘.xlsx.오류.txt"
    wait_for(note.exists, 40, "note beside the archived source")
    assert (note.parent / "막힘.xlsx").exists() and not (ws.inbox / "막힘.xlsx").exists()
    text = note.read_text("utf-8-sig")
    assert "2번" in text and str(dated) in text and "폴더" in text, text
    time.sleep(2)
    log = _log(ws)
    assert log.count("막힘.xlsx: 처리 시작") == 2, "retried past the budget"
    state = _state(ws)
    assert "막힘.xlsx" in state and "막힘.xlsx.오류.txt" in state, state
    for text in (log, state):
        assert "Errno" not in text and "FileExistsError" not in text
    dated.unlink()
    assert watcher.stop() == 0


def _refused_file(ws, path: Path) -> Path:
    groups = sales_group_rows(ws.config)
    for group in groups:
        group["mall_category"] = "가전"  # 쿠팡 wants its numeric category code: refused before sending
    rows = list(product_rows(2, sorted({g["group"] for g in groups})))
    return write_filled(path, [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])


def test_rows_the_mall_refuses_are_not_retried(sim_workspace, tmp_path: Path) -> None:
    ws, sim, watcher = _start(sim_workspace, retry_attempts=3, retry_minutes=0.01)
    drop(_refused_file(ws, tmp_path / "거절.xlsx"), ws.inbox)
    wait_for(lambda: list(ws.outbox.glob("*/결과/거절_처리결과_*.xlsx")) and list(ws.archive.glob("*/거절.xlsx")), 30, "result")
    assert "실패 2" in summary_text(next(ws.outbox.glob("*/결과/거절_처리결과_*.xlsx")))
    time.sleep(3)  # three retries would have run by now
    assert len(list(ws.outbox.glob("*/결과/거절_처리결과_*.xlsx"))) == 1
    assert "다시 보냅니다" not in _log(ws) and "재시도" not in _log(ws)
    assert watcher.stop() == 0


def test_retries_show_a_clock_time_and_status_says_stopped(sim_workspace, tmp_path: Path) -> None:
    ws, sim, watcher = _start(sim_workspace, retry_attempts=2, retry_minutes=30)
    sim.faults.update({"error_rate": 1.0})  # the mall is down: rows are held or failed for now
    drop(products_file(ws, tmp_path / "점검중.xlsx", 1), ws.inbox)
    wait_for(lambda: "점검중.xlsx" in _state(ws) and "다시 시도" in _state(ws), 60, "retry in status")
    state = _state(ws)
    due = re.search(r"(\d{2}):(\d{2})에 다시 시도", state)
    assert due, state
    assert "분 뒤" not in state
    result = next(ws.outbox.glob("*/결과/점검중_처리결과_*.xlsx"))
    assert "보류 1" in summary_text(result) and "인증 실패" not in summary_text(result)  # a failed read-back is 보류
    assert watcher.stop() == 0
    state = _state(ws)
    assert "중지됨" in state and "실행 중" not in state, state


def test_folders_links_and_unknown_entries_are_reported_once(sim_workspace, tmp_path: Path) -> None:
    ws, sim, watcher = _start(sim_workspace)
    outside = products_file(ws, tmp_path / "바깥.xlsx", 1)
    (ws.inbox / "사진모음").mkdir()
    (ws.inbox / "링크.xlsx").symlink_to(outside)
    (ws.inbox / "메모").write_text("확장자 없는 파일")
    (tmp_path / "손상.xlsx").write_bytes(outside.read_bytes()[:900])
    drop(tmp_path / "손상.xlsx", ws.inbox)

    def reported() -> bool:
        state = _state(ws)
        return all(n in state for n in ("사진모음", "링크.xlsx", "메모", "손상.xlsx"))

    wait_for(reported, 30, "entries in 상태.txt")
    time.sleep(2)  # several sweeps later, still one line each
    state, log = _state(ws), _log(ws)
    assert "폴더" in state and "링크" in state and "확장자" in state, state
    for name in ("사진모음", "링크.xlsx", "메모"):
        assert state.count(name) == 1, (name, state)
        assert log.count(f"{name}:") == 1, (name, log)
    assert outside.exists() and (ws.inbox / "링크.xlsx").is_symlink(), "the link was followed"
    assert not list(ws.outbox.rglob("링크*")) and not list(ws.archive.glob("*/링크*"))
    line = next(l for l in log.splitlines() if "손상.xlsx" in l and "결과" in l)
    assert "읽지 못함" in line and "오류 0" not in line, line
    assert re.search(r"손상\.xlsx.*손상", state), state
    assert watcher.stop() == 0


def test_a_part_file_left_by_a_kill_is_removed_at_start(sim_workspace) -> None:
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000}}, rate_limit=300)
    ws = configure(ws)
    day = f"{now_kst() - timedelta(days=1):%Y-%m-%d}"  # yesterday: within [outbox] keep_days
    stale = [ws.outbox / day / "수집" / f".주문_{day.replace('-', '')}_000000.xlsx.part", ws.archive / day / ".a.xlsx.part",
             ws.outbox / ".상태.txt.part"]
    old = time.time() - 600  # left by a writer killed ten minutes ago
    keep = ws.outbox / day / "판매자메모.part"  # not our naming: left alone
    for path in [*stale, keep]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PK half")
        os.utime(path, (old, old))
    watcher = Watcher(ws.home)
    watcher.wait_started()
    # gone, or the running watcher's own fresh part file (it writes 상태.txt through one): never the killed writer's
    assert not [p for p in stale if p.exists() and p.stat().st_mtime < old + 60]
    assert keep.exists()
    assert "임시 파일" in _log(ws)
    assert watcher.stop() == 0
