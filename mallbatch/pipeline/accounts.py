"""Account health: does auth work, and how long until the API key expires (쿠팡: 180 days).

Warns at 14, 7 and 1 days. Secrets are never shown; only labels and dates are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mallbatch.config import Account
from mallbatch.connectors.filemall.spec import FILE_TRANSPORT
from mallbatch.malls import mall_name
from mallbatch.errors import ConfigError, RemoteError
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
