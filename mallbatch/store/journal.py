"""The command journal, mall id bindings and link history (seed 001 연동이력).

Protocol (style-and-reliability.md B6): a command is inserted ``pending``; it is marked
``in_flight`` and committed *before* the network call; afterwards it becomes ``done``,
``failed`` (the mall said no), ``held`` (we chose not to send, e.g. a cancel request) or
``unknown`` (timeout / dropped response). ``in_flight`` and ``unknown`` commands are read
back from the mall before anything is resent.

Several processes may work on one journal (two pushes of one file, workers on PostgreSQL): every
change of a command's state is a compare-and-set on the state, attempts and claim owner this
journal read (:meth:`Journal.mark`), so one command is sent by one claim. Moving it to
``in_flight`` claims it for this journal (``claim_owner``); a command a live owner holds is
left to it, a dead owner's is taken over and read back (:mod:`mallbatch.store.claims`).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mallbatch.redact import mask
from mallbatch.store import claims
from mallbatch.store.dialect import POSTGRES
from mallbatch.store.timestamps import now_iso

if TYPE_CHECKING:
    from mallbatch.store.db import Store

PENDING, IN_FLIGHT, DONE, FAILED, UNKNOWN, HELD = "pending", "in_flight", "done", "failed", "unknown", "held"


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:16]


def idem_key(mall: str, account: str, op: str, target: str, payload: dict[str, Any]) -> str:
    """Same effect, same key: a re-dropped file maps onto the commands it already made."""
    return f"{mall}:{account}:{op}:{target}:{payload_hash(payload)}"


@dataclass
class Command:
    idem_key: str
    mall: str
    account: str
    op: str
    target: str
    payload: dict[str, Any]
    state: str = PENDING
    attempts: int = 0
    code: str = ""
    message: str = ""
    remote_ref: str = ""
    source_sha: str = ""
    excel_row: int | None = None
    claim_owner: str = ""  # the journal sending it while in_flight (mallbatch.store.claims)
    claimed_at: str = ""  # when that journal claimed it (UTC, its own clock)

    @classmethod
    def new(cls, mall: str, account: str, op: str, target: str, payload: dict[str, Any], source_sha: str = "", excel_row: int | None = None) -> Command:
        return cls(idem_key(mall, account, op, target, payload), mall, account, op, target, payload,
                   source_sha=source_sha, excel_row=excel_row)


def _command(row: Any) -> Command:
    return Command(row["idem_key"], row["mall"], row["account"], row["op"], row["target"], json.loads(row["payload"]),
                   row["state"], row["attempts"], row["code"], row["message"], row["remote_ref"], row["source_sha"], row["excel_row"],
                   row["claim_owner"], row["claimed_at"] or "")


class Journal:
    def __init__(self, store: Store) -> None:
        self.store = store
        # Keys this process saw settle as not applied at the mall (read back and not found, or
        # refused). Only these may be resent without a read-back when the op asks for one first:
        # the file's own states may be older than the mall (lost -wal, restored backup).
        self.vouched: set[str] = set()
        self._owner, self._owner_pid = claims.new_owner(), os.getpid()

    def get(self, key: str) -> Command | None:
        row = self.store.db.execute("SELECT * FROM commands WHERE idem_key=?", (key,)).fetchone()
        return _command(row) if row else None

    def register(self, command: Command) -> Command:
        """Insert when new; otherwise return the journal's copy (with its state)."""
        stamp = now_iso()
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO commands(idem_key, mall, account, op, target, payload, state, source_sha, excel_row, "
                "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(idem_key) DO NOTHING",
                (command.idem_key, command.mall, command.account, command.op, command.target,
                 json.dumps(command.payload, ensure_ascii=False, sort_keys=True, default=str), PENDING,
                 command.source_sha, command.excel_row, stamp, stamp),
            )
        stored = self.get(command.idem_key)
        assert stored is not None
        return stored

    @property
    def owner(self) -> str:
        if self._owner_pid != os.getpid():  # a forked child is another owner
            self._owner, self._owner_pid = claims.new_owner(), os.getpid()
        return self._owner

    def mark(self, command: Command, state: str, *, code: str = "", message: str = "", remote_ref: str = "") -> bool:
        """Move ``command`` from the state this journal last saw to ``state``; False (and nothing
        changed) when another process changed it meanwhile. ``in_flight`` claims it for this journal."""
        return self._set([command], state, (code, mask(message), remote_ref)) == [command]

    def mark_many(self, commands: list[Command], state: str) -> list[Command]:
        """One transaction for a whole batch (the in_flight mark before a bulk call); the commands it moved."""
        return self._set(commands, state)

    def take_over(self, command: Command) -> bool:
        """Claim an ``unknown`` command, or an ``in_flight`` one whose owner is dead, for reading back
        (no attempt counted: nothing is sent); False when another process got there first."""
        return self._set([command], IN_FLIGHT, bump=0) == [command]

    def held_elsewhere(self, command: Command) -> bool:
        """True while a live owner (another process, or another thread's send here) holds ``command`` in flight."""
        if command.state != IN_FLIGHT:
            return False
        verdict = claims.local_verdict(command.claim_owner, command.idem_key)
        return verdict if verdict is not None else self._present_elsewhere(command)

    def _present_elsewhere(self, command: Command) -> bool:
        """An owner on another machine: only PostgreSQL can have one (a SQLite file is local to this one).
        Its presence lock says it lives; a claim younger than any one send can last counts too, since
        a moment's drop of the owner's connection frees the lock while its call may still reach the mall."""
        return self.store.dialect == POSTGRES and (claims.present(self.store.db, command.claim_owner)
                                                   or claims.sending_still(command.claimed_at))

    def release(self, commands: list[Command]) -> None:
        """This journal no longer sends these (after the call, or when it failed unexpectedly); a
        command still ``in_flight`` in the journal is then a dead claim, read back before any resend."""
        claims.stop(self.owner, [c.idem_key for c in commands])

    def end_claims(self) -> None:
        """The store closes: none of this journal's claims is being sent any more."""
        claims.stop_all(self.owner)

    def _set(self, commands: list[Command], state: str, text: tuple[str, str, str] | None = None,
             bump: int | None = None) -> list[Command]:
        """The compare-and-set of every state change; ``text`` (code, message, remote_ref) replaces the
        command's code and message (a remote_ref only when given), None keeps them."""
        stamp = now_iso()
        bump = (1 if state == IN_FLIGHT else 0) if bump is None else bump
        owner = self.owner if state == IN_FLIGHT else ""
        code, message, remote_ref = text or ("", "", "")
        words = "code=?, message=?, " if text is not None else ""
        moved = []
        if owner and self.store.dialect == POSTGRES:
            claims.hold_presence(self.store.db, owner)  # present before any claim of it commits
        with self.store.transaction() as db:
            for c in commands:
                cursor = db.execute(
                    f"UPDATE commands SET state=?, attempts=attempts+?, {words}"
                    "remote_ref=CASE WHEN ?='' THEN remote_ref ELSE ? END, claim_owner=?, "
                    "claimed_at=CASE WHEN ?='' THEN claimed_at ELSE ? END, updated_at=? "
                    "WHERE idem_key=? AND state=? AND attempts=? AND claim_owner=?",
                    (state, bump, *((code, message) if text is not None else ()), remote_ref, remote_ref, owner, owner, stamp,
                     stamp, c.idem_key, c.state, c.attempts, c.claim_owner),
                )
                if cursor.rowcount == 1:
                    moved.append(c)
        if owner:
            claims.start(owner, [c.idem_key for c in moved])
        else:
            self.release(moved)
        for c in moved:
            c.state, c.attempts, c.claim_owner = state, c.attempts + bump, owner
            if owner:
                c.claimed_at = stamp
            if text is not None:
                c.code, c.message = code, message
            if remote_ref:
                c.remote_ref = remote_ref
        return moved

    def last_done(self, mall: str, account: str, op: str, target: str) -> Command | None:
        row = self.store.db.execute(
            "SELECT * FROM commands WHERE mall=? AND account=? AND op=? AND target=? AND state='done' "
            "ORDER BY updated_at DESC LIMIT 1", (mall, account, op, target)).fetchone()
        return _command(row) if row else None

    def same_as_last(self, mall: str, account: str, ops: tuple[str, ...], target: str, content: dict[str, Any],
                     part: str) -> bool:
        """True when the latest done command on ``target`` carried exactly this ``content`` in ``payload[part]``."""
        marks = ",".join("?" * len(ops))
        row = self.store.db.execute(
            f"SELECT payload FROM commands WHERE mall=? AND account=? AND op IN ({marks}) AND target=? AND state='done' "
            "ORDER BY updated_at DESC LIMIT 1", (mall, account, *ops, target)).fetchone()
        return row is not None and payload_hash(json.loads(row[0]).get(part, {})) == payload_hash(content)

    def done_targets(self, op: str, whole: bool = False) -> set[tuple[str, str, str]]:
        """(mall, account, target) of every done command of ``op`` (the lines marked 강제완료); ``whole`` leaves out
        commands on a part of their target (a payload ``quantity``: 2 of 3 cancelled leaves the line open)."""
        part = f" AND COALESCE({self.store.json_number('payload', 'quantity')}, 0) = 0" if whole else ""
        rows = self.store.db.execute(f"SELECT mall, account, target FROM commands WHERE op=? AND state='done'{part}", (op,))
        return {(r[0], r[1], r[2]) for r in rows}

    def unsettled(self) -> list[Command]:
        """Commands a crash left in flight or unknown: reconcile before resending."""
        rows = self.store.db.execute("SELECT * FROM commands WHERE state IN ('in_flight','unknown') ORDER BY created_at")
        return [_command(r) for r in rows]

    def counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.store.db.execute("SELECT state, COUNT(*) FROM commands GROUP BY state")}

    # --- bindings and link history -----------------------------------------------------
    def binding(self, mall: str, account: str, code: str) -> dict[str, Any] | None:
        row = self.store.db.execute("SELECT * FROM bindings WHERE mall=? AND account=? AND code=?", (mall, account, code)).fetchone()
        return {**dict(row), "extra": json.loads(row["extra"])} if row else None

    def bind(self, mall: str, account: str, code: str, product_id: str, extra: dict[str, Any], group: str) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO bindings(mall, account, code, product_id, extra, group_name, updated_at) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT(mall, account, code) DO UPDATE SET product_id=excluded.product_id, extra=excluded.extra, "
                "group_name=excluded.group_name, updated_at=excluded.updated_at",
                (mall, account, code, product_id, json.dumps(extra, ensure_ascii=False, default=str), group, now_iso()),
            )

    def code_of(self, mall: str, account: str, product_id: str) -> str | None:
        """The 자체상품코드 a mall listing is bound to on this account (``mallbatch import``: bind once)."""
        row = self.store.db.execute("SELECT code FROM bindings WHERE mall=? AND account=? AND product_id=? ORDER BY code LIMIT 1",
                                    (mall, account, product_id)).fetchone()
        return row[0] if row else None

    def bound_codes(self) -> set[str]:
        return {r[0] for r in self.store.db.execute("SELECT DISTINCT code FROM bindings")}

    def bindings_on(self, mall: str, account: str) -> dict[str, dict[str, Any]]:
        """Every product bound on one mall account, by 자체상품코드 (a 판매정보 group push reaches them)."""
        rows = self.store.db.execute("SELECT * FROM bindings WHERE mall=? AND account=? ORDER BY code", (mall, account))
        return {r["code"]: {**dict(r), "extra": json.loads(r["extra"])} for r in rows}

    def bindings_for(self, code: str) -> list[dict[str, Any]]:
        rows = self.store.db.execute("SELECT * FROM bindings WHERE code=? ORDER BY mall, account", (code,))
        return [{**dict(r), "extra": json.loads(r["extra"])} for r in rows]

    def add_history(self, mall: str, account: str, code: str, op: str, outcome: str, message: str = "") -> None:
        with self.store.transaction() as db:
            db.execute("INSERT INTO link_history(mall, account, code, op, outcome, message, at) VALUES (?,?,?,?,?,?,?)",
                       (mall, account, code, op, outcome, mask(message), now_iso()))

    def history(self, code: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.store.db.execute("SELECT * FROM link_history WHERE code=? ORDER BY id", (code,))]
