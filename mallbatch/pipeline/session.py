"""Adapters for the workspace's accounts, with simulators started on demand.

An account with ``sandbox = true`` gets its mall's simulator started in this process
on the account's loopback port, unless one already serves there.
"""

from __future__ import annotations

from typing import Any

import httpx

from mallbatch.adapters.base import Adapter
from mallbatch.adapters.http import RetryPolicy
from mallbatch.adapters.registry import adapter_class
from mallbatch.config import Account
from mallbatch.sandbox.registry import SIMULATORS, ensure_running
from mallbatch.workspace import Workspace


class Session:
    def __init__(self, ws: Workspace, retry: RetryPolicy | None = None) -> None:
        self.ws = ws
        self.retry = retry
        self._adapters: dict[tuple[str, str], Adapter] = {}
        self.failed_auth: dict[tuple[str, str], str] = {}  # accounts that must not be called again

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for adapter in self._adapters.values():
            adapter.close()
        self._adapters.clear()

    def account(self, mall: str, name: str | None) -> Account | None:
        return self.ws.config.find_account(mall, name)

    def start_sandbox(self, account: Account) -> None:
        if account.sandbox and account.mall in SIMULATORS:
            ensure_running(account.mall, account.base_url, self.ws.sandbox_path, self.ws.config.sandbox_faults(account.mall))

    def adapter(self, account: Account) -> Adapter | None:
        """The account's adapter, or None when mallbatch does not talk to that mall yet."""
        key = (account.mall, account.name)
        if key not in self._adapters:
            cls = adapter_class(account.mall)
            if cls is None:
                return None
            self.start_sandbox(account)
            self._adapters[key] = cls(account, retry=self.retry)
        return self._adapters[key]


def seed_sandbox(ws: Workspace, orders: int, claims: int, inquiries: int) -> dict[str, dict[str, int]]:
    """Let orders, claims and inquiries arrive on every simulator account (demo, fresh watch)."""
    made = {}
    with Session(ws) as session:
        for account in ws.config.accounts:
            if account.sandbox and account.mall in SIMULATORS:
                session.start_sandbox(account)
                body = {"orders": orders, "claims": claims, "inquiries": inquiries}
                made[account.label] = httpx.post(f"{account.base_url}/_sandbox/generate", json=body, timeout=60).json()
    return made
