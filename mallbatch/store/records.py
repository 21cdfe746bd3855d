"""Collected orders, claims, inquiries and support tickets, upserted by the mall's natural key, and the
per mall × account × kind watermarks collection resumes from (Singer-style state)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from mallbatch.domain.records import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Inquiry,
    OrderLine,
    OrderStatus,
    Ticket,
    TicketCategory,
    TicketMessage,
    TicketState,
)
from mallbatch.store.timestamps import now_iso

if TYPE_CHECKING:
    from mallbatch.store.db import Store

R = TypeVar("R", OrderLine, Claim, Inquiry, Ticket)
Record = OrderLine | Claim | Inquiry | Ticket
ORDERS, CLAIMS, INQUIRIES, TICKETS = "orders", "claims", "inquiries", "tickets"
# What retention masks (개인정보보호법); ids, amounts, states and dates stay for stats and dedupe.
PERSONAL = {
    ORDERS: ("buyer_name", "buyer_phone", "receiver_name", "receiver_phone", "receiver_phone2", "zip", "address",
             "address_detail", "memo"),
    CLAIMS: ("requester_name", "requester_phone"),
    INQUIRIES: ("writer", "body"),
    TICKETS: ("customer_name", "messages"),  # messages: each one's text (sender and time stay for the CS metrics)
}
MASK = "***"
_DATETIMES = {"ordered_at", "paid_at", "requested_at", "asked_at", "answered_at", "delivered_at", "ship_by",
              "opened_at", "updated_at", "awaiting_since", "first_reply_at"}
CLOSED_TICKETS = (TicketState.CLOSED, TicketState.PERMANENTLY_CLOSED)


def _encode(record: Record) -> tuple[str, str]:
    # Shallow on purpose: dataclasses.asdict deep-copies ``raw`` (measured: 85% of upsert time).
    data = {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name != "raw"}
    if isinstance(record, Ticket):
        data["messages"] = [dataclasses.asdict(m) for m in record.messages]
    return json.dumps(data, ensure_ascii=False, default=_jsonable), json.dumps(record.raw, ensure_ascii=False, default=str)


def _jsonable(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _decode(cls: type[R], data: str, raw: str) -> R:
    values = json.loads(data)
    for key in _DATETIMES & values.keys():
        if values[key]:
            values[key] = datetime.fromisoformat(values[key])
    if cls is OrderLine:
        values["status"] = OrderStatus(values["status"])
    elif cls is Claim:
        values["kind"], values["status"] = ClaimKind(values["kind"]), ClaimStatus(values["status"])
    elif cls is Ticket:
        values["category"], values["state"] = TicketCategory(values["category"]), TicketState(values["state"])
        values["messages"] = [TicketMessage(m["sender"], m["text"], datetime.fromisoformat(m["at"]) if m["at"] else None)
                              for m in values["messages"]]
    return cls(**values, raw=json.loads(raw))


def _still_open(kind: str, data: dict[str, Any]) -> bool:
    if kind == ORDERS:
        return data.get("status") in (OrderStatus.PAID, OrderStatus.PREPARING)
    if kind == CLAIMS:
        return data.get("status") in (ClaimStatus.REQUESTED, ClaimStatus.IN_PROGRESS)
    if kind == TICKETS:
        return data.get("state") not in CLOSED_TICKETS
    return kind == INQUIRIES and not data.get("answered")


def _masked(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the personal fields of its kind replaced by MASK (a ticket keeps its messages' senders and times)."""
    for name in PERSONAL.get(kind, ()):
        if name == "messages" and isinstance(data.get(name), list):
            data[name] = [dict(m, text=MASK) if m.get("text") else m for m in data[name]]
        elif data.get(name):
            data[name] = MASK
    return data


def key_of(record: Record) -> str:
    if isinstance(record, OrderLine):
        return record.line_id
    if isinstance(record, Ticket):
        return record.ticket_id
    return record.claim_id if isinstance(record, Claim) else record.inquiry_id


def kind_of(record: Record) -> str:
    if isinstance(record, Ticket):
        return TICKETS
    return ORDERS if isinstance(record, OrderLine) else CLAIMS if isinstance(record, Claim) else INQUIRIES


