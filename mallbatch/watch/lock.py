"""One watcher per workspace: an OS file lock in the state folder.

The OS releases the lock when the process dies, even by SIGKILL or a power cut, so a
crashed service never blocks its own restart (a pid file alone would).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import IO

from mallbatch.errors import MallbatchError


class AlreadyRunning(MallbatchError):
    """Another ``mallbatch watch`` holds this workspace."""


def _try_lock(handle: IO[str]) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class InstanceLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, trying for up to ``wait`` seconds (``mallbatch status`` holds it a moment to mark a dead service)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the service's lifetime
        deadline = time.monotonic() + wait
        while not (locked := _try_lock(handle)) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not locked:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunning(f"이 작업 폴더는 이미 다른 mallbatch watch 가 지켜보고 있습니다 (pid {pid}). 하나만 실행할 수 있습니다.")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def is_running(path: Path) -> bool:
    """True while some process holds the workspace lock."""
    if not path.exists():
        return False
    with open(path, "a+", encoding="utf-8") as handle:
        return not _try_lock(handle)
