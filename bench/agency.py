"""The agency benchmark: many sellers × 3 malls on one PostgreSQL, N ``mallbatch worker`` processes and
the enqueue-only ``mallbatch watch --agency``, collecting every 5 minutes, with two fault drills.

    python bench/agency.py --concurrency 10 --push-sellers 20   # 500 sellers × 3 malls, 4 workers, 30 minutes
    python bench/agency.py --sellers 50 --minutes 10 --out agency.json

What it does, in order:

1. starts a throwaway PostgreSQL cluster (initdb in a temp folder, a free loopback port) and a fresh
   database in it, so the restart drill disturbs no one else's server;
2. lays out an agency root with one seller workspace per subfolder (``seller-0001/config.toml`` with
   ``[store] url`` and ``[store] schema = "seller_0001"``, its three accounts pointing at its own simulators,
   ``[collect] interval_minutes = 5``);
3. starts the simulator fleet (``agency_fleet.py``): one simulator per seller × mall, each with the seller's
   own credentials and the mall's real rate limit, seeded with orders and inquiries; more orders arrive
   every interval;
4. starts the workers and the watcher, and runs for ``--minutes``; a supervisor restarts any of them that
   exits, 5 s later, as systemd's ``Restart=on-failure`` would, and counts it;
5. drills: one worker SIGKILLed at 40 % of the run, PostgreSQL restarted (fast shutdown) at 70 %; some sellers
   drop a products workbook into their inbox at 20 %;
6. stops adding orders at the end and drops ``지금수집`` into every seller's inbox (each account collected once
   more at once), lets those collections finish (``--drain`` minutes at most), then prints the figures and writes
   them as JSON (``--out``).

Figures are printed, never asserted. The run is real time: the watcher never collects more often than every
5 minutes (``mallbatch.watch.schedule.MIN_MINUTES``), so 30 simulated minutes are 30 minutes here.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import agency_report as report
from agency_fleet import MALLS, credentials
from agency_pg import Cluster

KINDS = ("orders", "claims", "inquiries")  # what each of the three malls collects (their specs' capabilities)

PUSH_PRODUCTS = 4  # products in each pushed workbook (half with options)


def seller_name(n: int) -> str:
    return f"seller-{n + 1:04d}"


def write_layout(root: Path, sellers: int, url: str, ports: dict[str, dict[str, int]], interval: float) -> None:
    """One workspace per seller under ``root``: config.toml and the folders a seller's share has."""
    for n in range(sellers):
        home = root / seller_name(n)
        for folder in ("inbox", "outbox", "archive", "images"):
            (home / folder).mkdir(parents=True, exist_ok=True)
        lines = ['[workspace]\nstate = "state"\n', f'[store]\nurl = "{url}"\nschema = "seller_{n + 1:04d}"\n',
                 f"[collect]\ninterval_minutes = {interval:g}\nfirst_days = 1\n",
                 "[watch]\npoll = true\npoll_seconds = 2\nstable_seconds = 4\nscan_seconds = 10\n"]
        for mall in MALLS:
            lines.append(f'[[accounts]]\nmall = "{mall}"\nname = "기본"\nsandbox = true\n'
                         f'base_url = "http://127.0.0.1:{ports[mall][str(n)]}"')
            lines += [f'{key} = "{value}"' for key, value in credentials(mall, n).items()]
            lines.append("")
        (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


class Fleet:
    """The three simulator hosts, driven over their stdin/stdout."""

    def __init__(self, workdir: Path, sellers: int, seed_orders: int, seed_inquiries: int) -> None:
        self.workdir = workdir
        spec = {"sellers": [{"seller": n, "sandbox_db": str(workdir / "agency" / seller_name(n) / "state" / "sandbox.db")}
                            for n in range(sellers)],
                "seed": {"orders": seed_orders, "inquiries": seed_inquiries}}
        for entry in spec["sellers"]:
            # made here, in WAL mode, before three hosts open it at once (switching a new file to WAL
            # while another process opens it fails with "database is locked" before busy_timeout is set)
            Path(entry["sandbox_db"]).parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(entry["sandbox_db"])) as db:
                db.execute("PRAGMA journal_mode=WAL")
        (workdir / "fleet.json").write_text(json.dumps(spec), encoding="utf-8")
        self.hosts = {mall: subprocess.Popen(
            [sys.executable, str(HERE / "agency_fleet.py"), str(workdir / "fleet.json"), mall, str(self.log(mall))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=(workdir / f"simulators-{mall}.log").open("ab"),
            text=True) for mall in MALLS}  # stderr: e.g. the resets a SIGKILLed worker's open connections cause
        started = {mall: json.loads(host.stdout.readline()) for mall, host in self.hosts.items()}  # type: ignore[union-attr]
        self.ports = {mall: s["ports"] for mall, s in started.items()}
        self.seeded = {mall: s["seeded"] for mall, s in started.items()}
        self._lock = threading.Lock()

    def log(self, mall: str) -> Path:
        return self.workdir / f"requests-{mall}.csv"

    def ask(self, command: dict[str, Any]) -> dict[str, dict[str, Any]]:
        with self._lock:
            for host in self.hosts.values():
                host.stdin.write(json.dumps(command) + "\n")  # type: ignore[union-attr]
                host.stdin.flush()  # type: ignore[union-attr]
            return {mall: json.loads(host.stdout.readline()) for mall, host in self.hosts.items()}  # type: ignore[union-attr]

    def snapshots(self) -> dict[str, dict[str, Any]]:
        """Each simulator's ship units and audited writes, per mall and seller."""
        found = {}
        for mall in MALLS:
            path = self.workdir / f"snapshot-{mall}.json"
            self.ask_one(mall, {"op": "snapshot", "path": str(path)})
            found[mall] = json.loads(path.read_text(encoding="utf-8"))
        return found

    def ask_one(self, mall: str, command: dict[str, Any]) -> dict[str, Any]:
        host = self.hosts[mall]
        with self._lock:
            host.stdin.write(json.dumps(command) + "\n")  # type: ignore[union-attr]
            host.stdin.flush()  # type: ignore[union-attr]
            return json.loads(host.stdout.readline())  # type: ignore[union-attr]

    def cpu_seconds(self) -> dict[str, float]:
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for mall, host in self.hosts.items():
            fields = Path(f"/proc/{host.pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[mall] = round((int(fields[11]) + int(fields[12])) / ticks, 1)
        return used

    def stop(self) -> None:
        for host in self.hosts.values():
            try:
                host.stdin.write('{"op": "stop"}\n')  # type: ignore[union-attr]
                host.stdin.flush()  # type: ignore[union-attr]
            except (BrokenPipeError, ValueError):
                pass
        for host in self.hosts.values():
            try:
                host.wait(timeout=60)
            except subprocess.TimeoutExpired:
                host.kill()


@dataclass
class Supervisor:
    """The workers and the watcher as an agency runs them: services restarted 5 s after they exit."""

    root: Path
    logs: Path
    workers: int
    concurrency: int
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    exits: list[dict[str, Any]] = field(default_factory=list)
    stopping: bool = False

    def command(self, name: str) -> list[str]:
        if name == "watch":
            return [sys.executable, "-m", "mallbatch", "watch", "--agency", str(self.root)]
        return [sys.executable, "-m", "mallbatch", "worker", "--agency", str(self.root), "--concurrency", str(self.concurrency)]

    def spawn(self, name: str) -> None:
        out = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(self.command(name), stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy())

    def start(self) -> None:
        for n in range(self.workers):
            self.spawn(f"worker-{n + 1}")
        self.spawn("watch")
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self.stopping:
            for name, proc in list(self.procs.items()):
                code = proc.poll()
                if code is not None and not self.stopping:
                    self.exits.append({"process": name, "exit_code": code, "at": time.time()})
                    time.sleep(5)  # RestartSec=5
                    if not self.stopping:
                        self.spawn(name)
            time.sleep(1)

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU (user + system) each running process has used, read before it is stopped."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for name, proc in self.procs.items():
            try:
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                used[name] = round((int(fields[11]) + int(fields[12])) / ticks, 1)
            except (OSError, IndexError, ValueError):
                continue
        return used

    def stop(self) -> None:
        self.stopping = True
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()


def collected_units(url: str, sellers: int) -> dict[tuple[str, int], set[str]]:
    """The ship units every seller's schema holds as collected order lines (read-only)."""
    import psycopg

    found: dict[tuple[str, int], set[str]] = {}
    with psycopg.connect(url, autocommit=True) as db:
        for n in range(sellers):
            try:
                rows = db.execute(f'SELECT mall, ship_unit FROM "seller_{n + 1:04d}".records WHERE kind = %s',
                                  ("orders",)).fetchall()
            except psycopg.errors.UndefinedTable:
                rows = []
            for mall, unit in rows:
                found.setdefault((mall, n), set()).add(unit)
    return found


def journal_states(url: str, sellers: int) -> dict[str, int]:
    """Every seller's command journal by op and state: nothing left in_flight or unknown."""
    import psycopg

    states: dict[str, int] = {}
    with psycopg.connect(url, autocommit=True) as db:
        for n in range(sellers):
            try:
                rows = db.execute(f'SELECT op, state, COUNT(*) FROM "seller_{n + 1:04d}".commands GROUP BY op, state').fetchall()
            except psycopg.errors.UndefinedTable:
                continue
            for op, state, count in rows:
                states[f"{op}:{state}"] = states.get(f"{op}:{state}", 0) + count
    return dict(sorted(states.items()))


def push_workbooks(root: Path, sellers: list[int]) -> dict[int, list[str]]:
    """Drop a products workbook (sales groups for the seller's three accounts) into each seller's inbox."""
    from mallbatch.examples import product_rows, sales_group_rows
    from mallbatch.kinds import KINDS
    from mallbatch.sheets.templates import write_filled
    from mallbatch.workspace import Workspace

    pushed = {}
    for n in sellers:
        ws = Workspace.open(root / seller_name(n))
        groups = sales_group_rows(ws.config)
        rows = list(product_rows(PUSH_PRODUCTS, [g["group"] for g in groups], seed=n, prefix=f"S{n:03d}"))
        part = ws.inbox / ".상품.xlsx.part"
        write_filled(part, [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])
        os.replace(part, ws.inbox / "상품.xlsx")
        pushed[n] = [row["code"] for row in rows]
    return pushed


def run(args: argparse.Namespace) -> dict[str, Any]:
    from mallbatch.sandbox.registry import simulator_class

    workdir = Path(args.workdir or tempfile_dir())
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "logs").mkdir(exist_ok=True)
    root = workdir / "agency"
    t_setup = time.time()
    cluster = Cluster(max_connections=args.max_connections or args.sellers + 300).start()
    fleet = supervisor = None
    events: list[dict[str, Any]] = []

    def event(what: str, **extra: Any) -> None:
        events.append({"at_s": round(time.time() - t0, 1), "what": what, **extra})
        print(f"[{time.time() - t0:7.1f} s] {what} {extra if extra else ''}", flush=True)

    t0 = time.time()
    try:
        url = cluster.create_database("agency")
        fleet = Fleet(workdir, args.sellers, args.seed_orders, args.seed_inquiries)
        write_layout(root, args.sellers, url, fleet.ports, args.interval)
        seeded = fleet.seeded
        setup_s = round(time.time() - t_setup, 1)
        print(f"setup: {args.sellers} sellers × {len(MALLS)} malls, PostgreSQL on port {cluster.port}, {setup_s} s; "
              f"seeded orders {fleet.seeded}", flush=True)
        supervisor = Supervisor(root, workdir / "logs", args.workers, args.concurrency)
        t0 = time.time()
        start = datetime.now(UTC)
        supervisor.start()
        event("workers and watcher started", workers=args.workers)
        interval_s, run_s = args.interval * 60, args.minutes * 60
        intervals = max(1, round(run_s / interval_s))
        pushers = list(range(0, args.sellers, max(1, args.sellers // max(1, args.push_sellers))))[: args.push_sellers]
        drills = {0.2: "push", 0.4: "kill", 0.7: "restart"}
        pushed: dict[int, list[str]] = {}
        next_orders = interval_s
        while time.time() - t0 < run_s:
            elapsed = time.time() - t0
            for share, drill in list(drills.items()):
                if elapsed >= share * run_s:
                    del drills[share]
                    if drill == "push":
                        pushed = push_workbooks(root, pushers)
                        event("products workbooks dropped", sellers=len(pushed), products_each=PUSH_PRODUCTS)
                    elif drill == "kill":
                        supervisor.kill("worker-2")
                        event("worker-2 SIGKILLed")
                    elif drill == "restart":
                        event("PostgreSQL restart begins")
                        cluster.restart()
                        event("PostgreSQL restarted")
            if elapsed >= next_orders and elapsed < run_s - 1:
                made = fleet.ask({"op": "generate", "orders": args.orders_per_interval, "inquiries": 1})
                event("new orders on every account", made={m: r["made"] for m, r in made.items()})
                next_orders += interval_s
            time.sleep(1)
        for n in range(args.sellers):  # every account collected once more now, not at its next interval
            (root / seller_name(n) / "inbox" / "지금수집.txt").write_text("", encoding="utf-8")
        event("run over: no more orders; 지금수집 in every seller's inbox; draining")
        snapshots = fleet.snapshots()
        deadline = time.time() + args.drain * 60
        while time.time() < deadline:
            done = report.completeness(snapshots, collected_units(url, args.sellers))
            if done["missing"] == 0:
                break
            time.sleep(15)
        event("drained")
        cpu = {**supervisor.cpu_seconds(), **{f"simulators-{m}": v for m, v in fleet.cpu_seconds().items()}}
        supervisor.stop()
        event("workers and watcher stopped")
        end = time.time()
        snapshots = fleet.snapshots()
        fleet.stop()
        fleet = None
        limits = {mall: float(simulator_class(mall).default_rate_limit) for mall in MALLS}
        logs = {mall: report.read_log(workdir / f"requests-{mall}.csv") for mall in MALLS}
        import psycopg

        with psycopg.connect(url, autocommit=True) as db:
            rows = db.execute(report.JOB_ROWS).fetchall()
        jobs = report.job_figures(rows, start, interval_s, intervals + max(1, round(args.drain * 60 / interval_s)),
                                  slots=args.sellers * len(MALLS) * len(KINDS))
        figures = {
            "command": " ".join(["python", "bench/agency.py", *sys.argv[1:]]),
            "size": {"sellers": args.sellers, "malls": list(MALLS), "accounts": args.sellers * len(MALLS),
                     "workers": args.workers, "concurrency": args.concurrency, "interval_minutes": args.interval, "minutes": args.minutes,
                     "time": "real time (not compressed)"},
            "started_at": start.isoformat(), "setup_s": setup_s, "run_s": round(end - t0, 1), "seeded_orders": seeded,
            "cpu_s_since_last_start": cpu, "events": events, "process_exits": [{**e, "at": round(e["at"] - t0, 1)} for e in supervisor.exits],
            "rates": report.rate_figures(logs, limits, (t0, end)),
            **jobs,
            "completeness": report.completeness(snapshots, collected_units(url, args.sellers)),
            "duplicates": report.duplicates(snapshots),
            "products": report.products_once(snapshots, pushed),
            "journal": journal_states(url, args.sellers),
        }
        return figures
    finally:
        if supervisor is not None:
            supervisor.stop()
        if fleet is not None:
            fleet.stop()
        if not args.keep:
            cluster.stop()


def tempfile_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="mallbatch-agency.")


def show(figures: dict[str, Any]) -> str:
    rows = [("size", (f"{figures['size']['sellers']} sellers × {len(figures['size']['malls'])} malls = "
                     f"{figures['size']['accounts']} accounts, {figures['size']['workers']} workers, every "
                     f"{figures['size']['interval_minutes']} min for {figures['size']['minutes']} min ({figures['size']['time']})"))]
    for slot in figures["per_interval"]:
        rows.append((f"interval {slot['interval']}", (f"collections due {slot['collections_due']}, enqueued {slot['enqueued']}, "
                     f"done {slot['done']}, failed {slot['failed']}, waiting at its end {slot['backlog_at_end']}")))
    for mall, r in figures["rates"].items():
        rows.append((f"{mall} rate", (f"limit {r['limit_per_s']:g}/s per account; busiest account's busiest second "
                     f"{r['max_in_any_second_any_account']}; windows over the limit {r['windows_over_limit']}; "
                     f"429s {r['http_429']} of {r['requests']} requests; mean {r['mean_per_account_per_s']}/s per account")))
    for queue, q in figures["queue_latency_s"].items():
        rows.append((f"queue latency {queue}", f"p50 {q['p50']} s, p95 {q['p95']} s over {q['jobs']} jobs"))
    c, d, p = figures["completeness"], figures["duplicates"], figures["products"]
    rows += [("orders collected", (f"{c['ship_units_at_malls'] - c['missing']} of {c['ship_units_at_malls']} ship units "
                                  f"(missing {c['missing_by_mall']})")),
             ("duplicate effects", str(len(d["duplicate_effects"]))),
             ("products once", (f"{p['product_registrations_expected'] - p['not_exactly_once']} of "
                               f"{p['product_registrations_expected']} registered exactly once")),
             ("process exits", ", ".join(f"{e['process']} code {e['exit_code']} at {e['at']} s"
                                         for e in figures["process_exits"]) or "none"),
             ("jobs started more than once", str(figures["jobs_started_more_than_once"])),
             ("CPU seconds", ", ".join(f"{k} {v}" for k, v in figures["cpu_s_since_last_start"].items()))]
    return report.table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sellers", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=4, help="mallbatch worker --concurrency (jobs at once per worker)")
    parser.add_argument("--minutes", type=float, default=30.0, help="length of the run (real minutes)")
    parser.add_argument("--interval", type=float, default=5.0, help="[collect] interval_minutes (never below 5)")
    parser.add_argument("--drain", type=float, default=10.0, help="minutes at most for the due collections to finish")
    parser.add_argument("--seed-orders", type=int, default=5, help="orders on every account before the start")
    parser.add_argument("--seed-inquiries", type=int, default=1)
    parser.add_argument("--orders-per-interval", type=int, default=2, help="new orders on every account each interval")
    parser.add_argument("--push-sellers", type=int, default=10, help="sellers that drop a products workbook")
    parser.add_argument("--max-connections", type=int, default=0, help="PostgreSQL max_connections (default: sellers + 300; the watcher holds one per seller)")
    parser.add_argument("--workdir", help="keep everything here (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL cluster running")
    parser.add_argument("--out", default="agency.json", help="the figures as JSON")
    args = parser.parse_args()
    figures = run(args)
    print(show(figures))
    Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"figures: {args.out}")


if __name__ == "__main__":
    main()
