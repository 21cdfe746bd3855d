"""The watcher's small parts without processes: stability, names, schedule, masking, hints."""

from __future__ import annotations

import logging
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

from watchdog.events import FileCreatedEvent, FileMovedEvent

from mallbatch.config import Config
from mallbatch.domain.clock import now_kst
from mallbatch.store import Store
from mallbatch.watch.logs import MaskingFilter, mask
from mallbatch.watch.scanner import (
    WAIT_COPYING,
    WAIT_INCOMPLETE,
    WAIT_OPEN,
    InboxScanner,
    claim,
    is_ignored,
    is_trigger,
)
from mallbatch.watch.schedule import CollectSchedule, Slot, interval_minutes
from mallbatch.watch.service import _Hint
from mallbatch.watch.settings import WatchSettings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    return path


def test_file_is_taken_only_after_two_quiet_checks(tmp_path: Path) -> None:
    clock = Clock()
    scanner = InboxScanner(tmp_path, stable_seconds=2, incomplete_seconds=60, clock=clock)
    path = xlsx(tmp_path / "a.xlsx")
    assert scanner.scan().waiting == {"a.xlsx": WAIT_COPYING}
    clock.now += 1
    with open(path, "ab") as handle:  # still growing
        handle.write(b"x")
    scan = scanner.scan()
    assert scan.waiting == {"a.xlsx": WAIT_COPYING} and scan.recheck_in == 2
    clock.now += 2
    xlsx(path)
    clock.now += 2.5
    scanner.scan()
    clock.now += 2.5
    assert scanner.scan().ready == [path]


def test_lock_file_and_incomplete_zip_hold_a_file(tmp_path: Path) -> None:
    clock = Clock()
    scanner = InboxScanner(tmp_path, stable_seconds=1, incomplete_seconds=30, clock=clock)
    xlsx(tmp_path / "open.xlsx")
    (tmp_path / "~$open.xlsx").write_bytes(b"owner")
    (tmp_path / "half.xlsx").write_bytes(xlsx(tmp_path.parent / "full.zip").read_bytes()[:20])
    scanner.scan()
    clock.now += 2
    scan = scanner.scan()
    assert scan.waiting == {"open.xlsx": WAIT_OPEN, "half.xlsx": WAIT_INCOMPLETE}
    clock.now += 40  # a copy that never finishes is taken at last and reported as damaged
    assert [p.name for p in scanner.scan().ready] == ["half.xlsx"]


def test_names_that_are_never_taken_and_triggers() -> None:
    for name in ("~$a.xlsx", ".a.xlsx.part", "3F2A1B7C", "a.xlsx.tmp", ".~lock.a.xlsx#", "b.crdownload", ".hidden.xlsx"):
        assert is_ignored(name), name
    for name in ("주문.xlsx", "메모.pdf", "data.CSV"):
        assert not is_ignored(name), name
    for name in ("지금수집", "지금수집.txt", "collect-now", "COLLECT-NOW.TXT", "collect_now"):
        assert is_trigger(name), name
    assert not is_trigger("지금수집.xlsx")


def test_claim_is_a_rename_and_never_overwrites(tmp_path: Path) -> None:
    processing = tmp_path / ".processing"
    first = claim(xlsx(tmp_path / "a.xlsx"), processing)
    second = claim(xlsx(tmp_path / "a.xlsx"), processing)
    assert first is not None and second is not None and first != second
    assert claim(tmp_path / "gone.xlsx", processing) is None


def config(raw: dict) -> Config:
    return Config(home=Path("."), raw=raw, accounts=())


def test_collect_interval_per_mall_and_kind_with_a_floor() -> None:
    raw = {"collect": {"interval_minutes": 60, "inquiries_minutes": 30, "coupang": {"interval_minutes": 10, "claims_minutes": 2}}}
    cfg = config(raw)
    assert interval_minutes(cfg, "coupang", "orders") == 10
    assert interval_minutes(cfg, "coupang", "claims") == 5  # never below 5 minutes
    assert interval_minutes(cfg, "smartstore", "inquiries") == 30
    assert interval_minutes(cfg, "smartstore", "orders") == 60
    assert interval_minutes(config({}), "coupang", "orders") == 120


