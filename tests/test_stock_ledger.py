"""Stock sync's ledger half: order lines and claims as collected move the seller's own stock once,
matched to an option however the mall wrote it; real stores (SQLite and PostgreSQL), real workspaces, no network."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import Claim, ClaimKind, ClaimStatus, OrderLine, OrderStatus
from mallbatch.pipeline.check import check_file, save_valid
from mallbatch.pipeline.option_match import match_option
from mallbatch.pipeline.session import Session
from mallbatch.pipeline.stock_sync import StockSync
from mallbatch.store import Store, open_store
from mallbatch.workspace import Workspace, init_workspace
from tests.pipeline_helpers import products_file

COMBOS = [(c, s) for c in ("골드", "실버", "로즈 골드") for s in ("S", "M", "L")]


# --- the option matcher -------------------------------------------------------------------
@pytest.mark.parametrize("text", ["색상:골드/사이즈:M", "골드, M", "골드 / M", "색상: 골드 / 사이즈: M", "골드 M",
                                  "색상/사이즈:골드/M-1개", "M 골드", "골드/ｍ"])
def test_every_mall_spelling_of_a_combination_matches_it(text: str) -> None:
    assert match_option(text, COMBOS) == ("골드", "M")


def test_a_value_inside_a_longer_value_is_not_mistaken_for_it() -> None:
    assert match_option("색상: 로즈 골드 / 사이즈: L", COMBOS) == ("로즈 골드", "L")
    assert match_option("로즈골드/L", COMBOS) == ("로즈 골드", "L")
    assert match_option("골드/XL", COMBOS) is None  # XL is not L
    sizes = [("골드", "S"), ("골드", "S/M")]
    assert match_option("골드 / S/M", sizes) == ("골드", "S/M")  # covers more of the text
    assert match_option("골드 / S", sizes) == ("골드", "S")


@pytest.mark.parametrize("text", ["", "골드", "프리미엄 텀블러 3", "블랙/M"])
def test_a_text_missing_a_value_matches_nothing(text: str) -> None:
    assert match_option(text, COMBOS) is None


def test_a_text_that_cannot_tell_two_combinations_apart_matches_neither() -> None:
    assert match_option("M/L", [("M", "L"), ("L", "M")]) == ("M", "L")  # in the combination's own order
    assert match_option("M", [("M",), ("M",)]) is None


# Words of two letters, none the same: a value is one or two of them, so no value spells another.
WORDS = st.lists(st.text(alphabet="가나다라마바사아자차카타파하abcdefgxyz", min_size=2, max_size=2), min_size=30,
                 max_size=30, unique=True)


@st.composite
def catalogues(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    words = iter(draw(WORDS))
    names = [next(words) for _ in range(draw(st.integers(1, 3)))]
    dims = [[" ".join(next(words) for _ in range(draw(st.integers(1, 2)))) for _ in range(draw(st.integers(1, 4)))]
            for _ in names]
    return names, dims


def render(names: list[str], values: tuple[str, ...], style: int, rng: random.Random) -> str:
    """The combination as one of the malls writes it."""
    shown = [v.replace(" ", "") if rng.random() < 0.3 else v for v in values]
    shown = [v.upper() if rng.random() < 0.3 else v for v in shown]
    if style == 0:  # 11번가: 색상/사이즈:골드/M-1개
        return f"{'/'.join(names)}:{'/'.join(shown)}-{rng.randint(1, 9)}개"
    if style == 1:  # 스마트스토어
        return " / ".join(f"{n}: {v}" for n, v in zip(names, shown))
    if style == 2:  # 쿠팡
        return " ".join(shown)
    if style == 3:
        return ", ".join(shown)
    if style == 4:
        return "/".join(f"{n}:{v}" for n, v in zip(names, shown))
    return " / ".join(reversed(shown))


@settings(max_examples=300, deadline=None)
@given(catalogues(), st.integers(0, 5), st.randoms(use_true_random=False), st.data())
def test_matcher_finds_exactly_the_combination_written(catalogue: tuple[list[str], list[list[str]]], style: int,
                                                       rng: random.Random, data: st.DataObject) -> None:
    import itertools

    names, dims = catalogue
    combos = [tuple(c) for c in itertools.product(*dims)]
    chosen = data.draw(st.sampled_from(combos))
    assert match_option(render(names, chosen, style, rng), combos) == chosen
    if len(chosen) > 1:  # without one of its values the text names no combination at all
        dropped = data.draw(st.integers(0, len(chosen) - 1))
        partial = tuple(v for i, v in enumerate(chosen) if i != dropped)
        assert match_option(render(names[:len(partial)], partial, style, rng), combos) is None


# --- the ledger ---------------------------------------------------------------------------
@pytest.fixture
def workspace(tmp_path: Path, store_config: str) -> Workspace:
    """A fresh workspace whose store is on the test's engine."""
    ws, _ = init_workspace(tmp_path / "ws")
    config = ws.home / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + store_config, encoding="utf-8")
    return Workspace.open(ws.home)


