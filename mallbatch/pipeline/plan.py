"""Turning validated rows into journaled commands, and row outcomes into result cells.

Each seller row may fan out (a product linked to three malls) or need a step first
(an invoice needs 발주확인); outcomes are gathered per row so the result workbook
shows one status and every mall's reason beside the seller's own row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mallbatch.config import Account
from mallbatch.sheets.rows import Row
from mallbatch.store.journal import Command

SUCCESS, FAILURE, HOLD, SKIP, ERROR, SAVED = "성공", "실패", "보류", "건너뜀", "오류", "저장"
FILED = "파일로 보냄"  # a file mall's upload workbook holds the row: the seller uploads it in the mall's office
PRECEDENCE = (ERROR, FAILURE, HOLD, FILED, SUCCESS, SAVED, SKIP)
ALREADY = "이미 처리됨"


@dataclass
class Task:
    sheet: str
    row: Row
    account: Account
    command: Command
    obj: Any
    others: list[Row] = field(default_factory=list)  # further rows served by the same command

    @property
    def rows(self) -> list[Row]:
        return [self.row, *self.others]


@dataclass
class RowOutcome:
    parts: list[tuple[str, str, str]] = field(default_factory=list)  # (label, status, message)
    mall_ids: list[str] = field(default_factory=list)
    transient: bool = False  # a 실패 part may pass when sent again later (429, mall down)

    def add(self, label: str, status: str, message: str = "", transient: bool = False) -> None:
        self.parts.append((label, status, message))
        self.transient = self.transient or transient

    @property
    def retryable(self) -> bool:
        """Held or failed for now: worth sending again; a refusal or a rule the mall checks is not."""
        return self.status in (FAILURE, HOLD) and (self.transient or any(s == HOLD for _, s, _ in self.parts))

    @property
    def status(self) -> str:
        statuses = {s for _, s, _ in self.parts}
        return next((s for s in PRECEDENCE if s in statuses), SKIP)

    @property
    def message(self) -> str:
        lines = []
        for label, status, message in self.parts:
            text = f"{label}: {status}" if label else status
            lines.extend(f"{text} - {line}" for line in message.split("\n")) if message else lines.append(text)
        return "\n".join(dict.fromkeys(lines))


class Outcomes(dict[tuple[str, int], RowOutcome]):
    def of(self, sheet: str, row: Row) -> RowOutcome:
        return self.setdefault((sheet, row.excel_row), RowOutcome())
