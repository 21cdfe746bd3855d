"""Products to generate orders from, picked by key and decoded only when picked.

Generating N orders against P registered products used to decode all P products for every
order (N × P JSON decodes: minutes for a few hundred of each). Here the keys are listed once
per generator run, a pick decodes one product, and decoded products are kept for the run.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from mallbatch.sandbox.store import SimStore

Doc = dict[str, Any]


class Catalogue:
    """The mall's registered products, or ``fallback`` samples while none (that ``keep``) exist."""

    def __init__(
        self, store: SimStore, kind: str, *, reduce: Callable[[Doc], Doc] = lambda p: p,
        keep: Callable[[Doc], bool] = lambda p: True, fallback: Sequence[Doc] = (),
    ) -> None:
        self._store, self._kind, self._reduce, self._keep = store, kind, reduce, keep
        self._keys = store.keys(kind)
        self._decoded: dict[str, Doc] = {}
        self._fallback = [dict(p) for p in fallback]

    def _load(self, key: str) -> Doc | None:
        if key not in self._decoded:
            doc = self._store.get(self._kind, key)
            if doc is None or not self._keep(doc):
                return None
            self._decoded[key] = self._reduce(doc)
        return self._decoded[key]

    def pick(self, rng: random.Random) -> Doc:
        while self._keys:
            index = rng.randrange(len(self._keys))
            found = self._load(self._keys[index])
            if found is not None:
                return found
            self._keys[index] = self._keys[-1]  # not for sale any more: never offered again this run
            self._keys.pop()
        return rng.choice(self._fallback)

    def discard(self, key: str) -> None:
        """``key`` stopped being for sale during this run (its last item sold out): never picked again."""
        self._decoded.pop(key, None)
        if key in self._keys:
            self._keys.remove(key)

    def sample(self, rng: random.Random, k: int) -> list[Doc]:
        """Up to ``k`` different products (fewer when the catalogue is smaller)."""
        picked: dict[int, Doc] = {}
        for _ in range(k * 3):
            if len(picked) == k:
                break
            product = self.pick(rng)
            picked.setdefault(id(product), product)
        return list(picked.values())


def index(store: SimStore, name: str, value: str, key: str) -> None:
    """Remember that product ``key`` has ``value`` under ``name`` (a seller code): lookups read one row."""
    if not value:
        return
    entry = store.get(f"engine.index.{name}", value) or {"keys": []}
    if key not in entry["keys"]:
        store.put(f"engine.index.{name}", value, {"keys": [*entry["keys"], key]})


def lookup(store: SimStore, kind: str, name: str, value: str) -> list[Doc]:
    """Products indexed under ``value``; the caller re-checks the field (an update may have changed it)."""
    entry = store.get(f"engine.index.{name}", value) or {"keys": []}
    found = (store.get(kind, key) for key in entry["keys"])
    return [doc for doc in found if doc is not None]
