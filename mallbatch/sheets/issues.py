"""Validation issues and the report, in the seller's coordinates (sheet, Excel row, header).

Modelled on frictionless-py's report: every issue has a stable ``code``, a Korean
``message`` and a ``fix``; the report caps what it lists and says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ERROR = "error"
WARNING = "warning"

STATUS_OK = "정상"
STATUS_ERROR = "오류"
STATUS_WARNING = "경고"


@dataclass(frozen=True)
class Issue:
    severity: str
    code: str
    message: str
    fix: str = ""
    sheet: str = ""
    row: int | None = None  # the row number Excel shows
    column: str = ""  # header as written in the seller's sheet
    col_index: int | None = None  # 0-based position in the seller's sheet
    value: str = ""

    @property
    def text(self) -> str:
        """One line for the 메시지 column: what is wrong, then how to fix it."""
        where = f"[{self.column}] " if self.column else ""
        return f"{where}{self.message}" + (f" → {self.fix}" if self.fix else "")

    def where(self) -> str:
        parts = [p for p in (self.sheet and f"'{self.sheet}' 시트", self.row and f"{self.row}행", self.column and f"'{self.column}' 열") if p]
        return " ".join(parts)


@dataclass
class SheetReport:
    sheet: str
    kind: str  # kind code the rows were validated as
    source_kind: str  # kind of the workbook (differs for outbox workbooks dropped back)
    header_row: int  # Excel row number of the header
    headers: list[str]
    columns: dict[str, int]  # column name → 0-based index in the seller's sheet
    rows: list[Any] = field(default_factory=list)  # mallbatch.sheets.rows.Row
    issues: list[Issue] = field(default_factory=list)
    title: str = ""  # Korean kind name (상품, 판매정보 …) for messages


@dataclass
class Report:
    path: Path
    sheets: list[SheetReport] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # file-level and sheet-level
    max_errors: int = 1000

    def all_issues(self) -> list[Issue]:
        return self.issues + [i for s in self.sheets for i in s.issues] + [
            i for s in self.sheets for r in s.rows for i in r.issues
        ]

    @property
    def error_count(self) -> int:
        return sum(1 for i in self.all_issues() if i.severity == ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for i in self.all_issues() if i.severity == WARNING)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets)

    @property
    def valid(self) -> bool:
        return self.error_count == 0

    @property
    def capped(self) -> bool:
        return self.error_count > self.max_errors

    def listed(self) -> list[Issue]:
        """Issues to list (errors first, at most ``max_errors`` of them)."""
        issues = self.all_issues()
        errors = [i for i in issues if i.severity == ERROR][: self.max_errors]
        warnings = [i for i in issues if i.severity == WARNING][: self.max_errors]
        return errors + warnings

    def rows_with_errors(self) -> int:
        return sum(1 for s in self.sheets for r in s.rows if r.status == STATUS_ERROR)

    def summary_ko(self) -> str:
        kinds = ", ".join(title for _, title in sorted({(s.kind, s.title or s.kind) for s in self.sheets})) or "-"
        text = (
            f"{self.path.name}: {self.row_count}행 검사 ({kinds}) — 오류 {self.error_count}건"
            f" (오류가 있는 행 {self.rows_with_errors()}개), 경고 {self.warning_count}건"
        )
        if self.capped:
            text += f"\n오류가 너무 많아 처음 {self.max_errors:,}건만 표시했습니다."
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "valid": self.valid,
            "stats": {"rows": self.row_count, "errors": self.error_count, "warnings": self.warning_count, "capped": self.capped},
            "sheets": [
                {"sheet": s.sheet, "kind": s.kind, "header_row": s.header_row, "rows": len(s.rows)} for s in self.sheets
            ],
            "issues": [asdict(i) for i in self.listed()],
        }
