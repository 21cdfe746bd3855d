"""Writing the blank templates and the example workbooks into a workspace."""

from __future__ import annotations

from pathlib import Path

from mallbatch.examples import write_examples
from mallbatch.files import unique_path
from mallbatch.kinds import KINDS
from mallbatch.sheets.templates import write_template
from mallbatch.workspace import TEMPLATE_FILES, Workspace


def write_templates(ws: Workspace) -> list[Path]:
    """(Re)write every blank template; an existing file of the same name is replaced."""
    ws.templates.mkdir(parents=True, exist_ok=True)
    written = []
    for name, codes in TEMPLATE_FILES.items():
        path = ws.templates / name
        try:
            path.unlink(missing_ok=True)
        except PermissionError:  # open in Excel on Windows: leave it, write beside it
            path = unique_path(ws.templates, path.stem, path.suffix)
        written.append(write_template(path, [KINDS[c] for c in codes]))
    write_examples(ws.home / "examples", ws.config)
    return written
