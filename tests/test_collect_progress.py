"""A collection shows its count and an ETA per mall×account×kind: on the console, in ``mallbatch status`` and in 상태."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import openpyxl
from click.testing import CliRunner

from mallbatch.cli import cli
from mallbatch.domain.clock import now_kst
from mallbatch.pipeline.progress import Meter, received_ko
from mallbatch.pipeline.session import Session
from mallbatch.watch.overview import STATUS_BOOK
from tests.watch_helpers import Watcher, configure, wait_for

PROGRESS = re.compile(r"위메프/기본 주문: ([\d,]+)건 받음, 진행 (\d+)%, 약 \d+(초|분) 남음")


def paged_workspace(sim_workspace, orders: int, page_size: int, latency_ms: float = 0.0):
    """위메프 with ``orders`` new orders on pages of ``page_size`` (every call ``latency_ms`` late)."""
    ws, servers = sim_workspace(("wemakeprice",), faults={"wemakeprice": {"latency_ms": latency_ms}}, rate_limit=1000)
    sim = servers["wemakeprice"].simulator
    sim.page_size = page_size
    sim.generate(orders, 0, 0)
    return ws, sim


def test_the_share_read_grows_page_by_page_to_the_whole_period(sim_workspace) -> None:
    ws, _sim = paged_workspace(sim_workspace, orders=60, page_size=4)
    shares: list[float] = []
    with Session(ws) as session:
        adapter = session.adapter(ws.config.accounts[0])
        adapter.read_share = shares.append
        now = now_kst()
        lines = list(adapter.orders(now - timedelta(days=3), now + timedelta(minutes=1)))
    assert lines
    assert shares == sorted(shares) and shares[-1] == 1.0 and shares[0] < 0.5
    assert len(set(shares)) >= 60 // 4  # at least one step per page of the window that holds the orders


def test_received_text_and_meter_with_a_share() -> None:
    assert received_ko(1200, 0.4, 20.0) == "1,200건 받음, 진행 40%, 약 30초 남음"
    assert received_ko(0, 0.0, 1.0) == "0건 받음, 진행 0%" and received_ko(5, 1.0, 3.0) == "5건 받음, 진행 100%"
    clock = iter([0.0, 0.5, 1.0, 1.5, 3.0]).__next__
    shown: list[str] = []
    meter = Meter(lambda text, done, total: shown.append(text), clock=clock)
    meter.advance(10, 0)
    meter.reach(0.25)
    meter.reach(0.2)  # a share never goes back
    meter.advance(10, 0)
    assert shown == ["10건 받음, 진행 25%, 약 3초 남음", "20건 받음, 진행 25%, 약 9초 남음"]


def test_mallbatch_collect_prints_counts_and_an_eta_as_pages_come_in(sim_workspace) -> None:
    ws, _sim = paged_workspace(sim_workspace, orders=200, page_size=4, latency_ms=60)
    out = CliRunner().invoke(cli, ["--home", str(ws.home), "collect", "--kind", "orders"])
    assert out.exit_code == 0, out.output
    shown = [m for line in out.output.splitlines() if (m := PROGRESS.search(line))]
    assert shown, out.output
    counts = [int(m[1].replace(",", "")) for m in shown]
    assert counts == sorted(counts) and 0 < counts[-1] and all(0 <= int(m[2]) < 100 for m in shown)


def test_mallbatch_status_and_the_workbook_show_a_collection_under_way(sim_workspace) -> None:
    ws, _sim = paged_workspace(sim_workspace, orders=400, page_size=4, latency_ms=60)
    watcher = Watcher(configure(ws).home)  # its first collection starts at once and reads about 100 pages

    def status_progress() -> str:
        out = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "status"],
                             capture_output=True, text=True, timeout=60, check=False).stdout
        return next((line for line in out.splitlines() if "위메프/기본 주문:" in line and "수집 중:" in line and "남음" in line), "")

    try:
        line = wait_for(status_progress, 60, "progress of the collection in mallbatch status")
        assert re.search(r"위메프/기본 주문: \S+ / 수집 중: [\d,]+건 받음, 진행 \d+%, 약 \d+(초|분) 남음", line), line

        def book_progress() -> list[object]:
            path = ws.outbox / STATUS_BOOK
            if not path.exists():
                return []
            book = openpyxl.load_workbook(path, read_only=True)
            try:
                rows = [list(r) for r in book["수집"].iter_rows(values_only=True)]
            finally:
                book.close()
            return next((r for r in rows if r[1] == "주문" and str(r[3]).startswith("수집 중: ")), [])

        row = wait_for(book_progress, 60, "progress of the collection in 상태.xlsx")
        assert "건 받음, 진행 " in row[3]
        wait_for(lambda: not book_progress(), 120, "the first collection done: the next collection time again")
    finally:
        assert watcher.stop() == 0
