"""``mallbatch worker``: procrastinate workers over the queue, for one workspace or an agency.

Any number of worker processes, on any machine that reaches the database, share the queue.
SIGTERM/SIGINT stop a worker cleanly (procrastinate's own handling: no new job, the running
ones finish). A worker killed outright (SIGKILL, power cut) stops sending its heartbeat; every
worker looks for such stalled jobs every ``[jobs] stalled_seconds`` and puts them back in the
queue (procrastinate's stalled-job query and retry), and the journal's read-back makes their
second run send nothing twice. A live worker also puts back its own jobs whose end it could not
record (:func:`retry_orphans`).

Config (of the workspace, or of every seller of an agency alike): ``[jobs] heartbeat_seconds``
(default 10) and ``[jobs] stalled_seconds`` (default 30, at least twice the heartbeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import psycopg
from procrastinate import App
from procrastinate.exceptions import ConnectorException
from procrastinate.worker import Worker

from mallbatch.config import Config
from mallbatch.jobs.queue import masked, worker_app
from mallbatch.jobs.schema import ensure_schema
from mallbatch.jobs.sellers import Place
from mallbatch.watch.logs import FORMAT, MaskingFilter, config_secrets

log = logging.getLogger("mallbatch.jobs")
HEARTBEAT_SECONDS = 10.0
STALLED_SECONDS = 30.0
RESTART_SECONDS = 5.0  # after the queue database was lost


def console_logging(place: Place) -> None:
    """Log to stderr (a service manager keeps it), masked with every served seller's secrets."""
    secrets = [secret for ws in place.sellers().values() for secret in config_secrets(ws.config)]
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(MaskingFilter(secrets))
    root = logging.getLogger("mallbatch")
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)  # its English retries; the worker says it in Korean


def timings(config: Config) -> tuple[float, float]:
    """(heartbeat, stalled) seconds; a stalled limit under two heartbeats would retry live jobs."""
    heartbeat = config.value("jobs", "heartbeat_seconds", float, HEARTBEAT_SECONDS) or HEARTBEAT_SECONDS
    stalled = config.value("jobs", "stalled_seconds", float, STALLED_SECONDS) or STALLED_SECONDS
    return heartbeat, max(stalled, 2 * heartbeat)


async def retry_stalled(app: App, stalled: float) -> int:
    """Jobs of workers whose heartbeat is older than ``stalled`` seconds (or gone), queued again."""
    retried = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled):
        try:
            await app.job_manager.retry_job(job)
        except Exception as exc:  # noqa: BLE001 - another worker retried it first
            log.debug("stalled job %s not retried here: %s", job.id, exc)
            continue
        retried += 1
        log.warning("멈춘 작업자의 작업을 다시 대기열에 넣었습니다: %s (작업 %s)", job.task_name, job.id)
    return retried


async def _serve(url: str, queues: Sequence[str], concurrency: int, heartbeat: float, stalled: float, place: Place) -> None:
    """Serve until stopped. The queue database away at the start, or lost later (a restart, a network cut:
    procrastinate's loop stops), the worker waits and starts again rather than exiting: its jobs are not lost
    (those it was running are stalled jobs another worker or this one takes up, read back before anything
    is resent)."""
    while True:
        try:
            await asyncio.to_thread(ensure_schema, url)
            await _serve_once(worker_app(url), queues, concurrency, heartbeat, stalled, place)
            return
        except (ConnectorException, psycopg.Error):
            log.error("작업 대기열 데이터베이스 %s 와(과)의 연결이 끊겼습니다. %.0f초 뒤 다시 연결해 이어서 작업합니다 "
                      "(하던 작업은 멈춘 작업으로 다시 대기열에 들어가고, 보내던 것은 다시 보내기 전에 확인합니다).",
                      masked(url), RESTART_SECONDS)
            await asyncio.sleep(RESTART_SECONDS)


# Jobs the queue says this worker runs, started longer ago than the stalled limit, that it does not run.
_MINE = ("SELECT j.id FROM procrastinate_jobs j WHERE j.status = 'doing' AND j.worker_id = %(worker)s AND "
         "(SELECT MAX(e.at) FROM procrastinate_events e WHERE e.job_id = j.id AND e.type = 'started') "
         "< now() - make_interval(secs => %(seconds)s)")


async def retry_orphans(app: App, worker: Worker, stalled: float) -> int:
    """This worker's jobs whose end could not be recorded (the database went away as one finished, so the queue
    still says ``doing`` under a worker whose heartbeat is alive: no other worker would ever take it, and its
    lock would hold every later job of its seller×mall×account back), queued again."""
    if worker.worker_id is None:
        return 0
    rows = await app.connector.execute_query_all_async(_MINE, worker=worker.worker_id, seconds=stalled)
    running = {context.job.id for context in worker._running_jobs.values()}  # procrastinate keeps no public list
    retried = 0
    for row in rows:
        if row["id"] in running:
            continue
        try:
            await app.job_manager.retry_job_by_id_async(row["id"], retry_at=datetime.now(UTC))
        except Exception as exc:  # noqa: BLE001 - it ended meanwhile
            log.debug("job %s not retried here: %s", row["id"], exc)
            continue
        retried += 1
        log.warning("끝을 기록하지 못한 작업을 다시 대기열에 넣었습니다 (작업 %s; 보내던 것은 다시 보내기 전에 확인합니다)", row["id"])
    return retried


async def _serve_once(app: App, queues: Sequence[str], concurrency: int, heartbeat: float, stalled: float, place: Place) -> None:
    async with app.open_async():
        worker = app._worker(  # the object itself, not run_worker_async: retry_orphans needs its id and running jobs
            queues=list(queues) or None, concurrency=concurrency, name="mallbatch",
            additional_context={"place": place}, update_heartbeat_interval=heartbeat, stalled_worker_timeout=stalled,
            fetch_job_polling_interval=min(5.0, heartbeat), install_signal_handlers=True)
        running = asyncio.create_task(worker.run())
        while not running.done():
            with contextlib.suppress(Exception):  # the database away for a moment: the worker itself says so
                await retry_stalled(app, stalled)
                await retry_orphans(app, worker, stalled)
            await asyncio.wait([running], timeout=stalled / 2)
        await running


def run_worker(place: Place, concurrency: int = 1, queues: Sequence[str] = ()) -> None:
    """Serve jobs until SIGTERM/SIGINT."""
    sellers = place.sellers()
    url = place.database(sellers)
    config = next(iter(sellers.values())).config
    heartbeat, stalled = timings(config)
    log.info("작업자 시작: 대기열 %s, 동시 작업 %d개, 대기열 이름 %s, 판매자 %d곳", masked(url), concurrency,
             ", ".join(queues) or "전부", len(sellers))
    asyncio.run(_serve(url, queues, concurrency, heartbeat, stalled, place))
    log.info("작업자를 멈췄습니다")
