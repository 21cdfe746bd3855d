"""Every sheet kind mallbatch reads or writes, by code."""

from __future__ import annotations

from mallbatch.kinds.answers import ANSWERS
from mallbatch.kinds.claim_actions import CLAIM_ACTIONS
from mallbatch.kinds.collected import CLAIMS, INQUIRIES, ORDERS
from mallbatch.kinds.imported import IMPORTED
from mallbatch.kinds.invoices import INVOICES, SMARTSTORE_BULK
from mallbatch.kinds.listings import LISTINGS
from mallbatch.kinds.products import PRODUCTS
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.kinds.stock import STOCK_PRICES
from mallbatch.kinds.tickets import TICKET_ACTIONS, TICKETS
from mallbatch.sheets.columns import SheetKind

KINDS: dict[str, SheetKind] = {k.code: k for k in (PRODUCTS, SALES_GROUPS, STOCK_PRICES, INVOICES, ANSWERS, CLAIM_ACTIONS,
                                                TICKET_ACTIONS, ORDERS, CLAIMS, INQUIRIES, TICKETS, LISTINGS, IMPORTED,
                                                SMARTSTORE_BULK)}
INBOX_KINDS: tuple[SheetKind, ...] = tuple(k for k in KINDS.values() if k.inbox)
