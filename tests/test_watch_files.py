"""The real ``mallbatch watch`` process taking files: complete only, once, and never lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import msoffcrypto.format.ooxml
import pytest

from mallbatch.domain.clock import now_kst
from mallbatch.sandbox.registry import sandbox_credentials
from tests.pipeline_helpers import products_file
from tests.watch_helpers import (
    Watcher,
    archived,
    configure,
    drop,
    results,
    summary_text,
    wait_for,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and rename semantics of POSIX")


@pytest.fixture
def watched(sim_workspace):
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000}}, rate_limit=300)
    ws = configure(ws)
    watcher = Watcher(ws.home)
    watcher.wait_started()
    yield ws, servers["coupang"].simulator, watcher
    if watcher.proc.poll() is None:
        watcher.stop()


def test_slow_copy_excel_save_and_lock_file(watched, tmp_path: Path) -> None:
    ws, sim, watcher = watched
    # A copy in slow chunks, with one pause longer than the stability window: the zip is
    # incomplete until the last chunk, so it is taken once, after the copy finished.
    data = products_file(ws, tmp_path / "느린복사.xlsx", 3).read_bytes()
    target = ws.inbox / "느린복사.xlsx"
    with open(target, "wb") as handle:
        for index, start in enumerate(range(0, len(data), len(data) // 6 + 1)):
            handle.write(data[start:start + len(data) // 6 + 1])
            handle.flush()
            time.sleep(0.9 if index == 2 else 0.2)
            if start + len(data) // 6 + 1 < len(data):
                assert not results(ws, "느린복사") and target.exists(), "taken before the copy finished"
    wait_for(lambda: results(ws, "느린복사") and archived(ws, "느린복사"), 30, "slow copy result")
    assert "성공 3" in summary_text(results(ws, "느린복사")[0])

    # Excel's save: a lock file, an extensionless temp file, then a rename onto the name.
    lock = ws.inbox / "~$엑셀저장.xlsx"
    lock.write_bytes(b"\x07seller")
    temp = ws.inbox / "3F2A1B7C"
    temp.write_bytes(products_file(ws, tmp_path / "e.xlsx", 2, seed=3).read_bytes())
    os.replace(temp, ws.inbox / "엑셀저장.xlsx")
    # A workbook with its owner file beside it is open in Excel: it waits.
    time.sleep(2)
    assert (ws.inbox / "엑셀저장.xlsx").exists() and not results(ws, "엑셀저장")
    status = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "status"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert "엑셀저장.xlsx - 엑셀에서 열려 있음" in status.stdout, status.stdout
    lock.unlink()  # the seller closes Excel
    wait_for(lambda: results(ws, "엑셀저장") and archived(ws, "엑셀저장"), 30, "excel save result")

    time.sleep(1.5)  # nothing is taken twice
    assert len(results(ws, "느린복사")) == 1 and len(archived(ws, "느린복사")) == 1
    assert len(results(ws, "엑셀저장")) == 1 and len(archived(ws, "엑셀저장")) == 1
    assert set(sim.store.audit_counts("product.create").values()) == {1}
    assert watcher.stop() == 0


def test_fifty_files_dropped_at_once_each_once(watched, tmp_path: Path) -> None:
    ws, sim, watcher = watched
    staging = tmp_path / "staging"
    staging.mkdir()
    sources = [products_file(ws, staging / f"묶음{i:02d}.xlsx", 1, seed=i) for i in range(50)]
    for source in sources:
        os.replace(source, ws.inbox / source.name)
    names = [s.stem for s in sources]
    wait_for(lambda: all(results(ws, n) for n in names), 150, "50 results", interval=0.5)
    time.sleep(1)
    assert [len(results(ws, n)) for n in names] == [1] * 50
    assert [len(archived(ws, n)) for n in names] == [1] * 50
    assert not [p for p in ws.inbox.iterdir() if p.is_file()]
    assert set(sim.store.audit_counts("product.create").values()) == {1}
    assert watcher.stop() == 0


def _encrypted(source: Path, target: Path) -> Path:
    with source.open("rb") as src, target.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("비밀", out)
    return target


def test_unreadable_files_are_archived_with_a_reason(watched, tmp_path: Path) -> None:
    ws, _sim, watcher = watched
    good = products_file(ws, tmp_path / "정상.xlsx", 2)
    (tmp_path / "손상.xlsx").write_bytes(good.read_bytes()[:1500])
    _encrypted(good, tmp_path / "암호.xlsx")
    (tmp_path / "빈파일.xlsx").write_bytes(b"")
    (tmp_path / "사진.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    expected = {"손상": "손상", "암호": "암호", "빈파일": "빈 파일", "사진": "엑셀 파일이 아닙니다"}
    for stem in expected:
        drop(tmp_path / (stem + (".jpg" if stem == "사진" else ".xlsx")), ws.inbox)
    for stem, words in expected.items():
        wait_for(lambda stem=stem: results(ws, stem) and archived(ws, stem), 40, f"{stem} archived")
        assert words in summary_text(results(ws, stem)[0]), stem
    drop(good, ws.inbox)  # the service is still working
    wait_for(lambda: results(ws, "정상") and archived(ws, "정상"), 30, "good file after bad ones")
    assert watcher.proc.poll() is None
    assert watcher.stop() == 0


def test_disk_error_writing_result_leaves_source_in_inbox(watched, tmp_path: Path) -> None:
    ws, sim, watcher = watched
    blocker = ws.outbox / f"{now_kst():%Y-%m-%d}"
    shutil.rmtree(blocker, ignore_errors=True)  # today's 결과/ and 수집/ folders
    blocker.write_text("not a folder")  # the dated outbox folder cannot be created
    drop(products_file(ws, tmp_path / "디스크.xlsx", 2), ws.inbox)
    state = ws.state / "watch-status.json"
    wait_for(lambda: state.exists() and "디스크.xlsx" in json.dumps(json.loads(state.read_text("utf-8"))["failed"], ensure_ascii=False),
             30, "failure reported")
    time.sleep(1)
    assert (ws.inbox / "디스크.xlsx").exists()
    assert not archived(ws, "디스크") and not list((ws.inbox / ".processing").glob("*"))
    assert "디스크.xlsx" in (ws.outbox / "상태.txt").read_text("utf-8-sig")
    blocker.unlink()  # disk fixed: the next attempt succeeds, rows already sent are not sent again
    wait_for(lambda: results(ws, "디스크") and archived(ws, "디스크"), 60, "result after the disk is fixed")
    assert set(sim.store.audit_counts("product.create").values()) == {1}
    assert watcher.stop() == 0


def test_one_instance_trigger_file_status_and_clean_stop(watched) -> None:
    ws, sim, watcher = watched
    second = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "watch"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert second.returncode == 1 and "이미 다른 mallbatch watch" in second.stderr, second.stderr

    before = set(ws.outbox.glob("*/수집/주문_*.xlsx"))
    sim.generate(3, 0, 0)
    (ws.inbox / "지금수집").write_text("")
    wait_for(lambda: set(ws.outbox.glob("*/수집/주문_*.xlsx")) - before, 30, "collection on trigger")
    wait_for(lambda: not (ws.inbox / "지금수집").exists(), 10, "trigger removed")

    status = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "status"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert "서비스: 실행 중" in status.stdout and "쿠팡/기본 주문:" in status.stdout, status.stdout
    started = time.monotonic()
    assert watcher.stop(timeout=20) == 0
    assert time.monotonic() - started < 10
    assert "종료했습니다" in watcher.output()
    status = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "status"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert "서비스: 실행 중이 아님" in status.stdout
    log = (ws.state / "logs" / "watch.log").read_text("utf-8")
    assert "수집 시작" in log
    assert not [v for v in sandbox_credentials("coupang").values() if len(v) > 8 and v in log]


def test_auth_failure_and_key_expiry_are_warned_and_other_accounts_go_on(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang", "smartstore"), faults={m: {"rate_limit": 1000} for m in ("coupang", "smartstore")},
                                rate_limit=300)
    secret = sandbox_credentials("coupang")["secret_key"]
    issued = (now_kst() - timedelta(days=175)).date().isoformat()
    text = (ws.home / "config.toml").read_text("utf-8").replace(f'secret_key = "{secret}"', f'secret_key = "wrong-{secret}"\nkey_issued = "{issued}"')
    (ws.home / "config.toml").write_text(text, "utf-8")
    ws = configure(ws)
    watcher = Watcher(ws.home)
    watcher.wait_started()
    drop(products_file(ws, tmp_path / "두몰.xlsx", 3), ws.inbox)
    wait_for(lambda: results(ws, "두몰") and archived(ws, "두몰"), 40, "result with one account failing")
    state = (ws.outbox / "상태.txt").read_text("utf-8-sig")
    assert "⚠ 쿠팡/기본" in state and "인증 실패" in state and "곧 만료" in state, state
    assert "스마트스토어/기본 (시뮬레이터): 인증 정상" in state
    assert len(servers["smartstore"].simulator.store.audit_counts("product.create")) == 3
    assert not servers["coupang"].simulator.store.audit_counts("product.create")
    log = (ws.state / "logs" / "watch.log").read_text("utf-8")
    assert "인증 실패" in log and secret not in log
    assert watcher.proc.poll() is None
    assert watcher.stop() == 0


def test_same_file_and_its_result_workbook_dropped_back(watched, tmp_path: Path) -> None:
    ws, sim, watcher = watched
    source = products_file(ws, tmp_path / "다시.xlsx", 3)
    drop(source, ws.inbox)
    wait_for(lambda: results(ws, "다시") and archived(ws, "다시"), 30, "first result")
    drop(source, ws.inbox, "다시_사본.xlsx")  # same content under another name
    wait_for(lambda: results(ws, "다시_사본"), 30, "second result")
    assert "건너뜀 3" in summary_text(results(ws, "다시_사본")[0])
    drop(results(ws, "다시")[0], ws.inbox, "결과되돌림.xlsx")  # the seller drops the result workbook back
    wait_for(lambda: results(ws, "결과되돌림") and archived(ws, "결과되돌림"), 30, "result workbook dropped back")
    assert "건너뜀" in summary_text(results(ws, "결과되돌림")[0])
    assert set(sim.store.audit_counts("product.create").values()) == {1}
    assert watcher.stop() == 0
