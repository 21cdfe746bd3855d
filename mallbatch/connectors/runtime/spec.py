"""A marketplace declared once: :class:`MarketplaceSpec` and the parts it is made of.

Everything a mall's documentation states (auth, rate and burst, envelope, error codes, windows,
batch sizes, listing and answer rules, couriers, key lifetimes) is a field here, so the runtime,
the planner, the README table and the config comments all read the same value. Capabilities
are derived from what is declared: a mall can do what it has a read, a write or a hook for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from mallbatch.connectors.runtime.errors import ErrorRule
from mallbatch.connectors.runtime.http import DEFAULT_DEADLINE, DEFAULT_MAX_BODY_MB, Envelope
from mallbatch.connectors.runtime.paging import Paginator, Single
from mallbatch.connectors.runtime.windows import Window
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ItemResult
from mallbatch.errors import RejectedError, RemoteError

if TYPE_CHECKING:
    from mallbatch.config import Account

Partition = dict[str, Any]


@dataclass(frozen=True)
class Credential:
    """One config.toml key of an account; ``hint_ko`` becomes its comment in the template."""

    name: str
    hint_ko: str
    secret: bool = True
    lifetime_days: int | None = None  # the mall expires it after this many days


@dataclass(frozen=True)
class EndpointRate:
    """Calls a mall allows fewer of than the rest: one limiter over ``paths``, scaled with the account's rate_limit
    and always under it, with its own one-second cap (아임웹's full lists 1/s against 5/s; ESM's order lists)."""

    method: str
    paths: tuple[str, ...]
    per_second: float  # the mall's documented rate for these calls
    client: float | None = None  # the rate the client keeps to (a margin under per_second, as arrivals jitter)
    # account key whose value keys the limiter: every account naming the same value shares it, across malls
    # (ESM: the G마켓 and 옥션 accounts of one master id, whose tokens name both seller ids)
    shared_by: str = ""
    applies: Callable[[Any], bool] | None = None  # the calls (by payload) it limits; None: all (ESM: lists by period)
    what_ko: str = ""  # which calls, for the docs, when ``applies`` narrows them

    def rate_at(self, scale: float) -> float:
        return (self.client or self.per_second) * scale


@dataclass(frozen=True)
class Rate:
    per_second: float  # the mall's documented average requests per second
    burst: int = 1  # requests saved up beyond the average
    cap: int | None = None  # never more than this in any one-second window
    client: float | None = None  # the average the client keeps to (a margin under per_second); account rate_limit overrides
    burst_seconds: float | None = None  # the burst is this many seconds of the rate in use (스마트스토어: 2 × rate)
    endpoints: tuple[EndpointRate, ...] = ()  # slower calls (exact paths), each group with its own limiter

    def burst_at(self, rate: float) -> int:
        """The burst for ``rate`` (the account's rate_limit or ``per_second``)."""
        return max(1, round(rate * self.burst_seconds)) if self.burst_seconds else self.burst


@dataclass(frozen=True)
class ListingRules:
    """Per-mall product rules checked before any call (Korean messages in Connector.listing_problems)."""

    max_name_length: int | None = None
    max_option_names: int | None = None
    max_option_values: int | None = None
    max_option_combinations: int | None = None
    option_stock: bool = True  # the mall's API sets the stock of one option (else only the product's total)


@dataclass(frozen=True)
class Expand:
    """Poll changes, then fetch the changed records' details in batches of ``batch`` ids."""

    method: str
    path: str
    batch: int
    id_of: Callable[[Any], str | None]  # the id a change record names; None: a change this read does not want
    body: Callable[[list[str]], dict[str, Any]]
    # data field of the detail list, or (answer, ids asked) → records for a mall whose detail read
    # answers one record that does not name itself (스마트스토어's origin product by number)
    records: str | Callable[[Any, list[str]], list[Any]] = ""
    send: str = "json"
    # the records callable gets {id: change record} instead of the ids: a mall whose detail read lacks what the
    # change list holds (아임웹: the orderer and address are on the order, the lines on its prod-orders)
    with_changes: bool = False


@dataclass(frozen=True)
class Read:
    """One collected list: windows × partitions × pages, each record mapped, deduplicated and kept
    when its stamp is within [since, until) (the mall's window ends may be inclusive)."""

    what_ko: str  # "주문", named in paging errors
    method: str
    path: str
    mapping: Callable[[Any, Partition, str], Any]  # (mall record, partition, account) → record(s)
    key: Callable[[Any], str]  # dedupe across windows and partitions
    stamp: Callable[[Any, Partition], datetime | None]
    records: str = ""  # data field of the list
    window: Window | None = None
    partitions: tuple[Partition, ...] = ({},)
    paginator: Paginator = Single()
    send: str = "json"  # "json" body or "params" query
    keep_unstamped: bool = False  # a record without a stamp is kept (else dropped)
    expand: Expand | None = None


@dataclass(frozen=True)
class FromAccount:
    """A request value taken from the account's config, resolved by Connector.call (쿠팡's vendorId
    in queries and bodies); the first of ``names`` the account has."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Lookup:
    """Read one record by key (read-back, lookups); a refusal or an empty answer is "not found".

    A ``{name}`` in ``path`` is filled from the query (see Connector.call). ``scan`` is for a mall
    with no single-record read: (connector, key) → the record or None, instead of one call."""

    method: str = "GET"
    path: str = ""  # "{key}" in it is replaced by the key (validate the key in ``query``)
    query: Callable[[str], dict[str, Any]] = lambda key: {}
    send: str = "params"
    mapping: Callable[[Any, str], Any] | None = None  # (data, account) → record, for lookup_inquiries
    missing: tuple[type[RemoteError], ...] = (RejectedError,)
    scan: Callable[[Any, str], Any] | None = None
    pick: Callable[[Any, str], Any] | None = None  # (answer, key) → the record, for a mall that only lists


@dataclass(frozen=True)
class ReadBack:
    """After a refusal or an unknown outcome: the mall already shows what was asked → done."""

    lookup: str  # a key of MarketplaceSpec.lookups
    holds: Callable[[Any, dict[str, Any]], bool]  # (what the mall shows, what was asked as a payload)
    message: str  # Korean, e.g. "이미 발주확인된 주문입니다"
    # the lookup's key from the journal payload, when the write's key alone cannot find the record (아임웹: a
    # prod order is read through its order, so a 판매취소 keyed by line is looked up as "order/line"); default the key
    key: Callable[[dict[str, Any]], str] | None = None


@dataclass(frozen=True)
class Write:
    """One write: ``batch`` items per call, a body, per-item results, a precheck and a read-back."""

    method: str
    path: str
    key: Callable[[Any], str]  # the item's target (ship unit, inquiry id)
    body: Callable[[list[Any]], dict[str, Any]]
    batch: int = 1  # items per call, or with ``weight`` the sum of their weights
    precheck: Callable[[Any], str | tuple[str, str] | None] | None = None  # Korean refusal (or (code, refusal)) before any call
    # (connector, item) → the item completed from the mall, a list of its parts (sent as items under its key), or a refusal like precheck's
    prepare: Callable[[Any, Any], Any] | None = None
    weight: Callable[[Any], int] | None = None  # how much of ``batch`` one item takes (쿠팡: one DTO per vendorItem)
    results: Callable[[Any, list[Any]], list[ItemResult]] | None = None  # per-item answer; else all ok
    remote_id: str = ""  # data field of the mall's receipt
    read_back: ReadBack | None = None
    send: str = "json"
    route: Callable[[list[Any]], tuple[str, str]] | None = None  # (method, path) per batch, when it depends on the items
    group: Callable[[Any], str] | None = None  # items of one group share calls, never with another's (one product per call)

    def endpoint(self, items: list[Any]) -> tuple[str, str]:
        return self.route(items) if self.route else (self.method, self.path)


@dataclass(frozen=True)
class Hooks:
    """What is genuinely special to a mall, as code. Each takes the connector first."""

    create_product: Callable[..., Any] | None = None
    update_product: Callable[..., Any] | None = None
    find_product: Callable[..., Any] | None = None
    product_matches: Callable[..., bool] | None = None
    lookup_orders: Callable[..., list[Any]] | None = None
    listing_problems: Callable[..., list[str]] | None = None  # beyond ListingRules
    listing_warnings: Callable[..., list[str]] | None = None  # sent anyway, with a 경고 on the row (ESM: 제조사 shown as 기타)


@dataclass(frozen=True)
class SandboxHints:
    example_category: str = ""  # a category id the simulator accepts, for example workbooks
    courier: str = "CJ"  # canonical courier code the demo ships with


@dataclass(frozen=True)
class MarketplaceSpec:
    mall: str
    base_url: str
    credentials: tuple[Credential, ...]
    auth: Callable[[Account], httpx.Auth]
    rate: Rate
    envelope: Envelope
    auth_probe: tuple[Any, ...]  # (method, path[, () → params]) of one cheap authenticated read
    errors: tuple[ErrorRule, ...] = ()
    # "orders" / "claims" / "inquiries" / "products"; several Reads when the mall keeps one list in several systems
    reads: dict[str, Read] = field(default_factory=dict)
    lookups: dict[str, Lookup] = field(default_factory=dict)
    writes: dict[Capability, Write] = field(default_factory=dict)
    hooks: Hooks = Hooks()
    listing: ListingRules = ListingRules()
    answer_length: tuple[int, int] | None = None
    answer_bytes: bool = False  # answer_length counts UTF-8 bytes, not characters (ESM: comments ≤ 1000 bytes)
    answer_deadline_hours: int | None = None
    confirm_before_invoice: bool = True
    split_quantity: bool = False  # a line's quantity may be shipped or cancelled in parts (아임웹 상품준비, seed 003)
    digit_ids: bool = True  # order numbers and ship units are digits (the 주문번호/묶음배송번호 cells are checked so)
    # the order lists show unshipped orders only (티몬: D1/D2): a collection looks up, one order at a time, the lines
    # it has open that the lists no longer show, so a line shipped (or cancelled) leaves the 주문 workbook's to-do
    open_orders_only: bool = False
    couriers: dict[str, str] = field(default_factory=dict)  # canonical courier code → the mall's
    reasons: dict[str, str] = field(default_factory=dict)  # domain.states.SELLER_REASONS → the mall's reason code
    sandbox: SandboxHints = SandboxHints()
    timeout: float = 10.0  # per socket operation
    deadline: float = DEFAULT_DEADLINE  # connect + whole response; account option deadline_seconds
    max_body_mb: int = DEFAULT_MAX_BODY_MB  # account option max_body_mb

    def __post_init__(self) -> None:
        # No blind resend by construction: a write whose answer is lost must say how to read it back.
        missing = [str(c) for c, write in self.writes.items() if write.read_back is None]
        if missing:
            raise TypeError(f"{self.mall}: writes without a ReadBack: {', '.join(missing)}")

    @property
    def capabilities(self) -> frozenset[Capability]:
        declared = {Capability.ORDERS_COLLECT: "orders", Capability.CLAIMS_COLLECT: "claims",
                    Capability.INQUIRIES_COLLECT: "inquiries", Capability.PRODUCTS_LIST: "products",
                    Capability.TICKETS_COLLECT: "tickets"}
        found = {c for c, name in declared.items() if name in self.reads} | set(self.writes)
        if self.hooks.create_product:
            found.add(Capability.PRODUCTS_CREATE)
        if self.hooks.update_product:
            found.add(Capability.PRODUCTS_UPDATE)
        return frozenset(found)

    @property
    def rate_per_second(self) -> float:
        return self.rate.per_second

    @property
    def windows(self) -> dict[str, timedelta]:
        return {name: read.window.span for name, read in self.reads.items() if read.window}

    @property
    def max_name_length(self) -> int | None:
        return self.listing.max_name_length

    @property
    def max_option_names(self) -> int | None:
        return self.listing.max_option_names

    @property
    def max_option_values(self) -> int | None:
        return self.listing.max_option_values

    @property
    def key_lifetime_days(self) -> int | None:
        lifetimes = [c.lifetime_days for c in self.credentials if c.lifetime_days]
        return min(lifetimes) if lifetimes else None

    def batch(self, capability: Capability) -> int:
        write = self.writes.get(capability)
        return write.batch if write else 1
