"""A file mall's order download moves the seller's stock like a collected order: a 현대Hmall sale takes the
quantity off mallbatch's count and the new level goes to every API mall the product is on, a completed
cancel in its claim download gives it back, and the same download dropped again counts nothing twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from mallbatch.domain.clock import now_kst
from mallbatch.store import Store
from mallbatch.workspace import Workspace
from tests.contract.harness import HARNESSES
from tests.filemall_helpers import ORDER, download, push, result_rows
from tests.pipeline_helpers import products_file

COUPANG = next(h for h in HARNESSES if h.mall == "coupang")


def with_hmall(ws: Workspace) -> Workspace:
    """The simulator workspace with a 현대Hmall account (a file mall: no API) beside its 쿠팡 one."""
    config = ws.home / "config.toml"
    config.write_text(config.read_text("utf-8") + '\n[[accounts]]\nmall = "hmall"\nname = "기본"\n', encoding="utf-8")
    return Workspace.open(ws.home)


def on_coupang(ws: Workspace, server: Any, code: str) -> int:
    with Store(ws.store_path) as store:
        binding = store.journal.binding("coupang", "기본", code)
    assert binding is not None
    return int(COUPANG.stock_in(server, binding["product_id"], ()))


def test_a_file_mall_sale_and_its_cancel_move_the_stock_on_every_api_mall_once(sim_workspace: Any, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    ws = with_hmall(ws)
    assert push(ws, products_file(ws, tmp_path / "상품.xlsx", 4)).counts.get("성공")
    with Store(ws.store_path) as store:
        plain = next(code for code in store.product_codes() if [l.option for l in store.stock.levels(code)] == [""])
        (before,) = store.stock.levels(plain)
        store.stock.set(plain, "", before.on_hand, counted_at=now_kst() - timedelta(minutes=5))  # counted before the sale
    paid = f"{now_kst():%Y-%m-%d %H:%M:%S}"
    sale = {**ORDER, "seller_code": plain, "option_name": "", "quantity": "3", "ordered_at": paid, "paid_at": paid}

    result = push(ws, download(ws.inbox / "Hmall_주문.xlsx", "hmall", "order_download", [sale], ws.home))
    (row,) = result_rows(result)
    assert row["결과"] == "저장" and f"{plain} {before.available}→{before.available - 3}" in row["메시지"], row
    with Store(ws.store_path) as store:
        assert store.stock.level(plain, "").on_hand == before.on_hand - 3  # type: ignore[union-attr]
    assert on_coupang(ws, servers["coupang"], plain) == before.available - 3

    again = push(ws, download(ws.inbox / "Hmall_주문_다시.xlsx", "hmall", "order_download", [sale], ws.home))
    assert [r["결과"] for r in result_rows(again)] == ["저장"]
    with Store(ws.store_path) as store:
        assert store.stock.level(plain, "").on_hand == before.on_hand - 3  # type: ignore[union-attr]

    cancel = {"claim_id": "C7001", "kind": "취소", "status": "완료", "order_id": ORDER["order_id"], "line_seq": "1",
              "requested_at": "2026-11-21 12:00:00", "reason": "단순변심", "quantity": "3", "product_name": ORDER["product_name"]}
    back = push(ws, download(ws.inbox / "Hmall_클레임.xlsx", "hmall", "claim_download", [cancel], ws.home))
    (row,) = result_rows(back)
    assert row["결과"] == "저장" and f"{plain} {before.available - 3}→{before.available}" in row["메시지"], row
    with Store(ws.store_path) as store:
        assert store.stock.level(plain, "").on_hand == before.on_hand  # type: ignore[union-attr]
    assert on_coupang(ws, servers["coupang"], plain) == before.available
