"""Sending journaled commands, and reading the mall back when an outcome is unknown.

Every remote effect is one :class:`~mallbatch.store.journal.Command`. :func:`execute`
commits ``in_flight`` before each call, records the mall's per-item answer, and after a
timeout or dropped response reads the mall back (``Op.read_back``) before resending,
so nothing is applied twice.

Durability: each batch's ``in_flight`` mark (with the previous batch's outcome) and the
last outcome are checkpointed into ``mallbatch.db`` itself, not only its ``-wal``: a copy
of that one file, or the loss of ``-wal``/``-shm`` after a kill, still shows every
command sent, at worst as in flight (read back before anything is resent).

Which creates the journal can vouch for: none it did not see settle in this process.
A journal that says "pending" or holds no row may be older than the mall: its ``-wal``
was lost after a kill, or ``mallbatch.db`` was restored from a backup or synced from a
copy. A second create makes a duplicate listing, so a ``product.create`` is sent without
reading the mall back by 자체상품코드 only when this process itself saw it not applied
(its read-back found nothing, or the mall refused this process's send); every other
not-done create is read back first (``Op.read_back_first``, ``Journal.vouched``), just
before its batch. When the mall cannot be read back (an outage, after the HTTP layer's
own retries), the remaining unvouched creates are not sent: they are reported as not
confirmed and wait for the next run, so an outage is not hammered product by product.
Updates, invoices and answers keep the cheaper rule (read back only in_flight/unknown):
repeating them leaves the mall in the same state.

Several processes at once (a file pushed twice, workers on one PostgreSQL store): every state
change is the journal's compare-and-set, so a command is sent only by the process whose
``in_flight`` claim won. A command another live process holds in flight, or changed after this
one read it, is not touched: it is reported as handled elsewhere (보류), or as that process's
outcome. An ``unknown`` command, or one a dead process left in flight, is taken over (claimed)
before it is read back, so two processes never settle it on two read-backs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mallbatch.connectors.runtime.connector import Connector
from mallbatch.domain.capability import CLAIM_ACTIONS, TICKET_ACTIONS, Capability
from mallbatch.domain.records import ItemResult
from mallbatch.errors import (
    AuthError,
    MallbatchError,
    OutcomeUnknown,
    RateLimited,
    RemoteError,
    StoreError,
    TransientError,
)
from mallbatch.pipeline.plan import FAILURE, SUCCESS
from mallbatch.store.journal import (
    DONE,
    FAILED,
    IN_FLIGHT,
    PENDING,
    UNKNOWN,
    Command,
    Journal,
)

log = logging.getLogger("mallbatch.send")
SETTLE_ROUNDS = 4
ELSEWHERE = ("다른 작업(동시에 실행된 다른 mallbatch 나 작업자)이 지금 이 요청을 처리하고 있어 여기서는 보내지 않았습니다. "
             "그쪽 결과가 연동이력과 다음 처리에 반영됩니다")

Send = Callable[[Connector, list[Any]], list[ItemResult]]
ReadBack = Callable[[Connector, list[Command]], dict[str, ItemResult]]


@dataclass(frozen=True)
class Op:
    name: str
    capability: Capability
    send: Send
    # target → result for the commands found applied at the mall, for writes a connector does not
    # declare as a Write with its ReadBack (products: found by 자체상품코드, matched by name and price)
    read_back: ReadBack | None
    batch: Callable[[Any], int]  # spec → items per call
    read_back_first: bool = False  # not-done commands this process has not seen settle are read back before sending


def _one_by_one(call: Callable[[Connector, Any], ItemResult]) -> Send:
    return lambda adapter, objects: [call(adapter, o) for o in objects]


def _update(adapter: Connector, item: Any) -> ItemResult:
    ref, listing = item
    new = adapter.update_product(ref, listing)
    return ItemResult(listing.seller_code, True, remote_id=new.product_id, extra=new.extra)


def _find_products(adapter: Connector, commands: list[Command]) -> dict[str, ItemResult]:
    found = {}
    for command in commands:
        ref = adapter.find_product(command.target)
        if ref is not None:
            found[command.target] = ItemResult(command.target, True, remote_id=ref.product_id, extra=ref.extra)
    return found


def _updated(adapter: Connector, commands: list[Command]) -> dict[str, ItemResult]:
    """An update is applied when the mall's product shows the listing's name and sale price."""
    found = {}
    for command in commands:
        product_id, listing = command.payload["product_id"], command.payload["listing"]
        if adapter.product_matches(product_id, listing["name"], listing["sale_price"]):
            found[command.target] = ItemResult(command.target, True, remote_id=product_id, already=True)
    return found


def _declared(name: str, capability: Capability, send: Send) -> Op:
    """An op whose batch size and read-back the connector's spec declares (its Write and ReadBack)."""
    return Op(name, capability, send, None, lambda spec: spec.batch(capability))


