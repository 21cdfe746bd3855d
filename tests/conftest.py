"""Shared fixtures: simulators on real loopback sockets and accounts pointing at them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mallbatch.config import Account, resolve_value
from mallbatch.sandbox.registry import build_simulator, sandbox_credentials, stop_all
from mallbatch.sandbox.server import SandboxServer

PG_ENV = "MALLBATCH_TEST_PG"


def _pg_server() -> str:
    """The PostgreSQL server tests may create databases on (``.ci/run`` starts one); skip without it."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(f"PostgreSQL leg: no server here ({PG_ENV} unset; .ci/run installs and starts one)")
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL leg: {PG_ENV} server unreachable ({type(exc).__name__})")
    return url


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, empty database on the server of ``server`` (a URL), dropped afterwards."""
    import psycopg

    name = f"mb_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    head, _, query = server.partition("?")
    yield f"{head.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database of this test's own (a URL), dropped afterwards."""
    with fresh_database(_pg_server()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> str:
    """The store's engine: every store-level test runs on both (postgres skips without a server)."""
    return str(request.param)


@pytest.fixture
def store_config(engine: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """config.toml lines putting a workspace's store on ``engine`` ("" = the default SQLite file);
    the URL comes from the environment as a seller would write it (children inherit it)."""
    if engine == "sqlite":
        return ""
    monkeypatch.setenv("MALLBATCH_TEST_STORE", request.getfixturevalue("pg_url"))
    return '[store]\nurl = "env:MALLBATCH_TEST_STORE"\n'


@pytest.fixture
def store_factory(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``make(name)`` opens the store ``name`` on ``engine`` (a file, or a schema of this test's database);
    the same name again reopens it."""
    from mallbatch.store import PostgresStore, Store
    from mallbatch.store.postgres import Server

    url = request.getfixturevalue("pg_url") if engine == "postgres" else ""
    opened: list[Any] = []

    def make(name: str = "mallbatch") -> Any:
        store = PostgresStore(Server(url, name)) if url else Store(tmp_path / "state" / f"{name}.db")
        opened.append(store)
        return store
    yield make
    for store in opened:
        store.close()


@pytest.fixture(autouse=True)
def _stop_workspace_simulators() -> Iterator[None]:
    """Simulators a test's workspaces started in this process stop with the test."""
    yield
    stop_all()


StartSim = Callable[..., tuple[SandboxServer, Account]]


@pytest.fixture
def start_sim(tmp_path: Path) -> Iterator[StartSim]:
    """Start ``mall``'s simulator on a free loopback port; returns (server, account).

    ``faults`` go to the simulator; ``options`` override the account's credentials,
    e.g. a wrong secret to test authentication failures.
    """
    servers: list[SandboxServer] = []

    def start(mall: str, faults: dict[str, Any] | None = None, **options: Any) -> tuple[SandboxServer, Account]:
        server = SandboxServer(build_simulator(mall, tmp_path / "sandbox.db", faults)).start()
        servers.append(server)
        creds = {**sandbox_credentials(mall), **options}
        account = Account(
            mall=mall,
            name="test",
            base_url=server.url,
            sandbox=True,
            options={k: resolve_value(k, v, "test") for k, v in creds.items()},
        )
        return server, account

    yield start
    for server in servers:
        server.stop()
        server.simulator.store.close()


SimWorkspace = Callable[..., tuple[Any, dict[str, SandboxServer]]]


@pytest.fixture
def sim_workspace(tmp_path: Path) -> Iterator[SimWorkspace]:
    """A fresh workspace whose accounts point at simulators started here on free ports.

    The simulators share the workspace's sandbox database, as in real use; a child
    process running ``mallbatch --home …`` finds them serving and uses them.
    """
    from mallbatch.workspace import Workspace, init_workspace

    servers: list[SandboxServer] = []

    def make(malls: tuple[str, ...] = ("coupang", "smartstore", "wemakeprice"), faults: dict[str, dict[str, Any]] | None = None,
             rate_limit: float | None = None, state: Path | None = None,
             store: str = "") -> tuple[Workspace, dict[str, SandboxServer]]:
        """``state`` puts the workspace's state folder elsewhere (e.g. on a small disk); its
        simulators' database stays on the test's disk, linked from there, so that they are the
        workspace's own and keep working when that state folder runs out of space. ``store`` is
        config.toml's [store] lines (the ``store_config`` fixture)."""
        home = tmp_path / "ws"
        ws, _ = init_workspace(home)
        if state is not None:
            state.mkdir(parents=True, exist_ok=True)
            (state / "sandbox.db").symlink_to(ws.sandbox_path)
            (home / "config.toml").write_text(f'[workspace]\nstate = "{state}"\n', encoding="utf-8")
        started = {}
        lines = [f'[workspace]\nstate = "{state or "state"}"\n', store]
        for mall in malls:
            mall_faults = dict((faults or {}).get(mall) or {})
            if rate_limit:  # a fast client means the test is not about 429s: lift the simulator's limit
                mall_faults.setdefault("rate_limit", max(1000.0, rate_limit))  # (쿠팡 blocks after a 429 storm)
            server = SandboxServer(build_simulator(mall, ws.sandbox_path, mall_faults)).start()
            servers.append(server)
            started[mall] = server
            lines.append(f'[[accounts]]\nmall = "{mall}"\nname = "기본"\nsandbox = true\nbase_url = "{server.url}"')
            lines.extend(f'{k} = "{v}"' for k, v in sandbox_credentials(mall).items())
            if rate_limit:
                lines.append(f"rate_limit = {rate_limit}")
            lines.append("")
        (home / "config.toml").write_text("\n".join(lines), encoding="utf-8")
        return Workspace.open(home), started

    yield make
    for server in servers:
        server.stop()
        server.simulator.store.close()
