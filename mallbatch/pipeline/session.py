"""Adapters for the workspace's accounts, with the workspace's own simulators started on demand.

An account with ``sandbox = true`` talks to this workspace's simulator of its mall: on the
port recorded for the workspace (or the account's ``base_url``), started in this process
unless this workspace's simulator already serves there. Another workspace's simulator is
refused here, before the adapter exists: adapters know nothing about simulators.

The accounts' rate limiters come from here too: this process's own on a SQLite store, the
database's on a PostgreSQL store (every worker of the store shares each account's limit).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from typing import Any

import httpx

from mallbatch.connectors.filemall.spec import FileConnector
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.http import Limits, RetryPolicy, limiter_for
from mallbatch.connectors.runtime.shared_limiter import SharedLimits
from mallbatch.connectors.registry import connector_class
from mallbatch.config import Account
from mallbatch.sandbox.registry import ensure_running
from mallbatch.store import Store, open_store
from mallbatch.store.kept import AccountKept
from mallbatch.store.postgres import Server
from mallbatch.workspace import Workspace, offered_simulators


class Session:
    def __init__(self, ws: Workspace, retry: RetryPolicy | None = None) -> None:
        self.ws = ws
        self.retry = retry
        self._store: Store | None = None  # opened for the first connector that keeps state (its own connection)
        self._store_lock = threading.Lock()
        self._adapters: dict[tuple[str, str], Connector] = {}
        self.failed_auth: dict[tuple[str, str], str] = {}  # accounts that must not be called again
        self._shared: SharedLimits | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for adapter in self._adapters.values():
            adapter.close()
        self._adapters.clear()
        if self._store is not None:
            self._store.close()
            self._store = None
        self._shared = None

    def kept(self, account: Account) -> AccountKept:
        """The account's kept state (tokens, acknowledgements) in the workspace's store: every worker's, on either engine."""
        with self._store_lock:
            if self._store is None:
                self._store = open_store(self.ws)
            return self._store.kept(account.mall, account.name)

    @property
    def limits(self) -> Limits:
        """The accounts' limiters: in the store's database when it is PostgreSQL, else this process's."""
        url = self.ws.config.store_url
        if url is None:
            return limiter_for
        if self._shared is None:
            self._shared = SharedLimits(Server(url.reveal(), self.ws.config.store_schema))
        return self._shared

    def account(self, mall: str, name: str | None) -> Account | None:
        return self.ws.config.find_account(mall, name)

    def adapter_named(self, mall: str, name: str) -> Connector | None:
        """The adapter of the configured account ``name`` of ``mall`` (None: no such account, or no connector)."""
        account = self.account(mall, name)
        return self.adapter(account) if account else None

    def start_sandbox(self, account: Account) -> Account:
        """``account`` aimed at this workspace's own simulator (a ConfigError names any other)."""
        if not (account.sandbox and account.mall in offered_simulators()):
            return account
        faults: dict[str, Any] = self.ws.config.sandbox_faults(account.mall)
        return replace(account, base_url=ensure_running(account.mall, account.base_url, self.ws.sandbox_path, faults))

    def adapter(self, account: Account) -> Connector | None:
        """The account's adapter, or None when mallbatch does not talk to that mall yet."""
        key = (account.mall, account.name)
        if key not in self._adapters:
            cls = connector_class(account.mall)
            if cls is None:
                return None
            if issubclass(cls, FileConnector):  # writes into this workspace's outbox: no simulator, no HTTP
                self._adapters[key] = cls(account, workspace=self.ws)
            else:
                self._adapters[key] = cls(self.start_sandbox(self.with_token_file(account)), retry=self.retry,
                                          state_dir=self.ws.state, kept=self.kept(account), limits=self.limits)
        return self._adapters[key]

    def with_token_file(self, account: Account) -> Account:
        """``account`` with the token file an earlier version kept for it, when there is one, so the connector
        copies it into the store once (tokens are kept in the store now); a ``token_file`` the seller set wins."""
        name = hashlib.sha256(account.name.encode("utf-8")).hexdigest()[:12]
        path = self.ws.state / "tokens" / f"{account.mall}-{name}.json"
        if not path.is_file():
            return account
        return replace(account, options={"token_file": str(path), **account.options})


def seed_sandbox(ws: Workspace, orders: int, claims: int, inquiries: int) -> dict[str, dict[str, int]]:
    """Let orders, claims and inquiries arrive on every simulator account (demo, fresh watch)."""
    made = {}
    with Session(ws) as session:
        for account in ws.config.accounts:
            if account.sandbox and account.mall in offered_simulators():
                url = session.start_sandbox(account).base_url
                body = {"orders": orders, "claims": claims, "inquiries": inquiries}
                made[account.label] = httpx.post(f"{url}/_sandbox/generate", json=body, timeout=60).json()
    return made
