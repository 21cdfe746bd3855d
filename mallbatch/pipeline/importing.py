"""``import``: bind the listings a seller already has on a mall to 자체상품코드 (seed 001 데이터이전 서비스,
PlayAuto's 상품 가져오기), so stock sync and invoices work at once, without registering anything again.

Per listing: a seller code the mall shows binds to that code (a stored product, or a code mallbatch
learns here and prefills a 상품 row for); a listing without one gets a proposal (the stored product of
the same name and options, else a new code) that binds only once the seller drops the workbook back
(:func:`link_rows`, called by push). A binding is never changed silently: a code or a listing bound to
something else is a 경고. The mall's stock starts mallbatch's count where it has none. The whole list is
read before anything is bound, so a failed read leaves the store and the outbox as they were.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mallbatch.config import Account
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import MallProduct
from mallbatch.errors import AuthError, ConfigError, RemoteError
from mallbatch.files import PRODUCTS, outbox_dir
from mallbatch.kinds.imported import BOUND, CONFIRM, IMPORTED, NEW_CODE
from mallbatch.kinds.products import CODE, OPTION_NAMES, combinations
from mallbatch.malls import find_mall, mall_name
from mallbatch.pipeline import outbox
from mallbatch.pipeline.ops import is_transient
from mallbatch.pipeline.plan import FAILURE, SUCCESS
from mallbatch.pipeline.session import Session
from mallbatch.sheets.issues import ERROR, SheetReport
from mallbatch.sheets.normalize import NormalizeError
from mallbatch.sheets.normalize import code as parse_code
from mallbatch.sheets.rows import Row
from mallbatch.store import Store
from mallbatch.store.stock import option_key
from mallbatch.workspace import Workspace

LINK_OP = "product.link"  # link history: bound to a listing the seller already had


@dataclass
class Imported:
    """What import did with one listing, and the 상품 row it prefills."""

    listing: MallProduct
    state: str  # BOUND / NEW_CODE / CONFIRM
    code: str  # bound, or proposed (CONFIRM)
    reason: str
    product: dict[str, Any] = field(default_factory=dict)  # the 상품 columns' values
    seeded: bool = False  # mallbatch's stock count started from the mall's
    warned: bool = False  # the mall says something the binding does not follow (사유 says what)

    def values(self, label_mall: str, account: str) -> dict[str, Any]:
        return {**self.product, "code": self.code, "mall": label_mall, "account": account,
                "product_id": self.listing.product_id, "link_state": self.state, "reason": self.reason,
                "sale_price": self.listing.sale_price, "list_price": self.listing.list_price}


@dataclass
class ImportResult:
    account: Account
    rows: list[Imported]
    path: Path

    def lines_ko(self) -> list[str]:
        counts = {state: sum(1 for r in self.rows if r.state == state) for state in (BOUND, NEW_CODE, CONFIRM)}
        lines = [f"{self.account.label}: 상품 {len(self.rows):,}개 - " + ", ".join(f"{s} {n:,}" for s, n in counts.items())]
        seeded = sum(1 for r in self.rows if r.seeded)
        if seeded:
            lines.append(f"  재고: mallbatch 재고가 없던 상품 {seeded:,}개는 쇼핑몰의 재고로 시작했습니다")
        warned = sum(1 for r in self.rows if r.warned)
        if warned:
            lines.append(f"  경고 {warned:,}개: 이미 다른 것에 연결되어 있어 바꾸지 않았습니다 (엑셀의 사유 열)")
        if counts[CONFIRM]:
            lines.append(f"  확인 필요 {counts[CONFIRM]:,}개: 엑셀의 자체상품코드를 확인(또는 고쳐) inbox 에 넣으면 연결됩니다")
        if counts[NEW_CODE]:
            lines.append(f"  새 상품코드 {counts[NEW_CODE]:,}개: 연결했습니다. 나머지 칸을 채워 inbox 에 넣으면 상품으로 저장됩니다")
        return lines


# --- matching ----------------------------------------------------------------------------
def normal_name(text: str) -> str:
    """Names compared as a seller reads them: width, case, spaces and punctuation aside."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def _options(values: Iterable[tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(normal_name(v) for v in combo) for combo in values)


