"""The job queue: procrastinate's tables in their own schema of the store's database.

One schema (``mallbatch_jobs``) holds the queue for every seller on the database, whatever
``[store] schema`` each seller's own tables use: workers take any seller's jobs. Jobs are
deferred on the caller's own connection (the store transaction that records what the job is
for), so the job and its row commit or roll back together.

Queues: ``files`` (dropped files and their retries), ``collect.<mall>`` (one per mall, so a slow
mall cannot starve the others), ``stock``, ``daily`` and ``status`` (each seller's 상태); files first, then stock (:data:`PRIORITY`).
A collection holds the lock of its seller×mall×account (two workers never collect one account at
once) and a queueing lock of its seller×mall×account×kind (the same collection never waits twice).
"""

from __future__ import annotations

from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector, SyncPsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued

from mallbatch.errors import ConfigError
from mallbatch.store.postgres import Server
from mallbatch.workspace import Workspace

JOBS_SCHEMA = "mallbatch_jobs"
FILES_QUEUE = "files"
STOCK_QUEUE = "stock"
DAILY_QUEUE = "daily"
STATUS_QUEUE = "status"
PROCESS_FILE = "mallbatch.process_file"
RETRY_FILE = "mallbatch.retry_file"
COLLECT = "mallbatch.collect"
STOCK_ROUND = "mallbatch.stock_round"
DAILY = "mallbatch.daily"
STATUS = "mallbatch.status"


def collect_queue(mall: str) -> str:
    return f"collect.{mall}"


def database_url(ws: Workspace) -> str | None:
    """The workspace's ``[store] url`` (``env:NAME`` resolved), or None for the embedded SQLite store."""
    url = ws.config.store_url
    return None if url is None else url.reveal()


def masked(url: str) -> str:
    """``url`` fit for a message: host, port and database, never the user's password."""
    return Server(url).where


def same_database(urls: dict[str, str]) -> str:
    """The one database every seller (name → url) uses; a ConfigError names the ones that differ."""
    by_place: dict[str, list[str]] = {}
    for seller, url in urls.items():
        by_place.setdefault(masked(url), []).append(seller)
    if len(by_place) > 1:
        listed = "; ".join(f"{place}: {', '.join(sorted(names))}" for place, names in sorted(by_place.items()))
        raise ConfigError(f"판매자 작업 폴더들이 서로 다른 데이터베이스를 씁니다 ({listed}). 대행사의 판매자는 모두 같은 "
                          "PostgreSQL 데이터베이스를 [store] url 로 쓰고, [store] schema 로 판매자마다 나눠 주세요.")
    return next(iter(urls.values()))


def worker_app(url: str) -> App:
    """The app a worker runs: an async pool on the queue's schema, with our tasks."""
    from mallbatch.jobs.tasks import tasks

    app = App(connector=PsycopgConnector(conninfo=url, kwargs={"options": f"-c search_path={JOBS_SCHEMA}"}))
    app.add_tasks_from(tasks, namespace="")
    return app


# Never opened: every defer runs on the caller's connection, in the caller's transaction.
_deferrer = App(connector=SyncPsycopgConnector())


# Workers take the highest first: a seller's dropped file is not queued behind an interval's thousands of
# collections, and a stock round (it keeps an item from being sold twice) goes before them too.
PRIORITY = {FILES_QUEUE: 20, STOCK_QUEUE: 10}


def defer(connection: psycopg.Connection[Any], task: str, *, queue: str, lock: str | None = None,
          queueing_lock: str | None = None, schedule_in: float | None = None, **args: Any) -> int | None:
    """Insert a job on ``connection`` (inside its open transaction); None when ``queueing_lock`` already waits.

    A savepoint keeps the caller's transaction usable after procrastinate's unique-violation."""
    connection.execute("SELECT set_config('search_path', current_setting('search_path') || %s, true)", (f', "{JOBS_SCHEMA}"',))
    connection.execute("SAVEPOINT mallbatch_defer")
    options: dict[str, Any] = {"queue": queue, "lock": lock, "queueing_lock": queueing_lock, "priority": PRIORITY.get(queue, 0)}
    if schedule_in:
        options["schedule_in"] = {"seconds": schedule_in}
    try:
        job_id = _deferrer.configure_task(task, connection=connection, **options).defer(**args)
    except AlreadyEnqueued:
        connection.execute("ROLLBACK TO SAVEPOINT mallbatch_defer")
        return None
    connection.execute("RELEASE SAVEPOINT mallbatch_defer")
    return job_id
