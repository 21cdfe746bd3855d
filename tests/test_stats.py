"""매출통계: exact sums per sheet from a known set of orders and claims in a real store, cancels and returns
deducted once, native charts that point at the right rows, LibreOffice opening it, the CLI and an empty store."""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree

from mallbatch.cli import cli
from mallbatch.domain.clock import KST, now_kst
from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, OrderLine, OrderStatus
from mallbatch.files import STATS
from mallbatch.pipeline.stats import sales_stats
from mallbatch.pipeline.stats_book import write_sales_stats
from mallbatch.store import Store
from mallbatch.workspace import Workspace, init_workspace

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
HEADER_ROW = 4  # 1-based: title, period, note, header
BUYER, PHONE, STREET = "김구매", "010-1234-5678", "테헤란로 152"


def line(line_id: str, mall: str, order: str, code: str, option: str, quantity: int, amount: int, paid: str, address: str,
         status: OrderStatus = OrderStatus.DELIVERED, product_id: str = "", name: str = "") -> OrderLine:
    at = datetime.fromisoformat(paid).replace(tzinfo=KST)
    return OrderLine(mall, "기본", line_id, order, f"U{line_id}", status, status.value, at, at, BUYER, PHONE, "이수령", PHONE, "",
                     "06236", address, "12층", "문 앞", product_id or f"P{line_id}", code, name or f"{mall} 상품명 {code}", option,
                     quantity, amount // max(quantity, 1), amount, 3000)


def claim(claim_id: str, mall: str, kind: ClaimKind, status: ClaimStatus, line_ids: list[str], quantity: int = 0,
          ship_unit: str = "") -> Claim:
    return Claim(mall, "기본", claim_id, kind, status, status.value, "O", line_ids, ship_unit, now_kst(), "단순변심", quantity, "상품",
                 "", BUYER, PHONE)


def known_store(ws: Workspace) -> None:
    """Seven lines over four days, three malls and five regions, with every kind of claim."""
    with Store(ws.store_path) as store:
        store.save_products([{"code": "NK1001", "name": "실버 목걸이", "category": "패션잡화>주얼리/시계>귀걸이/목걸이"},
                             {"code": "NK1002", "name": "머그컵", "category": "생활>주방"}])
        store.journal.bind("smartstore", "기본", "NK1002", "SS-9", {}, "스스 기본")
        store.records.upsert([
            line("L1", "coupang", "O1", "NK1001", "로즈골드", 2, 50000, "2026-11-02 10:00", "서울특별시 강남구 테헤란로 152"),
            line("L2", "coupang", "O1", "NK1002", "", 1, 12000, "2026-11-02 10:00", "서울특별시 강남구 테헤란로 152"),
            line("L3", "smartstore", "O2", "NK1001", "실버", 3, 75000, "2026-11-03 09:00", "경기 수원시 팔달구"),
            # no seller code on the line: the binding of its mall product id says NK1002; 취소 and a 완료 cancel claim
            line("L4", "smartstore", "O3", "", "", 1, 12000, "2026-11-09 23:30", "서울시 마포구", OrderStatus.CANCELED, "SS-9"),
            line("L5", "wemakeprice", "O4", "", "", 4, 20000, "2026-12-01 08:00", "충청북도 청주시", name="기타상품"),
            line("L6", "wemakeprice", "O5", "", "", 1, 5000, "2026-12-01 09:00", "제주특별자치도 제주시", name="기타상품"),
            line("L7", "coupang", "O6", "NK1001", "로즈골드", 2, 50000, "2026-11-03 00:10", "(48060) 부산광역시 해운대구"),
        ], "run")
        store.records.upsert([
            claim("C-PART", "smartstore", ClaimKind.CANCEL, ClaimStatus.DONE, ["L3"], quantity=1),  # 1 of 3
            claim("C-L4", "smartstore", ClaimKind.CANCEL, ClaimStatus.DONE, ["L4"]),  # the line says 취소 too: once
            claim("R-UNIT", "wemakeprice", ClaimKind.RETURN, ClaimStatus.DONE, [], ship_unit="UL5"),  # by ship unit
            claim("C-L7", "coupang", ClaimKind.CANCEL, ClaimStatus.DONE, ["L7"], quantity=1),
            claim("R-L7", "coupang", ClaimKind.RETURN, ClaimStatus.DONE, ["L7"], quantity=5),  # more than is left: capped
            claim("C-OPEN", "coupang", ClaimKind.CANCEL, ClaimStatus.REQUESTED, ["L1"], quantity=1),  # not approved: nothing
            claim("R-NO", "coupang", ClaimKind.RETURN, ClaimStatus.REJECTED, ["L2"]),
            claim("X-L2", "coupang", ClaimKind.EXCHANGE, ClaimStatus.DONE, ["L2"]),  # an exchange keeps the sale
        ], "run")
        # L6 has been delivered long ago: retention masks its address, 지역 becomes 기타
        store.db.execute("UPDATE records SET updated_at=? WHERE key='L6'", ((now_kst() - timedelta(days=400)).isoformat(),))
        assert store.records.mask_personal(now_kst() - timedelta(days=90)) == 1


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")[0]


# (orders, quantity, taken-back quantity, gross, taken-back amount, net, average) per key
EXPECTED: dict[str, dict[tuple[Any, ...], tuple[int, ...]]] = {
    "기간별": {("2026-11-02",): (1, 3, 0, 62000, 0, 62000, 62000), ("2026-11-03",): (2, 5, 3, 125000, 75000, 50000, 25000),
            ("2026-11-09",): (1, 1, 1, 12000, 12000, 0, 0), ("2026-12-01",): (2, 5, 4, 25000, 20000, 5000, 2500),
            ("합계",): (6, 14, 8, 224000, 107000, 117000, 19500)},
    "제휴몰별": {("쿠팡",): (2, 5, 2, 112000, 50000, 62000, 31000), ("스마트스토어",): (2, 4, 2, 87000, 37000, 50000, 25000),
             ("위메프",): (2, 5, 4, 25000, 20000, 5000, 2500), ("합계",): (6, 14, 8, 224000, 107000, 117000, 19500)},
    "카테고리별": {("패션잡화>주얼리/시계>귀걸이/목걸이",): (3, 7, 3, 175000, 75000, 100000, 33333),
              ("생활>주방",): (2, 2, 1, 24000, 12000, 12000, 6000), ("미분류",): (2, 5, 4, 25000, 20000, 5000, 2500),
              ("합계",): (6, 14, 8, 224000, 107000, 117000, 19500)},
    "상품별": {("NK1001", "실버 목걸이"): (3, 7, 3, 175000, 75000, 100000, 33333), ("NK1002", "머그컵"): (2, 2, 1, 24000, 12000, 12000, 6000),
            (None, "기타상품"): (2, 5, 4, 25000, 20000, 5000, 2500), ("합계", None): (6, 14, 8, 224000, 107000, 117000, 19500)},
    "옵션별": {("NK1001", "실버 목걸이", "로즈골드"): (2, 4, 2, 100000, 50000, 50000, 25000),
            ("NK1001", "실버 목걸이", "실버"): (1, 3, 1, 75000, 25000, 50000, 50000),
            ("NK1002", "머그컵", None): (2, 2, 1, 24000, 12000, 12000, 6000), (None, "기타상품", None): (2, 5, 4, 25000, 20000, 5000, 2500),
            ("합계", None, None): (6, 14, 8, 224000, 107000, 117000, 19500)},
    "지역별": {("서울특별시",): (2, 4, 1, 74000, 12000, 62000, 31000), ("경기도",): (1, 3, 1, 75000, 25000, 50000, 50000),
            ("기타",): (1, 1, 0, 5000, 0, 5000, 5000), ("부산광역시",): (1, 2, 2, 50000, 50000, 0, 0),
            ("충청북도",): (1, 4, 4, 20000, 20000, 0, 0), ("합계",): (6, 14, 8, 224000, 107000, 117000, 19500)},
}


def table(path: Path, sheet: str, keys: int, start: int = HEADER_ROW) -> list[tuple[tuple[Any, ...], tuple[int, ...]]]:
    """The rows of the table whose header is at ``start``, up to the blank row after its 합계."""
    rows = []
    for values in openpyxl.load_workbook(path)[sheet].iter_rows(min_row=start + 1, max_col=keys + 7, values_only=True):
        if all(v is None for v in values):
            break
        rows.append((values[:keys], values[keys:]))
    return rows


def test_every_sheet_has_the_exact_sums_with_cancels_and_returns_deducted_once(ws: Workspace) -> None:
    known_store(ws)
    with Store(ws.store_path) as store:
        path, stats = write_sales_stats(ws, store)
    assert path.parent == ws.outbox / now_kst().strftime("%Y-%m-%d") / STATS and path.name.startswith("매출통계_")
    assert stats.summary_ko() == "주문 6건 · 수량 6개 · 순매출 117,000원 (총매출 224,000원, 취소·반품 107,000원) · 객단가 19,500원"
    days = table(path, "기간별", 1, HEADER_ROW + 1)  # 기간별 starts with its 일별 title
    assert days == list(EXPECTED["기간별"].items())  # in date order, 합계 last
    for sheet in ("제휴몰별", "카테고리별", "상품별", "옵션별", "지역별"):
        keys = len(next(iter(EXPECTED[sheet])))
        assert table(path, sheet, keys) == list(EXPECTED[sheet].items()), sheet  # best 순매출 first
    weeks = table(path, "기간별", 1, HEADER_ROW + 1 + len(days) + 3)  # a blank row, the 주별 title
    assert [(k, v[3], v[5]) for k, v in weeks] == [(("2026-11-02~11-08",), 187000, 112000), (("2026-11-09~11-15",), 12000, 0),
                                                   (("2026-11-30~12-06",), 25000, 5000), (("합계",), 224000, 117000)]
    months = table(path, "기간별", 1, HEADER_ROW + 1 + len(days) + 3 + len(weeks) + 3)
    assert [(k, v[3], v[5]) for k, v in months] == [(("2026-11",), 199000, 112000), (("2026-12",), 25000, 5000),
                                                    (("합계",), 224000, 117000)]


def test_a_period_keeps_only_the_lines_paid_in_it(ws: Workspace) -> None:
    known_store(ws)
    with Store(ws.store_path) as store:
        stats = sales_stats(store, datetime(2026, 11, 3).date(), datetime(2026, 11, 30).date())
    t = stats.total
    assert (len(t.orders), t.gross, t.back_amount, t.net) == (3, 137000, 87000, 50000)
    assert [k for k, _ in stats.days.rows] == [("2026-11-03",), ("2026-11-09",)]


def test_no_personal_data_in_the_workbook(ws: Workspace) -> None:
    known_store(ws)
    with Store(ws.store_path) as store:
        path, _ = write_sales_stats(ws, store)
    with zipfile.ZipFile(path) as book:
        text = "".join(book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml"))
    for personal in (BUYER, "이수령", PHONE, STREET, "강남구", "마포구", "06236", "12층", "문 앞"):
        assert personal not in text


def charts_by_sheet(path: Path) -> dict[str, list[list[tuple[str, str]]]]:
    """Per sheet name: its charts (followed sheet → drawing → chart through the package's relationships), each a
    list of (categories, values) formulas of its series — read from the XML."""
    with zipfile.ZipFile(path) as book:
        def related(part: str) -> list[str]:
            folder, name = posixpath.split(part)
            rels = f"{folder}/_rels/{name}.rels"
            if rels not in book.namelist():
                return []
            tree = ElementTree.fromstring(book.read(rels))
            return [posixpath.normpath(posixpath.join(folder, r.get("Target"))) for r in tree.iter(f"{REL}Relationship")]

        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        sheets = [s.get("name") for s in workbook.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet")]
        found: dict[str, list[list[tuple[str, str]]]] = {}
        for number, name in enumerate(sheets, start=1):  # XlsxWriter names the parts in sheet order
            charts = found.setdefault(name, [])
            for drawing in related(f"xl/worksheets/sheet{number}.xml"):
                for chart in related(drawing):
                    tree = ElementTree.fromstring(book.read(chart))
                    charts.append([(ser.find(f"{C}cat//{C}f").text, ser.find(f"{C}val//{C}f").text) for ser in tree.iter(f"{C}ser")])
    return found


def cells(path: Path, formula: str) -> list[Any]:
    """The values a chart formula (``'시트'!$A$5:$B$7`` or ``시트!$A$5:$A$7``) points at, row by row."""
    sheet, ref = re.fullmatch(r"'?(.+?)'?!(.+)", formula).groups()
    rows = openpyxl.load_workbook(path)[sheet][ref.replace("$", "")]
    return [tuple(c.value for c in row) if len(row) > 1 else row[0].value for row in rows]


def test_each_sheet_has_a_native_chart_on_its_own_rows(ws: Workspace) -> None:
    known_store(ws)
    with Store(ws.store_path) as store:
        path, _ = write_sales_stats(ws, store)
    charts = charts_by_sheet(path)
    assert sorted(charts) == sorted(EXPECTED)
    assert all(len(found) == 1 for found in charts.values()), charts
    (gross, net), = [charts["기간별"][0]]
    assert re.fullmatch(r"'?기간별'?!\$A\$6:\$A\$9", gross[0]) and gross[0] == net[0]  # the four days, not 합계
    assert cells(path, gross[0]) == ["2026-11-02", "2026-11-03", "2026-11-09", "2026-12-01"]
    assert cells(path, gross[1]) == [62000, 125000, 12000, 25000] and cells(path, net[1]) == [62000, 50000, 0, 5000]
    for sheet in ("제휴몰별", "카테고리별", "상품별", "옵션별", "지역별"):
        (series,) = charts[sheet][0]
        assert series[0].split("!")[0].strip("'") == sheet == series[1].split("!")[0].strip("'")
        rows = [(k, v) for k, v in EXPECTED[sheet].items() if k[0] != "합계"]
        labels = [k[1:] if len(k) > 2 else k[-1] for k, _ in rows] if sheet in ("상품별", "옵션별") else [k[0] for k, _ in rows]
        assert cells(path, series[0]) == labels, sheet
        assert cells(path, series[1]) == [v[5] for _, v in rows], sheet  # 순매출, best first


def test_top_products_chart_shows_ten_of_many(ws: Workspace) -> None:
    with Store(ws.store_path) as store:
        store.records.upsert([line(f"L{i}", "coupang", f"O{i}", f"C{i:02}", "", 1, 1000 * (i + 1), "2026-11-02 10:00", "서울")
                              for i in range(25)], "run")
        path, _ = write_sales_stats(ws, store)
    (series,) = charts_by_sheet(path)["상품별"][0]
    assert cells(path, series[1]) == [1000 * (i + 1) for i in range(24, 14, -1)]
    assert len(table(path, "상품별", 2)) == 26  # the table keeps every product, and 합계


def test_an_empty_store_gives_a_workbook_that_says_so(ws: Workspace) -> None:
    result = CliRunner().invoke(cli, ["--home", str(ws.home), "stats"])
    assert result.exit_code == 0, result.output
    assert "전체 기간: 집계할 주문이 없습니다" in result.output
    path = Path(result.output.strip().splitlines()[-1].split(": ", 1)[1])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["기간별", "제휴몰별", "카테고리별", "상품별", "옵션별", "지역별"]
    assert book["지역별"]["A4"].value.startswith("아직 집계할 주문이 없습니다")
    assert charts_by_sheet(path) == {name: [] for name in book.sheetnames}


def test_cli_prints_the_figures_and_the_workbook_in_korean(ws: Workspace) -> None:
    known_store(ws)
    result = CliRunner().invoke(cli, ["--home", str(ws.home), "stats", "--from", "2026-11-03", "--to", "2026-11-30"])
    assert result.exit_code == 0, result.output
    first, second = result.output.strip().splitlines()
    assert first == "2026-11-03 ~ 2026-11-30: 주문 3건 · 수량 2개 · 순매출 50,000원 (총매출 137,000원, 취소·반품 87,000원) · 객단가 16,667원"
    assert second.startswith("매출통계 엑셀: ") and Path(second.split(": ", 1)[1]).is_file()
    outside = CliRunner().invoke(cli, ["--home", str(ws.home), "stats", "--from", "2027-01-01"])
    path = Path(outside.output.strip().splitlines()[-1].split(": ", 1)[1])
    assert openpyxl.load_workbook(path)["기간별"]["A4"].value.startswith("이 기간(2027-01-01 ~ 마지막)에 결제된 주문이 없습니다")
    wrong = CliRunner().invoke(cli, ["--home", str(ws.home), "stats", "--from", "2026-12-01", "--to", "2026-11-01"])
    assert wrong.exit_code == 2 and "--from 2026-12-01 이(가) --to 2026-11-01 보다 늦습니다" in wrong.output
    bad = CliRunner().invoke(cli, ["--home", str(ws.home), "stats", "--from", "11월"])
    assert bad.exit_code == 2 and "'11월' 은(는) 날짜가 아닙니다 (YYYY-MM-DD)" in bad.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_converts_it_to_pdf(ws: Workspace, tmp_path: Path) -> None:
    known_store(ws)
    with Store(ws.store_path) as store:
        path, _ = write_sales_stats(ws, store)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "out"), str(path)], check=True, capture_output=True, timeout=180)
    assert (tmp_path / "out" / f"{path.stem}.pdf").stat().st_size > 1000


