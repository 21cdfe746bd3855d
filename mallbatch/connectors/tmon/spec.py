"""티몬 partner "interwork" API declared (reference §2): a client-credentials token answering ``vendorId``, every
call under ``/api/{vendorId}``, JSON answers (the order search a bare array) and writes that succeed with an
empty body, personal data AES-128-ECB encrypted (decrypted in :meth:`TmonConnector.call`, before any mapping),
orders listed for D1/D2 only, claim searches ending ≥ 30 minutes ago and spanning ≤ 7 days (MELCHI [C]).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from mallbatch.config import Account
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.errors import ErrorRule
from mallbatch.connectors.runtime.http import Envelope
from mallbatch.connectors.runtime.paging import dig
from mallbatch.connectors.runtime.spec import (
    Credential,
    Hooks,
    Lookup,
    MarketplaceSpec,
    Rate,
    Read,
    ReadBack,
    SandboxHints,
    Write,
)
from mallbatch.connectors.runtime.windows import Window
from mallbatch.connectors.tmon import aftersale, catalogue, hooks
from mallbatch.connectors.tmon.auth import TOKEN_PATH, TmonTokenAuth
from mallbatch.connectors.tmon.crypto import cipher_key
from mallbatch.connectors.tmon.mapping import CLAIM_LISTS, COURIER_CODES, FMT, decrypted_answer, order_lines, to_claim
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import ClaimKind
from mallbatch.errors import AuthError, RateLimited, RejectedError

NOTHING = "조회된 기간에 조회 대상이 없습니다"  # reference §2.1 [C]


def _said(body: dict[str, Any]) -> str:
    """invented: refusals as {"error": code, "message": text} (reference §2.1: "JSON with an error/message text")."""
    return str(body.get("message") or body.get("error_description") or body.get("error") or "")


ENVELOPE = Envelope("티몬", keys=("tmonOrderNo", "items", "tmonDealNo", "claimNo"),
                    shapes=(("POST", TOKEN_PATH, ("access_token",)),), message=_said, empty_writes=True, arrays=True)
ERRORS = (
    ErrorRule(AuthError, status=(401, 403), message="티몬 인증에 실패했습니다. config.toml 의 client_id·client_secret "
                                                     "(대행사 계정이면 partner_id·partner_token)을 확인하세요"),
    ErrorRule(RateLimited, status=(429,), retry_after=1.0),  # invented: no documented limit or Retry-After
)


@dataclass(frozen=True)
class HasNext:
    """``page`` = 1, 2, … while the answer says ``hasNext`` (reference §2.2 [C2])."""

    def params(self, cursor: Any) -> dict[str, Any]:
        return {"page": cursor or 1}

    def following(self, cursor: Any, data: Any, items: list[Any]) -> Hashable | None:
        return (cursor or 1) + 1 if items and dig(data, "hasNext") is True else None


PAGES = HasNext()
# invented: 7 days per order search, by depositDate (the reference gives startDate/endDate, not their span)
ORDER_WINDOW = Window(timedelta(days=7), ("startDate", "endDate"), FMT)
# MELCHI [C]: a claim search ends at least 30 minutes ago and spans at most 7 days
CLAIM_WINDOW = Window(timedelta(days=7), ("startDate", "endDate"), FMT, lag=timedelta(minutes=30))
# invented: C2 (처리중) and C4 (거부) are read too; C9's meaning is unknown and it is not read
CLAIM_STATUSES = ("C1", "C2", "C3", "C4", "C8")


def _claims(kind: ClaimKind) -> Read:
    return Read(str(kind), "GET", f"/{CLAIM_LISTS[kind]}/search", records="items", send="params",
                mapping=lambda item, _, account: to_claim(item, account, kind),
                key=lambda claim: claim.claim_id, stamp=lambda claim, _: claim.requested_at,
                window=CLAIM_WINDOW, partitions=tuple({"claimStatus": s} for s in CLAIM_STATUSES), paginator=PAGES)


def _order_write(method: str, route: Any, body: Any, precheck: Any, holds: Any, message: str) -> Write:
    """One deal per call (the body names one tmonDealNo), the deal read first (hooks.prepare)."""
    return Write(method, "", key=hooks.unit_of, body=body, route=route, precheck=precheck, prepare=hooks.prepare,
                 read_back=ReadBack("deal", holds, message))


def _auth(account: Account) -> TmonTokenAuth:
    partner = (str(account.option("partner_id") or ""), account.secret("partner_token")) if account.option("partner_id") else None
    return TmonTokenAuth(account.secret("client_id"), account.secret("client_secret"), partner)


SPEC = MarketplaceSpec(
    mall="tmon",
    base_url="https://interworkapi.tmon.co.kr",
    credentials=(
        Credential("client_id", "티몬 파트너센터에서 발급한 API client_id", secret=False),
        Credential("client_secret", "같은 화면의 client_secret"),
        Credential("aes_key", "주문·클레임 개인정보 복호화 키 (티몬이 준 16자리 파트너 암호화 키)"),
        Credential("partner_id", "대행사(파트너) 계정일 때만: X-Partner-Id 값 (아니면 비워 두세요)", secret=False),
        Credential("partner_token", "대행사(파트너) 계정일 때만: X-Partner-Token 값"),
    ),  # no documented key lifetime
    auth=_auth,
    open_orders_only=True,  # MELCHI: the order search takes D1 and D2 only; shipped orders are read one by one
    rate=Rate(5.0, burst=1),  # invented: undocumented; account option "rate_limit" overrides
    envelope=ENVELOPE,
    errors=ERRORS,
    auth_probe=("GET", "/deals", lambda: {"page": 1}),
    reads={
        "orders": Read("주문", "GET", "/orders", send="params",
                       mapping=lambda order, _, account: order_lines(order, account),
                       key=lambda line: line.line_id, stamp=lambda line, _: line.paid_at, window=ORDER_WINDOW,
                       partitions=({"deliveryStatus": "D1"}, {"deliveryStatus": "D2"})),  # MELCHI: "D1, D2 만 가능"
        "claims": _claims(ClaimKind.CANCEL),  # the other lists are "claims.<part>"
        "claims.return": _claims(ClaimKind.RETURN),
        "claims.exchange": _claims(ClaimKind.EXCHANGE),
        "products": Read("상품", "GET", "/deals", records="items", send="params", mapping=catalogue.product_record,
                         key=lambda product: product.product_id, stamp=lambda product, _: None, keep_unstamped=True,
                         paginator=PAGES),  # invented path: the reference shows no deal list
    },
    lookups={
        "deal": Lookup(scan=hooks.deal_lookup),
        "claim": Lookup(scan=aftersale.claim_lookup),
        "listing": Lookup(scan=catalogue.listing_lookup),
    },
    writes={
        Capability.ORDERS_CONFIRM: _order_write("PUT", hooks.confirm_route, hooks.confirm_body, hooks.unit_problem,
                                                hooks.confirmed, "이미 발주확인(주문확인)된 주문입니다"),
        Capability.INVOICES_SEND: _order_write("POST", hooks.invoice_route("POST"), hooks.invoice_body, hooks.invoice_problem,
                                               hooks.shipped_as, "이미 같은 송장으로 발송처리된 주문입니다"),
        Capability.INVOICES_UPDATE: _order_write("PUT", hooks.invoice_route("PUT"), hooks.invoice_body, hooks.invoice_problem,
                                                 hooks.shipped_as, "이미 같은 송장으로 되어 있습니다"),
        Capability.STOCK_UPDATE: Write(
            "PUT", "", key=lambda c: c.target, body=catalogue.stock_body, route=catalogue.options_route,
            precheck=catalogue.stock_problem, prepare=catalogue.with_deal,
            read_back=ReadBack("listing", catalogue.holds_stock, "이미 같은 재고로 되어 있습니다")),
        Capability.PRICE_UPDATE: Write(
            "PUT", "", key=lambda c: c.target, body=catalogue.price_body, route=catalogue.deal_route,
            precheck=catalogue.price_problem, prepare=catalogue.with_deal,
            read_back=ReadBack("listing", catalogue.holds_price, "이미 같은 판매가로 되어 있습니다")),
        Capability.SALE_STATUS: Write(
            "PUT", "", key=lambda c: c.target, body=catalogue.sale_body, route=catalogue.deal_route,
            precheck=catalogue.sale_problem, prepare=catalogue.with_deal,
            read_back=ReadBack("listing", catalogue.holds_sale, "이미 같은 판매상태입니다")),
        **aftersale.CLAIM_WRITES,
    },
    hooks=Hooks(create_product=catalogue.create_product, update_product=catalogue.update_product,
                find_product=catalogue.find_product, product_matches=catalogue.product_matches,
                lookup_orders=hooks.lookup_orders, listing_problems=catalogue.listing_problems),
    couriers=COURIER_CODES,
    sandbox=SandboxHints(courier="CJ"),
)


class TmonConnector(Connector):
    spec = SPEC

    def call(self, method: str, path: str, *, write: bool = False, send: str = "json",
             payload: dict[str, Any] | None = None) -> Any:
        """Every call under ``/api/{vendorId}`` (the token answer's vendorId); order and claim answers come back
        with their personal fields decrypted, so no ciphertext goes further than here."""
        assert isinstance(self.auth, TmonTokenAuth)
        try:
            data = super().call(method, self.auth.vendor_path(path), write=write, send=send, payload=payload)
        except RejectedError as exc:
            if method == "GET" and path.endswith("/search") and NOTHING in exc.message_ko:
                return {"items": [], "hasNext": False}  # reference §2.1 [C]: an empty search is answered as an error
            raise
        return decrypted_answer(path, data, cipher_key(self.account.secret("aes_key"), self.account.label))
