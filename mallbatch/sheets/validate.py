"""Validation of a read workbook: normalise every cell, run the pandera schema lazily,
then the kind's row and cross-row rules, and report each bad cell once.

pandera sees typed values in row order; its failure index is mapped back to the Excel
row the seller sees. A cell that failed normalisation is reported by the
normaliser and not again by pandera (style-and-reliability.md B4 pitfalls 1–2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pandera.pandas as pa

from mallbatch.sheets import normalize
from mallbatch.sheets.columns import Column, Kind, SheetKind
from mallbatch.malls import find_mall
from mallbatch.sheets.issues import ERROR, STATUS_ERROR, WARNING, Issue, Report, SheetReport
from mallbatch.sheets.layout import SCAN_ROWS, SheetPlan, detect, key_headers, late_header
from mallbatch.sheets.reader import RawBook
from mallbatch.sheets.rows import BookContext, Row, SheetContext
from mallbatch.sheets.safetext import unescape_text
from mallbatch.sheets.xlsx import column_letter

PARSERS: dict[Kind, Callable[[str], normalize.Normal]] = {
    Kind.TEXT: normalize.text,
    Kind.CHOICE: normalize.text,
    Kind.CODE: normalize.code,
    Kind.DIGITS: normalize.digits,
    Kind.INT: normalize.integer,
    Kind.DAYS: normalize.days,
    Kind.DATE: normalize.date,
    Kind.DATETIME: normalize.datetime_,
    Kind.BOOL: normalize.boolean,
    Kind.PHONE: normalize.phone,
    Kind.ZIP: normalize.zipcode,
}

TEMPLATE_ROWS = 2  # guide and example rows under a template's header
SKIP_MESSAGES = {"courier": "송장 미입력", "tracking_no": "송장 미입력", "answer": "답변 미입력", "claim_action": "처리 미입력",
                 "ticket_action": "처리·답변 미입력"}


_SCHEMAS: dict[str, pa.DataFrameSchema] = {}


def schema_for(kind: SheetKind) -> pa.DataFrameSchema:
    """The pandera schema built from the kind's column definitions (cached per kind).

    Columns are ``required=False``: a missing column is reported once per sheet by
    :func:`validate_sheet`, not once per row by pandera.
    """
    if kind.code in _SCHEMAS:
        return _SCHEMAS[kind.code]
    columns = {}
    for col in kind.columns:
        checks = []
        if col.choices:
            checks.append(pa.Check(lambda s, c=col.choices: s.isin(c), name="choices"))
        if col.max_len:
            checks.append(pa.Check(lambda s, n=col.max_len: s.str.len() <= n, name="max_len"))
        if col.min is not None:
            checks.append(pa.Check(lambda s, n=col.min: s >= n, name="min"))
        if col.max is not None:
            checks.append(pa.Check(lambda s, n=col.max: s <= n, name="max"))
        columns[col.name] = pa.Column(None, nullable=not col.required, required=False, checks=checks)
    _SCHEMAS[kind.code] = pa.DataFrameSchema(columns, strict=False)
    return _SCHEMAS[kind.code]


def _message(col: Column, check: str, value: Any) -> tuple[str, str, str]:
    """(code, message, fix) for a pandera failure on ``col``."""
    if check == "not_nullable":
        return "required", "필수 항목이 비어 있습니다", col.help or "값을 입력하세요"
    if check == "choices":
        shown = ", ".join(col.choices[:8]) + (" …" if len(col.choices) > 8 else "")
        if col.suggest is not None:
            close = col.suggest(str(value))
            return "choices", f"'{value}'은(는) 고를 수 없는 값입니다", (
                f"비슷한 값: {', '.join(close)} (전체 {len(col.choices)}개는 드롭다운이나 '안내' 시트에서 고르세요)")
        if value in col.refused:
            code, why = col.refused[value]
            return code, f"{value}은(는) {why}", f"다음 중 하나로 고르거나 이 행을 지우세요: {', '.join(col.choices)}"  # every one
        return "choices", f"'{value}'은(는) 고를 수 없는 값입니다", f"다음 중 하나를 입력하세요: {shown}"
    if check == "max_len":
        return "too-long", f"{col.max_len}자를 넘습니다 ({len(str(value))}자)", f"{col.max_len}자 이하로 줄이세요"
    if check == "min":
        return "too-small", f"{col.min:,} 이상이어야 합니다 (입력: {value})", col.help or f"{col.min:,} 이상으로 고치세요"
    if check == "max":
        return "too-large", f"{col.max:,} 이하여야 합니다 (입력: {value})", col.help or f"{col.max:,} 이하로 고치세요"
    return "invalid", f"값이 올바르지 않습니다 ({check})", col.help


def _normalise(row: Row, ctx: SheetContext) -> None:
    """Every cell as its column's kind; a column whose kind depends on the row (``kind_of``) after the others."""
    for col in sorted(ctx.kind.columns, key=lambda c: c.kind_of is not None):
        index = ctx.columns.get(col.name)
        text = unescape_text(row.cells[index]) if index is not None and index < len(row.cells) else ""
        if not text.strip():
            row.values[col.name] = col.default
            continue
        try:
            parsed = _parse(col, text, col.kind_of(row) if col.kind_of else col.kind)
        except normalize.NormalizeError as exc:
            row.values[col.name] = None
            row.issues.append(ctx.issue(row, col.name, "type", exc.message, exc.fix or col.help))
            continue
        value, note = parsed.value, parsed.note
        if col.kind is Kind.CHOICE:
            meant = col.choice(value) or col.variant(value)
            if meant is not None and col.choice(value) is None:
                note = "; ".join(filter(None, (note, f"'{value}'을(를) '{meant}'(으)로 읽었습니다")))
            value = meant or value
        row.values[col.name] = value
        if note:
            row.issues.append(ctx.issue(row, col.name, "normalised", note, "", WARNING))


