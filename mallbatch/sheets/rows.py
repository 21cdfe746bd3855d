"""A parsed data row and the context rules see while checking it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mallbatch.sheets.columns import Column, SheetKind
from mallbatch.sheets.issues import (
    ERROR,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_WARNING,
    WARNING,
    Issue,
)


@dataclass
class Row:
    excel_row: int
    cells: list[str]  # the seller's cells as text, full width of the sheet
    values: dict[str, Any]  # normalised values by column name; None when empty or invalid
    issues: list[Issue] = field(default_factory=list)
    skipped: str = ""  # reason this row is intentionally not processed (e.g. 송장 미입력)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return value is not None and value != ""

    @property
    def status(self) -> str:
        if any(i.severity == ERROR for i in self.issues):
            return STATUS_ERROR
        if any(i.severity == WARNING for i in self.issues):
            return STATUS_WARNING
        return STATUS_OK

    def texts(self, severity: str) -> list[str]:
        """The lines of this row's issues of one severity, in the order they were found."""
        return list(dict.fromkeys(i.text for i in self.issues if i.severity == severity))

    @property
    def message(self) -> str:
        """Errors first, then warnings, each line saying which it is: a seller sees what stops the row."""
        return "\n".join([f"{STATUS_ERROR} - {t}" for t in self.texts(ERROR)] + [f"{STATUS_WARNING} - {t}" for t in self.texts(WARNING)])


@dataclass
class BookContext:
    """What rules may consult beyond the row: the other sheets, the store, the workspace."""

    path: Path
    images_dir: Path | None = None
    known_groups: set[tuple[str, str, str]] = field(default_factory=set)  # (mall, account, group) in store
    stored_products: Callable[[str], dict[str, Any] | None] = lambda code: None
    stored_groups: Callable[[str], list[dict[str, Any]]] = lambda name: []  # saved groups of that name
    accounts: set[tuple[str, str]] | None = None  # configured (mall, account); None = do not check
    groups_in_file: set[str] = field(default_factory=set)
    file_groups: list[dict[str, Any]] = field(default_factory=list)  # this file's valid groups, mall as code
    notes: list[str] = field(default_factory=list)  # file-level remarks for the 요약 sheet

    def groups_named(self, name: str) -> list[dict[str, Any]]:
        """The groups push will link a product to under ``name``: this file's, then stored ones it does not redefine."""
        here = [g for g in self.file_groups if g["group"] == name]
        stored = [g for g in self.stored_groups(name)
                  if not any(h["mall"] == g["mall"] and h.get("account") in (None, "", g.get("account")) for h in here)]
        return here + stored


@dataclass
class SheetContext:
    sheet: str
    kind: SheetKind
    columns: dict[str, int]
    headers: list[str]
    book: BookContext

    def header_of(self, name: str) -> str:
        index = self.columns.get(name)
        return self.headers[index] if index is not None else self.kind.column(name).header

    def issue(
        self, row: Row, name: str, code: str, message: str, fix: str = "", severity: str = ERROR
    ) -> Issue:
        """An issue on the cell of column ``name`` in ``row``."""
        index = self.columns.get(name)
        value = row.cells[index] if index is not None and index < len(row.cells) else ""
        return Issue(severity, code, message, fix, self.sheet, row.excel_row, self.header_of(name), index, value)

    def column(self, name: str) -> Column:
        return self.kind.column(name)
