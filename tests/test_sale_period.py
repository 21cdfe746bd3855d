"""판매기간: products whose group's 판매종료일 comes within 7 days (or has passed) are listed ahead of time in
상태 and in the 판매상품 workbook; re-sending the 판매정보 group with a later end extends them on the mall."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from test_group_push import plain_rows, sale_end_on, sim_product
from test_push_pipeline import FAST, statuses

from mallbatch.cli import cli
from mallbatch.domain.clock import now_kst
from mallbatch.examples import sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.sale_period import HEADING, ending_sales
from mallbatch.pipeline.session import Session
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from tests.watch_helpers import Watcher, configure

MALLS = ("coupang", "smartstore", "wemakeprice")


def workbook_rows(ws) -> dict[tuple[str, str], dict[str, object]]:
    result = CliRunner().invoke(cli, ["--home", str(ws.home), "products"])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(Path(result.output.strip().rsplit(": ", 1)[1]))["판매상품"]
    header = [c.value for c in sheet[1]]
    return {(r["자체상품코드"], r["쇼핑몰"]): r for r in
            (dict(zip(header, values)) for values in sheet.iter_rows(min_row=2, values_only=True))}


def test_sale_periods_ending_within_a_week_are_listed_and_a_resent_group_extends_them(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(MALLS, rate_limit=200)
    today = now_kst().date()  # the seller's day, as 상태 counts it
    soon, far = (today + timedelta(days=3)).isoformat(), (today + timedelta(days=300)).isoformat()
    groups = [g | {"sale_end": far if g["mall"] == "위메프" else soon} for g in sales_group_rows(ws.config)]
    rows = plain_rows(2, sorted(g["group"] for g in groups))
    codes = [r["code"] for r in rows]
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        first = push_file(ws, store, session, write_filled(tmp_path / "상품.xlsx", [(KINDS["products"], rows), (KINDS["sales_groups"], groups)]))
        assert statuses(first.result_path, "상품") == ["성공", "성공"]
        ids = {(b["mall"], b["code"]): b["product_id"] for c in codes for b in store.journal.bindings_for(c)}
        labels = {(a.mall, a.name): a.label for a in ws.config.accounts}
        # a week on, the same listings have ended: still listed, as ended
        later = ending_sales(store, labels, today + timedelta(days=5))
        assert [(e.label, e.codes) for e in later] == [("스마트스토어/기본", codes), ("쿠팡/기본", codes)]
        assert all("이미 종료됨" in e.line_ko(today + timedelta(days=5)) for e in later)

    status = CliRunner().invoke(cli, ["--home", str(ws.home), "status"])
    assert status.exit_code == 0, status.output
    assert f"{HEADING}:" in status.output
    listed = [line.strip() for line in status.output.splitlines() if "판매정보 '" in line]
    assert sorted(line.split(" ")[0] for line in listed) == ["스마트스토어/기본", "쿠팡/기본"], status.output
    assert all(f"판매종료일 {soon} (3일 남음), 상품 2개: {', '.join(codes)}" in line for line in listed), listed

    watcher = Watcher(configure(ws).home)  # the service's 상태.txt lists them too
    watcher.wait_started()
    assert watcher.stop() == 0
    text = (ws.outbox / "상태.txt").read_text(encoding="utf-8-sig")
    assert f"[{HEADING}]" in text and f"쿠팡/기본 판매정보 '쿠팡 기본': 판매종료일 {soon}" in text, text

    table = workbook_rows(ws)
    for code in codes:
        assert table[(code, "쿠팡")]["판매기간알림"] == "판매 종료 3일 전"
        assert table[(code, "스마트스토어")]["판매기간알림"] == "판매 종료 3일 전"
        assert not table[(code, "위메프")]["판매기간알림"]

    # the seller re-sends the 판매정보 groups with a later 판매종료일: the mall's sale end moves
    extended = write_filled(tmp_path / "연장.xlsx", [(KINDS["sales_groups"], [g | {"sale_end": far} for g in groups])])
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        result = push_file(ws, store, session, extended)
        assert statuses(result.result_path, "판매정보") == ["성공", "성공", "건너뜀"]  # 위메프's group did not change
        assert ending_sales(store, labels, today) == []
    for mall in ("coupang", "smartstore"):
        for code in codes:
            assert sale_end_on(mall, sim_product(servers[mall], ids[(mall, code)])) == far, mall
    status = CliRunner().invoke(cli, ["--home", str(ws.home), "status"])
    assert HEADING not in status.output
    assert not any(row["판매기간알림"] for row in workbook_rows(ws).values())
