"""Column and sheet-kind definitions: the one place a Korean header is written.

A :class:`SheetKind` drives everything about its sheet: the blank template (headers,
dropdowns, notes, examples), header matching in the reader, the pandera schema, the
per-row rules, and the columns of its result workbook.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mallbatch.sheets.issues import Issue
    from mallbatch.sheets.rows import Row, SheetContext


class Kind(StrEnum):
    """How a cell's text is parsed (see mallbatch.sheets.normalize)."""

    TEXT = "text"
    CODE = "code"  # identifiers: never numbers, full-width folded
    DIGITS = "digits"  # order numbers, tracking numbers
    INT = "int"  # money, counts: 12,000원 → 12000
    DAYS = "days"  # a number of days: 2일, 이틀 → 2
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    BOOL = "bool"
    PHONE = "phone"
    ZIP = "zip"


TEXT_FORMAT_KINDS = {Kind.CODE, Kind.DIGITS, Kind.PHONE, Kind.ZIP}


@dataclass(frozen=True)
class Column:
    header: str
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)  # another name of a choice → choice (silent)
    variants: Mapping[str, str] = field(default_factory=dict)  # a spelling read as a choice, with a 경고 saying so
    refused: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # known value, not a choice → (code, why)
    suggest: Callable[[str], list[str]] | None = None  # long lists: the choices closest to a wrong value
    synonyms: tuple[str, ...] = ()  # other headers sellers use for this column
    max_len: int | None = None
    min: int | None = None
    max: int | None = None
    help: str = ""  # the rule in one Korean sentence: template note, README, error fix
    example: str = ""
    width: int = 14
    default: Any = None
    kind_of: Callable[[Row], Kind] | None = None  # the kind depends on the row's other cells (its mall's ids)

    @property
    def text_format(self) -> bool:
        return self.kind in TEXT_FORMAT_KINDS

    def matches(self, header: str) -> bool:
        key = header_key(header)
        return key == header_key(self.header) or key in {header_key(s) for s in self.synonyms}

    @cached_property
    def _choice_keys(self) -> dict[str, str]:
        keys = {header_key(alias): option for alias, option in self.aliases.items()}
        keys.update({header_key(option): option for option in self.choices})
        return keys

    @cached_property
    def _variant_keys(self) -> dict[str, str]:
        return {header_key(typed): option for typed, option in self.variants.items()}

    def choice(self, text: str) -> str | None:
        """The canonical choice a seller meant, tolerant of spaces and width."""
        return self._choice_keys.get(header_key(text))

    def variant(self, text: str) -> str | None:
        """The choice a seller's own spelling stands for (선불 → 선결제), reported as a repair."""
        return self._variant_keys.get(header_key(text))


def header_key(text: str) -> str:
    """Compare headers ignoring width, case, spaces, '*' marks and brackets' spacing."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*")


@dataclass(frozen=True)
class GuideTable:
    """A reference table a kind's template shows on its 안내 sheet (and the README): e.g. 품목고시 → 항목."""

    title: str
    headers: tuple[str, str]
    rows: tuple[tuple[str, str], ...]


RowRule = Callable[["Row", "SheetContext"], Iterable["Issue"]]
SheetRule = Callable[[list["Row"], "SheetContext"], Iterable["Issue"]]


@dataclass(frozen=True)
class SheetKind:
    code: str
    title: str  # Korean kind name, also the sheet name in templates
    columns: tuple[Column, ...]
    description: str
    unique: tuple[str, ...] = ()  # column names that together must be unique in the file
    row_rules: tuple[RowRule, ...] = ()
    sheet_rules: tuple[SheetRule, ...] = ()
    inbox: bool = True  # False: outbox-only (collected records)
    reads_as: str | None = None  # an outbox workbook dropped back is processed as this kind
    fill_columns: tuple[str, ...] = ()  # reads_as: a row is taken only when one of these is filled
    # required columns a row does not need, from its own values (택배사 when its 처리 sends no invoice)
    waived: Callable[[Row], Iterable[str]] | None = None
    implied: Mapping[str, str] = field(default_factory=dict)  # reads_as: what a mall's own layout says without a column (its 쇼핑몰)
    frozen: str = ""  # outbox workbooks: the columns up to this one stay in view with the header (freeze panes)
    column_dropdowns: tuple[str, ...] = ()  # outbox workbooks: columns whose choices are a dropdown on every row
    example_rows: tuple[Mapping[str, str], ...] = ()
    guide_tables: tuple[GuideTable, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    @cached_property
    def guide_row(self) -> dict[str, str]:
        """What a blank template's guide row (row 2) holds per column: the rule, the first one marked."""
        texts = {c.name: c.help for c in self.columns}
        first = self.columns[0].name
        texts[first] = f"{GUIDE_MARK} {texts[first]}".strip()
        return texts

    @cached_property
    def example_row(self) -> dict[str, str]:
        """What a blank template's example row (row 3) holds: the kind's first example row, else nothing."""
        return dict(self.example_rows[0]) if self.example_rows else {}


GUIDE_MARK = "[안내 행: 읽지 않음]"
