"""Building seller files for pipeline tests from what the simulators and the store hold."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mallbatch.domain.records import Inquiry, OrderLine
from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.malls import mall_name
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from mallbatch.workspace import Workspace


def products_file(ws: Workspace, path: Path, count: int, seed: int = 7, prefix: str = "P") -> Path:
    groups = sales_group_rows(ws.config)
    rows = list(product_rows(count, sorted({g["group"] for g in groups}), seed=seed, prefix=prefix))
    return write_filled(path, [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])


def open_lines(store: Store) -> list[OrderLine]:
    return [line for line, _, _ in store.records.all(OrderLine, "orders") if line.status.value in ("결제완료", "상품준비중")]


def tracking_for(ship_unit: str) -> str:
    """A valid, unique 12-digit CJ대한통운 number per ship unit."""
    return "6" + str(int(hashlib.sha256(ship_unit.encode()).hexdigest(), 16) % 10**11).zfill(11)


def invoices_file(path: Path, lines: list[OrderLine]) -> Path:
    rows = [{"mall": mall_name(l.mall), "account": l.account, "order_no": l.order_id, "ship_unit": l.ship_unit,
             "line_id": l.line_id, "courier": "CJ대한통운", "tracking_no": tracking_for(l.ship_unit)} for l in lines]
    return write_filled(path, [(KINDS["invoices"], rows)])


def answers_file(path: Path, inquiries: list[Inquiry], text: str = "문의 감사합니다. 오늘 출고되어 내일 도착 예정입니다.") -> Path:
    rows = [{"mall": mall_name(i.mall), "account": i.account, "inquiry_id": i.inquiry_id, "answer": text} for i in inquiries]
    return write_filled(path, [(KINDS["answers"], rows)])
