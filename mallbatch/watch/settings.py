"""The ``[watch]`` section of config.toml, read once when the service starts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mallbatch.config import Config

NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "fuse.sshfs", "afpfs", "davfs", "fuse.rclone"}


@dataclass(frozen=True)
class WatchSettings:
    """Timings of the service loop, in seconds.

    ``scan_seconds`` is the full inbox sweep that catches what the watcher missed;
    ``stable_seconds`` is how long size and mtime must stay unchanged before a file is
    taken (at least twice the polling interval when polling, as SMB metadata lags).
    """

    poll: bool = False
    poll_seconds: float = 1.0
    scan_seconds: float = 5.0
    stable_seconds: float = 1.0
    incomplete_minutes: float = 10.0
    retry_attempts: int = 3
    retry_minutes: float = 5.0
    account_check_hours: float = 6.0

    @classmethod
    def from_config(cls, config: Config, inbox: Path) -> WatchSettings:
        def get(key: str, kind: type) -> Any:
            return config.value("watch", key, kind, getattr(cls, key))

        poll = get("poll", bool) or is_network_path(inbox)
        poll_seconds = get("poll_seconds", float)
        stable = get("stable_seconds", float)
        return cls(
            poll=poll,
            poll_seconds=poll_seconds,
            scan_seconds=get("scan_seconds", float),
            stable_seconds=max(stable, 2 * poll_seconds) if poll else stable,
            incomplete_minutes=get("incomplete_minutes", float),
            retry_attempts=get("retry_attempts", int),
            retry_minutes=get("retry_minutes", float),
            account_check_hours=get("account_check_hours", float),
        )


def is_network_path(path: Path) -> bool:
    """True for a folder on SMB/NFS, where native change events miss other machines' writes."""
    resolved = str(path.resolve())
    if os.name == "nt":
        if resolved.startswith("\\\\"):
            return True
        import ctypes

        drive_remote = 4
        return bool(ctypes.windll.kernel32.GetDriveTypeW(resolved[:3]) == drive_remote)  # type: ignore[attr-defined]
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    best, best_type = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (resolved == point or resolved.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, best_type = point, parts[2]
    return best_type in NETWORK_FS
