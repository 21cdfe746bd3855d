"""Who holds the claim on an in-flight command, and whether that holder is still alive.

A command is sent by the one journal that moved it to ``in_flight`` (a compare-and-set in
:mod:`mallbatch.store.journal`); its ``claim_owner`` names that journal as
``host:pid:nonce``. Another process must not read back a command a live owner is sending
(the read-back would find nothing yet and resend it), but a dead owner's claim must not
block forever: its command is read back and settled by the next one to meet it.

Liveness, exact where it can be rather than a lease (a slow call past a lease would be resent):
* this process: the owner's journal is sending that key right now (:data:`_SENDING`);
* another process on this machine: that pid is running (a zombie counts as dead);
* another machine: it cannot run on a SQLite store (the file is local); on PostgreSQL the
  owner holds a session advisory lock that dies with its connection (:func:`presence_key`),
  and a claim younger than :data:`CLAIM_GRACE` counts as live even without it: the owner's
  connection may drop for a moment while its call is on the wire (:func:`sending_still`).
A reused pid makes a dead owner look alive: its command waits (never resent) until that
process ends.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

HOST = socket.gethostname()
# Longer than one send under a claim can last: 5 attempts (RetryPolicy) of at most 60 s each
# (DEFAULT_DEADLINE) with up to 30 s between them is 7 min; the rest is room for the two machines' clocks.
CLAIM_GRACE = 600.0
PRESENCE_CLASS = 0x6D62  # advisory lock namespace of claim owners ("mb")

_SENDING: dict[str, set[str]] = {}  # owner → idem keys it claimed and has not settled yet
_LOCK = threading.Lock()


def new_owner() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def start(owner: str, keys: list[str]) -> None:
    with _LOCK:
        _SENDING.setdefault(owner, set()).update(keys)


def stop(owner: str, keys: list[str]) -> None:
    with _LOCK:
        sending = _SENDING.get(owner)
        if sending is not None:
            sending.difference_update(keys)
            if not sending:
                del _SENDING[owner]


def stop_all(owner: str) -> None:
    with _LOCK:
        _SENDING.pop(owner, None)


def presence_key(owner: str) -> int:
    """The advisory lock (second key, a positive int4) an owner holds on PostgreSQL while it lives."""
    return int.from_bytes(hashlib.sha256(owner.encode()).digest()[:4], "big") & 0x7FFFFFFF


_HOLD = ("SELECT pg_advisory_lock_shared(CAST(? AS integer), CAST(? AS integer)) WHERE NOT EXISTS (SELECT 1 FROM pg_locks "
         "WHERE locktype='advisory' AND pid=pg_backend_pid() AND classid::bigint=? AND objid::bigint=? AND objsubid=2)")
_HELD = ("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype='advisory' AND granted AND classid::bigint=? "
         "AND objid::bigint=? AND objsubid=2)")


def hold_presence(db: Any, owner: str) -> None:
    """On PostgreSQL: ``owner`` (this journal) holds its presence lock on the store's own connection from now on
    (session-level: it dies with the store, its connection or the process), taken before the claim commits."""
    key = presence_key(owner)
    db.execute_pinned(_HOLD, (PRESENCE_CLASS, key, PRESENCE_CLASS, key))


def sending_still(claimed_at: str, now: datetime | None = None) -> bool:
    """Whether a claim stamped ``claimed_at`` (UTC ISO) is younger than :data:`CLAIM_GRACE`; none (a claim
    from before stamps were kept) is old."""
    try:
        stamped = datetime.fromisoformat(claimed_at)
    except ValueError:
        return False
    return ((now or datetime.now(UTC)) - stamped).total_seconds() < CLAIM_GRACE


def present(db: Any, owner: str) -> bool:
    """On PostgreSQL: whether some connection still holds ``owner``'s presence lock (the owner is alive)."""
    key = presence_key(owner)
    return bool(db.execute(_HELD, (PRESENCE_CLASS, key)).fetchone()[0])


def local_verdict(owner: str, key: str) -> bool | None:
    """True/False when this machine can tell whether ``owner`` is still sending ``key``;
    None for an owner on another machine (only the database can tell)."""
    if not owner:
        return False  # claimed before claims were recorded: a crash's leftover
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != HOST or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid():
        with _LOCK:
            return key in _SENDING.get(owner, ())
    return pid_running(pid)


def pid_running(pid: int) -> bool:
    if os.name == "nt":
        return _windows_pid_running(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"  # killed, not yet reaped
    except (OSError, IndexError):
        return True


def _windows_pid_running(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE
    if not handle:
        return False
    try:
        return bool(kernel32.WaitForSingleObject(handle, 0) == 0x00000102)  # WAIT_TIMEOUT: still running
    finally:
        kernel32.CloseHandle(handle)
