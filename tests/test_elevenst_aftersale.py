"""11번가 after the sale, connector against its simulator over real loopback sockets: 판매불가 with the
reason code of the seller's reason and never once shipped, each declared claim action applied, refused
where the claim's state does not allow it (in Korean, the mall's or ours before any call), and the one
Korean state each clmStat / ordCnStatCd maps to."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mallbatch.connectors.elevenst import hooks
from mallbatch.connectors.elevenst.mapping import to_claim
from mallbatch.connectors.elevenst.spec import ElevenstConnector
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.domain.capability import Capability
from mallbatch.domain.clock import now_kst
from mallbatch.domain.records import Claim, ClaimAction, ClaimKind, OrderCancel, OrderLine
from mallbatch.domain.states import SELLER_REASONS, State, claim_state
from mallbatch.sandbox.elevenst_claims import case_of
from mallbatch.sandbox.engine.orders import Claim as SimClaim
from mallbatch.sandbox.server import SandboxServer
from tests.conftest import StartSim

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
C = Capability


class Shop:
    """One 11번가 account on its own simulator, with the buyer's side driven directly."""

    def __init__(self, start_sim: StartSim) -> None:
        self.server: SandboxServer
        self.server, account = start_sim("11st", {"rate_limit": 1000}, rate_limit=1000)
        self.mall = ElevenstConnector(account, retry=FAST)
        self.sim: Any = self.server.simulator

    def unit(self) -> str:
        before = {line["dlvNo"] for line in self.sim.store.all("line")}
        self.sim.generate(1, 0, 0)
        (made,) = {line["dlvNo"] for line in self.sim.store.all("line")} - before
        return made

    def claim(self, kind: str, unit: str | None = None) -> Claim:
        """The buyer opens a ``kind`` claim on a new order; the claim as the connector collects it."""
        unit = unit or self.unit()
        number = self.sim.open_claim(unit, kind)["claim"]
        return self.collected(number)

    def collected(self, number: str) -> Claim:
        now = now_kst()
        found = [c for c in self.mall.claims(now - timedelta(days=1), now + timedelta(minutes=2))
                 if c.claim_id.endswith(number) and c.claim_id[-len(number) - 1] in "CRX"]
        assert len(found) == 1, found
        return found[0]

    def act(self, capability: Capability, claim: Claim, **values: Any) -> Any:
        action = ClaimAction(claim.claim_id, claim.kind, claim.order_id, claim.ship_unit, tuple(claim.line_ids),
                             claim=claim, **values)
        return self.mall.act_on_claims(capability, [action])[0]

    def step(self, claim: Claim) -> str:
        number = claim.claim_id.rpartition("-")[2][1:]
        kind = {ClaimKind.CANCEL: SimClaim.CANCEL, ClaimKind.RETURN: SimClaim.RETURN, ClaimKind.EXCHANGE: SimClaim.EXCHANGE}[claim.kind]
        record = self.sim.store.get("cancel" if kind is SimClaim.CANCEL else "claim", number)
        return str(case_of(kind, record).step)

    def line(self, claim: Claim) -> dict[str, Any]:
        return self.sim.store.get("line", claim.line_ids[0])

    def refused_before_sending(self, capability: Capability, claim: Claim, words: str, **values: Any) -> None:
        before = self.server.requests
        result = self.act(capability, claim, **values)
        assert not result.ok and words in result.message_ko, result
        assert self.server.requests == before

    def refused_by_the_mall(self, capability: Capability, claim: Claim, words: str, **values: Any) -> None:
        before = self.server.requests
        result = self.act(capability, claim, **values)
        assert not result.ok and words in result.message_ko, result
        assert self.server.requests > before


@pytest.fixture
def shop(start_sim: StartSim) -> Shop:
    return Shop(start_sim)


# --- 판매취소 (판매불가) -------------------------------------------------------------------------
def paid_line(shop: Shop) -> OrderLine:
    unit = shop.unit()
    return next(l for l in shop.mall.lookup_orders([unit]) if l.ship_unit == unit)


