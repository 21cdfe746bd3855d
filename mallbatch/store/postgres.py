"""The store's PostgreSQL connection (psycopg 3): ``?`` SQL as the SQLite side writes it, rows
indexable by name and position, and every failure about the server (unreachable, login refused,
database missing, disk full, connection lost) as a :class:`~mallbatch.errors.StoreError` whose Korean
message names the server as ``host:port/database`` (never the password) and says what to do.

Connections are this process's, shared by every store on the same server (:class:`Idle`): a
statement outside :meth:`PgDb.transaction` borrows one for itself (autocommit: a read is its own
statement), a transaction holds one until it commits. So a worker's jobs reuse connections instead
of logging in for each, and a watcher serving 500 sellers holds one connection, not 500. A store
sets its schema on a borrowed connection only when the connection's last user had another. A
connection lost in a transaction fails that transaction as a whole (the server rolls it back); the
idle ones opened before it are dropped too (a restarted server has closed them all) and the next
use connects again. Not psycopg_pool: its background connecting retries a refused login or a
missing database for minutes, where a seller must read at once what is wrong.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors as pgerrors
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict

from mallbatch.errors import StoreError
from mallbatch.redact import register
from mallbatch.store.connection import RESEND_SAFE
from mallbatch.store.dialect import pg_placeholders

CONNECT_SECONDS = 10
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


@dataclass(frozen=True)
class Server:
    """Where the store lives: the URL (secret: it may hold the password) and the schema of this workspace."""

    url: str
    schema: str = "public"

    def __post_init__(self) -> None:
        password = self.parts.get("password")
        if password:
            register(str(password))  # masked in anything logged from now on

    @property
    def parts(self) -> dict[str, Any]:
        try:
            return conninfo_to_dict(self.url)
        except psycopg.ProgrammingError:
            return {}

    @property
    def where(self) -> str:
        """``host:port/database`` as the seller wrote it, without user or password."""
        parts = self.parts
        return f"{parts.get('host') or 'localhost'}:{parts.get('port') or 5432}/{parts.get('dbname') or parts.get('user') or '?'}"

    @property
    def user(self) -> str:
        return str(self.parts.get("user") or "")

    def __repr__(self) -> str:
        return f"Server({self.where!r}, schema={self.schema!r})"

    __str__ = __repr__


class Row(tuple):  # type: ignore[type-arg]
    """A result row by position (``row[0]``) or column name (``row["code"]``); ``dict(row)`` works like sqlite3.Row."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._index = index
        return row
    return make


def _message(server: Server, kind: str) -> str:
    where = f"PostgreSQL 상태 저장소 {server.where}"
    if kind == "unreachable":
        return (f"{where} 에 연결하지 못했습니다 (서버가 꺼져 있거나, 주소·포트가 틀렸거나, 방화벽이 막고 있습니다). "
                f"이 작업은 여기서 멈췄습니다. 서버가 켜져 있는지와 config.toml [store] url 의 주소·포트를 확인한 뒤 "
                f"다시 실행하세요. {RESEND_SAFE}")
    if kind == "auth":
        return (f"{where} 이(가) 사용자 '{server.user}' 의 접속을 거절했습니다 (비밀번호가 틀렸거나 이 사용자에게 접속 권한이 없습니다). "
                f"이 작업은 여기서 멈췄습니다. config.toml [store] url 의 사용자와 비밀번호(env: 로 적었다면 그 환경변수)를 "
                f"확인한 뒤 다시 실행하세요.")
    if kind == "database":
        return (f"{where}: 서버에 이 데이터베이스가 없습니다. 이 작업은 여기서 멈췄습니다. 서버 관리자에게 데이터베이스를 "
                f"만들어 달라고 하거나 config.toml [store] url 의 데이터베이스 이름을 고친 뒤 다시 실행하세요.")
    if kind == "full":
        return (f"{where} 서버의 디스크 공간이 부족해 기록하지 못했습니다. 이 작업은 여기서 멈췄고 이번 기록은 모두 "
                f"되돌렸습니다 (반만 저장된 것은 없습니다). 서버 관리자에게 디스크 공간 확보를 요청한 뒤 같은 명령을 다시 "
                f"실행하세요. {RESEND_SAFE}")
    if kind == "denied":
        return (f"{where} 에서 사용자 '{server.user}' 에게 스키마 '{server.schema}' 를 만들거나 쓸 권한이 없습니다 "
                f"(또는 서버가 읽기 전용입니다). 이 작업은 여기서 멈췄습니다. 서버 관리자에게 권한을 요청하거나 "
                f"config.toml [store] url·schema 를 고친 뒤 다시 실행하세요. {RESEND_SAFE}")
    if kind == "busy":
        return (f"{where} 이(가) 지금 접속을 받지 않습니다 (시작·종료 중이거나 접속 수가 한도에 찼습니다). "
                f"잠시 뒤 같은 명령을 다시 실행하세요. {RESEND_SAFE}")
    return (f"{where} 와(과)의 연결이 작업 도중 끊겼습니다. 끊긴 순간 하던 기록은 저장소에 반만 남지 않고 모두 되돌려졌습니다. "
            f"서버와 네트워크를 확인한 뒤 같은 명령을 다시 실행하세요 (다음에 쓸 때 다시 연결합니다). {RESEND_SAFE}")


