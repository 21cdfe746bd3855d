"""The 매출통계 workbook: one sheet per breakdown, each with a native Excel chart beside its table.

Written with XlsxWriter itself (not :mod:`mallbatch.sheets.xlsx`, the fast writer kept for big result workbooks):
its charts are real DrawingML that Excel and LibreOffice both draw, and a statistics workbook is a few hundred rows.
Layout of every sheet: title (row 1), period and totals (row 2), then the table from row 4 with its 합계 row last;
기간별 stacks 일별, 주별 and 월별 tables with the line chart of the days beside them.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from mallbatch.domain.clock import now_kst
from mallbatch.files import STATS, atomic_write, outbox_dir, unique_path
from mallbatch.pipeline.stats import NO_DATE, SalesStats, Table, Totals, sales_stats
from mallbatch.sheets.safetext import safe_text
from mallbatch.store import Store
from mallbatch.store.records import ORDERS
from mallbatch.workspace import Workspace

TITLE = "매출통계"
FIGURES = ("주문수", "주문수량", "취소·반품수량", "총매출", "취소·반품금액", "순매출", "객단가")
NET = FIGURES.index("순매출")
GROSS = FIGURES.index("총매출")
TABLE_ROW = 3  # 0-based row of the first table's header
TOP_PRODUCTS, TOP_BARS = 10, 20  # bars a chart shows: the best by 순매출 (the table has them all)
NOTE = "취소·반품은 결제일의 매출에서 한 번만 뺍니다 (부분 취소는 그 수량만큼) · 배송비 제외 · 객단가 = 순매출 ÷ 주문수"


def write_stats_workbook(folder: Path, stats: SalesStats, now: datetime | None = None) -> Path:
    """A new 매출통계 workbook in ``folder`` (never over an open one), written atomically."""
    now = now or now_kst()
    path = unique_path(folder, f"{TITLE}_{now:%Y%m%d_%H%M%S}", ".xlsx")
    return atomic_write(path, lambda tmp: _write(tmp, stats, now))


def write_sales_stats(ws: Workspace, store: Store, start: date | None = None, end: date | None = None,
                      now: datetime | None = None) -> tuple[Path, SalesStats]:
    """``mallbatch stats``: the workbook of ``start``..``end`` in ``outbox/YYYY-MM-DD/통계/``, and its figures."""
    now = now or now_kst()
    stats = sales_stats(store, start, end)
    return write_stats_workbook(outbox_dir(ws.outbox, STATS, now), stats, now), stats


def daily_stats_workbook(ws: Workspace, store: Store, now: datetime | None = None) -> Path | None:
    """Under ``watch``: today's 매출통계 of every stored order, unless today's 통계 folder has one already (a restart
    writes no second) or no order is stored yet (a new workspace gets no empty workbook)."""
    now = now or now_kst()
    if not store.records.count(ORDERS) or any(outbox_dir(ws.outbox, STATS, now).glob(f"{TITLE}_*.xlsx")):
        return None
    return write_sales_stats(ws, store, now=now)[0]


class _Formats:
    def __init__(self, book: Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
        self.number = book.add_format({"num_format": "#,##0"})
        self.total = book.add_format({"bold": True, "num_format": "#,##0", "top": 1})
        self.total_label = book.add_format({"bold": True, "top": 1})
        self.note = book.add_format({"font_color": "#595959"})


def _write(path: Path, stats: SalesStats, now: datetime) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    fmt = _Formats(book)
    sheets = (("기간별", (stats.days, stats.weeks, stats.months), "line"), ("제휴몰별", (stats.malls,), "column"),
              ("카테고리별", (stats.categories,), "bar"), ("상품별", (stats.products,), "bar"),
              ("옵션별", (stats.options,), "bar"), ("지역별", (stats.regions,), "column"))
    for name, tables, kind in sheets:
        ws = book.add_worksheet(name)
        ws.write_string(0, 0, f"{TITLE} · {name}", fmt.title)
        ws.write_string(1, 0, f"기간: {stats.period_ko()} · {stats.summary_ko()} · 만든 시각 {now:%Y-%m-%d %H:%M}", fmt.note)
        if stats.empty:
            ws.write_string(TABLE_ROW, 0, _nothing_ko(stats))
            ws.set_column(0, 0, 16)
            continue
        ws.write_string(2, 0, NOTE, fmt.note)
        row, first = TABLE_ROW, None
        for table in tables:
            if len(tables) > 1:
                ws.write_string(row, 0, table.title, fmt.total_label)
                row += 1
            header = row
            row = _table(ws, fmt, table, row)
            first = first or (table, header)
        width = len(tables[0].keys) + len(FIGURES)
        ws.set_column(0, len(tables[0].keys) - 1, 14 if name == "기간별" else 24)
        ws.set_column(len(tables[0].keys), width - 1, 12)
        ws.freeze_panes(TABLE_ROW + (1 if len(tables) == 1 else 2), 0)
        assert first is not None
        _chart(book, ws, name, kind, *first, col=width + 1)
    book.close()


def _nothing_ko(stats: SalesStats) -> str:
    if stats.lines_in_store:
        return (f"이 기간({stats.period_ko()})에 결제된 주문이 없습니다. 저장된 주문상품 {stats.lines_in_store:,}건은 다른 날짜입니다 — "
                "--from/--to 를 바꿔 mallbatch stats 를 다시 실행하세요.")
    return ("아직 집계할 주문이 없습니다. 주문을 수집한 뒤(mallbatch collect, 또는 켜 둔 mallbatch watch 가 자동으로) "
            "mallbatch stats 로 다시 만드세요.")


def _table(ws: Worksheet, fmt: _Formats, table: Table, row: int) -> int:
    """Header, one row per key, the 합계 row; returns the row after a blank one."""
    for col, text in enumerate((*table.keys, *FIGURES)):
        ws.write_string(row, col, text, fmt.header)
    total = Totals()
    for keys, totals in table.rows:
        row += 1
        for col, key in enumerate(keys):
            if key:
                ws.write_string(row, col, safe_text(key))
        _figures(ws, row, len(keys), totals, fmt.number)
        total.orders |= totals.orders
        total.quantity += totals.quantity
        total.back_quantity += totals.back_quantity
        total.gross += totals.gross
        total.back_amount += totals.back_amount
    row += 1
    ws.write_string(row, 0, "합계", fmt.total_label)
    for col in range(1, len(table.keys)):
        ws.write_blank(row, col, None, fmt.total_label)
    _figures(ws, row, len(table.keys), total, fmt.total)
    return row + 2


def _figures(ws: Worksheet, row: int, col: int, t: Totals, style: object) -> None:
    for offset, value in enumerate((len(t.orders), t.quantity, t.back_quantity, t.gross, t.back_amount, t.net, t.average)):
        ws.write_number(row, col + offset, value, style)


def _chart(book: Workbook, ws: Worksheet, sheet: str, kind: str, table: Table, header: int, col: int) -> None:
    """Line over the days (총매출 and 순매출) or bars of 순매출 for the best rows, beside the table."""
    keys = len(table.keys)
    rows = [keys_ for keys_, _ in table.rows]
    if kind == "line":
        count = len(rows) - (1 if rows and rows[-1] == (NO_DATE,) else 0)
        series = ((GROSS, "총매출"), (NET, "순매출"))
        title = "일별 매출"
    else:
        count = min(len(rows), TOP_PRODUCTS if sheet in ("상품별", "옵션별") else TOP_BARS)
        series = ((NET, "순매출"),)
        title = f"{sheet} 순매출" + (f" (상위 {count})" if count < len(rows) else "")
    if count == 0:
        return
    chart = book.add_chart({"type": kind})
    first, last = header + 1, header + count
    label_from = 1 if sheet in ("상품별", "옵션별") else 0  # 상품명 (and 옵션) rather than the code
    for figure, name in series:
        chart.add_series({"name": name, "categories": [sheet, first, label_from, last, keys - 1],
                          "values": [sheet, first, keys + figure, last, keys + figure],
                          **({"marker": {"type": "circle", "size": 4}} if kind == "line" else {})})
    chart.set_title({"name": title})
    if kind == "bar":
        chart.set_x_axis({"num_format": "#,##0"})
        chart.set_y_axis({"reverse": True})  # the best on top, as in the table
    else:
        chart.set_y_axis({"num_format": "#,##0"})
    chart.set_legend({"position": "bottom"} if len(series) > 1 else {"none": True})
    height = max(320, 24 * count + 100) if kind == "bar" else 360
    chart.set_size({"width": 760, "height": height})
    ws.insert_chart(TABLE_ROW, col, chart)
