"""Which parcel a tracking number belongs to, so one number is not reused across receivers.

Malls allow a number again only for the same destination: 쿠팡 the same receiver (peer-tools
S42), 스마트스토어 the same order, 위메프 the same bundle. The protocol module says what the
``group`` is; the rule and the index live here (one lookup, not a scan of every order).
"""

from __future__ import annotations

from mallbatch.sandbox.engine.orders import Invoice
from mallbatch.sandbox.engine.refusal import Code, Refusal
from mallbatch.sandbox.store import SimStore

KIND = "engine.invoice"


def _key(invoice: Invoice) -> str:
    return f"{invoice.courier}:{invoice.number}"


def check(store: SimStore, invoice: Invoice, unit_id: str, group: str) -> None:
    used = store.get(KIND, _key(invoice))
    if used and used["unit"] != unit_id and used["group"] != group:
        raise Refusal(Code.INVOICE_IN_USE, used["unit"])


def record(store: SimStore, invoice: Invoice, unit_id: str, group: str) -> None:
    store.put(KIND, _key(invoice), {"unit": unit_id, "group": group})
