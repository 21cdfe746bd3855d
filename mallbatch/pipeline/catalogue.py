"""``products``: the 판매상품 workbook — every stored product on every mall account it is linked to.

A product's accounts are those of the 판매정보 groups it names, plus any account it is bound
to by other means (a binding outlives a group the seller renamed). The state comes from the
link history: the last attempt's outcome, or 연동대기 when the product was saved but never sent.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from mallbatch.domain.clock import KST, now_kst
from mallbatch.files import PRODUCTS, outbox_dir
from mallbatch.kinds.listings import FAILED, LINKED, LISTINGS, UNSETTLED, WAITING
from mallbatch.kinds.stock import STOCK_PRICES, product_counts
from mallbatch.malls import mall_name
from mallbatch.pipeline import outbox
from mallbatch.pipeline.listing import build_listing
from mallbatch.pipeline.plan import HOLD, SUCCESS
from mallbatch.pipeline.sale_period import period_note
from mallbatch.sheets.normalize import split_list
from mallbatch.store import Store
from mallbatch.workspace import Workspace

STATES = {SUCCESS: LINKED, HOLD: UNSETTLED}  # any other outcome of the last attempt is 실패


def listing_rows(store: Store, today: date | None = None) -> list[dict[str, Any]]:
    """One row per stored product × account, in code order; a product linked nowhere still gets its row."""
    today = today or now_kst().date()
    rows: list[dict[str, Any]] = []
    for code in store.product_codes():
        product = store.product(code)
        assert product is not None
        base = {"code": code, "name": product.get("name", ""), "status": product.get("status", "")}
        history: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in store.journal.history(code):
            history[(entry["mall"], entry["account"])] = entry  # ordered by id: the last attempt wins
        bindings = {(b["mall"], b["account"]): b for b in store.journal.bindings_for(code)}
        names = split_list(product.get("groups") or "").value
        groups = {(g["mall"], g["account"]): g for name in names for g in store.groups_named(name)}
        if not groups and not bindings:
            reason = "판매그룹이 없어 저장만 했습니다. 상품 시트의 판매그룹을 채워 다시 보내세요" if not names else \
                f"판매정보 그룹이 저장되어 있지 않습니다: {', '.join(names)}"
            rows.append(base | {"link_state": WAITING, "reason": reason})
        for key in sorted(groups.keys() | bindings.keys()):
            values = _account_values(product, groups.get(key), bindings.get(key), history.get(key), key, today)
            rows.append(base | values | _sent(store, code, key, values.get("product_id", "")))
    return rows


def _account_values(product: dict[str, Any], group: dict[str, Any] | None, binding: dict[str, Any] | None,
                    last: dict[str, Any] | None, key: tuple[str, str], today: date) -> dict[str, Any]:
    values: dict[str, Any] = {"mall": mall_name(key[0]), "account": key[1],
                              "product_id": binding["product_id"] if binding else "",
                              "groups": group["group"] if group else (binding or {}).get("group_name", "")}
    if group is not None:
        listing = build_listing(product, group)
        values |= {"stock": listing.stock, "sale_price": listing.sale_price, "sale_end": listing.sale_end,
                   "sale_alert": period_note(listing.sale_end, today)}
    if last is None:
        values["link_state"] = LINKED if binding else WAITING
        if binding:
            values["linked_at"] = _kst(binding["updated_at"])
        return values
    state = STATES.get(last["outcome"], FAILED)
    return values | {"link_state": state, "reason": "" if state == LINKED else last["message"],
                     "linked_at": _kst(last["at"])}


def _sent(store: Store, code: str, key: tuple[str, str], product_id: str) -> dict[str, Any]:
    """What mallbatch last set there beyond the product sheet: the seller's stock count (every option's
    sum), the last 판매가 and sale state sent through the 재고·가격 sheet."""
    values: dict[str, Any] = {}
    levels = store.stock.levels(code)
    if levels:
        values["stock"] = sum(l.on_hand for l in levels)
    if product_id:
        price = store.journal.last_done(*key, "listing.price", product_id)
        if price is not None:
            values["sale_price"] = price.payload["sale_price"]
        sale = store.journal.last_done(*key, "listing.sale", product_id)
        if sale is not None:
            values["status"] = "판매가능" if sale.payload["on_sale"] else "판매불가"
    return values


def stock_rows(store: Store) -> list[dict[str, Any]]:
    """One 재고·가격 row per stored product × option with the seller's count (the 상품 sheet's until one is set);
    판매가 and 판매상태 blank, to fill and drop back."""
    rows = []
    for code in store.product_codes():
        counts = product_counts(store.product(code) or {})
        levels = {l.option: l for l in store.stock.levels(code)}
        for option in sorted(counts.keys() | levels.keys()):
            level = levels.get(option)
            rows.append({"code": code, "option": option, "stock": level.on_hand if level else counts[option],
                         "safety": level.safety if level else 0})
    return rows


def _kst(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).astimezone(KST)


def write_catalogue_workbooks(ws: Workspace, store: Store, now: datetime | None = None) -> tuple[Path, Path]:
    """Today's 판매상품 workbook and beside it the 재고·가격 workbook of every product × option, in
    ``outbox/YYYY-MM-DD/상품/`` (new files each time, never over an open one). Either, edited and
    dropped back, sends what changed."""
    now = now or now_kst()
    folder = outbox_dir(ws.outbox, PRODUCTS, now)
    stock = outbox.write_book(folder, STOCK_PRICES, [(values, False) for values in stock_rows(store)], now)
    return outbox.write_book(folder, LISTINGS, [(values, False) for values in listing_rows(store, now.date())], now), stock


def write_products_workbook(ws: Workspace, store: Store, now: datetime | None = None) -> Path:
    """The 판매상품 workbook's path (the 재고·가격 one is written beside it)."""
    return write_catalogue_workbooks(ws, store, now)[0]


def daily_products_workbook(ws: Workspace, store: Store, now: datetime | None = None) -> Path | None:
    """Under ``watch``: today's 판매상품 workbook, unless today's 상품 folder has one already (a restart writes
    no second) or nothing is saved yet (a new workspace gets no empty workbook)."""
    now = now or now_kst()
    if not store.product_codes() or any(outbox_dir(ws.outbox, PRODUCTS, now).glob(f"{LISTINGS.title}_*.xlsx")):
        return None
    return write_products_workbook(ws, store, now)