_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (pgerrors.DiskFull, "full"), (pgerrors.OutOfMemory, "full"), (pgerrors.InsufficientPrivilege, "denied"),
    (pgerrors.ReadOnlySqlTransaction, "denied"), (pgerrors.InvalidCatalogName, "database"),
    (pgerrors.InvalidAuthorizationSpecification, "auth"), (pgerrors.InvalidPassword, "auth"),
    (pgerrors.CannotConnectNow, "busy"), (pgerrors.TooManyConnections, "busy"),
)
# libpq reports failures before a session exists as text only (no SQLSTATE).
_CONNECT_TEXT = (("password authentication failed", "auth"), ("authentication failed", "auth"),
                 ("no pg_hba.conf entry", "auth"), ("no password supplied", "auth"),
                 ("does not exist", "database"), ("the database system is", "busy"), ("too many clients", "busy"))


def store_error(server: Server, exc: psycopg.Error, *, connecting: bool = False) -> StoreError | None:
    """The seller-facing error for ``exc``; None for our own bugs (syntax, constraints)."""
    kind = next((k for cls, k in _KINDS if isinstance(exc, cls)), None)
    if kind is None and connecting and isinstance(exc, psycopg.OperationalError):
        text = str(exc)
        kind = next((k for fragment, k in _CONNECT_TEXT if fragment in text), "unreachable")
    if kind is None and isinstance(exc, psycopg.OperationalError):
        kind = "lost"  # AdminShutdown, a dropped socket, "the connection is closed"
    return None if kind is None else StoreError(_message(server, kind))


@contextmanager
def translated(server: Server, *, connecting: bool = False) -> Iterator[None]:
    try:
        yield
    except psycopg.Error as exc:
        error = store_error(server, exc, connecting=connecting)
        if error is None:
            raise
        raise error from None  # psycopg's text may quote the connection string


