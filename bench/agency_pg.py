"""A throwaway PostgreSQL cluster for the agency benchmark (like ``.ci/run``'s), so restarting it in a
fault drill disturbs nobody else's server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql): the agency benchmark needs a server")
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """initdb in a temp folder, one server on a free loopback port, trust auth for loopback only."""

    def __init__(self, max_connections: int = 400) -> None:
        self.bin = _bin()
        self.dir = Path(tempfile.mkdtemp(prefix="mallbatch-agency-pg."))
        self.port = free_port()
        self.max_connections = max_connections
        self._as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_pg:
            shutil.chown(self.dir, "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_pg, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> Cluster:
        self._run(str(self.bin / "initdb"), "-D", str(self.dir / "db"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c max_connections={self.max_connections} "
                   "-c shared_buffers=256MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "db"), "-l", str(self.dir / "log"), "-w", "-o", options,
                  *extra, action)

    def restart(self) -> None:
        """What an operator's ``systemctl restart postgresql`` does: fast shutdown (connections cut), start."""
        self._pg_ctl("restart", "-m", "fast")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._pg_ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
