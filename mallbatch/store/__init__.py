"""Durable state: saved products and sales groups, the command journal, mall id bindings, link
history, collected records, collection watermarks and stock, in SQLite (the default) or PostgreSQL
(``[store] url``), behind one :class:`Store` interface."""

from mallbatch.store.db import PostgresStore, Store, open_store, store_exists

__all__ = ["PostgresStore", "Store", "open_store", "store_exists"]
