"""Customer-service metrics of an account's support tickets (seed 004 고객 서비스 성과).

Over the tickets opened in the last 30 days:

* 응답 지연율: the share answered late — the merchant's first reply more than 48 hours after the
  ticket opened, or no reply yet and 48 hours gone. A ticket younger than 48 hours without a reply
  is not counted either way yet.
* CSAT: the mean satisfaction of the tickets the mall rated (``Ticket.csat``, 0–1); when the mall
  reports none, "제공되지 않음" — never a made-up number.

Wish's thresholds (seed 004): healthy while late < 5 % and CSAT > 85 %; at risk (listings hidden or
the account suspended) when late > 45 % or CSAT < 60 %. An account *approaches* a threshold — and
상태 warns — when its late rate is 4 % or more (within one point of the healthy limit) or 40 % or
more (within five of at risk), or its CSAT is 87 % or less (two points above healthy) or 65 % or
less.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mallbatch.domain.records import Ticket
from mallbatch.malls import mall_name
from mallbatch.store import Store
from mallbatch.store.records import TICKETS

WINDOW = timedelta(days=30)
LATE_AFTER = timedelta(hours=48)
HEALTHY_LATE, AT_RISK_LATE, NEAR_HEALTHY_LATE, NEAR_RISK_LATE = 0.05, 0.45, 0.04, 0.40
HEALTHY_CSAT, AT_RISK_CSAT, NEAR_HEALTHY_CSAT, NEAR_RISK_CSAT = 0.85, 0.60, 0.87, 0.65
NOT_REPORTED = "제공되지 않음"
THRESHOLDS_KO = ("Wish 기준: 정상은 응답 지연율 5% 미만·CSAT 85% 초과, 위험(노출 차단·계정 정지 가능)은 지연율 45% 초과 또는 "
                 "CSAT 60% 미만. 경고: 지연율 4% 이상(정상 한도 1%p 앞)·40% 이상, CSAT 87% 이하·65% 이하")


@dataclass(frozen=True)
class Metrics:
    mall: str
    account: str
    tickets: int  # opened in the window
    counted: int  # of those, whose reply is late or in time by now
    late: int
    csat: float | None  # mean satisfaction 0–1, None when the mall rated none
    rated: int

    @property
    def late_rate(self) -> float | None:
        return self.late / self.counted if self.counted else None

    def late_level(self) -> tuple[str, bool]:
        """(what the late rate means, whether 상태 warns)."""
        rate = self.late_rate
        if rate is None:
            return "아직 셀 티켓 없음", False
        if rate > AT_RISK_LATE:
            return "위험: 45% 초과 — 노출이 차단되거나 계정이 정지될 수 있습니다", True
        if rate >= NEAR_RISK_LATE:
            return "위험 기준(45% 초과)에 가깝습니다", True
        if rate >= HEALTHY_LATE:
            return "정상 기준(5% 미만)을 넘었습니다", True
        if rate >= NEAR_HEALTHY_LATE:
            return "정상이지만 한도(5% 미만)에 가깝습니다", True
        return "정상", False

    def csat_level(self) -> tuple[str, bool]:
        if self.csat is None:
            return NOT_REPORTED, False
        if self.csat < AT_RISK_CSAT:
            return "위험: 60% 미만 — 노출이 차단되거나 계정이 정지될 수 있습니다", True
        if self.csat <= NEAR_RISK_CSAT:
            return "위험 기준(60% 미만)에 가깝습니다", True
        if self.csat <= HEALTHY_CSAT:
            return "정상 기준(85% 초과)에 못 미칩니다", True
        if self.csat <= NEAR_HEALTHY_CSAT:
            return "정상이지만 한도(85% 초과)에 가깝습니다", True
        return "정상", False

    @property
    def warn(self) -> bool:
        return self.late_level()[1] or self.csat_level()[1]

    def late_text(self) -> str:
        rate = self.late_rate
        if rate is None:
            return f"- ({self.late_level()[0]})"
        return f"{rate:.1%} ({self.late}/{self.counted}건) — {self.late_level()[0]}"

    def csat_text(self) -> str:
        if self.csat is None:
            return f"{NOT_REPORTED} (쇼핑몰이 만족도를 알려 주지 않았습니다)"
        return f"{self.csat:.1%} ({self.rated}건 평가) — {self.csat_level()[0]}"

    def line_ko(self) -> str:
        """One line for 상태 and ``mallbatch status``."""
        return (f"{'⚠ ' if self.warn else ''}{mall_name(self.mall)}/{self.account} 최근 30일 티켓 {self.tickets}건: "
                f"응답 지연율 {self.late_text()}; CSAT {self.csat_text()}")


def late(opened: datetime | None, replied: datetime | None, now: datetime, limit: timedelta = LATE_AFTER) -> bool | None:
    """Seed 004's rule for anything a seller must answer: True/False once it is known; None while
    ``limit`` runs without a reply."""
    if opened is None:
        return None
    if replied is not None:
        return replied - opened > limit
    return True if now - opened > limit else None


def is_late(ticket: Ticket, now: datetime) -> bool | None:
    return late(ticket.opened_at, ticket.first_reply_at, now)


@dataclass(frozen=True)
class LateRate:
    """Seed 004's late-answer rate of one mall over 30 days, for 상태: tickets and inquiries alike."""

    mall: str
    hours: int  # the answer deadline the rate is judged by
    asked: int  # opened in the window
    counted: int
    late: int

    @property
    def rate(self) -> float | None:
        return self.late / self.counted if self.counted else None

    def text(self) -> str:
        if self.rate is None:
            return "- (아직 셀 건 없음)"
        return f"{self.rate:.1%} ({self.late}/{self.counted}건)"

    def line_ko(self) -> str:
        return (f"{mall_name(self.mall)} 최근 30일 {self.asked}건, {self.hours}시간 넘긴 답변: {self.text()}")


