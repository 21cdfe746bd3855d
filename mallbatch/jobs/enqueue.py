"""``mallbatch watch`` on a PostgreSQL store: it only enqueues, workers do the work.

Each turn, for every seller served (one workspace, or every seller folder of an agency): sweep
the inbox with the watcher's own scanner, claim each ready file into ``inbox/.processing/`` and
enqueue it (its ``files`` row and its job in one transaction); enqueue the collections the
watcher's schedule says are due (a deferred collection is not deferred again for 5 minutes
unless it ran, as a failed one today), a ``지금수집`` trigger's collections, a stock-sync round
every 5 minutes, the seller's 상태 every 5 minutes and the day's workbooks once a day. Nothing calls a mall from here.

At start a file left in ``.processing`` without a job (the enqueue transaction never
committed) goes back to the inbox; one with a job stays for its worker.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

from mallbatch.errors import MallbatchError
from mallbatch.files import now_kst, os_error_ko, sha256_file
from mallbatch.jobs.queue import (
    COLLECT,
    DAILY,
    DAILY_QUEUE,
    STATUS,
    STATUS_QUEUE,
    STOCK_QUEUE,
    STOCK_ROUND,
    collect_queue,
    defer,
    masked,
)
from mallbatch.jobs.schema import ensure_schema
from mallbatch.jobs.sellers import Place
from mallbatch.jobs.tasks import enqueue_file
from mallbatch.store import open_store
from mallbatch.watch.lock import InstanceLock
from mallbatch.watch.scanner import InboxScanner, claim
from mallbatch.watch.schedule import CollectSchedule, Slot, kinds_of
from mallbatch.watch.service import PROCESSING, back_to_inbox
from mallbatch.watch.settings import WatchSettings
from mallbatch.watch.status import LOCK_FILE
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.watch")
STOCK_SECONDS = 300.0  # a stock-sync round per seller every 5 minutes (cheap when nothing is unsynced)
STATUS_SECONDS = 300.0  # each seller's 상태 rewritten by a worker every 5 minutes (and after each file): 500 sellers, 1.7 jobs/s
WAITING_JOB = ("queued", "failed", "processing", "result_written")  # a file in these states has a job


def collect_lock(seller: str, mall: str, account: str) -> str:
    """One collection per seller×mall×account at a time, whichever worker runs it."""
    return f"collect:{seller}/{mall}/{account}"


def defer_collection(store: Any, seller: str, slot: Slot) -> int | None:
    """The collection of ``slot``; None when the same one already waits."""
    with store.transaction():
        return defer(store.pg_connection, COLLECT, queue=collect_queue(slot.mall), lock=collect_lock(seller, slot.mall, slot.account),
                     queueing_lock=f"{collect_lock(seller, slot.mall, slot.account)}/{slot.kind}",
                     seller=seller, mall=slot.mall, account=slot.account, kind=slot.kind)


@dataclass
class _Seller:
    name: str
    ws: Workspace
    store: Any
    lock: InstanceLock
    settings: WatchSettings
    scanner: InboxScanner
    schedule: CollectSchedule
    stock_at: float = 0.0
    status_at: float = 0.0
    daily_on: date | None = None
    reported: dict[str, str] = field(default_factory=dict)

    @property
    def who(self) -> str:
        return f"[{self.name}] " if self.name else ""


class EnqueueService:
    """The enqueue-only watcher of one workspace or of an agency's seller folders."""

    def __init__(self, place: Place) -> None:
        self.place = place
        self._stop = threading.Event()
        self._sellers: dict[str, _Seller] = {}
        self._broken: dict[str, str] = {}  # seller → why it is not served (logged once)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        url = self.place.database()
        ensure_schema(url)
        self._install_signals()
        log.info("시작: 대기열 %s 에 작업을 넣습니다 (처리는 mallbatch worker 가 합니다)", masked(url))
        try:
            while not self._stop.is_set():
                for name in self.place.names():
                    if self._stop.is_set():
                        break
                    seller = self._sellers.get(name) or self._opened(name)
                    if seller is None:
                        continue
                    try:
                        self._turn(seller)
                    except MallbatchError as exc:
                        log.error("%s%s", seller.who, exc)
                waits = [s.settings.scan_seconds for s in self._sellers.values()] or [5.0]
                self._stop.wait(max(0.05, min(waits)))
        finally:
            for seller in self._sellers.values():
                seller.lock.release()
                try:  # a last 상태 round: the worker sees the lock free and writes 중지됨
                    self._defer_status(seller)
                except MallbatchError as exc:
                    log.warning("%s상태를 중지됨으로 바꾸지 못했습니다: %s", seller.who, exc)
                seller.store.close()
            log.info("종료했습니다")

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return

        def handle(signum: int, frame: FrameType | None) -> None:
            log.info("종료 요청: 작업 넣기를 멈춥니다 (처리 중인 작업은 worker 가 마칩니다)")
            self.stop()

        signal.signal(signal.SIGINT, handle)
        signal.signal(signal.SIGTERM, handle)

    # --- sellers ------------------------------------------------------------------------------
    def _opened(self, name: str) -> _Seller | None:
        """A seller folder served from this turn on (an agency takes a new seller without a restart, and the
        first sellers' work is queued while the others are still being opened); None when it cannot be."""
        try:
            seller = self._sellers[name] = self._open(name)
        except MallbatchError as exc:
            if self._broken.get(name) != str(exc):
                log.error("%s%s (이 판매자는 건너뜁니다)", f"[{name}] " if name else "", exc)
            self._broken[name] = str(exc)
            return None
        self._broken.pop(name, None)
        return seller

    def _open(self, name: str) -> _Seller:
        ws = self.place.workspace(name)
        lock = InstanceLock(ws.state / LOCK_FILE)
        lock.acquire()
        try:
            ws.make_dirs()
            store = open_store(ws)
        except BaseException:
            lock.release()
            raise
        settings = WatchSettings.from_config(ws.config, ws.inbox)
        seller = _Seller(name, ws, store, lock, settings,
                         InboxScanner(ws.inbox, settings.stable_seconds, settings.incomplete_minutes * 60, trust_mtime=not settings.poll),
                         CollectSchedule(ws.config, store, kinds_of(ws)))
        self._recover(seller)
        log.info("%s판매자 작업 폴더: inbox=%s outbox=%s", seller.who, ws.inbox, ws.outbox)
        return seller

    def _recover(self, seller: _Seller) -> None:
        """Files in ``.processing`` whose enqueueing never committed go back to the inbox."""
        processing = seller.ws.inbox / PROCESSING
        if not processing.is_dir():
            return
        for path in sorted(processing.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            record = seller.store.file(sha256_file(path))
            if record and record["state"] in WAITING_JOB and record["name"] == path.name:
                continue
            back = back_to_inbox(seller.ws.inbox, path)
            log.info("%s%s: 작업으로 넣지 못했던 파일이라 inbox 로 되돌렸습니다", seller.who, back.name)

    # --- one turn of one seller -----------------------------------------------------------------
    def _turn(self, seller: _Seller) -> None:
        scan = seller.scanner.scan()
        for name, why in scan.not_taken.items():
            if seller.reported.get(name) != why:
                log.warning("%s%s: %s", seller.who, name, why)
        seller.reported = dict(scan.not_taken)
        if scan.triggers:
            self._collect(seller, seller.schedule.slots)
            for trigger in scan.triggers:
                trigger.unlink(missing_ok=True)
        for path in scan.ready:
            if self._stop.is_set():
                return
            self._enqueue_file(seller, path)
        now = now_kst()
        self._collect(seller, seller.schedule.due(now))
        if time.monotonic() >= seller.stock_at:
            seller.stock_at = time.monotonic() + STOCK_SECONDS
            with seller.store.transaction():
                defer(seller.store.pg_connection, STOCK_ROUND, queue=STOCK_QUEUE, lock=f"stock:{seller.name}",
                      queueing_lock=f"stock:{seller.name}", seller=seller.name)
        if time.monotonic() >= seller.status_at:
            seller.status_at = time.monotonic() + STATUS_SECONDS
            self._defer_status(seller)
        if seller.daily_on != now.date():
            seller.daily_on = now.date()
            with seller.store.transaction():
                defer(seller.store.pg_connection, DAILY, queue=DAILY_QUEUE, queueing_lock=f"daily:{seller.name}",
                      seller=seller.name, day=now.date().isoformat())

    @staticmethod
    def _defer_status(seller: _Seller) -> None:
        with seller.store.transaction():
            defer(seller.store.pg_connection, STATUS, queue=STATUS_QUEUE, queueing_lock=f"status:{seller.name}", seller=seller.name)

    def _enqueue_file(self, seller: _Seller, path: Path) -> None:
        claimed = claim(path, seller.ws.inbox / PROCESSING)
        seller.scanner.forget(path)
        if claimed is None:
            return
        try:
            sha = sha256_file(claimed)
            enqueue_file(seller.store, seller.name, claimed, sha)
        except BaseException as exc:
            back = back_to_inbox(seller.ws.inbox, claimed)
            reason = os_error_ko(exc) if isinstance(exc, OSError) else str(exc)
            log.error("%s%s: 작업으로 넣지 못해 inbox 에 되돌렸습니다: %s", seller.who, back.name, reason)
            if not isinstance(exc, Exception):
                raise
            return
        log.info("%s%s: 처리할 작업으로 넣었습니다", seller.who, path.name)

    def _collect(self, seller: _Seller, slots: list[Slot]) -> None:
        now = now_kst()
        for slot in slots:
            job = defer_collection(seller.store, seller.name, slot)
            seller.schedule.failed(slot, now)  # not again for 5 minutes unless it ran (its watermark moves)
            if job is not None:
                log.info("%s수집 작업: %s/%s %s", seller.who, slot.mall, slot.account, slot.kind)


def run_enqueue(place: Place) -> None:
    """Run until Ctrl-C / SIGTERM."""
    EnqueueService(place).run()