def line(line_id: str, code: str, option: str, quantity: int = 1, *, status: OrderStatus = OrderStatus.PAID,
         mall: str = "coupang", paid: datetime | None = None, product_id: str = "") -> OrderLine:
    paid = paid or now_kst()
    return OrderLine(mall, "기본", line_id, f"O{line_id}", f"U{line_id}", status, status.value, paid, paid, "구매자", "010-0000-0000",
                     "받는이", "010-0000-0000", "", "06236", "서울", "", "", product_id, code, "상품", option, quantity, 1000, 1000, 0)


def claim(claim_id: str, line_ids: list[str], kind: ClaimKind = ClaimKind.CANCEL, status: ClaimStatus = ClaimStatus.DONE,
          quantity: int = 0, mall: str = "coupang") -> Claim:
    return Claim(mall, "기본", claim_id, kind, status, status.value, "O", line_ids, "", now_kst(), "단순변심", quantity, "상품", "",
                 "구매자", "010-0000-0000")


def absorb(ws: Workspace, store: Store, *records: OrderLine | Claim) -> StockSync:
    with Session(ws) as session:
        sync = StockSync(ws, store, session)
        sync.absorb(list(records))
        return sync


def on_hand(store: Store, code: str, option: str = "") -> int:
    level = store.stock.level(code, option)
    assert level is not None
    return level.on_hand


def test_each_line_decrements_once_and_a_recollection_counts_nothing_twice(workspace: Workspace) -> None:
    with open_store(workspace) as store:
        store.stock.set("NK1", "골드/M", 5, counted_at=now_kst() - timedelta(hours=1))
        store.stock.set("NK2", "", 10, safety=2, counted_at=now_kst() - timedelta(hours=1))
        lines = [line("1", "NK1", "색상:골드/사이즈:M", 2), line("2", "NK2", "아무 텍스트", 3, mall="smartstore"),
                 line("3", "NK1", "골드 M", 1, mall="11st")]
        sync = absorb(workspace, store, *lines)
        assert on_hand(store, "NK1", "골드/M") == 2 and on_hand(store, "NK2") == 7
        assert sync.report.moved == {("NK1", "골드/M"): (5, 2), ("NK2", ""): (8, 5)}  # available: 안전재고 2 kept back
        again = absorb(workspace, store, *lines)  # the overlap re-reads the same lines
        assert on_hand(store, "NK1", "골드/M") == 2 and on_hand(store, "NK2") == 7 and again.report.moved == {}


def test_orders_paid_before_the_sellers_count_are_in_the_count(workspace: Workspace) -> None:
    with open_store(workspace) as store:
        counted = now_kst()
        store.stock.set("NK1", "", 5, counted_at=counted)
        absorb(workspace, store, line("old", "NK1", "", 1, paid=counted - timedelta(minutes=1)),
               line("new", "NK1", "", 2, paid=counted + timedelta(minutes=1)))
        assert on_hand(store, "NK1") == 3 and not store.stock.counted("coupang", "기본", "old")


def test_a_cancel_or_return_restores_once_and_a_line_cancelled_before_it_was_counted_never_moves(workspace: Workspace) -> None:
    with open_store(workspace) as store:
        store.stock.set("NK1", "골드/M", 10, counted_at=now_kst() - timedelta(hours=1))
        absorb(workspace, store, line("1", "NK1", "골드/M", 2), line("2", "NK1", "골드/M", 3), line("3", "NK1", "골드/M", 1))
        assert on_hand(store, "NK1", "골드/M") == 4
        # a requested cancel restores nothing; approved, it restores once however often it is read
        absorb(workspace, store, claim("C1", ["1"], status=ClaimStatus.REQUESTED))
        assert on_hand(store, "NK1", "골드/M") == 4
        for _ in range(2):
            absorb(workspace, store, claim("C1", ["1"]), line("1", "NK1", "골드/M", 2, status=OrderStatus.CANCELED))
        assert on_hand(store, "NK1", "골드/M") == 6
        absorb(workspace, store, claim("R2", ["2"], ClaimKind.RETURN, quantity=1))  # a partial return: one of three back
        assert on_hand(store, "NK1", "골드/M") == 7
        absorb(workspace, store, claim("X3", ["3"], ClaimKind.EXCHANGE))  # an exchange ships another: nothing back
        assert on_hand(store, "NK1", "골드/M") == 7
        absorb(workspace, store, line("9", "NK1", "골드/M", 4, status=OrderStatus.CANCELED))  # never counted
        assert on_hand(store, "NK1", "골드/M") == 7 and not store.stock.counted("coupang", "기본", "9")


