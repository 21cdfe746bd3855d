"""Work as procrastinate jobs on the PostgreSQL store: real database, real simulators, real processes.

Skips without a PostgreSQL server (the ``pg_url`` fixture says why); ``.ci/run`` starts one.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import psycopg
import pytest

from mallbatch.errors import StoreError
from mallbatch.files import sha256_file
from mallbatch.jobs.enqueue import defer_collection
from mallbatch.jobs.queue import COLLECT, JOBS_SCHEMA, PROCESS_FILE
from mallbatch.jobs.schema import ensure_schema
from mallbatch.jobs.tasks import enqueue_file
from mallbatch.sandbox.server import SandboxServer
from mallbatch.store import open_store
from mallbatch.watch.scanner import claim
from mallbatch.watch.schedule import Slot
from mallbatch.watch.service import PROCESSING
from tests.jobs_helpers import CutProxy, Proc, jobs, runs, seller_workspace
from tests.pipeline_helpers import products_file
from tests.watch_helpers import archived, drop, results, wait_for

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGTERM/SIGKILL")


@pytest.fixture
def servers() -> list[SandboxServer]:
    started: list[SandboxServer] = []
    yield started
    for server in started:
        server.stop()
        server.simulator.store.close()


def test_a_file_dropped_in_a_sellers_inbox_is_processed_by_a_worker_into_that_sellers_outbox(
        pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    agency = tmp_path / "대행사"
    a, sims_a = seller_workspace(agency / "가게A", pg_url, "seller_a", servers=servers)
    b, sims_b = seller_workspace(agency / "가게B", pg_url, "seller_b", servers=servers)
    watcher = Proc(tmp_path, "watch", "--agency", str(agency))
    worker = Proc(tmp_path, "worker", "--agency", str(agency), "--concurrency", "2")
    try:
        drop(products_file(a, tmp_path / "상품A.xlsx", 3, prefix="A"), a.inbox)
        drop(products_file(b, tmp_path / "상품B.xlsx", 2, prefix="B"), b.inbox)
        wait_for(lambda: results(a, "상품A") and archived(a, "상품A") and results(b, "상품B") and archived(b, "상품B"), 90,
                 "both sellers' files done", interval=0.3)
    finally:
        assert watcher.stop() == 0, watcher.output()
        assert worker.stop() == 0, worker.output()
    assert not results(a, "상품B") and not results(b, "상품A"), "a result landed in another seller's outbox"
    assert set(sims_a["coupang"].simulator.store.audit_counts("product.create").values()) == {1}
    assert len(sims_a["coupang"].simulator.store.audit_counts("product.create")) == 3
    assert len(sims_b["coupang"].simulator.store.audit_counts("product.create")) == 2
    file_jobs = jobs(pg_url, f"task_name = '{PROCESS_FILE}'")
    assert sorted(j["args"]["seller"] for j in file_jobs) == ["가게A", "가게B"]  # the folder name, never a path
    assert {j["status"] for j in file_jobs} == {"succeeded"} and {j["queue_name"] for j in file_jobs} == {"files"}
    with open_store(a) as store_a, open_store(b) as store_b:
        assert store_a.file(sha256_file(archived(a, "상품A")[0]))["state"] == "archived"
        assert store_b.file(sha256_file(archived(a, "상품A")[0])) is None  # each seller's own schema
    assert not [p for p in a.inbox.rglob("*") if p.is_file()] and not [p for p in b.inbox.rglob("*") if p.is_file()]


def test_watch_enqueues_one_collection_per_mall_account_kind_and_a_worker_collects_them(
        pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    ws, sims = seller_workspace(tmp_path / "ws", pg_url, "shop", malls=("coupang", "smartstore"), servers=servers)
    for server in sims.values():
        server.simulator.generate(3, 1, 1)
    watcher = Proc(tmp_path, "--home", str(ws.home), "watch")
    try:
        wanted = {(mall, "기본", kind) for mall in ("coupang", "smartstore") for kind in ("orders", "claims", "inquiries")}
        wait_for(lambda: len(jobs(pg_url, f"task_name = '{COLLECT}'")) >= len(wanted), 60, "collections enqueued")
        wait_for(lambda: "수집 작업" in watcher.output(), 10, "a few turns")
        collections = jobs(pg_url, f"task_name = '{COLLECT}'")
        assert {(j["args"]["mall"], j["args"]["account"], j["args"]["kind"]) for j in collections} == wanted
        assert len(collections) == len(wanted), "the same collection waits twice"
        assert {j["queue_name"] for j in collections} == {"collect.coupang", "collect.smartstore"}
        assert {j["lock"] for j in collections} == {"collect:/coupang/기본", "collect:/smartstore/기본"}
        worker = Proc(tmp_path, "--home", str(ws.home), "worker", "--concurrency", "3")
        try:
            wait_for(lambda: {j["status"] for j in jobs(pg_url, f"task_name = '{COLLECT}'")} == {"succeeded"}, 90,
                     "collections done", interval=0.3)
        finally:
            assert worker.stop() == 0, worker.output()
    finally:
        assert watcher.stop() == 0, watcher.output()
    with open_store(ws) as store:
        for mall, account, kind in wanted:
            assert store.records.watermark(mall, account, kind) is not None, (mall, account, kind)
    assert list(ws.outbox.glob("*/수집/주문_*.xlsx")), "no orders workbook in the seller's outbox"


def test_two_workers_never_collect_one_account_at_once(pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    ws, sims = seller_workspace(tmp_path / "ws", pg_url, "shop", faults={"latency_ms": 60}, servers=servers)
    sims["coupang"].simulator.generate(20, 3, 3)
    ensure_schema(pg_url)
    with open_store(ws) as store:
        for kind in ("orders", "claims", "inquiries"):
            assert defer_collection(store, "", Slot("coupang", "기본", kind)) is not None
        assert defer_collection(store, "", Slot("coupang", "기본", "orders")) is None  # already waiting
    workers = [Proc(tmp_path, "--home", str(ws.home), "worker", "--concurrency", "2") for _ in range(2)]
    try:
        wait_for(lambda: {j["status"] for j in jobs(pg_url)} == {"succeeded"}, 90, "collections done", interval=0.3)
    finally:
        for worker in workers:
            assert worker.stop() == 0, worker.output()
    spans = sorted(runs(pg_url, [j["id"] for j in jobs(pg_url)]))
    assert len(spans) == 3
    for (_, ended), (started, _) in itertools.pairwise(spans):
        assert ended <= started, f"two collections of one account overlapped: {spans}"


def test_a_worker_killed_mid_file_leaves_its_job_to_another_that_sends_nothing_twice(
        pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    ws, sims = seller_workspace(tmp_path / "ws", pg_url, "shop", faults={"latency_ms": 40}, servers=servers)
    sim = sims["coupang"].simulator
    ensure_schema(pg_url)
    source = drop(products_file(ws, tmp_path / "상품12.xlsx", 12), ws.inbox)
    claimed = claim(source, ws.inbox / PROCESSING)
    with open_store(ws) as store:
        enqueue_file(store, "", claimed, sha256_file(claimed))
    first = Proc(tmp_path, "--home", str(ws.home), "worker")
    wait_for(lambda: len(sim.store.audit_counts("product.create")) >= 2, 60, "the first worker sending")
    first.kill()
    assert len(sim.store.audit_counts("product.create")) < 12, "the file finished before the kill"
    second = Proc(tmp_path, "--home", str(ws.home), "worker")
    try:
        wait_for(lambda: results(ws, "상품12") and archived(ws, "상품12"), 90, "the file done by the second worker", interval=0.3)
    finally:
        assert second.stop() == 0, second.output()
    created = sim.store.audit_counts("product.create")
    assert len(created) == 12 and set(created.values()) == {1}
    assert "멈춘 작업자의 작업을 다시 대기열에 넣었습니다" in second.output()
    [job] = jobs(pg_url)
    assert job["status"] == "succeeded" and job["attempts"] >= 1


def test_a_file_and_its_job_commit_together(pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    ws, _ = seller_workspace(tmp_path / "ws", pg_url, "shop", servers=servers)
    ensure_schema(pg_url)
    claimed = claim(drop(products_file(ws, tmp_path / "상품.xlsx", 1), ws.inbox), ws.inbox / PROCESSING)
    sha = sha256_file(claimed)
    with open_store(ws) as store:
        with pytest.raises(RuntimeError, match="after the defer"), store.transaction():
            enqueue_file(store, "", claimed, sha)
            raise RuntimeError("after the defer")
        assert store.file(sha) is None and jobs(pg_url) == []
        enqueue_file(store, "", claimed, sha)
        assert store.file(sha)["state"] == "queued"
        [job] = jobs(pg_url)
        assert job["args"] == {"seller": "", "name": claimed.name, "sha": sha, "attempt": 0}


def test_a_dropped_file_is_taken_before_the_collections_queued_ahead_of_it(
        pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    """At agency scale an interval queues thousands of collections; a seller's file must not wait behind them."""
    ws, _ = seller_workspace(tmp_path / "ws", pg_url, "shop", servers=servers)
    ensure_schema(pg_url)
    with open_store(ws) as store:
        for kind in ("orders", "claims", "inquiries"):
            defer_collection(store, "", Slot("coupang", "기본", kind))
        claimed = claim(drop(products_file(ws, tmp_path / "상품.xlsx", 1), ws.inbox), ws.inbox / PROCESSING)
        enqueue_file(store, "", claimed, sha256_file(claimed))
    worker = Proc(tmp_path, "--home", str(ws.home), "worker", "--concurrency", "1")
    try:
        wait_for(lambda: {j["status"] for j in jobs(pg_url)} == {"succeeded"}, 90, "every job done", interval=0.3)
    finally:
        assert worker.stop() == 0, worker.output()
    queued = jobs(pg_url)
    assert [j["task_name"] for j in queued] == [COLLECT] * 3 + [PROCESS_FILE]  # queued last …
    started = [runs(pg_url, [j["id"]])[0][0] for j in queued]
    assert started[-1] < min(started[:-1])  # … run first


