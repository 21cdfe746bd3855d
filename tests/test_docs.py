"""The README and config.toml cannot drift from the code: template reference, marketplace facts
(from the connector specs), account comments, commands; and the specs decide which keys are secret."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from itertools import takewhile
from pathlib import Path

import pytest

import mallbatch
from mallbatch.cli import cli
from mallbatch.config import Account, Secret, load_config
from mallbatch.connectors.registry import connectors
from mallbatch.connectors.runtime.spec import Credential
from mallbatch.domain.capability import CLAIM_ACTIONS, TICKET_ACTIONS, Capability
from mallbatch.docs import (
    BEGIN,
    CAPABILITY_NAMES,
    END,
    MALLS_BEGIN,
    MALLS_END,
    per_text,
    rate_text,
    read_name,
    WRITES,
    account_comments,
    marketplaces,
    template_reference,
    update_readme,
)
from mallbatch.malls import MALLS, mall_name
from mallbatch.workspace import render_config

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_template_reference_is_current() -> None:
    assert f"{BEGIN}\n{template_reference()}\n{END}" in README, "run: python -m mallbatch.docs and paste into README"


def test_every_command_is_documented_with_help() -> None:
    for name, command in cli.commands.items():
        assert f"`mallbatch {name}" in README, name
        assert command.help, name


def test_quick_start_commands_match_ci() -> None:
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_command = "pip install -e '.[test]' && python -m pytest"
    assert test_command in README and test_command in ci
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0].strip() for b in quick_start.split("```bash\n")[1:]]
    assert blocks == ["pip install -e . && mallbatch watch", test_command]


def test_marketplace_section_is_current() -> None:
    assert f"{MALLS_BEGIN}\n{marketplaces()}\n{MALLS_END}" in README, "run: python -m mallbatch.docs --write"
    assert update_readme(README) == README


def test_marketplace_section_states_every_spec_fact() -> None:
    """Each connector's name, capabilities, limits and keys appear in the section; every other mall is 준비 중."""
    section = marketplaces()
    rows = section.splitlines()
    for mall in MALLS:
        cls = connectors().get(mall.code)
        if cls is None:
            assert f"{mall.name} (`{mall.code}`)" in section.split("준비 중:", 1)[1].splitlines()[0], mall.code
            continue
        spec = cls.spec
        row = next(r for r in rows if r.startswith(f"| {mall.name} (`{mall.code}`) |"))
        if getattr(spec, "transport", "api") == "file":  # no API: each capability through an upload file, reads by download
            assert row.count("| 업로드 파일 ") == len(spec.capabilities) and row.count("| 다운로드 파일 ") == 2, mall.code
            assert f"{mall.name}" in next(r for r in rows if "파일 연동 (업로드 파일 작성 / 다운로드 파일 읽기)" in r), mall.code
            assert not spec.credentials and spec.key_lifetime_days is None
            continue
        per_product = 0 if spec.listing.option_stock else row.count("| 상품 단위 (옵션별 불가) ")
        claims, tickets = (cell.strip() for cell in row.strip().strip("|").split("|")[-2:])
        named = [c for c in CLAIM_ACTIONS if c in spec.capabilities]
        ticket_caps = [c for c in (Capability.TICKETS_COLLECT, *TICKET_ACTIONS) if c in spec.capabilities]
        assert claims == ", ".join(CAPABILITY_NAMES[c] for c in named), mall.code
        assert len([n for n in tickets.split(", ") if n]) == len(ticket_caps), mall.code  # 수집 and each action
        assert row.count("| 예 ") + per_product + len(named) + len(ticket_caps) == len(spec.capabilities), mall.code
        assert per_product == (0 if spec.listing.option_stock else 1), mall.code
        limits = next(r for r in rows if r.startswith(f"| {mall.name} | 초당 "))
        assert f"초당 {spec.rate.per_second:g}회" in limits
        assert (f"어떤 1초에도 {spec.rate.cap}회 이하" in limits) == bool(spec.rate.cap)
        assert (f"한꺼번에 {spec.rate.burst}회까지" in limits) == (spec.rate.burst > 1)
        assert len([w for w in spec.windows if f"{read_name(spec, w)} " in limits]) == len(spec.windows)
        names = [read_name(spec, w) for w in spec.windows]
        assert len(set(names)) == len(names), (mall.code, names)  # each list's window named apart (반품, 교환 …)
        for capability in WRITES:
            if capability in spec.capabilities:
                assert f"{CAPABILITY_NAMES[capability]} {spec.batch(capability)}건" in limits
        if spec.answer_length:
            unit = "바이트" if spec.answer_bytes else "자"
            assert f"{spec.answer_length[0]}–{spec.answer_length[1]}{unit}" in limits
        for credential in spec.credentials:
            key_row = next(r for r in rows if r.startswith(f"| {mall.name} | `{credential.name}` |"))
            assert credential.hint_ko in key_row
            assert ("비밀값" in key_row) == credential.secret
            assert (f"{credential.lifetime_days}일 뒤 만료" in key_row) == bool(credential.lifetime_days)
        assert spec.key_lifetime_days == min((c.lifetime_days for c in spec.credentials if c.lifetime_days), default=None)


