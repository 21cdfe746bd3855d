"""The seller's own stock, per 자체상품코드 and option: the number every mall is kept true to.

``on_hand`` is set absolutely by the seller (재고·가격 sheet, or seeded once from the 상품 sheet)
and moved by the ledger: an order line decrements it once, an approved cancel or return of
that line restores it once. The ledger's key (mall, account, mall line id, event) makes a
re-collection count nothing twice, and the ledger row and the stock change are one
transaction. Every change bumps ``revision``; ``stock_synced`` says which revision each
account was last sent, so a crash between a decrement and its push is caught up by the next
sync (anything with revision > synced is pending).

Options are keyed by their values joined with ``/`` ("골드/M"); "" is a product without options.
Available = on_hand − safety, never below 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mallbatch.store.timestamps import now_iso

if TYPE_CHECKING:
    from mallbatch.store.db import Store

SOLD, RESTORED = "sold", "restored"
PART = "#part:"  # a partial give-back's ledger key: the line id, this, and the part's name


def option_key(values: Sequence[str]) -> str:
    return "/".join(v.strip() for v in values)


@dataclass(frozen=True)
class Level:
    code: str
    option: str  # option_key of the combination; "" for the product
    on_hand: int
    safety: int
    revision: int
    counted_at: str  # UTC ISO: orders paid before this are already in the seller's count

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.safety)


def _level(row: object) -> Level:
    return Level(row["code"], row["option"], row["on_hand"], row["safety"], row["revision"], row["counted_at"])  # type: ignore[index]


class Stock:
    def __init__(self, store: Store) -> None:
        self.store = store

    def level(self, code: str, option: str = "") -> Level | None:
        row = self.store.db.execute("SELECT * FROM stock WHERE code=? AND option=?", (code, option)).fetchone()
        return _level(row) if row else None

    def levels(self, code: str | None = None) -> list[Level]:
        sql, args = ("SELECT * FROM stock WHERE code=? ORDER BY option", (code,)) if code else ("SELECT * FROM stock ORDER BY code, option", ())
        return [_level(r) for r in self.store.db.execute(sql, args)]

    def set(self, code: str, option: str, on_hand: int | None, safety: int | None = None,
            counted_at: datetime | None = None) -> Level:
        """The seller's count (absolute). ``None`` keeps what is stored; a new count restarts the ledger's clock."""
        stamp = now_iso()
        counted = counted_at.isoformat() if counted_at else stamp
        with self.store.transaction() as db:
            old = db.execute("SELECT * FROM stock WHERE code=? AND option=?", (code, option)).fetchone()
            if old is None:
                db.execute("INSERT INTO stock(code, option, on_hand, safety, revision, counted_at, updated_at) VALUES (?,?,?,?,1,?,?)",
                           (code, option, on_hand or 0, safety or 0, counted, stamp))
            else:
                db.execute("UPDATE stock SET on_hand=?, safety=?, revision=revision+1, counted_at=?, updated_at=? "
                           "WHERE code=? AND option=?",
                           (old["on_hand"] if on_hand is None else on_hand, old["safety"] if safety is None else safety,
                            old["counted_at"] if on_hand is None else counted, stamp, code, option))
        level = self.level(code, option)
        assert level is not None
        return level

    def seed(self, code: str, option: str, on_hand: int) -> bool:
        """The 상품 sheet's 재고, only while mallbatch has no count of its own for it."""
        return bool(self.seed_many([(code, option, on_hand)]))

    def seed_many(self, counts: Iterable[tuple[str, str, int]]) -> int:
        """:meth:`seed` of many (code, option, on_hand) in one transaction (a 10,000-row 상품 sheet); how many were new."""
        stamp = now_iso()
        with self.store.transaction() as db:
            cursor = db.executemany("INSERT INTO stock(code, option, on_hand, safety, revision, counted_at, updated_at) "
                                    "VALUES (?,?,?,0,1,?,?) ON CONFLICT(code, option) DO NOTHING",
                                    [(code, option, on_hand, stamp, stamp) for code, option, on_hand in counts])
            return max(0, cursor.rowcount)

    def sold(self, mall: str, account: str, line_id: str, code: str, option: str, quantity: int) -> Level | None:
        """An order line: decrement once. None when it was counted before or nothing is tracked for it."""
        return self._move(mall, account, line_id, SOLD, code, option, -quantity)

    def restored(self, mall: str, account: str, line_id: str, quantity: int | None = None, part: str = "") -> Level | None:
        """An approved cancel or return of a line counted as sold: restore once — ``quantity`` of it
        (a partial cancel), never more than is still out; None restores all that is. ``part`` names one
        of several partial cancels of the line (seed 003: 2 of 3 today, the last 1 tomorrow), each once."""
        sold = self.sold_quantity(mall, account, line_id)
        if sold is None:
            return None
        code, option, count = sold
        left = count - self.restored_quantity(mall, account, line_id)
        back = left if quantity is None else max(0, min(quantity, left))
        key = f"{line_id}{PART}{part}" if part else line_id
        return self._move(mall, account, key, RESTORED, code, option, back) if back > 0 else None

    def restored_quantity(self, mall: str, account: str, line_id: str) -> int:
        """How much of the line has been given back, whole or in parts."""
        row = self.store.db.execute(
            "SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger WHERE mall=? AND account=? AND event=? "
            "AND (line_id=? OR substr(line_id, 1, ?)=?)",
            (mall, account, RESTORED, line_id, len(line_id) + len(PART), f"{line_id}{PART}")).fetchone()
        return int(row[0])

    def sold_quantity(self, mall: str, account: str, line_id: str) -> tuple[str, str, int] | None:
        """(code, option, quantity) the ledger counted as sold for this line, or None."""
        row = self.store.db.execute("SELECT code, option, quantity FROM stock_ledger WHERE mall=? AND account=? AND line_id=? "
                                    "AND event=?", (mall, account, line_id, SOLD)).fetchone()
        return (row["code"], row["option"], row["quantity"]) if row else None

    def _move(self, mall: str, account: str, line_id: str, event: str, code: str, option: str, delta: int) -> Level | None:
        stamp = now_iso()
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM stock WHERE code=? AND option=?", (code, option)).fetchone() is None:
                return None
            added = db.execute("INSERT INTO stock_ledger(mall, account, line_id, event, code, option, quantity, at) "
                               "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(mall, account, line_id, event) DO NOTHING", (mall, account, line_id, event, code, option, abs(delta), stamp)).rowcount
            if not added:
                return None
            db.execute("UPDATE stock SET on_hand=on_hand+?, revision=revision+1, updated_at=? WHERE code=? AND option=?",
                       (delta, stamp, code, option))
        return self.level(code, option)

    def counted(self, mall: str, account: str, line_id: str) -> bool:
        return self.store.db.execute("SELECT 1 FROM stock_ledger WHERE mall=? AND account=? AND line_id=? AND event=?",
                                     (mall, account, line_id, SOLD)).fetchone() is not None

    # --- what each account was sent ----------------------------------------------------
    def synced(self, mall: str, account: str, level: Level) -> None:
        with self.store.transaction() as db:
            db.execute("INSERT INTO stock_synced(mall, account, code, option, revision, available, updated_at) VALUES (?,?,?,?,?,?,?) "
                       "ON CONFLICT(mall, account, code, option) DO UPDATE SET revision=excluded.revision, "
                       "available=excluded.available, updated_at=excluded.updated_at",
                       (mall, account, level.code, level.option, level.revision, level.available, now_iso()))

    def last_synced(self, mall: str, account: str, code: str, option: str) -> tuple[int, int] | None:
        """(revision, available) last sent to this account, or None."""
        row = self.store.db.execute("SELECT revision, available FROM stock_synced WHERE mall=? AND account=? AND code=? AND option=?",
                                    (mall, account, code, option)).fetchone()
        return (row[0], row[1]) if row else None

    def unsynced(self, mall: str, account: str) -> list[Level]:
        """Levels changed since this account was last sent them (never sent counts as changed)."""
        rows = self.store.db.execute(
            "SELECT s.* FROM stock s LEFT JOIN stock_synced y ON y.mall=? AND y.account=? AND y.code=s.code AND y.option=s.option "
            "WHERE y.revision IS NULL OR y.revision < s.revision ORDER BY s.code, s.option", (mall, account))
        return [_level(r) for r in rows]
