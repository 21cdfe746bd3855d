"""A mall answering something that is not its envelope shows in 상태 as a failed collection (issue 7 A1)."""

from __future__ import annotations

import os

import pytest

from mallbatch.store import Store
from mallbatch.watch.status import STATUS_TEXT
from tests.misbehaving import Misbehaving, html_page
from tests.watch_helpers import Watcher, configure, wait_for

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals of POSIX")


def test_an_html_answer_is_a_failed_collection_in_status_and_moves_no_watermark(sim_workspace) -> None:
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000}}, rate_limit=300)
    servers["coupang"].simulator.generate(3, 0, 0)
    front = Misbehaving(servers["coupang"].url).start()
    front.fault = lambda seen: html_page() if "ordersheets" in seen.path else None
    config = ws.home / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(servers["coupang"].url, front.url), encoding="utf-8")
    ws = configure(ws)
    watcher = Watcher(ws.home)
    try:
        watcher.wait_started()
        status = ws.outbox / STATUS_TEXT
        text = wait_for(lambda: status.exists() and "HTML" in (t := status.read_text(encoding="utf-8")) and t, 60,
                        "the failed collection in 상태")
        assert "쿠팡" in text and "주문" in text
        with Store(ws.store_path) as store:
            assert store.records.watermark("coupang", "기본", "orders") is None
        assert not list(ws.outbox.rglob("주문_*.xlsx"))  # no workbook written as if there were no orders
    finally:
        watcher.stop()
        front.stop()
