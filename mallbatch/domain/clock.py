"""Korean time: every date a seller sees and every window a mall takes is in KST."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")


def now_kst() -> datetime:
    return datetime.now(KST)


def to_kst(moment: datetime) -> datetime:
    """Aware KST datetime; a naive value is taken as KST already (malls that omit the offset mean KST)."""
    return moment.replace(tzinfo=KST) if moment.tzinfo is None else moment.astimezone(KST)


def parse_iso(text: Any) -> datetime | None:
    """An ISO-8601 time from a mall (with or without offset, ``T`` or space), in KST; None when absent or bad."""
    if not text:
        return None
    try:
        return to_kst(datetime.fromisoformat(str(text)))
    except ValueError:
        return None
