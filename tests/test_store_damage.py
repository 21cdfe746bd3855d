"""A damaged mallbatch.db or a full disk: a Korean message naming the file, what happened and
what to do, exit 1, no traceback, nothing half-done; after space is freed nothing is sent twice.

"Disk full" is real: SQLite's own page limit on the connection for the store-level test, and a
tiny tmpfs under the workspace's state folder for the CLI test (root only, skipped elsewhere).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mallbatch.cli import cli
from mallbatch.errors import StoreError
from mallbatch.store import Store
from mallbatch.workspace import Workspace
from tests.pipeline_helpers import products_file
from tests.watch_helpers import Watcher, archived, configure, drop, results, wait_for


def truncated(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def zeroed_header(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.write(b"\0" * 100)


def filled_store(path: Path) -> None:
    """A store with enough pages that damage lands in real content; closed cleanly (no -wal left)."""
    with Store(path) as store:
        store.save_products([{"code": f"C{n:04d}", "name": "실버 목걸이 " * 20} for n in range(400)])


@pytest.mark.parametrize("damage", [truncated, random_bytes, zeroed_header])
@pytest.mark.parametrize("command", ["push", "collect", "status"])
def test_damaged_store_is_a_korean_error_and_nothing_is_sent(sim_workspace, tmp_path: Path, damage: Callable[[Path], None],
                                                            command: str) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=300)
    path = products_file(ws, tmp_path / "상품.xlsx", 3)
    filled_store(ws.store_path)
    damage(ws.store_path)
    before = ws.store_path.read_bytes()
    args = {"push": ["push", str(path)], "collect": ["collect"], "status": ["status"]}[command]

    result = CliRunner().invoke(cli, ["--home", str(ws.home), *args])

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # shown as a message, not a traceback
    assert "Traceback" not in result.output
    assert str(ws.store_path) in result.output and "손상" in result.output and "백업" in result.output
    assert ws.store_path.read_bytes() == before  # a damaged store is never "repaired" over
    sim = servers["coupang"].simulator
    assert sim.store.audit_counts("product.create") == {}
    assert not [p for p in ws.outbox.rglob("*.xlsx") if "templates" not in p.parts]  # no half result


def test_watch_exits_with_the_message_on_a_damaged_store(sim_workspace, tmp_path: Path) -> None:
    ws, _ = sim_workspace(("coupang",), rate_limit=300)
    filled_store(ws.store_path)
    zeroed_header(ws.store_path)
    done = subprocess.run([sys.executable, "-m", "mallbatch", "--home", str(ws.home), "watch"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert str(ws.store_path) in done.stderr and "손상" in done.stderr


def test_disk_full_is_a_store_error_and_the_transaction_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state" / "mallbatch.db"
    with Store(path) as store:
        store.save_products([{"code": "A0001", "name": "머그컵"}])
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count={pages + 2}")  # the disk has room for two more pages
        big = [{"code": f"B{n:04d}", "name": "머그컵 " * 200} for n in range(200)]
        with pytest.raises(StoreError) as raised:
            store.save_products(big)
        message = str(raised.value)
        assert str(path) in message and "디스크 공간이 부족" in message and "확보" in message
        assert store.product_codes() == ["A0001"]  # all or nothing
        store.db.execute("PRAGMA max_page_count=1073741823")  # space freed
        store.save_products(big)
        assert len(store.product_codes()) == 201


@pytest.fixture
def tiny_disk(tmp_path: Path):  # noqa: ANN201 - yields the mount point
    """A 4 MiB tmpfs: a real file system that runs out of space."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False, capture_output=True, timeout=30)


def fill(folder: Path) -> Path:
    """Write until the file system says ENOSPC."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:  # unbuffered: nothing left to flush (and fail) at close
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def test_disk_full_mid_push_stops_with_the_message_and_the_retry_sends_nothing_twice(sim_workspace, tiny_disk: Path,
                                                                                   tmp_path: Path) -> None:
    """The disk fills while the first of two files is being sent; the push stops at the store's
    next growth with the message; after space is freed the same command sends each product once."""
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"latency_ms": 30, "rate_limit": 1000}}, rate_limit=300,
                                state=tiny_disk / "state")
    sim = servers["coupang"].simulator
    first = products_file(ws, tmp_path / "첫째.xlsx", 20)
    second = products_file(ws, tmp_path / "둘째.xlsx", 20, prefix="Q")
    push = [sys.executable, "-m", "mallbatch", "--home", str(ws.home), "push", str(first), str(second)]

    child = subprocess.Popen(push, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(sim.store.audit_counts("product.create")) < 5 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    filler = fill(tiny_disk)
    out, err = child.communicate(timeout=120)
    created = sim.store.audit_counts("product.create")
    assert child.returncode == 1, out + err
    assert 0 < len(created) < 40, "the disk filled up too late to stop the push"
    assert "Traceback" not in out + err
    assert "디스크 공간이 부족" in err and str(ws.store_path) in err and "확보" in err
    assert not list(ws.outbox.rglob("둘째*")), "a result workbook was written for a file that was not finished"

    filler.unlink()  # space freed
    assert subprocess.run(push, capture_output=True, timeout=300).returncode == 0
    created = sim.store.audit_counts("product.create")
    assert len(created) == 40 and set(created.values()) == {1}


def test_watch_stops_on_a_full_disk_puts_the_file_back_and_finishes_it_once_after(sim_workspace, tiny_disk: Path,
                                                                                 tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), faults={"coupang": {"latency_ms": 30, "rate_limit": 1000}}, rate_limit=300,
                                state=tiny_disk / "state")
    ws = configure(Workspace.open(ws.home))
    sim = servers["coupang"].simulator

    watcher = Watcher(ws.home)
    watcher.wait_started()
    drop(products_file(ws, tmp_path / "첫째.xlsx", 20), ws.inbox)
    drop(products_file(ws, tmp_path / "둘째.xlsx", 20, prefix="Q"), ws.inbox)
    wait_for(lambda: len(sim.store.audit_counts("product.create")) >= 5, 60, "sending started", interval=0.01)
    filler = fill(tiny_disk)
    assert watcher.proc.wait(timeout=120) == 1
    output = watcher.output()
    watcher.stop()
    assert "Traceback" not in output, output
    assert "디스크 공간이 부족" in output and str(ws.store_path) in output
    assert len(sim.store.audit_counts("product.create")) < 40
    waiting = {p.name for p in ws.inbox.glob("*.xlsx")}
    assert waiting and not list((ws.inbox / ".processing").glob("*")), "the unfinished file is back in the inbox"

    filler.unlink()  # space freed
    watcher = Watcher(ws.home)
    watcher.wait_started()
    wait_for(lambda: all(results(ws, s) and archived(ws, s) for s in ("첫째", "둘째")), 120, "both files done")
    assert watcher.stop() == 0
    created = sim.store.audit_counts("product.create")
    assert len(created) == 40 and set(created.values()) == {1}
