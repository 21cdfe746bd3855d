"""클레임처리: the seller's decision on a collected claim (seed 003: approve, reject, hold, pick up,
re-ship). The 클레임 workbook from ``collect`` reads back as this kind — it carries the very same
Column objects — and only rows whose 처리 is filled are taken.

Which action a mall offers is its spec's business (``writes[capability]``); :func:`offered` is the
one answer the workbook's dropdown, its 처리가능 column and the push all use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from mallbatch.connectors.registry import connector_class
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import FEE_CHARGE, FEE_DEDUCT, FEE_NONE, Claim, ClaimKind, ClaimStatus
from mallbatch.domain.states import SELLER_REASONS, State, claim_state
from mallbatch.kinds.common import ACCOUNT, ANSWER_ACTION, CANCEL_REASON, COURIER, MALL, TRACKING_NO, check_account
from mallbatch.kinds.invoices import check_tracking
from mallbatch.sheets.columns import Column, Kind, SheetKind
from mallbatch.sheets.issues import WARNING, Issue
from mallbatch.sheets.rows import Row, SheetContext

_CANCEL, _RETURN, _EXCHANGE = (ClaimKind.CANCEL,), (ClaimKind.RETURN,), (ClaimKind.EXCHANGE,)


@dataclass(frozen=True)
class Action:
    """One 처리 choice: the capability it needs, the claims it fits, the state it leads to."""

    name: str
    capability: Capability
    kinds: tuple[ClaimKind, ...]
    reaches: State | None  # the claim already in this state: nothing to do (이미 처리됨)
    reason: bool = False  # 거부·보류: a 처리사유 is required
    invoice: bool = False  # 교환재발송: 택배사·송장번호 required (취소거부 needs them once the order shipped)
    fee: bool = False  # 반품승인·교환승인 carry 배송비 처리
    restores: bool = False  # 취소승인·반품승인 give the seller's stock back
    on_hold: bool = False  # possible while the claim is held (보류해제, 거부); everything else waits for the release

    @property
    def approves(self) -> bool:
        """Approving (or moving on) a claim already completed is done, not refused."""
        return self.capability in (Capability.CANCEL_APPROVE, Capability.RETURN_APPROVE, Capability.EXCHANGE_APPROVE,
                                   Capability.COLLECTED, Capability.EXCHANGE_RESHIP)


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("취소승인", Capability.CANCEL_APPROVE, _CANCEL, State.CANCELED, restores=True),
    Action("취소거부", Capability.CANCEL_REJECT, _CANCEL, State.CANCEL_REJECTED, reason=True, on_hold=True),
    Action("반품승인", Capability.RETURN_APPROVE, _RETURN, State.RETURNED, fee=True, restores=True),
    Action("반품거부", Capability.RETURN_REJECT, _RETURN, State.RETURN_REJECTED, reason=True, on_hold=True),
    Action("반품보류", Capability.RETURN_HOLD, _RETURN, State.HELD, reason=True),
    Action("수거완료", Capability.COLLECTED, _RETURN + _EXCHANGE, State.COLLECTED),
    Action("교환승인", Capability.EXCHANGE_APPROVE, _EXCHANGE, State.EXCHANGE_APPROVED, fee=True),
    Action("교환거부", Capability.EXCHANGE_REJECT, _EXCHANGE, State.EXCHANGE_REJECTED, reason=True, on_hold=True),
    Action("교환재발송", Capability.EXCHANGE_RESHIP, _EXCHANGE, State.RESHIPPING, invoice=True),
    Action("교환보류", Capability.EXCHANGE_HOLD, _EXCHANGE, State.HELD, reason=True),
    Action("보류해제", Capability.CLAIM_RELEASE, _RETURN + _EXCHANGE, None, on_hold=True),
)}
CLOSED = (ClaimStatus.DONE, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN)


def offered(claim: Claim) -> tuple[str, ...]:
    """The 처리 choices for this claim: its kind's actions its mall's spec declares, where its state allows them."""
    cls = connector_class(claim.mall)
    if cls is None or claim.status in CLOSED:
        return ()
    held = claim_state(claim) is State.HELD
    return tuple(a.name for a in ACTIONS.values()
                 if claim.kind in a.kinds and a.capability in cls.spec.capabilities
                 and (a.on_hold if held else a.capability is not Capability.CLAIM_RELEASE))


def offered_text(claim: Claim) -> str:
    """What the 처리가능 column says: the choices, or why there are none."""
    if claim.status in CLOSED:
        return f"처리할 것 없음 ({claim_state(claim)})"
    return ", ".join(offered(claim)) or "API 로 처리할 수 없음 (쇼핑몰 관리 화면에서 처리하세요)"


CLAIM_ID = Column(
    "클레임번호", "claim_id", Kind.CODE, required=True, synonyms=("클레임 번호", "접수번호", "취소번호", "반품번호", "교환번호"),
    help="수집한 클레임 엑셀의 클레임번호", example="300000001", width=16,
)
CLAIM_ACTION = Column(
    ANSWER_ACTION.header, "claim_action", Kind.CHOICE, required=True, choices=tuple(ACTIONS),
    variants={"재발송": "교환재발송", "재배송": "교환재발송", "수거확인": "수거완료", "보류취소": "보류해제"},
    help="목록에서 고르세요 (쇼핑몰마다 API 로 할 수 있는 처리만 목록에 나옵니다). 비우면 그 행은 보내지 않습니다",
    example="취소승인", width=12,
)
ACTION_REASON = Column(
    "처리사유", "action_reason", Kind.TEXT, synonyms=("거부사유", "보류사유", "처리 사유"),
    help="거부·보류할 때 필수: 구매자에게 보이는 사유", example="이미 출고되어 취소할 수 없습니다", width=24,
)
REASON_CODE = dataclasses.replace(  # the 판매취소 사유구분 column, its help for claims
    CANCEL_REASON, help=f"거부·보류 사유의 종류 ({', '.join(SELLER_REASONS)}); 사유 코드를 받는 쇼핑몰은 필수", example="기타",
)
FEE = Column(
    "배송비 처리", "fee", Kind.CHOICE, choices=(FEE_DEDUCT, FEE_CHARGE, FEE_NONE), synonyms=("배송비처리", "반품배송비", "교환배송비"),
    help="반품승인·교환승인의 반품·교환 배송비: 차감(환불금에서) / 청구(구매자에게) / 없음", example=FEE_DEDUCT, width=10,
)
ACTION_COURIER = dataclasses.replace(
    COURIER, required=False, help="취소거부(이미 발송한 주문)와 교환재발송에 필요: 목록에서 택배사를 고르세요")
ACTION_TRACKING = dataclasses.replace(
    TRACKING_NO, required=False, help="취소거부(이미 발송한 주문)와 교환재발송의 송장번호 (숫자만)")


def check_action(row: Row, ctx: SheetContext) -> Iterator[Issue]:
    """What the 처리 itself needs from the row; what the claim and its mall allow is checked at send time."""
    action = ACTIONS.get(row.get("claim_action", ""))
    if action is None:
        return
    if action.reason and not row.has("action_reason"):
        yield ctx.issue(row, "action_reason", "reason-missing", f"{action.name}에는 처리사유가 필요합니다",
                        "구매자에게 보일 사유를 처리사유 칸에 적으세요")
    if row.has("courier") != row.has("tracking_no"):
        missing = "tracking_no" if row.has("courier") else "courier"
        yield ctx.issue(row, missing, "invoice-half", "택배사와 송장번호는 함께 입력해야 합니다", "둘 다 채우거나 둘 다 비우세요")
    elif action.invoice and not row.has("courier"):
        yield ctx.issue(row, "tracking_no", "invoice-missing", f"{action.name}에는 새 택배사·송장번호가 필요합니다",
                        "새로 보낸 상품의 택배사와 송장번호를 채우세요")
    if row.has("fee") and not action.fee:
        yield ctx.issue(row, "fee", "fee-unused", f"배송비 처리는 반품승인·교환승인에만 보냅니다 ({action.name}에는 보내지 않습니다)",
                        "이 칸을 비우세요", WARNING)


CLAIM_ACTIONS = SheetKind(
    code="claim_actions",
    title="클레임처리",
    columns=(MALL, ACCOUNT, CLAIM_ID, CLAIM_ACTION, ACTION_REASON, REASON_CODE, FEE, ACTION_COURIER, ACTION_TRACKING),
    description="수집한 취소·반품·교환의 처리 (승인, 거부, 보류, 수거완료, 교환재발송)",
    unique=("mall", "account", "claim_id"),
    row_rules=(check_account, check_action, check_tracking),
    example_rows=({"mall": "쿠팡", "account": "기본", "claim_id": "300000001", "claim_action": "취소승인"},),
)