def test_schedule_follows_watermarks_and_retries_failures(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        schedule = CollectSchedule(config({"collect": {"interval_minutes": 30}}), store, {("coupang", "기본"): ("orders", "claims")})
        now = now_kst()
        assert schedule.due(now) == [Slot("coupang", "기본", "orders"), Slot("coupang", "기본", "claims")]
        store.records.set_watermark("coupang", "기본", "orders", now)
        store.records.set_watermark("coupang", "기본", "claims", now)
        assert schedule.due(now + timedelta(minutes=29)) == []
        assert schedule.seconds_until_next(now) == 30 * 60
        schedule.failed(Slot("coupang", "기본", "orders"), now + timedelta(minutes=30))
        assert schedule.due(now + timedelta(minutes=31)) == [Slot("coupang", "기본", "claims")]
        assert Slot("coupang", "기본", "orders") in schedule.due(now + timedelta(minutes=36))


def test_schedule_reads_no_watermark_before_the_earliest_due_time(tmp_path: Path) -> None:
    """An agency's watcher asks every seller's schedule every few seconds: only a slot that may be due is read."""
    with Store(tmp_path / "s.db") as store:
        schedule = CollectSchedule(config({"collect": {"interval_minutes": 30}}), store, {("coupang", "기본"): ("orders",)})
        now = now_kst()
        store.records.set_watermark("coupang", "기본", "orders", now)
        reads: list[str] = []
        store.db.set_trace_callback(lambda sql: reads.append(sql) if "FROM watermarks" in sql else None)
        assert schedule.due(now + timedelta(minutes=1)) == []
        assert len(reads) == 1
        for minute in range(2, 30):
            assert schedule.due(now + timedelta(minutes=minute)) == []
        assert len(reads) == 1  # not asked again before the due time it computed
        assert schedule.due(now + timedelta(minutes=30)) == [Slot("coupang", "기본", "orders")]
        assert len(reads) == 2
        store.records.set_watermark("coupang", "기본", "orders", now + timedelta(minutes=31))  # it ran
        assert schedule.due(now + timedelta(minutes=32)) == []
        assert schedule.due(now + timedelta(minutes=61)) == [Slot("coupang", "기본", "orders")]


def test_masking_hides_phones_and_secrets() -> None:
    text = mask("고객 010-1234-5678 / 01098765432 / 0505-111-2222, secret=abcd1234 key SeCrEtVaLuE", ["SeCrEtVaLuE"])
    assert "1234-5678" not in text and "98765432" not in text and "abcd1234" not in text and "SeCrEtVaLuE" not in text
    assert "010-****-5678" in text and "010-****-5432" in text
    record = logging.LogRecord("mallbatch", logging.INFO, __file__, 1, "전화 %s", ("010-2222-3333",), None)
    MaskingFilter().filter(record)
    assert record.getMessage() == "전화 010-****-3333"


def test_hint_wakes_on_excel_rename_but_not_lock_files(tmp_path: Path) -> None:
    wake = threading.Event()
    hint = _Hint(wake)
    hint.dispatch(FileCreatedEvent(str(tmp_path / "~$a.xlsx")))
    hint.dispatch(FileCreatedEvent(str(tmp_path / "3F2A1B7C")))
    assert not wake.is_set()
    hint.dispatch(FileMovedEvent(str(tmp_path / "3F2A1B7C"), str(tmp_path / "a.xlsx")))
    assert wake.is_set()
    wake.clear()
    hint.dispatch(FileCreatedEvent(str(tmp_path / "주문.XLSX")))
    assert wake.is_set()


def test_polling_settings_stretch_the_stability_window(tmp_path: Path) -> None:
    settings = WatchSettings.from_config(config({"watch": {"poll": True, "poll_seconds": 2, "stable_seconds": 1}}), tmp_path)
    assert settings.poll and settings.stable_seconds == 4
    assert not WatchSettings.from_config(config({}), tmp_path).poll


def test_a_file_moved_in_whole_needs_only_a_short_second_look(tmp_path: Path) -> None:
    import os
    import time

    clock = Clock()
    scanner = InboxScanner(tmp_path, stable_seconds=2, incomplete_seconds=60, clock=clock, trust_mtime=True)
    path = xlsx(tmp_path / "moved.xlsx")
    old = time.time() - 60
    os.utime(path, (old, old))
    assert scanner.scan().recheck_in == 0.5
    clock.now += 0.5
    assert scanner.scan().ready == [path]


def test_result_names_are_shortened_to_fit_the_file_system(tmp_path: Path) -> None:
    from mallbatch.files import atomic_write, unique_path

    stem = "긴" * 80  # 240 bytes: with the result tail the name passes 255 bytes
    first = unique_path(tmp_path, stem, ".xlsx", tail="_처리결과_143501")
    assert first.name.endswith("_처리결과_143501.xlsx") and first.name.startswith("긴")
    atomic_write(first, lambda tmp: tmp.write_bytes(b"x"))  # the .part twin fits as well
    second = unique_path(tmp_path, stem, ".xlsx", tail="_처리결과_143501")
    assert second.name.endswith("_처리결과_143501_2.xlsx")
    atomic_write(second, lambda tmp: tmp.write_bytes(b"x"))
    assert unique_path(tmp_path, "짧은이름", ".xlsx").name == "짧은이름.xlsx"


def test_os_errors_are_told_in_korean_with_the_file() -> None:
    import errno
    import os

    from mallbatch.files import os_error_ko

    try:
        open(os.path.join("/tmp", "가" * 100), "rb")  # noqa: SIM115 - 300 bytes: the real ENAMETOOLONG
    except OSError as exc:
        text = os_error_ko(exc)
    assert text.startswith("파일 이름이 너무 깁니다") and "가가가" in text and "Errno" not in text
    for number, words in ((errno.EROFS, "읽기 전용"), (errno.ENOSPC, "공간"), (errno.EACCES, "권한"), (errno.ENOTDIR, "폴더")):
        text = os_error_ko(OSError(number, os.strerror(number), "/x/outbox"))
        assert words in text and "/x/outbox" in text and "Errno" not in text and os.strerror(number) not in text
    assert "오류 번호 999" in os_error_ko(OSError(999, "weird"))


def test_folders_links_and_extensionless_files_are_reported_not_taken(tmp_path: Path) -> None:
    import os

    from mallbatch.watch.scanner import NOT_TAKEN_FOLDER, NOT_TAKEN_LINK, NOT_TAKEN_NO_SUFFIX, NOT_TAKEN_SPECIAL

    clock = Clock()
    scanner = InboxScanner(tmp_path, stable_seconds=1, incomplete_seconds=30, clock=clock)
    outside = xlsx(tmp_path.parent / f"{tmp_path.name}-outside.xlsx")
    (tmp_path / "폴더").mkdir()
    (tmp_path / ".processing").mkdir()
    (tmp_path / "링크.xlsx").symlink_to(outside)
    (tmp_path / "3F2A1B7C").write_bytes(b"excel temp")
    os.mkfifo(tmp_path / "파이프")
    scan = scanner.scan()
    assert scan.not_taken == {"폴더": NOT_TAKEN_FOLDER, "링크.xlsx": NOT_TAKEN_LINK, "파이프": NOT_TAKEN_SPECIAL}
    assert not scan.ready and not scan.waiting
    clock.now += 31  # an extensionless file that outlives an Excel save is not a temp file
    assert scanner.scan().not_taken["3F2A1B7C"] == NOT_TAKEN_NO_SUFFIX
    clock.now += 2
    assert not scanner.scan().ready


def test_only_held_or_transient_rows_are_worth_retrying() -> None:
    from mallbatch.pipeline.plan import FAILURE, HOLD, SUCCESS, RowOutcome

    refused = RowOutcome()
    refused.add("쿠팡/기본", FAILURE, "카테고리 코드")
    assert not refused.retryable
    down = RowOutcome()
    down.add("쿠팡/기본", FAILURE, "503", transient=True)
    assert down.retryable
    mixed = RowOutcome()
    mixed.add("쿠팡/기본", FAILURE, "거절")
    mixed.add("위메프/기본", HOLD, "결과를 모름")
    assert mixed.retryable
    done = RowOutcome()
    done.add("쿠팡/기본", SUCCESS)
    assert not done.retryable
