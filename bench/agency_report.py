"""Figures of an agency benchmark run, from what the simulators logged and what PostgreSQL recorded.

Rates come from the simulators' own request logs (arrival time per request, per account), queue
latency and per-interval completion from procrastinate's jobs and events tables, completeness
from the simulators' own orders against the rows collected into each seller's schema, and
"nothing twice" from the simulators' audit of every write they applied.
"""

from __future__ import annotations

import bisect
import csv
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

JOBS = "mallbatch_jobs"  # procrastinate's schema (mallbatch.jobs.queue.JOBS_SCHEMA)
ONCE_ONLY = ("product.create", "order.confirm", "invoice.send", "inquiry.answer")  # a second one is a duplicate


def read_log(path: Path) -> dict[int, list[tuple[float, int]]]:
    """seller → [(arrival time, status)] sorted by time."""
    by_seller: dict[int, list[tuple[float, int]]] = defaultdict(list)
    if path.exists():
        with path.open(encoding="utf-8") as rows:
            for t, seller, status, _write in csv.reader(rows):
                by_seller[int(seller)].append((float(t), int(status)))
    for arrivals in by_seller.values():
        arrivals.sort()
    return by_seller


def windows_over(times: list[float], limit: float) -> tuple[int, int]:
    """(the most requests in any one-second window, how many windows starting at an arrival held more than
    ``limit``) — sliding windows, so a burst split across a clock second is still seen."""
    most = over = 0
    for i, start in enumerate(times):
        inside = bisect.bisect_left(times, start + 1.0, lo=i) - i
        most = max(most, inside)
        over += inside > limit
    return most, over


def rate_figures(logs: dict[str, dict[int, list[tuple[float, int]]]], limits: dict[str, float],
                 span: tuple[float, float]) -> dict[str, dict[str, Any]]:
    """Per mall: requests, 429s, the busiest account's second, windows over the limit, mean req/s per account."""
    figures = {}
    for mall, by_seller in logs.items():
        limit = limits[mall]
        total = sum(len(a) for a in by_seller.values())
        rejected = sum(1 for a in by_seller.values() for _, status in a if status == 429)
        busiest = over = 0
        for arrivals in by_seller.values():
            most, bad = windows_over([t for t, _ in arrivals], limit)
            busiest, over = max(busiest, most), over + bad
        seconds = max(1.0, span[1] - span[0])
        accounts = max(1, len(by_seller))
        figures[mall] = {"limit_per_s": limit, "accounts": len(by_seller), "requests": total, "http_429": rejected,
                         "mean_per_account_per_s": round(total / accounts / seconds, 3),
                         "max_in_any_second_any_account": busiest, "windows_over_limit": over}
    return figures


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


JOB_ROWS = f"""
    SELECT j.id, j.task_name, j.queue_name, j.status,
           MIN(e.at) FILTER (WHERE e.type = 'deferred') AS deferred,
           MIN(e.at) FILTER (WHERE e.type = 'started') AS started,
           MAX(e.at) FILTER (WHERE e.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS ended,
           COUNT(*) FILTER (WHERE e.type = 'started') AS starts
    FROM {JOBS}.procrastinate_jobs j JOIN {JOBS}.procrastinate_events e ON e.job_id = j.id
    GROUP BY j.id"""


