"""Files in the workspace: dated folders, collision-free names, atomic writes, archiving.

Outputs go to a ``.part`` file in the destination folder, are fsynced and then renamed,
so a seller never opens a half-written workbook. A name is never reused: Windows
refuses to replace a file the seller has open in Excel. Names are shortened to fit the
folder's file-system limit (255 bytes on most Linux disks), and a failed file operation
is told to the seller in Korean by :func:`os_error_ko`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import time
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from mallbatch.domain.clock import now_kst


DATE_FOLDER = "%Y-%m-%d"
RESULTS, COLLECTED, PRODUCTS = "결과", "수집", "상품"  # outbox/YYYY-MM-DD/결과: a dropped file's result; /수집: 주문·클레임·문의; /상품: 판매상품
STATS = "통계"  # outbox/YYYY-MM-DD/통계: 매출통계


def dated_dir(root: Path, when: datetime | None = None) -> Path:
    folder = root / (when or now_kst()).strftime(DATE_FOLDER)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def outbox_dir(outbox: Path, part: str, when: datetime | None = None) -> Path:
    """``outbox/YYYY-MM-DD/<part>/``: the one place outbox paths are built, results and collections apart."""
    folder = dated_dir(outbox, when) / part
    folder.mkdir(exist_ok=True)
    return folder


def prune_dated(root: Path, keep_days: int, today: date) -> list[Path]:
    """Delete ``root``'s YYYY-MM-DD folders older than ``keep_days`` (0 keeps all); returns those removed.

    A file that cannot be deleted (open in Excel) is left, with its folder; the next run tries again."""
    removed: list[Path] = []
    if keep_days <= 0 or not root.is_dir():
        return removed
    for folder in sorted(root.iterdir()):
        try:
            day = datetime.strptime(folder.name, DATE_FOLDER).date()
        except ValueError:
            continue  # templates/, 상태.txt, the seller's own folders
        if folder.is_symlink() or not folder.is_dir() or (today - day).days <= keep_days:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


PART_PREFIX, PART_SUFFIX = ".", ".part"  # atomic_write's temporary name: .<name>.<token>.part
STALE_PART_SECONDS = 60.0  # a temporary file untouched this long was left by a killed writer
DEFAULT_NAME_MAX = 255


def name_limit(folder: Path) -> int:
    """Longest file name ``folder`` takes: bytes on POSIX, UTF-16 units on Windows."""
    if os.name == "posix":
        probe = folder
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        try:
            return int(os.pathconf(probe, "PC_NAME_MAX"))
        except (OSError, ValueError):
            return DEFAULT_NAME_MAX
    return DEFAULT_NAME_MAX


def _name_size(name: str) -> int:
    return len(os.fsencode(name)) if os.name == "posix" else len(name.encode("utf-16-le")) // 2


def _fit(stem: str, rest: str, limit: int) -> str:
    """``stem`` cut (at a character) so that ``stem + rest`` and its ``.part`` twin fit ``limit``."""
    room = limit - _name_size(PART_PREFIX + rest + PART_SUFFIX)
    while stem and _name_size(stem) > room:
        stem = stem[:-1]
    return stem.rstrip(" .") or "_"


def unique_path(folder: Path, stem: str, suffix: str, tail: str = "") -> Path:
    """``folder/stem+tail+suffix``, or ``…_2`` … when taken (never overwrite).

    When the name is too long for the folder's file system, ``stem`` (the seller's part)
    is shortened; ``tail`` (e.g. ``_처리결과_143501``) and ``suffix`` are kept whole.
    """
    stem, tail = unicodedata.normalize("NFC", stem), unicodedata.normalize("NFC", tail)
    limit = name_limit(folder)
    candidate = folder / f"{_fit(stem, tail + suffix, limit)}{tail}{suffix}"
    number = 2
    while candidate.exists():
        numbered = f"{tail}_{number}{suffix}"
        candidate = folder / f"{_fit(stem, numbered, limit)}{numbered}"
        number += 1
    return candidate


def part_path(path: Path) -> Path:
    """A temporary name beside ``path`` no other writer uses, even of the same name (two workers at the same
    second): hidden, ``.part`` (swept when stale), ``path``'s name cut where the token would not fit."""
    token = f".{secrets.token_hex(3)}{PART_SUFFIX}"
    name, limit = path.name, name_limit(path.parent)
    while len(name) > 1 and _name_size(PART_PREFIX + name + token) > limit:
        name = name[:-1]
    return path.with_name(f"{PART_PREFIX}{name}{token}")


def remove_stale_parts(root: Path, older_than: float = STALE_PART_SECONDS) -> list[Path]:
    """Delete ``.<name>.part`` files under ``root`` that a killed writer left behind."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    cutoff = time.time() - older_than
    for path in root.rglob(f"{PART_PREFIX}*{PART_SUFFIX}"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone meanwhile, or not ours to delete: never stop the caller for it
    return removed


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Let ``write`` fill a temporary file next to ``path``, then put it in place; never over an existing file.

    A FileExistsError when ``path`` exists, also when another writer took it meanwhile: the hard
    link that publishes the file fails atomically then (where links are not supported, e.g. some
    shares, a check just before the rename does)."""
    tmp = part_path(path)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        if path.exists():
            raise FileExistsError(path)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return path


