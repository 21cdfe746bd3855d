"""Korean particles after a name whose last syllable decides them (쿠팡이 / 위메프가, 답변을 / 환불를 → 환불을)."""

from __future__ import annotations


def _has_final(name: str) -> bool:
    last = name[-1:]
    return "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0


def subject(name: str) -> str:
    """``name`` with its subject particle: 쿠팡이, 위메프가."""
    return f"{name}{'이' if _has_final(name) else '가'}"


def object_(name: str) -> str:
    """``name`` with its object particle: 취소승인을, 반품보류를."""
    return f"{name}{'을' if _has_final(name) else '를'}"
