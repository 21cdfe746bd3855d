"""Wish OAuth 2.0 (reference §3.1): the simulator's authorize page, code exchange and refresh; the
connector's tokens in the account's kept state (the store, on both engines), refresh ahead of expiry and on
1015, refusals as account warnings; the seller's one-time authorization through ``mallbatch accounts``. Real
simulator over loopback sockets."""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from mallbatch.cli import cli
from mallbatch.config import Account, resolve_value
from mallbatch.connectors.registry import connector_class
from mallbatch.connectors.runtime.kept import Kept
from mallbatch.connectors.wish.oauth import KEPT_KEY, code_from
from mallbatch.errors import AuthError
from mallbatch.pipeline.accounts import authorize, check_accounts
from mallbatch.sandbox.registry import sandbox_credentials
from mallbatch.sandbox.server import SandboxServer
from mallbatch.store import open_store
from mallbatch.workspace import Workspace, init_workspace

CREDS = sandbox_credentials("wish")


def account(server: SandboxServer, *, sandbox: bool = True, **options: Any) -> Account:
    values = {**CREDS, **options}
    return Account("wish", "기본", server.url, sandbox, {k: resolve_value(k, v, "test") for k, v in values.items()})


def connector(acct: Account, kept: Kept) -> Any:
    return connector_class("wish")(acct, kept=kept)


def kept_tokens(kept: Kept) -> dict[str, str]:
    return json.loads(kept.get(KEPT_KEY) or "{}")


def workspace_tokens(ws: Workspace) -> dict[str, str]:
    with open_store(ws) as store:
        return kept_tokens(store.kept("wish", "기본"))


def browser(url: str) -> str:
    """What the seller's browser does: open the authorize page, end up at the redirect URI."""
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def issued(server: SandboxServer) -> int:
    return sum(server.simulator.store.audit_counts("oauth.issue").values())


@pytest.fixture
def wish(start_sim: Any) -> SandboxServer:
    server, _ = start_sim("wish", faults={"rate_limit": 1000})
    return server


@pytest.fixture
def kept(store_factory: Any) -> Any:
    """The Wish account's kept state in a real store (each engine); ``kept.reopen()`` is another process's view."""
    first = store_factory("ws").kept("wish", "기본")
    first.reopen = lambda: store_factory("ws").kept("wish", "기본")
    return first


# --- the simulator's protocol -------------------------------------------------------------------
def test_a_code_is_single_use_and_valid_five_minutes(wish: SandboxServer) -> None:
    page = httpx.get(f"{wish.url}/v3/oauth/authorize", params={"client_id": CREDS["client_id"], "state": "xyz",
                                                               "redirect_uri": CREDS["redirect_uri"]})
    assert page.status_code == 302
    query = parse_qs(urlsplit(page.headers["Location"]).query)
    assert query["state"] == ["xyz"] and page.headers["Location"].startswith(CREDS["redirect_uri"])
    form = {"client_id": CREDS["client_id"], "client_secret": CREDS["client_secret"], "code": query["code"][0],
            "grant_type": "authorization_code", "redirect_uri": CREDS["redirect_uri"]}
    first = httpx.post(f"{wish.url}/api/v3/oauth/access_token", data=form).json()
    assert first["code"] == 0 and {"access_token", "refresh_token", "expiry_time", "merchant_id"} <= set(first["data"])
    again = httpx.post(f"{wish.url}/api/v3/oauth/access_token", data=form).json()
    assert again["code"] == 1000 and again["data"] is None  # single use

    late = parse_qs(urlsplit(browser(f"{wish.url}/v3/oauth/authorize?client_id={CREDS['client_id']}")).query)["code"][0]
    store = wish.simulator.store
    store.put("oauth.code", late, {**store.get("oauth.code", late), "expires": time.time() - 1})  # 5 minutes passed
    assert httpx.post(f"{wish.url}/api/v3/oauth/access_token", data={**form, "code": late}).json()["code"] == 1000
    refreshed = httpx.post(f"{wish.url}/api/v3/oauth/refresh_token",
                           params={"client_id": CREDS["client_id"], "client_secret": CREDS["client_secret"],
                                   "refresh_token": first["data"]["refresh_token"], "grant_type": "refresh_token"}).json()
    assert refreshed["code"] == 0 and refreshed["data"]["access_token"] != first["data"]["access_token"]


