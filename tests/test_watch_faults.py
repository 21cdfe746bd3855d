"""A mall answering 429 bursts and 5xx for a while neither stops the watcher nor loses rows.

Rows that fail while the mall is down are retried automatically (``[watch]
retry_minutes``); the journal keeps each applied exactly once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from tests.pipeline_helpers import invoices_file, open_lines, products_file
from tests.watch_helpers import Watcher, configure, drop, results, wait_for

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals")


def test_429_bursts_and_5xx_for_a_while_lose_nothing(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000, "seed": 5}}, rate_limit=300)
    ws = configure(ws, retry_attempts=4)
    sim = servers["coupang"].simulator
    sim.generate(120, 0, 0)
    with Store(ws.store_path) as store, Session(ws, RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)) as session:
        collect(ws, store, session, kinds=("orders",))
        lines = open_lines(store)
    units = {line.ship_unit for line in lines}
    watcher = Watcher(ws.home)
    watcher.wait_started()

    sim.faults.update({"error_rate": 0.5, "burst_429": 0.3, "burst_length": 6})
    drop(products_file(ws, tmp_path / "장애상품.xlsx", 40), ws.inbox)
    drop(invoices_file(tmp_path / "장애송장.xlsx", lines), ws.inbox)
    time.sleep(12)
    assert watcher.proc.poll() is None, "the watcher stopped during the outage"
    sim.faults.update({"error_rate": 0.0, "burst_429": 0.0})

    def complete() -> bool:
        return (len(sim.store.audit_counts("product.create")) == 40
                and len(sim.store.audit_counts("invoice.send")) == len(units))

    wait_for(complete, 120, "every row applied after the outage", interval=0.5)
    wait_for(lambda: results(ws, "장애상품") and results(ws, "장애송장"), 30, "results")
    assert watcher.proc.poll() is None, "the watcher stopped"
    assert watcher.stop() == 0
    assert set(sim.store.audit_counts("product.create").values()) == {1}
    assert set(sim.store.audit_counts("invoice.send").values()) == {1}
    assert set(sim.store.audit_counts("order.confirm").values()) == {1}
    log = (ws.state / "logs" / "watch.log").read_text("utf-8")
    assert "다시 보냅니다" in log