class Idle:
    """This process's idle connections to each server, with the schema each was last set to."""

    KEEP = 16  # idle connections kept per server; more are closed when given back

    def __init__(self) -> None:
        self._idle: dict[tuple[int, str], list[tuple[psycopg.Connection[Any], str]]] = {}
        self._lock = threading.Lock()

    def borrow(self, server: Server) -> psycopg.Connection[Any]:
        """An idle connection in ``server.schema``, or a new one (failures as StoreErrors)."""
        with self._lock:
            idle = self._idle.setdefault((os.getpid(), server.url), [])  # a forked child connects anew
            while idle:
                conn, schema = idle.pop()
                if not conn.closed:
                    break
            else:
                conn, schema = None, ""
        if conn is None:
            with translated(server, connecting=True):
                conn = psycopg.connect(server.url, autocommit=True, connect_timeout=CONNECT_SECONDS, row_factory=_row_factory)
        if schema != server.schema:
            with translated(server):
                try:
                    conn.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(server.schema)))
                except BaseException:
                    conn.close()
                    raise
        return conn

    def give_back(self, server: Server, conn: psycopg.Connection[Any]) -> None:
        """Keep ``conn`` for the next borrower when it is healthy and idle; a lost one drops every idle one."""
        healthy = not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self._lock:
            idle = self._idle.setdefault((os.getpid(), server.url), [])
            if healthy and len(idle) < self.KEEP:
                idle.append((conn, server.schema))
                return
            stale = [] if healthy else idle[:]
            if not healthy:
                idle.clear()
        conn.close()
        for old, _schema in stale:
            old.close()


IDLE = Idle()


class PgDb:
    """The store's connection as its modules use it: ``execute``/``executemany`` with ``?`` and
    sqlite3-like cursors. Thread-safe: statements and transactions hold the store's lock."""

    def __init__(self, server: Server, lock: threading.RLock) -> None:
        self.server = server
        self._lock = lock
        self._tx: psycopg.Connection[Any] | None = None  # the connection of the open transaction
        self._pinned: psycopg.Connection[Any] | None = None  # this store's own, for session state (see execute_pinned)

    def connection(self) -> psycopg.Connection[Any]:
        """The open transaction's connection."""
        if self._tx is None:
            raise RuntimeError("only inside PgDb.transaction()")
        if self._tx.closed:
            raise StoreError(_message(self.server, "lost"))
        return self._tx

    @contextmanager
    def _statement(self) -> Iterator[psycopg.Connection[Any]]:
        """The transaction's connection, or one borrowed for a single autocommit statement."""
        if self._tx is not None:
            yield self.connection()
            return
        conn = IDLE.borrow(self.server)
        try:
            yield conn
        finally:
            IDLE.give_back(self.server, conn)  # the rows are already read: a cursor outlives its connection's loan

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        with self._lock, self._statement() as conn, translated(self.server):
            return conn.execute(pg_placeholders(sql), tuple(parameters))  # type: ignore[arg-type]

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        with self._lock, self._statement() as conn:
            cursor = conn.cursor()
            with translated(self.server):
                cursor.executemany(pg_placeholders(sql), [tuple(p) for p in parameters])  # type: ignore[arg-type]
            return cursor

    @property
    def in_transaction(self) -> bool:
        return self._tx is not None

    @contextmanager
    def transaction(self) -> Iterator[PgDb]:
        """One server transaction: committed when the block ends, rolled back when it raises."""
        with self._lock:
            if self._tx is not None:  # nested: the outer transaction commits (as SQLite's would fail, we join)
                yield self
                return
            conn = IDLE.borrow(self.server)
            try:
                with translated(self.server):
                    conn.execute("BEGIN")
                self._tx = conn
                yield self
                with translated(self.server):
                    conn.execute("COMMIT")
            except BaseException:
                if not conn.closed:
                    try:
                        conn.execute("ROLLBACK")
                    except psycopg.Error:
                        conn.close()  # unusable: the next use connects again
                raise
            finally:
                self._tx = None
                IDLE.give_back(self.server, conn)

    def execute_pinned(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        """A statement on a connection this store keeps to itself until :meth:`close`, outside any transaction:
        for session state that must live exactly as long as the store (a claim owner's presence lock)."""
        with self._lock:
            if self._pinned is None or self._pinned.closed:
                self._pinned = IDLE.borrow(self.server)
            with translated(self.server):
                return self._pinned.execute(pg_placeholders(sql), tuple(parameters))  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the store's own connection (its session state ends with it); the borrowed ones are the process's."""
        with self._lock:
            if self._pinned is not None:
                self._pinned.close()
                self._pinned = None