def _parse(col: Column, text: str, kind: Kind) -> normalize.Normal:
    """The cell as ``kind`` (``col``'s, or the row's for it); number hints use the column's own example."""
    if kind in (Kind.INT, Kind.DAYS):
        return PARSERS[kind](text, example=col.example or ("2" if kind is Kind.DAYS else "10"))
    return PARSERS[kind](text)


def _waived(kind: SheetKind, row: Row) -> set[str]:
    """Required columns this row does not need (its 처리 sends no invoice, it names its line another way)."""
    return set(kind.waived(row)) if kind.waived else set()


def _pandera(rows: list[Row], ctx: SheetContext) -> None:
    present = [c for c in ctx.kind.columns if c.name in ctx.columns]
    if not rows or not present:
        return
    # A RangeIndex on purpose: pandera 0.35 with pandas 3 reports not_nullable failures at
    # wrong labels when the index is not 0..n-1 (measured), so positions map back to rows.
    frame = pd.DataFrame({c.name: pd.Series([r.values.get(c.name) for r in rows], dtype=object) for c in present})
    try:
        schema_for(ctx.kind).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
        for column, check, value, index in zip(failures["column"], failures["check"], failures["failure_case"], failures["index"]):
            row = rows[int(index)] if index is not None and not pd.isna(index) else None
            if row is None or not isinstance(column, str):
                continue
            if any(i.col_index == ctx.columns.get(column) and i.severity == ERROR for i in row.issues):
                continue  # one bad cell, one message
            if str(check) == "not_nullable" and column in _waived(ctx.kind, row):
                continue
            code, message, fix = _message(ctx.kind.column(column), str(check), value)
            row.issues.append(ctx.issue(row, column, code, message, fix))


