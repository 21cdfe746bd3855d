"""Account health: does auth work, and how long until the API key expires (쿠팡: 180 days); and the
one-time browser authorization of an OAuth mall (Wish).

Warns at 14, 7 and 1 days. Secrets and tokens are never shown; only labels and dates are.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mallbatch.config import Account
from mallbatch.connectors.filemall.spec import FILE_TRANSPORT
from mallbatch.errors import AuthError, ConfigError, RemoteError
from mallbatch.malls import find_mall, mall_name
from mallbatch.pipeline.session import Session
from mallbatch.workspace import Workspace

WARN_DAYS = (14, 7, 1)


@dataclass
class AccountStatus:
    account: Account
    ok: bool
    message: str
    days_left: int | None = None
    by_file: bool = False  # a file mall: no auth, no key; its uploads and downloads go through folders

    @property
    def warning(self) -> bool:
        return self.days_left is not None and self.days_left <= WARN_DAYS[0]

    def line_ko(self) -> str:
        if self.by_file:
            state = FILE_TRANSPORT if self.ok else f"{FILE_TRANSPORT} - 양식 오류: {self.message}"
            return f"{self.account.label}: {state}, 인증·키 만료 없음 (업로드 파일은 outbox/{mall_name(self.account.mall)}/)"
        mode = " (시뮬레이터)" if self.account.sandbox else ""
        if self.days_left is None:
            expiry = "키 만료 없음"
        elif self.days_left < 0:
            expiry = f"키가 {-self.days_left}일 전에 만료됨 - 새 키를 발급받아 config.toml 에 넣으세요"
        else:
            expiry = f"키 만료까지 {self.days_left}일" + (" - 곧 만료됩니다. 새 키를 발급받으세요" if self.warning else "")
        return f"{self.account.label}{mode}: {'인증 정상' if self.ok else '인증 실패 - ' + self.message}, {expiry}"


    def board_row(self) -> dict[str, Any]:
        """The account as 상태 lists it (mallbatch.watch.status.Board.accounts)."""
        return {"label": self.account.label, "ok": self.ok, "warn": not self.ok or self.warning, "line": self.line_ko(),
                "days_left": self.days_left, "by_file": self.by_file}


def days_left(account: Account, lifetime: int | None, today: date | None = None) -> int | None:
    issued = account.key_issued
    if lifetime is None or issued is None:
        return None
    return (issued + timedelta(days=lifetime) - (today or date.today())).days


def check_accounts(ws: Workspace) -> list[AccountStatus]:
    statuses = []
    with Session(ws) as session:
        for account in ws.config.accounts:
            try:
                adapter = session.adapter(account)
            except ConfigError as exc:
                statuses.append(AccountStatus(account, False, str(exc)))
                continue
            if adapter is None:
                statuses.append(AccountStatus(account, False, "아직 mallbatch 가 연동하지 않는 쇼핑몰입니다"))
                continue
            by_file = getattr(adapter, "transport", "api") == "file"
            left = days_left(account, adapter.spec.key_lifetime_days)
            try:
                adapter.check_auth()
            except ConfigError as exc:  # a file mall's layout override that cannot be used
                statuses.append(AccountStatus(account, False, str(exc), None, by_file))
                continue
            except RemoteError as exc:
                statuses.append(AccountStatus(account, False, exc.message_ko, left))
                continue
            statuses.append(AccountStatus(account, True, "", left, by_file))
    return statuses


PASTE_HELP = ("위 주소를 브라우저에서 열어 Wish 에 로그인하고 앱을 승인하세요. 승인하면 등록한 Redirect URI 로 이동합니다"
              " (페이지가 열리지 않아도 괜찮습니다). 그때 주소창의 주소 전체를 복사해 여기에 붙여 넣으세요")


def authorize(ws: Workspace, mall: str, name: str | None, paste: Callable[[str, str], str]) -> str:
    """Authorize one OAuth account once; the Korean line to show. ``paste(url, help)`` shows the authorize
    URL and returns what the seller pasted (the redirected address or the code). A simulator account
    approves at once and needs no paste. Tokens go to the workspace's store, never to the screen."""
    found = find_mall(mall)
    mall = found.code if found else mall
    account = ws.config.find_account(mall, name)
    if account is None:
        names = ", ".join(a.name for a in ws.config.accounts_for(mall)) or "없음"
        raise ConfigError(f"config.toml 에 {mall} 계정{' ' + name if name else ''} 이(가) 없습니다 (있는 계정: {names}). "
                          "여러 계정이면 --account 로 이름을 주세요")
    with Session(ws) as session:
        adapter = session.adapter(account)
        auth = getattr(adapter, "auth", None) if adapter is not None else None
        if not hasattr(auth, "authorize_url"):
            raise ConfigError(f"{account.label}: 이 쇼핑몰은 브라우저 인증이 필요 없습니다. config.toml 의 키로 인증합니다")
        if account.sandbox:
            auth.authorize_sandbox()
        else:
            state = secrets.token_urlsafe(12)
            auth.exchange_pasted(paste(auth.authorize_url(state), PASTE_HELP), state)
        try:
            adapter.check_auth()
        except AuthError as exc:
            return f"{account.label}: 인증 후 확인에 실패했습니다 - {exc.message_ko}"
    return f"{account.label}: 인증했습니다. 토큰은 상태 저장소(mallbatch.db 또는 [store] 의 PostgreSQL)에 저장했고(화면·로그에는 표시하지 않음), 이 저장소를 쓰는 모든 작업 컴퓨터가 함께 쓰며 만료 전에 자동으로 갱신합니다"
