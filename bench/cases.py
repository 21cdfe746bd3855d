"""The benchmark cases; each returns its figures (seconds and memory are added by run.py)."""

from __future__ import annotations

import time
from pathlib import Path

from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.pipeline.check import check_file, write_check_result
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from mallbatch.workspace import init_workspace


def _validate(workdir: Path, name: str, sheets: list) -> dict[str, object]:
    ws, _ = init_workspace(workdir / "ws")
    path = workdir / name
    t0 = time.perf_counter()
    write_filled(path, sheets)
    t1 = time.perf_counter()
    with Store(ws.store_path) as store:
        checked = check_file(ws, store, path)
        t2 = time.perf_counter()
        write_check_result(ws, checked, path)
    t3 = time.perf_counter()
    rows = checked.report.row_count
    return {"rows": rows, "errors": checked.report.error_count, "generate_s": round(t1 - t0, 2),
            "read_validate_s": round(t2 - t1, 2), "result_write_s": round(t3 - t2, 2),
            "rows_per_s": round(rows / (t3 - t1))}


def validate_products(workdir: Path) -> dict[str, object]:
    ws, _ = init_workspace(workdir / "ws")
    groups = sales_group_rows(ws.config)
    products = list(product_rows(10_000, sorted({g["group"] for g in groups})))
    return _validate(workdir, "products.xlsx", [(KINDS["products"], products), (KINDS["sales_groups"], groups)])


def validate_invoices(workdir: Path) -> dict[str, object]:
    couriers = ("CJ대한통운", "한진택배", "우체국택배")
    lengths = {"CJ대한통운": 12, "한진택배": 12, "우체국택배": 13}
    malls = ("쿠팡", "스마트스토어", "위메프")
    rows = []
    for n in range(100_000):
        courier = couriers[n % 3]
        rows.append({"mall": malls[n % 3], "account": "기본", "order_no": str(2026112100000000 + n),
                     "courier": courier, "tracking_no": str(600000000000 + n).ljust(lengths[courier], "0")})
    return _validate(workdir, "invoices.xlsx", [(KINDS["invoices"], rows)])
