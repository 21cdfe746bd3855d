"""The queue's schema across procrastinate upgrades: a queue made by an older procrastinate (built here from
procrastinate's own migration files, as that version left it) is brought to the installed version's shape
when a worker starts; a queue newer than the installed procrastinate is refused in Korean, untouched."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import psycopg
import pytest
from procrastinate.schema import SchemaManager

from mallbatch.errors import ConfigError
from mallbatch.jobs.queue import JOBS_SCHEMA
from mallbatch.jobs.schema import ensure_schema
from tests.conftest import fresh_database


@pytest.fixture
def second_url(pg_url: str) -> Iterator[str]:
    """Another fresh database on the same server, for the schema as the installed procrastinate makes it."""
    with fresh_database(pg_url) as url:
        yield url


def shape(url: str) -> set[tuple[str, ...]]:
    """What the queue's schema holds: tables and columns, functions with their arguments, enum values, triggers."""
    with psycopg.connect(url) as db:
        found = {("column", t, c, d) for t, c, d in db.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema=%s", (JOBS_SCHEMA,))}
        found |= {("function", n, a) for n, a in db.execute(
            "SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace "
            "WHERE s.nspname=%s", (JOBS_SCHEMA,))}
        found |= {("enum", t, v) for t, v in db.execute(
            "SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace s "
            "ON s.oid = t.typnamespace WHERE s.nspname=%s", (JOBS_SCHEMA,))}
        found |= {("trigger", r, t) for r, t in db.execute(
            "SELECT c.relname, g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace s "
            "ON s.oid = c.relnamespace WHERE s.nspname=%s AND NOT g.tgisinternal", (JOBS_SCHEMA,))}
    return found


def stamp(url: str) -> str | None:
    with psycopg.connect(url) as db:
        return db.execute("SELECT obj_description(%s::regnamespace, 'pg_namespace')", (JOBS_SCHEMA,)).fetchone()[0]


def as_left_by(url: str, old: str) -> None:
    """The queue as procrastinate ``old`` (e.g. "3.3.0") left it: every migration up to that version, each in turn."""
    wanted = tuple(int(p) for p in old.split("."))
    files = sorted(Path(SchemaManager.get_migrations_path()).glob("*.sql"))
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{JOBS_SCHEMA}"')
        for path in files:
            if tuple(int(p) for p in path.name.split("_")[0].split(".")) > wanted:
                break
            with db.transaction():
                db.execute(f'SET LOCAL search_path TO "{JOBS_SCHEMA}"')
                db.execute(path.read_text("utf-8"))  # type: ignore[call-overload]  # procrastinate's own SQL
        db.execute(f"COMMENT ON SCHEMA \"{JOBS_SCHEMA}\" IS 'procrastinate {old}'")


def test_a_queue_left_by_an_older_procrastinate_is_migrated_to_the_installed_one(pg_url: str, second_url: str) -> None:
    ensure_schema(second_url)
    current = shape(second_url)
    assert stamp(second_url) == f"procrastinate {version('procrastinate')}"

    as_left_by(pg_url, "3.3.0")
    assert shape(pg_url) != current  # 3.4.0 added the retried event and procrastinate_retry_job_v2
    ensure_schema(pg_url)
    assert shape(pg_url) == current
    assert stamp(pg_url) == f"procrastinate {version('procrastinate')}"
    ensure_schema(pg_url)  # up to date: nothing applied again
    assert shape(pg_url) == current


def test_a_queue_made_before_stamps_is_stamped_as_it_is(pg_url: str) -> None:
    ensure_schema(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(f'COMMENT ON SCHEMA "{JOBS_SCHEMA}" IS NULL')
    made = shape(pg_url)
    ensure_schema(pg_url)
    assert shape(pg_url) == made and stamp(pg_url) == f"procrastinate {version('procrastinate')}"


def test_a_queue_newer_than_the_installed_procrastinate_is_refused_and_left_alone(pg_url: str) -> None:
    ensure_schema(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(f"COMMENT ON SCHEMA \"{JOBS_SCHEMA}\" IS 'procrastinate 99.1.0'")
    made = shape(pg_url)
    with pytest.raises(ConfigError) as info:
        ensure_schema(pg_url)
    message = str(info.value)
    assert "99.1.0" in message and version("procrastinate") in message and "pip install" in message, message
    assert shape(pg_url) == made and stamp(pg_url) == "procrastinate 99.1.0"
