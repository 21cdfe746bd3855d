"""``mallbatch import``: binding listings a seller already has, on a real store and real workbooks.

The library is fed real MallProduct values here; tests/test_import_malls.py runs it against the
simulators over real sockets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from mallbatch.domain.records import MallProduct, OptionCombo
from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.kinds.imported import BOUND, CONFIRM, IMPORTED, NEW_CODE
from mallbatch.pipeline.check import check_file, save_valid
from mallbatch.pipeline.importing import LINK_OP, import_listings, write_imported
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from mallbatch.workspace import Workspace, init_workspace


def _workspace(tmp_path: Path) -> Workspace:
    ws, _ = init_workspace(tmp_path / "ws")
    return ws


def _save_products(ws: Workspace, store: Store, tmp_path: Path, count: int = 2) -> list[dict[str, str]]:
    """Products saved the way a seller saves them: a 상품 workbook validated (seed 001's 저장)."""
    groups = sales_group_rows(ws.config)
    rows = list(product_rows(count, sorted({g["group"] for g in groups})))
    path = write_filled(tmp_path / "상품.xlsx", [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])
    checked = check_file(ws, store, path)
    save_valid(ws, store, checked)
    assert checked.saved_products == count
    return rows


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("bindings", "link_history", "stock", "stock_ledger", "products")
    return {t: [tuple(r) for r in store.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3")] for t in tables}


def _listings(stored: list[dict[str, str]]) -> list[MallProduct]:
    """One listing of each case: a stored code, an unknown code, no code but a stored product's name and
    options, no code and nothing like it, and a second listing claiming an already used code."""
    options = stored[1]  # product_rows: the second product has 색상 × 사이즈 options
    colors, sizes = options["option_values1"].split(","), options["option_values2"].split(",")
    combos = tuple(OptionCombo((c, s), 0, 5) for c in colors for s in sizes)
    return [
        MallProduct("coupang", "기본", "9001", stored[0]["code"], stored[0]["name"], 19000, 25000, 12, True, extra={"vendorItemId": "71"}),
        MallProduct("coupang", "기본", "9002", "OLD77", "미니 팔찌", 9000, 12000, 30, False),
        MallProduct("coupang", "기본", "9003", "", f"  {options['name'].upper()} ", 21000, 25000, 45, True,
                    option_names=("색상", "사이즈"), options=combos),
        MallProduct("coupang", "기본", "9004", "", "처음 보는 상품", 5000, 5000, 3, True),
        MallProduct("coupang", "기본", "9005", "OLD77", "미니 팔찌 (중복 등록)", 9000, 12000, 8, True),
    ]


def test_import_binds_seller_codes_proposes_the_rest_and_seeds_stock(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    account = ws.config.find_account("coupang", None)
    assert account is not None
    with Store(ws.store_path) as store:
        stored = _save_products(ws, store, tmp_path)
        counted = store.stock.levels(stored[1]["code"])  # seeded from the 상품 sheet when saved
        rows = {r.listing.product_id: r for r in import_listings(store, account, _listings(stored))}
        journal = store.journal

        assert (rows["9001"].state, rows["9001"].code) == (BOUND, stored[0]["code"])
        binding = journal.binding("coupang", account.name, stored[0]["code"])
        assert binding["product_id"] == "9001" and binding["extra"] == {"vendorItemId": "71"} and binding["group_name"] == ""
        assert [h["op"] for h in journal.history(stored[0]["code"])] == [LINK_OP]
        # the 상품 sheet's own 재고수량 counted first (seeded when saved): the seller's count stays, and the row says they differ
        sheet_count = int(stored[0]["stock"])
        assert store.stock.level(stored[0]["code"]).on_hand == sheet_count != 12 and not rows["9001"].seeded
        assert f"mallbatch 재고({sheet_count}개)와 쇼핑몰 재고(12개)가 다릅니다" in rows["9001"].reason
        assert rows["9001"].product["category"] == stored[0]["category"]  # the stored product, whole

        new = rows["9002"]
        assert (new.state, new.code) == (NEW_CODE, "OLD77") and journal.binding("coupang", account.name, "OLD77")["product_id"] == "9002"
        assert new.product == {"name": "미니 팔찌", "status": "판매불가", "option_use": False, "stock": 30}
        assert store.stock.level("OLD77").on_hand == 30

        match = rows["9003"]
        assert (match.state, match.code) == (CONFIRM, stored[1]["code"]) and f"'{stored[1]['code']}'" in match.reason
        assert journal.code_of("coupang", account.name, "9003") is None  # only once the seller confirms
        assert store.stock.levels(stored[1]["code"]) == counted  # a proposal touches no count

        fresh = rows["9004"]
        assert fresh.state == CONFIRM and fresh.code == "CO9004" and fresh.code not in store.product_codes()
        assert journal.code_of("coupang", account.name, "9004") is None

        twice = rows["9005"]
        assert twice.state == CONFIRM and "경고" in twice.reason and "9002" in twice.reason and twice.code not in ("OLD77", "CO9004")
        assert journal.binding("coupang", account.name, "OLD77")["product_id"] == "9002"  # never silently rebound
        assert [r.warned for r in rows.values()] == [False, False, False, False, True]


def test_import_again_changes_nothing_already_bound(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    account = ws.config.find_account("coupang", None)
    with Store(ws.store_path) as store:
        stored = _save_products(ws, store, tmp_path)
        first = {r.listing.product_id: (r.state, r.code) for r in import_listings(store, account, _listings(stored))}
        before = _snapshot(store)
        again = import_listings(store, account, _listings(stored))
        assert _snapshot(store) == before
        assert {r.listing.product_id: (r.state, r.code) for r in again} == first | {"9002": (BOUND, "OLD77")}
        assert all("이미 연결되어 있습니다" in r.reason for r in again if r.state == BOUND)
        assert not any(r.seeded for r in again)


def test_import_keeps_the_sellers_own_count_and_a_listing_bound_to_another_code(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    account = ws.config.find_account("coupang", None)
    with Store(ws.store_path) as store:
        stored = _save_products(ws, store, tmp_path)
        store.stock.set(stored[0]["code"], "", 4)
        store.journal.bind("coupang", account.name, "MINE1", "9002", {}, "")  # the seller bound 9002 before
        rows = {r.listing.product_id: r for r in import_listings(store, account, _listings(stored)[:2])}
        assert store.stock.level(stored[0]["code"]).on_hand == 4 and not rows["9001"].seeded
        assert "mallbatch 재고(4개)와 쇼핑몰 재고(12개)가 다릅니다" in rows["9001"].reason  # the seller's count stays
        held = rows["9002"]
        assert (held.state, held.code) == (BOUND, "MINE1") and "경고" in held.reason and "OLD77" in held.reason and held.warned
        assert store.journal.binding("coupang", account.name, "OLD77") is None


def test_imported_workbook_is_a_products_file_with_what_import_did(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    account = ws.config.find_account("coupang", None)
    with Store(ws.store_path) as store:
        stored = _save_products(ws, store, tmp_path)
        rows = import_listings(store, account, _listings(stored))
        path = write_imported(ws, account, rows)
        assert path.parent.name == "상품" and path.name.startswith(IMPORTED.title)

        sheet = openpyxl.load_workbook(path)[IMPORTED.title]
        header = [c.value for c in sheet[1]]
        assert header[:7] == ["쇼핑몰", "계정", "쇼핑몰상품번호", "연결상태", "사유", "판매가", "정가"]
        assert header[7:] == [c.header for c in KINDS["products"].columns] and sheet.freeze_panes == "A2"
        table = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert [(r["쇼핑몰상품번호"], r["연결상태"], r["자체상품코드"]) for r in table] == [
            ("9001", BOUND, stored[0]["code"]), ("9002", NEW_CODE, "OLD77"), ("9003", CONFIRM, stored[1]["code"]),
            ("9004", CONFIRM, "CO9004"), ("9005", CONFIRM, rows[4].code)]
        assert table[2]["옵션값1"] == stored[1]["option_values1"] and table[2]["판매가"] == 21000
        assert (table[3]["상품명"], table[3]["재고수량"], table[3]["상품상태"]) == ("처음 보는 상품", 3, "판매가능")

        checked = check_file(ws, store, path)
    sheet_report = checked.report.sheets[0]
    assert (sheet_report.kind, sheet_report.source_kind) == ("products", "imported")
    assert not sheet_report.issues  # every column is known: no 알 수 없는 열
    status = {r.get("code"): r.status for r in sheet_report.rows}
    assert status[stored[0]["code"]] != "오류" and status[stored[1]["code"]] != "오류"  # stored products come back whole
    assert status["CO9004"] == "오류"  # the seller fills the rest before it is a product


def test_listing_options_prefill_every_combination(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    account = ws.config.find_account("coupang", None)
    listing = MallProduct("coupang", "기본", "77", "OPT1", "원목 도마", 20000, 25000, 7, True, option_names=("색상", "사이즈"),
                          options=(OptionCombo(("블랙", "S"), 0, 3), OptionCombo(("블랙", "M"), 500, 4),
                                   OptionCombo(("화이트", "S"), 0, 0)))
    with Store(ws.store_path) as store:
        [row] = import_listings(store, account, [listing])
        assert {k: row.product[k] for k in ("option_values1", "option_values2", "option_prices", "option_stock")} == {
            "option_values1": "블랙,화이트", "option_values2": "S,M", "option_prices": "0,500,0,0", "option_stock": "3,4,0,0"}
        assert "옵션 조합 1개는 재고 0" in row.reason
        assert [(lv.option, lv.on_hand) for lv in store.stock.levels("OPT1")] == [("블랙/M", 4), ("블랙/S", 3), ("화이트/S", 0)]