def _stored_options(product: dict[str, Any]) -> frozenset[tuple[str, ...]]:
    if not product.get("option_use") or product.get("option_type") != "조합형":
        return frozenset()
    return _options(combinations(Row(0, [], product)))


def _match(store: Store, listing: MallProduct, used: set[str]) -> str | None:
    """A stored product of the same name and options, not bound on this account nor used in this run."""
    name, options = normal_name(listing.name), _options(c.values for c in listing.options)
    for code in store.product_codes():
        if code in used or store.journal.binding(listing.mall, listing.account, code):
            continue
        product = store.product(code) or {}
        if normal_name(str(product.get("name", ""))) == name and _stored_options(product) == options:
            return code
    return None


def _new_code(mall: str, product_id: str, taken: set[str]) -> str:
    """A 자체상품코드 nobody uses (10 characters at most), from the mall and its product id, so a
    re-run proposes the same code again."""
    prefix = "".join(ch for ch in mall.upper() if ch.isalpha())[:2] or "MB"
    tail = "".join(ch for ch in product_id if ch.isalnum())[-(CODE.max_len or 10) + len(prefix):]
    base = f"{prefix}{tail}"
    for n in itertools.count():
        suffix = str(n) if n else ""
        candidate = base[: (CODE.max_len or 10) - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


# --- prefilled 상품 values -------------------------------------------------------------------
def listing_values(listing: MallProduct) -> tuple[dict[str, Any], list[str]]:
    """The 상품 columns a listing fills (name, status, options, stock) and notes on what did not fit."""
    values: dict[str, Any] = {"name": listing.name, "status": "판매가능" if listing.on_sale else "판매불가",
                              "option_use": bool(listing.options)}
    notes: list[str] = []
    if not listing.options:
        values["stock"] = listing.stock
        return values, notes
    names = listing.option_names[: len(OPTION_NAMES)]
    if len(listing.option_names) > len(OPTION_NAMES):
        notes.append(f"옵션명이 {len(listing.option_names)}개라 앞의 {len(OPTION_NAMES)}개만 채웠습니다")
    columns = [list(dict.fromkeys(c.values[i] for c in listing.options if len(c.values) > i)) for i in range(len(names))]
    values["option_type"] = "조합형"
    for i, (name, column) in enumerate(zip(names, columns), start=1):
        values[f"option_name{i}"], values[f"option_values{i}"] = name, ",".join(column)
    by_values = {tuple(c.values[: len(names)]): c for c in listing.options}
    full = list(itertools.product(*columns))
    missing = [combo for combo in full if combo not in by_values]
    if missing:
        notes.append(f"쇼핑몰에 없는 옵션 조합 {len(missing)}개는 재고 0으로 채웠습니다")
    prices = [by_values[c].extra_price if c in by_values else 0 for c in full]
    stocks = [by_values[c].stock if c in by_values else 0 for c in full]
    values["option_prices"] = _per_combination(prices)
    values["option_stock"] = _per_combination(stocks)
    return values, notes


def _per_combination(numbers: list[int]) -> str:
    """One number when every combination has it (as a seller writes it), else one per combination."""
    return str(numbers[0]) if len(set(numbers)) == 1 else ",".join(str(n) for n in numbers)


# --- binding ---------------------------------------------------------------------------------
def bind_listing(store: Store, account: Account, listing: MallProduct, code: str, how: str) -> bool:
    """Bind ``listing`` to ``code`` (link history says ``how``) and start mallbatch's stock count from
    the mall's where it has none; True when a count was started."""
    store.journal.bind(account.mall, account.name, code, listing.product_id, listing.extra, group="")
    store.journal.add_history(account.mall, account.name, code, LINK_OP, SUCCESS,
                              f"쇼핑몰상품번호 {listing.product_id}에 연결했습니다 ({how})")
    seeds = [(option_key(c.values), c.stock) for c in listing.options] or [("", listing.stock)]
    started = [store.stock.seed(code, option, max(0, stock)) for option, stock in seeds]
    return any(started)


def import_listings(store: Store, account: Account, listings: Iterable[MallProduct]) -> list[Imported]:
    """Bind what can be bound and propose the rest; already bound listings are left as they are."""
    journal = store.journal
    taken = set(store.product_codes()) | journal.bound_codes()  # a new code must be none of these
    used: set[str] = set()  # bound or proposed in this run
    result: list[Imported] = []
    for listing in listings:
        listing.mall, listing.account = account.mall, account.name
        product, notes = listing_values(listing)
        seller_code = listing.seller_code.strip()
        bound = journal.code_of(account.mall, account.name, listing.product_id)
        if bound is not None:
            reason = "이미 연결되어 있습니다"
            if seller_code and seller_code != bound:
                reason += f" (경고: 쇼핑몰의 판매자상품코드는 '{seller_code}'이지만 연결은 바꾸지 않았습니다)"
            item = Imported(listing, BOUND, bound, reason, store.product(bound) or product, warned=bool(seller_code and seller_code != bound))
        elif seller_code and (other := journal.binding(account.mall, account.name, seller_code)) is not None:
            proposal = _new_code(account.mall, listing.product_id, taken)
            item = Imported(listing, CONFIRM, proposal,
                            f"경고: 판매자상품코드 '{seller_code}'는 이미 쇼핑몰상품번호 {other['product_id']}에 연결되어 있어 "
                            f"바꾸지 않았습니다. 다른 상품이면 제안한 자체상품코드 '{proposal}'(또는 새 코드)로 이 엑셀을 inbox 에 "
                            "넣으면 연결됩니다", product, warned=True)
        elif seller_code:
            stored = store.product(seller_code)
            if stored is not None:
                item = Imported(listing, BOUND, seller_code, "판매자상품코드로 저장된 상품에 연결했습니다", stored)
            else:
                reason = "판매자상품코드로 연결했습니다. mallbatch 에 없는 상품이라 나머지 칸(카테고리·제조사 등)을 채워 inbox 에 넣으면 상품으로 저장됩니다"
                if len(seller_code) > (CODE.max_len or 10):
                    reason += f" (경고: 자체상품코드가 {CODE.max_len}자를 넘어 상품 시트로는 저장할 수 없습니다)"
                item = Imported(listing, NEW_CODE, seller_code, reason, product)
            item.seeded = bind_listing(store, account, listing, seller_code, "mallbatch import, 판매자상품코드")
        else:
            match = _match(store, listing, used)
            if match is not None:
                item = Imported(listing, CONFIRM, match,
                                f"판매자상품코드가 없습니다. 이름·옵션이 같은 저장된 상품 '{match}'을(를) 제안합니다: 맞으면 그대로, "
                                "아니면 자체상품코드를 고쳐 이 엑셀을 inbox 에 넣으면 연결됩니다", store.product(match) or product)
            else:
                proposal = _new_code(account.mall, listing.product_id, taken)
                item = Imported(listing, CONFIRM, proposal,
                                f"판매자상품코드가 없어 새 자체상품코드 '{proposal}'을(를) 제안합니다: 그대로 두거나 원하는 코드로 고쳐 "
                                "이 엑셀을 inbox 에 넣으면 연결됩니다", product)
        taken.add(item.code)
        used.add(item.code)
        if item.seeded:
            stock = ", ".join(f"{'/'.join(c.values)} {c.stock}개" for c in listing.options) or f"{listing.stock}개"
            notes.append(f"mallbatch 재고가 없어 쇼핑몰의 재고({stock})로 시작했습니다")
        elif item.state != CONFIRM and (ours := sum(lv.on_hand for lv in store.stock.levels(item.code))) != listing.stock \
                and store.stock.levels(item.code):
            notes.append(f"경고: mallbatch 재고({ours}개)와 쇼핑몰 재고({listing.stock}개)가 다릅니다. "
                         "다음 재고 연동 때 mallbatch 재고(재고 − 안전재고)를 보냅니다. 실제 재고가 다르면 재고·가격 시트로 고치세요")
        if notes:
            item.reason = "\n".join([item.reason, *notes])
        result.append(item)
    return result


def run_import(ws: Workspace, store: Store, session: Session, mall: str, account_name: str | None = None,
               now: datetime | None = None) -> ImportResult:
    """Read every listing of the account, bind, and write the 가져온상품 workbook to ``outbox/날짜/상품/``."""
    found = find_mall(mall)
    if found is None:
        raise ConfigError(f"알 수 없는 쇼핑몰입니다: '{mall}'. 쇼핑몰 코드(coupang, smartstore, wemakeprice, 11st)를 쓰세요.")
    account = session.account(found.code, account_name)
    if account is None:
        names = [a.name for a in ws.config.accounts if a.mall == found.code]
        raise ConfigError(f"config.toml 에 {found.name} 계정" + (f" '{account_name}'" if account_name else "") + "이 없습니다"
                          + (f" (있는 계정: {', '.join(names)}). --account 로 고르세요." if names else ". [[accounts]] 에 추가하세요."))
    adapter = session.adapter(account)
    if adapter is None or Capability.PRODUCTS_LIST not in adapter.spec.capabilities:
        raise ConfigError(f"{account.label}: 이 쇼핑몰은 아직 상품 목록을 가져올 수 없습니다 (mallbatch import 미지원).")
    try:
        listings = list(adapter.list_products())
    except RemoteError as exc:
        what = "인증에 실패해" if isinstance(exc, AuthError) else "상품 목록을 읽지 못해"
        raise type(exc)(f"{account.label}: {what} 아무것도 연결하거나 저장하지 않았습니다: {exc.message_ko}. "
                        "잠시 뒤 다시 실행하세요", code=exc.code, status=exc.status) from exc
    rows = import_listings(store, account, listings)
    return ImportResult(account, rows, write_imported(ws, account, rows, now))


def write_imported(ws: Workspace, account: Account, rows: list[Imported], now: datetime | None = None) -> Path:
    """The 가져온상품 workbook in ``outbox/YYYY-MM-DD/상품/`` (a new file each time)."""
    now = now or now_kst()
    values = [(r.values(mall_name(account.mall), account.name), False) for r in rows]
    return outbox.write_book(outbox_dir(ws.outbox, PRODUCTS, now), IMPORTED, values, now)


# --- the workbook dropped back -----------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    """A row's binding outcome on one account, for the push result."""

    label: str
    status: str
    message: str
    mall: str = ""
    account: str = ""
    transient: bool = False


def _cell(sheet: SheetReport, row: Row, name: str) -> str:
    index = sheet.columns.get(name)
    return row.cells[index].strip() if index is not None and index < len(row.cells) else ""


def _code_ok(sheet: SheetReport, row: Row) -> bool:
    index = sheet.columns.get("code")
    return row.has("code") and not any(i.severity == ERROR and i.col_index == index for i in row.issues)


def link_rows(store: Store, session: Session, sheet: SheetReport, rows: list[Row]) -> dict[int, Link]:
    """Rows of a 가져온상품 workbook: each binds its 자체상품코드 to the listing it names (never created on
    the mall again). The listing is read from the mall first, so a mistyped number binds nothing and
    the binding keeps the mall's ids. Rows whose other cells are incomplete are bound too: binding needs
    only the code and the listing. Keyed by Excel row; rows already bound as they say are left out."""
    links: dict[int, Link] = {}
    wanted: dict[tuple[str, str], dict[str, list[tuple[Row, str]]]] = defaultdict(lambda: defaultdict(list))
    accounts: dict[tuple[str, str], Account] = {}
    for row in rows:
        product_id = _cell(sheet, row, "product_id")
        if not product_id or not _code_ok(sheet, row):
            continue
        try:
            product_id = parse_code(product_id).value
        except NormalizeError:
            continue
        mall = find_mall(_cell(sheet, row, "mall"))
        account = session.account(mall.code, _cell(sheet, row, "account") or None) if mall else None
        if account is None:
            where = "/".join(filter(None, (_cell(sheet, row, "mall"), _cell(sheet, row, "account"))))
            links[row.excel_row] = Link(where, FAILURE, "config.toml 에 이 쇼핑몰 계정이 없어 연결하지 못했습니다")
            continue
        code = str(row.get("code"))
        if store.journal.code_of(account.mall, account.name, product_id) == code:
            continue  # bound as the row says
        accounts[(account.mall, account.name)] = account
        wanted[(account.mall, account.name)][product_id].append((row, code))
    for key, by_id in wanted.items():
        account = accounts[key]
        try:
            found = _read_listings(session, account, set(by_id))
        except RemoteError as exc:
            for entries in by_id.values():
                for row, _ in entries:
                    links[row.excel_row] = Link(account.label, FAILURE, f"쇼핑몰 상품 목록을 읽지 못해 연결하지 못했습니다: {exc.message_ko}",
                                                *key, transient=is_transient(exc))
            continue
        for product_id, entries in by_id.items():
            for row, code in entries:
                links[row.excel_row] = _link(store, account, found.get(product_id), product_id, code)
    return links


def _read_listings(session: Session, account: Account, ids: set[str]) -> dict[str, MallProduct]:
    adapter = session.adapter(account)
    if adapter is None or Capability.PRODUCTS_LIST not in adapter.spec.capabilities:
        raise RemoteError("이 쇼핑몰은 상품 목록을 읽을 수 없습니다")
    found: dict[str, MallProduct] = {}
    for listing in adapter.list_products():
        if listing.product_id in ids:
            found[listing.product_id] = listing
            if len(found) == len(ids):
                break
    return found


def _link(store: Store, account: Account, listing: MallProduct | None, product_id: str, code: str) -> Link:
    journal, where = store.journal, (account.mall, account.name)
    if listing is None:
        return Link(account.label, FAILURE, f"쇼핑몰에서 상품번호 {product_id}을(를) 찾지 못해 연결하지 못했습니다. "
                                            "쇼핑몰상품번호를 확인하거나 mallbatch import 를 다시 실행하세요", *where)
    bound = journal.code_of(account.mall, account.name, product_id)
    if bound is not None and bound != code:
        return Link(account.label, FAILURE, f"쇼핑몰상품번호 {product_id}은(는) 이미 자체상품코드 '{bound}'에 연결되어 있어 "
                                            "바꾸지 않았습니다", *where)
    other = journal.binding(account.mall, account.name, code)
    if other is not None and other["product_id"] != product_id:
        return Link(account.label, FAILURE, f"자체상품코드 '{code}'는 이미 쇼핑몰상품번호 {other['product_id']}에 연결되어 있어 "
                                            "바꾸지 않았습니다. 다른 상품이면 자체상품코드를 새 코드로 고치세요", *where)
    listing.mall, listing.account = account.mall, account.name
    seeded = bind_listing(store, account, listing, code, "가져온상품 엑셀에서 확인")
    note = " 재고는 mallbatch 재고가 없어 쇼핑몰의 재고로 시작했습니다." if seeded else ""
    return Link(account.label, SUCCESS, f"쇼핑몰상품번호 {product_id}에 연결했습니다 (새로 등록하지 않음).{note}", *where)