def test_each_seller_reason_goes_out_as_its_own_ordCnRsnCd(shop: Shop) -> None:
    sent = {}
    for reason in SELLER_REASONS:
        line = paid_line(shop)
        result = shop.mall.cancel_orders([OrderCancel(line.line_id, line.order_id, line.ship_unit, reason, line=line)])[0]
        assert result.ok, result
        record = next(c for c in shop.sim.store.all("cancel") if (c["ordNo"], c["ordPrdSeq"]) == tuple(line.line_id.rsplit("-", 1)))
        sent[reason] = (record["ordCnRsnCd"], record["ordCnDtlsRsn"], record["ordCnMnbdCd"])
        assert shop.sim.store.get("line", line.line_id)["ordPrdStat"] == "701"
    # second-hand codes: 08 상품 품절, 06 배송 지연 예상, 07 상품/가격 정보 잘못 입력, 10 고객변심, 99 기타;
    # without the seller's own words the reason itself is the 상세사유 (the path segment cannot be empty)
    assert sent == {"품절": ("08", "품절", "02"), "배송지연": ("06", "배송지연", "02"), "상품정보오류": ("07", "상품정보오류", "02"),
                    "구매자요청": ("10", "구매자요청", "02"), "기타": ("99", "기타", "02")}


@pytest.mark.parametrize(("change", "words"), [
    ({"reason_code": "변심"}, "판매취소 사유를 품절, 배송지연"),
    ({"quantity": 1}, "주문 라인 전체만"),
    ({"line_id": "ABC"}, "'주문번호-주문순번' 형식"),
])
def test_a_cancel_11st_cannot_take_is_refused_before_any_call(shop: Shop, change: dict[str, Any], words: str) -> None:
    line = paid_line(shop)
    line.quantity = 3
    cancel = OrderCancel(line.line_id, line.order_id, line.ship_unit, "품절", line=line)
    before = shop.server.requests
    result = shop.mall.cancel_orders([OrderCancel(**{**cancel.payload(), **change, "line": line})])[0]
    assert not result.ok and words in result.message_ko, result
    assert shop.server.requests == before


def test_a_shipped_line_is_never_cancelled_and_the_seller_is_told_why(shop: Shop) -> None:
    unit = shop.unit()
    shop.sim.deliver(unit)
    line = next(l for l in shop.mall.lookup_orders([unit]) if l.ship_unit == unit)
    before = shop.server.requests
    result = shop.mall.cancel_orders([OrderCancel(line.line_id, line.order_id, unit, "품절", line=line)])[0]
    assert not result.ok and "이미 발송된 주문은 판매취소할 수 없습니다" in result.message_ko and "반품" in result.message_ko
    assert shop.server.requests == before
    # without the collected line the mall itself refuses it (the simulator's -308), and nothing changes
    blind = shop.mall.cancel_orders([OrderCancel(line.line_id, line.order_id, unit, "품절")])[0]
    assert not blind.ok and "발송처리된 주문" in blind.message_ko
    assert shop.sim.store.get("line", line.line_id)["ordPrdStat"] == "501"


# --- claims --------------------------------------------------------------------------------------
def test_a_cancel_is_approved_once_and_a_claim_of_another_kind_is_not_approved_as_one(shop: Shop) -> None:
    cancel = shop.claim("cancel")
    assert claim_state(cancel) is State.CANCEL_REQUESTED and cancel.status_raw == "01"
    shop.refused_before_sending(C.CANCEL_APPROVE, shop.claim("return"), "취소 클레임이 아니어서 취소승인 할 수 없습니다")
    assert shop.act(C.CANCEL_APPROVE, cancel).ok
    assert shop.step(cancel) == "done" and shop.line(cancel)["ordPrdStat"] == "701"
    again = shop.act(C.CANCEL_APPROVE, cancel)
    assert again.ok and again.already
    assert claim_state(shop.collected(cancel.claim_id.rpartition("C")[2])) is State.CANCELED