def test_readme_states_account_keys_only_in_the_generated_section() -> None:
    outside = README.replace(README[README.index(MALLS_BEGIN):README.index(MALLS_END)], "")
    for cls in connectors().values():
        for credential in cls.spec.credentials:
            assert f"`{credential.name}`" not in outside, credential.name


def test_config_account_comments_are_rendered_from_the_specs() -> None:
    template = (Path(mallbatch.__file__).parent / "templates" / "config.toml.j2").read_text(encoding="utf-8")
    rendered = render_config()
    assert account_comments() in rendered and "{{ account_comments }}" in template
    for code, cls in connectors().items():
        if getattr(cls, "transport", "api") == "file":  # no keys, no rate: named once among the file malls, with its account
            files = next(line for line in account_comments().splitlines() if "계정 키 없음" in line)
            assert f"{mall_name(code)} ({code})" in files and f'mall = "{code}"' in rendered, code
            continue
        section = rendered.split(f"({code}):\n", 1)[1]  # two malls may name a key alike (client_id)
        for credential in cls.spec.credentials:
            line = next(line for line in section.splitlines() if line.startswith(f"#     {credential.name} "))
            assert credential.hint_ko in line and ("비밀값" in line) == credential.secret
            assert credential.hint_ko not in template  # written once, in the spec
        own = list(takewhile(lambda line: line.startswith("#     "), section.splitlines()))
        assert f"#     rate_limit 기본값: {rate_text(cls.spec)}" in own, code


def _load_account(tmp_path: Path, mall: str, values: dict[str, str]) -> Account:
    lines = ["[[accounts]]", f'mall = "{mall}"', 'name = "기본"', *(f'{k} = "{v}"' for k, v in values.items())]
    (tmp_path / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(tmp_path).accounts[0]


def test_every_credential_a_spec_marks_secret_is_loaded_as_a_secret(tmp_path: Path) -> None:
    for mall, cls in connectors().items():
        account = _load_account(tmp_path, mall, {c.name: f"value-of-{c.name}" for c in cls.spec.credentials})
        for credential in cls.spec.credentials:
            assert isinstance(account.option(credential.name), Secret) == credential.secret, (mall, credential.name)
            assert account.secret(credential.name) == f"value-of-{credential.name}"


def test_a_secret_named_like_an_id_is_wrapped_because_the_spec_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new mall's secret key need not end in _key/secret: the spec, not the name, decides."""
    base = connectors()["wemakeprice"]
    spec = dataclasses.replace(base.spec, credentials=(*base.spec.credentials, Credential("login_pw", "판매자 비밀번호")))
    monkeypatch.setitem(connectors(), "wemakeprice", type("PasswordMall", (base,), {"spec": spec}))
    account = _load_account(tmp_path, "wemakeprice", {"api_key": "k" * 8, "login_pw": "hunter2-비밀"})
    assert isinstance(account.option("login_pw"), Secret)
    assert "hunter2" not in repr(account.options)


def test_config_account_comments_survive_a_korean_windows_save() -> None:
    """Sellers edit config.toml in Notepad, which may save it as cp949: the generated comments must encode."""
    account_comments().encode("cp949")


def test_slow_rates_read_as_one_call_per_so_many_seconds() -> None:
    assert [per_text(r) for r in (10.0, 2.5, 1.0, 20 / 60, 1 / 5, 1 / 5.5)] == [
        "초당 10회", "초당 2.5회", "초당 1회", "3초에 1회", "5초에 1회", "5.5초에 1회"]
    assert "초당 0." not in marketplaces() and "초당 0." not in account_comments()


def test_every_declared_endpoint_limit_is_in_its_malls_rate_row() -> None:
    """Slower endpoints (아임웹's full lists, ESM's order lists and product search) are stated beside the mall's rate,
    with who shares the limit and which calls it covers."""
    rows = marketplaces().splitlines()
    for mall in MALLS:
        spec = connectors()[mall.code].spec
        for endpoint in getattr(getattr(spec, "rate", None), "endpoints", ()):
            limits = next(r for r in rows if r.startswith(f"| {mall.name} | 초당 "))
            assert all(f"`{endpoint.method} {path}`" in limits for path in endpoint.paths), (mall.code, limits)
            assert per_text(endpoint.per_second) in limits
            if endpoint.client:
                assert f"보낼 때는 {per_text(endpoint.client)}" in limits
            if endpoint.shared_by:
                assert f"`{endpoint.shared_by}`" in limits
            if endpoint.what_ko:
                assert endpoint.what_ko in limits
    gmarket = next(r for r in rows if r.startswith("| G마켓 | 초당 "))
    assert "`POST /shipping/v1/Order/RequestOrders`" in gmarket and "5초에 1회" in gmarket  # reference §4.2


def test_a_window_short_of_whole_days_reads_in_days_hours_and_minutes() -> None:
    """11번가 answers at most 7 days less a minute: "167.983시간" told the seller nothing."""
    from mallbatch.docs import _span

    assert _span(timedelta(days=7) - timedelta(minutes=1)) == "6일 23시간 59분"
    assert _span(timedelta(hours=36)) == "1일 12시간"
    assert _span(timedelta(hours=6)) == "6시간"
    assert _span(timedelta(minutes=90)) == "1시간 30분"
    assert _span(timedelta(days=31)) == "31일"
    assert "167.983" not in marketplaces()