def late_rates(items: Iterable[tuple[str, datetime | None, datetime | None]], hours_of: dict[str, int], now: datetime) -> list[LateRate]:
    """Per mall of ``hours_of`` (mall → answer deadline in hours): (mall, asked, first answer) opened in the window."""
    found: dict[str, list[bool | None]] = defaultdict(list)
    for mall, opened, replied in items:
        if mall in hours_of and opened is not None and now - opened <= WINDOW:
            found[mall].append(late(opened, replied, now, timedelta(hours=hours_of[mall])))
    return [LateRate(mall, hours_of[mall], len(judged), sum(1 for j in judged if j is not None), sum(1 for j in judged if j))
            for mall, judged in sorted(found.items())]


def metrics(tickets: Iterable[Ticket], now: datetime) -> list[Metrics]:
    """Per (mall, account) with tickets opened in the last 30 days."""
    by_account: dict[tuple[str, str], list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        if ticket.opened_at is not None and now - ticket.opened_at <= WINDOW:
            by_account[(ticket.mall, ticket.account)].append(ticket)
    found = []
    for (mall, account), group in sorted(by_account.items()):
        judged = [late for late in (is_late(t, now) for t in group) if late is not None]
        rated = [t.csat for t in group if t.csat is not None]
        found.append(Metrics(mall, account, len(group), len(judged), sum(judged), sum(rated) / len(rated) if rated else None,
                             len(rated)))
    return found


def stored_metrics(store: Store, now: datetime) -> list[Metrics]:
    return metrics((t for t, _, _ in store.records.all(Ticket, TICKETS, raw=False)), now)


def summary_lines(found: list[Metrics]) -> list[tuple[str, str]]:
    """The 티켓 workbook's 요약: per account its late rate and CSAT, and the thresholds they are judged by."""
    lines: list[tuple[str, str]] = [("고객 서비스 성과 (최근 30일)", "")]
    for m in found:
        label = f"{mall_name(m.mall)}/{m.account}"
        lines += [(f"{label} 티켓", f"{m.tickets}건 (응답 지연을 셀 수 있는 티켓 {m.counted}건)"),
                  (f"{label} 응답 지연율", m.late_text()), (f"{label} CSAT", m.csat_text())]
        if m.warn:
            lines.append((f"{label} 경고", "응답 지연율·CSAT 이 Wish 기준에 가깝거나 넘었습니다. 판매자 응답 대기 티켓에 48시간 안에 답하세요"))
    if not found:
        lines.append(("티켓", "최근 30일에 접수된 티켓이 없습니다"))
    lines += [("응답 지연", "판매자의 첫 답변이 티켓 접수 후 48시간을 넘긴 티켓 (답변 없이 48시간이 지난 티켓 포함)"),
              ("기준", THRESHOLDS_KO)]
    return lines


def status_lines(store: Store, now: datetime) -> list[str]:
    return [m.line_ko() for m in stored_metrics(store, now)]