def _unique(rows: list[Row], ctx: SheetContext) -> None:
    """Every row of a duplicated key is an error: which one the seller meant is unknown,
    so none is saved or sent (taking the first would silently drop the seller's later edit)."""
    names = [n for n in ctx.kind.unique if n in ctx.columns]
    if not names:
        return
    by_key: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        key = tuple(row.values.get(n) for n in names)
        if not all(v in (None, "") for v in key):
            by_key.setdefault(key, []).append(row)
    for same in by_key.values():
        if len(same) < 2:
            continue
        for row in same:
            others = ", ".join(str(r.excel_row) for r in same if r is not row)
            target = next((n for n in reversed(names) if row.values.get(n) not in (None, "")), names[0])
            row.issues.append(ctx.issue(row, target, "duplicate", f"{others}행과 중복됩니다", "한 행만 남기고 나머지를 지우거나 값을 고치세요"))


def _cell_problems(plan: SheetPlan, ctx: SheetContext, rows_by_index: dict[int, Row]) -> None:
    sheet = plan.sheet
    for r1, c1, r2, c2 in sheet.merged:
        touched = [rows_by_index[r] for r in range(r1, r2 + 1) if r in rows_by_index]
        if touched:
            ref = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
            row = touched[0]
            row.issues.append(Issue(ERROR, "merged-cell", f"병합된 셀이 있습니다 ({ref})", "셀 병합을 풀고 각 칸에 값을 넣으세요",
                                    ctx.sheet, row.excel_row, ctx.headers[c1] if c1 < len(ctx.headers) else "", c1))
    for r, c in sorted(sheet.formula_missing):
        row = rows_by_index.get(r)
        if row is not None:
            row.issues.append(Issue(ERROR, "formula-no-value", "수식의 계산 결과가 저장되어 있지 않습니다",
                                    "엑셀에서 파일을 열어 저장하거나, 수식을 값으로 바꿔 붙여넣으세요",
                                    ctx.sheet, row.excel_row, ctx.headers[c] if c < len(ctx.headers) else "", c))


def _is_template_row(cells: list[str], kind: SheetKind, columns: dict[str, int]) -> bool:
    """The guide or example row of a template, left as generated: not seller data.

    Both rows hold what mallbatch.sheets.templates writes (``kind.guide_row``,
    ``kind.example_row``); a row with any cell the seller changed is the seller's.
    """
    for template in (kind.guide_row, kind.example_row):
        texts = {columns[c.name]: template.get(c.name, "") for c in kind.columns if c.name in columns}
        filled = [(i, v) for i, v in enumerate(cells) if v.strip()]
        if filled and all(texts.get(i, None) == v for i, v in filled):
            return True
    return False


def _guide_left(cells: list[str], kind: SheetKind, columns: dict[str, int]) -> tuple[list[str], list[str]]:
    """A guide row the seller typed over: the cells still holding the guide text are empty.

    Returns the cells to read and the headers whose guide text was dropped."""
    guide = {columns[c.name]: (kind.guide_row.get(c.name, ""), c.header) for c in kind.columns if c.name in columns}
    left = [i for i, v in enumerate(cells) if v.strip() and i in guide and guide[i][0] == v]
    return [("" if i in left else v) for i, v in enumerate(cells)], [guide[i][1] for i in left]


def _read_problems(plan: SheetPlan, index: int, headers: list[str]) -> list[Issue]:
    """What the reader found wrong with row ``index`` (a broken quote, a bad byte), as errors."""
    cells = plan.sheet.rows[index] if index < len(plan.sheet.rows) else []
    return [
        Issue(ERROR, p.code, p.message, p.fix, plan.sheet.name, index + 1,
              headers[p.col] if p.col is not None and p.col < len(headers) else "", p.col,
              cells[p.col] if p.col is not None and p.col < len(cells) else "")
        for p in plan.sheet.problems.get(index, ())
    ]


def _filled(cells: list[str], index: int | None) -> bool:
    return index is not None and index < len(cells) and bool(cells[index].strip())


