"""What a seller finds in outbox/: results and collections apart, one collected workbook per
change (a day of collections that bring little stays a handful of files), old days removed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mallbatch.domain.clock import now_kst
from mallbatch.files import COLLECTED, RESULTS, prune_dated
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from mallbatch.workspace import Workspace
from tests.test_push_pipeline import FAST


def outputs(ws: Workspace) -> list[Path]:
    return sorted(p for p in ws.outbox.rglob("*") if p.is_file() and "templates" not in p.parts and p.name != "상태.txt")


def test_a_day_of_collections_with_few_new_orders_keeps_the_outbox_small(sim_workspace) -> None:
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000}}, rate_limit=300)
    sim = servers["coupang"].simulator
    day = now_kst().date()
    brought_orders = {0, 5, 9}  # 12 collections (every two hours with a few 지금수집), new orders three times
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        for run in range(12):
            if run in brought_orders:
                sim.generate(1, 0, 0)
            result = collect(ws, store, session)
            assert not result.errors, result.errors
            assert set(result.workbooks) == {"orders", "claims", "inquiries"}  # the current workbook of each kind
            assert all(path.is_file() for path in result.workbooks.values())
            if now_kst().date() != day:
                pytest.skip("the day changed during the collections (a new dated folder starts anew)")
            assert ("orders" in result.unchanged) is (run not in brought_orders)
    files = outputs(ws)
    assert all(p.parent.name == COLLECTED for p in files), files
    names = [p.name.split("_")[0] for p in files]
    assert names.count("주문") == len(brought_orders)
    assert names.count("클레임") == 1 and names.count("문의") == 1
    assert len(files) == len(brought_orders) + 2  # not 36


def test_a_workbook_the_seller_deleted_is_written_again(sim_workspace) -> None:
    ws, _ = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000}}, rate_limit=300)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        first = collect(ws, store, session, kinds=("claims",)).workbooks["claims"]
        first.unlink()
        again = collect(ws, store, session, kinds=("claims",))
    assert "claims" not in again.unchanged and again.workbooks["claims"].is_file()


def test_old_dated_folders_are_removed_at_collection(sim_workspace) -> None:
    ws, _ = sim_workspace(("coupang",), faults={"coupang": {"rate_limit": 1000}}, rate_limit=300)
    today = now_kst()
    old = ws.outbox / f"{today - timedelta(days=31):%Y-%m-%d}"
    kept = ws.outbox / f"{today - timedelta(days=30):%Y-%m-%d}"
    for folder in (old, kept):
        (folder / RESULTS).mkdir(parents=True)
        (folder / RESULTS / "상품_처리결과_120000.xlsx").write_bytes(b"PK")
    mine = ws.outbox / "내 메모"  # not a dated folder: never touched
    mine.mkdir()
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collect(ws, store, session, kinds=("claims",))
    assert not old.exists() and kept.exists() and mine.exists() and ws.templates.is_dir()


def test_keep_days_zero_keeps_everything(tmp_path: Path) -> None:
    old = tmp_path / "2020-01-01"
    old.mkdir()
    assert prune_dated(tmp_path, 0, now_kst().date()) == [] and old.exists()
    assert prune_dated(tmp_path, 30, now_kst().date()) == [old] and not old.exists()
