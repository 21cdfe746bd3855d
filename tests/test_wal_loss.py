"""A SIGKILL mid-push followed by the loss of ``mallbatch.db-wal``/``-shm`` (a backup or sync
tool that copies only ``mallbatch.db``) must not create any product twice.

The simulators run in this test process; the child is the real CLI in a real process.
Exactly-once is asserted on the simulator's own audit of committed writes.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from tests.pipeline_helpers import products_file
from tests.test_crash_restart import run_cli

PRODUCTS = 40
FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

def test_sigkill_then_lost_wal_creates_each_product_once(sim_workspace, tmp_path: Path) -> None:
    # 30 ms per request keeps the push running for a few seconds, so the kill lands mid-way.
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"latency_ms": 30, "rate_limit": 1000}}, rate_limit=300)
    sim = servers["coupang"].simulator
    path = products_file(ws, tmp_path / "상품.xlsx", PRODUCTS)

    child = run_cli(ws.home, "push", str(path))
    deadline = time.monotonic() + 60
    while len(sim.store.audit_counts("product.create")) < PRODUCTS // 3 and child.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    created_before = len(sim.store.audit_counts("product.create"))
    assert 0 < created_before < PRODUCTS, f"the kill did not land mid-way: {created_before}"

    for suffix in ("-wal", "-shm"):  # what a copy of mallbatch.db alone leaves behind
        Path(f"{ws.store_path}{suffix}").unlink(missing_ok=True)

    final = run_cli(ws.home, "push", str(path))
    assert final.wait(timeout=300) == 0
    created = sim.store.audit_counts("product.create")
    assert len(created) == PRODUCTS
    twice = sorted(code for code, n in created.items() if n > 1)
    assert not twice, f"created again after the WAL was lost: {twice}"


def test_copy_of_the_db_file_alone_holds_every_sent_batch(sim_workspace, tmp_path: Path) -> None:
    """While the store is still open (its -wal present), mallbatch.db by itself already has every outcome."""
    ws, _ = sim_workspace(("coupang",), rate_limit=300)
    path = products_file(ws, tmp_path / "상품.xlsx", 6)
    copy = tmp_path / "copy.db"
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        push_file(ws, store, session, path)
        assert Path(f"{ws.store_path}-wal").exists()
        shutil.copyfile(ws.store_path, copy)  # what a backup tool copying only mallbatch.db gets
    with sqlite3.connect(copy) as plain:
        states = plain.execute("SELECT state, COUNT(*) FROM commands WHERE op='product.create' GROUP BY state").fetchall()
    assert states == [("done", 6)]


def test_restored_backup_older_than_the_mall_creates_nothing_twice(sim_workspace, tmp_path: Path) -> None:
    """mallbatch.db restored from a copy taken before a push: the journal knows nothing of those
    creates, so each one is read back by 자체상품코드 and bound to the mall's product, not sent."""
    ws, servers = sim_workspace(rate_limit=300)
    path = products_file(ws, tmp_path / "상품.xlsx", 4)
    backup = tmp_path / "backup.db"
    Store(ws.store_path).close()  # an empty store, as a backup from before the push
    shutil.copyfile(ws.store_path, backup)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        first = push_file(ws, store, session, path)
        ids = {b["mall"]: b["product_id"] for b in store.journal.bindings_for("P00001")}
    assert first.counts.get("성공") == 4 and set(first.counts) <= {"성공", "저장"}
    shutil.copyfile(backup, ws.store_path)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        assert store.journal.bindings_for("P00001") == []
        again = push_file(ws, store, session, path)
        assert again.counts.get("성공") == 4 and set(again.counts) <= {"성공", "저장"}
        assert {b["mall"]: b["product_id"] for b in store.journal.bindings_for("P00001")} == ids
    for server in servers.values():
        created = server.simulator.store.audit_counts("product.create")
        assert len(created) == 4 and set(created.values()) == {1}


def test_a_create_the_mall_cannot_be_asked_about_is_held_not_sent(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=300)
    sim = servers["coupang"].simulator
    path = products_file(ws, tmp_path / "상품.xlsx", 3)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        sim.faults.update({"error_rate": 1.0})  # every call answers 500: the read-back cannot tell
        held = push_file(ws, store, session, path)
        assert held.counts.get("보류") == 3 and sim.store.audit_counts("product.create") == {}
        sim.faults.update({"error_rate": 0.0})
        done = push_file(ws, store, session, path)
        assert done.counts.get("성공") == 3
    created = sim.store.audit_counts("product.create")
    assert len(created) == 3 and set(created.values()) == {1}
