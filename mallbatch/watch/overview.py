"""One model of the service's state, rendered as ``mallbatch status`` lines and as ``outbox/상태.xlsx``.

Both come from :class:`Overview`, built from the service's snapshot (files, accounts, collections,
progress) and the store (deadlines, late-answer rates, stock sync, sale periods), so the workbook and
the command never disagree. The workbook is written to a ``.part`` file and renamed over the old one;
a 상태.xlsx the seller has open in Excel (Windows refuses the rename) is left as it is and the
failure is returned for 상태.txt — the next save tries again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mallbatch.connectors.registry import connector_class
from mallbatch.domain.records import Inquiry, Ticket, TicketState
from mallbatch.files import os_error_ko, part_path
from mallbatch.malls import mall_name
from mallbatch.pipeline.cs_metrics import LATE_AFTER, THRESHOLDS_KO, LateRate, late_rates, metrics
from mallbatch.pipeline.sale_period import HEADING, ending_lines
from mallbatch.pipeline.stock_sync import stock_today
from mallbatch.sheets.writer import Book
from mallbatch.store import Store
from mallbatch.store.records import TICKETS

STATUS_BOOK = "상태.xlsx"
TEXT_AT_MOST = 30  # rows of one list in 상태.txt and ``mallbatch status``; 상태.xlsx has them all
NEAR = timedelta(hours=24)  # an unanswered inquiry or ticket this close to its deadline (or past it) is listed


@dataclass(frozen=True)
class Deadline:
    kind: str  # 문의 / 티켓
    label: str  # mall/account
    item: str  # the inquiry's or ticket's id
    due: datetime

    def left_ko(self, now: datetime) -> str:
        hours = (self.due - now).total_seconds() / 3600
        return f"{-hours:.0f}시간 지남" if hours < 0 else f"{hours:.0f}시간 남음"

    def line_ko(self, now: datetime) -> str:
        return f"{self.label} {self.kind} {self.item}: 답변 기한 {self.due:%m-%d %H:%M} ({self.left_ko(now)})"


@dataclass
class StoreFacts:
    """What 상태 reads from the store: cheap enough to rebuild after each file and collection."""

    sale_ends: list[str] = field(default_factory=list)
    stock: list[str] = field(default_factory=list)
    cs: list[str] = field(default_factory=list)
    late: list[LateRate] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"sale_ends": self.sale_ends, "stock": self.stock, "cs": self.cs,
                "late": [vars(r) for r in self.late],
                "deadlines": [{"kind": d.kind, "label": d.label, "item": d.item, "due": d.due.isoformat()} for d in self.deadlines]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoreFacts:
        return cls(data.get("sale_ends", []), data.get("stock", []), data.get("cs", []),
                   [LateRate(**r) for r in data.get("late", [])],
                   [Deadline(d["kind"], d["label"], d["item"], datetime.fromisoformat(d["due"])) for d in data.get("deadlines", [])])


def answer_hours() -> dict[str, int]:
    """mall → its answer deadline in hours, for every mall whose spec has one."""
    from mallbatch.connectors.registry import connectors

    return {mall: hours for mall in connectors() if (hours := getattr(connector_class(mall).spec, "answer_deadline_hours", None))}


def store_facts(store: Store, labels: dict[tuple[str, str], str], now: datetime) -> StoreFacts:
    hours = answer_hours()
    inquiries = [i for i, _, _ in store.records.all(Inquiry, "inquiries", raw=False)]
    tickets = [t for t, _, _ in store.records.all(Ticket, TICKETS, raw=False)]
    ticket_hours = {t.mall: int(LATE_AFTER.total_seconds() // 3600) for t in tickets}  # seed 004: 48 h for tickets
    rates = late_rates([(i.mall, i.asked_at, i.answered_at if i.answered else None) for i in inquiries], hours, now)
    rates += late_rates([(t.mall, t.opened_at, t.first_reply_at) for t in tickets], ticket_hours, now)
    due: list[Deadline] = []
    for i in inquiries:
        if not i.answered and i.asked_at and i.mall in hours:
            due.append(Deadline("문의", labels.get((i.mall, i.account), f"{mall_name(i.mall)}/{i.account}"), i.inquiry_id,
                                i.asked_at + timedelta(hours=hours[i.mall])))
    for t in tickets:
        if t.state is TicketState.AWAITING_MERCHANT and t.opened_at:
            due.append(Deadline("티켓", labels.get((t.mall, t.account), f"{mall_name(t.mall)}/{t.account}"), t.ticket_id,
                                t.opened_at + LATE_AFTER))
    return StoreFacts(ending_lines(store, labels, now.date()), stock_today(store), [m.line_ko() for m in metrics(tickets, now)],
                      sorted(rates, key=lambda r: r.mall), sorted((d for d in due if d.due - now <= NEAR), key=lambda d: d.due))


@dataclass(frozen=True)
class Section:
    """One block of 상태: ``title (note):`` in ``mallbatch status``, ``[title] note`` in 상태.txt, the same rows in both."""

    title: str
    rows: list[str]
    note: str = ""
    empty: str | None = "(없음)"  # shown when there are no rows; None: the block is left out

    def status_lines(self) -> list[str]:
        return [f"{self.title}{f' ({self.note})' if self.note else ''}:", *self._rows()]

    def text_lines(self) -> list[str]:
        return [f"[{self.title}]{f' {self.note}' if self.note else ''}", *self._rows()]

    def _rows(self) -> list[str]:
        return [f"  {r}" for r in self.rows] or [f"  {self.empty}"]


def capped(rows: list[str], sheet: str) -> list[str]:
    """The first ``TEXT_AT_MOST`` rows and how many more: a big store's overdue inquiries would bury the rest of the text."""
    if len(rows) <= TEXT_AT_MOST:
        return rows
    return [*rows[:TEXT_AT_MOST], f"외 {len(rows) - TEXT_AT_MOST:,}건 (상태.xlsx 의 {sheet} 시트에 모두 있습니다)"]


