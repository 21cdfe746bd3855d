"""The one state rule of inquiries: a seller answers once, unless the mall lets answers be edited."""

from __future__ import annotations

from mallbatch.sandbox.engine.refusal import Code, Refusal


def answer(answered: bool, *, editable: bool = False) -> None:
    if answered and not editable:
        raise Refusal(Code.ALREADY_ANSWERED)
