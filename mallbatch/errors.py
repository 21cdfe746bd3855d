"""One exception tree, grouped by what the caller must do.

    MallbatchError
    ├── ConfigError          config.toml is wrong or a secret is missing: fix config, nothing was sent
    ├── InputFileError       the dropped file cannot be read at all (not a spreadsheet, encrypted, too big)
    ├── StoreError           mallbatch.db is damaged, the disk is full or unwritable: stop, restore or free space
    └── RemoteError          something happened talking to a marketplace
        ├── AuthError        key expired / IP not registered / bad signature: stop calling this account
        ├── RateLimited      429: wait ``retry_after`` seconds, then the same call is safe to repeat
        ├── TransientError   5xx or connection failure before the mall accepted anything: retry later
        │   └── MalformedResponse  a 2xx that is not the mall's envelope (HTML, garbage), a 3xx,
        │                          a paginator that repeats itself: a read is retried, then fails
        ├── ResponseTooLarge a body past the configured cap: never retried, never buffered
        ├── RejectedError    the mall refused this row; ``message_ko`` is shown beside the row
        └── OutcomeUnknown   the request may have been applied (timeout, dropped response):
                             read the mall back before anything is resent

Every message is Korean because it reaches the seller; none of them may contain a secret.
"""

from __future__ import annotations


class MallbatchError(Exception):
    """Base of every error mallbatch raises on purpose."""


class ConfigError(MallbatchError):
    """Configuration is missing or invalid."""


class InputFileError(MallbatchError):
    """A whole input file cannot be read; ``fix`` tells the seller what to do."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} {self.fix}".strip()


class StoreError(MallbatchError):
    """The local state store cannot be used; the message names the file and what to do.

    Raised instead of carrying on: without the journal nothing may be sent."""


class RemoteError(MallbatchError):
    """Base for marketplace communication failures."""

    def __init__(self, message_ko: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message_ko)
        self.message_ko = message_ko
        self.code = code
        self.status = status


class AuthError(RemoteError):
    """Credentials are rejected; further calls on this account are pointless."""


class RateLimited(RemoteError):
    """The mall throttled us; the call was not applied."""

    def __init__(self, message_ko: str, *, retry_after: float | None = None, code: str = "", status: int | None = 429) -> None:
        super().__init__(message_ko, code=code, status=status)
        self.retry_after = retry_after


class TransientError(RemoteError):
    """A server or network failure where the call was not applied."""


class MalformedResponse(TransientError):
    """What came back is not the mall's answer (maintenance page, proxy, login redirect, loop)."""


class ResponseTooLarge(RemoteError):
    """The body grew past ``max_body_mb``; reading stopped there."""


class RejectedError(RemoteError):
    """The mall refused the request for this row."""


class OutcomeUnknown(RemoteError):
    """The write may or may not have been applied; reconcile before resending."""
