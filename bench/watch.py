"""Benchmark of ``mallbatch watch``: drop-to-result latency and idle cost.

    python bench/watch.py                 # 20 drops of 100-row invoice files, then 60 s idle with polling
    python bench/watch.py --drops 5 --idle 10

The 쿠팡 simulator runs in this process with 50 ms latency per request; the watcher is
the real CLI in a child process with the default ``[watch]`` timings. Latency is from
the rename that drops a file into inbox/ to its result workbook appearing in outbox/.
Idle CPU and memory are read from /proc (Linux) while the watcher polls an empty inbox.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mallbatch.domain.records import OrderLine
from mallbatch.kinds import KINDS
from mallbatch.malls import mall_name
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.session import Session
from mallbatch.sandbox.registry import build_simulator, sandbox_credentials
from mallbatch.sandbox.server import SandboxServer
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from mallbatch.workspace import Workspace, init_workspace

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def workspace(home: Path, server: SandboxServer, poll: bool) -> Workspace:
    init_workspace(home)
    creds = "\n".join(f'{k} = "{v}"' for k, v in sandbox_credentials("coupang").items())
    (home / "config.toml").write_text(
        f'[[accounts]]\nmall = "coupang"\nname = "기본"\nsandbox = true\nbase_url = "{server.url}"\n{creds}\n'
        f"\n[watch]\npoll = {str(poll).lower()}\n", encoding="utf-8")
    return Workspace.open(home)


def invoice_files(ws: Workspace, folder: Path, drops: int, rows: int) -> list[Path]:
    with Store(ws.store_path) as store, Session(ws) as session:
        collect(ws, store, session, kinds=("orders",))
        lines = [l for l, _, _ in store.records.all(OrderLine, "orders") if l.status.value in ("결제완료", "상품준비중")]
    units = list(dict.fromkeys(l.ship_unit for l in lines))
    files = []
    for index in range(drops):
        chosen = set(units[index * rows:(index + 1) * rows])
        data = [{"mall": mall_name(l.mall), "account": l.account, "order_no": l.order_id, "ship_unit": l.ship_unit,
                 "line_id": l.line_id, "courier": "CJ대한통운", "tracking_no": f"6{index:03d}{n:08d}"}
                for n, l in enumerate(l for l in lines if l.ship_unit in chosen)]
        files.append(write_filled(folder / f"송장{index:02d}.xlsx", [(KINDS["invoices"], data)]))
    return files


def start(home: Path) -> subprocess.Popen[bytes]:
    (home / "outbox" / "상태.txt").unlink(missing_ok=True)  # a previous run's file must not count
    proc = subprocess.Popen([sys.executable, "-m", "mallbatch", "--home", str(home), "watch"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = home / "outbox" / "상태.txt"
    deadline = time.monotonic() + 120
    while not (status.exists() and "인증" in status.read_text("utf-8-sig")):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise SystemExit("watcher did not start")
        time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def latency(home: Path, files: list[Path]) -> list[float]:
    ws = Workspace.open(home)
    proc = start(home)
    seconds = []
    try:
        for source in files:
            target = ws.inbox / source.name
            os.replace(source, target)
            dropped = time.perf_counter()
            while not list(ws.outbox.glob(f"*/결과/{source.stem}_처리결과_*.xlsx")):
                time.sleep(0.02)
            seconds.append(time.perf_counter() - dropped)
    finally:
        stop(proc)
    return seconds


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def idle(home: Path, seconds: float) -> tuple[float, float]:
    text = (home / "config.toml").read_text(encoding="utf-8").replace("poll = false", "poll = true")
    (home / "config.toml").write_text(text, encoding="utf-8")
    proc = start(home)
    try:
        time.sleep(3)  # let start-up work finish
        before, started = cpu_ticks(proc.pid), time.monotonic()
        time.sleep(seconds)
        used = (cpu_ticks(proc.pid) - before) / TICKS
        percent = 100 * used / (time.monotonic() - started)
        return percent, rss_mib(proc.pid)
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = SandboxServer(build_simulator("coupang", root / "sim.db", {"latency_ms": 50, "rate_limit": 1000})).start()
        try:
            server.simulator.generate(args.drops * args.rows + 50, 0, 0)
            ws = workspace(root / "ws", server, poll=False)
            (root / "files").mkdir()
            files = invoice_files(ws, root / "files", args.drops, args.rows)
            seconds = latency(ws.home, files)
            p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else seconds[0]
            print(f"drop → result, {args.rows}-row invoice files, simulator latency 50 ms, {len(seconds)} drops: "
                  f"median {statistics.median(seconds):.2f} s, p95 {p95:.2f} s, max {max(seconds):.2f} s")
            cpu, rss = idle(ws.home, args.idle)
            print(f"idle with polling on, {args.idle:.0f} s: CPU {cpu:.2f} %, RSS {rss:.0f} MiB")
        finally:
            server.stop()
            server.simulator.store.close()


if __name__ == "__main__":
    main()
