"""상품상태 판매불가 stops the sale on every mall, on each simulator's own state; 판매가능 resumes it.

Each mall stops a sale its own way: 쿠팡 per vendor item (sales stop), 스마트스토어 with
statusType SUSPENSION, 위메프 with setProductStatus S. The result row says what happened.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from test_push_pipeline import FAST, messages, statuses

MALLS = ("coupang", "smartstore", "wemakeprice")


def product_file(ws, path: Path, status: str) -> Path:
    groups = sales_group_rows(ws.config)
    rows = [dict(r, status=status) for r in product_rows(2, sorted({g["group"] for g in groups}))]
    return write_filled(path, [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])


@pytest.mark.parametrize("mall", MALLS)
def test_not_for_sale_stops_the_sale_and_for_sale_resumes_it(sim_workspace, tmp_path: Path, mall: str) -> None:
    ws, servers = sim_workspace((mall,), rate_limit=200)
    sim = servers[mall].simulator
    codes = [r["code"] for r in product_rows(2, ["x"])]
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        on = push_file(ws, store, session, product_file(ws, tmp_path / "판매.xlsx", "판매가능"))
        assert statuses(on.result_path, "상품") == ["성공", "성공"]
        assert sim.state()["off_sale"] == []

        off = push_file(ws, store, session, product_file(ws, tmp_path / "중지.xlsx", "판매불가"))
        assert statuses(off.result_path, "상품") == ["성공", "성공"]
        assert all("판매중지" in m for m in messages(off.result_path, "상품")), messages(off.result_path, "상품")
        assert sorted(sim.state()["off_sale"]) == sorted(codes)

        again = push_file(ws, store, session, product_file(ws, tmp_path / "재개.xlsx", "판매가능"))
        assert statuses(again.result_path, "상품") == ["성공", "성공"]
        assert sim.state()["off_sale"] == []


@pytest.mark.parametrize("mall", MALLS)
def test_registered_as_not_for_sale_is_never_on_sale(sim_workspace, tmp_path: Path, mall: str) -> None:
    ws, servers = sim_workspace((mall,), rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        result = push_file(ws, store, session, product_file(ws, tmp_path / "중지.xlsx", "판매불가"))
    assert statuses(result.result_path, "상품") == ["성공", "성공"]
    assert all("판매중지" in m for m in messages(result.result_path, "상품"))
    assert len(servers[mall].simulator.state()["off_sale"]) == 2


def test_a_stop_that_cannot_be_confirmed_is_never_success(sim_workspace, tmp_path: Path) -> None:
    """The create's answer is lost, so the sale stop after it never ran: the read-back finds the product
    on sale and the row says so (실패), until a re-drop stops it."""
    ws, servers = sim_workspace(("wemakeprice",), rate_limit=200)
    sim = servers["wemakeprice"].simulator
    sim.faults.update({"drop_rate": 1.0})
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        lost = push_file(ws, store, session, product_file(ws, tmp_path / "중지.xlsx", "판매불가"))
        assert statuses(lost.result_path, "상품") == ["실패", "실패"]
        assert all("판매중지를 확인하지 못했습니다" in m for m in messages(lost.result_path, "상품"))
        assert sim.state()["off_sale"] == []  # honest: it is on sale
        sim.faults.update({"drop_rate": 0.0})
        again = push_file(ws, store, session, product_file(ws, tmp_path / "중지2.xlsx", "판매불가"))
    assert statuses(again.result_path, "상품") == ["성공", "성공"]
    assert len(sim.state()["off_sale"]) == 2
    assert set(sim.store.audit_counts("product.create").values()) == {1}


def test_an_update_settled_by_read_back_keeps_the_bindings_mall_ids(sim_workspace, tmp_path: Path) -> None:
    """The update's answer is lost and the read-back finds it applied: the binding keeps what the create
    recorded (스마트스토어's channel product number, the sale state) instead of being emptied."""
    ws, servers = sim_workspace(("smartstore",), rate_limit=200)
    sim = servers["smartstore"].simulator
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        push_file(ws, store, session, product_file(ws, tmp_path / "판매.xlsx", "판매가능"))
        code = next(iter(product_rows(1, ["x"])))["code"]
        account = next(iter(ws.config.accounts_for("smartstore"))).name
        before = store.journal.binding("smartstore", account, code)
        assert before is not None and before["extra"].get("channel_product_no"), before
        groups = sales_group_rows(ws.config)
        rows = [dict(r, status="판매가능", name=f"{r['name']} 새이름"[:20]) for r in product_rows(2, sorted({g["group"] for g in groups}))]
        changed = write_filled(tmp_path / "수정.xlsx", [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])
        sim.faults.update({"drop_rate": 1.0})
        result = push_file(ws, store, session, changed)
        sim.faults.update({"drop_rate": 0.0})
        assert statuses(result.result_path, "상품") == ["성공", "성공"], messages(result.result_path, "상품")
        after = store.journal.binding("smartstore", account, code)
    assert after is not None and after["product_id"] == before["product_id"]
    assert after["extra"] == before["extra"], (before["extra"], after["extra"])
