"""``mallbatch products``: the 판매상품 workbook, one row per stored product × mall account, on the simulators."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from mallbatch.cli import cli
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.files import PRODUCTS
from mallbatch.kinds import KINDS
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from mallbatch.workspace import Workspace
from tests.watch_helpers import Watcher, configure

FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)


def test_products_workbook_shows_linked_failed_and_waiting_per_mall(sim_workspace, tmp_path: Path) -> None:
    ws, _servers = sim_workspace(("coupang", "smartstore"), rate_limit=200)
    groups = sales_group_rows(ws.config)
    rows = list(product_rows(2, sorted({g["group"] for g in groups})))
    # P00002 goes to 쿠팡 through a group whose category is a path, not the code 쿠팡 needs:
    # refused before anything is sent; 스마트스토어 takes it.
    coupang = next(g for g in groups if g["mall"] == "쿠팡")
    groups.append(coupang | {"group": "쿠팡 경로", "mall_category": "패션잡화>목걸이"})
    rows[1]["groups"] = ",".join(sorted({g["group"] for g in groups if g["mall"] != "쿠팡"} | {"쿠팡 경로"}))
    pushed = write_filled(tmp_path / "상품.xlsx", [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        push_file(ws, store, session, pushed)
        ids = {(b["mall"], b["code"]): b["product_id"] for code in ("P00001", "P00002")
               for b in store.journal.bindings_for(code)}
    runner = CliRunner()
    # Validated (so saved), never sent: W00001 with the groups, W00002 with none.
    waiting = list(product_rows(2, sorted({g["group"] for g in sales_group_rows(ws.config)}), prefix="W"))
    waiting[1]["groups"] = ""
    saved = write_filled(tmp_path / "저장만.xlsx", [(KINDS["products"], waiting)])
    assert runner.invoke(cli, ["--home", str(ws.home), "validate", str(saved)]).exit_code == 0

    result = runner.invoke(cli, ["--home", str(ws.home), "products"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip().rsplit(": ", 1)[1])
    assert path.parent == ws.outbox / path.parent.parent.name / "상품" and "판매상품" in result.output

    sheet = openpyxl.load_workbook(path)["판매상품"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    assert len(header) == len(set(header))
    table = {(r["자체상품코드"], r["쇼핑몰"]): r for r in
             (dict(zip(header, values)) for values in sheet.iter_rows(min_row=2, values_only=True))}
    assert sorted(table) == [("P00001", "스마트스토어"), ("P00001", "쿠팡"), ("P00002", "스마트스토어"), ("P00002", "쿠팡"),
                             ("W00001", "스마트스토어"), ("W00001", "쿠팡"), ("W00002", None)]
    for code, mall, mall_code in (("P00001", "쿠팡", "coupang"), ("P00001", "스마트스토어", "smartstore"),
                                  ("P00002", "스마트스토어", "smartstore")):
        row = table[(code, mall)]
        assert row["연동상태"] == "반영완료" and row["쇼핑몰상품번호"] == ids[(mall_code, code)] and row["최근연동일시"]
        assert row["계정"] == "기본" and row["상품상태"] == "판매가능" and row["판매가"] > 0 and row["판매종료일"]
    refused = table[("P00002", "쿠팡")]
    assert refused["연동상태"] == "실패" and "카테고리" in refused["사유"] and not refused["쇼핑몰상품번호"]
    for mall in ("쿠팡", "스마트스토어"):
        waiting = table[("W00001", mall)]
        assert waiting["연동상태"] == "연동대기" and not waiting["쇼핑몰상품번호"] and not waiting["최근연동일시"]
        assert waiting["재고"] is not None and waiting["판매그룹"]
    ungrouped = table[("W00002", None)]
    assert ungrouped["연동상태"] == "연동대기" and "판매그룹" in ungrouped["사유"]
    assert table[("P00001", "쿠팡")]["재고"] == int(rows[0]["stock"])


def test_watch_writes_the_products_workbook_once_a_day(sim_workspace, tmp_path: Path) -> None:
    ws, _servers = sim_workspace(("coupang",))
    ws = configure(ws)
    saved = write_filled(tmp_path / "저장만.xlsx", [(KINDS["products"], list(product_rows(1, [])))])
    assert CliRunner().invoke(cli, ["--home", str(ws.home), "validate", str(saved)]).exit_code == 0
    for _ in range(2):  # a restart the same day writes no second workbook
        watcher = Watcher(ws.home)
        watcher.wait_started()  # the daily check runs before the account check that logs "계정:"
        assert watcher.stop() == 0
    books = list(ws.outbox.glob(f"*/{PRODUCTS}/판매상품_*.xlsx"))
    assert len(books) == 1, watcher.output()
    rows = list(openpyxl.load_workbook(books[0])["판매상품"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and "연동대기" in rows[0]


@pytest.mark.parametrize("next_run", ["push", "watch"])
def test_a_lost_answer_shows_checking_until_the_next_run_reads_the_mall_back(sim_workspace, tmp_path: Path, next_run: str) -> None:
    """The mall applies an update but its answer is lost (drop_rate) and it cannot be asked at once (503 on
    every read): the 판매상품 row says 확인중; the next run (the file dropped again, or the service starting)
    reads the mall back, finds it applied and says 반영완료, without sending it again."""
    from tests.misbehaving import Misbehaving, Seen, answer
    from tests.pipeline_helpers import products_file

    ws, servers = sim_workspace(("wemakeprice",), rate_limit=200)
    sim = servers["wemakeprice"].simulator
    front = Misbehaving(sim_url := servers["wemakeprice"].url).start()
    config = ws.home / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(sim_url, front.url), encoding="utf-8")
    ws = Workspace.open(ws.home)

    def reads_fail_after_a_write(seen: Seen) -> object:
        wrote = any(s.method != "GET" for s in front.seen[:-1])
        return answer(503, b'{"message": "service unavailable"}') if wrote and seen.method == "GET" else None

    def state(code: str) -> str:
        result = CliRunner().invoke(cli, ["--home", str(ws.home), "products"])
        assert result.exit_code == 0, result.output
        sheet = openpyxl.load_workbook(Path(result.output.strip().rsplit(": ", 1)[1]))["판매상품"]
        header = [c.value for c in sheet[1]]
        (row,) = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == code]
        return row["연동상태"]

    try:
        with Store(ws.store_path) as store, Session(ws, FAST) as session:
            push_file(ws, store, session, products_file(ws, tmp_path / "상품.xlsx", 1))
            assert state("P00001") == "반영완료"
            changed = products_file(ws, tmp_path / "상품2.xlsx", 1, seed=8)
            front.seen.clear()
            front.fault = reads_fail_after_a_write
            sim.faults.update({"drop_rate": 1.0})
            lost = push_file(ws, store, session, changed)
            assert lost.counts.get("보류") == 1, lost.summary_ko()
            assert sim.store.audit_counts("product.update") == {"P00001": 1}  # applied; the answer was lost
        assert state("P00001") == "확인중"
        front.fault = None
        sim.faults.update({"drop_rate": 0.0})
        if next_run == "push":
            with Store(ws.store_path) as store, Session(ws, FAST) as session:
                again = push_file(ws, store, session, changed)  # read back, not resent
                assert again.counts.get("성공") == 1, again.summary_ko()
        else:
            watcher = Watcher(configure(ws).home)  # reconciles what was left unknown before anything else
            watcher.wait_started()
            assert watcher.stop() == 0, watcher.output()
        assert state("P00001") == "반영완료"
        assert sim.store.audit_counts("product.update") == {"P00001": 1}
    finally:
        front.stop()
