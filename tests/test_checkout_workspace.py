"""The checkout is itself a workspace: its committed config.toml is the template's, and a fresh
clone's ``mallbatch watch`` serves its own inbox/ on its own simulators, leaving git clean."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mallbatch.config import load_config
from mallbatch.workspace import file_malls, render_config
from watch_helpers import wait_for

ROOT = Path(__file__).parent.parent
DATE_LINE = "key_issued = "  # the only line that depends on the day init runs


def test_committed_config_is_what_the_template_renders() -> None:
    committed = (ROOT / "config.toml").read_text(encoding="utf-8")
    rendered = "".join(line for line in render_config().splitlines(keepends=True) if not line.startswith(DATE_LINE))
    assert committed == rendered, (
        "config.toml drifted from mallbatch/templates/config.toml.j2; regenerate it with: python -c "
        "\"from mallbatch.workspace import render_config; import sys; "
        "sys.stdout.write(''.join(l for l in render_config().splitlines(True) if not l.startswith('key_issued = ')))\" > config.toml")
    config = load_config(ROOT)
    assert config.accounts and all(a.sandbox and not a.base_url for a in config.accounts if a.mall not in file_malls())
    assert sorted(a.mall for a in config.accounts if a.mall in file_malls()) == sorted(file_malls())  # no simulator: files


def tracked_files() -> list[str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    return [name for name in listed.stdout.decode("utf-8").split("\0") if name]


def test_fresh_clone_watch_serves_the_checkouts_own_inbox(tmp_path: Path) -> None:
    clone = tmp_path / "mallbatch"
    files = tracked_files()
    for name in files:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name)
    env = {k: v for k, v in os.environ.items() if k != "MALLBATCH_HOME"} | {"PYTHONPATH": str(clone), "PYTHONUNBUFFERED": "1"}
    out = clone / ".." / "watch.out"
    with open(out, "w+b") as log:
        proc = subprocess.Popen([sys.executable, "-m", "mallbatch", "watch"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: "지켜보는 중" in out.read_text("utf-8", "replace") or proc.poll() is not None, 60, "watch start")
            assert proc.poll() is None, out.read_text("utf-8", "replace")
            wait_for(lambda: list((clone / "outbox").glob("*/수집/주문_*.xlsx")), 120, "first collection")
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
    text = out.read_text("utf-8", "replace")
    assert code == 0, text
    assert f"엑셀을 넣을 곳(inbox): {clone.resolve() / 'inbox'}" in text, text
    assert "Traceback" not in text and "오류" not in text, text
    assert (clone / "outbox" / "templates" / "상품.xlsx").is_file() and (clone / "examples" / "예시_상품.xlsx").is_file()
    assert (clone / "state" / "sandbox_ports.json").is_file()

    # Everything the run created is ignored by git: the clone's status stays exactly the committed files.
    subprocess.run(["git", "init", "-q"], cwd=clone, check=True, timeout=60)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "-z"], cwd=clone,
                            capture_output=True, timeout=60, check=True)
    untracked = sorted(entry[3:] for entry in status.stdout.decode("utf-8").split("\0") if entry)
    assert untracked == sorted(files)
