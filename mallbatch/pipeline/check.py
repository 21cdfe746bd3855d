"""Read and validate one inbox file, save what is valid (seed 001's 저장), write the result.

A file that cannot be read at all still gets a result workbook whose 요약 says why, so
the seller always finds an answer in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mallbatch.domain.clock import now_kst
from mallbatch.errors import InputFileError
from mallbatch.files import RESULTS, outbox_dir, sha256_file, unique_path
from mallbatch.kinds import KINDS
from mallbatch.malls import find_mall
from mallbatch.pipeline.file_malls import explain_unknown, prepare
from mallbatch.pipeline.stock_sync import seed_from_products
from mallbatch.sheets.issues import ERROR, Issue, Report
from mallbatch.sheets.reader import read_book
from mallbatch.sheets.results import (
    sheets_from_report,
    validation_summary,
    write_result,
)
from mallbatch.sheets.rows import BookContext, Row
from mallbatch.sheets.validate import validate_book
from mallbatch.store import Store
from mallbatch.workspace import Workspace


@dataclass
class Checked:
    report: Report
    sha256: str
    saved_products: int = 0
    saved_groups: int = 0


def check_file(ws: Workspace, store: Store, path: Path) -> Checked:
    """Validate ``path``; never raises for bad input (the report carries the problem)."""
    sha = sha256_file(path)
    try:
        raw = read_book(path, ws.limits, ws.passwords)
    except InputFileError as exc:
        report = Report(path, max_errors=ws.config.limit("max_errors", 1000))
        report.issues.append(Issue(ERROR, "file", exc.message, exc.fix))
        return Checked(report, sha)
    book = BookContext(
        path=path,
        images_dir=ws.images,
        known_groups=store.group_keys(),
        stored_products=store.product,
        stored_groups=store.groups_named,
        accounts={(a.mall, a.name) for a in ws.config.accounts},
    )
    kinds, issues = prepare(ws, raw, KINDS)  # a file mall's order or claim download is one of the kinds too
    report = validate_book(raw, book, kinds, ws.config.limit("max_errors", 1000))
    report.issues[:0] = issues
    explain_unknown(report, raw, kinds)
    return Checked(report, sha)


def valid_rows(report: Report, kind: str) -> list[Row]:
    return [r for s in report.sheets if s.kind == kind for r in s.rows if not r.skipped and r.status != "오류"]


def group_record(row: Row, accounts: dict[str, list[str]]) -> dict[str, Any]:
    """A sales group row as stored: mall as code, account filled in when the mall has one."""
    mall = find_mall(row.get("mall"))
    assert mall is not None
    values = dict(row.values)
    values["mall"] = mall.code
    values["account"] = row.get("account") or accounts[mall.code][0]
    return values


def save_valid(ws: Workspace, store: Store, checked: Checked) -> None:
    """Seed 001's 저장: keep valid products and sales groups in the store (nothing is sent)."""
    accounts: dict[str, list[str]] = {}
    for account in ws.config.accounts:
        accounts.setdefault(account.mall, []).append(account.name)
    groups = [group_record(r, accounts) for r in valid_rows(checked.report, "sales_groups")]
    products = [dict(r.values) for r in valid_rows(checked.report, "products")]
    if groups:
        store.save_groups(groups, checked.sha256)
    if products:
        store.save_products(products, checked.sha256)
        seed_from_products(store, products)  # stock sync starts from the sheet's 재고 where mallbatch has no count
    checked.saved_groups, checked.saved_products = len(groups), len(products)


def result_path(ws: Workspace, source: Path, label: str) -> Path:
    now = now_kst()
    return unique_path(outbox_dir(ws.outbox, RESULTS, now), source.stem, ".xlsx", tail=f"_{label}_{now:%H%M%S}")


def write_check_result(ws: Workspace, checked: Checked, source: Path) -> Path:
    report = checked.report
    summary = validation_summary(report)
    if checked.saved_products or checked.saved_groups:
        summary.append(("저장", f"상품 {checked.saved_products:,}개, 판매정보 {checked.saved_groups:,}개를 저장했습니다 (쇼핑몰에는 보내지 않았습니다)"))
    return write_result(result_path(ws, source, "검사결과"), sheets_from_report(report), summary, report.listed())
