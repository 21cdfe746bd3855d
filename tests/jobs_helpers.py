"""Seller workspaces on the test's PostgreSQL database, and real ``mallbatch worker`` / ``watch`` processes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

from mallbatch.jobs.queue import JOBS_SCHEMA
from mallbatch.sandbox.registry import build_simulator, sandbox_credentials
from mallbatch.sandbox.server import SandboxServer
from mallbatch.workspace import Workspace, init_workspace
from tests.watch_helpers import FAST

JOBS = {"heartbeat_seconds": 0.5, "stalled_seconds": 2}


def seller_workspace(home: Path, pg_url: str, schema: str, malls: tuple[str, ...] = ("coupang",),
                     faults: dict[str, Any] | None = None, accounts: tuple[str, ...] = ("기본",),
                     servers: list[SandboxServer] | None = None) -> tuple[Workspace, dict[str, SandboxServer]]:
    """A workspace on ``pg_url`` in its own ``[store] schema``, with its own simulators (one per mall)."""
    ws, _ = init_workspace(home)
    started = {}
    lines = ['[workspace]\nstate = "state"\n', f'[store]\nurl = "{pg_url}"\nschema = "{schema}"\n',
             "[watch]", *[f"{k} = {v}" for k, v in FAST.items()], "", "[jobs]", *[f"{k} = {v}" for k, v in JOBS.items()], ""]
    for mall in malls:
        server = SandboxServer(build_simulator(mall, ws.sandbox_path, {"rate_limit": 1000, **(faults or {})})).start()
        started[mall] = server
        if servers is not None:
            servers.append(server)
        for name in accounts:
            lines.append(f'[[accounts]]\nmall = "{mall}"\nname = "{name}"\nsandbox = true\nbase_url = "{server.url}"\nrate_limit = 300')
            lines.extend(f'{k} = "{v}"' for k, v in sandbox_credentials(mall).items())
            lines.append("")
    (home / "config.toml").write_text("\n".join(lines), encoding="utf-8")
    return Workspace.open(home), started


class Proc:
    """``python -m mallbatch ARGS`` with its output kept in a file for assertions."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.out = folder / f"{args[-1] if args else 'proc'}-{time.monotonic_ns()}.out"
        self.handle = open(self.out, "w+b")  # noqa: SIM115 - closed in stop()/kill()
        self.proc = subprocess.Popen([sys.executable, "-m", "mallbatch", *args], stdout=self.handle, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def output(self) -> str:
        return self.out.read_bytes().decode("utf-8", "replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.handle.close()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.handle.close()


def jobs(pg_url: str, where: str = "TRUE") -> list[dict[str, Any]]:
    """The queue's jobs (id, task, queue, lock, queueing lock, args, status, attempts); none before its schema exists."""
    with psycopg.connect(pg_url, row_factory=psycopg.rows.dict_row) as db:
        if db.execute("SELECT to_regclass(%s) AS t", (f"{JOBS_SCHEMA}.procrastinate_jobs",)).fetchone()["t"] is None:
            return []
        return db.execute(f"SELECT id, task_name, queue_name, lock, queueing_lock, args, status::text AS status, attempts "
                          f"FROM {JOBS_SCHEMA}.procrastinate_jobs WHERE {where} ORDER BY id").fetchall()


def runs(pg_url: str, job_ids: list[int]) -> list[tuple[Any, Any]]:
    """(started, ended) of every run of these jobs, from procrastinate's event log."""
    with psycopg.connect(pg_url) as db:
        rows = db.execute(f"SELECT job_id, type::text, at FROM {JOBS_SCHEMA}.procrastinate_events "
                          "WHERE job_id = ANY(%s) ORDER BY at, id", (job_ids,)).fetchall()
    spans, open_at = [], {}
    for job_id, kind, at in rows:
        if kind == "started":
            open_at[job_id] = at
        elif kind in ("succeeded", "failed") and job_id in open_at:
            spans.append((open_at.pop(job_id), at))
    return spans


class CutProxy:
    """A loopback TCP forwarder to the test's PostgreSQL that can drop every connection and refuse new ones
    for a while: a server restart or a network cut as a worker sees it, without disturbing the shared server."""

    def __init__(self, pg_url: str) -> None:
        parts = conninfo_to_dict(pg_url)
        self.target = (str(parts.get("host") or "127.0.0.1"), int(parts.get("port") or 5432))
        self.listener = socket.create_server(("127.0.0.1", 0))
        parts_url = urlsplit(pg_url)
        login = parts_url.netloc.rpartition("@")[0]
        self.url = urlunsplit(parts_url._replace(netloc=f"{login}@127.0.0.1:{self.listener.getsockname()[1]}"))
        self.refusing = threading.Event()
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                if self.refusing.is_set():
                    raise OSError("refusing")
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def cut(self, seconds: float) -> None:
        """Every open connection dropped at once; new ones refused for ``seconds``."""
        self.refusing.set()
        with self._lock:
            dropped, self._open = self._open, []
        for end in dropped:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        threading.Timer(seconds, self.refusing.clear).start()

    def close(self) -> None:
        self.listener.close()
        self.cut(0)
