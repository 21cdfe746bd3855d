"""Finding the header row and the kind of each sheet, never by position.

Header rows may sit anywhere in the first 15 rows (mall downloads start with guide
rows); headers are matched by name and synonyms. Kind detection prefers the template's
hidden metadata, then sheet names, then header scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mallbatch.sheets.result_columns import MALL_IDS, MESSAGE, RESULT
from mallbatch.sheets.columns import SheetKind, header_key
from mallbatch.sheets.reader import RawBook, RawSheet

SCAN_ROWS = 15
LATE_SCAN_ROWS = 200  # how far down a misplaced header row is looked for, to say where it is
# Columns a result workbook adds: a fixed result workbook dropped back must read cleanly.
RESULT_HEADERS = {header_key(c.header) for c in (RESULT, MESSAGE, MALL_IDS)}
META_KIND = "kind:"  # meta key prefix: kind:<sheet name> = <kind code>
META_SKIP = "skip:"  # meta key prefix: skip:<sheet name> = "2,3" (Excel rows to skip: guide, example)


@dataclass
class Layout:
    header_row: int  # 0-based index into RawSheet.rows
    columns: dict[str, int]  # column name → 0-based cell index
    headers: list[str]
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len(self.columns)


def match_row(cells: list[str], kind: SheetKind) -> Layout:
    columns: dict[str, int] = {}
    unknown, duplicates = [], []
    lookup = {}
    for col in kind.columns:
        for name in (col.header, *col.synonyms):
            lookup.setdefault(header_key(name), col.name)
    for index, cell in enumerate(cells):
        if not cell.strip():
            continue
        name = lookup.get(header_key(cell))
        if name is None and header_key(cell) in RESULT_HEADERS:
            continue
        if name is None:
            unknown.append((index, cell))
        elif name in columns:
            duplicates.append((index, cell))
        else:
            columns[name] = index
    return Layout(-1, columns, list(cells), unknown, duplicates)


def find_layout(sheet: RawSheet, kind: SheetKind) -> Layout | None:
    """The best header row for ``kind`` within the first rows, or None if nothing fits."""
    best: Layout | None = None
    for index, cells in enumerate(sheet.rows[:SCAN_ROWS]):
        layout = match_row(cells, kind)
        if layout.score and (best is None or layout.score > best.score):
            layout.header_row = index
            best = layout
    minimum = min(2, len(kind.columns))
    return best if best is not None and best.score >= minimum else None


@dataclass
class SheetPlan:
    sheet: RawSheet
    kind: SheetKind  # what the workbook is (orders, inquiries, products …)
    layout: Layout | None  # None: the sheet is named like a kind but no header row was found
    skip_rows: set[int]  # Excel row numbers to ignore (template guide/example rows)


def _by_title(name: str, kinds: list[SheetKind]) -> SheetKind | None:
    key = header_key(name)
    for kind in kinds:
        if key == header_key(kind.title) or key.startswith(header_key(kind.title) + "_"):
            return kind
    return None


def detect(book: RawBook, kinds: list[SheetKind]) -> list[SheetPlan]:
    """Pair each data sheet with its kind and header layout; unknown sheets are left out."""
    by_code = {k.code: k for k in kinds}
    plans: list[SheetPlan] = []
    for sheet in book.sheets:
        kind = by_code.get(book.meta.get(META_KIND + sheet.name, "")) or _by_title(sheet.name, kinds)
        if kind is not None:
            layout = find_layout(sheet, kind)
        else:
            scored = [(find_layout(sheet, k), k) for k in kinds]
            # Prefer the kind that explains most of the header, then the larger match.
            scored = [(lay, k) for lay, k in scored if lay is not None and lay.score >= 3]
            scored.sort(key=lambda p: (p[0].score / (p[0].score + len(p[0].unknown)), p[0].score), reverse=True)
            layout, kind = scored[0] if scored else (None, None)
        if kind is None:
            continue
        skip = {int(r) for r in book.meta.get(META_SKIP + sheet.name, "").split(",") if r.strip().isdigit()}
        plans.append(SheetPlan(sheet, kind, layout, skip))
    return plans


def late_header(book: RawBook, kinds: list[SheetKind]) -> tuple[str, int, SheetKind] | None:
    """(sheet, Excel row, kind) of a header row that sits below the scanned rows, if any."""
    for sheet in book.sheets:
        for index, cells in enumerate(sheet.rows[SCAN_ROWS:LATE_SCAN_ROWS], start=SCAN_ROWS):
            for kind in kinds:
                layout = match_row(cells, kind)
                if layout.score >= 3 and layout.score >= len(layout.unknown):
                    return sheet.name, index + 1, kind
    return None


def key_headers(kind: SheetKind, count: int = 3) -> str:
    """The first required headers of ``kind``, as a seller would look for them."""
    return ", ".join(c.header for c in kind.required_columns[:count])