OPS: dict[str, Op] = {op.name: op for op in (
    # creates go one per call to a mall's API; a file mall's spec puts a whole send into one upload workbook
    Op("product.create", Capability.PRODUCTS_CREATE, lambda a, listings: a.create_products(listings), _find_products,
       lambda s: s.batch(Capability.PRODUCTS_CREATE), read_back_first=True),
    Op("product.update", Capability.PRODUCTS_UPDATE, _one_by_one(_update), _updated, lambda s: 1),
    _declared("order.confirm", Capability.ORDERS_CONFIRM, lambda a, units: a.confirm(units)),
    _declared("invoice.send", Capability.INVOICES_SEND, lambda a, invoices: a.send_invoices(invoices)),
    _declared("invoice.update", Capability.INVOICES_UPDATE, lambda a, invoices: a.update_invoices(invoices)),
    _declared("invoice.delete", Capability.INVOICES_DELETE, lambda a, invoices: a.delete_invoices(invoices)),
    _declared("inquiry.answer", Capability.INQUIRIES_ANSWER, lambda a, answers: a.answer(answers)),
    # absolute values keyed by ListingChange.target; payload ListingChange.payload() (+ what makes the intent unique)
    _declared("listing.stock", Capability.STOCK_UPDATE, lambda a, changes: a.set_stock(changes)),
    _declared("listing.price", Capability.PRICE_UPDATE, lambda a, changes: a.set_price(changes)),
    _declared("listing.sale", Capability.SALE_STATUS, lambda a, changes: a.set_sale(changes)),
    _declared("order.cancel", Capability.ORDERS_CANCEL, lambda a, cancels: a.cancel_orders(cancels)),
    _declared("order.release", Capability.ORDERS_RELEASE, lambda a, units: a.release_orders(units)),
    # one op per claim action, named as its capability ("claims.return.approve"), keyed by claim id
    *(_declared(str(c), c, lambda a, actions, c=c: a.act_on_claims(c, actions)) for c in CLAIM_ACTIONS),
    # one op per ticket action ("tickets.reply"), keyed by ticket id
    *(_declared(str(c), c, lambda a, actions, c=c: a.act_on_tickets(c, actions)) for c in TICKET_ACTIONS),
)}


@dataclass
class Outcome:
    state: str  # done / failed / unknown / held
    message: str = ""
    remote_id: str = ""
    skipped: bool = False  # done before this run (the journal said so)
    extra: dict[str, Any] | None = None
    retry: bool = False  # failed for now (429, 5xx before applying): the same call may succeed later


def _chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), max(1, size)):
        yield list(items[start:start + size])


def is_transient(exc: RemoteError) -> bool:
    """Failures that may pass later unchanged; a refusal (RejectedError) or AuthError will not."""
    return isinstance(exc, (RateLimited, TransientError, OutcomeUnknown))


def _remote_failure(exc: RemoteError) -> str:
    if isinstance(exc, (RateLimited, TransientError)):
        return f"{exc.message_ko} (잠시 후 같은 파일을 다시 넣으면 다시 시도합니다)"
    return exc.message_ko


