"""The job bodies: the same pipeline calls ``mallbatch watch`` and the CLI make, one unit of work each.

Every job opens its seller's store and session for itself (a worker runs several jobs at
once in threads) and names its seller by folder name (see :mod:`mallbatch.jobs.sellers`).
A worker killed mid-job leaves the job ``doing``; another worker retries it once the dead
one's heartbeat is old (:mod:`mallbatch.jobs.worker`), and the journal's read-back of
in-flight commands makes that retry send nothing twice.

A dropped file waits in ``inbox/.processing/`` from its enqueueing until it is archived. A
file that fails is tried again later as a new job (the wait doubles, as the watcher's), and
after ``1 + [watch] retry_attempts`` tries archived with a ``<name>.오류.txt`` note; rows the
malls refused for now are sent again ``[watch] retry_minutes`` later (``retry_file``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from procrastinate import Blueprint, JobContext, RetryStrategy

from mallbatch.errors import MallbatchError, StoreError
from mallbatch.files import archive
from mallbatch.jobs.queue import COLLECT, DAILY, FILES_QUEUE, PROCESS_FILE, RETRY_FILE, STATUS, STOCK_ROUND, defer
from mallbatch.jobs.sellers import Place
from mallbatch.jobs.status import write_status
from mallbatch.pipeline.catalogue import daily_products_workbook
from mallbatch.pipeline.claimed import push_claimed
from mallbatch.pipeline.collect import collect as run_collect
from mallbatch.pipeline.ops import settle_left_over
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.pipeline.stats_book import daily_stats_workbook
from mallbatch.pipeline.stock_sync import StockSync
from mallbatch.store import open_store
from mallbatch.watch.service import MAX_BACKOFF, PROCESSING, give_up_text, reason_ko, write_note
from mallbatch.watch.schedule import kinds_of
from mallbatch.watch.settings import WatchSettings
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.jobs")
tasks = Blueprint()
QUEUED = "queued"  # files table: in .processing with a job waiting for it
# The store away (server restarting, disk full): the same job again, 10 s, 20 s … later, for about an hour.
STORE_AWAY = RetryStrategy(max_attempts=30, wait=10, linear_wait=10, retry_exceptions=[StoreError])


def enqueue_file(store: Any, seller: str, claimed: Path, sha: str, attempt: int = 0, wait: float = 0.0) -> int | None:
    """Record ``claimed`` (a file in ``.processing``) as queued and defer its job, in one transaction."""
    with store.transaction():  # record_file's own transaction joins this one
        store.record_file(sha, claimed.name, QUEUED if not attempt else "failed")
        return defer(store.pg_connection, PROCESS_FILE, queue=FILES_QUEUE, queueing_lock=f"file:{seller}/{claimed.name}",
                     schedule_in=wait, seller=seller, name=claimed.name, sha=sha, attempt=attempt)


def _place(context: JobContext) -> Place:
    return (context.additional_context or {})["place"]


@contextmanager
def _opened(context: JobContext, seller: str) -> Iterator[tuple[Workspace, Any, Session]]:
    ws = _place(context).workspace(seller)
    with open_store(ws) as store, Session(ws) as session:
        yield ws, store, session


def _who(seller: str) -> str:
    return f"[{seller}] " if seller else ""


@tasks.task(name=PROCESS_FILE, pass_context=True, retry=STORE_AWAY)
def process_file(context: JobContext, seller: str, name: str, sha: str, attempt: int = 0) -> None:
    """One dropped file: push it, write its result to the seller's outbox, archive it."""
    with _opened(context, seller) as (ws, store, session):
        settings = WatchSettings.from_config(ws.config, ws.inbox)
        claimed = ws.inbox / PROCESSING / name
        record = store.file(sha)
        if not claimed.is_file():
            log.info("%s%s: 이미 처리된 파일입니다 (.processing 에 없음)", _who(seller), name)
            return
        if record and record["state"] == "result_written" and Path(record["result_path"]).exists():
            archived = archive(claimed, ws.archive)  # a worker died between the result and the archive
            store.record_file(sha, name, "archived", record["kind"], record["result_path"])
            log.info("%s%s: 결과는 이미 있어 원본만 보관했습니다 (%s)", _who(seller), name, archived)
            return
        log.info("%s%s: 처리 시작", _who(seller), name)
        try:
            result, archived = push_claimed(ws, store, session, claimed, sha)
        except StoreError:
            raise  # the file is not at fault: procrastinate records the failure, the file stays queued
        except Exception as exc:  # noqa: BLE001 - a file's failure is reported in Korean, never lost
            if claimed.exists():
                _failed(ws, store, seller, claimed, sha, attempt, settings, exc)
            return
        log.info("%s%s → 결과 %s, 원본 보관 %s", _who(seller), result.summary_ko(), result.result_path, archived)
        if result.retryable and settings.retry_attempts > 0:
            _defer_retry(store, seller, ws, archived, 0, settings)
        write_status(ws, store, seller, kinds_of(ws))  # the seller sees the file done without waiting for the next round


