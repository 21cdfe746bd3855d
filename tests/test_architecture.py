"""Boundaries the design depends on: simulators and adapters are independent
implementations of each protocol, and the library does not depend on the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "mallbatch"


def imports(folder: str) -> dict[str, set[str]]:
    found = {}
    for path in (PACKAGE / folder).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        found[path.name] = names
    return found


def test_simulators_never_import_adapters() -> None:
    for name, modules in imports("sandbox").items():
        assert not any(m.startswith(("mallbatch.adapters", "mallbatch.connectors", "mallbatch.domain")) for m in modules), name


def test_state_engine_imports_nothing_outside_the_sandbox() -> None:
    """The engine is shared by every simulator: it may not lean on mallbatch's own code either."""
    for name, modules in imports("sandbox/engine").items():
        ours = {m for m in modules if m.startswith("mallbatch")}
        assert all(m.startswith("mallbatch.sandbox.") for m in ours), name
        assert not any(m.startswith(("mallbatch.sandbox.coupang", "mallbatch.sandbox.smartstore",
                                     "mallbatch.sandbox.wemakeprice", "mallbatch.sandbox.elevenst",
                                     "mallbatch.sandbox.server")) for m in ours), name


def test_adapters_never_import_simulators() -> None:
    for folder in ("adapters", "connectors", "domain"):
        for name, modules in imports(folder).items():
            assert not any(m.startswith("mallbatch.sandbox") for m in modules), f"{folder}/{name}"


def test_library_does_not_import_click() -> None:
    for folder in ("sheets", "kinds", "adapters", "connectors", "domain", "sandbox", "store", "pipeline", "watch"):
        for name, modules in imports(folder).items():
            assert "click" not in modules, f"{folder}/{name}"


def test_sheets_never_import_kinds() -> None:
    """Kinds are built from sheet columns; the reverse import would be a cycle."""
    for name, modules in imports("sheets").items():
        assert not any(m.startswith("mallbatch.kinds") for m in modules), name


def test_domain_imports_nothing_of_mallbatch_outside_it() -> None:
    for name, modules in imports("domain").items():
        assert all(m.startswith("mallbatch.domain") for m in modules if m.startswith("mallbatch")), name
