"""Running the real ``mallbatch watch`` as a child process against the test's simulators."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from mallbatch.workspace import Workspace

FAST = {"scan_seconds": 0.3, "stable_seconds": 0.5, "poll_seconds": 0.2, "incomplete_minutes": 0.05,
        "retry_minutes": 0.05, "account_check_hours": 1}


def configure(ws: Workspace, **watch: Any) -> Workspace:
    """Append a ``[watch]`` section with test-speed timings (plus ``watch`` overrides)."""
    values = FAST | watch
    lines = ["", "[watch]"] + [f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in values.items()]
    with open(ws.home / "config.toml", "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return Workspace.open(ws.home)


class Watcher:
    """``python -m mallbatch --home HOME watch`` with its output kept for assertions."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.log = open(home / f"watch-{time.monotonic_ns()}.out", "w+b")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "mallbatch", "--home", str(home), "watch"],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return Path(self.log.name).read_bytes().decode("utf-8", "replace")

    def wait_started(self, timeout: float = 60) -> None:
        wait_for(lambda: "계정:" in self.output() or self.proc.poll() is not None, timeout, "watch start")
        assert self.proc.poll() is None, self.output()

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.log.close()
        return code

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()


def wait_for(predicate: Callable[[], Any], timeout: float, what: str = "condition", interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def results(ws: Workspace, stem: str) -> list[Path]:
    return sorted(ws.outbox.glob(f"*/결과/{stem}_처리결과_*.xlsx"))


def archived(ws: Workspace, stem: str) -> list[Path]:
    return sorted(p for p in ws.archive.glob("*/*") if p.stem == stem or p.stem.startswith(f"{stem}_"))


def summary_text(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return "\n".join(" ".join(str(v) for v in row if v is not None) for row in book["요약"].iter_rows(values_only=True))
    finally:
        book.close()


def drop(path: Path, inbox: Path, name: str | None = None) -> Path:
    """Put a finished file into the inbox the way Explorer does after a local copy: one rename."""
    target = inbox / (name or path.name)
    tmp = inbox / f".{target.name}.copying"
    tmp.write_bytes(path.read_bytes())
    os.replace(tmp, target)
    return target
