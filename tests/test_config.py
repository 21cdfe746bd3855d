"""config.toml as sellers save it: BOM, CP949, typos in values, TOML syntax errors."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mallbatch.cli import cli
from mallbatch.config import load_config
from mallbatch.errors import ConfigError
from mallbatch.pipeline.collect import first_collect_days
from mallbatch.watch.schedule import interval_minutes
from mallbatch.watch.settings import WatchSettings
from mallbatch.workspace import Workspace, file_malls, offered_simulators, render_config

BASE = render_config()


def write(home: Path, text: str, encoding: str = "utf-8", bom: bytes = b"") -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_bytes(bom + text.encode(encoding))
    return home


def replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_bom_saved_by_notepad_is_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE, bom=codecs.BOM_UTF8))
    assert len(config.accounts) == len(offered_simulators()) + len(file_malls())  # a sandbox account per simulator, one per file mall
    assert interval_minutes(config, "coupang", "orders") == 120


def test_utf16_saved_by_notepad_is_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE, encoding="utf-16"))
    assert len(config.accounts) == len(offered_simulators()) + len(file_malls())  # a sandbox account per simulator, one per file mall


def test_cp949_file_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, BASE, encoding="cp949"))
    assert "config.toml 이 CP949(EUC-KR)로 저장되어 있습니다. UTF-8 로 저장하세요" in str(err.value)


def test_toml_syntax_error_names_the_line_without_showing_it(tmp_path: Path) -> None:
    text = replace(BASE, 'api_key = "', 'api_key = topsecret"')
    line = text.splitlines().index(next(l for l in text.splitlines() if "topsecret" in l)) + 1
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    message = str(err.value)
    assert f"{line}번째 줄" in message and "config.toml" in message
    assert "topsecret" not in message


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        ("interval_minutes = 120", 'interval_minutes = "두 시간"', "[collect] interval_minutes", "숫자"),
        ("first_days = 7", 'first_days = "일주일"', "[collect] first_days", "정수"),
        ("max_file_mb = 50", 'max_file_mb = "50MB"', "[limits] max_file_mb", "정수"),
        ("poll = false", 'poll = "no"', "[watch] poll", "true 또는 false"),
        ("retry_attempts = 3", "retry_attempts = 2.5", "[watch] retry_attempts", "정수"),
        ("passwords = []", 'passwords = "1234"', "[read] passwords", "목록"),
        ("latency_ms = 0", 'latency_ms = "없음"', "[sandbox.coupang] latency_ms", "숫자"),
    ],
)
def test_wrong_type_names_key_and_expected_type(tmp_path: Path, old: str, new: str, key: str, expected: str) -> None:
    home = write(tmp_path / "ws", replace(BASE, old, new))
    with pytest.raises(ConfigError) as err:
        ws = Workspace.open(home)
        # every reader of config values goes through the same accessor
        interval_minutes(ws.config, "coupang", "orders")
        first_collect_days(ws.config)
        ws.limits  # noqa: B018
        ws.passwords  # noqa: B018
        WatchSettings.from_config(ws.config, ws.home)
        ws.config.sandbox_faults("coupang")
    message = str(err.value)
    assert key in message and expected in message, message


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        ("sandbox = true\n", 'sandbox = "yes"\n', "sandbox", "true 또는 false"),
        ("sandbox = true\n", 'sandbox = true\nrate_limit = "빠르게"\n', "rate_limit", "숫자"),
        ('name = "기본"', "name = 1", "name", "글자"),
    ],
)
def test_account_wrong_type_is_refused_at_load(tmp_path: Path, old: str, new: str, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, replace(BASE, old, new)))
    message = str(err.value)
    assert "[[accounts]] 1번째" in message and key in message and expected in message, message


def test_per_mall_interval_wrong_type(tmp_path: Path) -> None:
    text = BASE + '\n[collect.coupang]\ninterval_minutes = "10분"\n'
    config = load_config(write(tmp_path, text))
    with pytest.raises(ConfigError, match=r"\[collect\.coupang\] interval_minutes"):
        interval_minutes(config, "coupang", "orders")
    assert interval_minutes(config, "smartstore", "orders") == 120


def test_cli_reports_wrong_type_in_korean_with_exit_1(tmp_path: Path) -> None:
    home = write(tmp_path / "ws", replace(BASE, "max_file_mb = 50", 'max_file_mb = "50MB"'))
    book = tmp_path / "x.csv"
    book.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(home), "validate", str(book)])
    assert result.exit_code == 1, result.output
    assert "max_file_mb" in result.output and "정수" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (TypeError, ValueError))


VALUES = st.one_of(
    st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8), st.lists(st.integers(0, 9), max_size=3),
)
KEYS = [("collect", "interval_minutes"), ("collect", "first_days"), ("limits", "max_file_mb"),
        ("watch", "poll"), ("watch", "poll_seconds"), ("watch", "retry_attempts"), ("read", "passwords")]


def toml_literal(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(KEYS), value=VALUES)
def test_any_value_reads_or_is_a_config_error_naming_the_key(tmp_path_factory: pytest.TempPathFactory,
                                                             key: tuple[str, str], value: object) -> None:
    section, name = key
    text = f"[{section}]\n{name} = {toml_literal(value)}\n"
    home = write(tmp_path_factory.mktemp("cfg"), text)
    try:
        ws = Workspace.open(home)
        interval_minutes(ws.config, "coupang", "orders")
        first_collect_days(ws.config)
        ws.limits  # noqa: B018
        ws.passwords  # noqa: B018
        WatchSettings.from_config(ws.config, ws.home)
    except ConfigError as exc:
        assert f"[{section}] {name}" in str(exc)


def test_every_reader_goes_through_the_typed_accessor() -> None:
    """Raw ``config.section(...).get(...)`` reads bypass the type check; only config.py may do that."""
    import re

    package = Path(__file__).parent.parent / "mallbatch"
    raw_read = re.compile(r"config\.section\(|config\.raw\b")
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if p.name != "config.py" and raw_read.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_a_fresh_config_keeps_sqlite_and_shows_the_postgresql_store_commented(tmp_path: Path) -> None:
    from mallbatch.store import Store, open_store

    assert "# [store]\n# url = \"env:" in BASE and "\n[store]" not in BASE
    ws = Workspace.open(write(tmp_path, BASE))
    assert ws.config.store_url is None and ws.config.store_schema == "public"
    with open_store(ws) as store:
        assert type(store) is Store and store.dialect == "sqlite" and store.path == ws.store_path


@pytest.mark.parametrize(("store", "expected"), [
    ('url = "mysql://root:hunter2secret@db/x"', "postgresql://"),
    ('url = "env:MALLBATCH_NO_SUCH_VAR"', "MALLBATCH_NO_SUCH_VAR"),
    ("url = 5432", "[store] url"),
    ('url = "postgresql://u:hunter2secret@db/x"\nschema = "seller-1; drop"', "[store] schema"),
])
def test_store_settings_are_checked_without_showing_the_url(tmp_path: Path, store: str, expected: str) -> None:
    ws = Workspace.open(write(tmp_path, f"[store]\n{store}\n"))
    with pytest.raises(ConfigError) as caught:
        ws.config.store_url  # noqa: B018
        ws.config.store_schema  # noqa: B018
    assert expected in str(caught.value) and "hunter2secret" not in str(caught.value)


def test_the_store_url_is_a_secret_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCY_DB", "postgresql://agency:s3cret-pw@db.example:6543/shop")
    ws = Workspace.open(write(tmp_path, '[store]\nurl = "env:AGENCY_DB"\nschema = "seller_7"\n'))
    url = ws.config.store_url
    assert url is not None and "s3cret" not in repr(url) and url.reveal().endswith("/shop")
    assert ws.config.store_schema == "seller_7"
    from mallbatch.store.postgres import Server

    server = Server(url.reveal(), "seller_7")
    assert server.where == "db.example:6543/shop" and "s3cret" not in repr(server)
