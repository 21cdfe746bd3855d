"""A file mall's upload workbooks: rows from product listings and invoices, written once each.

Exactly once without a mall to ask: before the workbook, a manifest of the items it holds is written atomically
under ``state/uploads/<mall>/``; then the workbook itself, atomically, into ``outbox/<mall name>/``. An item is
in an upload when a manifest names it *and* that manifest's workbook exists — so a crash before the workbook is in
place leaves the item unsent (it is written again), and a crash after it, before the journal says done, finds it
there (it is not written twice).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from mallbatch.connectors.filemall.layouts import Part
from mallbatch.domain.clock import now_kst
from mallbatch.domain.couriers import BY_CODE as COURIERS
from mallbatch.domain.records import Invoice, ProductListing
from mallbatch.files import atomic_write, private_dir, unique_path
from mallbatch.malls import mall_name
from mallbatch.sheets.writer import Book
from mallbatch.store.journal import payload_hash

UPLOAD_TITLES = {"product_upload": "상품등록", "invoice_upload": "송장등록"}


def product_key(seller_code: str, listing: dict[str, Any]) -> str:
    """One listing's identity in a manifest: the same code and content are the same upload row."""
    return f"product:{seller_code}:{payload_hash({'listing': listing})}"


def invoice_key(ship_unit: str, courier: str, tracking_no: str, shipped_on: Any, quantity: Any) -> str:
    fields = {"courier": courier, "tracking_no": tracking_no, "shipped_on": str(shipped_on or ""), "quantity": int(quantity or 0)}
    return f"invoice:{ship_unit}:{payload_hash(fields)}"


def key_of(item: ProductListing | Invoice) -> str:
    if isinstance(item, ProductListing):
        return product_key(item.seller_code, dataclasses.asdict(item))
    return invoice_key(item.ship_unit, item.courier, item.tracking_no, item.shipped_on, item.quantity)


def _joined(values: Iterable[Any], sep: str = ",") -> str:
    return sep.join(str(v) for v in values if str(v))


def product_values(listing: ProductListing) -> dict[str, Any]:
    """Every product_upload field of one listing (its product joined with its sales group)."""
    options = "; ".join(
        "/".join(o.values) + (f"(+{o.extra_price:,}원)" if o.extra_price > 0 else f"({o.extra_price:,}원)" if o.extra_price else "")
        + f"={o.stock}" for o in listing.options)
    return {
        "seller_code": listing.seller_code, "name": listing.name, "sale_price": listing.sale_price,
        "list_price": listing.list_price, "cost_price": listing.cost_price, "mall_category": listing.mall_category,
        "category": ">".join(listing.category_path), "maker": listing.maker, "brand": listing.brand,
        "model_name": listing.model_name, "model_no": listing.model_no, "origin": listing.origin, "tax_type": listing.tax_type,
        "stock": listing.stock, "options": options, "option_names": _joined(listing.option_names, "/"),
        "main_image": listing.main_image, "extra_images": _joined(listing.extra_images), "detail_html": listing.detail_html,
        "notice_group": listing.notice_group, "notice": "; ".join(f"{k}={v}" for k, v in listing.notice.items()),
        "certifications": "; ".join(f"{c.kind}|{c.agency}|{c.number}" for c in listing.certifications),
        "keywords": _joined(listing.keywords), "sale_start": listing.sale_start.isoformat(),
        "sale_end": listing.sale_end.isoformat(), "shipping_fee": listing.shipping.fee,
        "return_fee": listing.shipping.return_fee, "lead_days": listing.shipping.lead_days,
        "adult_only": "Y" if listing.adult_only else "N",
    }


def invoice_rows(invoice: Invoice) -> list[dict[str, Any]]:
    """One upload row per order line of the invoice (a mall's upload names its lines)."""
    courier = COURIERS.get(invoice.courier)
    shared = {"order_id": invoice.order_id, "ship_unit": invoice.ship_unit, "courier": courier.name if courier else invoice.courier,
              "tracking_no": invoice.tracking_no, "shipped_on": (invoice.shipped_on or now_kst().date()).isoformat(),
              "quantity": invoice.quantity or ""}
    prefix = f"{invoice.order_id}-"
    return [dict(shared, line_id=line, line_seq=line.removeprefix(prefix)) for line in invoice.line_ids or (invoice.ship_unit,)]


class Uploads:
    """The upload workbooks of one mall account: written into ``outbox/<mall name>/``, indexed by their manifests."""

    def __init__(self, mall: str, account: str, outbox: Path, state: Path) -> None:
        self.mall, self.account = mall, account
        self.folder = outbox / mall_name(mall)
        self.manifests = state / "uploads" / mall
        self._index: dict[str, str] | None = None  # item key → workbook path relative to the outbox

    def written(self) -> dict[str, str]:
        """Item key → the workbook holding it, for every manifest whose workbook is in place."""
        if self._index is None:
            self._index = {}
            for manifest in sorted(self.manifests.glob("*.json")) if self.manifests.is_dir() else ():
                try:
                    data = json.loads(manifest.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue  # a torn manifest (none is written in place) says nothing
                if data.get("account") == self.account and (self.folder.parent / data.get("file", "\0")).is_file():
                    self._index.update(dict.fromkeys(data.get("keys", []), data["file"]))
        return self._index

    def write(self, part: Part, items: Sequence[tuple[str, list[dict[str, Any]]]], now: datetime | None = None) -> str:
        """Write one workbook of ``part`` with the items' rows (key, rows); returns its path relative to the outbox."""
        now = now or now_kst()
        self.folder.mkdir(parents=True, exist_ok=True)
        private_dir(self.manifests)
        path = unique_path(self.folder, f"{UPLOAD_TITLES[part.section]}_{self.account}_{now:%Y%m%d_%H%M%S}", ".xlsx")
        relative = f"{self.folder.name}/{path.name}"
        manifest = {"account": self.account, "file": relative, "keys": [key for key, _ in items]}
        atomic_write(self.manifests / f"{path.stem}.json",
                     lambda tmp: tmp.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8"))
        atomic_write(path, lambda tmp: _workbook(tmp, part, [row for _, rows in items for row in rows]))
        self.written().update(dict.fromkeys(manifest["keys"], relative))
        return relative


def _workbook(path: Path, part: Part, rows: list[dict[str, Any]]) -> None:
    """The mall's own layout: its headers in row 1, one row per item line, ids kept as text (no metadata sheet)."""
    book = Book(path)
    ws = book.sheet(part.sheet)
    ws.freeze_panes(1, 0)
    for col, (header, _) in enumerate(part.columns):
        ws.set_column(col, col, max(10, len(header) * 2 + 2), book.text)
        book.cell(ws, 0, col, header, book.header)
    for number, values in enumerate(rows, start=1):
        for col, (_, field) in enumerate(part.columns):
            value = values.get(field)
            book.cell(ws, number, col, value, None if isinstance(value, int) else book.text)
    book.close()
