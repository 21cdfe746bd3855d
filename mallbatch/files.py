"""Files in the workspace: dated folders, collision-free names, atomic writes, archiving.

Outputs go to a ``.part`` file in the destination folder, are fsynced and then renamed,
so a seller never opens a half-written workbook. A name is never reused: Windows
refuses to replace a file the seller has open in Excel.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from mallbatch.clock import now_kst


def dated_dir(root: Path, when: datetime | None = None) -> Path:
    folder = root / (when or now_kst()).strftime("%Y-%m-%d")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem_2.suffix`` … when taken (never overwrite)."""
    stem = unicodedata.normalize("NFC", stem)
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}_{number}{suffix}"
        number += 1
    return candidate


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Let ``write`` fill a temporary file next to ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.part")
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        if path.exists():
            raise FileExistsError(path)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return path


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
