"""The store on its two engines. :class:`Store` is the embedded default, SQLite: WAL, synchronous=FULL (an in-flight mark must survive a power cut),
a busy timeout, explicit ``BEGIN IMMEDIATE`` transactions, and versioned migrations.

A damaged file, a full disk or an unwritable folder is a :class:`~mallbatch.errors.StoreError`
(see :mod:`mallbatch.store.connection`); a failed transaction leaves nothing behind. The
folder is created owner-only (0700) and the database files 0600 on POSIX: they hold
customers' personal data.

The database must live on a local disk (WAL does not work over SMB/NFS); ``[workspace]
state`` in config.toml may point elsewhere when the workspace is on a share.

:class:`PostgresStore` is the same store on a PostgreSQL server (``[store] url``), one schema per
workspace (``[store] schema``); :func:`open_store` picks the engine the workspace's config names.
Every query above the connection is the same SQL on both (see :mod:`mallbatch.store.dialect`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mallbatch.files import private_dir, private_file
from mallbatch.store.connection import connect, translated
from mallbatch.store.dialect import POSTGRES, SQLITE, json_number, pg_migration, statements
from mallbatch.store.journal import Journal
from mallbatch.store.kept import AccountKept
from mallbatch.store.migrations import MIGRATIONS
from mallbatch.store.postgres import PgDb, Server
from mallbatch.store.records import Records
from mallbatch.store.stock import Stock
from mallbatch.store.timestamps import now_iso

if TYPE_CHECKING:
    from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.store")


class Store:
    """Thin typed access to the tables; every write is one short transaction."""

    dialect = SQLITE

    def __init__(self, path: Path) -> None:
        with translated(path):
            private_dir(path.parent)  # customers' names, phones and addresses live here
            for suffix in ("", "-wal", "-shm"):  # SQLite gives -wal/-shm the database file's mode
                private_file(Path(f"{path}{suffix}"), create=not suffix)
        self.path = path
        self._lock = threading.RLock()
        self.db = connect(path)
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA busy_timeout=30000")
            self.db.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            self.db.close()
            raise
        self._open_tables()

    def _open_tables(self) -> None:
        """Bring the schema up to date (closing the connection if that fails), then the typed accessors."""
        try:
            self._migrate()
        except BaseException:
            self.db.close()
            raise
        self.journal = Journal(self)
        self.records = Records(self)
        self.stock = Stock(self)

    def close(self) -> None:
        self.journal.end_claims()  # a closed store sends nothing: what it left in flight is a dead claim
        self.db.close()

    def checkpoint(self) -> bool:
        """Copy the WAL into mallbatch.db now (fsynced), so a copy of that file alone, or the loss
        of ``-wal``/``-shm``, keeps every commit so far. False when a reader kept some frames back."""
        with self._lock:
            busy, frames, copied = self.db.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        if busy or copied < frames:
            log.warning("checkpoint of %s incomplete (%s of %s frames)", self.path, copied, frames)
            return False
        return True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self.transaction():
            current = self.version
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in statements(script):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number}")

    def kept(self, mall: str, account: str) -> AccountKept:
        """What connectors keep for this account (tokens, acknowledgements), shared by every worker."""
        return AccountKept(self, mall, account)

    def json_number(self, column: str, key: str) -> str:
        """SQL for the number at ``key`` of a JSON text column, in this store's dialect."""
        return json_number(self.dialect, column, key)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:  # SQLite may have rolled back itself (disk full, I/O error)
                    self.db.execute("ROLLBACK")
                raise

    # --- files -------------------------------------------------------------------------
    def file(self, sha256: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM files WHERE sha256=?", (sha256,)).fetchone()
        return dict(row) if row else None

    def recent_files(self, limit: int) -> list[dict[str, Any]]:
        """The files last handled, newest first."""
        return [dict(r) for r in self.db.execute("SELECT * FROM files ORDER BY updated_at DESC LIMIT ?", (limit,))]

    def record_file(self, sha256: str, name: str, state: str, kind: str = "", result_path: str = "") -> None:
        stamp = now_iso()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO files(sha256, name, kind, state, result_path, first_seen, updated_at) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT(sha256) DO UPDATE SET name=excluded.name, kind=excluded.kind, state=excluded.state, "
                "result_path=excluded.result_path, updated_at=excluded.updated_at",
                (sha256, name, kind, state, result_path, stamp, stamp),
            )

    # --- products and sales groups (seed 001: 저장) ---------------------------------------
    def save_products(self, products: list[dict[str, Any]], source_sha: str = "") -> None:
        stamp = now_iso()
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO products(code, data, source_sha, updated_at) VALUES (?,?,?,?) "
                "ON CONFLICT(code) DO UPDATE SET data=excluded.data, source_sha=excluded.source_sha, updated_at=excluded.updated_at",
                [(p["code"], _dump(p), source_sha, stamp) for p in products],
            )

    def product(self, code: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM products WHERE code=?", (code,)).fetchone()
        return _load(row[0]) if row else None

    def product_codes(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT code FROM products ORDER BY code")]

    def save_groups(self, groups: list[dict[str, Any]], source_sha: str = "") -> None:
        """``groups`` carry mall *codes* in ``mall``."""
        stamp = now_iso()
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO sales_groups(mall, account, name, data, source_sha, updated_at) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(mall, account, name) DO UPDATE SET data=excluded.data, source_sha=excluded.source_sha, "
                "updated_at=excluded.updated_at",
                [(g["mall"], g["account"], g["group"], _dump(g), source_sha, stamp) for g in groups],
            )

    def groups_named(self, name: str) -> list[dict[str, Any]]:
        return [_load(r[0]) for r in self.db.execute("SELECT data FROM sales_groups WHERE name=? ORDER BY mall, account", (name,))]

    def group_keys(self) -> set[tuple[str, str, str]]:
        return {(r[0], r[1], r[2]) for r in self.db.execute("SELECT mall, account, name FROM sales_groups")}


class PostgresStore(Store):
    """The store on PostgreSQL: every table of this workspace in its own schema (created when missing).

    The schema's version is the ``schema_version`` table (SQLite keeps it in ``PRAGMA user_version``);
    migrations are the same list, translated at apply time. Two processes opening a new schema at
    once migrate it once (an advisory lock)."""

    dialect = POSTGRES

    def __init__(self, server: Server) -> None:  # noqa: super().__init__ is SQLite's file handling
        self.server = server
        self._lock = threading.RLock()
        self.db = PgDb(server, self._lock)  # type: ignore[assignment]
        self._open_tables()

    def checkpoint(self) -> bool:
        """Nothing to copy: a committed PostgreSQL transaction is already on the server's disk."""
        return True

    @property
    def version(self) -> int:
        if self.db.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:
            return 0
        row = self.db.execute("SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        if self.version == len(MIGRATIONS):
            return  # the usual case, two reads: no lock, no DDL (a worker opens a store for every job)
        with self.transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"mallbatch-migrate:{self.server.schema}",))
            schema = self.server.schema.replace('"', '""')
            db.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = self.version
            for script in MIGRATIONS[current:]:
                for statement in statements(pg_migration(script)):
                    db.execute(statement)
            if current < len(MIGRATIONS):
                db.execute("DELETE FROM schema_version")
                db.execute("INSERT INTO schema_version(version) VALUES (?)", (len(MIGRATIONS),))

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.db.transaction() as db:  # type: ignore[attr-defined]
            yield db

    @property
    def pg_connection(self) -> Any:
        """The psycopg connection of the open :meth:`transaction` (procrastinate's defer joins it)."""
        if not self.db.in_transaction:
            raise RuntimeError("pg_connection is only valid inside store.transaction()")
        return self.db.connection()  # type: ignore[attr-defined]

    def close(self) -> None:
        self.journal.end_claims()  # a closed store sends nothing: what it left in flight is a dead claim
        self.db.close()


def _server(ws: Workspace) -> Server | None:
    url = ws.config.store_url
    return None if url is None else Server(url.reveal(), ws.config.store_schema)


def open_store(ws: Workspace) -> Store:
    """The workspace's store on the engine its config names: ``[store] url``, or the SQLite file."""
    server = _server(ws)
    return Store(ws.store_path) if server is None else PostgresStore(server)


def store_exists(ws: Workspace) -> bool:
    """Whether a command kept state in this workspace's store yet (without creating it)."""
    server = _server(ws)
    if server is None:
        return ws.store_path.exists()
    db = PgDb(server, threading.RLock())
    try:
        row = db.execute("SELECT to_regclass(?)", (f'"{server.schema}".schema_version',)).fetchone()
        return row[0] is not None
    finally:
        db.close()


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _load(text: str) -> Any:
    return json.loads(text)
