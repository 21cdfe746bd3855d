"""One command is sent by one process: two real ``mallbatch push`` processes on one journal, and a
push SIGKILLed while its call is in flight, proven by the simulator's own record of calls; on
SQLite and on PostgreSQL (``engine``: skipped without a server).

The simulators run in this test process; the pushes are the real CLI in child processes.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mallbatch.store import Store, open_store
from mallbatch.workspace import Workspace
from tests.pipeline_helpers import products_file

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")


def push(home: Path, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "mallbatch", "--home", str(home), "push", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for(what: Callable[[], object], seconds: float = 60) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {what}")


def on_engine(ws: Workspace, store_config: str) -> tuple[Workspace, Store]:
    """``ws`` with its store on the test's engine, and that store opened here to watch the journal."""
    config = ws.home / "config.toml"
    config.write_text(store_config + config.read_text(encoding="utf-8"), encoding="utf-8")
    ws = Workspace.open(ws.home)
    return ws, open_store(ws)


def journal_rows(store: Store, op: str) -> list[Any]:
    return list(store.db.execute("SELECT * FROM commands WHERE op=? ORDER BY target", (op,)).fetchall())


def test_two_pushes_of_one_workbook_send_each_product_once(sim_workspace, store_config: str, tmp_path: Path) -> None:
    # 40 ms per call keeps both pushes sending for seconds, so they contend command by command
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"latency_ms": 40, "rate_limit": 1000}}, rate_limit=300)
    ws, store = on_engine(ws, store_config)
    sim = servers["coupang"].simulator
    path = products_file(ws, tmp_path / "상품.xlsx", 60)
    children = [push(ws.home, path), push(ws.home, path)]
    outputs = [child.communicate(timeout=300)[0].decode("utf-8", "replace") for child in children]
    assert all(child.returncode in (0, 1) for child in children), outputs
    # each product succeeded in exactly one push; the other skipped it or held it as being sent elsewhere
    assert sum(int(re.search(r"성공 (\d+)", out).group(1)) for out in outputs) == 60, outputs  # type: ignore[union-attr]

    created = sim.store.audit_counts("product.create")
    assert len(created) == 60 and set(created.values()) == {1}, created
    rows = journal_rows(store, "product.create")
    assert {r["state"] for r in rows} == {"done"} and {r["attempts"] for r in rows} == {1}
    assert {r["claim_owner"] for r in rows} == {""}  # no claim left behind
    store.close()


def test_push_killed_in_flight_is_read_back_by_the_next_not_resent(sim_workspace, store_config: str, tmp_path: Path) -> None:
    # every call takes 3 s, so the kill lands while the first create is in flight (claimed, its call on its way)
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"latency_ms": 3000, "rate_limit": 1000}}, rate_limit=300)
    ws, store = on_engine(ws, store_config)
    sim = servers["coupang"].simulator
    path = products_file(ws, tmp_path / "상품.xlsx", 3)
    child = push(ws.home, path)
    flying = wait_for(lambda: [r for r in journal_rows(store, "product.create") if r["state"] == "in_flight"])
    child.send_signal(signal.SIGKILL)
    child.wait()
    (row,) = flying  # type: ignore[misc]
    assert row["claim_owner"].split(":")[1] == str(child.pid)  # the dead process's claim
    assert [r["state"] for r in journal_rows(store, "product.create")].count("in_flight") == 1
    time.sleep(4)  # the mall finishes the call the dead push may have made (a call still on its way can't be read back)
    applied = sim.store.audit_counts("product.create")

    sim.faults.update({"latency_ms": 0})
    again = push(ws.home, path)
    assert again.wait(timeout=120) in (0, 1), again.communicate()[0].decode()
    created = sim.store.audit_counts("product.create")
    assert len(created) == 3 and set(created.values()) == {1}, created  # nothing twice, nothing lost
    rows = {r["target"]: r for r in journal_rows(store, "product.create")}
    assert {r["state"] for r in rows.values()} == {"done"} and {r["claim_owner"] for r in rows.values()} == {""}
    killed = rows[row["target"]]
    if row["target"] in applied:  # read back and found: not sent again
        assert killed["attempts"] == 1 and killed["message"] == "쇼핑몰에 이미 반영되어 있음"
    else:  # killed before its call left: read back, not found, sent once
        assert killed["attempts"] == 2
    store.close()


