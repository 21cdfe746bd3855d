"""``mallbatch demo``, the README's scripted tour, run through the real CLI on three malls' simulators.

The tour on every mall takes minutes (ESM's one order list per 5 seconds); three malls keep the same
code path — push, seed, collect, fill, push back, collect again — in seconds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from mallbatch.cli import cli
from mallbatch.kinds.collected import ORDERS
from mallbatch.sandbox.store import SimStore


def test_the_demo_registers_collects_and_sends_invoices_and_answers_back(sim_workspace: Any) -> None:
    ws, servers = sim_workspace(rate_limit=100)
    result = CliRunner().invoke(cli, ["demo", str(ws.home)])
    assert result.exit_code == 0, result.output
    printed = result.output
    assert "끝났습니다" in printed
    assert re.search(r"예시_상품\.xlsx: 성공 5, 실패 0, 보류 0", printed), printed  # a row per product, on all three malls
    invoices, answers = map(int, re.search(r"송장 (\d+)건, 답변 (\d+)건을 채웠습니다", printed).groups())  # type: ignore[union-attr]
    assert invoices > 0 and answers > 0
    for name, sent in (("송장_입력.xlsx", invoices), ("답변_입력.xlsx", answers)):
        line = next(line for line in printed.splitlines() if line.strip().startswith(f"{name}:"))
        assert "실패 0" in line and "오류 0" in line, line
        assert int(re.search(r"성공 (\d+)", line).group(1)) >= sent, line  # type: ignore[union-attr]

    for mall in servers:
        assert SimStore(ws.sandbox_path, mall).count("product") == 5, mall
    archived = sorted(p.name for p in ws.archive.rglob("*.xlsx"))
    assert archived == sorted(["예시_상품.xlsx", "송장_입력.xlsx", "답변_입력.xlsx"])
    assert not list(ws.inbox.glob("*.xlsx"))

    # The second collection's orders workbook lists what is still open: every invoiced order has shipped.
    orders = Path(re.search(r"orders: (.+\.xlsx)", printed).group(1).strip())  # type: ignore[union-attr]
    sheet = openpyxl.load_workbook(orders, read_only=True)[ORDERS.title]
    rows = sheet.iter_rows(values_only=True)
    status = list(next(rows)).index(ORDERS.column("status").header)
    left = [row[status] for row in rows]
    assert "결제완료" not in left and "상품준비중" not in left, left

def test_the_demo_refuses_a_workspace_already_in_use(sim_workspace: Any) -> None:
    ws, _ = sim_workspace()
    used = ws.archive / "2026-12-01" / "주문.xlsx"
    used.parent.mkdir(parents=True)
    used.write_bytes(b"")
    result = CliRunner().invoke(cli, ["demo", str(ws.home)])
    assert result.exit_code != 0 and "이미 쓰던 작업 폴더" in result.output
    assert used.exists()