def execute(journal: Journal, adapter: Connector, op: Op, items: Sequence[tuple[Command, Any]],
            outcomes: dict[str, Outcome] | None = None, *, resend_refused: bool = True,
            progress: Callable[[int], None] | None = None) -> dict[str, Outcome]:
    """Send ``items`` (command, adapter object) exactly once each; returns outcome by idem key.

    ``outcomes`` fills as items finish, so a caller keeps what was done when AuthError is
    raised (after recording it) to stop using this account. A command the mall refused is
    ``failed`` in the journal (one that failed only for now — 429, 503 — goes back to
    ``pending``); ``resend_refused=False`` (watch's automatic retries) reports a refusal
    again without sending it, since the mall would answer the same. ``progress`` hears how many
    more items have an outcome after each batch (for the seller's count and ETA).
    """
    outcomes = {} if outcomes is None else outcomes
    known = len(outcomes)

    def tell() -> None:
        nonlocal known
        if progress and len(outcomes) > known:
            progress(len(outcomes) - known)
            known = len(outcomes)

    objects = {c.idem_key: o for c, o in items}
    todo: list[Command] = []
    unsettled: list[Command] = []
    for command, _ in items:
        stored = journal.register(command)
        if stored.state == DONE:
            outcomes[stored.idem_key] = Outcome(DONE, stored.message, stored.remote_ref, skipped=True)
        elif stored.state == FAILED and not resend_refused:
            outcomes[stored.idem_key] = Outcome(FAILED, stored.message or stored.code)
        elif stored.state in (IN_FLIGHT, UNKNOWN):
            unsettled += _take_over(journal, [stored], outcomes)
        else:
            todo.append(stored)
    unread: list[Command] = []  # to be read back first, but the mall could not be asked: wait for the next run

    def needs_read_back(command: Command) -> bool:
        return op.read_back_first and command.idem_key not in journal.vouched

    for _round in range(SETTLE_ROUNDS):
        if unsettled:
            todo += _settle(journal, adapter, op, unsettled, outcomes)
            unsettled = [c for c in unsettled if c.state in (IN_FLIGHT, UNKNOWN) and c.idem_key not in outcomes]
            if unsettled:  # the read-back failed: the mall cannot tell now; they stay unknown (보류)
                break
        for batch in _chunks(todo, op.batch(adapter.spec)):
            doubtful = [c for c in batch if needs_read_back(c)]
            if doubtful and not unread:  # just before sending: sending starts at once, a kill wastes no read-back
                _settle(journal, adapter, op, doubtful, outcomes)  # found → done; not found → vouched
            unread += [c for c in doubtful if needs_read_back(c) and c.idem_key not in outcomes]
            batch = [c for c in batch if not needs_read_back(c) and c.idem_key not in outcomes]
            if batch:
                unsettled += _send_batch(journal, adapter, op, batch, objects, outcomes)
            tell()
        todo = []
        if not unsettled:
            break
    journal.store.checkpoint()  # the last batch's outcome too is in mallbatch.db, not only its -wal
    for command in unsettled + unread:  # still unknown after every round: say so, never guess
        outcomes[command.idem_key] = Outcome(UNKNOWN, "쇼핑몰 반영 여부를 확인하지 못했습니다. 다음 처리 때 다시 확인합니다")
    return outcomes


def _lost(journal: Journal, command: Command, outcomes: dict[str, Outcome]) -> None:
    """Another process changed ``command`` after this one read it: report what it did, send nothing."""
    now = journal.get(command.idem_key)
    if now is not None and now.state == DONE:
        outcomes[command.idem_key] = Outcome(DONE, now.message, now.remote_ref, skipped=True)
    elif now is not None and now.state == FAILED:
        outcomes[command.idem_key] = Outcome(FAILED, now.message or now.code)
    else:
        outcomes[command.idem_key] = Outcome(UNKNOWN, ELSEWHERE)


