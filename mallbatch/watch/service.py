"""``mallbatch watch``: the always-on loop over the inbox.

Each turn: sweep the inbox (the truth; change events only wake the loop early), claim
stable files by renaming them into ``inbox/.processing/``, push each through the same
pipeline as ``mallbatch push``, write the result to ``outbox/YYYY-MM-DD/``, archive the
source, then run due collections. Anything that stops a file half-way puts it back in
the inbox; the command journal makes the retry send nothing twice.

State per file in the store's ``files`` table: processing → result_written → archived,
or failed (back in the inbox). A crash between "result written" and "archived" is
finished at start without sending or writing anything again. A file that fails the same
way every time is archived after ``1 + retry_attempts`` tries with a ``<name>.오류.txt``
note; a broken disk (full, read-only, no permission) does not use up that budget, since
every file would fail alike until it is fixed.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from watchdog.events import FileSystemEvent, PatternMatchingEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from mallbatch.errors import MallbatchError, StoreError
from mallbatch.files import (
    DISK_ERRNOS,
    archive,
    atomic_write,
    RESULTS,
    outbox_dir,
    now_kst,
    os_error_ko,
    remove_stale_parts,
    sha256_file,
    unique_path,
)
from mallbatch.pipeline.accounts import check_accounts
from mallbatch.pipeline.catalogue import daily_products_workbook
from mallbatch.pipeline.stats_book import daily_stats_workbook
from mallbatch.pipeline.collect import KINDS, Step, collect
from mallbatch.pipeline.ops import settle_left_over
from mallbatch.pipeline.privacy import apply_retention
from mallbatch.pipeline.claimed import push_claimed
from mallbatch.pipeline.push import PushResult, push_file
from mallbatch.pipeline.progress import Meter
from mallbatch.pipeline.session import Session
from mallbatch.sandbox.registry import stop_all
from mallbatch.store import Store, open_store
from mallbatch.watch.lock import InstanceLock
from mallbatch.watch.logs import setup_logging
from mallbatch.watch.scanner import InboxScanner, claim
from mallbatch.watch.schedule import CollectSchedule, Slot
from mallbatch.watch.settings import WatchSettings
from mallbatch.watch.overview import store_facts
from mallbatch.watch.status import LOCK_FILE, Board, clock_ko, collection_rows, unclean_stop
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.watch")
PROCESSING = ".processing"
HINT_PATTERNS = ["**/*.xlsx", "**/*.xlsm", "**/*.xls", "**/*.csv", "**/지금수집*", "**/collect-now*", "**/collect_now*"]
MAX_BACKOFF = 300.0
HEARTBEAT = 60.0
LOCK_WAIT = 5.0  # seconds a start waits for `mallbatch status` marking a dead service 중지됨
NOTE_SUFFIX = ".오류"  # <name>.오류.txt: why a file was archived without a result


def reason_ko(exc: BaseException) -> str:
    """What the seller reads about a failure: Korean, never a raw ``OSError: [Errno …]``."""
    if isinstance(exc, OSError):
        return os_error_ko(exc)
    if isinstance(exc, MallbatchError):
        return str(exc)
    if not isinstance(exc, Exception):
        return "작업이 중단되었습니다"
    return "예기치 못한 오류로 처리하지 못했습니다. 자세한 내용은 state/logs/watch.log 에 있습니다"


def _disk_fault(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_ERRNOS


def give_up_text(name: str, tries: int, message: str, archived: Path) -> str:
    """The note beside a file archived without a result: what happened and what to do."""
    return (f"{name} 을(를) {tries}번 처리하려 했지만 실패해 결과 엑셀 없이 보관했습니다.\n원인: {message}\n"
            f"원본: {archived}\n원인을 해결한 뒤 원본을 inbox 에 다시 넣어 주세요. "
            "쇼핑몰에 이미 보낸 행은 다시 보내지 않습니다.\n")


def write_note(ws: Workspace, archived: Path, text: str) -> Path | None:
    """The note goes where results go (outbox/날짜/), or beside the archived source when the outbox fails."""
    for folder in (lambda: outbox_dir(ws.outbox, RESULTS), lambda: archived.parent):
        try:
            note = unique_path(folder(), archived.name, ".txt", tail=NOTE_SUFFIX)
            return atomic_write(note, lambda tmp: tmp.write_text(text, encoding="utf-8-sig"))
        except OSError as exc:
            log.warning("%s: 설명 파일을 쓰지 못했습니다: %s", archived.name, os_error_ko(exc))
    return None


def back_to_inbox(inbox: Path, path: Path) -> Path:
    """``path`` moved back into ``inbox`` under its own name (or a free variant of it)."""
    target = inbox / path.name
    if target.exists():
        target = unique_path(inbox, path.stem, path.suffix)
    os.replace(path, target)
    return target


class _Hint(PatternMatchingEventHandler):
    """Wakes the loop on created/modified/moved spreadsheets (an Excel save is a rename)."""

    def __init__(self, wake: threading.Event) -> None:
        super().__init__(patterns=HINT_PATTERNS, ignore_patterns=["**/~$*", "**/.*"], ignore_directories=True)
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.wake.set()


@dataclass
class _Retry:
    path: Path
    due: float
    attempt: int


@dataclass
class _Hold:
    """A file that failed: not taken again before ``until``; ``strikes`` count toward the budget."""

    until: float
    tries: int
    strikes: int


class WatchService:
    """One instance per workspace (see :mod:`mallbatch.watch.lock`)."""

    def __init__(self, ws: Workspace, settings: WatchSettings | None = None, console: bool = True,
                 push: Callable[..., PushResult] = push_file) -> None:
        self.ws = ws
        self.settings = settings or WatchSettings.from_config(ws.config, ws.inbox)
        self.console = console
        self.push = push  # injectable so tests can fail the result writer
        self.processing = ws.inbox / PROCESSING
        self.board = Board(inbox=ws.inbox, outbox=ws.outbox)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._hold: dict[str, _Hold] = {}
        self._reported: dict[str, str] = {}  # inbox entries never taken, already logged
        self._retries: list[_Retry] = []
        self._collect_errors: dict[Slot, str] = {}
        self._collecting: dict[Slot, str] = {}  # collections under way: their count and ETA
        self._next_account_check = 0.0
        self._daily_day: date | None = None  # the day the 판매상품 and 매출통계 workbooks were last tried
        self._sale_ends_day: date | None = None  # the day 상태's 판매기간 list was last worked out (None: again now)
        self._saved = ""
        self._saved_at = 0.0

    # --- lifecycle ------------------------------------------------------------------------
    def stop(self) -> None:
        """Finish the current file, then leave the loop (safe from any thread)."""
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        lock = InstanceLock(self.ws.state / LOCK_FILE)
        lock.acquire(wait=LOCK_WAIT)
        died_at = unclean_stop(self.ws)  # read before this run's first snapshot replaces it
        self.ws.make_dirs()
        log_path = setup_logging(self.ws.config, self.ws.state / "logs", self.console)
        self._install_signals()
        observer: BaseObserver | None = None
        try:
            with open_store(self.ws) as self.store, Session(self.ws) as self.session:
                self.board.started_at = f"{now_kst():%Y-%m-%d %H:%M}"
                log.info("시작: inbox=%s outbox=%s 로그=%s (%s)", self.ws.inbox, self.ws.outbox, log_path,
                         "폴링" if self.settings.poll else "변경 알림 + 주기 검사")
                if died_at:
                    log.warning("지난번 서비스는 정상 종료 없이 멈췄습니다 (마지막 기록 %s). 남은 일을 이어서 처리합니다", died_at)
                self._clean_parts()
                self._recover()
                self._reconcile()
                apply_retention(self.ws.config, self.store)
                self.schedule = CollectSchedule(self.ws.config, self.store, self._kinds_of())
                self.scanner = InboxScanner(self.ws.inbox, self.settings.stable_seconds, self.settings.incomplete_minutes * 60,
                                            trust_mtime=not self.settings.poll)
                observer = self._observe()
                self._loop()
        except StoreError as exc:  # damaged store or full disk: stop with the message, never work without a journal
            log.error("%s", exc)
            raise
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)
            stop_all()
            self._save_stopped()
            log.info("종료했습니다")
            lock.release()

    def _save_stopped(self) -> None:
        """상태 says the service is stopped, and since when, instead of a frozen "실행 중"."""
        self.board.stopped_at = f"{now_kst():%Y-%m-%d %H:%M}"
        self.board.processing, self.board.waiting, self.board.retries = "", {}, {}
        self.board.save(self.ws)

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return

        def handle(signum: int, frame: FrameType | None) -> None:
            if self._stop.is_set():
                raise KeyboardInterrupt  # second request: abort now, the claimed file goes back
            log.info("종료 요청: 처리 중인 파일을 마치고 종료합니다 (한 번 더 누르면 바로 멈춥니다)")
            self.stop()

        signal.signal(signal.SIGINT, handle)
        signal.signal(signal.SIGTERM, handle)

    def _observe(self) -> BaseObserver | None:
        observer: BaseObserver = PollingObserver(timeout=self.settings.poll_seconds) if self.settings.poll else Observer()
        try:
            observer.schedule(_Hint(self._wake), str(self.ws.inbox), recursive=False)
            observer.start()
        except OSError as exc:  # e.g. inotify watch limit: the periodic sweep still finds everything
            log.warning("폴더 변경 알림을 쓸 수 없어 주기 검사만 합니다: %s", os_error_ko(exc))
            return None
        return observer

    # --- start-up ---------------------------------------------------------------------------
    def _clean_parts(self) -> None:
        """Hidden ``.<name>.part`` files a killed writer left in outbox/archive (atomic_write's naming)."""
        removed = [p for root in (self.ws.outbox, self.ws.archive, self.ws.state) for p in remove_stale_parts(root)]
        if removed:
            log.info("지난번에 끝나지 못한 임시 파일 %d개를 지웠습니다: %s", len(removed), ", ".join(p.name for p in removed[:5]))

    def _recover(self) -> None:
        """Files a crash left in processing: archive if their result exists, else back to the inbox."""
        if not self.processing.exists():
            return
        for path in sorted(self.processing.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            record = self.store.file(sha256_file(path))
            if record and record["state"] == "result_written" and Path(record["result_path"]).exists():
                archived = archive(path, self.ws.archive)
                self.store.record_file(record["sha256"], path.name, "archived", record["kind"], record["result_path"])
                log.info("%s: 결과는 이미 있어 원본만 보관했습니다 (%s)", path.name, archived)
            else:
                back = self._back_to_inbox(path)
                log.info("%s: 처리가 끝나지 않아 inbox 로 되돌렸습니다", back.name)

    def _reconcile(self) -> None:
        """Read back from the malls what a crash left in flight, before anything is resent."""
        settle_left_over(self.store.journal, self.session.adapter_named)

    def _kinds_of(self) -> dict[tuple[str, str], tuple[str, ...]]:
        kinds: dict[tuple[str, str], tuple[str, ...]] = {}
        for account in self.ws.config.accounts:
            try:
                adapter = self.session.adapter(account)
            except MallbatchError as exc:
                log.warning("%s: 계정 설정 문제로 수집하지 않습니다: %s", account.label, exc)
                continue
            if adapter is not None:
                kinds[(account.mall, account.name)] = tuple(k for k, (cap, _) in KINDS.items() if cap in adapter.spec.capabilities)
        return kinds

    # --- the loop ---------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            scan = self.scanner.scan()
            self.board.waiting = scan.waiting
            self._report_not_taken(scan.not_taken)
            if scan.triggers:
                self._collect(None)
                for trigger in scan.triggers:
                    trigger.unlink(missing_ok=True)
            for path in scan.ready:
                if self._stop.is_set():
                    break
                if self._held(path.name):
                    continue
                claimed = claim(path, self.processing)
                self.scanner.forget(path)
                if claimed is not None:
                    self._process(claimed, path.name)
            self._run_retries()
            if not self._stop.is_set():
                due = self.schedule.due(now_kst())
                if due:
                    self._collect(due)
                self._daily_workbooks()
                self._note_sale_ends()
                self._check_accounts()
            self._save_board()
            self._wake.wait(self._timeout(scan.recheck_in))
            self._wake.clear()

    def _timeout(self, recheck_in: float | None) -> float:
        waits = [self.settings.scan_seconds]
        if recheck_in is not None:
            waits.append(recheck_in + 0.05)
        until_collect = self.schedule.seconds_until_next(now_kst())
        if until_collect is not None:
            waits.append(until_collect + 0.5)
        now = time.monotonic()
        waits += [max(0.0, r.due - now) for r in self._retries]
        return max(0.05, min(waits))

    def _held(self, name: str) -> bool:
        hold = self._hold.get(name)
        return hold is not None and time.monotonic() < hold.until

    def _report_not_taken(self, entries: dict[str, str]) -> None:
        """Folders, links and unknown entries: one log line each while they stay, and a line in 상태."""
        for name, why in entries.items():
            if self._reported.get(name) != why:
                log.warning("%s: %s", name, why)
        self._reported = dict(entries)
        self.board.not_taken = dict(entries)

    # --- one file -------------------------------------------------------------------------
    def _process(self, claimed: Path, name: str) -> None:
        sha = sha256_file(claimed)
        before = self.store.file(sha)
        if before and before["state"] == "archived":
            log.info("%s: 전에 처리한 파일과 내용이 같습니다. 이미 처리된 행은 건너뜁니다", name)
        self.board.processing = name
        self._save_board()
        log.info("%s: 처리 시작", name)
        meter = Meter(lambda text, done, total: self._show_progress(name, text, done, total))
        try:
            result, archived = push_claimed(self.ws, self.store, self.session, claimed, sha, push=self.push,
                                            progress=meter.advance)
        except StoreError:
            if claimed.exists():
                self._back_to_inbox(claimed)  # the file is not at fault; the service stops (see run)
            raise
        except BaseException as exc:
            self._failed(claimed, name, sha, exc)
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            self.board.processing, self.board.progress = "", {}
        self._hold.pop(name, None)
        self.board.add_done(name, result.summary_ko(), str(result.result_path))
        self._sale_ends_day = None  # a 판매정보 push may have extended a period, answered an inquiry …
        if result.file_problem:  # unreadable: a failure with its reason, not "성공 0 … 오류 0"
            self.board.add_failed(name, f"파일을 읽지 못함: {result.file_problem} (원본은 archive, 결과 {result.result_path.name})")
            log.warning("%s → 결과 %s, 원본 보관 %s", result.summary_ko(), result.result_path, archived)
        else:
            log.info("%s → 결과 %s, 원본 보관 %s", result.summary_ko(), result.result_path, archived)
        self._note_auth()
        if result.retryable and self.settings.retry_attempts > 0:
            self._schedule_retry(_Retry(archived, 0.0, 0))

    @property
    def budget(self) -> int:
        """Tries of one file before it is archived with a note."""
        return 1 + max(0, self.settings.retry_attempts)

    def _failed(self, claimed: Path, name: str, sha: str, exc: BaseException) -> None:
        """Back to the inbox with a growing wait, or archived with a note once the budget is spent."""
        message = reason_ko(exc)
        unexpected = isinstance(exc, Exception) and not isinstance(exc, (OSError, MallbatchError))
        previous = self._hold.get(name, _Hold(0.0, 0, 0))
        interrupted = not isinstance(exc, Exception)
        strikes = previous.strikes + (0 if interrupted or _disk_fault(exc) else 1)
        if strikes >= self.budget:
            if unexpected:
                log.error("%s: %s", name, message, exc_info=True)
            if self._give_up(claimed, name, sha, message, previous.tries + 1):
                return
        back = self._back_to_inbox(claimed)
        self.store.record_file(sha, back.name, "failed")
        tries = previous.tries + 1
        wait = min(MAX_BACKOFF, self.settings.scan_seconds * 2 ** tries)
        self._hold[back.name] = _Hold(time.monotonic() + wait, tries, strikes)
        if interrupted:
            log.warning("%s: 중단되어 inbox 로 되돌렸습니다", back.name)
            return
        again = clock_ko(now_kst() + timedelta(seconds=wait))
        left = "" if _disk_fault(exc) else f", {self.budget}번 중 {strikes}번째 실패"
        self.board.add_failed(back.name, f"{message} (inbox 에 두고 {again}에 다시 시도{left})")
        log.error("%s: 처리하지 못해 inbox 에 되돌렸습니다 (%s에 다시 시도%s): %s", back.name, again, left, message,
                  exc_info=unexpected)

    def _give_up(self, claimed: Path, name: str, sha: str, message: str, tries: int) -> bool:
        """A file that fails the same way every time: archive it with a note, so the loop moves on.

        The note goes where results go (outbox/날짜/), or beside the archived source when the
        outbox is what fails. False when even the archive cannot take the source.
        """
        try:
            archived = archive(claimed, self.ws.archive)
        except OSError as exc:
            log.error("%s: archive 로 옮기지 못했습니다: %s", name, os_error_ko(exc))
            return False
        note = write_note(self.ws, archived, give_up_text(name, tries, message, archived))
        self.store.record_file(sha, name, "archived", "", str(note or ""))
        self._hold.pop(name, None)
        where = f"설명: {note}" if note else "설명 파일도 쓰지 못했습니다"
        self.board.add_failed(name, f"{message} ({tries}번 실패해 archive 로 옮겼습니다, {where})")
        log.error("%s: %d번 실패해 보관했습니다 (%s, %s)", name, tries, archived, where)
        return True

    def _back_to_inbox(self, path: Path) -> Path:
        return back_to_inbox(self.ws.inbox, path)

    # --- automatic retries of rows that failed for now -----------------------------------------
    def _schedule_retry(self, retry: _Retry) -> None:
        if retry.attempt >= self.settings.retry_attempts:
            self.board.retries.pop(retry.path.name, None)
            return
        delay = self.settings.retry_minutes * 60 * 2 ** retry.attempt
        retry.due = time.monotonic() + delay
        self._retries.append(retry)
        at = clock_ko(now_kst() + timedelta(seconds=delay))
        self.board.retries[retry.path.name] = f"{retry.attempt + 1}번째 재시도: {at}에 다시 시도"
        log.info("%s: 실패·보류된 행을 %s에 다시 보냅니다", retry.path.name, at)

    def _run_retries(self) -> None:
        now = time.monotonic()
        due = [r for r in self._retries if r.due <= now]
        self._retries = [r for r in self._retries if r.due > now]
        for retry in due:
            if self._stop.is_set():
                self._retries.append(retry)
                continue
            try:
                result = self.push(self.ws, self.store, self.session, retry.path, automatic=True)
            except StoreError:
                raise
            except Exception as exc:  # noqa: BLE001 - a retry must never stop the service
                log.error("%s: 재시도 실패: %s", retry.path.name, reason_ko(exc),
                          exc_info=not isinstance(exc, (OSError, MallbatchError)))
                self._schedule_retry(_Retry(retry.path, 0.0, retry.attempt + 1))
                continue
            log.info("%s (재시도) → 결과 %s", result.summary_ko(), result.result_path)
            self.board.add_done(retry.path.name, f"{result.summary_ko()} (재시도)", str(result.result_path))
            self.board.retries.pop(retry.path.name, None)
            if result.retryable:
                self._schedule_retry(_Retry(retry.path, 0.0, retry.attempt + 1))

    # --- collection and accounts ----------------------------------------------------------------
    def _collect(self, slots: list[Slot] | None) -> None:
        """Collect ``slots`` (None: everything, for the 지금수집 trigger) into dated workbooks."""
        now = now_kst()
        malls = sorted({s.mall for s in slots}) if slots else []
        kinds = sorted({s.kind for s in slots}) if slots else []
        wanted = slots or self.schedule.slots
        log.info("수집 시작: %s", ", ".join(malls) or "모든 계정")
        try:
            result = collect(self.ws, self.store, self.session, malls=malls, kinds=kinds, now=now, progress=self._collect_progress)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. the outbox is unwritable; try again later
            log.error("수집 실패: %s", reason_ko(exc), exc_info=not isinstance(exc, (OSError, MallbatchError)))
            for slot in wanted:
                self.schedule.failed(slot, now)
                self._collect_errors[slot] = reason_ko(exc)
            return
        finally:
            self._collecting = {}
        for slot in wanted:
            self._collect_errors.pop(slot, None)
        for (mall, account, kind), message in result.errors.items():
            slot = Slot(mall, account, kind)
            self.schedule.failed(slot, now)
            self._collect_errors[slot] = message
            log.warning("수집 실패 %s/%s %s: %s", mall, account, kind, message)
        for line in result.lines_ko():
            log.info("%s", line)
        for path in result.workbooks.values():
            log.info("수집 엑셀: %s", path)
        self._note_facts()
        self._note_auth()

    def _daily_workbooks(self) -> None:
        """The 판매상품 and 매출통계 workbooks once a day; tried once per day, so a full disk does not retry every loop."""
        today = now_kst().date()
        if self._daily_day == today:
            return
        self._daily_day = today
        for label, make, command in (("판매상품", daily_products_workbook, "products"), ("매출통계", daily_stats_workbook, "stats")):
            try:
                path = make(self.ws, self.store)
            except OSError as exc:
                log.warning("%s 엑셀을 만들지 못했습니다 (내일 다시 만들거나 mallbatch %s 로 지금 만드세요): %s", label, command,
                            reason_ko(exc))
                continue
            if path is not None:
                log.info("%s 엑셀: %s", label, path)

    def _note_sale_ends(self) -> None:
        """상태's list of sale periods ending within a week: once a day and after each file."""
        today = now_kst().date()
        if self._sale_ends_day == today:
            return
        self._sale_ends_day = today
        self._note_facts()

    def _note_facts(self) -> None:
        """What 상태 reads from the store (sale periods, stock sync, deadlines, late rates)."""
        labels = {(a.mall, a.name): a.label for a in self.ws.config.accounts}
        self.board.set_facts(store_facts(self.store, labels, now_kst()))

    def _check_accounts(self) -> None:
        if time.monotonic() < self._next_account_check:
            return
        self._next_account_check = time.monotonic() + self.settings.account_check_hours * 3600
        try:
            statuses = check_accounts(self.ws)
        except Exception as exc:  # noqa: BLE001 - a health check must never stop the service
            log.warning("계정 점검 실패: %s", reason_ko(exc))
            return
        self.board.accounts = []
        for status in statuses:
            key = (status.account.mall, status.account.name)
            if status.ok:
                self.session.failed_auth.pop(key, None)  # the key works again
            row = status.board_row()
            self.board.accounts.append(row)
            (log.warning if row["warn"] else log.info)("계정: %s", status.line_ko())

    def _note_auth(self) -> None:
        """Auth failures met while working show up as account warnings at once."""
        for (mall, name), message in self.session.failed_auth.items():
            account = self.session.account(mall, name)
            label = account.label if account else f"{mall}/{name}"
            line = f"{label}: 인증 실패 - {message}"
            if not any(a["label"] == label and not a["ok"] for a in self.board.accounts):
                self.board.accounts = [a for a in self.board.accounts if a["label"] != label]
                self.board.accounts.append({"label": label, "ok": False, "warn": True, "line": line})
                log.warning("계정: %s (다른 계정은 계속 처리합니다)", line)

    def _show_progress(self, name: str, text: str, done: int, total: int) -> None:
        """A long push's count and ETA in 상태 and ``mallbatch status`` (the meter calls at most about once a second)."""
        self.board.progress = {"name": name, "done": done, "total": total, "text": text}
        self._save_board()

    def _collect_progress(self, step: Step) -> None:
        """A collection's count and ETA per account and kind in 상태 and ``mallbatch status`` (at most about once a second)."""
        self._collecting[Slot(*step.key)] = step.detail
        self._save_board()

    def _save_board(self) -> None:
        labels = {(a.mall, a.name): a.label for a in self.ws.config.accounts}
        self.board.collections = collection_rows(self.schedule, self._collect_errors, now_kst(), labels, self._collecting)
        snapshot = self.board.to_dict()
        signature = json.dumps({k: v for k, v in snapshot.items() if k != "updated_at"}, ensure_ascii=False, default=str)
        if signature != self._saved or time.monotonic() - self._saved_at > HEARTBEAT:
            self.board.save(self.ws)
            self._saved, self._saved_at = signature, time.monotonic()


def run_watch(ws: Workspace, **options: Any) -> None:
    """Run the service until Ctrl-C / SIGTERM; raises AlreadyRunning for a second instance."""
    WatchService(ws, **options).run()