def _failed(ws: Workspace, store: Any, seller: str, claimed: Path, sha: str, attempt: int, settings: WatchSettings,
            exc: Exception) -> None:
    """Try again later as a new job, or archive with a note once the budget is spent."""
    message = reason_ko(exc)
    unexpected = not isinstance(exc, (OSError, MallbatchError))
    tries = attempt + 1
    if tries < 1 + max(0, settings.retry_attempts):
        wait = min(MAX_BACKOFF, settings.scan_seconds * 2**tries)
        enqueue_file(store, seller, claimed, sha, attempt=tries, wait=wait)
        log.error("%s%s: 처리하지 못했습니다 (%d번째 실패, %.0f초 뒤 다시 시도): %s", _who(seller), claimed.name, tries, wait,
                  message, exc_info=unexpected)
        return
    archived = archive(claimed, ws.archive)
    note = write_note(ws, archived, give_up_text(claimed.name, tries, message, archived))
    store.record_file(sha, claimed.name, "archived", "", str(note or ""))
    log.error("%s%s: %d번 실패해 보관했습니다 (%s, 설명: %s)", _who(seller), claimed.name, tries, archived, note or "없음",
              exc_info=unexpected)


def _defer_retry(store: Any, seller: str, ws: Workspace, archived: Path, attempt: int, settings: WatchSettings) -> None:
    """The rows that failed for now go again ``retry_minutes`` later (doubling), as the watcher's retries."""
    if attempt >= settings.retry_attempts:
        return
    delay = settings.retry_minutes * 60 * 2**attempt
    with store.transaction():
        defer(store.pg_connection, RETRY_FILE, queue=FILES_QUEUE, schedule_in=delay, seller=seller,
              archived=archived.relative_to(ws.archive).as_posix(), attempt=attempt)
    log.info("%s%s: 실패·보류된 행을 %.0f분 뒤에 다시 보냅니다", _who(seller), archived.name, delay / 60)


@tasks.task(name=RETRY_FILE, pass_context=True, retry=STORE_AWAY)
def retry_file(context: JobContext, seller: str, archived: str, attempt: int = 0) -> None:
    """An archived file's rows that failed for now, sent again (nothing the mall refused, nothing done twice)."""
    with _opened(context, seller) as (ws, store, session):
        settings = WatchSettings.from_config(ws.config, ws.inbox)
        path = ws.archive / archived
        if not path.is_file():
            log.warning("%s%s: 보관한 원본이 없어 재시도하지 않습니다", _who(seller), archived)
            return
        result = push_file(ws, store, session, path, automatic=True)
        log.info("%s%s (재시도) → 결과 %s", _who(seller), result.summary_ko(), result.result_path)
        if result.retryable:
            _defer_retry(store, seller, ws, path, attempt + 1, settings)


@tasks.task(name=COLLECT, pass_context=True, retry=STORE_AWAY)
def collect(context: JobContext, seller: str, mall: str, account: str, kind: str) -> None:
    """One mall×account×kind collected into the seller's dated workbooks (and the stock it moved, synced)."""
    with _opened(context, seller) as (ws, store, session):
        result = run_collect(ws, store, session, malls=[mall], kinds=[kind], accounts=[account])
    for line in result.lines_ko():
        log.info("%s%s", _who(seller), line)
    for path in result.workbooks.values():
        log.info("%s수집 엑셀: %s", _who(seller), path)


@tasks.task(name=STOCK_ROUND, pass_context=True, retry=STORE_AWAY)
def stock_round(context: JobContext, seller: str) -> None:
    """Stock levels not yet sent to some mall (a crash, a mall that was down), sent now; first, what a dead worker
    left in flight or unknown is read back (a stock level it was sending may have been superseded since, and no
    later job would meet that command again)."""
    with _opened(context, seller) as (ws, store, session):
        settle_left_over(store.journal, session.adapter_named)
        report = StockSync(ws, store, session).push()
    for line in report.lines_ko():
        log.info("%s%s", _who(seller), line)


@tasks.task(name=DAILY, pass_context=True, retry=STORE_AWAY)
def daily(context: JobContext, seller: str, day: str) -> None:
    """The day's 판매상품 and 매출통계 workbooks (each written once a day; a second run writes nothing)."""
    with _opened(context, seller) as (ws, store, _session):
        for label, make in (("판매상품", daily_products_workbook), ("매출통계", daily_stats_workbook)):
            try:
                path = make(ws, store)
            except OSError as exc:
                log.warning("%s%s 엑셀을 만들지 못했습니다: %s", _who(seller), label, reason_ko(exc))
                continue
            if path is not None:
                log.info("%s%s 엑셀: %s", _who(seller), label, path)


@tasks.task(name=STATUS, pass_context=True, retry=STORE_AWAY)
def status(context: JobContext, seller: str) -> None:
    """The seller's 상태.xlsx and 상태.txt, from the store and the queue (see :mod:`mallbatch.jobs.status`)."""
    with _opened(context, seller) as (ws, store, _session):
        write_status(ws, store, seller, kinds_of(ws))