def write_unique(folder: Path, stem: str, suffix: str, write: Callable[[Path], None], tail: str = "") -> Path:
    """``write`` into a new file named as :func:`unique_path` says, taking the next name when another
    writer took this one meanwhile (two workers of one seller at the same second)."""
    while True:
        try:
            return atomic_write(unique_path(folder, stem, suffix, tail), write)
        except FileExistsError:
            continue


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def private_dir(folder: Path) -> Path:
    """``folder`` (created when missing) readable by its owner only on POSIX (0700).

    Elsewhere nothing is changed: a Windows folder keeps the ACL it inherits."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        try:
            folder.chmod(0o700)
        except PermissionError:  # another user's folder (a shared state path): leave it as it is
            pass
    return folder


def private_file(path: Path, create: bool = False) -> None:
    """Make ``path`` owner-only (0600) on POSIX; with ``create``, create it empty first with that
    mode, so it is never readable by others even for an instant."""
    if os.name != "posix":
        return
    if create:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        path.chmod(0o600)
    except (FileNotFoundError, PermissionError):  # not there yet, or another user's file: leave it
        pass


def write_private(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``, created owner-only on POSIX: config.toml holds API keys."""
    private_file(path, create=True)
    path.write_text(text, encoding="utf-8")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive(source: Path, archive_root: Path, when: datetime | None = None) -> Path:
    """Move a handled input into archive/YYYY-MM-DD/ under a free name; never deletes."""
    folder = dated_dir(archive_root, when)
    target = unique_path(folder, source.stem, source.suffix)
    shutil.move(str(source), str(target))
    return target


# errno → (what happened, what to do); the seller reads these in 상태.txt, the log and notes.
_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENAMETOOLONG: ("파일 이름이 너무 깁니다", "파일 이름을 짧게 바꿔 다시 넣어 주세요"),
    errno.EROFS: ("읽기 전용 디스크라 쓸 수 없습니다", "쓰기가 되는 디스크로 작업 폴더를 옮기거나 디스크 설정을 확인하세요"),
    errno.ENOSPC: ("디스크 공간이 부족합니다", "디스크 공간을 비워 주세요. 비우면 다시 시도합니다"),
    errno.EDQUOT: ("디스크 사용 한도를 넘었습니다", "파일을 정리하거나 한도를 늘려 주세요"),
    errno.EACCES: ("접근 권한이 없습니다", "폴더 권한을 확인하고, 엑셀 등에서 열려 있으면 닫아 주세요"),
    errno.EPERM: ("허용되지 않은 작업입니다", "폴더 권한을 확인하고, 엑셀 등에서 열려 있으면 닫아 주세요"),
    errno.ENOENT: ("파일이나 폴더가 없습니다", "작업 도중 옮겨지거나 지워졌는지 확인하세요"),
    errno.EEXIST: ("같은 이름의 파일이나 폴더가 이미 있습니다", "그것을 옮기거나 이름을 바꿔 주세요"),
    errno.ENOTDIR: ("폴더가 있어야 할 자리에 파일이 있습니다", "그 파일을 옮기거나 이름을 바꿔 주세요"),
    errno.EISDIR: ("파일이 있어야 할 자리에 폴더가 있습니다", "그 폴더를 옮기거나 이름을 바꿔 주세요"),
    errno.EIO: ("디스크를 읽거나 쓰다가 오류가 났습니다", "디스크나 네트워크 드라이브 연결을 확인하세요"),
    errno.EBUSY: ("다른 프로그램이 사용 중입니다", "그 프로그램을 닫은 뒤 다시 넣어 주세요"),
    errno.EMFILE: ("열린 파일이 너무 많습니다", "mallbatch 를 다시 시작해 주세요"),
    errno.ENFILE: ("열린 파일이 너무 많습니다", "다른 프로그램을 닫거나 컴퓨터를 다시 시작해 주세요"),
    errno.EXDEV: ("다른 디스크로 옮기지 못했습니다", "inbox, outbox, archive 를 같은 디스크에 두세요"),
}
# Failures of the disk or folder rather than of one file: waiting (and fixing the disk) helps.
DISK_ERRNOS = frozenset({errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EIO, errno.EBUSY,
                         errno.EMFILE, errno.ENFILE})


def os_error_ko(exc: OSError) -> str:
    """A Korean sentence for a failed file operation: what happened, on which file, what to do."""
    what, fix = _OS_ERRORS.get(exc.errno or 0, ("파일을 읽거나 쓰지 못했습니다", f"오류 번호 {exc.errno}"))
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{what}{where}. {fix}"
