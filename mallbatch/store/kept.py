"""The ``kept`` table: per-account state connectors keep between runs (see
:mod:`mallbatch.connectors.runtime.kept`), in the workspace's store so every worker shares it.

Values may be secrets (OAuth tokens): they are never logged here, and the SQLite file is owner-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mallbatch.store.timestamps import now_iso

if TYPE_CHECKING:
    from mallbatch.store.db import Store


class AccountKept:
    """One account's kept values; satisfies the connectors' ``Kept`` protocol (get, put, add, swap)."""

    def __init__(self, store: Store, mall: str, account: str) -> None:
        self.store, self.mall, self.account = store, mall, account

    def get(self, key: str) -> str | None:
        row = self.store.db.execute("SELECT value FROM kept WHERE mall=? AND account=? AND key=?",
                                    (self.mall, self.account, key)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        with self.store.transaction() as db:
            db.execute("INSERT INTO kept(mall, account, key, value, updated_at) VALUES (?,?,?,?,?) "
                       "ON CONFLICT(mall, account, key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at",
                       (self.mall, self.account, key, value, now_iso()))

    def add(self, key: str, value: str) -> bool:
        with self.store.transaction() as db:
            return db.execute("INSERT INTO kept(mall, account, key, value, updated_at) VALUES (?,?,?,?,?) "
                              "ON CONFLICT(mall, account, key) DO NOTHING",
                              (self.mall, self.account, key, value, now_iso())).rowcount == 1

    def swap(self, key: str, expected: str, value: str) -> bool:
        with self.store.transaction() as db:
            return db.execute("UPDATE kept SET value=?, updated_at=? WHERE mall=? AND account=? AND key=? AND value=?",
                              (value, now_iso(), self.mall, self.account, key, expected)).rowcount == 1