def job_figures(rows: Iterable[tuple[Any, ...]], start: datetime, interval_s: float, intervals: int, slots: int) -> dict[str, Any]:
    """Per interval: the collections due (every mall×account×kind once, the schedule's interval being the
    interval), the collection jobs enqueued, those finished in it, and the backlog at its end; queue latency
    p50/p95 (deferred → first started) of every job. ``rows`` are :data:`JOB_ROWS`."""
    rows = list(rows)
    latency: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, int] = defaultdict(int)
    restarted = 0
    for _id, task, queue, status, deferred, started, _ended, starts in rows:
        statuses[f"{task}:{status}"] += 1
        restarted += int(starts) > 1
        if deferred and started:
            latency[queue.split(".")[0]].append((started - deferred).total_seconds())

    def at(moment: datetime | None) -> float | None:
        return None if moment is None else (moment - start).total_seconds()

    collections = [(at(d), at(e), status) for _id, task, _q, status, d, _s, e, _n in rows if task.endswith("collect")]
    per_interval = []
    for i in range(intervals):
        low, high = i * interval_s, (i + 1) * interval_s
        per_interval.append({
            "interval": i + 1, "collections_due": slots,
            "enqueued": sum(1 for d, _e, _st in collections if d is not None and low <= d < high),
            "done": sum(1 for _d, e, st in collections if st == "succeeded" and e is not None and low <= e < high),
            "failed": sum(1 for _d, e, st in collections if st == "failed" and e is not None and low <= e < high),
            "backlog_at_end": sum(1 for d, e, _st in collections if d is not None and d < high and (e is None or e >= high)),
        })
    every = [v for values in latency.values() for v in values]
    return {
        "per_interval": per_interval,
        "queue_latency_s": {"all": _p(every), **{queue: _p(values) for queue, values in sorted(latency.items())}},
        "jobs_by_task_and_status": dict(sorted(statuses.items())),
        "jobs_started_more_than_once": restarted,
    }


def _p(values: list[float]) -> dict[str, Any]:
    p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
    return {"jobs": len(values), "p50": None if p50 is None else round(p50, 2), "p95": None if p95 is None else round(p95, 2)}


def completeness(snapshots: dict[str, dict[str, Any]], collected: dict[tuple[str, int], set[str]]) -> dict[str, Any]:
    """Every ship unit a simulator holds against what the seller's schema collected (the first missing ones named)."""
    missing: dict[str, int] = {}
    named: list[list[Any]] = []
    units = 0
    for mall, sellers in snapshots.items():
        gone = 0
        for seller, snap in sellers.items():
            have = collected.get((mall, int(seller)), set())
            units += len(snap["units"])
            lost = [unit for unit in snap["units"] if unit not in have]
            gone += len(lost)
            named += [[mall, int(seller), unit] for unit in lost[: max(0, 20 - len(named))]]
        missing[mall] = gone
    return {"ship_units_at_malls": units, "missing_by_mall": missing, "missing": sum(missing.values()), "first_missing": named}


def duplicates(snapshots: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Writes a simulator applied more than once to one key, for the ops that must happen once."""
    found: list[list[Any]] = []
    counts: dict[str, int] = defaultdict(int)
    for mall, sellers in snapshots.items():
        for seller, snap in sellers.items():
            for op, key, n in snap["writes"]:
                counts[f"{mall}:{op}"] += n
                if op in ONCE_ONLY and n > 1:
                    found.append([mall, int(seller), op, key, n])
    return {"writes_by_op": dict(sorted(counts.items())), "duplicate_effects": found}


def products_once(snapshots: dict[str, dict[str, Any]], pushed: dict[int, list[str]]) -> dict[str, Any]:
    """Each pushed product registered exactly once on every mall of its sellers."""
    expected = wrong = 0
    problems: list[list[Any]] = []
    for mall, sellers in snapshots.items():
        for seller, codes in pushed.items():
            creates: dict[str, int] = defaultdict(int)
            for op, key, n in sellers.get(str(seller), {}).get("writes", []):
                if op == "product.create":
                    creates[_code(key)] += n
            for code in codes:
                expected += 1
                if creates.get(code, 0) != 1:
                    wrong += 1
                    problems.append([mall, seller, code, creates.get(code, 0)])
    return {"product_registrations_expected": expected, "not_exactly_once": wrong, "problems": problems[:20]}


def _code(key: str) -> str:
    """The 자체상품코드 of an audited create (쿠팡 audits the first item's SKU, ``CODE`` or ``CODE-option``)."""
    return key.split("-")[0].split("_")[0]


def table(rows: Iterable[tuple[str, str]]) -> str:
    rows = list(rows)
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
