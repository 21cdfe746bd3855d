"""판매정보 group push: a changed group updates every product linked to it on its mall account.

A group's products on one account are those bound there under the group's name and the stored
products whose 판매그룹 names it. Each bound product gets the same journaled ``product.update``
as a 상품 sheet row (``build_listing(product, group)`` through ``Pusher._plan_product``), so
the journal's skip-unchanged, read-back and 연동이력 apply unchanged. A product never sent to
that account is not created from here: registering needs the 상품 sheet. A product that a 상품
sheet row of the same workbook sends to that account is left to that row, so nothing is
updated twice. The group row's result has one line per product.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mallbatch.domain.capability import Capability
from mallbatch.pipeline.check import group_record
from mallbatch.pipeline.plan import SAVED, SKIP, SUCCESS, RowOutcome, Task
from mallbatch.sheets.issues import Report
from mallbatch.sheets.normalize import split_list
from mallbatch.sheets.rows import Row

if TYPE_CHECKING:
    from mallbatch.pipeline.push import Pusher

NO_PRODUCTS = "판매정보를 저장했습니다. 연결된 상품이 없습니다"
NOT_LISTED = "이 계정에 등록된 적이 없어 보내지 않았습니다. 상품 시트로 등록하세요"
NOT_STORED = "저장된 상품 정보가 없어 보내지 않았습니다. 상품 시트로 보내세요"
LINE_LIMIT = 300  # product lines per group row before successes are counted (an Excel cell holds 32,767 characters)

Key = tuple[str, str, str]  # (mall code, account, 자체상품코드)
Line = tuple[str, str, str, bool]  # (code, status, message, transient)


def push_groups(pusher: Pusher, sheet: str, rows: list[Row], sha: str, report: Report) -> None:
    """Update every bound product of each (valid, already saved) group row on its account."""
    store = pusher.store
    accounts: dict[str, list[str]] = {}
    for account in pusher.ws.config.accounts:
        accounts.setdefault(account.mall, []).append(account.name)
    sent_by_rows = _product_rows(pusher, report)
    named: dict[str, set[str]] = {}  # group name → codes of stored products whose 판매그룹 names it
    for code in store.product_codes():
        for name in split_list((store.product(code) or {}).get("groups") or "").value:
            named.setdefault(name, set()).add(code)
    updates: list[Task] = []
    lines: dict[int, list[Line]] = {}
    scratch: dict[tuple[str, int], tuple[Row, str]] = {}  # per-product outcome key → (group row, code)
    for row in rows:
        outcome, row_lines = pusher.outcomes.of(sheet, row), lines.setdefault(row.excel_row, [])
        key = group_record(row, accounts)
        mall, account_name, name = key["mall"], key["account"], key["group"]
        bound = store.journal.bindings_on(mall, account_name)
        codes = sorted({c for c, b in bound.items() if b["group_name"] == name} | named.get(name, set()))
        by_rows = [c for c in codes if (mall, account_name, c) in sent_by_rows]
        if by_rows:
            outcome.add("", SAVED, f"판매정보를 저장했습니다. 연결된 상품 {len(by_rows):,}개는 이 파일의 상품 시트에서 함께 보냈습니다")
        codes = [c for c in codes if c not in by_rows]
        if not codes:
            if not by_rows:
                outcome.add("", SAVED, NO_PRODUCTS)
            continue
        row_lines += [(c, SAVED, NOT_LISTED, False) for c in codes if c not in bound]
        listed = [c for c in codes if c in bound]
        if not listed or pusher._account(sheet, row, Capability.PRODUCTS_UPDATE) is None:
            continue  # nothing registered here, or the account cannot take updates (the row says why)
        group = next(g for g in store.groups_named(name) if g["mall"] == mall and g["account"] == account_name)
        for code in listed:
            product = store.product(code)
            if product is None:
                row_lines.append((code, SAVED, NOT_STORED, False))
                continue
            part = f"{sheet}\x00{code}"  # the product's own outcome while it is planned and sent
            scratch[(part, row.excel_row)] = (row, code)
            creates: list[Task] = []
            pusher._plan_product(part, row, product, group, sha, creates, updates)
            assert not creates  # bound: an update, never a create
    pusher._run("product.update", updates, pusher._product_done)
    for part_key, (row, code) in scratch.items():
        part = pusher.outcomes.pop(part_key)
        lines[row.excel_row] += [(code, status, message, part.transient) for _label, status, message in part.parts]
    for row in rows:
        _report_lines(pusher.outcomes.of(sheet, row), sorted(lines[row.excel_row]))


def _report_lines(outcome: RowOutcome, lines: list[Line]) -> None:
    """One line per product; past LINE_LIMIT, successes and skips are counted, every other line stays."""
    counted = len(lines) > LINE_LIMIT
    tally: dict[str, int] = {}
    for code, status, message, transient in lines:
        if counted and status in (SUCCESS, SKIP):
            tally[status] = tally.get(status, 0) + 1
            continue
        outcome.add(code, status, message, transient)
    for status, count in tally.items():
        outcome.add(f"그 밖의 상품 {count:,}개", status, "상품별 내역은 mallbatch history 자체상품코드")


def _product_rows(pusher: Pusher, report: Report) -> set[Key]:
    """Which (mall, account, code) the 상품 sheets of this workbook send (push_products: each mall of its 판매그룹)."""
    sent: set[Key] = set()
    for sheet in report.sheets:
        if sheet.kind != "products":
            continue
        for row in sheet.rows:
            if row.skipped or row.status == "오류":
                continue
            for name in split_list(row.get("groups", "")).value:
                for group in pusher.store.groups_named(name):
                    sent.add((group["mall"], group["account"], row.get("code")))
    return sent
