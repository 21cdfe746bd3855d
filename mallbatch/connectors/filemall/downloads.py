"""A file mall's order and claim downloads: one sheet kind per mall and download, built from its layout, so the
reader finds the header row, normalises every cell and reports each bad one like any seller sheet; then each
valid row becomes an OrderLine or a Claim of that mall's account.

A sheet is taken as a mall's download only when one layout fits it best: every column that layout needs is there,
and no other layout that fits leaves fewer of the sheet's headers unexplained. Two equally good fits (a seller's
override that copies another mall's layout) are refused with both named, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mallbatch.connectors.filemall.fields import SECTION_NAMES, SECTIONS
from mallbatch.connectors.filemall.layouts import OVERRIDE_NAME, FileLayout
from mallbatch.domain.clock import KST
from mallbatch.domain.couriers import find_courier
from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, OrderLine, OrderStatus
from mallbatch.malls import mall_name
from mallbatch.sheets.columns import Column, SheetKind, header_key
from mallbatch.sheets.issues import Issue
from mallbatch.sheets.layout import SCAN_ROWS, find_layout
from mallbatch.sheets.reader import RawSheet
from mallbatch.sheets.rows import Row, SheetContext

DOWNLOADS = ("order_download", "claim_download")
STATUS_TABLE = {"order_download": ("status", "orders", OrderStatus), "claim_download": ("status", "claims", ClaimStatus)}


@dataclass(frozen=True)
class Download:
    mall: str
    section: str  # order_download / claim_download

    @property
    def code(self) -> str:
        return f"{self.mall}:{self.section}"

    @property
    def title(self) -> str:
        return f"{mall_name(self.mall)} {SECTION_NAMES[self.section]}"


def parse_code(code: str) -> Download | None:
    """The download a sheet kind code names ("hmall:order_download"), or None for any other kind."""
    mall, _, section = code.partition(":")
    return Download(mall, section) if section in DOWNLOADS else None


def _word(table: dict[str, str], text: str) -> str | None:
    """Our word for the mall's (exact, else the longest known word inside it: "배송완료(11/21)")."""
    keys = {header_key(k): v for k, v in table.items()}
    key = header_key(text)
    if key in keys:
        return keys[key]
    inside = [k for k in keys if k and k in key]
    return keys[max(inside, key=len)] if inside else None


def _status_rule(layout: FileLayout, section: str) -> Any:
    field, table_name, _ = STATUS_TABLE[section]
    tables = [("kind", "claim_kinds")] if section == "claim_download" else []

    def check(row: Row, ctx: SheetContext) -> Iterator[Issue]:
        for name, table in [(field, table_name), *tables]:
            text = row.get(name)
            if text and _word(layout.statuses[table], str(text)) is None:
                known = ", ".join(dict.fromkeys(layout.statuses[table]))
                yield ctx.issue(row, name, "file-mall-status", f"'{text}'은(는) 알 수 없는 {ctx.header_of(name)}입니다",
                                f"작업 폴더의 {OVERRIDE_NAME} [statuses.{table}] 에 \"{text}\" = \"…\" 를 더하세요 (아는 값: {known})")
    return check


def kind_for(layout: FileLayout, section: str) -> SheetKind:
    """The sheet kind of one mall's download: its own headers, our fields' parsing and required columns."""
    download = Download(layout.mall, section)
    fields = SECTIONS[section]
    part = layout.part(section)
    columns = tuple(Column(header, name, fields[name].kind, required=fields[name].required, help=fields[name].label)
                    for header, name in part.columns)
    assumed = " (추정 양식)" if layout.assumed else ""
    return SheetKind(code=download.code, title=download.title, columns=columns,
                     description=f"{download.title}{assumed}: 판매자센터에서 내려받은 엑셀 그대로",
                     row_rules=(_status_rule(layout, section),), extra={"download": download})


def download_kinds(layouts: dict[str, FileLayout]) -> dict[str, SheetKind]:
    kinds = [kind_for(layout, section) for layout in layouts.values() for section in DOWNLOADS]
    return {k.code: k for k in kinds}


