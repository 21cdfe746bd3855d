"""The benchmark cases; each returns its figures (seconds and memory are added by run.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

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


def _sim_workspace(workdir: Path, mall: str, faults: dict[str, object], rate_limit: float | None):
    """A workspace with one account pointing at a simulator served from this process."""
    from mallbatch.sandbox.registry import build_simulator, sandbox_credentials
    from mallbatch.sandbox.server import SandboxServer
    from mallbatch.workspace import Workspace

    ws, _ = init_workspace(workdir / "ws")
    server = SandboxServer(build_simulator(mall, ws.sandbox_path, faults)).start()
    lines = ['[workspace]\nstate = "state"\n', f'[[accounts]]\nmall = "{mall}"\nname = "기본"\nsandbox = true\nbase_url = "{server.url}"']
    lines += [f'{k} = "{v}"' for k, v in sandbox_credentials(mall).items()]
    if rate_limit:
        lines.append(f"rate_limit = {rate_limit}")
    (ws.home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Workspace.open(ws.home), server


def push_coupang(workdir: Path) -> dict[str, object]:
    """2,000 products to the 쿠팡 simulator limited to 10 req/s with 50 ms latency."""
    from mallbatch.pipeline.push import push_file
    from mallbatch.pipeline.session import Session

    ws, server = _sim_workspace(workdir, "coupang", {"rate_limit": 10, "latency_ms": 50}, None)
    groups = sales_group_rows(ws.config)
    path = workdir / "products.xlsx"
    write_filled(path, [(KINDS["products"], list(product_rows(2000, [groups[0]["group"]]))), (KINDS["sales_groups"], groups)])
    rejected_first_second: list[int] = []
    with Store(ws.store_path) as store, Session(ws) as session:
        started = [0.0]

        def progress(done: int, total: int) -> None:
            if not started[0]:
                started[0] = time.perf_counter()
            elif not rejected_first_second and time.perf_counter() - started[0] > 1:
                rejected_first_second.append(server.rejected_429)

        t0 = time.perf_counter()
        result = push_file(ws, store, session, path, progress)
        elapsed = time.perf_counter() - t0
    sent = server.requests
    server.stop()
    rate = sent / elapsed
    return {"products_ok": result.counts.get("성공", 0), "requests": sent, "requests_per_s": round(rate, 2),
            "fraction_of_limit": round(rate / 10, 3), "http_429_total": server.rejected_429,
            "http_429_after_first_second": server.rejected_429 - (rejected_first_second[0] if rejected_first_second else 0)}


def _serve(mall: str, state: str, faults: dict[str, object], orders: int, port: Any, stop: Any) -> None:
    """Child process: generate ``orders`` and serve the simulator until told to stop."""
    from mallbatch.sandbox.registry import build_simulator
    from mallbatch.sandbox.server import SandboxServer

    simulator = build_simulator(mall, state, faults)
    for _ in range(orders // 1000):
        simulator.generate(1000, 0, 0)
    server = SandboxServer(simulator).start()
    port.put(server.port)
    stop.wait()
    server.stop()


def collect_orders(workdir: Path) -> dict[str, object]:
    """50,000 스마트스토어 orders collected into one workbook.

    The simulator runs in its own process so peak memory is mallbatch's alone; its rate
    limit is lifted, so this measures mallbatch, not Naver's (unpublished) limits.
    """
    import multiprocessing

    from mallbatch.pipeline.collect import collect
    from mallbatch.pipeline.session import Session
    from mallbatch.sandbox.registry import sandbox_credentials
    from mallbatch.workspace import Workspace

    ws, _ = init_workspace(workdir / "ws")
    spawn = multiprocessing.get_context("spawn")
    port, stop = spawn.Queue(), spawn.Event()
    t0 = time.perf_counter()
    child = spawn.Process(target=_serve, args=("smartstore", str(ws.sandbox_path), {"rate_limit": 1000}, 50_000, port, stop))
    child.start()
    url = f"http://127.0.0.1:{port.get(timeout=900)}"
    generated = time.perf_counter() - t0
    lines = ['[workspace]\nstate = "state"\n', f'[[accounts]]\nmall = "smartstore"\nname = "기본"\nsandbox = true\nbase_url = "{url}"']
    lines += [f'{k} = "{v}"' for k, v in sandbox_credentials("smartstore").items()] + ["rate_limit = 1000"]
    (ws.home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ws = Workspace.open(ws.home)
    try:
        with Store(ws.store_path) as store, Session(ws) as session:
            t1 = time.perf_counter()
            result = collect(ws, store, session, kinds=("orders",))
            elapsed = time.perf_counter() - t1
            orders = store.records.count("orders")
    finally:
        stop.set()
        child.join()
    return {"order_lines": orders, "simulator_generate_s": round(generated, 1), "collect_and_write_s": round(elapsed, 2),
            "workbook_mib": round(result.workbooks["orders"].stat().st_size / 2**20, 1)}
