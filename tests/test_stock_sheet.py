"""The 재고·가격 sheet end to end: validation with cell coordinates, then stock (0 = 품절), option rows,
mall-scoped 판매가, 판매중지/판매 on the simulators' own state, and the 판매상품 workbook dropped back.

Real workbooks on disk, real SQLite, simulators over loopback; mall state is read from the simulators.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from kindbook import write_book
from test_push_pipeline import FAST, messages, statuses

from mallbatch.cli import cli
from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.kinds.stock import STOCK_PRICES
from mallbatch.malls import mall_name
from mallbatch.pipeline.check import check_file, save_valid
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store
from tests.contract.harness import HARNESSES

HARNESS = {h.mall: h for h in HARNESSES}


def register(ws: Any, store: Store, session: Session, tmp_path: Path, malls: tuple[str, ...] | None = None) -> dict[str, str]:
    """P00001 (no options) and P00002 (조합형 options) registered on ``malls`` (default: every account).
    Returns P00002's option combinations' first value pair as written in 옵션."""
    groups = sales_group_rows(ws.config)
    names = sorted({g["group"] for g in groups if malls is None or any(g["mall"] == mall_name(m) for m in malls)})
    rows = list(product_rows(2, names))
    path = write_filled(tmp_path / "상품.xlsx", [(KINDS["products"], rows), (KINDS["sales_groups"], groups)])
    result = push_file(ws, store, session, path)
    assert set(statuses(result.result_path, "상품")) == {"성공"}, messages(result.result_path, "상품")
    return {"first": f"{rows[1]['option_values1'].split(',')[0]}/{rows[1]['option_values2'].split(',')[0]}",
            "stock": rows[1]["option_stock"], "plain": rows[0]["stock"]}


def stock_file(path: Path, rows: list[dict[str, str]]) -> Path:
    return write_book(path, [(STOCK_PRICES, rows)])


def product_id(store: Store, mall: str, code: str) -> str:
    binding = store.journal.binding(mall, "기본", code)
    assert binding is not None
    return binding["product_id"]


def test_rows_are_checked_against_the_stored_product_with_cell_coordinates(sim_workspace, tmp_path: Path) -> None:
    ws, _ = sim_workspace(("coupang",), rate_limit=200)
    groups = sales_group_rows(ws.config)
    products = list(product_rows(2, sorted({g["group"] for g in groups})))
    with Store(ws.store_path) as store:
        save_valid(ws, store, check_file(ws, store, write_filled(tmp_path / "상품.xlsx", [(KINDS["products"], products),
                                                                                           (KINDS["sales_groups"], groups)])))
        combos = [f"{c}/{z}" for c in products[1]["option_values1"].split(",") for z in products[1]["option_values2"].split(",")]
        path = stock_file(tmp_path / "재고.xlsx", [
            {"code": "NOPE1", "stock": "3"},
            {"code": "P00002", "option": "없는색/M", "stock": "1"},
            {"code": "P00001", "stock": "-1"},
            {"code": "P00002", "option": combos[0]},
            {"code": "P00002", "option": combos[1], "stock": "0"},
            {"code": "P00002", "stock": "5"},
            {"code": "P00001", "mall": "쿠팡", "status": "일시품절"},
            {"code": "P00002", "option": combos[2], "status": "판매중지"},
            {"code": "P00001", "option": "골드", "mall": "쿠팡", "account": "기본", "stock": "1"},
        ])
        report = check_file(ws, store, path).report
    sheet = report.sheets[0]
    assert sheet.kind == "stock"
    found = {(i.row, i.column, i.code): i for r in sheet.rows for i in r.issues if i.severity == "error"}
    assert sorted(found) == [
        (2, "자체상품코드", "code-unknown"), (3, "옵션", "option-unknown"), (4, "재고", "too-small"),
        (5, "재고", "no-change"), (7, "옵션", "option-missing"), (9, "판매상태", "option-status"), (10, "옵션", "option-none"),
    ]
    assert "먼저 상품 시트로 저장하세요" in found[(2, "자체상품코드", "code-unknown")].fix
    assert all(c in found[(3, "옵션", "option-unknown")].fix for c in combos)  # names the valid combinations
    by_row = {r.excel_row: r for r in sheet.rows}
    assert by_row[6].status == "정상"  # 재고 0 is 품절, not an error
    assert by_row[8].get("status") == "품절" and "일시품절" in by_row[8].message


def test_stock_zero_sells_out_an_option_row_keeps_its_safety_and_a_redrop_sends_nothing(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    server, harness = servers["coupang"], HARNESS["coupang"]
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        made = register(ws, store, session, tmp_path)
        path = stock_file(tmp_path / "재고.xlsx", [{"code": "P00001", "stock": "0"},
                                                   {"code": "P00002", "option": made["first"], "stock": "7", "safety": "2"}])
        first = push_file(ws, store, session, path)
        assert statuses(first.result_path, "재고·가격") == ["성공", "성공"], messages(first.result_path, "재고·가격")
        assert harness.stock_in(server, product_id(store, "coupang", "P00001"), ()) == 0
        assert harness.stock_in(server, product_id(store, "coupang", "P00002"), tuple(made["first"].split("/"))) == 5
        assert store.stock.last_synced("coupang", "기본", "P00002", made["first"])[1] == 5
        attempts = "SELECT SUM(attempts) FROM commands WHERE op='listing.stock'"
        sent = store.db.execute(attempts).fetchone()[0]
        again = push_file(ws, store, session, path)
        assert statuses(again.result_path, "재고·가격") == ["건너뜀", "건너뜀"], messages(again.result_path, "재고·가격")
        assert store.db.execute(attempts).fetchone()[0] == sent  # nothing sent twice

        store.stock.sold("coupang", "기본", "LINE-1", "P00002", made["first"], 3)  # an order after the file was sent
        later = push_file(ws, store, session, path)
        assert statuses(later.result_path, "재고·가격")[0] == "건너뜀", messages(later.result_path, "재고·가격")
        assert store.stock.level("P00002", made["first"]).on_hand == 4  # the file's 7 is not put back
        assert harness.stock_in(server, product_id(store, "coupang", "P00002"), tuple(made["first"].split("/"))) == 2


def test_a_mall_scoped_price_then_stop_and_resume_everywhere(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang", "wemakeprice"), rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        register(ws, store, session, tmp_path)
        ids = {m: product_id(store, m, "P00001") for m in servers}
        before = HARNESS["wemakeprice"].price_in(servers["wemakeprice"], ids["wemakeprice"])
        price = push_file(ws, store, session, stock_file(tmp_path / "가격.xlsx", [
            {"code": "P00001", "mall": "쿠팡", "sale_price": "19000"}]))
        assert statuses(price.result_path, "재고·가격") == ["성공"], messages(price.result_path, "재고·가격")
        assert HARNESS["coupang"].price_in(servers["coupang"], ids["coupang"]) == 19000
        assert HARNESS["wemakeprice"].price_in(servers["wemakeprice"], ids["wemakeprice"]) == before

        stop = push_file(ws, store, session, stock_file(tmp_path / "중지.xlsx", [{"code": "P00001", "status": "판매종료"}]))
        assert statuses(stop.result_path, "재고·가격") == ["성공"], messages(stop.result_path, "재고·가격")
        text = messages(stop.result_path, "재고·가격")[0]
        assert "쿠팡/기본" in text and "위메프/기본" in text and "판매중지" in text
        assert not any(HARNESS[m].on_sale_in(servers[m], ids[m]) for m in servers)
        resume = push_file(ws, store, session, stock_file(tmp_path / "재개.xlsx", [{"code": "P00001", "status": "판매"}]))
        assert statuses(resume.result_path, "재고·가격") == ["성공"]
        assert all(HARNESS[m].on_sale_in(servers[m], ids[m]) for m in servers)


def test_an_option_on_a_mall_without_option_stock_gets_the_total_and_a_warning(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("wemakeprice",), rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        made = register(ws, store, session, tmp_path)
        result = push_file(ws, store, session, stock_file(tmp_path / "재고.xlsx", [
            {"code": "P00002", "option": made["first"], "stock": "0"}]))
        assert statuses(result.result_path, "재고·가격") == ["성공"], messages(result.result_path, "재고·가격")
        assert "따로 품절시킬 수 없습니다" in messages(result.result_path, "재고·가격")[0]
        total = sum(l.available for l in store.stock.levels("P00002"))
        assert total == int(made["stock"]) * (len(store.stock.levels("P00002")) - 1)
        assert HARNESS["wemakeprice"].stock_in(servers["wemakeprice"], product_id(store, "wemakeprice", "P00002"), ()) == total


def test_a_product_not_linked_on_the_named_mall_fails_with_what_to_do(sim_workspace, tmp_path: Path) -> None:
    ws, _ = sim_workspace(("coupang", "wemakeprice"), rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        register(ws, store, session, tmp_path, malls=("coupang",))
        result = push_file(ws, store, session, stock_file(tmp_path / "재고.xlsx", [
            {"code": "P00001", "mall": "위메프", "sale_price": "19000"}]))
    assert statuses(result.result_path, "재고·가격") == ["실패"]
    text = messages(result.result_path, "재고·가격")[0]
    assert "위메프에 연동되지 않은 상품입니다" in text and "mallbatch import" in text


def test_the_products_workbook_dropped_back_sends_only_the_changed_cell(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        register(ws, store, session, tmp_path)
    result = CliRunner().invoke(cli, ["--home", str(ws.home), "products"])
    assert result.exit_code == 0, result.output
    stock_path, listings_path = (Path(line.rsplit(": ", 1)[1]) for line in result.output.strip().splitlines())
    assert "재고·가격" in stock_path.name and stock_path.parent == listings_path.parent

    stock_rows = list(openpyxl.load_workbook(stock_path)["재고·가격"].iter_rows(min_row=2, values_only=True))
    assert len(stock_rows) == 1 + 9  # P00001, and P00002's 3 colours × 3 sizes

    book = openpyxl.load_workbook(listings_path)
    sheet = book["판매상품"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("자체상품코드")].value == "P00001")
    row[header.index("판매가")].value = 18000
    dropped = ws.inbox / listings_path.name
    book.save(dropped)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        pushed = push_file(ws, store, session, dropped)
        by_code = dict(zip([r[header.index("자체상품코드")] for r in sheet.iter_rows(min_row=2, values_only=True)],
                           zip(statuses(pushed.result_path, "판매상품"), messages(pushed.result_path, "판매상품"))))
        assert by_code["P00001"][0] == "성공" and "18,000원" in by_code["P00001"][1], by_code
        assert by_code["P00002"] == ("건너뜀", "건너뜀 - 바뀐 내용 없음"), by_code
        assert HARNESS["coupang"].price_in(servers["coupang"], product_id(store, "coupang", "P00001")) == 18000
        again = push_file(ws, store, session, dropped)
        assert statuses(again.result_path, "판매상품") == ["건너뜀", "건너뜀"], messages(again.result_path, "판매상품")