def fits(sheet: RawSheet, kinds: dict[str, SheetKind]) -> list[tuple[SheetKind, int, int]]:
    """(kind, headers left unexplained, columns matched) of every download layout whose needed columns the sheet has,
    best first."""
    found = []
    for kind in kinds.values():
        layout = find_layout(sheet, kind)
        if layout is not None and all(c.name in layout.columns for c in kind.required_columns):
            found.append((kind, len(layout.unknown), layout.score))
    return sorted(found, key=lambda f: (f[1], -f[2]))


def headers_found(sheet: RawSheet) -> list[str]:
    """The most header-like row of a sheet (the fullest of its first rows), for a message."""
    rows = sheet.rows[:SCAN_ROWS]
    best = max(rows, key=lambda r: sum(1 for c in r if c.strip()), default=[])
    return [c.strip() for c in best if c.strip()]


def layouts_tried(kinds: dict[str, SheetKind]) -> str:
    return "; ".join(f"{k.title}({', '.join(c.header for c in k.required_columns)})" for k in kinds.values())


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=KST)
    return None


def _line_id(values: dict[str, Any]) -> str:
    if values.get("line_id"):
        return str(values["line_id"])
    return f"{values['order_id']}-{values['line_seq']}" if values.get("line_seq") else str(values["order_id"])


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value)


def order_line(layout: FileLayout, account: str, values: dict[str, Any]) -> OrderLine:
    """One valid download row as an order line (its cells as the mall wrote them kept in ``raw``)."""
    raw_status = _text(values, "status")
    status = OrderStatus(_word(layout.statuses["orders"], raw_status) or OrderStatus.PAID)
    courier = find_courier(_text(values, "courier"))
    quantity = int(values.get("quantity") or 1)
    unit_price = int(values.get("unit_price") or 0)
    return OrderLine(
        mall=layout.mall, account=account, line_id=_line_id(values), order_id=str(values["order_id"]),
        ship_unit=_text(values, "ship_unit") or str(values["order_id"]), status=status, status_raw=raw_status,
        ordered_at=_when(values.get("ordered_at")), paid_at=_when(values.get("paid_at") or values.get("ordered_at")),
        buyer_name=_text(values, "buyer_name"), buyer_phone=_text(values, "buyer_phone"),
        receiver_name=_text(values, "receiver_name"), receiver_phone=_text(values, "receiver_phone"),
        receiver_phone2=_text(values, "receiver_phone2"), zip=_text(values, "zip"), address=_text(values, "address"),
        address_detail=_text(values, "address_detail"), memo=_text(values, "memo"), product_id=_text(values, "product_id"),
        seller_code=_text(values, "seller_code"), product_name=_text(values, "product_name"),
        option_name=_text(values, "option_name"), quantity=quantity, unit_price=unit_price,
        amount=int(values.get("amount") or unit_price * quantity), shipping_fee=int(values.get("shipping_fee") or 0),
        ship_by=_when(values.get("ship_by")), courier=courier.code if courier else "",
        tracking_no=_text(values, "tracking_no"), raw={k: str(v) for k, v in values.items() if v not in (None, "")},
    )


def claim(layout: FileLayout, account: str, values: dict[str, Any]) -> Claim:
    kind = ClaimKind(_word(layout.statuses["claim_kinds"], _text(values, "kind")) or ClaimKind.CANCEL)
    raw_status = _text(values, "status")
    status = ClaimStatus(_word(layout.statuses["claims"], raw_status) or ClaimStatus.REQUESTED)
    line = _line_id(values) if values.get("line_id") or values.get("line_seq") else ""
    return Claim(
        mall=layout.mall, account=account, claim_id=str(values["claim_id"]), kind=kind, status=status,
        status_raw=f"{_text(values, 'kind')} {raw_status}".strip(), order_id=str(values["order_id"]),
        line_ids=[line] if line else [], ship_unit=str(values["order_id"]), requested_at=_when(values.get("requested_at")),
        reason=_text(values, "reason"), quantity=int(values.get("quantity") or 0), product_name=_text(values, "product_name"),
        option_name=_text(values, "option_name"), requester_name=_text(values, "requester_name"),
        requester_phone=_text(values, "requester_phone"),
        raw={k: str(v) for k, v in values.items() if v not in (None, "")},
    )
