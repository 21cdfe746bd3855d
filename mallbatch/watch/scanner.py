"""Which inbox files are complete enough to take (style-and-reliability.md B1).

Change events say when a file appears, never when a copy finishes, so every file is
judged by repeated scans: size and mtime unchanged for ``stable_seconds``, no Office
lock file beside it, and for xlsx a complete zip (a half-copied zip has no central
directory). Claiming is an atomic rename into the processing folder, which also
fails while Windows still has the file open.
"""

from __future__ import annotations

import os
import time
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mallbatch.files import unique_path

TRIGGER_NAMES = {"지금수집", "collect-now", "collect_now"}
TEMP_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial", ".download", ".temp")
ZIP_SUFFIXES = {".xlsx", ".xlsm"}
WAIT_COPYING = "복사 중 (크기가 바뀌고 있음)"
WAIT_OPEN = "엑셀에서 열려 있음 (닫으면 처리합니다)"
WAIT_INCOMPLETE = "파일이 아직 완전하지 않음 (복사가 끝나기를 기다림)"
NOT_TAKEN_FOLDER = "폴더입니다. inbox 안의 폴더는 열어 보지 않습니다. 안에 든 엑셀 파일을 inbox 로 바로 옮겨 주세요"
NOT_TAKEN_LINK = "바로 가기(심볼릭 링크)입니다. 링크는 따라가지 않습니다. 원본 파일을 inbox 에 복사해 넣어 주세요"
NOT_TAKEN_SPECIAL = "일반 파일이 아닙니다 (장치·파이프 등). 엑셀(.xlsx) 또는 CSV 파일만 넣어 주세요"
NOT_TAKEN_NO_SUFFIX = "확장자가 없어 어떤 파일인지 알 수 없습니다. 엑셀(.xlsx) 또는 CSV(.csv)로 저장해 넣어 주세요"


def nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def is_trigger(name: str) -> bool:
    """``지금수집``, ``collect-now`` or either with ``.txt``: collect at once."""
    stem = nfc(name).strip().casefold()
    stem = stem.removesuffix(".txt")
    return stem in TRIGGER_NAMES


def is_ignored(name: str) -> bool:
    """Office lock files, hidden files, partial downloads and Excel's extensionless temp files."""
    lowered = name.casefold()
    return (name.startswith(("~$", ".")) or lowered.endswith(TEMP_SUFFIXES)
            or (name.startswith(".~lock.") and name.endswith("#")) or not Path(name).suffix)


def lock_held(path: Path) -> bool:
    """A live ``~$name`` (Excel; Word-style truncated too) or LibreOffice lock beside the file."""
    name = path.name
    candidates = {f"~${name}", f"~${name[2:]}", f".~lock.{name}#"}
    return any((path.parent / c).exists() for c in candidates)


def incomplete_zip(path: Path) -> bool:
    """True for an empty file or a zip whose central directory has not arrived yet."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return True
    if not head:
        return True
    return head.startswith(b"PK") and not zipfile.is_zipfile(path)


@dataclass
class Scan:
    """One sweep of the inbox."""

    ready: list[Path] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)  # name → why it is not taken yet
    not_taken: dict[str, str] = field(default_factory=dict)  # name → why it is never taken (folder, link …)
    triggers: list[Path] = field(default_factory=list)
    recheck_in: float | None = None  # seconds until a waiting file may become ready


@dataclass
class _Seen:
    signature: tuple[int, int]
    since: float


class InboxScanner:
    """Remembers each file's (size, mtime) between scans to tell finished files from copies."""

    def __init__(self, inbox: Path, stable_seconds: float, incomplete_seconds: float,
                 clock: Callable[[], float] = time.monotonic, trust_mtime: bool = False) -> None:
        self.inbox = inbox
        self.stable = stable_seconds
        self.trust_mtime = trust_mtime
        self.incomplete = incomplete_seconds
        self.clock = clock
        self._seen: dict[str, _Seen] = {}

    def scan(self) -> Scan:
        now = self.clock()
        result = Scan()
        present: set[str] = set()
        try:
            entries = sorted(os.scandir(self.inbox), key=lambda e: e.name)
        except FileNotFoundError:
            return result
        for entry in entries:
            if entry.name.startswith((".", "~$")):
                continue  # hidden (our .processing folder, OS clutter) and Office lock files
            if not entry.is_file(follow_symlinks=False):
                why = not_taken(entry)
                if why:
                    result.not_taken[entry.name] = why
                continue
            if is_trigger(entry.name):
                result.triggers.append(Path(entry.path))
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if is_ignored(entry.name):
                self._unknown_type(entry.name, (stat.st_size, stat.st_mtime_ns), now, result, present)
                continue
            present.add(entry.name)
            self._judge(Path(entry.path), (stat.st_size, stat.st_mtime_ns), now, result)
        for name in set(self._seen) - present:
            del self._seen[name]
        return result

    def _unknown_type(self, name: str, signature: tuple[int, int], now: float, result: Scan, present: set[str]) -> None:
        """An extensionless file that outlives Excel's save (seconds) is not a temp file: say so."""
        if Path(name).suffix or name.casefold().endswith(TEMP_SUFFIXES):
            return
        present.add(name)
        seen = self._seen.get(name)
        if seen is None or seen.signature != signature:
            seen = self._seen[name] = _Seen(signature, now)
        if now - seen.since >= self.incomplete:
            result.not_taken[name] = NOT_TAKEN_NO_SUFFIX

    def _judge(self, path: Path, signature: tuple[int, int], now: float, result: Scan) -> None:
        seen = self._seen.get(path.name)
        if seen is None or seen.signature != signature:
            seen = self._seen[path.name] = _Seen(signature, now)
        quiet = now - seen.since
        needed = self._needed(signature[1])
        if quiet < needed:
            result.waiting[path.name] = WAIT_COPYING
            result.recheck_in = min(result.recheck_in or needed, needed - quiet)
        elif lock_held(path):
            result.waiting[path.name] = WAIT_OPEN
        elif path.suffix.casefold() in ZIP_SUFFIXES | {".csv", ".xls"} and quiet < self.incomplete and incomplete_zip(path):
            result.waiting[path.name] = WAIT_INCOMPLETE
        else:
            result.ready.append(path)

    def _needed(self, mtime_ns: int) -> float:
        """A file moved in whole (old mtime, e.g. Excel's rename) needs only a short second look.

        Only on local disks: on SMB the mtime can lag behind a copy that is still growing.
        """
        if self.trust_mtime and time.time() - mtime_ns / 1e9 >= self.stable:
            return self.stable / 4
        return self.stable

    def forget(self, path: Path) -> None:
        self._seen.pop(path.name, None)


def not_taken(entry: os.DirEntry[str]) -> str:
    """Why an inbox entry that is not a regular file is never opened ("" when it vanished)."""
    try:
        if entry.is_symlink():
            return NOT_TAKEN_LINK
        if entry.is_dir(follow_symlinks=False):
            return NOT_TAKEN_FOLDER
    except OSError:
        return ""
    return NOT_TAKEN_SPECIAL


def claim(path: Path, processing: Path) -> Path | None:
    """Move ``path`` into ``processing`` atomically; None when it is gone or still held open."""
    processing.mkdir(parents=True, exist_ok=True)
    target = unique_path(processing, path.stem, path.suffix)
    try:
        os.replace(path, target)
    except (FileNotFoundError, PermissionError):
        return None
    return target
