"""The seller's stock levels as journaled ``listing.stock`` commands, one per bound mall account.

Shared by the 재고·가격 sheet (``push``) and the stock sync after a collection: both hand over
:class:`~mallbatch.store.stock.Level` objects and get back what to send and what cannot be sent.
Each command's payload is ``ListingChange.payload()`` plus the level's ``revision``, so one
revision is sent once per account (a re-dropped file or a re-run finds it done in the journal);
:func:`mark_synced`, called with the command's outcome, records the revision as sent.

A mall whose spec says ``ListingRules.option_stock=False`` cannot set one option's stock: it
gets the product's total (the sum of every option's available quantity) with a warning that
the option could not be sold out alone there.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from mallbatch.config import Account
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ListingChange
from mallbatch.malls import mall_name
from mallbatch.pipeline.ops import Outcome
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from mallbatch.store.journal import DONE, Command
from mallbatch.store.stock import Level

STOCK_OP = "listing.stock"
CAPABILITY_NAMES = {Capability.STOCK_UPDATE: "재고 변경", Capability.PRICE_UPDATE: "판매가 변경",
                    Capability.SALE_STATUS: "판매중지/판매재개"}


@dataclass
class StockTask:
    """One ``listing.stock`` command for one account; ``levels`` become synced when it is done."""

    account: Account
    command: Command
    change: ListingChange
    levels: tuple[Level, ...]
    warnings: list[str] = field(default_factory=list)  # Korean, for the rows of these levels


@dataclass(frozen=True)
class Refusal:
    """A level that is not sent to an account, and why (Korean, says what to do)."""

    code: str
    option: str
    label: str  # "쿠팡/기본", or the mall's name when no account is configured
    message: str
    current: bool = False  # not a failure: the account was already sent this revision


@dataclass
class StockPlan:
    tasks: list[StockTask] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def bound_accounts(store: Store, code: str, accounts: Collection[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """The bindings of ``code`` (mall, account, product_id, extra as a dict), limited to ``accounts``."""
    return [binding for binding in store.journal.bindings_for(code)
            if accounts is None or (binding["mall"], binding["account"]) in accounts]


def connect(session: Session, mall: str, name: str, capability: Capability) -> tuple[Account, Connector] | str:
    """The account and its connector when it can do ``capability``; else the Korean reason."""
    account = session.account(mall, name)
    if account is None:
        return f"config.toml 에 {mall_name(mall)} '{name}' 계정이 없습니다. 계정을 다시 추가하거나 이 행의 쇼핑몰·계정을 고치세요"
    adapter = session.adapter(account)
    if adapter is None:
        return "아직 mallbatch 가 연동하지 않는 쇼핑몰입니다"
    if capability not in adapter.spec.capabilities:
        return f"이 쇼핑몰은 {CAPABILITY_NAMES.get(capability, capability.value)}을(를) 지원하지 않습니다. 쇼핑몰 관리 화면에서 바꾸세요"
    dead = session.failed_auth.get((account.mall, account.name))
    if dead:
        return f"인증 실패: {dead}"
    return account, adapter


def option_values(option: str) -> tuple[str, ...]:
    return tuple(option.split("/")) if option else ()


def stock_tasks(store: Store, session: Session, levels: Sequence[Level],
                accounts: Collection[tuple[str, str]] | None = None, *, source_sha: str = "",
                excel_row: int | None = None) -> StockPlan:
    """What to send so every bound account (or only ``accounts``, as (mall, account name)) shows each
    level's available quantity. Accounts already sent a level's revision are listed as ``current``
    refusals, not sent again. Signature kept stable: the stock sync after collections calls it."""
    plan = StockPlan()
    totals: dict[tuple[str, str, str], StockTask] = {}  # (mall, account, code) sent as the product's total
    for level in levels:
        for binding in bound_accounts(store, level.code, accounts):
            mall, name = binding["mall"], binding["account"]
            label = f"{mall_name(mall)}/{name}"
            resolved = connect(session, mall, name, Capability.STOCK_UPDATE)
            if isinstance(resolved, str):
                plan.refusals.append(Refusal(level.code, level.option, label, resolved))
                continue
            account, adapter = resolved
            as_total = bool(level.option) and not adapter.spec.listing.option_stock
            if as_total:
                warning = _total_warning(level)
                task = totals.get((mall, name, level.code))
                if task is not None:
                    task.warnings.append(warning)
                    continue
                every = tuple(store.stock.levels(level.code))
                change = ListingChange(level.code, binding["product_id"], (), stock=sum(l.available for l in every),
                                       extra=binding["extra"])
                revision, sent = sum(l.revision for l in every), every
            else:
                change = ListingChange(level.code, binding["product_id"], option_values(level.option), stock=level.available,
                                       extra=binding["extra"])
                revision, sent, warning = level.revision, (level,), ""
            if all(store.stock.last_synced(mall, name, l.code, l.option) == (l.revision, l.available) for l in sent):
                plan.refusals.append(Refusal(level.code, level.option, label, "이미 반영된 재고입니다", current=True))
                continue
            command = Command.new(mall, name, STOCK_OP, change.target, change.payload() | {"revision": revision},
                                  source_sha, excel_row)
            task = StockTask(account, command, change, sent, [warning] if warning else [])
            plan.tasks.append(task)
            if as_total:
                totals[(mall, name, level.code)] = task
    return plan


def _total_warning(level: Level) -> str:
    if level.available == 0:
        return (f"이 쇼핑몰은 옵션별 재고를 바꿀 수 없어 옵션 '{level.option}'만 따로 품절시킬 수 없습니다. "
                "상품 전체 재고(옵션 재고의 합)로 보냈습니다. 쇼핑몰 관리 화면에서 그 옵션을 품절 처리하세요")
    return f"이 쇼핑몰은 옵션별 재고를 바꿀 수 없어 옵션 '{level.option}'의 재고 대신 상품 전체 재고(옵션 재고의 합)로 보냈습니다"


def mark_synced(store: Store, task: StockTask, outcome: Outcome) -> None:
    """The done-callback: a done (or already done) command records its levels' revisions as sent to that account."""
    if outcome.state == DONE:
        for level in task.levels:
            store.stock.synced(task.account.mall, task.account.name, level)
