"""One claimed inbox file through the steps it shares wherever it is handled (``mallbatch watch`` in
its own process, or a worker's job): recorded as processing, pushed, its result recorded before the
source moves to ``archive/`` (a crash between the two archives the source on the next start, without
pushing it again), archived. What each caller shows, retries or notes stays with the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mallbatch.files import archive
from mallbatch.pipeline.push import Progress, PushResult, push_file
from mallbatch.pipeline.session import Session
from mallbatch.workspace import Workspace


def push_claimed(ws: Workspace, store: Any, session: Session, claimed: Path, sha: str, *, push: Callable[..., PushResult] = push_file,
                 progress: Progress | None = None) -> tuple[PushResult, Path]:
    """The file's result and where its source was archived; raises what the push or the store raised
    (the source is then still at ``claimed``, or already archived when only the last record failed)."""
    name = claimed.name
    store.record_file(sha, name, "processing")
    result = push(ws, store, session, claimed, progress=progress)
    kind = ",".join(sorted({s.kind for s in result.checked.report.sheets}))
    store.record_file(sha, name, "result_written", kind, str(result.result_path))
    archived = archive(claimed, ws.archive)
    store.record_file(sha, name, "archived", kind, str(result.result_path))
    return result, archived