def _take_over(journal: Journal, commands: list[Command], outcomes: dict[str, Outcome]) -> list[Command]:
    """The in_flight/unknown ``commands`` this process may read back now, claimed for it: not one a live
    process is sending, nor one another process took first (those are reported, see :func:`_lost`)."""
    taken = []
    for command in commands:
        if journal.held_elsewhere(command) or not journal.take_over(command):
            _lost(journal, command, outcomes)
        else:
            taken.append(command)
    return taken


def _settle(journal: Journal, adapter: Connector, op: Op, commands: list[Command], outcomes: dict[str, Outcome]) -> list[Command]:
    """Read the mall back (the connector's declared ReadBack, else the op's own); applied commands
    become done, the rest go back to pending. ``commands`` are this process's claims (taken over) or
    pending ones it has not sent; one another process changed meanwhile is left to it."""
    try:
        applied = adapter.read_back(op.capability, {c.target: c.payload for c in commands})
        if applied is None:
            if op.read_back is None:  # a spec declares a ReadBack for every Write (MarketplaceSpec checks)
                raise RuntimeError(f"{adapter.spec.mall}: no read-back for {op.name}")
            applied = op.read_back(adapter, commands)
    except AuthError:
        raise
    except RemoteError as exc:
        log.warning("read-back failed for %s: %s", op.name, exc.message_ko)
        # leave them unknown (no longer claimed); the next round or run tries again
        journal.mark_many([c for c in commands if c.state == IN_FLIGHT], UNKNOWN)
        return []
    except BaseException:
        journal.release(commands)  # still in flight in the journal: a dead claim, read back by the next
        raise
    retry = []
    for command in commands:
        result = applied.get(command.target)
        if result is not None:
            note = result.message_ko if result.message_ko and not result.already else ""  # a file mall: which upload holds it
            if journal.mark(command, DONE, message=note or "쇼핑몰에 이미 반영되어 있음", remote_ref=result.remote_id):
                outcomes[command.idem_key] = Outcome(DONE, note, result.remote_id, extra=result.extra)
            else:
                _lost(journal, command, outcomes)
        elif journal.mark(command, PENDING):
            journal.vouched.add(command.idem_key)
            retry.append(command)
        else:
            _lost(journal, command, outcomes)
    return retry


def _send_batch(journal: Journal, adapter: Connector, op: Op, batch: list[Command], objects: dict[str, Any],
                outcomes: dict[str, Outcome]) -> list[Command]:
    claimed = journal.mark_many(batch, IN_FLIGHT)  # the claim, committed before the call,
    # and checkpointed into mallbatch.db with the previous batch's outcome: a copy of that file
    # alone (or the loss of its -wal) still shows everything sent so far
    won = {c.idem_key for c in claimed}
    for command in batch:
        if command.idem_key not in won:  # another process claimed or settled it after this one read it
            _lost(journal, command, outcomes)
    if not claimed:
        return []
    try:
        return _sent(journal, adapter, op, claimed, [objects[c.idem_key] for c in claimed], outcomes)
    finally:
        journal.release(claimed)  # what is still in flight now (an unexpected error) is a dead claim


