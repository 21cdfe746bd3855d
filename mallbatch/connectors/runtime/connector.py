"""The Connector: the interface pipeline/ops.py, push.py, collect.py and accounts.py call,
implemented once from a :class:`MarketplaceSpec` (a mall's package subclasses it with ``spec``).

The HTTP client is built from the spec, so the hardening rules of :mod:`.http` (envelope,
deadline, body cap, masking, no blind resend of writes) hold for every connector.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from string import Formatter
from typing import Any, ClassVar
from urllib.parse import quote

from mallbatch.config import Account
from mallbatch.connectors.runtime.errors import classifier
from mallbatch.connectors.runtime.http import EndpointLimit, HttpClient, Limits, RetryPolicy, limiter_for
from mallbatch.connectors.runtime.paging import dig
from mallbatch.connectors.runtime.reads import run_read
from mallbatch.connectors.runtime.spec import FromAccount, MarketplaceSpec
from mallbatch.connectors.runtime.writes import run_write
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import (
    Answer,
    Claim,
    ClaimAction,
    Inquiry,
    Invoice,
    ItemResult,
    ListingChange,
    MallProduct,
    OrderCancel,
    OrderLine,
    ProductListing,
    ProductRef,
    Ticket,
    TicketAction,
)
from mallbatch.errors import AuthError, ConfigError
from mallbatch.malls import BY_CODE, OPTION_PRICES_FIX, OPTION_PRICES_IGNORED


class Connector:
    spec: ClassVar[MarketplaceSpec]

    def __init__(self, account: Account, *, retry: RetryPolicy | None = None, state_dir: Path | None = None,
                 limits: Limits = limiter_for) -> None:
        """``limits`` gives the account's limiters: this process's, or a PostgreSQL store's shared ones (Session)."""
        self.account = account
        self.retry = retry
        self.state_dir = state_dir  # the workspace's state folder, for a connector that keeps local state (ESM)
        self.memo: dict[str, Any] = {}  # per-connector state a hook keeps (위메프 ship policies)
        spec = self.spec
        rate = float(account.option("rate_limit") or spec.rate.client or spec.rate.per_second)
        # a rate_limit above the documented cap is the seller's explicit choice (e.g. a test mall)
        cap = max(spec.rate.cap, math.ceil(rate)) if spec.rate.cap else None
        self.auth = spec.auth(account)
        self.http = HttpClient(
            self.base_url,
            limiter=limits((spec.mall, account.name), rate, spec.rate.burst_at(rate), cap),
            auth=self.auth,
            classify=classifier(spec.envelope, spec.errors),
            endpoints=self._endpoint_limiters(rate, limits),
            **self.http_options(),
        )
        attach = getattr(self.auth, "attach", None)
        if attach is not None:  # an auth that calls the mall itself (a token endpoint) does so through this connector
            attach(self)

    def _endpoint_limiters(self, rate: float, limits: Limits) -> dict[tuple[str, str], EndpointLimit]:
        """A limiter per declared slow endpoint group, scaled as the account's rate is to the mall's (a test mall's
        rate_limit 1000 lets the 1/s lists go at 200/s), never above the account's own rate; one per account, or
        one per value of the account key it is ``shared_by``."""
        scale = rate / self.spec.rate.per_second
        by_path = {}
        for endpoint in self.spec.rate.endpoints:
            own = min(rate, endpoint.rate_at(scale))
            method, paths = endpoint.method.upper(), " ".join(endpoint.paths)
            key = ((endpoint.shared_by, f"{self.account.secret(endpoint.shared_by)} {method} {paths}") if endpoint.shared_by
                   else (self.spec.mall, f"{self.account.name} {method} {paths}"))
            limit = EndpointLimit(limits(key, own, 1, max(1, math.floor(own))), endpoint.applies)
            by_path |= {(method, path): limit for path in endpoint.paths}
        return by_path

    @property
    def base_url(self) -> str:
        return self.account.base_url or self.spec.base_url

    def close(self) -> None:
        self.http.close()

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

    # --- calls ------------------------------------------------------------------------
    def call(self, method: str, path: str, *, write: bool = False, send: str = "json",
             payload: dict[str, Any] | None = None) -> Any:
        """The answer's data (the envelope's data field) of a successful call.

        A ``{name}`` in ``path`` takes the payload's ``name`` (which is then not sent) or else the
        account's config value (11번가's path parameters, 쿠팡's vendorId); :class:`FromAccount` values of
        the payload are resolved too; with ``send="content"`` the payload's ``content`` is the raw body."""
        if payload is not None:
            payload = {k: self.account_value(v) if isinstance(v, FromAccount) else v for k, v in payload.items()}
        names = [name for _, name, _, _ in Formatter().parse(path) if name]
        if names:
            values = {n: payload.pop(n) if payload and n in payload else self.account.secret(n) for n in names}
            path = path.format_map({n: quote(str(v), safe="") for n, v in values.items()})
        if send == "content":
            kwargs = {"content": (payload or {}).get("content")}
        else:
            kwargs = {} if payload is None else {send: payload}
        body = self.spec.envelope.parse(self.http.request(method, path, write=write, **kwargs))
        field = self.spec.envelope.data
        return dig(body, field) if field else body

    def account_value(self, value: FromAccount) -> str:
        return self.account.secret(next((n for n in value.names if self.account.option(n)), value.names[-1]))

    def lookup(self, name: str, key: str) -> Any | None:
        """A declared Lookup: the mall's record for ``key``, or None when it has none."""
        lookup = self.spec.lookups[name]
        if lookup.scan is not None:
            return lookup.scan(self, key)
        try:
            query = lookup.query(key)
        except ValueError:  # a key the mall cannot have (not a number)
            return None
        try:
            path = lookup.path.replace("{key}", quote(key, safe=""))  # a key in the path
            data = self.call(lookup.method, path, send=lookup.send, payload=query)
        except lookup.missing:
            return None
        return (lookup.pick(data, key) if lookup.pick else data) or None

    def read_back(self, capability: Capability, wanted: dict[str, dict[str, Any]]) -> dict[str, ItemResult] | None:
        """Targets the mall already shows as asked (target → payload); None when nothing is declared."""
        write = self.spec.writes.get(capability)
        rule = write.read_back if write else None
        if rule is None:
            return None
        found = {}
        for target, payload in wanted.items():
            seen = self.lookup(rule.lookup, rule.key(payload) if rule.key else target)
            if seen is not None and rule.holds(seen, payload):
                found[target] = ItemResult(target, True, already=True, message_ko=rule.message)
        return found

    # --- checks made before any call -------------------------------------------------
    def listing_problems(self, listing: ProductListing) -> list[str]:
        """Per-mall rules from the spec, checked before a product is sent (Korean messages)."""
        rules, problems, name = self.spec.listing, [], self.account.label
        if rules.max_name_length and len(listing.name) > rules.max_name_length:
            problems.append(f"{name}: 상품명은 {rules.max_name_length}자 이하여야 합니다")
        if rules.max_option_names is not None and len(listing.option_names) > rules.max_option_names:
            problems.append(f"{name}: 옵션명은 {rules.max_option_names}개까지 가능합니다")
        if rules.max_option_combinations is not None and len(listing.options) > rules.max_option_combinations:
            problems.append(f"{name}: 옵션 조합은 {rules.max_option_combinations}개까지 가능합니다 (현재 {len(listing.options)}개)")
        # 옵션추가금액 against each group's 판매가 is a field rule, checked once at validate
        # (mallbatch.kinds.products.check_option_price_range).
        if rules.max_option_values is not None:
            values = {v for combo in listing.options for v in combo.values}
            if len(values) > rules.max_option_values:
                problems.append(f"{name}: 옵션값은 {rules.max_option_values}개까지 가능합니다 (현재 {len(values)}개)")
        mall = BY_CODE.get(self.spec.mall)
        if mall is not None and not mall.option_prices and any(o.extra_price for o in listing.options):
            problems.append(f"{name}: {OPTION_PRICES_IGNORED.format(name=mall.name)}. {OPTION_PRICES_FIX}")
        extra = self.spec.hooks.listing_problems
        return problems + (extra(self, listing) if extra else [])

    def listing_warnings(self, listing: ProductListing) -> list[str]:
        """What the mall will show differently from the seller's row (Korean, 경고): sent anyway."""
        warn = self.spec.hooks.listing_warnings
        return warn(self, listing) if warn else []

    def check_auth(self) -> None:
        """A key past its declared lifetime, else one cheap authenticated call; AuthError when refused."""
        issued, lifetime = self.account.key_issued, self.spec.key_lifetime_days
        if issued and lifetime and date.today() > issued + timedelta(days=lifetime):
            raise AuthError(f"{self.spec.envelope.mall_ko} API 키 유효기간({lifetime}일)이 지났습니다 (발급일 {issued}). "
                            "새 키를 발급받아 config.toml 에 넣으세요", code="KEY_EXPIRED")
        method, path, *params = self.spec.auth_probe
        self.call(method, path, send="params", payload=params[0]() if params else None)

    # --- products (hooks) ---------------------------------------------------------------
    def create_product(self, listing: ProductListing) -> ProductRef:
        return self._hook("create_product")(self, listing)

    def create_products(self, listings: Sequence[ProductListing]) -> list[ItemResult]:
        """``product.create`` of a batch (``spec.batch``; one for every API mall), one result per listing."""
        results = []
        for listing in listings:
            ref = self.create_product(listing)
            results.append(ItemResult(listing.seller_code, True, remote_id=ref.product_id, extra=ref.extra))
        return results

    def update_product(self, ref: ProductRef, listing: ProductListing) -> ProductRef:
        return self._hook("update_product")(self, ref, listing)

    def find_product(self, seller_code: str) -> ProductRef | None:
        """Read back by 자체상품코드: how an unknown create outcome is reconciled."""
        return self._hook("find_product")(self, seller_code)

    def product_matches(self, product_id: str, name: str, sale_price: int) -> bool:
        """Does the mall's product already show this name and sale price? (read-back of an update)"""
        return bool(self._hook("product_matches")(self, product_id, name, sale_price))

    def _hook(self, name: str) -> Any:
        hook = getattr(self.spec.hooks, name)
        if hook is None:
            raise NotImplementedError(f"{self.spec.mall}: {name}")
        return hook

    # --- orders, claims, inquiries ----------------------------------------------------
    def collect(self, what: str, since: datetime, until: datetime) -> Iterator[Any]:
        """Every read named ``what`` or ``what.<part>`` (쿠팡 claims: returns and exchanges are two lists)."""
        for name, read in self.spec.reads.items():
            if name == what or name.startswith(f"{what}."):
                yield from run_read(self, read, since, until)

    def orders(self, since: datetime, until: datetime) -> Iterator[OrderLine]:
        return self.collect("orders", since, until)

    def claims(self, since: datetime, until: datetime) -> Iterator[Claim]:
        return self.collect("claims", since, until)

    def inquiries(self, since: datetime, until: datetime) -> Iterator[Inquiry]:
        return self.collect("inquiries", since, until)

    def tickets(self, since: datetime, until: datetime) -> Iterator[Ticket]:
        return self.collect("tickets", since, until)

    def list_products(self) -> Iterator[MallProduct]:
        """Every listing of this account (``mallbatch import``): the read named "products", unwindowed."""
        now = datetime.now().astimezone()
        return self.collect("products", now - timedelta(days=365 * 30), now + timedelta(days=1))

    def lookup_orders(self, ids: Sequence[str]) -> list[OrderLine]:
        """Current state of the lines of these ship units / line ids (read-back)."""
        return self._hook("lookup_orders")(self, ids)

    def lookup_inquiries(self, ids: Sequence[str]) -> list[Inquiry]:
        mapping = self.spec.lookups["inquiry"].mapping
        found = (self.lookup("inquiry", i) for i in dict.fromkeys(str(i).strip() for i in ids))
        return [mapping(item, self.account.name) if mapping else item for item in found if item is not None]

    # --- writes -----------------------------------------------------------------------
    def confirm(self, ship_units: Sequence[str]) -> list[ItemResult]:
        """발주확인; at most ``spec.batch(ORDERS_CONFIRM)`` units per call."""
        return run_write(self, self.spec.writes[Capability.ORDERS_CONFIRM], ship_units)

    def send_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        return run_write(self, self.spec.writes[Capability.INVOICES_SEND], invoices)

    def update_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        return run_write(self, self.spec.writes[Capability.INVOICES_UPDATE], invoices)

    def delete_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        """송장삭제 of the invoice on these units (the Invoice says which one); keyed by ship unit."""
        return run_write(self, self.spec.writes[Capability.INVOICES_DELETE], invoices)

    def answer(self, answers: Sequence[Answer]) -> list[ItemResult]:
        return run_write(self, self.spec.writes[Capability.INQUIRIES_ANSWER], answers)

    def set_stock(self, changes: Sequence[ListingChange]) -> list[ItemResult]:
        """재고 of products or options (0 is 품절); keyed by ``ListingChange.target``."""
        return run_write(self, self.spec.writes[Capability.STOCK_UPDATE], changes)

    def set_price(self, changes: Sequence[ListingChange]) -> list[ItemResult]:
        return run_write(self, self.spec.writes[Capability.PRICE_UPDATE], changes)

    def set_sale(self, changes: Sequence[ListingChange]) -> list[ItemResult]:
        """판매중지 (``on_sale`` False) or 판매재개 (True) of a whole product."""
        return run_write(self, self.spec.writes[Capability.SALE_STATUS], changes)

    # --- after the sale ---------------------------------------------------------------
    def cancel_orders(self, cancels: Sequence[OrderCancel]) -> list[ItemResult]:
        """판매취소 by the seller; keyed by line id."""
        return run_write(self, self.spec.writes[Capability.ORDERS_CANCEL], cancels)

    def release_orders(self, ship_units: Sequence[str]) -> list[ItemResult]:
        """보류해제 of orders the mall holds; keyed by ship unit."""
        return run_write(self, self.spec.writes[Capability.ORDERS_RELEASE], ship_units)

    def act_on_claims(self, capability: Capability, actions: Sequence[ClaimAction]) -> list[ItemResult]:
        """One claim action (a domain.capability.CLAIM_ACTIONS member) on several claims; keyed by claim id."""
        return run_write(self, self.spec.writes[capability], actions)

    def act_on_tickets(self, capability: Capability, actions: Sequence[TicketAction]) -> list[ItemResult]:
        """One ticket action (a domain.capability.TICKET_ACTIONS member) on several tickets; keyed by ticket id."""
        return run_write(self, self.spec.writes[capability], actions)