def one_line(text: str) -> str:
    """A multi-line summary (a push's counts and its file-level problems) as one row."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


@dataclass
class Overview:
    """Everything 상태 says: ``lines()`` is ``mallbatch status``, ``text_ko()`` is 상태.txt, ``write()`` is 상태.xlsx."""

    running: bool
    snapshot: dict[str, Any]
    inbox_names: list[str]
    processing: list[str]
    facts: StoreFacts
    now: datetime

    # --- rows shared by every rendering -----------------------------------------------------
    @property
    def unclean(self) -> bool:
        """Stopped without saying so (killed, crashed, power cut): the lock is free but no stop was recorded."""
        s = self.snapshot
        return not self.running and bool(s.get("unclean") or (s.get("updated_at") and not s.get("stopped_at")))

    def state_word(self) -> str:
        """실행 중 / 중지됨: the first word of 상태.txt, for scripts."""
        return "실행 중" if self.running else "중지됨"

    def service_detail(self) -> str:
        """Since when it runs, or when and how it stopped ('' when the service never ran here)."""
        s = self.snapshot
        if self.running and s.get("served_by"):
            return f"작업 대기열 모드, {s['served_by']} 이(가) {s.get('updated_at')} 에 갱신"
        if self.running:
            return f"pid {s.get('pid')}, {s.get('started_at')} 부터, 마지막 갱신 {s.get('updated_at')}" if s.get("pid") else ""
        if self.unclean:
            return (f"마지막 기록 {s.get('stopped_at') or s.get('updated_at')}, 정상 종료 기록 없이 멈췄습니다. "
                    "mallbatch watch 로 다시 켜세요")
        return f"{s['stopped_at']} 에 멈췄습니다" if s.get("stopped_at") else ""

    def service_text(self) -> str:
        detail = self.service_detail()
        return ("실행 중" if self.running else "실행 중이 아님") + (f" ({detail})" if detail else "")

    def progress_text(self, name: str) -> str:
        p = self.snapshot.get("progress") or {}
        return p.get("text", "") if self.running and p.get("name") == name else ""

    def file_rows(self) -> list[tuple[str, str, str, str]]:
        """(상태, 파일, 시각, 내용) for every file the service knows about."""
        waiting = self.snapshot.get("waiting", {}) if self.running else {}
        rows = [("대기", n, "", waiting.get(n, "")) for n in self.inbox_names]
        if self.running:
            rows += [("처리 중", n, "", self.progress_text(n)) for n in self.processing]
        else:  # a killed service left them claimed: the next start finishes or returns them
            rows += [("중단됨", n, "", "서비스를 다시 켜면 이어서 처리합니다") for n in self.processing]
        rows += [("실패", f["name"], f["at"], f["message"]) for f in self.snapshot.get("failed", [])]
        rows += [("재시도 예정", n, "", when) for n, when in self.snapshot.get("retries", {}).items()]
        rows += [("처리 안 함", n, "", why) for n, why in self.snapshot.get("not_taken", {}).items()]
        rows += [("완료", d["name"], d["at"], one_line(d["summary"])) for d in reversed(self.snapshot.get("done", []))]
        return rows

    def collection_rows(self) -> list[dict[str, str]]:
        """Last and next collection per account and kind; a collection under way shows its count and ETA as the next."""
        def next_text(c: dict[str, str]) -> str:
            if not self.running:
                return "서비스 실행 시"
            return f"수집 중: {c['progress']}" if c.get("progress") else c["next"]

        return [c | {"next": next_text(c)} for c in self.snapshot.get("collections", [])]

    def accounts(self) -> list[dict[str, Any]]:
        return list(self.snapshot.get("accounts", []))

    def sections(self) -> list[Section]:
        """The blocks both text renderings show, in order."""
        files = self.file_rows()

        def rows(state: str, sep: str = ": ") -> list[str]:
            return [f"{at + ' ' if at else ''}{n}{sep + why if why else ''}" for s, n, at, why in files if s == state]

        f = self.facts
        accounts = self.accounts()
        warnings = [a["line"] for a in accounts if a.get("warn")]
        return [s for s in (
            Section("대기 중", rows("대기", " - "), f"{len(rows('대기'))}개, inbox"),
            Section("처리 중", [f"{n} ({why})" if why else n for s, n, _, why in files if s == "처리 중"]),
            Section("처리 중 멈춘 파일", rows("중단됨"), empty=None),
            Section("처리 못 한 파일", rows("실패")),
            Section("자동 재시도 예정", rows("재시도 예정"), "실패·보류된 행만 다시 보냅니다", empty=None),
            Section("inbox 에서 처리하지 않는 항목", rows("처리 안 함"), empty=None),
            Section("작업 대기열", [f"{what} {count}개" for what, count in sorted((self.snapshot.get("queued") or {}).items())],
                    "이 판매자의 기다리거나 진행 중인 작업", empty=None),
            Section("수집", [f"{c['account']} {c['kind']}: {c['last']} / {c['next']}" + (f"  실패: {c['error']}" if c.get("error") else "")
                           for c in self.collection_rows()], "마지막 / 다음", "(기록 없음)"),
            Section(HEADING, f.sale_ends, empty=None),
            Section("재고 연동", f.stock, "오늘", empty=None),
            Section("답변 기한이 가까운 문의·티켓", capped([d.line_ko(self.now) for d in f.deadlines], "답변기한"),
                    "24시간 이내 또는 지남", empty=None),
            Section("답변 지연율", [r.line_ko() for r in f.late], "최근 30일, 쇼핑몰별", empty=None),
            Section("고객 서비스 성과", [*f.cs, f"({THRESHOLDS_KO})"] if f.cs else [], "지원 티켓, 최근 30일", empty=None),
            Section("계정", [f"{'⚠ ' if a.get('warn') else ''}{a['line']}" for a in accounts], empty="(확인 전)"),
            Section("계정 경고", warnings, empty=None),
            Section("최근 처리", [f"{at} {why}" for s, _, at, why in files if s == "완료"], empty=None),
        ) if s.rows or s.empty is not None]

    def problem_lines(self) -> list[str]:
        problem = self.snapshot.get("book_problem", "")
        return [f"⚠ {problem}"] if problem else []

    # --- mallbatch status -------------------------------------------------------------------
    def lines(self) -> list[str]:
        return [f"서비스: {self.service_text()}", *self.problem_lines(), *(line for s in self.sections() for line in s.status_lines())]

    # --- 상태.txt ---------------------------------------------------------------------------
    def text_ko(self) -> str:
        """상태.txt: its first line says 실행 중 or 중지됨 (for scripts), then the same blocks as ``mallbatch status``."""
        detail = self.service_detail()
        head = f"mallbatch 상태: {self.state_word()}{f' ({detail})' if detail else ''} - {self.now:%Y-%m-%d %H:%M} 기준"
        if not self.running and not self.unclean:
            head += ". 다시 켜려면 mallbatch watch"
        lines = [head, *self.problem_lines()]
        for section in self.sections():
            lines += ["", *section.text_lines()]
        return "\n".join(lines) + "\n"

    # --- 상태.xlsx --------------------------------------------------------------------------
    def sheets(self) -> dict[str, tuple[list[str], list[list[Any]]]]:
        """Sheet name → (headers, rows): the workbook's content, plain values the tests read back."""
        f = self.facts
        accounts = [[a["label"], "파일 연동" if a.get("by_file") else ("정상" if a.get("ok") else "실패"),
                     a.get("days_left") if a.get("days_left") is not None else "만료 없음", "⚠" if a.get("warn") else "", a["line"]]
                    for a in self.accounts()]
        return {
            "서비스": (["항목", "값"], [["서비스", self.service_text()], ["상태", self.state_word()],
                                     ["기준 시각", f"{self.now:%Y-%m-%d %H:%M}"]]),
            "계정": (["계정", "인증", "키·토큰 만료까지(일)", "경고", "내용"], accounts),
            "수집": (["계정", "종류", "마지막 수집", "다음 수집", "마지막 실패"],
                     [[c["account"], c["kind"], c["last"], c["next"], c.get("error", "")] for c in self.collection_rows()]),
            "파일": (["상태", "파일", "시각", "내용"], [list(r) for r in self.file_rows()]),
            "답변기한": (["종류", "계정", "번호", "답변 기한", "남은 시간"],
                         [[d.kind, d.label, d.item, f"{d.due:%Y-%m-%d %H:%M}", d.left_ko(self.now)] for d in f.deadlines]),
            "답변지연율": (["쇼핑몰", "기한(시간)", "최근 30일 건수", "셀 수 있는 건수", "지연", "지연율"],
                           [[mall_name(r.mall), r.hours, r.asked, r.counted, r.late, r.text()] for r in f.late]),
            "재고연동": (["오늘의 재고 연동"], [[r] for r in f.stock]),
            "판매기간": ([HEADING], [[r] for r in f.sale_ends]),
        }

    def write(self, path: Path) -> str:
        """Replace ``path`` atomically; '' when written, else why not (in Korean, for 상태.txt)."""
        tmp = part_path(path)
        try:
            book = Book(tmp)
            for name, (headers, rows) in self.sheets().items():
                sheet = book.sheet(name)
                for col, header in enumerate(headers):
                    book.cell(sheet, 0, col, header, book.header)
                    sheet.set_column(col, col, 14 if col < len(headers) - 1 else 60)
                for r, row in enumerate(rows or [["(없음)"]], start=1):
                    for col, value in enumerate(row):
                        book.cell(sheet, r, col, value)
                sheet.freeze_panes(1, 0)
            book.close()
            os.replace(tmp, path)
        except PermissionError:  # open in Excel on Windows: keep the old one, say so, try again at the next save
            tmp.unlink(missing_ok=True)
            return f"{path.name} 이(가) 엑셀에서 열려 있어 갱신하지 못했습니다. 닫으면 다음 갱신 때 바뀝니다"
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            return f"{path.name} 을(를) 쓰지 못했습니다: {os_error_ko(exc)}"
        return ""
