"""The benchmark cases; each returns its figures (seconds and memory are added by run.py)."""

from __future__ import annotations

import subprocess
import sys
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


def busiest_second(times: list[float]) -> int:
    """The most requests that arrived within any one-second window."""
    best, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def push_coupang(workdir: Path) -> dict[str, object]:
    """2,000 products to the 쿠팡 simulator limited to 10 req/s with 50 ms latency.

    Every figure comes from the simulator's own arrival times, so "429s after the first
    second" and the busiest one-second window are what 쿠팡 would have seen.
    """
    from mallbatch.pipeline.push import push_file
    from mallbatch.pipeline.session import Session

    ws, server = _sim_workspace(workdir, "coupang", {"rate_limit": 10, "latency_ms": 50}, None)
    groups = sales_group_rows(ws.config)
    path = workdir / "products.xlsx"
    write_filled(path, [(KINDS["products"], list(product_rows(2000, [groups[0]["group"]]))), (KINDS["sales_groups"], groups)])
    arrivals: list[tuple[float, int]] = []
    handle = server.handle

    def recorded(request: Any) -> Any:
        moment = time.perf_counter()
        response = handle(request)
        if not request.path.startswith("/_sandbox/"):
            arrivals.append((moment, response.status))
        return response

    server.handle = recorded  # type: ignore[method-assign]
    with Store(ws.store_path) as store, Session(ws) as session:
        result = push_file(ws, store, session, path, None)
    server.stop()
    arrivals.sort()
    times = [t for t, _ in arrivals]
    span = times[-1] - times[0] if len(times) > 1 else 1.0
    rejected = [t for t, status in arrivals if status == 429]
    return {"products_ok": result.counts.get("성공", 0), "requests": len(times), "requests_per_s": round((len(times) - 1) / span, 2),
            "fraction_of_limit": round((len(times) - 1) / span / 10, 3), "max_in_any_second": busiest_second(times),
            "http_429_total": len(rejected), "http_429_after_first_second": sum(1 for t in rejected if t > times[0] + 1.0)}


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


def _fill_sales(store: Store, lines: int, claims: int, accounts: int) -> None:
    """``lines`` delivered order lines over a year (3 malls, 2,000 products × 5 options, 17 regions) and ``claims``
    completed cancels and returns, spread over ``accounts`` accounts; upserted in chunks, as a collection does."""
    from datetime import datetime, timedelta

    from mallbatch.domain.clock import KST
    from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, OrderLine, OrderStatus
    from mallbatch.domain.regions import REGIONS

    malls, start = ("coupang", "smartstore", "wemakeprice"), datetime(2026, 1, 1, 9, tzinfo=KST)
    store.save_products([{"code": f"C{p:04}", "name": f"상품 {p}", "category": f"대분류{p % 12}>중분류{p % 5}"} for p in range(2000)])
    for chunk in range(0, lines, 5000):
        store.records.upsert([OrderLine(
            malls[i % 3], _account(i, accounts), f"L{i}", f"O{i // 2}", f"U{i}", OrderStatus.DELIVERED, "배송완료",
            start + timedelta(minutes=5 * i), None, "구매자", "010-0000-0000", "수령인", "010-0000-0000", "", "06236",
            f"{REGIONS[i % 17][0]} 어딘가로 1", "", "", f"P{i % 2000}", f"C{i % 2000:04}", f"상품 {i % 2000}", f"옵션{i % 5}",
            1 + i % 3, 10_000 * (1 + i % 3), 10_000 * (1 + i % 3), 3000)
            for i in range(chunk, min(lines, chunk + 5000))], "bench")
    stride = lines // (2 * claims)
    store.records.upsert([Claim(malls[i % 3], _account(i * stride, accounts), f"C{i}", ClaimKind.CANCEL if i % 2 else ClaimKind.RETURN,
                                ClaimStatus.DONE, "완료", f"O{i * stride // 2}", [f"L{i * stride}"], "", None, "", 1, "", "", "", "")
                          for i in range(0, 2 * claims, 2)], "bench")


def _account(i: int, accounts: int) -> str:
    return "기본" if accounts == 1 else f"계정{i % accounts:02}"


def stats_orders(workdir: Path) -> dict[str, object]:
    """매출통계 over 100,000 stored order lines with 5,000 completed cancels and returns (the store is filled first, not timed)."""
    from mallbatch.pipeline.stats_book import write_sales_stats

    ws, _ = init_workspace(workdir / "ws")
    with Store(ws.store_path) as store:
        _fill_sales(store, 100_000, 5000, 1)
        t0 = time.perf_counter()
        path, stats = write_sales_stats(ws, store)
        elapsed = time.perf_counter() - t0
    return {"order_lines": 100_000, "claims": 5000, "stats_and_workbook_s": round(elapsed, 2), "net_sales": stats.total.net,
            "workbook_kib": round(path.stat().st_size / 1024)}


STATE_SAVE = """
import sys
from pathlib import Path
from mallbatch.domain.clock import now_kst
from mallbatch.store import Store
from mallbatch.watch.overview import store_facts
from mallbatch.watch.status import Board
from mallbatch.workspace import Workspace

import time
ws = Workspace.open(Path(sys.argv[1]))
board = Board(started_at="bench", stopped_at="bench", inbox=ws.inbox, outbox=ws.outbox)  # then status reads the store
t0 = time.perf_counter()
with Store(ws.store_path) as store:
    board.set_facts(store_facts(store, {(a.mall, a.name): a.label for a in ws.config.accounts}, now_kst()))
t1 = time.perf_counter()
board.save(ws)
print(round(t1 - t0, 2), round(time.perf_counter() - t1, 2))
"""