def validate_sheet(plan: SheetPlan, kind: SheetKind, book: BookContext) -> SheetReport:
    """Validate one sheet as ``kind`` (which differs from plan.kind for outbox workbooks)."""
    layout = plan.layout
    name = plan.sheet.name
    if layout is None:
        report = SheetReport(name, kind.code, plan.kind.code, 0, [], {}, title=kind.title)
        report.issues.append(Issue(ERROR, "no-header", "머리글(열 이름) 행을 찾을 수 없습니다",
                                   "템플릿의 머리글을 그대로 첫 15행 안에 두세요 (mallbatch templates)", name))
        for index in sorted(plan.sheet.problems):
            report.issues.extend(_read_problems(plan, index, []))
        return report
    headers = layout.headers
    report = SheetReport(name, kind.code, plan.kind.code, layout.header_row + 1, headers, layout.columns, title=kind.title)
    for index in range(min(layout.header_row + 1, len(plan.sheet.rows))):
        report.issues.extend(_read_problems(plan, index, headers))
    ctx = SheetContext(name, kind, layout.columns, headers, book)
    for index, text in layout.unknown:
        report.issues.append(Issue(WARNING, "unknown-column", f"알 수 없는 열 '{text}'은(는) 무시합니다",
                                   "열 이름이 템플릿과 같은지 확인하세요", name, layout.header_row + 1, text, index))
    for index, text in layout.duplicates:
        report.issues.append(Issue(WARNING, "duplicate-column", f"같은 열 '{text}'이(가) 또 있어 무시합니다",
                                   "열 하나만 남기세요", name, layout.header_row + 1, text, index))
    implied = {n: v for n, v in plan.kind.implied.items() if n not in layout.columns}
    missing = [c for c in kind.required_columns if c.name not in layout.columns and c.default is None and c.name not in implied]
    needed: set[str] = set()  # missing columns some row needs
    rows: list[Row] = []
    rows_by_index: dict[int, Row] = {}
    for index in range(layout.header_row + 1, len(plan.sheet.rows)):
        cells = plan.sheet.rows[index]
        # Templates put the guide and example rows right under the header; further down,
        # a row that happens to look like the example is the seller's data.
        if not cells and index not in plan.sheet.problems:
            continue  # the common empty row, and the million a far stray cell leaves
        template_place = index - layout.header_row <= TEMPLATE_ROWS
        damaged = _read_problems(plan, index, headers) if index in plan.sheet.problems else []
        if not damaged and (index + 1 in plan.skip_rows or not any(c.strip() for c in cells) or (
            template_place and _is_template_row(cells, plan.kind, layout.columns)
        )):
            continue
        left: list[str] = []
        if template_place and not damaged:
            cells, left = _guide_left(cells, plan.kind, layout.columns)
        row = Row(index + 1, cells, {}, list(damaged))
        if left:
            row.issues.append(Issue(WARNING, "guide-left", f"안내 행에 입력한 행입니다: 안내 문구가 남은 칸({', '.join(left[:5])}"
                                    + (" …" if len(left) > 5 else "") + ")은 빈 칸으로 읽었습니다",
                                    "필요한 칸은 값을 입력하세요", name, index + 1))
        rows.append(row)
        rows_by_index[index] = row
        if damaged:
            continue  # the reader could not trust this row: it is listed, never sent
        if kind is not plan.kind and plan.kind.fill_columns:
            if not any(_filled(cells, layout.columns.get(n)) for n in plan.kind.fill_columns):
                row.skipped = SKIP_MESSAGES.get(plan.kind.fill_columns[0], "입력 없음")
                continue
        _normalise(row, ctx)
        row.values.update(implied)
        for col in missing:
            if col.name not in _waived(kind, row):
                needed.add(col.name)
                row.issues.append(Issue(ERROR, "missing-column", f"필수 열 '{col.header}'이(가) 없어 처리할 수 없습니다",
                                        "템플릿의 열 이름을 그대로 쓰세요", name, row.excel_row, col.header, None))
    active = [r for r in rows if not r.skipped and not plan.sheet.problems.get(r.excel_row - 1)]
    _pandera(active, ctx)
    _unique(active, ctx)
    for row in active:
        bad = {i.col_index for i in row.issues if i.severity == ERROR and i.col_index is not None}
        for rule in kind.row_rules:  # one bad cell, one message: a cell that could not be read is not judged again
            row.issues.extend(i for i in rule(row, ctx) if i.col_index is None or i.col_index not in bad)
    for rule in kind.sheet_rules:
        report.issues.extend(rule(active, ctx))
    _cell_problems(plan, ctx, rows_by_index)
    report.rows = rows
    for col in (c for c in missing if c.name in needed or not active):
        report.issues.append(Issue(ERROR, "missing-column", f"필수 열 '{col.header}'이(가) 없습니다",
                                   f"머리글에 '{col.header}' 열을 추가하세요 ({col.help})", name, layout.header_row + 1, col.header))
    return report


