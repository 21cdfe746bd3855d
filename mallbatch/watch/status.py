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

from mallbatch.domain.clock import now_kst
from mallbatch.files import os_error_ko, part_path
from mallbatch.pipeline.collect import KIND_NAMES
from mallbatch.pipeline.cs_metrics import THRESHOLDS_KO
from mallbatch.pipeline.sale_period import HEADING
from mallbatch.watch.lock import is_running
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
                "deadlines": self.deadlines, "progress": self.progress}

    def set_facts(self, facts: StoreFacts) -> None:
        for key, value in facts.to_dict().items():
            setattr(self, key, value)

    def overview(self) -> Overview:
        """The model 상태.xlsx is written from: the same one ``mallbatch status`` reads back."""
        inbox = self.inbox or Path()
        snapshot = self.to_dict()
        processing = sorted(p.name for p in (inbox / ".processing").glob("*")) if (inbox / ".processing").exists() else []
        return Overview(not self.stopped_at, snapshot, inbox_names(inbox), processing, StoreFacts.from_dict(snapshot), now_kst())

    def text_ko(self) -> str:
        if self.stopped_at:
            head = (f"mallbatch 상태: 중지됨 ({self.stopped_at} 에 멈췄습니다. {self.started_at} 에 시작했었습니다). "
                    "다시 켜려면 mallbatch watch")
        else:
            head = f"mallbatch 상태 ({_stamp(now_kst())} 기준, {self.started_at} 부터 실행 중)"
        lines = [head, ""]
        if self.processing:
            lines += [f"[처리 중] {self.processing}" + (f" ({self.progress['text']})" if self.progress.get("text") else ""), ""]
        if self.book_problem:
            lines += [f"⚠ {self.book_problem}", ""]
        lines.append("[계정]")
        lines += [f"  {'⚠ ' if a['warn'] else ''}{a['line']}" for a in self.accounts] or ["  (확인 전)"]
        lines += ["", "[수집] 마지막 / 다음"]
        lines += [f"  {c['account']} {c['kind']}: {c['last']} / {'서비스를 켜면' if self.stopped_at else c['next']}"
                  f"{'  실패: ' + c['error'] if c.get('error') else ''}" for c in self.collections] or ["  (없음)"]
        if self.sale_ends:
            lines += ["", f"[{HEADING}]"]
            lines += [f"  {line}" for line in self.sale_ends]
        if self.stock:
            lines += ["", "[재고 연동] 오늘"]
            lines += [f"  {line}" for line in self.stock]
        if self.deadlines:
            lines += ["", "[답변 기한이 가까운 문의·티켓] 24시간 이내 또는 지남"]
            lines += [f"  {d.line_ko(now_kst())}" for d in StoreFacts.from_dict({"deadlines": self.deadlines}).deadlines]
        if self.late:
            lines += ["", "[답변 지연율] 최근 30일, 쇼핑몰별"]
            lines += [f"  {r.line_ko()}" for r in StoreFacts.from_dict({"late": self.late}).late]
        if self.cs:
            lines += ["", "[고객 서비스 성과] 지원 티켓, 최근 30일"]
            lines += [f"  {line}" for line in self.cs] + [f"  ({THRESHOLDS_KO})"]
        lines += ["", "[처리 못 한 파일]"]
        lines += [f"  {f['at']} {f['name']}: {f['message']}" for f in self.failed] or ["  (없음)"]
        if self.retries:
            lines += ["", "[자동 재시도 예정] (실패·보류된 행만 다시 보냅니다)"]
            lines += [f"  {name}: {when}" for name, when in self.retries.items()]
        lines += ["", "[inbox 에서 처리하지 않는 항목]"]
        lines += [f"  {name}: {why}" for name, why in self.not_taken.items()] or ["  (없음)"]
        lines += ["", "[기다리는 파일]"]
        lines += [f"  {name}: {why}" for name, why in self.waiting.items()] or ["  (없음)"]
        lines += ["", "[최근 처리]"]
        lines += [f"  {d['at']} {d['summary']}" for d in reversed(self.done)] or ["  (없음)"]
        return "\n".join(lines) + "\n"

    def save(self, ws: Workspace) -> None:
        problem = self.overview().write(ws.outbox / STATUS_BOOK)
        if problem and problem != self.book_problem:
            log.warning("%s", problem)
        self.book_problem = problem
        try:
            _replace(ws.state / STATUS_JSON, json.dumps(self.to_dict(), ensure_ascii=False, indent=1), "utf-8")
            _replace(ws.outbox / STATUS_TEXT, self.text_ko(), "utf-8-sig")  # BOM: Notepad shows Hangul
        except OSError as exc:  # e.g. 상태.txt open in an editor that locks it on Windows
            log.warning("상태 파일을 쓰지 못했습니다: %s", os_error_ko(exc))


def _replace(path: Path, text: str, encoding: str) -> None:
    tmp = part_path(path)
    tmp.write_text(text, encoding=encoding)
    os.replace(tmp, path)


def collection_rows(schedule: Any, errors: dict[Any, str], now: datetime, labels: dict[tuple[str, str], str]) -> list[dict[str, str]]:
    """One row per (account, kind) with the last and next collection time."""
    return [{"account": labels.get((s.mall, s.account), f"{s.mall}/{s.account}"), "kind": KIND_NAMES[s.kind],
             "last": _stamp(schedule.last(s)), "next": _stamp(schedule.next_at(s, now)), "error": errors.get(s, "")}
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


def overview(ws: Workspace) -> Overview:
    """The state as ``mallbatch status`` sees it: the running service's snapshot, or the store alone."""
    running = is_running(ws.state / LOCK_FILE)
    snapshot: dict[str, Any] = {}
    path = ws.state / STATUS_JSON
    if path.exists():
        try:
            snapshot = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            snapshot = {}
    if not snapshot.get("collections"):
        snapshot["collections"] = _watermark_rows(ws)
    processing = sorted(p.name for p in (ws.inbox / ".processing").glob("*")) if (ws.inbox / ".processing").exists() else []
    facts = StoreFacts.from_dict(snapshot) if running and "late" in snapshot else _fresh_facts(ws)
    return Overview(running, snapshot, inbox_names(ws.inbox), processing, facts, now_kst())


def status_lines(ws: Workspace) -> list[str]:
    """``mallbatch status``: running or not, queued, in progress, failed, collections."""
    return overview(ws).lines()
