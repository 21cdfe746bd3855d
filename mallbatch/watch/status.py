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
from mallbatch.pipeline.cs_metrics import status_lines as cs_lines
from mallbatch.pipeline.sale_period import HEADING, ending_lines
from mallbatch.pipeline.stock_sync import stock_today
from mallbatch.watch.lock import is_running
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
                "sale_ends": self.sale_ends, "stock": self.stock, "cs": self.cs}

    def text_ko(self) -> str:
        if self.stopped_at:
            head = (f"mallbatch 상태: 중지됨 ({self.stopped_at} 에 멈췄습니다. {self.started_at} 에 시작했었습니다). "
                    "다시 켜려면 mallbatch watch")
        else:
            head = f"mallbatch 상태 ({_stamp(now_kst())} 기준, {self.started_at} 부터 실행 중)"
        lines = [head, ""]
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
    if not ws.store_path.exists():
        return []
    from mallbatch.store import Store

    labels = {(a.mall, a.name): a.label for a in ws.config.accounts}
    with Store(ws.store_path) as store:
        marks = store.records.watermarks()
    return [{"account": labels.get((m["mall"], m["account"]), f"{m['mall']}/{m['account']}"), "kind": KIND_NAMES.get(m["kind"], m["kind"]),
             "last": _stamp(datetime.fromisoformat(m["value"])), "next": "-"} for m in marks]


def _sale_end_lines(ws: Workspace) -> list[str]:
    """Straight from the store, so ``mallbatch status`` is current with or without the service."""
    if not ws.store_path.exists():
        return []
    from mallbatch.store import Store

    labels = {(a.mall, a.name): a.label for a in ws.config.accounts}
    with Store(ws.store_path) as store:
        return ending_lines(store, labels, now_kst().date())


def _stock_today(ws: Workspace) -> list[str]:
    if not ws.store_path.exists():
        return []
    from mallbatch.store import Store

    with Store(ws.store_path) as store:
        return stock_today(store)


def _cs_lines(ws: Workspace) -> list[str]:
    if not ws.store_path.exists():
        return []
    from mallbatch.store import Store

    with Store(ws.store_path) as store:
        return cs_lines(store, now_kst())


def status_lines(ws: Workspace) -> list[str]:
    """``mallbatch status``: running or not, queued, in progress, failed, collections."""
    running = is_running(ws.state / LOCK_FILE)
    snapshot: dict[str, Any] = {}
    path = ws.state / STATUS_JSON
    if path.exists():
        try:
            snapshot = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            snapshot = {}
    lines = [f"서비스: {'실행 중' if running else '실행 중이 아님'}"
             + (f" (pid {snapshot.get('pid')}, {snapshot.get('started_at')} 부터, 마지막 갱신 {snapshot.get('updated_at')})" if running and snapshot else "")
             + (f" ({snapshot['stopped_at']} 에 멈췄습니다)" if not running and snapshot.get("stopped_at") else "")]
    names = sorted(p.name for p in ws.inbox.iterdir()
                   if not p.is_symlink() and p.is_file() and not is_ignored(p.name) and not is_trigger(p.name)) if ws.inbox.exists() else []
    waiting = snapshot.get("waiting", {}) if running else {}
    lines.append(f"대기 중 ({len(names)}개, inbox):")
    lines += [f"  {n}" + (f" - {waiting[n]}" if n in waiting else "") for n in names] or ["  (없음)"]
    processing = sorted(p.name for p in (ws.inbox / ".processing").glob("*")) if (ws.inbox / ".processing").exists() else []
    lines.append("처리 중:")
    lines += [f"  {n}" for n in processing] or ["  (없음)"]
    lines.append("처리 못 한 파일:")
    lines += [f"  {f['at']} {f['name']}: {f['message']}" for f in snapshot.get("failed", [])] or ["  (없음)"]
    if snapshot.get("retries"):
        lines.append("자동 재시도 예정:")
        lines += [f"  {name}: {when}" for name, when in snapshot["retries"].items()]
    if snapshot.get("not_taken"):
        lines.append("inbox 에서 처리하지 않는 항목:")
        lines += [f"  {name}: {why}" for name, why in snapshot["not_taken"].items()]
    lines.append("수집 (마지막 / 다음):")
    collections = snapshot.get("collections") or _watermark_rows(ws)
    lines += [f"  {c['account']} {c['kind']}: {c['last']} / {c['next'] if running else '서비스 실행 시'}"
              + (f"  실패: {c['error']}" if c.get("error") else "") for c in collections] or ["  (기록 없음)"]
    sale_ends = _sale_end_lines(ws)
    if sale_ends:
        lines.append(f"{HEADING}:")
        lines += [f"  {line}" for line in sale_ends]
    stock = _stock_today(ws)
    if stock:
        lines.append("재고 연동 (오늘):")
        lines += [f"  {line}" for line in stock]
    cs = _cs_lines(ws)
    if cs:
        lines.append("고객 서비스 성과 (지원 티켓, 최근 30일):")
        lines += [f"  {line}" for line in cs] + [f"  ({THRESHOLDS_KO})"]
    warnings = [a["line"] for a in snapshot.get("accounts", []) if a.get("warn")]
    if warnings:
        lines.append("계정 경고:")
        lines += [f"  {w}" for w in warnings]
    return lines