def test_watch_writes_the_stats_workbook_once_a_day(sim_workspace) -> None:
    from tests.watch_helpers import Watcher

    ws, _servers = sim_workspace(("coupang",))
    with Store(ws.store_path) as store:
        store.records.upsert([line("L1", "coupang", "O1", "NK1001", "", 1, 1000, "2026-11-02 10:00", "서울")], "run")
    for _ in range(2):  # a restart the same day writes no second workbook
        watcher = Watcher(ws.home)
        watcher.wait_started()  # the daily workbooks are written before the account check that logs "계정:"
        assert watcher.stop() == 0
    books = list(ws.outbox.glob(f"*/{STATS}/매출통계_*.xlsx"))
    assert len(books) == 1, watcher.output()
    assert openpyxl.load_workbook(books[0])["제휴몰별"]["A5"].value == "쿠팡"


def test_a_buyer_typed_option_is_never_shown(ws: Workspace) -> None:
    """구매자입력형: the option text is the buyer's own words (a name to engrave), so it is grouped, not written."""
    with Store(ws.store_path) as store:
        store.save_products([{"code": "EN1", "name": "각인 반지", "category": "패션잡화>반지", "option_type": "구매자입력형"}])
        store.records.upsert([line("L1", "coupang", "O1", "EN1", "각인: 홍길동", 1, 30000, "2026-11-02 10:00", "서울")], "run")
        path, _ = write_sales_stats(ws, store)
    assert table(path, "옵션별", 3)[0] == (("EN1", "각인 반지", "(구매자 입력 옵션)"), (1, 1, 0, 30000, 0, 30000, 30000))
    with zipfile.ZipFile(path) as book:
        assert not any("홍길동" in book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml"))
