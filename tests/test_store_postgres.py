"""The store on a real PostgreSQL server: a workspace whose config names it pushes and collects
with every row in its own schema, and each way the server can fail is a Korean StoreError that
names the server (never the password), leaves no half transaction and recovers on the next use."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Any
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from mallbatch.errors import StoreError
from mallbatch.store import PostgresStore, open_store
from mallbatch.store.journal import Command
from mallbatch.store.postgres import Server
from mallbatch.workspace import Workspace, init_workspace
from tests.pipeline_helpers import products_file


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(home), *args],
                          capture_output=True, text=True, timeout=300)


def test_a_workspace_on_postgres_keeps_every_row_in_its_schema_and_another_schema_sees_none(
        sim_workspace: Callable[..., tuple[Workspace, dict]], pg_url: str, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("AGENCY_STORE", pg_url)
    store_lines = '[store]\nurl = "env:AGENCY_STORE"\nschema = "seller_0001"\n'
    ws, servers = sim_workspace(("coupang",), rate_limit=300, store=store_lines)
    assert not ws.store_path.exists()
    pushed = cli(ws.home, "push", str(products_file(ws, tmp_path / "상품.xlsx", 3)))
    assert pushed.returncode == 0, pushed.stderr
    servers["coupang"].simulator.generate(4, 0, 0)
    collected = cli(ws.home, "collect", "--mall", "coupang", "--kind", "orders")
    assert collected.returncode == 0, collected.stderr
    assert not ws.store_path.exists() and ws.used  # nothing in a local SQLite file

    with psycopg.connect(pg_url) as db:
        count = lambda table: db.execute(f"SELECT COUNT(*) FROM seller_0001.{table}").fetchone()[0]  # noqa: E731
        assert count("bindings") == 3 and count("records") >= 4
        assert db.execute("SELECT to_regclass('public.records')").fetchone()[0] is None

    other, _ = init_workspace(tmp_path / "seller2")
    config = other.home / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + store_lines.replace("seller_0001", "seller_0002"), encoding="utf-8")
    other = Workspace.open(other.home)
    assert not other.used
    with open_store(other) as store:
        assert store.dialect == "postgres" and store.records.count("orders") == 0
        assert store.journal.bound_codes() == set() and store.journal.counts() == {}
    with open_store(ws) as store:
        assert store.records.count("orders") >= 4 and len(store.journal.bound_codes()) == 3


def _with(url: str, **changes: str) -> str:
    return make_conninfo(**{**conninfo_to_dict(url), **changes})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _error(url: str) -> str:
    with pytest.raises(StoreError) as caught:
        PostgresStore(Server(url, "seller"))
    return str(caught.value)


def test_unreachable_server_wrong_password_and_missing_database(pg_url: str) -> None:
    port = _free_port()  # nothing listens there
    unreachable = _error(_with(pg_url, port=str(port)))
    assert f"127.0.0.1:{port}/" in unreachable and "연결하지 못했습니다" in unreachable and "[store] url" in unreachable
    wrong = _error(_with(pg_url, password="not-the-password-42"))
    assert "접속을 거절했습니다" in wrong and "비밀번호" in wrong and "not-the-password-42" not in wrong
    name = conninfo_to_dict(pg_url)["dbname"]
    missing = _error(_with(pg_url, dbname=f"{name}_gone"))
    assert f"/{name}_gone" in missing and "데이터베이스가 없습니다" in missing
    password = str(conninfo_to_dict(pg_url).get("password") or "")
    for message in (unreachable, wrong, missing):
        assert not password or password not in message


def test_a_connection_killed_mid_transaction_leaves_nothing_and_the_next_use_reconnects(pg_url: str) -> None:
    with PostgresStore(Server(pg_url, "seller")) as store, psycopg.connect(pg_url, autocommit=True) as admin:
        with pytest.raises(StoreError) as caught:
            with store.transaction() as db:
                db.execute("INSERT INTO products(code, data, updated_at) VALUES ('HALF', '{}', 'now')")
                pid = store.pg_connection.info.backend_pid
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                db.execute("INSERT INTO products(code, data, updated_at) VALUES ('OTHER', '{}', 'now')")
        message = str(caught.value)
        assert "끊겼습니다" in message and "되돌려졌습니다" in message and conninfo_to_dict(pg_url)["dbname"] in message
        assert store.product_codes() == []  # reconnected; the half transaction is gone
        command = store.journal.register(Command.new("coupang", "기본", "create", "NK1", {}))
        assert store.journal.get(command.idem_key) is not None


def test_a_connection_lost_between_uses_fails_one_statement_and_the_next_reconnects(pg_url: str) -> None:
    with PostgresStore(Server(pg_url, "seller")) as store, psycopg.connect(pg_url, autocommit=True) as admin:
        store.save_products([{"code": "A"}])
        with store.transaction():
            pid = store.pg_connection.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError):  # the first statement finds the connection dead: nothing was half done
            store.product_codes()
        assert store.product_codes() == ["A"]


def _connections(admin: psycopg.Connection[Any]) -> int:
    return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                         ).fetchone()[0]  # type: ignore[index]


def test_many_open_stores_of_one_server_share_a_few_connections_and_each_keeps_its_schema(pg_url: str) -> None:
    """An agency's watcher keeps a store open per seller: 40 open stores must not be 40 logins."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        stores = [PostgresStore(Server(pg_url, f"seller_{n:02d}")) for n in range(40)]
        try:
            for round_ in range(3):
                for n, store in enumerate(stores):
                    store.save_products([{"code": f"S{n}-{round_}"}])
                    with store.transaction() as db:
                        db.execute("SELECT 1")
            assert _connections(admin) <= 2
            for n, store in enumerate(stores):  # a reused connection was set to each store's own schema
                assert store.product_codes() == [f"S{n}-0", f"S{n}-1", f"S{n}-2"]
        finally:
            for store in stores:
                store.close()
