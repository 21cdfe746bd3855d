"""The protocol-neutral state engine every simulator runs on.

State rules live here once: an order unit moves paid → confirmed → shipped → delivered →
purchase-confirmed, buyers hold or cancel lines, invoices are not reused across receivers,
inquiries are answered once. Each mall's protocol module reads its stored document into an
engine :class:`~mallbatch.sandbox.engine.orders.Unit`, applies a transition, writes the result
back in its own fields, and renders any :class:`~mallbatch.sandbox.engine.refusal.Refusal`
with its own status, code and Korean text from a table.

Nothing here knows a path, a field name or an envelope, and nothing here imports anything
outside ``mallbatch.sandbox`` (tests/test_architecture.py).
"""