def _sent(journal: Journal, adapter: Connector, op: Op, batch: list[Command], objects: list[Any], outcomes: dict[str, Outcome]) -> list[Command]:
    """Send ``batch`` (claimed by this process) and record the mall's answer; the commands left unknown."""
    journal.store.checkpoint()
    try:
        results = op.send(adapter, objects)
    except OutcomeUnknown as exc:
        journal.mark_many(batch, UNKNOWN)
        log.info("%s outcome unknown for %d item(s): %s", op.name, len(batch), exc.message_ko)
        return batch
    except AuthError as exc:
        for command in batch:
            journal.mark(command, FAILED, code=exc.code, message=exc.message_ko)
            journal.vouched.add(command.idem_key)
            outcomes[command.idem_key] = Outcome(FAILED, exc.message_ko)
        raise
    except RemoteError as exc:  # not applied (the mall refused, or never accepted the call)
        transient = is_transient(exc)
        for command in batch:
            journal.mark(command, PENDING if transient else FAILED, code=exc.code, message=_remote_failure(exc))
            journal.vouched.add(command.idem_key)
            outcomes[command.idem_key] = Outcome(FAILED, _remote_failure(exc), retry=transient)
        return []
    by_key = {r.key: r for r in results}
    for command in batch:
        result = by_key.get(command.target)
        if result is None:
            journal.mark(command, UNKNOWN)
            outcomes.pop(command.idem_key, None)
            continue
        if result.ok:
            message = "이미 반영되어 있음" if result.already else result.message_ko  # a file mall names its upload
            journal.mark(command, DONE, code=result.code, message=message, remote_ref=result.remote_id)
            outcomes[command.idem_key] = Outcome(DONE, message, result.remote_id, extra=result.extra)
        else:
            text = result.message_ko or result.code
            journal.mark(command, FAILED, code=result.code, message=text)
            journal.vouched.add(command.idem_key)
            outcomes[command.idem_key] = Outcome(FAILED, text)
    return [c for c in batch if c.state == UNKNOWN]


def reconcile_unsettled(journal: Journal, adapter_for: Callable[[str, str], Connector | None]) -> int:
    """On start: read back what a crash left in flight; applied → done, else pending again.

    A product's 연동이력 (``mallbatch history``, the 판매상품 workbook's 연동상태) last said 보류 for
    these: it gets the settled outcome too, and an applied create its binding, as a push would record."""
    settled = 0
    groups: dict[tuple[str, str, str], list[Command]] = {}
    for command in journal.unsettled():
        groups.setdefault((command.mall, command.account, command.op), []).append(command)
    for (mall, account, name), commands in groups.items():
        adapter, op = adapter_for(mall, account), OPS.get(name)
        if adapter is None or op is None:
            continue
        outcomes: dict[str, Outcome] = {}
        commands = _take_over(journal, commands, outcomes)  # not one another live process is sending
        _settle(journal, adapter, op, commands, outcomes)
        if name in PRODUCT_OPS:
            _record_settled(journal, commands, outcomes)
        settled += len(commands)
    return settled


def settle_left_over(journal: Journal, adapter_for: Callable[[str, str], Connector | None]) -> None:
    """:func:`reconcile_unsettled`, told in the log; a mall that cannot answer now is asked again next time
    (the journal checks these again before any resend anyway). A store error is the caller's."""
    try:
        settled = reconcile_unsettled(journal, adapter_for)
    except StoreError:
        raise
    except MallbatchError as exc:
        log.warning("보내던 요청을 쇼핑몰에서 확인하지 못했습니다 (다음 전송 전에 다시 확인): %s", exc)
        return
    if settled:
        log.info("지난번에 결과를 모른 채 끝난 요청 %d건을 쇼핑몰에서 확인했습니다", settled)


PRODUCT_OPS = ("product.create", "product.update")


def _record_settled(journal: Journal, commands: list[Command], outcomes: dict[str, Outcome]) -> None:
    for command in commands:
        outcome = outcomes.get(command.idem_key)
        if command.state == DONE and outcome is not None:
            if command.op == "product.create" and outcome.remote_id:  # an update's binding stays as it is
                group = command.payload.get("listing", {}).get("group", "")
                journal.bind(command.mall, command.account, command.target, outcome.remote_id, outcome.extra or {}, group)
            journal.add_history(command.mall, command.account, command.target, command.op, SUCCESS, "쇼핑몰에 반영되어 있음을 확인했습니다")
        elif command.state == PENDING:
            journal.add_history(command.mall, command.account, command.target, command.op, FAILURE,
                                "쇼핑몰에 반영되지 않았습니다. 같은 파일을 다시 넣으면 다시 보냅니다")
