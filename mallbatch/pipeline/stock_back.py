"""Stock a seller's action gives back at once — 취소승인 / 반품승인 from the 클레임 workbook, 판매취소 from
the 주문 workbook — through the ledger collection uses (keyed by the line: a re-drop, or the next
collection seeing the claim 완료 or the line 취소, counts nothing twice), the new levels sent to every
mall the product is on when the file is done, and each row told what came back.
"""

from __future__ import annotations

from mallbatch.domain.records import Claim, OrderLine
from mallbatch.pipeline.session import Session
from mallbatch.pipeline.stock_sync import StockReport, StockSync
from mallbatch.store import Store
from mallbatch.workspace import Workspace


class StockBack:
    """One dropped file's give-backs, keyed by the command that caused each (its idem key)."""

    def __init__(self, ws: Workspace, store: Store, session: Session) -> None:
        self.ws, self.store, self.session = ws, store, session
        self.stock: StockSync | None = None  # made at the first give-back
        self.moved: dict[str, list[tuple[str, str]]] = {}  # idem key → (code, option) levels given back
        self.report: StockReport | None = None

    def give_back(self, key: str, record: Claim | OrderLine, quantity: int = 0) -> None:
        """``record`` as done (a 완료 claim, a 취소 line): the ledger restores what it had counted, once;
        ``quantity`` of an order line (a partial 판매취소) gives back only that many, once under ``key``."""
        if self.stock is None:
            self.stock = StockSync(self.ws, self.store, self.session)
        before = dict(self.stock.report.moved)
        if quantity and isinstance(record, OrderLine):
            self.stock.restore_part(record, quantity, key)
        else:
            self.stock.absorb([record])
        moved = [k for k, value in self.stock.report.moved.items() if before.get(k) != value]
        if moved:
            self.moved[key] = moved

    def push(self) -> None:
        """Send the levels given back to every stock-capable account (as a collection would)."""
        if self.stock is not None and self.moved:
            self.report = self.stock.push()

    def told(self, key: str) -> str:
        """What ``key`` gave back and where it went, for its row's message ("" when nothing)."""
        if self.report is None:
            return ""
        text = ""
        for code, option in self.moved.get(key, []):
            before, after = self.report.moved[(code, option)]
            sent = self.report.sent.get((code, option), [])
            done = "·".join(s.label for s in sent if s.ok)
            where = f", {done} 반영" if done else ", 쇼핑몰에는 다음 수집 때 보냅니다" if sent else ""
            text += f"\n재고 되돌림: {f'{code} {option}'.strip()} {before}→{after}{where}"
        return text