def test_a_rejected_cancel_ships_the_line_with_its_invoice(shop: Shop) -> None:
    cancel = shop.claim("cancel")
    shop.refused_before_sending(C.CANCEL_REJECT, cancel, "택배사와 송장번호가 필요합니다", reason="이미 포장했습니다")
    invoice = {"courier": "CJ", "tracking_no": "612345678901"}
    assert shop.act(C.CANCEL_REJECT, cancel, **invoice).ok
    line = shop.line(cancel)
    assert (line["ordPrdStat"], line["invcNo"], line["dlvEtprsCd"], line["_held"]) == ("401", "612345678901", "00034", False)
    assert shop.step(cancel) == "rejected"
    again = shop.act(C.CANCEL_REJECT, cancel, **invoice)  # refused by the mall, read back as shipped with it
    assert again.ok and again.already
    other = shop.claim("cancel")
    assert shop.act(C.CANCEL_APPROVE, other).ok
    shop.refused_by_the_mall(C.CANCEL_REJECT, other, "취소 신청상태가 아니어서 취소거부 처리를 할 수 없습니다",
                             courier="CJ", tracking_no="612345678902")
    assert shop.step(other) == "done" and shop.line(other)["ordPrdStat"] == "701"


def test_a_return_is_held_then_approved_and_never_rejected_after(shop: Shop) -> None:
    claim = shop.claim("return")
    assert claim_state(claim) is State.RETURN_REQUESTED and claim.status_raw == "105"
    shop.refused_before_sending(C.RETURN_HOLD, claim, "사유가 필요합니다")
    assert shop.act(C.RETURN_HOLD, claim, reason="상품 확인 중", reason_code="기타").ok
    held = shop.collected(claim.claim_id.rpartition("R")[2])
    assert (claim_state(held), held.status_raw, shop.step(claim)) == (State.HELD, "104", "held")
    again = shop.act(C.RETURN_HOLD, claim, reason="상품 확인 중")
    assert again.ok and again.already
    shop.refused_before_sending(C.RETURN_APPROVE, claim, "배송비 처리(차감)를 보낼 수 없습니다", fee="차감")
    assert shop.act(C.RETURN_APPROVE, claim).ok  # 11번가's 반품승인 lifts its hold
    done = shop.collected(claim.claim_id.rpartition("R")[2])
    assert (claim_state(done), done.status_raw, shop.step(claim)) == (State.RETURNED, "106", "done")
    shop.refused_by_the_mall(C.RETURN_REJECT, claim, "반품 신청상태가 아니어서 반품거부 처리를 할 수 없습니다", reason="훼손")
    assert shop.sim.store.audit_counts("claim.return")[claim.claim_id.rpartition("R")[2]] == 2  # hold, approve


def test_a_rejected_return_cannot_be_approved(shop: Shop) -> None:
    claim = shop.claim("return")
    assert shop.act(C.RETURN_REJECT, claim, reason="반품 기간이 지났습니다", reason_code="기타").ok
    assert claim_state(shop.collected(claim.claim_id.rpartition("R")[2])) is State.RETURN_REJECTED
    shop.refused_by_the_mall(C.RETURN_APPROVE, claim, "반품 신청상태가 아니어서 반품승인 처리를 할 수 없습니다")
    shop.refused_by_the_mall(C.RETURN_HOLD, claim, "반품 신청상태가 아니어서", reason="확인 중")
    assert shop.step(claim) == "rejected"


def test_an_exchange_is_approved_with_the_new_invoice_and_not_rejected_after(shop: Shop) -> None:
    claim = shop.claim("exchange")
    assert claim_state(claim) is State.EXCHANGE_REQUESTED and claim.status_raw == "201"
    shop.refused_before_sending(C.EXCHANGE_RESHIP, claim, "택배사와 송장번호가 필요합니다")
    shop.refused_before_sending(C.EXCHANGE_RESHIP, claim, "CJ대한통운·한진·롯데·로젠만", courier="EPOST", tracking_no="612345678903")
    assert shop.act(C.EXCHANGE_RESHIP, claim, courier="HANJIN", tracking_no="612345678903").ok
    sent = shop.collected(claim.claim_id.rpartition("X")[2])
    assert (claim_state(sent), sent.status_raw, shop.step(claim)) == (State.RESHIPPING, "221", "reshipped")
    again = shop.act(C.EXCHANGE_RESHIP, claim, courier="HANJIN", tracking_no="612345678903")
    assert again.ok and again.already
    shop.refused_by_the_mall(C.EXCHANGE_REJECT, claim, "교환 신청상태가 아니어서 교환거부 처리를 할 수 없습니다", reason="재고 없음")


