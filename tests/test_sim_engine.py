"""The simulators' shared state engine on its own: the rules every mall's simulator relies on."""

from __future__ import annotations

import random

import pytest

from mallbatch.sandbox.engine import claims as claim_engine
from mallbatch.sandbox.engine import invoices, orders
from mallbatch.sandbox.engine.claims import Case, Step
from mallbatch.sandbox.engine.catalogue import Catalogue
from mallbatch.sandbox.engine.orders import Claim, Invoice, Line, Policy, Stage, Unit
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.store import SimStore


def box(stage: Stage = Stage.PAID) -> Unit:
    return Unit("B1", stage, [Line("a", 2), Line("b", 1)])


def refused(code: Code, call: object, *args: object, **kwargs: object) -> None:
    with pytest.raises(Refusal) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    assert info.value.code is code


def test_stages_in_order_and_repeats_refused() -> None:
    unit, parcel = box(), Invoice("CJGLS", "123456789012")
    refused(Code.NOT_CONFIRMED, orders.ship, unit, parcel, Policy())
    orders.confirm(unit, Policy())
    refused(Code.ALREADY_CONFIRMED, orders.confirm, unit, Policy())
    orders.ship(unit, parcel, Policy(), lines=["a", "b"])
    assert unit.stage is Stage.SHIPPED and unit.invoice == parcel
    refused(Code.ALREADY_SHIPPED, orders.ship, unit, parcel, Policy())
    refused(Code.SHIPPED_SAME, orders.ship, unit, parcel, Policy(same_invoice_is_done=True))
    refused(Code.INVOICE_UNCHANGED, orders.change_invoice, unit, parcel)
    unit.stage = Stage.IN_TRANSIT
    refused(Code.PAST_STAGE, orders.change_invoice, unit, Invoice("CJGLS", "999999999999"))


def test_cancel_holds_open_quantities_and_partial_cancels_shrink_the_parcel() -> None:
    unit = box(Stage.CONFIRMED)
    unit.lines[1].cancelled = 1  # "b" was cancelled already: the parcel carries "a" alone
    refused(Code.LINES_MISMATCH, orders.ship, unit, Invoice("X", "1"), Policy(), lines=["b"])
    orders.cancel(unit, complete=False)
    assert [(line.held, line.cancelled) for line in unit.lines] == [(2, 0), (0, 1)]
    refused(Code.CANCEL_REQUESTED, orders.ship, unit, Invoice("X", "1"), Policy(), lines=["a"])
    orders.ship(unit, Invoice("X", "1"), Policy(ship_while_cancel_requested=True), lines=["a"])  # 위메프 (seed 001)
    assert not orders.claimable(unit, Claim.CANCEL) and orders.claimable(unit, Claim.RETURN)
    done = box()
    orders.cancel(done, complete=True)
    assert done.cancelled and not orders.claimable(done, Claim.RETURN)
    refused(Code.CANCELLED, orders.confirm, done, Policy())


def test_invoice_numbers_are_reused_only_within_a_group() -> None:
    store, parcel = SimStore(":memory:", "test"), Invoice("CJGLS", "123456789012")
    invoices.record(store, parcel, "B1", group="김민준|서울")
    invoices.check(store, parcel, "B1", group="other")  # its own number
    invoices.check(store, parcel, "B2", group="김민준|서울")  # same receiver, another box
    refused(Code.INVOICE_IN_USE, invoices.check, store, parcel, "B3", group="이서연|부산")


def test_catalogue_decodes_only_what_it_picks_and_skips_products_off_sale() -> None:
    store = SimStore(":memory:", "test")
    with store.transaction():
        for n in range(50):
            store.put("product", str(n), {"no": n, "on_sale": n != 7})
    catalogue = Catalogue(store, "product", keep=lambda p: p["on_sale"], fallback=[{"no": -1}])
    rng = random.Random(1)
    picked = {catalogue.pick(rng)["no"] for _ in range(400)}
    assert 7 not in picked and len(picked) > 40
    assert len(catalogue.sample(rng, 2)) == 2
    empty = Catalogue(store, "nothing", fallback=[{"no": -1}])
    assert empty.pick(rng) == {"no": -1}


# --- claims -------------------------------------------------------------------------------


def test_a_return_goes_hold_release_collected_approved_and_then_refuses_everything() -> None:
    case = Case("R1", Claim.RETURN)
    claim_engine.hold(case, "상품 확인 중")
    with pytest.raises(Refusal) as held:
        claim_engine.approve(case)
    assert held.value.code is Code.CLAIM_STEP
    claim_engine.release(case)
    claim_engine.collected(case)
    claim_engine.approve(case, "차감")
    assert (case.step, case.fee) == (Step.DONE, "차감")
    for action in (lambda: claim_engine.approve(case), lambda: claim_engine.reject(case, "x"), lambda: claim_engine.collected(case)):
        with pytest.raises(Refusal) as closed:
            action()
        assert closed.value.code in (Code.CLAIM_SAME, Code.CLAIM_CLOSED)


def test_an_exchange_is_approved_then_reshipped_and_a_cancel_cannot_be_held() -> None:
    exchange = Case("E1", Claim.EXCHANGE)
    with pytest.raises(Refusal):
        claim_engine.reship(exchange, Invoice("CJ", "1"))  # not approved or collected yet
    claim_engine.approve(exchange)
    claim_engine.reship(exchange, Invoice("CJ", "612345678901"))
    assert exchange.step is Step.RESHIPPED
    cancel = Case("C1", Claim.CANCEL)
    with pytest.raises(Refusal) as kind:
        claim_engine.hold(cancel, "x")
    assert kind.value.code is Code.CLAIM_KIND
    with pytest.raises(Refusal) as invoice:
        claim_engine.reject(cancel, "이미 출고", shipped=True)
    assert invoice.value.code is Code.NEEDS_INVOICE
    claim_engine.reject(cancel, "이미 출고", Invoice("CJ", "612345678901"), shipped=True)
    assert cancel.step is Step.REJECTED