def test_claim_of_another_machine_holds_while_its_connection_lives(pg_url: str) -> None:
    """On PostgreSQL an owner on another machine is alive while its presence lock is held: its
    in-flight command is left to it; once its connection is gone the command is taken over."""
    from mallbatch.store import PostgresStore
    from mallbatch.store.journal import Command
    from mallbatch.store.postgres import Server

    there, here = PostgresStore(Server(pg_url)), PostgresStore(Server(pg_url))
    there.journal._owner = "another-machine:4242:0123456789ab"  # noqa: SLF001 - the token of a worker elsewhere
    command = there.journal.register(Command.new("coupang", "기본", "product.create", "P1", {"name": "상품"}))
    assert there.journal.mark(command, "in_flight")
    seen = here.journal.get(command.idem_key)
    assert seen is not None and seen.claim_owner == there.journal.owner
    assert here.journal.held_elsewhere(seen)
    there.close()  # the worker died: its session (and presence lock) with it, once the server has seen it go
    seen = claimed_long_ago(here, seen)
    wait_for(lambda: not here.journal.held_elsewhere(seen), 30)
    assert here.journal.take_over(seen) and seen.claim_owner == here.journal.owner and seen.attempts == 1
    here.close()


def claimed_long_ago(store: Any, command: Any) -> Any:
    """The claim was made longer ago than any one send can last (its deadline, with room for clocks)."""
    from datetime import UTC, datetime, timedelta

    from mallbatch.store.claims import CLAIM_GRACE

    old = (datetime.now(UTC) - timedelta(seconds=CLAIM_GRACE + 1)).isoformat(timespec="milliseconds")
    with store.transaction() as db:
        db.execute("UPDATE commands SET claimed_at=? WHERE idem_key=?", (old, command.idem_key))
    return store.journal.get(command.idem_key)


def test_a_blip_of_the_owners_connection_does_not_hand_its_send_to_another_machine(pg_url: str) -> None:
    """The owner's connection drops for a moment while its call is on the wire: its presence lock is gone,
    but the owner is alive and its call may still reach the mall. Reading the command back now would find
    nothing and resend it; it is left alone until longer than one send can last since the claim."""
    from mallbatch.store import PostgresStore
    from mallbatch.store.claims import PRESENCE_CLASS, presence_key
    from mallbatch.store.journal import Command
    from mallbatch.store.postgres import Server

    there, here = PostgresStore(Server(pg_url)), PostgresStore(Server(pg_url))
    there.journal._owner = "another-machine:4243:0123456789ac"  # noqa: SLF001 - the token of a worker elsewhere
    command = there.journal.register(Command.new("coupang", "기본", "product.create", "P2", {"name": "상품"}))
    assert there.journal.mark(command, "in_flight")
    seen = here.journal.get(command.idem_key)
    assert seen is not None
    here.db.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype='advisory' AND classid::bigint=? "
                    "AND objid::bigint=?", (PRESENCE_CLASS, presence_key(there.journal.owner)))
    wait_for(lambda: not here.db.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype='advisory' AND "
                                         "classid::bigint=? AND objid::bigint=?)",
                                         (PRESENCE_CLASS, presence_key(there.journal.owner))).fetchone()[0], 30)
    assert here.journal.held_elsewhere(seen)  # the lock is gone, the claim is fresh: still the owner's
    assert here.journal.get(command.idem_key).state == "in_flight"  # type: ignore[union-attr]
    seen = claimed_long_ago(here, seen)
    assert not here.journal.held_elsewhere(seen)
    assert here.journal.take_over(seen) and seen.claim_owner == here.journal.owner
    there.close()
    here.close()