def test_expired_revoked_and_unknown_tokens_are_1015_1016_4000(wish: SandboxServer) -> None:
    from tests.contract.harness import wish_token

    token = wish_token(wish)
    read = lambda t: httpx.get(f"{wish.url}/api/v3/tickets", headers={"Authorization": f"Bearer {t}"})
    assert read(token).json()["code"] == 0
    assert httpx.get(f"{wish.url}/api/v2/order/multi-get", params={"access_token": token}).json()["code"] == 0
    assert (read("nope").status_code, read("nope").json()["code"]) == (401, 4000)
    wish.simulator.expire_tokens()
    assert read(token).json()["code"] == 1015
    wish.simulator.revoke_tokens()
    assert read(token).json() == {"code": 1016, "data": None, "message": "This access token has been revoked."}


# --- the connector ---------------------------------------------------------------------------------
def test_a_simulator_account_authorizes_itself_and_keeps_the_tokens_owner_only(wish: SandboxServer, kept: Any) -> None:
    first = connector(account(wish), kept)
    first.check_auth()
    saved = kept_tokens(kept)
    assert saved["access_token"] and saved["refresh_token"] and saved["client_id"] == CREDS["client_id"]
    if kept.store.dialect == "sqlite" and os.name == "posix":
        assert stat.S_IMODE(kept.store.path.stat().st_mode) == 0o600
    connector(account(wish), kept.reopen()).check_auth()  # a second process reads the store
    assert issued(wish) == 1


def test_a_token_near_expiry_is_refreshed_before_the_call(wish: SandboxServer, kept: Any) -> None:
    connector(account(wish), kept).check_auth()
    saved = kept_tokens(kept)
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    kept.put(KEPT_KEY, json.dumps({**saved, "expiry_time": soon}))
    connector(account(wish), kept.reopen()).check_auth()
    renewed = kept_tokens(kept)
    assert renewed["access_token"] != saved["access_token"] and renewed["expiry_time"] > soon
    assert issued(wish) == 2


def test_an_expired_token_is_refreshed_once_and_the_write_goes_on(wish: SandboxServer, kept: Any) -> None:
    adapter = connector(account(wish), kept)
    adapter.check_auth()
    httpx.post(f"{wish.url}/_sandbox/generate", json={"orders": 1})
    [line] = adapter.lookup_orders([o["order_id"] for o in wish.simulator.store.all("order")])
    wish.simulator.expire_tokens()
    from mallbatch.domain.records import Invoice

    [result] = adapter.send_invoices([Invoice(line.ship_unit, (line.line_id,), line.order_id, "EPOST", "EG123456789KR")])
    assert result.ok, result
    assert wish.simulator.store.audit_counts("invoice.send") == {line.ship_unit: 1}
    assert issued(wish) == 2  # one refresh


def test_a_revoked_grant_is_an_auth_error_in_korean(wish: SandboxServer, kept: Any) -> None:
    real = account(wish, sandbox=False)
    adapter = connector(real, kept)
    adapter.auth.exchange(code_from(browser(adapter.auth.authorize_url("s")), "s"))
    adapter.check_auth()
    wish.simulator.revoke_tokens()
    with pytest.raises(AuthError) as info:
        adapter.check_auth()
    assert "다시 인증" in info.value.message_ko

    again = connector(real, kept)
    again.auth.exchange(code_from(browser(again.auth.authorize_url("t")), "t"))
    store = wish.simulator.store
    for token in store.keys("oauth.refresh"):  # the grant is withdrawn; the access token merely runs out
        store.put("oauth.refresh", token, {**store.get("oauth.refresh", token), "revoked": True})
    wish.simulator.expire_tokens()
    with pytest.raises(AuthError) as refresh:  # 1015, then the refresh is refused: the seller must authorize again
        connector(real, kept.reopen()).check_auth()
    assert refresh.value.code == "TOKEN_REFRESH_FAILED" and "mallbatch accounts --authorize wish" in refresh.value.message_ko


def test_a_real_account_without_tokens_asks_for_the_authorization_and_calls_nothing(wish: SandboxServer, kept: Any) -> None:
    before = wish.requests
    with pytest.raises(AuthError) as info:
        connector(account(wish, sandbox=False), kept).check_auth()
    assert info.value.code == "AUTH_REQUIRED" and "mallbatch accounts --authorize wish" in info.value.message_ko
    assert wish.requests == before


@given(code=st.text("abcdef0123456789", min_size=1, max_size=40), state=st.text("abcXYZ-_09", min_size=1, max_size=16))
def test_the_pasted_address_or_code_gives_the_code(code: str, state: str) -> None:
    url = f"https://localhost/mallbatch/wish/callback?code={code}&state={state}"
    assert code_from(url, state) == code
    assert code_from(f"  {url}\n", state) == code
    assert code_from(code) == code
    with pytest.raises(AuthError):
        code_from(url, state + "x")  # another authorization's redirect


