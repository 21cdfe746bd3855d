"""Kill ``mallbatch push`` with SIGKILL at random points, restart, and prove nothing was sent twice.

The simulators run in this test process (their state survives the child's death); the
child is the real CLI in a real process, journaling to real SQLite or PostgreSQL.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.session import Session
from mallbatch.store import open_store
from tests.pipeline_helpers import invoices_file, open_lines, products_file

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")


def run_cli(home: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "mallbatch", "--home", str(home), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_and_finish(home: Path, path: Path, rng: random.Random, kills: int, progress: Callable[[], int], total: int) -> None:
    """Kill the push ``kills`` times, then let one finish; at least one kill must land mid-way."""
    seen = []
    for _ in range(kills):
        before = progress()
        child = run_cli(home, "push", str(path))
        deadline = time.monotonic() + 60
        while progress() == before and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # wait for the child to start sending (imports take a while)
        time.sleep(rng.uniform(0.0, 1.0))
        child.send_signal(signal.SIGKILL)
        child.wait()
        seen.append(progress())
    assert any(0 < n < total for n in seen), f"no kill landed mid-way: {seen}"
    final = run_cli(home, "push", str(path))
    assert final.wait(timeout=300) in (0, 1)


def test_sigkill_during_products_and_invoices_sends_each_once(sim_workspace, store_config: str, tmp_path: Path) -> None:
    # 30 ms per request keeps each push running for several seconds, so kills land mid-way.
    faults = {"coupang": {"latency_ms": 30, "drop_rate": 0.05, "rate_limit": 1000, "seed": 11}}
    ws, servers = sim_workspace(("coupang",), faults=faults, rate_limit=300, store=store_config)
    sim = servers["coupang"].simulator
    rng = random.Random(5)
    products = products_file(ws, tmp_path / "상품.xlsx", 100)
    kill_and_finish(ws.home, products, rng, 3, lambda: len(sim.store.audit_counts("product.create")), 100)
    created = sim.store.audit_counts("product.create")
    assert len(created) == 100 and set(created.values()) == {1}

    sim.faults.update({"drop_rate": 0})
    sim.generate(300, 0, 0)
    with open_store(ws) as store, Session(ws, RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05)) as session:
        collect(ws, store, session, kinds=("orders",))
        lines = open_lines(store)
    sim.faults.update({"drop_rate": 0.05, "latency_ms": 300})  # invoices go 50 per call: slow calls, so kills land mid-way
    invoices = invoices_file(tmp_path / "송장.xlsx", lines)
    units = len({l.ship_unit for l in lines})
    kill_and_finish(ws.home, invoices, rng, 3, lambda: len(sim.store.audit_counts("invoice.send")), units)
    sent = sim.store.audit_counts("invoice.send")
    assert len(sent) == len({l.ship_unit for l in lines}) and set(sent.values()) == {1}
    assert set(sim.store.audit_counts("order.confirm").values()) == {1}
