"""What the service is doing, for ``mallbatch status`` and for the seller's outbox.

The service keeps a JSON snapshot in the state folder (machine-readable, for
``mallbatch status``) and a plain-text ``상태.txt`` in the outbox (for the seller:
account warnings, failed files, last and next collection). Both are replaced
atomically; a snapshot that cannot be written never stops the service.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mallbatch.domain.clock import KST, now_kst
from mallbatch.files import os_error_ko, part_path
from mallbatch.pipeline.collect import KIND_NAMES
from mallbatch.watch.lock import AlreadyRunning, InstanceLock, is_running
from mallbatch.watch.overview import STATUS_BOOK, Overview, StoreFacts, store_facts
from mallbatch.watch.scanner import is_ignored, is_trigger
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.watch")
STATUS_JSON = "watch-status.json"
STATUS_TEXT = "상태.txt"
LOCK_FILE = "watch.lock"
KEEP = 20


def _stamp(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M}" if when else "-"


def stamp(iso: str) -> str:
    """A stored UTC timestamp as the seller reads times (KST, to the minute)."""
    return _stamp(datetime.fromisoformat(iso).astimezone(KST))


def clock_ko(when: datetime) -> str:
    """``14:35`` today, ``12-02 14:35`` on another day: a time the seller can compare with the clock."""
    return f"{when:%H:%M}" if when.date() == now_kst().date() else f"{when:%m-%d %H:%M}"


@dataclass
class Board:
    """The snapshot the service updates as it works."""

    started_at: str = ""
    stopped_at: str = ""  # set when the service leaves its loop; 상태.txt then says 중지됨
    inbox: Path | None = None
    outbox: Path | None = None
    waiting: dict[str, str] = field(default_factory=dict)
    processing: str = ""
    done: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    retries: dict[str, str] = field(default_factory=dict)
    not_taken: dict[str, str] = field(default_factory=dict)  # folders, links … in the inbox: never opened
    collections: list[dict[str, str]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    sale_ends: list[str] = field(default_factory=list)  # pipeline.sale_period.ending_lines
    stock: list[str] = field(default_factory=list)  # today's stock sync (pipeline.stock_sync.stock_today)
    cs: list[str] = field(default_factory=list)  # support tickets' CS metrics per account (pipeline.cs_metrics)
    late: list[dict[str, Any]] = field(default_factory=list)  # late-answer rate per mall (overview.StoreFacts)
    deadlines: list[dict[str, Any]] = field(default_factory=list)  # inquiries and tickets near their deadline
    progress: dict[str, Any] = field(default_factory=dict)  # the file in progress: name, done, total, text
    book_problem: str = ""  # why 상태.xlsx could not be replaced last time (open in Excel …)
    served_by: str = ""  # the worker that wrote it, when the watcher only enqueues (mallbatch.jobs.status)
    queued: dict[str, int] = field(default_factory=dict)  # that seller's jobs waiting or running, by what they do

    def add_done(self, name: str, summary: str, result: str) -> None:
        self.done = [*self.done, {"name": name, "at": _stamp(now_kst()), "summary": summary, "result": result}][-KEEP:]
        self.failed = [f for f in self.failed if f["name"] != name]

    def add_failed(self, name: str, message: str) -> None:
        entry = {"name": name, "at": _stamp(now_kst()), "message": message}
        self.failed = [*[f for f in self.failed if f["name"] != name], entry][-KEEP:]

    def to_dict(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "started_at": self.started_at, "stopped_at": self.stopped_at, "updated_at": _stamp(now_kst()),
                "inbox": str(self.inbox or ""), "outbox": str(self.outbox or ""), "waiting": self.waiting,
                "processing": self.processing, "done": self.done, "failed": self.failed, "retries": self.retries,
                "not_taken": self.not_taken, "collections": self.collections, "accounts": self.accounts,
                "sale_ends": self.sale_ends, "stock": self.stock, "cs": self.cs, "late": self.late,
                "deadlines": self.deadlines, "progress": self.progress, "book_problem": self.book_problem,
                "served_by": self.served_by, "queued": self.queued}

    def set_facts(self, facts: StoreFacts) -> None:
        for key, value in facts.to_dict().items():
            setattr(self, key, value)

    def overview(self) -> Overview:
        """The model 상태.xlsx is written from: the same one ``mallbatch status`` reads back."""
        snapshot = self.to_dict()
        names, processing = inbox_files(self.inbox) if self.inbox else ([], [])
        return Overview(not self.stopped_at, snapshot, names, processing, StoreFacts.from_dict(snapshot), now_kst())

    def text_ko(self) -> str:
        """상태.txt, rendered from the same model as 상태.xlsx and ``mallbatch status``."""
        return self.overview().text_ko()

    def save(self, ws: Workspace) -> None:
        problem = self.overview().write(ws.outbox / STATUS_BOOK)
        if problem and problem != self.book_problem:
            log.warning("%s", problem)
        self.book_problem = problem
        save_text(ws, self.to_dict(), self.overview())


def save_text(ws: Workspace, snapshot: dict[str, Any], view: Overview) -> None:
    """The snapshot for ``mallbatch status`` and 상태.txt for the seller; a locked file is logged, never fatal."""
    try:
        _replace(ws.state / STATUS_JSON, json.dumps(snapshot, ensure_ascii=False, indent=1), "utf-8")
        _replace(ws.outbox / STATUS_TEXT, view.text_ko(), "utf-8-sig")  # BOM: Notepad shows Hangul
    except OSError as exc:  # e.g. 상태.txt open in an editor that locks it on Windows
        log.warning("상태 파일을 쓰지 못했습니다: %s", os_error_ko(exc))


def _replace(path: Path, text: str, encoding: str) -> None:
    tmp = part_path(path)
    tmp.write_text(text, encoding=encoding)
    os.replace(tmp, path)


def collection_rows(schedule: Any, errors: dict[Any, str], now: datetime, labels: dict[tuple[str, str], str],
                    collecting: dict[Any, str] | None = None) -> list[dict[str, str]]:
    """One row per (account, kind) with the last and next collection time, and the progress of one under way."""
    return [{"account": labels.get((s.mall, s.account), f"{s.mall}/{s.account}"), "kind": KIND_NAMES[s.kind],
             "last": _stamp(schedule.last(s)), "next": _stamp(schedule.next_at(s, now)), "error": errors.get(s, "")}
            | ({"progress": (collecting or {})[s]} if s in (collecting or {}) else {})
            for s in schedule.slots]


def _watermark_rows(ws: Workspace) -> list[dict[str, str]]:
    """Last collections from the store, for a workspace the service has not run in yet."""
    from mallbatch.store import open_store, store_exists

    if not store_exists(ws):
        return []
    labels = {(a.mall, a.name): a.label for a in ws.config.accounts}
    with open_store(ws) as store:
        marks = store.records.watermarks()
    return [{"account": labels.get((m["mall"], m["account"]), f"{m['mall']}/{m['account']}"), "kind": KIND_NAMES.get(m["kind"], m["kind"]),
             "last": _stamp(datetime.fromisoformat(m["value"])), "next": "-"} for m in marks]


def _fresh_facts(ws: Workspace) -> StoreFacts:
    """Straight from the store, so ``mallbatch status`` is current without the service."""
    from mallbatch.store import open_store, store_exists

    if not store_exists(ws):
        return StoreFacts()
    labels = {(a.mall, a.name): a.label for a in ws.config.accounts}
    with open_store(ws) as store:
        return store_facts(store, labels, now_kst())


def inbox_names(inbox: Path) -> list[str]:
    """The files the service will take, as the seller sees them in the folder."""
    return sorted(p.name for p in inbox.iterdir()
                  if not p.is_symlink() and p.is_file() and not is_ignored(p.name) and not is_trigger(p.name)) if inbox.exists() else []


def inbox_files(inbox: Path) -> tuple[list[str], list[str]]:
    """(waiting in the inbox, claimed into inbox/.processing)."""
    claimed = inbox / ".processing"
    return inbox_names(inbox), sorted(p.name for p in claimed.glob("*")) if claimed.exists() else []


def read_snapshot(ws: Workspace) -> dict[str, Any]:
    """The service's last snapshot ({} when there is none or it cannot be read)."""
    try:
        data = json.loads((ws.state / STATUS_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def overview(ws: Workspace) -> Overview:
    """The state as ``mallbatch status`` sees it: the running service's snapshot, or the store alone.

    A service that died without a clean stop (SIGKILL, crash, power cut) leaves a snapshot that
    still says 실행 중: the free lock gives it away, and 상태.xlsx / 상태.txt are rewritten as
    중지됨 with the time of its last record, so a seller opening them is not misled.
    """
    view = _build(ws, is_running(ws.state / LOCK_FILE))
    if view.unclean and not view.snapshot.get("unclean"):
        return _mark_dead(ws, view.facts) or view
    return view


def _build(ws: Workspace, running: bool, facts: StoreFacts | None = None) -> Overview:
    snapshot = read_snapshot(ws)
    if not snapshot.get("collections"):
        snapshot["collections"] = _watermark_rows(ws)
    names, processing = inbox_files(ws.inbox)
    if facts is None:
        facts = StoreFacts.from_dict(snapshot) if running and "late" in snapshot else _fresh_facts(ws)
    return Overview(running, snapshot, names, processing, facts, now_kst())


def _mark_dead(ws: Workspace, facts: StoreFacts) -> Overview | None:
    """Rewrite 상태 as 중지됨 for a service that died, holding the workspace lock meanwhile (a service
    starting now waits for it, see ``InstanceLock.acquire``); None when a service holds it after all."""
    lock = InstanceLock(ws.state / LOCK_FILE)
    try:
        lock.acquire()
    except AlreadyRunning:
        return None
    try:
        view = _build(ws, False, facts)  # the snapshot again under the lock: it may have moved on (the store's facts have not)
        if not view.unclean:
            return view
        view.snapshot |= {"unclean": True, "stopped_at": view.snapshot.get("stopped_at") or view.snapshot.get("updated_at", ""),
                          "progress": {}}
        problem = view.write(ws.outbox / STATUS_BOOK)
        if problem:
            log.warning("%s", problem)
        save_text(ws, view.snapshot, view)
        return view
    finally:
        lock.release()


def unclean_stop(ws: Workspace) -> str:
    """When the last service stopped without a clean stop ('' if it stopped cleanly or never ran)."""
    snapshot = read_snapshot(ws)
    if snapshot.get("unclean") or (snapshot.get("updated_at") and not snapshot.get("stopped_at")):
        return str(snapshot.get("stopped_at") or snapshot.get("updated_at"))
    return ""


def status_lines(ws: Workspace) -> list[str]:
    """``mallbatch status``: running or not, queued, in progress, failed, collections."""
    return overview(ws).lines()