def test_a_worker_waits_out_its_queue_database_being_away_and_works_on(
        pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    """The database refusing connections when the worker starts (a server restarting), then every connection
    cut and new ones refused again: the worker says so in Korean, stays up and takes the next files, without a
    service manager restarting it."""
    proxy = CutProxy(pg_url)
    try:
        ws, sims = seller_workspace(tmp_path / "ws", proxy.url, "shop", servers=servers)
        ensure_schema(pg_url)
        proxy.cut(6)
        worker = Proc(tmp_path, "--home", str(ws.home), "worker", "--concurrency", "2")
        try:
            wait_for(lambda: "연결이 끊겼습니다" in worker.output(), 30, "the worker said the database is away", interval=0.3)
            wait_for(lambda: not proxy.refusing.is_set(), 10, "the database back")
            queue_file(ws, products_file(ws, tmp_path / "상품A.xlsx", 1, prefix="A"))
            wait_for(lambda: results(ws, "상품A") and archived(ws, "상품A"), 90, "the first file done", interval=0.3)
            proxy.cut(3)
            time.sleep(4)
            with pytest.raises(StoreError):  # this process's idle connections were cut too: the first use says so
                open_store(ws)
            queue_file(ws, products_file(ws, tmp_path / "상품B.xlsx", 1, prefix="B"))
            wait_for(lambda: results(ws, "상품B") and archived(ws, "상품B"), 90, "the file after the cut done", interval=0.3)
            assert worker.alive(), worker.output()
        finally:
            assert worker.stop() == 0, worker.output()
        assert "error connecting" not in worker.output()  # psycopg_pool's English retries stay out of the log
        assert sorted(sims["coupang"].simulator.store.audit_counts("product.create").values()) == [1, 1]
    finally:
        proxy.close()


def queue_file(ws: Any, path: Path) -> None:
    """``path`` dropped and enqueued as the enqueue-only watcher would."""
    claimed = claim(drop(path, ws.inbox), ws.inbox / PROCESSING)
    with open_store(ws) as store:
        enqueue_file(store, "", claimed, sha256_file(claimed))


def test_a_job_left_doing_under_a_live_worker_is_taken_up_again(pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    """What the 500-seller run left behind at a PostgreSQL restart: a job that ended as the database went away
    keeps ``doing`` under its worker, whose heartbeat lives on, and its lock holds every later collection of that
    account back. The worker puts such a job of its own back in the queue."""
    ws, sims = seller_workspace(tmp_path / "ws", pg_url, "shop", servers=servers)
    sims["coupang"].simulator.generate(2, 0, 0)
    ensure_schema(pg_url)
    worker = Proc(tmp_path, "--home", str(ws.home), "worker", "--concurrency", "2")
    try:
        with psycopg.connect(pg_url, autocommit=True) as db:
            db.execute(f"SET search_path TO {JOBS_SCHEMA}")  # procrastinate's triggers name its types unqualified
            wait_for(lambda: db.execute(f"SELECT id FROM {JOBS_SCHEMA}.procrastinate_workers").fetchall(), 30, "the worker registered")
            [(worker_id,)] = db.execute(f"SELECT id FROM {JOBS_SCHEMA}.procrastinate_workers").fetchall()
            with open_store(ws) as store:
                orphan = defer_collection(store, "", Slot("coupang", "기본", "orders"))
                db.execute(f"UPDATE {JOBS_SCHEMA}.procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
                           (worker_id, orphan))  # as if fetched by that worker, its end never recorded
                follower = defer_collection(store, "", Slot("coupang", "기본", "claims"))  # same account: waits on its lock
        wait_for(lambda: {j["id"]: j["status"] for j in jobs(pg_url)} == {orphan: "succeeded", follower: "succeeded"}, 60,
                 "the orphan run again and the collection behind it", interval=0.3)
        assert "끝을 기록하지 못한 작업을 다시 대기열에 넣었습니다" in worker.output()
    finally:
        assert worker.stop() == 0, worker.output()
    with open_store(ws) as store:
        assert store.records.watermark("coupang", "기본", "orders") is not None


def test_the_seller_sees_state_in_queue_mode_the_same_in_the_workbook_the_text_and_mallbatch_status(
        pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    """The enqueue-only watcher keeps no board: a worker writes the seller's 상태 from the store and the queue."""
    ws, sims = seller_workspace(tmp_path / "ws", pg_url, "shop", servers=servers)
    sims["coupang"].simulator.generate(2, 0, 0)
    watcher = Proc(tmp_path, "--home", str(ws.home), "watch")
    worker = Proc(tmp_path, "--home", str(ws.home), "worker", "--concurrency", "2")
    text = ws.outbox / "상태.txt"
    try:
        drop(products_file(ws, tmp_path / "상품.xlsx", 1), ws.inbox)
        wait_for(lambda: text.exists() and "상품.xlsx" in text.read_text("utf-8-sig"), 90, "the file in 상태.txt", interval=0.3)
        status = cli_status(ws)
        body = text.read_text("utf-8-sig")
        assert watcher.stop() == 0, watcher.output()
        wait_for(lambda: text.read_text("utf-8-sig").startswith("mallbatch 상태: 중지됨"), 60, "중지됨 once the watcher stopped",
                 interval=0.3)
        assert "정상 종료 기록 없이" not in cli_status(ws)
    finally:
        assert worker.stop() == 0, worker.output()
        watcher.stop()
    assert body.startswith("mallbatch 상태: 실행 중 (작업 대기열 모드, 작업자 ")
    assert any("상품.xlsx: 결과 상품_처리결과_" in line for line in body.split("[최근 처리]")[1].splitlines())
    assert "쿠팡/기본 주문: " in body.split("[수집]")[1]  # last / next collection per account and kind
    assert "인증 정상" in body.split("[계정]")[1]  # the account check, run by the worker
    book = openpyxl.load_workbook(ws.outbox / "상태.xlsx", read_only=True)
    try:
        files = [row[:2] for row in book["파일"].iter_rows(min_row=2, values_only=True)]
    finally:
        book.close()
    assert files == [("완료", "상품.xlsx")]
    assert "작업 대기열 모드" in status and "상품.xlsx" in status


def cli_status(ws: Any) -> str:
    return subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "status"], capture_output=True,
                          text=True, timeout=120).stdout


def test_a_stock_round_reads_back_what_a_dead_worker_left_in_flight(pg_url: str, tmp_path: Path, servers: list[SandboxServer]) -> None:
    """A worker killed while sending a stock level leaves its command in flight; the level moves on, so no later job
    meets that command again. The seller's next stock round reads it back from the mall and settles it."""
    from mallbatch.domain.records import ListingChange
    from mallbatch.jobs.queue import STOCK_QUEUE, STOCK_ROUND, defer
    from mallbatch.pipeline.push import push_file
    from mallbatch.pipeline.session import Session
    from mallbatch.store.claims import HOST
    from mallbatch.store.journal import Command

    ws, _ = seller_workspace(tmp_path / "ws", pg_url, "shop", servers=servers)
    ensure_schema(pg_url)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    with open_store(ws) as store, Session(ws) as session:
        assert push_file(ws, store, session, products_file(ws, tmp_path / "상품.xlsx", 1)).counts.get("성공") == 1
        (code,) = store.product_codes()
        binding = store.journal.binding("coupang", "기본", code)
        assert binding is not None
        change = ListingChange(code, binding["product_id"], (), stock=3)
        command = store.journal.register(Command.new("coupang", "기본", "listing.stock", change.target,
                                                     change.payload() | {"revision": 999}))
        store.journal._owner, store.journal._owner_pid = f"{HOST}:{gone.stdout.strip()}:0123456789ab", os.getpid()  # noqa: SLF001
        assert store.journal.mark(command, "in_flight")  # the dead worker's claim; its call never reached the mall
        with store.transaction():
            defer(store.pg_connection, STOCK_ROUND, queue=STOCK_QUEUE, lock="stock:", queueing_lock="stock:", seller="")
    worker = Proc(tmp_path, "--home", str(ws.home), "worker")
    try:
        wait_for(lambda: {j["status"] for j in jobs(pg_url)} == {"succeeded"}, 60, "the stock round done", interval=0.3)
    finally:
        assert worker.stop() == 0, worker.output()
    with open_store(ws) as store:
        settled = store.journal.get(command.idem_key)
        assert settled is not None and settled.state == "pending" and settled.claim_owner == "", settled
    assert "결과를 모른 채 끝난 요청 1건" in worker.output()
