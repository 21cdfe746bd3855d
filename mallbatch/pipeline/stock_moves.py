"""Stock a dropped file moves at once — given back by a seller's 취소승인 / 반품승인 (클레임 workbook) or
판매취소 (주문 workbook), taken or given back by a file mall's order and claim download — through the
ledger collection uses (keyed by the line: a re-drop, or the next collection seeing the claim 완료 or
the line 취소, counts nothing twice), the new levels sent to every mall the product is on when the file
is done, and each row told what moved.
"""

from __future__ import annotations

from mallbatch.domain.records import Claim, OrderLine
from mallbatch.pipeline.session import Session
from mallbatch.pipeline.stock_sync import StockReport, StockSync
from mallbatch.store import Store
from mallbatch.workspace import Workspace


class StockMoves:
    """One dropped file's stock moves, keyed by what caused each (a command's idem key, a downloaded line)."""

    def __init__(self, ws: Workspace, store: Store, session: Session) -> None:
        self.ws, self.store, self.session = ws, store, session
        self.stock: StockSync | None = None  # made at the first move
        self.moved: dict[str, list[tuple[str, str]]] = {}  # key → (code, option) levels it moved
        self.report: StockReport | None = None

    def move(self, key: str, record: Claim | OrderLine, quantity: int = 0) -> None:
        """``record`` as it now stands: a sold line takes its quantity, a 완료 claim or a 취소 line gives back what
        was counted, once; ``quantity`` of an order line (a partial 판매취소) gives back only that many, once under ``key``."""
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
        """Send the levels moved to every stock-capable account (as a collection would)."""
        if self.stock is not None and self.moved:
            self.report = self.stock.push()

    def told(self, key: str) -> str:
        """What ``key`` moved and where it went, for its row's message ("" when nothing)."""
        if self.report is None:
            return ""
        text = ""
        for code, option in self.moved.get(key, []):
            before, after = self.report.moved[(code, option)]
            sent = self.report.sent.get((code, option), [])
            done = "·".join(s.label for s in sent if s.ok)
            where = f", {done} 반영" if done else ", 쇼핑몰에는 다음 수집 때 보냅니다" if sent else ""
            what = "되돌림" if after > before else "차감"
            text += f"\n재고 {what}: {f'{code} {option}'.strip()} {before}→{after}{where}"
        return text
