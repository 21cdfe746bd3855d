"""Which malls mallbatch talks to, found by package, never by a hand list.

A mall is a folder ``connectors/<pkg>/`` whose ``spec.py`` defines a :class:`Connector` subclass
(its ``spec.mall`` is the code); ``connectors/filemall/spec.py`` defines one per mall reached through files,
and a mall's own API connector, once it exists, takes its place. A module that fails to import is logged and skipped, so one
broken connector cannot stop the rest.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from pathlib import Path

from mallbatch.connectors.runtime.connector import Connector

log = logging.getLogger("mallbatch.connectors")
HERE = Path(__file__).parent


def _modules() -> list[str]:
    return [f"mallbatch.connectors.{p.parent.name}.spec" for p in sorted(HERE.glob("*/spec.py")) if p.parent.name != "runtime"]


@cache
def connectors() -> dict[str, type[Connector]]:
    """mall code → connector class."""
    found: dict[str, type[Connector]] = {}
    for name in _modules():
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - one broken connector must not stop the others
            log.exception("connector %s could not be loaded", name)
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Connector) and value.__module__ == name and "spec" in vars(value):
                if value.spec.mall in found and getattr(value, "transport", "api") == "file":
                    continue  # an API connector of the mall replaces its file connector (``connectors/filemall``)
                found[value.spec.mall] = value
    return found


# Every mall in malls.py has a connector (its own, or the file connector), so a mall without one means
# a module failed to import: a broken install, which the seller mends by reinstalling.
NOT_LOADED = "연동 모듈을 불러오지 못했습니다 (mallbatch 설치가 손상되었습니다). mallbatch 를 다시 설치한 뒤 실행하세요"


def connected() -> frozenset[str]:
    return frozenset(connectors())


def connector_class(mall: str) -> type[Connector] | None:
    return connectors().get(mall)

