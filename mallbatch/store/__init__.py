"""Durable local state in SQLite: saved products and sales groups, the command journal,
mall id bindings, link history, collected records and collection watermarks."""

from mallbatch.store.db import Store

__all__ = ["Store"]
