"""SIGKILL the real watcher at random points while it pushes 100 products and 300 invoices.

After each kill the watcher is started again on the same workspace. In the end every
row is applied exactly once on the simulator's side and both files have a result
workbook in the outbox and their source in the archive.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from tests.pipeline_helpers import invoices_file, open_lines, products_file
from tests.watch_helpers import Watcher, archived, configure, drop, results, wait_for

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")


def test_sigkill_while_watching_applies_every_row_once(sim_workspace, tmp_path: Path) -> None:
    faults = {"coupang": {"latency_ms": 15, "drop_rate": 0.05, "rate_limit": 1000, "seed": 3}}
    ws, servers = sim_workspace(("coupang",), faults=faults, rate_limit=300)
    ws = configure(ws)
    sim = servers["coupang"].simulator
    sim.generate(300, 0, 0)
    with Store(ws.store_path) as store, Session(ws, RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05)) as session:
        collect(ws, store, session, kinds=("orders",))
        lines = open_lines(store)
    units = {line.ship_unit for line in lines}
    drop(products_file(ws, tmp_path / "상품100.xlsx", 100), ws.inbox)
    drop(invoices_file(tmp_path / "송장300.xlsx", lines), ws.inbox)

    def applied() -> int:
        return len(sim.store.audit_counts("product.create")) + len(sim.store.audit_counts("invoice.send"))

    rng = random.Random(8)
    seen = []
    for round_ in range(5):
        before = applied()
        watcher = Watcher(ws.home)
        if round_ % 2 == 0:  # while a file is being pushed: once this watcher has sent something, however slow the machine
            wait_for(lambda: applied() > before or not list(ws.inbox.rglob("*.xlsx")), 120, "sending")
            time.sleep(rng.uniform(0.0, 0.5))
        else:  # anywhere, start-up and reconciliation included
            time.sleep(rng.uniform(0.5, 4.0))
        watcher.kill()
        seen.append(applied())
    assert any(0 < n < 100 + len(units) for n in seen), f"no kill landed mid-way: {seen}"

    watcher = Watcher(ws.home)
    watcher.wait_started()
    wait_for(lambda: all(results(ws, s) and archived(ws, s) for s in ("상품100", "송장300")), 240, "both files done", interval=0.5)
    assert watcher.stop() == 0
    created = sim.store.audit_counts("product.create")
    sent = sim.store.audit_counts("invoice.send")
    assert len(created) == 100 and set(created.values()) == {1}
    assert len(sent) == len(units) and set(sent.values()) == {1}
    assert set(sim.store.audit_counts("order.confirm").values()) == {1}
    assert not [p for p in ws.inbox.rglob("*") if p.is_file()], "a file was left behind"
    assert len(archived(ws, "상품100")) == 1 and len(archived(ws, "송장300")) == 1


def test_sigterm_finishes_the_file_and_a_second_one_puts_it_back(sim_workspace, tmp_path: Path) -> None:
    faults = {"coupang": {"latency_ms": 40, "rate_limit": 1000}}
    ws, servers = sim_workspace(("coupang",), faults=faults, rate_limit=300)
    ws = configure(ws)
    sim = servers["coupang"].simulator
    processing = ws.inbox / ".processing"

    watcher = Watcher(ws.home)
    watcher.wait_started()
    drop(products_file(ws, tmp_path / "첫번째.xlsx", 40), ws.inbox)
    wait_for(lambda: list(processing.glob("첫번째*")), 30, "first file claimed", interval=0.02)
    assert watcher.stop() == 0  # one SIGTERM: the file in progress is finished first
    assert results(ws, "첫번째") and archived(ws, "첫번째")

    watcher = Watcher(ws.home)
    watcher.wait_started()
    drop(products_file(ws, tmp_path / "두번째.xlsx", 40, seed=9), ws.inbox)
    wait_for(lambda: list(processing.glob("두번째*")), 30, "second file claimed", interval=0.02)
    time.sleep(0.3)
    watcher.proc.send_signal(signal.SIGTERM)
    time.sleep(0.1)
    assert watcher.stop() == 130  # the second request stops at once
    assert (ws.inbox / "두번째.xlsx").exists() and not list(processing.glob("*"))
    assert not results(ws, "두번째")

    watcher = Watcher(ws.home)
    watcher.wait_started()
    wait_for(lambda: results(ws, "두번째") and archived(ws, "두번째"), 60, "second file after restart")
    assert watcher.stop() == 0
    assert set(sim.store.audit_counts("product.create").values()) == {1}
    assert set(sim.store.audit_counts("product.update").values()) <= {1}