def test_an_exchange_is_rejected_with_its_reason(shop: Shop) -> None:
    claim = shop.claim("exchange")
    shop.refused_before_sending(C.RETURN_REJECT, claim, "반품 클레임이 아니어서 반품거부 할 수 없습니다", reason="재고 없음")
    assert shop.act(C.EXCHANGE_REJECT, claim, reason="교환할 재고가 없습니다", reason_code="품절").ok
    rejected = shop.collected(claim.claim_id.rpartition("X")[2])
    assert (claim_state(rejected), rejected.status_raw) == (State.EXCHANGE_REJECTED, "232")
    shop.refused_by_the_mall(C.EXCHANGE_RESHIP, claim, "교환 신청상태가 아니어서", courier="CJ", tracking_no="612345678904")


def test_only_the_actions_11st_has_a_call_for_are_declared(shop: Shop) -> None:
    declared = shop.mall.spec.capabilities
    assert {C.ORDERS_CANCEL, C.CANCEL_APPROVE, C.CANCEL_REJECT, C.RETURN_APPROVE, C.RETURN_REJECT, C.RETURN_HOLD,
            C.EXCHANGE_RESHIP, C.EXCHANGE_REJECT} <= declared
    assert not {C.COLLECTED, C.CLAIM_RELEASE, C.EXCHANGE_APPROVE, C.EXCHANGE_HOLD, C.ORDERS_RELEASE} & declared
    assert shop.mall.spec.reasons.keys() == set(SELLER_REASONS)


# --- reason codes and states (pure) -----------------------------------------------------------------
@pytest.mark.parametrize(("kind", "reason_code", "sent"), [
    (ClaimKind.RETURN, "구매자요청", "102"), (ClaimKind.RETURN, "품절", "104"),
    (ClaimKind.EXCHANGE, "구매자요청", "202"), (ClaimKind.EXCHANGE, "기타", "204"),
])
def test_a_refusal_names_11sts_reason_code(kind: ClaimKind, reason_code: str, sent: str) -> None:
    letter = "R" if kind is ClaimKind.RETURN else "X"
    action = ClaimAction(f"202600000000001-1-{letter}920001", kind, reason="사유", reason_code=reason_code)
    assert hooks.refusal_params(action) == {"ordNo": "202600000000001", "ordPrdSeq": "1", "clmReqSeq": "920001",
                                            "refsRsnCd": sent, "refsRsn": "사유"}


@pytest.mark.parametrize(("lists", "code", "extra", "state"), [
    ("cancelorders", "01", {}, State.CANCEL_REQUESTED), ("canceledorders", "02", {}, State.CANCELED),
    ("returnorders", "105", {}, State.RETURN_REQUESTED), ("returnorders", "105", {"twPrdInvcNo": "612345678901"}, State.COLLECTING),
    ("returnorders", "104", {}, State.HELD), ("returnorders", "109", {}, State.HELD),
    ("returnorders", "106", {}, State.RETURNED), ("returnorders", "107", {}, State.RETURN_REJECTED),
    ("returnorders", "108", {}, State.WITHDRAWN), ("exchangeorders", "201", {}, State.EXCHANGE_REQUESTED),
    ("exchangeorders", "212", {}, State.EXCHANGE_APPROVED), ("exchangeorders", "214", {}, State.HELD),
    ("exchangeorders", "221", {}, State.RESHIPPING), ("exchangeorders", "301", {}, State.RESHIPPING),
    ("exchangeorders", "302", {}, State.EXCHANGED), ("exchangeorders", "232", {}, State.EXCHANGE_REJECTED),
])
def test_each_claim_code_has_one_korean_state_and_keeps_its_code(lists: str, code: str, extra: dict[str, str], state: State) -> None:
    field, seq = ("ordCnStatCd", "ordPrdCnSeq") if lists.startswith("cancel") else ("clmStat", "clmReqSeq")
    claim = to_claim({"ordNo": "202600000000001", "ordPrdSeq": "1", seq: "5", field: code, **extra}, lists, "test")
    assert claim_state(claim) is state and claim.status_raw == code
