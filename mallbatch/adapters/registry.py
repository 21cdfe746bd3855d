"""Which malls have an adapter. Imports are lazy so a broken optional adapter cannot stop the rest."""

from __future__ import annotations

import importlib

from mallbatch.adapters.base import Adapter
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.config import Account

ADAPTERS: dict[str, str] = {
    "coupang": "mallbatch.adapters.coupang:CoupangAdapter",
    "smartstore": "mallbatch.adapters.smartstore:SmartstoreAdapter",
    "wemakeprice": "mallbatch.connectors.wemakeprice.spec:WemakepriceConnector",
}


def adapter_class(mall: str) -> type[Adapter] | None:
    target = ADAPTERS.get(mall)
    if target is None:
        return None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def open_adapter(account: Account, *, retry: RetryPolicy | None = None) -> Adapter | None:
    cls = adapter_class(account.mall)
    return cls(account, retry=retry) if cls else None
