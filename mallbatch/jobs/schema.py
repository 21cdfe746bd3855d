"""The queue's tables, kept at the installed procrastinate's shape.

procrastinate's schema manager makes them; the schema (``mallbatch_jobs``) is then stamped with the
procrastinate version that made it (a comment on the schema). A worker or watcher of a newer install
brings an older queue up with procrastinate's own migration files, each in its own transaction, in
their order (the files are named by the version that brought them); a queue stamped newer than the
installed procrastinate is refused (its code may not run on that queue), untouched. A queue made before
stamps were kept is stamped with the installed version: until then only one procrastinate schema was
ever made by mallbatch (3.10).
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from procrastinate.schema import SchemaManager

from mallbatch.errors import ConfigError
from mallbatch.jobs.queue import JOBS_SCHEMA, masked

log = logging.getLogger("mallbatch.jobs")
_SCHEMA_LOCK = 7_150_015  # advisory lock: two processes starting at once apply the schema once
STAMP = "procrastinate "

Version = tuple[int, ...]


def parse(text: str) -> Version:
    """``3.10.0`` and a migration file's ``03.04.00`` alike; what is not a number stops the version."""
    parts: list[int] = []
    for part in text.split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def migrations(after: Version, upto: Version) -> list[Path]:
    """procrastinate's migration files that came after ``after`` and up to ``upto``, in order."""
    files = sorted(Path(SchemaManager.get_migrations_path()).glob("*.sql"))
    return [path for path in files if after < parse(path.name.split("_")[0]) <= upto]


def ensure_schema(url: str) -> None:
    """procrastinate's schema, made once and kept at the installed version (a second call does nothing)."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            _ensure(db, url)
        finally:
            db.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def _ensure(db: psycopg.Connection[Any], url: str) -> None:
    now = version("procrastinate")
    db.execute(f'CREATE SCHEMA IF NOT EXISTS "{JOBS_SCHEMA}"')
    present = db.execute("SELECT to_regclass(%s)", (f"{JOBS_SCHEMA}.procrastinate_jobs",)).fetchone()
    if present is None or present[0] is None:
        with db.transaction():
            db.execute(f'SET LOCAL search_path TO "{JOBS_SCHEMA}"')
            db.execute(SchemaManager.get_schema())  # type: ignore[arg-type]  # no parameters: '%' is literal
            _stamp(db, now)
        log.info("작업 대기열 테이블을 만들었습니다 (%s, 스키마 %s, procrastinate %s)", masked(url), JOBS_SCHEMA, now)
        return
    row = db.execute("SELECT obj_description(%s::regnamespace, 'pg_namespace')", (JOBS_SCHEMA,)).fetchone()
    stamped = row[0] if row and row[0] and str(row[0]).startswith(STAMP) else None
    if stamped is None:
        _stamp(db, now)
        return
    made = str(stamped).removeprefix(STAMP)
    if parse(made) > parse(now):
        raise ConfigError(
            f"작업 대기열({masked(url)}, 스키마 {JOBS_SCHEMA})은 procrastinate {made} 로 만들어졌는데 이 컴퓨터에는 "
            f"procrastinate {now} 가 설치되어 있습니다. 이 컴퓨터의 mallbatch 를 다른 컴퓨터와 같은 버전으로 올리세요 "
            "(pip install -U -e . 또는 pip install -U procrastinate).")
    if parse(made) == parse(now):
        return
    for path in migrations(parse(made), parse(now)):
        with db.transaction():
            db.execute(f'SET LOCAL search_path TO "{JOBS_SCHEMA}"')
            db.execute(path.read_text("utf-8"))  # type: ignore[call-overload]  # procrastinate's own SQL
        log.info("작업 대기열을 procrastinate %s → %s 로 올리는 중: %s 적용", made, now, path.name)
    _stamp(db, now)
    log.info("작업 대기열을 procrastinate %s 에 맞췄습니다 (%s)", now, masked(url))


def _stamp(db: psycopg.Connection[Any], made: str) -> None:
    db.execute(f"COMMENT ON SCHEMA \"{JOBS_SCHEMA}\" IS '{STAMP}{made}'")  # a version: digits and dots
