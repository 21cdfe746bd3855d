"""The adapter contract: a declared :class:`MallSpec` plus a handful of methods.

An adapter is declared rather than hand-coded where it can be: capabilities, batch
sizes, time windows, rate limit and per-mall listing rules live in ``spec``. The
planner reads ``spec.capabilities`` to answer "이 쇼핑몰은 지원하지 않습니다" per row
instead of calling a method the mall does not have.

Writes return one :class:`ItemResult` per item because malls answer bulk writes with
HTTP 200 and per-item results. Reads are generators over the mall's paging, each call
within the mall's maximum window (see :func:`windows`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from mallbatch.domain.capability import Capability
from mallbatch.domain.records import (
    Answer,
    Claim,
    Inquiry,
    Invoice,
    ItemResult,
    OrderLine,
    ProductListing,
    ProductRef,
)
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.http import DEFAULT_DEADLINE, DEFAULT_MAX_BODY_MB, Envelope, RetryPolicy
from mallbatch.connectors.runtime.spec import Credential, Rate
from mallbatch.config import Account
from mallbatch.errors import ConfigError


@dataclass(frozen=True)
class MallSpec:
    """What a mall offers and the limits its documentation states."""

    mall: str
    base_url: str
    capabilities: frozenset[Capability]
    rate_per_second: float
    envelope: Envelope  # how the mall's own answer looks (anything else is never read as "nothing")
    credentials: tuple[Credential, ...] = ()  # config.toml keys, as in MarketplaceSpec
    burst: int = 1
    per_second: int | None = None  # a hard cap the mall enforces in every one-second window
    batch_sizes: dict[Capability, int] = field(default_factory=dict)
    windows: dict[str, timedelta] = field(default_factory=dict)  # "orders" / "claims" / "inquiries"
    confirm_before_invoice: bool = True
    answer_length: tuple[int, int] | None = None
    answer_deadline_hours: int | None = None
    max_option_names: int | None = None
    max_option_values: int | None = None
    max_option_combinations: int | None = None
    max_name_length: int | None = None
    key_lifetime_days: int | None = None
    timeout: float = 10.0  # per socket operation
    deadline: float = DEFAULT_DEADLINE  # connect + whole response; account option deadline_seconds
    max_body_mb: int = DEFAULT_MAX_BODY_MB  # account option max_body_mb

    @property
    def rate(self) -> Rate:
        """The same shape as MarketplaceSpec.rate, so docs read both alike."""
        return Rate(self.rate_per_second, self.burst, self.per_second)

    def batch(self, capability: Capability) -> int:
        return self.batch_sizes.get(capability, 1)


def windows(since: datetime, until: datetime, span: timedelta) -> Iterator[tuple[datetime, datetime]]:
    """Split [since, until) into consecutive windows no longer than the mall allows."""
    start = since
    while start < until:
        end = min(until, start + span)
        yield start, end
        start = end


class Adapter(Connector):
    """A hand-written connector (쿠팡, 스마트스토어 until they are declared as specs): a subclass
    sets ``spec`` and implements the methods its capabilities name."""

    spec: ClassVar[MallSpec]  # type: ignore[assignment]

    def __init__(self, account: Account, *, retry: RetryPolicy | None = None) -> None:
        self.account = account
        self.retry = retry

    @property
    def base_url(self) -> str:
        return self.account.base_url or self.spec.base_url

    def close(self) -> None:
        """Release connections; adapters holding an HttpClient override this."""

    def read_back(self, capability: Capability, wanted: dict[str, dict[str, Any]]) -> None:
        """Nothing declared: pipeline/ops.py reads back through lookup_orders / lookup_inquiries."""

    def http_options(self) -> dict[str, Any]:
        """HttpClient settings from the spec, with the account's deadline_seconds / max_body_mb."""
        values = {}
        for key, default in (("deadline_seconds", self.spec.deadline), ("max_body_mb", self.spec.max_body_mb)):
            raw = self.account.option(key, default)
            try:
                values[key] = float(raw)
            except (TypeError, ValueError):
                raise ConfigError(f"{self.account.label}: {key} 는 숫자여야 합니다 (현재 {raw!r}).") from None
            if values[key] <= 0:
                raise ConfigError(f"{self.account.label}: {key} 는 0보다 커야 합니다 (현재 {raw!r}).")
        return {"envelope": self.spec.envelope, "timeout": min(self.spec.timeout, values["deadline_seconds"]),
                "deadline": values["deadline_seconds"], "max_body": int(values["max_body_mb"] * 2**20), "retry": self.retry}

    # --- checks made before any call -------------------------------------------------
    def listing_problems(self, listing: ProductListing) -> list[str]:
        """Per-mall rules from the spec, checked before a product is sent (Korean messages)."""
        spec, problems = self.spec, []
        name = self.account.label
        if spec.max_name_length and len(listing.name) > spec.max_name_length:
            problems.append(f"{name}: 상품명은 {spec.max_name_length}자 이하여야 합니다")
        if spec.max_option_names is not None and len(listing.option_names) > spec.max_option_names:
            problems.append(f"{name}: 옵션명은 {spec.max_option_names}개까지 가능합니다")
        if spec.max_option_combinations is not None and len(listing.options) > spec.max_option_combinations:
            problems.append(f"{name}: 옵션 조합은 {spec.max_option_combinations}개까지 가능합니다 (현재 {len(listing.options)}개)")
        # 옵션추가금액 against each group's 판매가 is a field rule, checked once at validate
        # (mallbatch.kinds.products.check_option_price_range).
        if spec.max_option_values is not None:
            values = {v for combo in listing.options for v in combo.values}
            if len(values) > spec.max_option_values:
                problems.append(f"{name}: 옵션값은 {spec.max_option_values}개까지 가능합니다 (현재 {len(values)}개)")
        return problems

    # --- auth -------------------------------------------------------------------------
    def check_auth(self) -> None:
        """Make one cheap authenticated call; raise AuthError when the mall refuses."""
        raise NotImplementedError

    # --- products ---------------------------------------------------------------------
    def create_product(self, listing: ProductListing) -> ProductRef:
        raise NotImplementedError

    def update_product(self, ref: ProductRef, listing: ProductListing) -> ProductRef:
        raise NotImplementedError

    def find_product(self, seller_code: str) -> ProductRef | None:
        """Read back by 자체상품코드: how an unknown create outcome is reconciled."""
        raise NotImplementedError

    def product_matches(self, product_id: str, name: str, sale_price: int) -> bool:
        """Does the mall's product already show this name and sale price? (read-back of an update)"""
        raise NotImplementedError

    # --- orders, claims, inquiries ----------------------------------------------------
    def orders(self, since: datetime, until: datetime) -> Iterator[OrderLine]:
        raise NotImplementedError

    def lookup_orders(self, ids: Sequence[str]) -> list[OrderLine]:
        """Current state of the lines of these ship units / line ids (read-back)."""
        raise NotImplementedError

    def claims(self, since: datetime, until: datetime) -> Iterator[Claim]:
        raise NotImplementedError

    def inquiries(self, since: datetime, until: datetime) -> Iterator[Inquiry]:
        raise NotImplementedError

    def lookup_inquiries(self, ids: Sequence[str]) -> list[Inquiry]:
        raise NotImplementedError

    # --- writes -----------------------------------------------------------------------
    def confirm(self, ship_units: Sequence[str]) -> list[ItemResult]:
        """발주확인; at most ``spec.batch(ORDERS_CONFIRM)`` units per call."""
        raise NotImplementedError

    def send_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        raise NotImplementedError

    def update_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        raise NotImplementedError

    def answer(self, answers: Sequence[Answer]) -> list[ItemResult]:
        raise NotImplementedError
