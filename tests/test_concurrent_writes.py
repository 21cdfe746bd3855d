"""Two workers of one seller writing into the same outbox folder at the same moment (issue 15)."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from mallbatch.domain.clock import KST
from mallbatch.files import atomic_write
from mallbatch.kinds.collected import ORDERS
from mallbatch.pipeline.outbox import write_book


def test_a_second_writer_of_one_name_never_shares_the_first_ones_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "주문.xlsx"
    seen: dict[str, object] = {}

    def first(tmp: Path) -> None:
        tmp.write_bytes(b"first")
        try:  # the other writer, meanwhile, under the same name
            atomic_write(target, lambda other: other.write_bytes(b"second"))
        except FileExistsError as exc:
            seen["second"] = exc

    try:
        atomic_write(target, first)
    except FileExistsError as exc:
        seen["first"] = exc
    assert target.read_bytes() in (b"first", b"second")
    assert len(seen) == 1, "exactly one of the two writers must be told the name is taken"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")], "a temporary file was left"


def test_workbooks_written_at_the_same_second_each_get_their_own_file(tmp_path: Path) -> None:
    now = datetime(2026, 12, 2, 7, 11, 41, tzinfo=KST)
    rows = [({"order_no": str(n)}, True) for n in range(50)]
    written: list[Path] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            written.append(write_book(tmp_path, ORDERS, rows, now))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(written)) == 6 and all(p.is_file() for p in written)
