"""Benchmark: stock sync of 10,000 SKUs across 3 malls, then after a collection of 5,000 orders.

    python bench/bench_stock_sync.py [--products 2000] [--orders 5000]

2,000 products (half with 3×3 options: 10,000 SKUs) are registered on the 쿠팡, 스마트스토어 and
위메프 simulators (served from this process, their rate limits lifted so the figures are mallbatch's
own cost) and their 재고 seeds the seller's stock. Phase 1 is the first collection: every SKU is sent
to every mall once. Phase 2 lets 5,000 orders arrive (spread over the three malls), collects them
and sends what moved. For each phase and mall: requests, the busiest one-second window, and the time
the mall's own documented rate limit would need for those requests (requests / limit) — the
wall-clock floor against the real mall. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent))
sys.path.insert(0, str(Path(__file__).parent))

from cases import busiest_second  # noqa: E402 - after the paths it needs

MALLS = ("coupang", "smartstore", "wemakeprice")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=5000)
    args = parser.parse_args()

    from mallbatch.connectors.registry import connector_class
    from mallbatch.examples import product_rows, sales_group_rows
    from mallbatch.kinds import KINDS
    from mallbatch.pipeline.collect import collect
    from mallbatch.pipeline.push import push_file
    from mallbatch.pipeline.session import Session
    from mallbatch.sandbox.registry import build_simulator, sandbox_credentials
    from mallbatch.sandbox.server import SandboxServer
    from mallbatch.sheets.templates import write_filled
    from mallbatch.store import Store
    from mallbatch.workspace import Workspace, init_workspace

    with TemporaryDirectory() as tmp:
        ws, _ = init_workspace(Path(tmp) / "ws")
        servers: dict[str, SandboxServer] = {}
        lines = ['[workspace]\nstate = "state"\n']
        arrivals: dict[str, list[float]] = defaultdict(list)
        for mall in MALLS:
            server = SandboxServer(build_simulator(mall, ws.sandbox_path, {"rate_limit": 100_000})).start()
            servers[mall] = server
            handle = server.handle

            def recorded(request: Any, handle: Any = handle, mall: str = mall) -> Any:
                if not request.path.startswith("/_sandbox/"):
                    arrivals[mall].append(time.perf_counter())
                return handle(request)

            server.handle = recorded  # type: ignore[method-assign]
            lines += [f'[[accounts]]\nmall = "{mall}"\nname = "기본"\nsandbox = true\nbase_url = "{server.url}"', "rate_limit = 100000"]
            lines += [f'{k} = "{v}"' for k, v in sandbox_credentials(mall).items()] + [""]
        (ws.home / "config.toml").write_text("\n".join(lines), encoding="utf-8")
        ws = Workspace.open(ws.home)
        groups = sales_group_rows(ws.config)
        path = Path(tmp) / "상품.xlsx"
        rows = list(product_rows(args.products, sorted({g["group"] for g in groups})))
        write_filled(path, [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])

        def phase(name: str, work: Any) -> None:
            for times in arrivals.values():
                times.clear()
            started = time.perf_counter()
            result = work()
            seconds = time.perf_counter() - started
            stock = result.stock
            sent = sum(len(v) for v in stock.sent.values())
            print(f"{name}: {seconds:.1f} s, {len(stock.moved):,} SKUs moved, {sent:,} SKU×mall sent, "
                  f"{sum(1 for v in stock.sent.values() for s in v if not s.ok):,} not sent, peak "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB", flush=True)
            for mall in MALLS:
                times = sorted(arrivals[mall])
                limit = connector_class(mall).spec.rate.per_second  # type: ignore[union-attr]
                print(f"  {mall}: {len(times):,} requests, busiest second {busiest_second(times) if times else 0}, "
                      f"at the mall's {limit:g} req/s: {len(times) / limit:,.0f} s", flush=True)

        with Store(ws.store_path) as store, Session(ws) as session:
            t0 = time.perf_counter()
            pushed = push_file(ws, store, session, path)
            skus = len(store.stock.levels())
            print(f"setup: {args.products:,} products ({skus:,} SKUs) registered on 3 malls in {time.perf_counter() - t0:.0f} s: "
                  f"{pushed.counts}", flush=True)
            phase("phase 1, first sync of every SKU", lambda: collect(ws, store, session))
            per_mall = args.orders // len(MALLS)
            for server in servers.values():
                server.simulator.generate(per_mall, 0, 0)
            phase(f"phase 2, collect {per_mall * len(MALLS):,} orders + sync", lambda: collect(ws, store, session))
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
