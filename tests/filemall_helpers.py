"""Workspaces with file-mall accounts, and workbooks in a file mall's own download layout (as its seller office
would give them), for the file connector tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from mallbatch.connectors.filemall.layouts import layout
from mallbatch.kinds import KINDS
from mallbatch.pipeline.push import PushResult, push_file
from mallbatch.pipeline.session import Session
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from mallbatch.workspace import Workspace, init_workspace

ORDER = {"order_id": "20261121000123", "line_id": "20261121000123-01", "line_seq": "1", "status": "주문접수",
         "ordered_at": "2026-11-21 10:00:00", "paid_at": "2026-11-21 10:01:00", "buyer_name": "홍길동",
         "buyer_phone": "010-1234-5678", "receiver_name": "김수령", "receiver_phone": "010-2222-3333", "zip": "07997",
         "address": "서울특별시 양천구 목동동로 100", "address_detail": "4층", "memo": "문 앞", "product_id": "H-778",
         "seller_code": "NK1001", "product_name": "실버 목걸이 세트", "option_name": "골드", "quantity": "1",
         "unit_price": "25000", "amount": "25000", "shipping_fee": "0"}


def file_workspace(tmp_path: Path, malls: tuple[str, ...] = ("hmall",), accounts: tuple[str, ...] = ("기본",)) -> Workspace:
    home = tmp_path / "ws"
    init_workspace(home)
    lines = [f'[[accounts]]\nmall = "{mall}"\nname = "{name}"\n' for mall in malls for name in accounts]
    (home / "config.toml").write_text("\n".join(lines), encoding="utf-8")
    return Workspace.open(home)


def download(path: Path, mall: str, section: str, rows: list[dict[str, Any]], home: Path | None = None,
             sheet: str = "조회결과", guide: bool = True) -> Path:
    """A mall's download: a title row first (mall downloads start with one), then its headers and rows."""
    part = layout(mall, home).part(section)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if guide:
        ws.append([f"{mall} 다운로드 {len(rows)}건"])
    ws.append([h for h, _ in part.columns])
    for row in rows:
        ws.append([row.get(field, "") for _, field in part.columns])
    wb.save(path)
    return path


def push(ws: Workspace, path: Path) -> PushResult:
    with Store(ws.store_path) as store, Session(ws) as session:
        return push_file(ws, store, session, path)


def result_rows(result: PushResult, sheet: str | None = None) -> list[dict[str, Any]]:
    """The result workbook's rows (결과, 메시지 and the seller's columns) of ``sheet`` (else its first data sheet)."""
    wb = openpyxl.load_workbook(result.result_path)
    ws = wb[sheet] if sheet else next(s for s in wb if s.title not in ("요약", "_mallbatch"))
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v not in (None, "") for v in r)]


def sheet_rows(path: Path) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def uploads(ws: Workspace, mall_name: str) -> list[Path]:
    folder = ws.outbox / mall_name
    return sorted(folder.glob("*.xlsx")) if folder.is_dir() else []


def latest(ws: Workspace, pattern: str) -> Path:
    return max(ws.outbox.rglob(pattern), key=lambda p: (p.stat().st_mtime_ns, p.name))


def fill_orders(path: Path, target: Path, numbers: dict[str, tuple[str, str]]) -> Path:
    """The 주문 workbook as the seller saves it: 택배사 and 송장번호 filled on the rows of these 주문번호."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        order = row[heads.index("주문번호")].value
        if order in numbers:
            row[heads.index("택배사")].value, row[heads.index("송장번호")].value = numbers[order]
    wb.save(target)
    return target


def products_file(path: Path, groups: list[dict[str, str]], products: list[dict[str, str]]) -> Path:
    return write_filled(path, [(KINDS["products"], products), (KINDS["sales_groups"], groups)])


def group(mall: str, name: str, **values: str) -> dict[str, str]:
    base = dict(KINDS["sales_groups"].example_rows[0], mall=mall, group=name, mall_category="1001")
    return {**base, **values}


def product(groups: str, **values: str) -> dict[str, str]:
    return {**KINDS["products"].example_rows[0], "groups": groups, **values}
