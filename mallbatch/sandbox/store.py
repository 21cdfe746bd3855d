"""Simulator state in SQLite, so a ``collect`` after a ``push`` sees what was pushed,
even across processes and restarts.

Entities are JSON documents keyed by (mall, kind, key). ``audit`` records every
committed write, which is what exactly-once tests count.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS entity (
    mall TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
    data TEXT NOT NULL, updated_at TEXT NOT NULL, ord REAL,
    PRIMARY KEY (mall, kind, key));
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, mall TEXT NOT NULL, op TEXT NOT NULL,
    key TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_key ON audit(mall, op, key);
CREATE TABLE IF NOT EXISTS counter (mall TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (mall, name));
"""


_NAME = re.compile(r"[a-z_]+")
_PATH = re.compile(r"\$(\.[A-Za-z_]+(\[\d+\])?)+")


class SimStore:
    """One mall's view of the shared simulator database. Thread-safe."""

    def __init__(self, path: Path | str, mall: str) -> None:
        self.mall = mall
        self.workspace = workspace_id(path)
        self.state_dir = "" if str(path) == ":memory:" else os.path.realpath(Path(path).parent)
        self._lock = threading.RLock()
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(SCHEMA)
        if "ord" not in {r[1] for r in self._db.execute("PRAGMA table_info(entity)")}:  # databases from before ord
            self._db.execute("ALTER TABLE entity ADD COLUMN ord REAL")
        self._db.execute("CREATE INDEX IF NOT EXISTS entity_ord ON entity(mall, kind, ord)")
        # kind → numeric field kept in the indexed ``ord`` column, for time-range reads (see between)
        self.order_fields: dict[str, str] = {}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All state changes of one request commit together (or not at all)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM entity WHERE mall=? AND kind=? AND key=?", (self.mall, kind, str(key))
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        field = self.order_fields.get(kind)
        order = data.get(field) if field else None
        with self._lock:
            self._db.execute(
                "INSERT INTO entity(mall, kind, key, data, updated_at, ord) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(mall, kind, key) DO UPDATE SET data=excluded.data, updated_at=excluded.updated_at, ord=excluded.ord",
                (self.mall, kind, str(key), json.dumps(data, ensure_ascii=False, default=str), _now(), order),
            )

    def between(self, kind: str, low: float, high: float, *, from_key: str = "", limit: int = -1) -> list[dict[str, Any]]:
        """Entities whose ``order_fields[kind]`` value is in [low, high), ordered by (value, key).

        ``from_key`` skips keys before it at exactly ``low`` (cursor paging); ``limit`` caps the page.
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM entity WHERE mall=? AND kind=? AND ord>=? AND ord<? AND (ord>? OR key>=?) "
                "ORDER BY ord, key LIMIT ?",
                (self.mall, kind, low, high, low, from_key, limit),
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def find(self, kind: str, path: str, value: str) -> list[dict[str, Any]]:
        """Entities of ``kind`` whose JSON ``path`` (e.g. ``$.sellerProdCode``) equals ``value``, oldest
        first, through an expression index made on first use: a lookup by 자체상품코드 before every
        create must not scan every product."""
        if not _NAME.fullmatch(kind) or not _PATH.fullmatch(path):
            raise ValueError(f"not a simple kind/path: {kind} {path}")
        index = "entity_" + re.sub(r"\W", "_", f"{kind}{path}")
        with self._lock:
            self._db.execute(f"CREATE INDEX IF NOT EXISTS {index} ON entity(mall, json_extract(data, '{path}')) "
                             f"WHERE kind='{kind}'")
            rows = self._db.execute(
                f"SELECT data FROM entity WHERE mall=? AND kind='{kind}' AND json_extract(data, '{path}')=? ORDER BY rowid",
                (self.mall, value)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def all(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM entity WHERE mall=? AND kind=? ORDER BY rowid", (self.mall, kind)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def keys(self, kind: str) -> list[str]:
        """Keys only, in insertion order: picking from them decodes nothing."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key FROM entity WHERE mall=? AND kind=? ORDER BY rowid", (self.mall, kind)
            ).fetchall()
        return [r[0] for r in rows]

    def count(self, kind: str) -> int:
        with self._lock:
            return int(self._db.execute(
                "SELECT COUNT(*) FROM entity WHERE mall=? AND kind=?", (self.mall, kind)
            ).fetchone()[0])

    def next_id(self, name: str, start: int) -> int:
        """Monotonic ids per mall and name (order numbers, product numbers …)."""
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM counter WHERE mall=? AND name=?", (self.mall, name)
            ).fetchone()
            value = (row[0] + 1) if row else start
            self._db.execute(
                "INSERT INTO counter(mall, name, value) VALUES (?,?,?) "
                "ON CONFLICT(mall, name) DO UPDATE SET value=excluded.value",
                (self.mall, name, value),
            )
            return value

    def audit(self, op: str, key: str, detail: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO audit(mall, op, key, detail, at) VALUES (?,?,?,?,?)",
                (self.mall, op, str(key), json.dumps(detail or {}, ensure_ascii=False, default=str), _now()),
            )

    def audit_counts(self, op: str) -> dict[str, int]:
        """How many times each key had ``op`` applied: exactly-once tests assert all are 1."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, COUNT(*) FROM audit WHERE mall=? AND op=? GROUP BY key", (self.mall, op)
            ).fetchall()
        return {k: n for k, n in rows}


    def audit_totals(self) -> list[tuple[str, str, int]]:
        """(op, key, how many times) of every write applied: a benchmark's "nothing twice" over all ops at once."""
        with self._lock:
            rows = self._db.execute(
                "SELECT op, key, COUNT(*) FROM audit WHERE mall=? GROUP BY op, key ORDER BY op, key", (self.mall,)
            ).fetchall()
        return [(op, key, n) for op, key, n in rows]


def workspace_id(path: Path | str) -> str:
    """Which workspace a sandbox database belongs to: its resolved path, hashed.

    Two workspaces never share a sandbox database, so their simulators never share an id;
    a simulator states it and a client compares it with its own before using the simulator.
    """
    if str(path) == ":memory:":
        return f"memory-{uuid.uuid4().hex[:12]}"
    resolved = os.path.normcase(unicodedata.normalize("NFC", os.path.realpath(path)))
    return hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).isoformat()