def test_a_line_is_found_by_its_binding_when_the_mall_has_no_seller_code(workspace: Workspace) -> None:
    with open_store(workspace) as store:
        store.stock.set("NK1", "", 5, counted_at=now_kst() - timedelta(hours=1))
        store.journal.bind("smartstore", "기본", "NK1", "8800000001", {"channel_product_no": "8900000001"}, "그룹")
        absorb(workspace, store, line("1", "", "", 1, mall="smartstore", product_id="8900000001"),
               line("2", "", "", 1, mall="smartstore", product_id="8800000001"),
               line("3", "", "", 1, mall="smartstore", product_id="77"))  # bound to nothing: not ours to count
        assert on_hand(store, "NK1") == 3


def test_an_option_text_no_combination_fits_is_not_counted_and_warned(workspace: Workspace) -> None:
    with open_store(workspace) as store:
        store.stock.set("NK1", "골드/M", 5, counted_at=now_kst() - timedelta(hours=1))
        store.stock.set("NK1", "실버/M", 5, counted_at=now_kst() - timedelta(hours=1))
        sync = absorb(workspace, store, line("1", "NK1", "블랙/M", 1))
        assert on_hand(store, "NK1", "골드/M") == 5 and on_hand(store, "NK1", "실버/M") == 5
        [warning] = sync.report.warnings
        assert "주문 O1" in warning and "'블랙/M'" in warning and "NK1" in warning
        assert any("재고 연동 경고" in l and "블랙/M" in l for l in sync.report.lines_ko())


def test_config_turns_stock_sync_off_for_the_workspace_or_a_product(workspace: Workspace) -> None:
    config = workspace.home / "config.toml"
    base = config.read_text(encoding="utf-8")  # the generated file: [stock] sync = true, off = []
    assert "\nsync = true" in base and "\noff = []" in base
    with open_store(workspace) as store:
        for code in ("NK1", "NK2"):
            store.stock.set(code, "", 5, counted_at=now_kst() - timedelta(hours=1))
        config.write_text(base.replace("\noff = []", '\noff = ["NK2"]', 1), encoding="utf-8")
        absorb(Workspace.open(workspace.home), store, line("1", "NK1", ""), line("2", "NK2", ""))
        assert on_hand(store, "NK1") == 4 and on_hand(store, "NK2") == 5
        config.write_text(base.replace("\nsync = true", "\nsync = false", 1), encoding="utf-8")
        absorb(Workspace.open(workspace.home), store, line("3", "NK1", ""))
        assert on_hand(store, "NK1") == 4


def test_the_products_sheet_seeds_stock_only_where_mallbatch_has_no_count(workspace: Workspace, tmp_path: Path) -> None:
    path = products_file(workspace, tmp_path / "상품.xlsx", 4)
    with open_store(workspace) as store:
        store.stock.set("P00001", "", 3)  # the seller's own count from a 재고·가격 sheet wins
        checked = check_file(workspace, store, path)
        save_valid(workspace, store, checked)
        levels = {(l.code, l.option): l.on_hand for l in store.stock.levels()}
        assert levels[("P00001", "")] == 3
        product = store.product("P00002")
        assert product is not None and product["option_use"]
        options = [k for c, k in levels if c == "P00002"]
        assert len(options) == 9 and all("/" in o for o in options)  # 3 colours × 3 sizes, keyed "색/사이즈"
        assert levels[("P00003", "")] == int(store.product("P00003")["stock"])  # type: ignore[index]
        save_valid(workspace, store, check_file(workspace, store, path))  # saved again: nothing re-seeded
        assert {(l.code, l.option): l.revision for l in store.stock.levels()} == {k: 1 for k in levels}
