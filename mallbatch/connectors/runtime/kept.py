"""State a connector keeps per account between runs (OAuth tokens, ESM's acknowledged address changes).

Connectors receive it through :class:`Kept` and never open files or the store themselves: the session hands
each connector its account's slice of the workspace's store, so every worker of a workspace, on any machine
that reaches its database, sees the same values. Values are text (a connector's own JSON); writes that two
workers may race on go through :meth:`Kept.add` or :meth:`Kept.swap`, which tell the loser it lost.
"""

from __future__ import annotations

import threading
from typing import Protocol


class Kept(Protocol):
    def get(self, key: str) -> str | None:
        """The value kept under ``key``, or None."""

    def put(self, key: str, value: str) -> None:
        """Keep ``value`` under ``key``, whatever was there."""

    def add(self, key: str, value: str) -> bool:
        """Keep ``value`` only when ``key`` has none; True when this call added it."""

    def swap(self, key: str, expected: str, value: str) -> bool:
        """Replace the value only while it is still ``expected``; True when this call replaced it."""


class MemoryKept:
    """:class:`Kept` in this process only: a connector made without a session (a test, a one-off script)."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._values.get(key)

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._values[key] = value

    def add(self, key: str, value: str) -> bool:
        with self._lock:
            if key in self._values:
                return False
            self._values[key] = value
            return True

    def swap(self, key: str, expected: str, value: str) -> bool:
        with self._lock:
            if self._values.get(key) != expected:
                return False
            self._values[key] = value
            return True
