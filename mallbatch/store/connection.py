"""The store's SQLite connection: every failure that is about the file or the disk
(damaged, not a database, disk full, unwritable, locked too long) becomes a
:class:`~mallbatch.errors.StoreError` whose Korean message names the file, says what
happened and what to do.

Translation sits on the connection and its cursors, so reads streamed row by row are
covered as well as writes. Errors that are our own bugs (syntax, constraints) pass through.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mallbatch.errors import StoreError

DAMAGED, FULL, IO, DENIED, BUSY = "damaged", "full", "io", "denied", "busy"
_SQLITE = {
    sqlite3.SQLITE_CORRUPT: DAMAGED, sqlite3.SQLITE_NOTADB: DAMAGED, sqlite3.SQLITE_FULL: FULL,
    sqlite3.SQLITE_IOERR: IO, sqlite3.SQLITE_CANTOPEN: DENIED, sqlite3.SQLITE_READONLY: DENIED,
    sqlite3.SQLITE_PERM: DENIED, sqlite3.SQLITE_AUTH: DENIED, sqlite3.SQLITE_BUSY: BUSY, sqlite3.SQLITE_LOCKED: BUSY,
}
_OS = {errno.ENOSPC: FULL, errno.EDQUOT: FULL, errno.EACCES: DENIED, errno.EPERM: DENIED, errno.EROFS: DENIED}
RESEND_SAFE = "쇼핑몰에 이미 보낸 것은 다시 실행해도 두 번 보내지 않습니다 (보내던 요청은 쇼핑몰에서 먼저 확인합니다)."


def _message(path: Path, kind: str, detail: str) -> str:
    if kind == DAMAGED:
        return (f"상태 저장소 {path} 이(가) 손상되어 쓸 수 없습니다 ({detail}). 손상된 저장소로는 아무것도 보내지 않습니다. "
                f"mallbatch 를 모두 멈추고, 백업해 둔 mallbatch.db 로 이 파일을 바꾼 뒤 다시 실행하세요 "
                f"(같은 폴더의 mallbatch.db-wal, mallbatch.db-shm 은 지우세요). 백업이 없으면 이 파일을 다른 이름으로 옮기면 "
                f"새 저장소로 시작합니다: 상품 등록은 쇼핑몰에서 자체상품코드로 먼저 확인하므로 두 번 등록되지 않지만, "
                f"그동안의 연동이력과 수집 기록은 새 저장소에 없습니다.")
    if kind == FULL:
        return (f"디스크 공간이 부족해 상태 저장소 {path} 에 기록하지 못했습니다. 이 작업은 여기서 멈췄습니다. "
                f"{path.parent} 이(가) 있는 디스크의 공간을 확보한 뒤 같은 명령을 다시 실행하세요. {RESEND_SAFE}")
    if kind == DENIED:
        return (f"상태 저장소 {path} 를 열거나 쓸 수 없습니다 (권한이 없거나 읽기 전용입니다). 이 작업은 여기서 멈췄습니다. "
                f"{path.parent} 폴더와 파일을 이 사용자가 쓸 수 있는지 확인하거나, config.toml 의 [workspace] state 로 "
                f"이 컴퓨터의 다른 로컬 폴더를 지정하세요. {RESEND_SAFE}")
    if kind == BUSY:
        return (f"상태 저장소 {path} 를 다른 mallbatch 가 오래 쓰고 있어 기다리다 멈췄습니다. "
                f"다른 mallbatch 명령이 끝난 뒤 다시 실행하세요. {RESEND_SAFE}")
    return (f"상태 저장소 {path} 를 디스크에서 읽거나 쓰지 못했습니다 (입출력 오류: {detail}). 이 작업은 여기서 멈췄습니다. "
            f"디스크 공간과 연결(USB·외장 디스크·네트워크 드라이브)을 확인한 뒤 다시 실행하세요. {RESEND_SAFE}")


def store_error(path: Path, exc: sqlite3.Error | OSError) -> StoreError | None:
    """The seller-facing error for ``exc`` on the store at ``path``; None for our own bugs."""
    if isinstance(exc, OSError):
        return StoreError(_message(path, _OS.get(exc.errno or 0, IO), exc.strerror or type(exc).__name__))
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    kind = _SQLITE.get(code)
    if kind is None:
        return None
    detail = "SQLite 데이터베이스 파일이 아닙니다" if code == sqlite3.SQLITE_NOTADB else \
        "내용이 깨졌거나 잘렸습니다" if code == sqlite3.SQLITE_CORRUPT else str(exc)
    return StoreError(_message(path, kind, detail))


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """Raise a StoreError for file and disk failures inside the block (sqlite3 or the OS)."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        error = store_error(path, exc)
        if error is None:
            raise
        raise error from exc


class Cursor(sqlite3.Cursor):
    @property
    def _path(self) -> Path:
        return self.connection.path  # type: ignore[attr-defined,no-any-return]

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        with translated(self._path):
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor:
        with translated(self._path):
            return super().executemany(sql, parameters)

    def fetchone(self) -> Any:
        with translated(self._path):
            return super().fetchone()

    def fetchall(self) -> list[Any]:
        with translated(self._path):
            return super().fetchall()

    def __next__(self) -> Any:
        with translated(self._path):
            return super().__next__()


class Connection(sqlite3.Connection):
    """sqlite3's connection whose ``execute`` cursors translate file and disk failures."""

    path: Path

    def cursor(self, factory: Any = Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        return self.cursor().execute(sql, parameters)  # type: ignore[no-any-return]

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor:
        return self.cursor().executemany(sql, parameters)  # type: ignore[no-any-return]


def connect(path: Path) -> Connection:
    with translated(path):
        db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30, factory=Connection)
    db.path = path
    return db  # type: ignore[return-value]
