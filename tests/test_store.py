"""The store on both engines (SQLite always, PostgreSQL with a server): migrations applied once,
products and groups kept, a failed transaction leaving nothing; SQLite's durable settings."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

from mallbatch.store import Store
from mallbatch.store.migrations import MIGRATIONS


def open_store(tmp_path: Path) -> Store:
    return Store(tmp_path / "state" / "mallbatch.db")


def tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_wal_and_full_sync(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # WAL is a property of the file: a plain connection sees it too.
    with sqlite3.connect(tmp_path / "state" / "mallbatch.db") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_run_once_and_set_user_version(tmp_path: Path) -> None:
    path = tmp_path / "state" / "mallbatch.db"
    with Store(path) as store:
        assert store.version == len(MIGRATIONS) >= 1
        assert {"files", "products", "sales_groups", "commands"} <= tables(store.db)
        store.save_products([{"code": "NK1001", "name": "실버 목걸이"}])
    statements: list[str] = []
    # Reopening would fail on CREATE TABLE if the migrations ran again; then run the
    # migration step once more with a trace: it sees the version and changes nothing.
    with Store(path) as store:
        assert store.version == len(MIGRATIONS)
        assert store.product("NK1001") == {"code": "NK1001", "name": "실버 목걸이"}
        store.db.set_trace_callback(statements.append)
        store._migrate()
        assert store.version == len(MIGRATIONS)
    assert statements and not any("CREATE" in s.upper() or "USER_VERSION=" in s.upper() for s in statements), statements


def test_reopen_keeps_data_and_version(store_factory: Callable[..., Store]) -> None:
    with store_factory() as store:
        store.save_groups([{"mall": "coupang", "account": "기본", "group": "쿠팡 기본", "sale_price": 25000}])
    for _ in range(2):
        with store_factory() as store:
            assert store.version == len(MIGRATIONS)
            assert store.group_keys() == {("coupang", "기본", "쿠팡 기본")}


def test_older_database_is_upgraded(tmp_path: Path) -> None:
    """A database created at version 0 (empty) is brought to the latest version."""
    path = tmp_path / "state" / "mallbatch.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE unrelated (x)")
    with Store(path) as store:
        assert store.version == len(MIGRATIONS)
        assert "products" in tables(store.db) and "unrelated" in tables(store.db)


def test_save_and_load_products(store_factory: Callable[..., Store]) -> None:
    with store_factory() as store:
        product = {"code": "NK1001", "name": "실버 목걸이", "cost_price": 23000, "made_on": dt.date(2026, 5, 1),
                   "option_use": True, "groups": "쿠팡 기본"}
        store.save_products([product, {"code": "AB0001", "name": "머그컵"}], "sha-1")
        loaded = store.product("NK1001")
        assert loaded is not None
        assert loaded["cost_price"] == 23000 and loaded["option_use"] is True
        assert loaded["made_on"] == "2026-05-01"  # dates are kept as ISO text
        assert store.product_codes() == ["AB0001", "NK1001"]
        assert store.product("XX") is None

        store.save_products([{**product, "name": "골드 목걸이"}], "sha-2")  # same code: updated
        assert store.product("NK1001")["name"] == "골드 목걸이"
        assert store.product_codes() == ["AB0001", "NK1001"]
        source = store.db.execute("SELECT source_sha FROM products WHERE code='NK1001'").fetchone()[0]
        assert source == "sha-2"


def test_save_and_load_groups(store_factory: Callable[..., Store]) -> None:
    with store_factory() as store:
        coupang = {"mall": "coupang", "account": "기본", "group": "기본 그룹", "list_price": 30000, "sale_price": 25000}
        naver = {**coupang, "mall": "smartstore"}
        store.save_groups([coupang, naver])
        assert store.group_keys() == {("coupang", "기본", "기본 그룹"), ("smartstore", "기본", "기본 그룹")}
        assert [g["mall"] for g in store.groups_named("기본 그룹")] == ["coupang", "smartstore"]
        store.save_groups([{**coupang, "sale_price": 20000}])  # same (mall, account, name): updated
        assert [g["sale_price"] for g in store.groups_named("기본 그룹")] == [20000, 25000]
        assert store.groups_named("없음") == []


def test_failed_transaction_rolls_back(store_factory: Callable[..., Store]) -> None:
    with store_factory() as store:
        try:
            with store.transaction() as db:
                db.execute("INSERT INTO products(code, data, updated_at) VALUES ('X1', '{}', 'now')")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert store.product("X1") is None
        store.save_products([{"code": "X2"}])  # the connection is usable afterwards
        assert store.product_codes() == ["X2"]


def test_rows_by_name_and_position_and_text_in_byte_order(store_factory: Callable[..., Store]) -> None:
    """What every store module relies on, the same on both engines: ``?`` parameters (a ``%`` and a
    ``?`` inside a literal are text), rows by name and position, ``dict(row)``, SQLite's byte order."""
    with store_factory() as store:
        store.save_products([{"code": c} for c in ("b", "B", "가", "_a", "a%?")])
        assert store.product_codes() == ["B", "_a", "a%?", "b", "가"]
        row = store.db.execute("SELECT code, source_sha FROM products WHERE code=? AND '?%' = '?%'", ("a%?",)).fetchone()
        assert (row[0], row["code"], dict(row)) == ("a%?", "a%?", {"code": "a%?", "source_sha": ""})


def test_a_second_schema_sees_none_of_the_first(store_factory: Callable[..., Store]) -> None:
    """Per-seller isolation: one PostgreSQL database, a schema each (on SQLite: a file each)."""
    with store_factory("seller_a") as first, store_factory("seller_b") as second:
        first.save_products([{"code": "A1"}])
        first.records.set_watermark("coupang", "기본", "orders", dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
        assert second.product_codes() == [] and second.records.watermarks() == []
        assert first.version == second.version == len(MIGRATIONS)