def _unknown_kind(raw: RawBook, kinds: list[SheetKind]) -> Issue:
    """Say where the header was looked for and which headers would have been recognised."""
    sheets = ", ".join(f"'{s.name}'" for s in raw.sheets) or "(시트 없음)"
    message = f"어떤 종류의 파일인지 알 수 없습니다: {sheets} 시트의 1~{SCAN_ROWS}행에서 머리글(열 이름) 행을 찾지 못했습니다"
    expected = "; ".join(f"{k.title}: {key_headers(k)}" for k in kinds if k.inbox)
    fix = f"머리글 행에 이런 열 이름이 있어야 합니다 — {expected}. mallbatch templates 로 만든 템플릿이나 수집한 주문·문의 엑셀을 쓰세요"
    late = late_header(raw, kinds)
    if late is not None:
        sheet, row, kind = late
        message += f" ('{sheet}' 시트 {row}행에 {kind.title} 머리글이 있는 것 같습니다)"
        fix = f"'{sheet}' 시트 {row}행의 머리글이 1~{SCAN_ROWS}행 안에 오도록 위의 빈 행이나 안내 행을 지우세요"
        return Issue(ERROR, "unknown-kind", message, fix, sheet, row)
    return Issue(ERROR, "unknown-kind", message, fix)


def _group(row: Row) -> dict[str, Any]:
    """A valid 판매정보 row as products see it: mall as code, like a stored group."""
    mall = find_mall(row.get("mall", ""))
    return dict(row.values, mall=mall.code if mall else row.get("mall"))


def validate_book(raw: RawBook, book: BookContext, kinds: dict[str, SheetKind], max_errors: int = 1000) -> Report:
    """Validate every recognised sheet; sales groups first so products can refer to them."""
    report = Report(raw.path, max_errors=max_errors)
    plans = detect(raw, list(kinds.values()))
    if not plans:
        report.issues.append(_unknown_kind(raw, list(kinds.values())))
        return report
    plans.sort(key=lambda p: 0 if p.kind.code == "sales_groups" else 1)
    for plan in plans:
        kind = kinds[plan.kind.reads_as] if plan.kind.reads_as else plan.kind
        if not kind.inbox:
            report.issues.append(Issue(WARNING, "not-input", f"'{plan.sheet.name}' 시트({plan.kind.title})는 보내는 자료가 아니라 건너뜁니다", "", plan.sheet.name))
            continue
        sheet_report = validate_sheet(plan, kind, book)
        if kind.code == "sales_groups":
            book.groups_in_file |= {r.get("group") for r in sheet_report.rows if r.has("group")}
            book.file_groups += [_group(r) for r in sheet_report.rows if not r.skipped and r.status != STATUS_ERROR]
        report.sheets.append(sheet_report)
    for note in dict.fromkeys(book.notes):
        report.issues.append(Issue(WARNING, "note", note))
    return report
