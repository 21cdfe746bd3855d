"""Benchmarks: validation end to end, and push/collect against the simulators.

    python bench/run.py            # 10,000 products with options and 100,000 invoice rows
    python bench/run.py --push     # plus: 2,000 products to the 쿠팡 simulator, 50,000 orders collected
    python bench/run.py --stats    # plus: 매출통계 over 100,000 stored order lines
    python bench/run.py --state    # plus: 상태.xlsx and `mallbatch status` on a big store (100,000 lines, 50 accounts)

Each case runs in a fresh child process so its peak memory (ru_maxrss) is its own.
Figures are printed, never asserted: timing belongs here, not in the test suite.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def child(case: str, workdir: str) -> None:
    """Run one case in this (child) process and print a JSON line with its figures."""
    sys.path.insert(0, str(HERE))
    import cases

    started = time.perf_counter()
    figures = getattr(cases, case)(Path(workdir))
    figures["seconds"] = round(time.perf_counter() - started, 2)
    figures["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures, ensure_ascii=False))


def run(case: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as workdir:
        out = subprocess.run([sys.executable, __file__, "--child", case, workdir], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--push", action="store_true", help="also run the simulator benchmarks")
    parser.add_argument("--stats", action="store_true", help="also run the 매출통계 benchmark")
    parser.add_argument("--state", action="store_true", help="also run the 상태 / mallbatch status benchmark on a big store")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--case", action="append", help="run only these cases")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    cases = ["validate_products", "validate_invoices"] + (["push_coupang", "collect_orders", "push_300", "push_300_shown"]
                                                          if args.push else []) + (["stats_orders"] if args.stats else []) + (["state_big"] if args.state else [])
    for case in args.case or cases:
        figures = run(case)
        print(f"{case}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
