"""One account's rate limit held by several processes together through the PostgreSQL store: the
send times they were granted, gathered, never exceed the bucket nor the one-second window; two real
``mallbatch collect`` processes on one account get no 429 from a simulator enforcing its limit."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mallbatch.connectors.runtime.http import RateLimiter, limiter_for
from mallbatch.connectors.runtime.shared_limiter import SharedLimits, SharedRateLimiter
from mallbatch.pipeline.session import Session
from mallbatch.store import PostgresStore
from mallbatch.store.postgres import Server
from mallbatch.workspace import Workspace

KEY = ("coupang", "기본")


def _hammer(url: str, rate: float, burst: int, per_second: int | None, count: int, out: Any) -> None:
    limits = SharedLimits(Server(url))
    limiter = limits(KEY, rate, burst, per_second)
    out.put([limiter.acquire() for _ in range(count)])


def granted_times(url: str, processes: int, count: int, rate: float, burst: int, per_second: int | None) -> list[float]:
    PostgresStore(Server(url)).close()  # the store's migrations make the limiter table
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    out = context.Queue()
    workers = [context.Process(target=_hammer, args=(url, rate, burst, per_second, count, out)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    times = sorted(t for _ in workers for t in out.get(timeout=120))
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return times


def test_processes_together_keep_one_bucket_and_one_window(pg_url: str) -> None:
    rate, burst, per_second = 60.0, 10, 60
    times = granted_times(pg_url, 4, 40, rate, burst, per_second)
    assert len(times) == 160
    # the window: any per_second + 1 sends span at least the shared window (wider than one process's: see
    # SharedRateLimiter) of the database's clock
    assert SharedRateLimiter.WINDOW > RateLimiter.WINDOW
    assert min(b - a for a, b in zip(times, times[per_second:])) >= SharedRateLimiter.WINDOW - 1e-6
    # the bucket: between any two sends, no more than the burst plus what the rate refilled
    worst = max(j - i + 1 - rate * (times[j] - times[i]) for i in range(len(times)) for j in range(i, len(times)))
    assert worst <= burst + 1e-6


def test_a_mall_with_only_an_average_gets_the_window_at_its_rate_across_processes(pg_url: str) -> None:
    """A spec with no one-second cap (위메프: 5/s, a bucket of one): the bucket, and no more than the rate
    in any shared window, since spacing alone is undone by the jitter between grant and arrival."""
    rate, burst = 40.0, 5
    times = granted_times(pg_url, 3, 20, rate, burst, None)
    worst = max(j - i + 1 - rate * (times[j] - times[i]) for i in range(len(times)) for j in range(i, len(times)))
    assert len(times) == 60 and worst <= burst + 1e-6
    assert min(b - a for a, b in zip(times, times[int(rate):])) >= SharedRateLimiter.WINDOW - 1e-6


def test_session_hands_connectors_the_stores_limiters(sim_workspace, store_config: str, engine: str) -> None:
    ws, _ = sim_workspace(("coupang",))
    (ws.home / "config.toml").write_text(store_config + (ws.home / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    ws = Workspace.open(ws.home)
    with Session(ws) as session:
        adapter = session.adapter(ws.config.accounts[0])
        assert adapter is not None
        shared = type(adapter.http.limiter).__name__ == "SharedRateLimiter"
        assert shared == (engine == "postgres") and (session.limits is limiter_for) == (engine == "sqlite")


def test_two_collections_of_one_account_get_no_429(sim_workspace, pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """The simulator enforces 쿠팡's own limit; two processes collect the same account at once."""
    # a slow limit both ways (the account keeps to 4/s, the simulator refuses above 4/s), so that two
    # processes each keeping to it alone would pass it together
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 4}}, rate_limit=4)
    monkeypatch.setenv("MALLBATCH_TEST_STORE", pg_url)
    config = ws.home / "config.toml"
    config.write_text('[store]\nurl = "env:MALLBATCH_TEST_STORE"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    server = servers["coupang"]
    server.simulator.generate(400, 0, 0)
    children = [subprocess.Popen([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "collect", "--kind", "orders"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [child.communicate(timeout=300)[0].decode("utf-8", "replace") for child in children]
    assert all(child.returncode == 0 for child in children), outputs
    assert server.requests > 20, server.requests  # enough calls to pass the limit twice over without sharing it
    assert server.rejected_429 == 0