class Records:
    def __init__(self, store: Store) -> None:
        self.store = store

    def upsert(self, records: Iterable[Record], run_id: str) -> int:
        """Insert or update by natural key; returns how many were new."""
        stamp, new = now_iso(), 0
        with self.store.transaction() as db:
            for record in records:
                data, raw = _encode(record)
                ship_unit = getattr(record, "ship_unit", "")
                order_id = getattr(record, "order_id", "")
                cursor = db.execute(
                    "INSERT INTO records(mall, account, kind, key, data, raw, first_seen, updated_at, first_run, ship_unit, order_id) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(mall, account, kind, key) DO NOTHING",
                    (record.mall, record.account, kind_of(record), key_of(record), data, raw, stamp, stamp, run_id, ship_unit, order_id),
                )
                if cursor.rowcount:
                    new += 1
                else:
                    db.execute(  # fresh personal data from the mall starts its retention period again
                        "UPDATE records SET data=?, raw=?, updated_at=?, ship_unit=?, order_id=?, masked_at='' "
                        "WHERE mall=? AND account=? AND kind=? AND key=?",
                        (data, raw, stamp, ship_unit, order_id, record.mall, record.account, kind_of(record), key_of(record)),
                    )
        return new

    def _rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return list(self.store.db.execute(sql, params))

    def orders(self, mall: str, account: str, ids: Sequence[str]) -> list[OrderLine]:
        """Lines matching any id: line id first, then ship unit, then order number."""
        found: dict[str, OrderLine] = {}
        for column in ("key", "ship_unit", "order_id"):
            marks = ",".join("?" * len(ids))
            for row in self._rows(f"SELECT data, raw FROM records WHERE mall=? AND account=? AND kind='orders' AND {column} IN ({marks})",
                                  (mall, account, *ids)):
                line = _decode(OrderLine, row["data"], row["raw"])
                found.setdefault(line.line_id, line)
            if found:
                break
        return list(found.values())

    def claim(self, mall: str, account: str, claim_id: str) -> Claim | None:
        """The collected claim by its mall's claim id."""
        row = self.store.db.execute("SELECT data, raw FROM records WHERE mall=? AND account=? AND kind='claims' AND key=?",
                                    (mall, account, claim_id)).fetchone()
        return _decode(Claim, row["data"], row["raw"]) if row else None

    def ticket(self, mall: str, account: str, ticket_id: str) -> Ticket | None:
        """The collected support ticket by its mall's ticket id."""
        row = self.store.db.execute("SELECT data, raw FROM records WHERE mall=? AND account=? AND kind='tickets' AND key=?",
                                    (mall, account, ticket_id)).fetchone()
        return _decode(Ticket, row["data"], row["raw"]) if row else None

    def inquiry(self, mall: str, account: str, inquiry_id: str) -> Inquiry | None:
        """The collected inquiry by its mall's inquiry id."""
        row = self.store.db.execute("SELECT data, raw FROM records WHERE mall=? AND account=? AND kind='inquiries' AND key=?",
                                    (mall, account, inquiry_id)).fetchone()
        return _decode(Inquiry, row["data"], row["raw"]) if row else None

    def all(self, cls: type[R], kind: str, *, raw: bool = True) -> Iterator[tuple[R, str, str]]:
        """(record, first_run, updated_at) in collection order, streamed; ``raw=False`` skips the
        mall payloads (workbooks do not need them, and they are most of the memory)."""
        columns = "data, raw" if raw else "data, '{}' AS raw"
        cursor = self.store.db.execute(
            f"SELECT {columns}, first_run, updated_at FROM records WHERE kind=? ORDER BY first_seen, key", (kind,))
        for row in cursor:
            yield _decode(cls, row["data"], row["raw"]), row["first_run"], row["updated_at"]

    def mask_personal(self, before: datetime) -> int:
        """Mask names, phones, addresses (and the mall's raw payload, which repeats them) of records
        not updated since ``before``; returns how many. Orders not yet shipped, open claims and
        unanswered inquiries, tickets not closed are kept whole: the seller still needs them."""
        cutoff, stamp, masked = before.astimezone(UTC).isoformat(timespec="milliseconds"), now_iso(), 0
        with self.store.transaction() as db:
            rows = db.execute("SELECT mall, account, kind, key, data FROM records WHERE masked_at='' AND updated_at < ?",
                              (cutoff,)).fetchall()
            for row in rows:
                data = json.loads(row["data"])
                if _still_open(row["kind"], data):
                    continue
                _masked(row["kind"], data)
                db.execute("UPDATE records SET data=?, raw='{}', masked_at=? WHERE mall=? AND account=? AND kind=? AND key=?",
                           (json.dumps(data, ensure_ascii=False), stamp, row["mall"], row["account"], row["kind"], row["key"]))
                masked += 1
        return masked

    def count(self, kind: str) -> int:
        return int(self.store.db.execute("SELECT COUNT(*) FROM records WHERE kind=?", (kind,)).fetchone()[0])

    # --- watermarks --------------------------------------------------------------------
    def watermark(self, mall: str, account: str, kind: str) -> datetime | None:
        row = self.store.db.execute("SELECT value FROM watermarks WHERE mall=? AND account=? AND kind=?", (mall, account, kind)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def set_watermark(self, mall: str, account: str, kind: str, value: datetime) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO watermarks(mall, account, kind, value, updated_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(mall, account, kind) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at",
                (mall, account, kind, value.isoformat(), now_iso()),
            )

    def watermarks(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.store.db.execute("SELECT * FROM watermarks ORDER BY mall, account, kind")]