def _measured(argv: list[str]) -> tuple[float, float, str]:
    """Seconds, peak MiB (the child's own ru_maxrss) and stdout of one child process."""
    import os

    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(out)
    return round(time.perf_counter() - started, 2), round(usage.ru_maxrss / 1024, 1), out


def state_big(workdir: Path) -> dict[str, object]:
    """상태 on a big store: 100,000 order lines, 10,000 claims, 5,000 inquiries, 5,000 tickets, 50 accounts.

    Children, each measured alone: what the watcher does after each file and collection (read the store's
    facts, write 상태.xlsx / 상태.txt; also timed inside), and ``mallbatch status`` with no service running
    (it reads the store itself), beside ``mallbatch status`` on an empty workspace (what starting Python and
    importing mallbatch cost). Filling the store is not timed.
    """
    from datetime import timedelta

    from mallbatch.domain.clock import now_kst
    from mallbatch.domain.records import Inquiry, TicketState
    from mallbatch.sandbox.registry import sandbox_credentials

    sys.path.insert(0, str(Path(__file__).parent.parent))
    from tests.ticket_helpers import ticket

    empty, _ = init_workspace(workdir / "empty")
    empty_s, empty_mib, _ = _measured([sys.executable, "-m", "mallbatch", "--home", str(empty.home), "status"])
    ws, _ = init_workspace(workdir / "ws")
    malls = ("coupang", "smartstore", "wemakeprice")
    lines = ['[workspace]\nstate = "state"\n']
    for n in range(50):
        mall = malls[n % 3]
        lines += [f'[[accounts]]\nmall = "{mall}"\nname = "{_account(n, 50)}"\nsandbox = true\nbase_url = "http://127.0.0.1:9"',
                  *(f'{k} = "{v}"' for k, v in sandbox_credentials(mall).items()), ""]
    (ws.home / "config.toml").write_text("\n".join(lines), encoding="utf-8")
    now = now_kst()
    with Store(ws.store_path) as store:
        _fill_sales(store, 100_000, 10_000, 50)
        store.records.upsert([Inquiry(malls[i % 3], _account(i, 50), f"Q{i}", "상품문의", "배송", "언제 와요?", "P1", "상품", "",
                                      now - timedelta(hours=i % 720), "ab***", i % 2 == 0, "곧 갑니다" if i % 2 == 0 else "",
                                      now - timedelta(hours=i % 720) + timedelta(hours=i % 60) if i % 2 == 0 else None)
                              for i in range(5000)], "bench")
        states = (TicketState.AWAITING_MERCHANT, TicketState.AWAITING_USER, TicketState.CLOSED)
        store.records.upsert([ticket(f"T{i}", states[i % 3], opened=now - timedelta(hours=i % 720),
                                     first_reply_hours=(i % 70) if i % 3 else None) for i in range(5000)], "bench")
        for n in range(50):
            for kind in ("orders", "claims", "inquiries"):
                store.records.set_watermark(malls[n % 3], _account(n, 50), kind, now)
    save_s, save_mib, out = _measured([sys.executable, "-c", STATE_SAVE, str(ws.home)])
    facts_s, book_s = out.split()
    status_s, status_mib, out = _measured([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "status"])
    return {"order_lines": 100_000, "claims": 10_000, "inquiries": 5000, "tickets": 5000, "accounts": 50,
            "store_facts_s": float(facts_s), "write_book_and_text_s": float(book_s),
            "watcher_child_s": save_s, "watcher_child_peak_mib": save_mib,
            "status_s": status_s, "status_peak_mib": status_mib, "status_empty_workspace_s": empty_s,
            "status_empty_workspace_peak_mib": empty_mib, "status_lines": len(out.splitlines()),
            "book_kib": round((ws.outbox / "상태.xlsx").stat().st_size / 1024)}


def _push_300(workdir: Path, shown: bool) -> dict[str, object]:
    """300 products to an unthrottled 쿠팡 simulator: the worst case for what progress costs the push."""
    from mallbatch.pipeline.progress import Meter
    from mallbatch.pipeline.push import push_file
    from mallbatch.pipeline.session import Session
    from mallbatch.watch.status import Board

    ws, server = _sim_workspace(workdir, "coupang", {"rate_limit": 100000}, 100000)
    groups = sales_group_rows(ws.config)
    path = workdir / "products.xlsx"
    write_filled(path, [(KINDS["products"], list(product_rows(300, [groups[0]["group"]]))), (KINDS["sales_groups"], groups)])
    board, updates = Board(started_at="bench", inbox=ws.inbox, outbox=ws.outbox), []

    def show(text: str, done: int, total: int) -> None:  # what the watcher does: 상태.txt, 상태.xlsx, the snapshot
        board.processing, board.progress = path.name, {"name": path.name, "done": done, "total": total, "text": text}
        board.save(ws)
        updates.append(text)

    started = time.perf_counter()
    with Store(ws.store_path) as store, Session(ws) as session:
        result = push_file(ws, store, session, path, Meter(show).advance if shown else None)
    seconds = time.perf_counter() - started
    server.stop()
    return {"products_ok": result.counts.get("성공", 0), "push_seconds": round(seconds, 2), "progress_updates": len(updates)}


def push_300(workdir: Path) -> dict[str, object]:
    return _push_300(workdir, shown=False)


def push_300_shown(workdir: Path) -> dict[str, object]:
    return _push_300(workdir, shown=True)
