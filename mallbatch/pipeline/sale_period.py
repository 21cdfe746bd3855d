"""판매기간 (seed 001 판매기간관리, 판매종료관리): listings whose sale period ends within a week, or has ended.

A mall stops selling a product on its 판매종료일 by itself. The seller hears of it ahead of time
in 상태 and in the 판매상품 workbook; re-sending the 판매정보 group with a later 판매종료일
extends every product bound to it (pipeline.group_push). The date is the saved group's: the
group a product is bound with on that account, the one it was sent from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from mallbatch.store import Store

SOON_DAYS = 7
SHOWN_CODES = 10  # product codes per status line; the 판매상품 workbook lists them all
HEADING = f"판매기간 종료 임박 ({SOON_DAYS}일 이내이거나 지난 판매정보. 판매정보 시트의 판매종료일을 늦춰 다시 보내면 연장됩니다)"


def period_note(sale_end: date | None, today: date) -> str:
    """The 판매상품 workbook's note: empty unless the period ends within SOON_DAYS or has ended."""
    if sale_end is None:
        return ""
    left = (sale_end - today).days
    if left < 0:
        return "판매기간 종료됨"
    if left == 0:
        return "오늘 판매 종료"
    return f"판매 종료 {left}일 전" if left <= SOON_DAYS else ""


@dataclass
class Ending:
    """One 판매정보 group on one account whose bound products stop selling soon (or already did)."""

    label: str  # 쇼핑몰/계정
    group: str
    sale_end: date
    codes: list[str] = field(default_factory=list)

    def line_ko(self, today: date) -> str:
        left = (self.sale_end - today).days
        when = "이미 종료됨" if left < 0 else "오늘 종료" if left == 0 else f"{left}일 남음"
        shown = ", ".join(self.codes[:SHOWN_CODES]) + (f" 외 {len(self.codes) - SHOWN_CODES:,}개" if len(self.codes) > SHOWN_CODES else "")
        return f"{self.label} 판매정보 '{self.group}': 판매종료일 {self.sale_end} ({when}), 상품 {len(self.codes):,}개: {shown}"


def ending_sales(store: Store, labels: Mapping[tuple[str, str], str], today: date) -> list[Ending]:
    """Groups whose 판매종료일 is at most SOON_DAYS away (or past), with the products on sale under them."""
    found: dict[tuple[str, str, str], Ending] = {}
    ends: dict[tuple[str, str, str], date | None] = {}
    for code in store.product_codes():
        for binding in store.journal.bindings_for(code):
            key = (binding["mall"], binding["account"], binding["group_name"])
            if key not in ends:
                group = next((g for g in store.groups_named(key[2]) if (g["mall"], g["account"]) == key[:2]), None)
                ends[key] = date.fromisoformat(str(group["sale_end"])[:10]) if group and group.get("sale_end") else None
            end = ends[key]
            if end is None or (end - today).days > SOON_DAYS or binding["extra"].get("on_sale") is False:
                continue  # no known end, far off, or the sale is stopped anyway
            label = labels.get(key[:2], f"{key[0]}/{key[1]}")
            found.setdefault(key, Ending(label, key[2], end)).codes.append(code)
    return sorted(found.values(), key=lambda e: (e.sale_end, e.label, e.group))


def ending_lines(store: Store, labels: Mapping[tuple[str, str], str], today: date) -> list[str]:
    """상태's lines: one per group, soonest first, and what to do; empty when nothing ends soon."""
    return [ending.line_ko(today) for ending in ending_sales(store, labels, today)]
