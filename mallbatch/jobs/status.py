"""A seller's 상태.xlsx and 상태.txt when the watcher only enqueues (a PostgreSQL store).

``mallbatch watch`` in its own process keeps a board as it works; the enqueue-only watcher does no
work to report, so a worker writes the seller's 상태 from what is recorded instead: files from the
store's ``files`` table (those still in ``inbox/.processing`` shown 처리 중), last and next collection
per account and kind from the watermarks and the schedule, the store's facts (sale periods, stock,
deadlines, late answers), this seller's jobs waiting in the queue and the last account check (one
auth call per account every ``[watch] account_check_hours``). The same model as everywhere
(:class:`~mallbatch.watch.status.Board`), so ``mallbatch status`` reads it back unchanged.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mallbatch.domain.clock import now_kst
from mallbatch.jobs.queue import COLLECT, DAILY, JOBS_SCHEMA, PROCESS_FILE, RETRY_FILE, STATUS, STOCK_ROUND
from mallbatch.pipeline.accounts import check_accounts
from mallbatch.store.timestamps import now_iso
from mallbatch.watch.lock import is_running
from mallbatch.watch.overview import store_facts
from mallbatch.watch.schedule import CollectSchedule
from mallbatch.watch.service import reason_ko
from mallbatch.watch.settings import WatchSettings
from mallbatch.watch.status import KEEP, LOCK_FILE, Board, collection_rows, stamp
from mallbatch.workspace import Workspace

log = logging.getLogger("mallbatch.jobs")
ACCOUNT_CHECK = "account_check"  # kept: {"at": UTC ISO time, "accounts": [Board account rows]}
NOTE_SUFFIX = ".오류.txt"  # a file archived after its last failed try: its note (mallbatch.watch.service.write_note)
TASK_NAMES = {PROCESS_FILE: "파일 처리", RETRY_FILE: "실패 행 재시도", COLLECT: "수집", STOCK_ROUND: "재고 연동", DAILY: "일일 엑셀"}


def queued_jobs(store: Any, seller: str) -> dict[str, int]:
    """This seller's jobs waiting or running, by what they do (not counting the writing of 상태 itself)."""
    with store.transaction() as db:
        rows = db.execute(f"SELECT task_name, COUNT(*) FROM {JOBS_SCHEMA}.procrastinate_jobs WHERE status IN ('todo', 'doing') "
                          "AND args->>'seller' = ? AND task_name <> ? GROUP BY task_name", (seller, STATUS)).fetchall()
    return {TASK_NAMES.get(task, task): int(count) for task, count in rows}


def checked_accounts(ws: Workspace, store: Any) -> list[dict[str, Any]]:
    """The last account check (auth works, days until the key expires), run again once it is older than
    ``[watch] account_check_hours``; kept in the store, so any worker shows the last one any worker ran."""
    kept = store.kept("", "")  # the workspace's own row, no account's
    hours = WatchSettings.from_config(ws.config, ws.inbox).account_check_hours
    try:
        last = json.loads(kept.get(ACCOUNT_CHECK) or "{}")
    except ValueError:
        last = {}
    if last.get("at") and datetime.now(UTC) - datetime.fromisoformat(last["at"]) < timedelta(hours=hours):
        return list(last.get("accounts", []))
    try:
        rows = [status.board_row() for status in check_accounts(ws)]
    except Exception as exc:  # noqa: BLE001 - a health check must never stop the 상태 round
        log.warning("계정 점검 실패: %s", reason_ko(exc))
        return list(last.get("accounts", []))
    kept.put(ACCOUNT_CHECK, json.dumps({"at": now_iso(), "accounts": rows}, ensure_ascii=False))
    return rows


def board_of(ws: Workspace, store: Any, seller: str, kinds: dict[tuple[str, str], tuple[str, ...]]) -> Board:
    """The seller's board as recorded in the store and the queue."""
    now = now_kst()
    labels = {(a.mall, a.name): a.label for a in ws.config.accounts}
    board = Board(inbox=ws.inbox, outbox=ws.outbox, served_by=f"작업자 {socket.gethostname()}")
    if not is_running(ws.state / LOCK_FILE):  # the enqueuer stopped (it queues a last round when it does)
        board.stopped_at = stamp(now_iso())
    for row in reversed(store.recent_files(KEEP)):
        at = stamp(row["updated_at"])
        if row["state"] == "archived" and row["result_path"].endswith(NOTE_SUFFIX):
            board.failed.append({"name": row["name"], "at": at, "message": f"여러 번 실패해 보관했습니다 (설명: {Path(row['result_path']).name})"})
        elif row["state"] == "archived":
            board.done.append({"name": row["name"], "at": at, "summary": f"{row['name']}: 결과 {Path(row['result_path']).name}",
                               "result": row["result_path"]})
    board.collections = collection_rows(CollectSchedule(ws.config, store, kinds), {}, now, labels)
    board.queued = queued_jobs(store, seller)
    board.accounts = checked_accounts(ws, store)
    board.set_facts(store_facts(store, labels, now))
    return board


def write_status(ws: Workspace, store: Any, seller: str, kinds: dict[tuple[str, str], tuple[str, ...]]) -> None:
    """상태.xlsx, 상태.txt and the snapshot ``mallbatch status`` reads; a file open in Excel is logged, never fatal."""
    board_of(ws, store, seller, kinds).save(ws)