def test_an_error_redirect_or_an_empty_paste_is_refused_in_korean() -> None:
    for pasted in ("https://localhost/cb?error=access_denied&state=s", "", "https://localhost/cb?state=s"):
        with pytest.raises(AuthError) as info:
            code_from(pasted, "s")
        assert any("가" <= ch <= "힣" for ch in info.value.message_ko)


# --- the seller's side: mallbatch accounts ---------------------------------------------------------
def real_workspace(tmp_path: Path, server: SandboxServer) -> Workspace:
    """A workspace whose Wish account is a real one (sandbox = false) at the simulator's address."""
    home = tmp_path / "ws"
    home.mkdir()
    lines = [f'[[accounts]]\nmall = "wish"\nname = "기본"\nsandbox = false\nbase_url = "{server.url}"',
             *(f'{k} = "{v}"' for k, v in CREDS.items())]
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Workspace.open(home)


def test_the_seller_authorizes_once_by_pasting_the_redirected_address(wish: SandboxServer, tmp_path: Path) -> None:
    ws = real_workspace(tmp_path, wish)
    [before] = check_accounts(ws)
    assert not before.ok and "--authorize wish" in before.message
    shown: list[str] = []

    def paste(url: str, help_ko: str) -> str:
        shown.extend((url, help_ko))
        return browser(url)

    line = authorize(ws, "위시", None, paste)
    assert "인증했습니다" in line and shown[0].startswith(f"{wish.url}/v3/oauth/authorize?")
    [after] = check_accounts(ws)
    assert after.ok, after.message
    tokens = workspace_tokens(ws)
    for text in (line, *shown, (ws.home / "config.toml").read_text(encoding="utf-8")):
        assert tokens["access_token"] not in text and tokens["refresh_token"] not in text


def test_the_cli_takes_the_address_with_code_and_never_prints_a_token(wish: SandboxServer, tmp_path: Path) -> None:
    ws = real_workspace(tmp_path, wish)
    state = "unused"  # --code with a bare code: no state to compare
    code = parse_qs(urlsplit(browser(f"{wish.url}/v3/oauth/authorize?client_id={CREDS['client_id']}&state={state}")).query)["code"][0]
    result = CliRunner().invoke(cli, ["--home", str(ws.home), "accounts", "--authorize", "wish", "--code", code])
    assert result.exit_code == 0, result.output
    assert "인증 주소:" in result.output and "인증했습니다" in result.output
    listed = CliRunner().invoke(cli, ["--home", str(ws.home), "accounts"])
    assert listed.exit_code == 0 and "Wish/기본: 인증 정상" in listed.output, listed.output
    tokens = workspace_tokens(ws)
    assert tokens["access_token"] not in result.output + listed.output


def test_a_fresh_workspace_talks_to_the_wish_simulator_with_no_step(tmp_path: Path) -> None:
    ws, _ = init_workspace(tmp_path / "fresh")
    statuses = {s.account.mall: s for s in check_accounts(ws)}
    assert statuses["wish"].ok, statuses["wish"].message
    assert workspace_tokens(ws)["refresh_token"] and not (ws.state / "tokens").exists()
    if os.name == "posix":
        assert stat.S_IMODE(ws.store_path.stat().st_mode) == 0o600
    assert "access_token" not in (ws.home / "config.toml").read_text(encoding="utf-8")


def test_a_failed_refresh_shows_as_an_account_warning(wish: SandboxServer, tmp_path: Path) -> None:
    ws = real_workspace(tmp_path, wish)
    authorize(ws, "wish", None, lambda url, help_ko: browser(url))
    wish.simulator.revoke_tokens()
    [status] = check_accounts(ws)
    assert not status.ok and "인증 실패" in status.line_ko() and "다시 인증" in status.line_ko()


def test_session_gives_each_account_its_own_tokens(tmp_path: Path, wish: SandboxServer) -> None:
    from mallbatch.pipeline.session import Session

    ws = real_workspace(tmp_path, wish)
    authorize(ws, "wish", None, lambda url, help_ko: browser(url))
    with Session(ws) as session:
        acct = ws.config.accounts[0]
        other = session.adapter(replace(acct, name="둘째"))
        assert kept_tokens(session.kept(acct))["refresh_token"]
        assert session.kept(other.account).get(KEPT_KEY) is None
        with pytest.raises(AuthError):  # the other account is not authorized by the first one's tokens
            other.check_auth()
