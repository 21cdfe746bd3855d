"""Which option combination an order line's option text names.

Malls write the same combination in many ways: "색상:골드/사이즈:M" (11번가 adds "-1개"),
"색상: 골드 / 사이즈: M" (스마트스토어), "골드 M" (쿠팡), "골드/M" (위메프), "골드, M" …
The text is cut into tokens at separators (spaces and punctuation); a combination matches
when each of its values covers a run of whole tokens of its own (joined without separators,
so "로즈 골드" and "로즈골드" are the same value) and no two values share a token. Option names
and quantity suffixes are simply tokens no value covers.

Exactly one combination must match. Where several do ("골드/S/M" holds both 골드·S and 골드·S/M)
the one that covers more of the text wins, then the one whose values appear in its own order;
a tie is no match: a line counted against the wrong option is worse than a 경고.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_SEPARATORS = re.compile(r"[\s/:,;|·\-_=+()\[\]{}<>]+")


def tokens(text: str) -> list[str]:
    """The text's words, folded (NFKC, case) so full-width "Ｍ" and "m" are "m"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [t for t in _SEPARATORS.split(folded) if t]


def _spans(value: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Every run of whole tokens of ``words`` that spells ``value``."""
    target = "".join(tokens(value))
    if not target:
        return []
    found = []
    for start in range(len(words)):
        joined = ""
        for end in range(start, len(words)):
            joined += words[end]
            if joined == target:
                found.append((start, end + 1))
            if len(joined) >= len(target):
                break
    return found


def match_option(text: str, combinations: Sequence[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The one combination ``text`` names, or None (none matches, or the text cannot tell two apart)."""
    words = tokens(text)
    scored: list[tuple[tuple[int, bool], tuple[str, ...]]] = []
    for combo in combinations:
        score = _score(combo, words)
        if score is not None:
            scored.append((score, combo))
    if not scored:
        return None
    scored.sort(key=lambda s: s[0], reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def _score(combo: tuple[str, ...], words: Sequence[str]) -> tuple[int, bool] | None:
    """(tokens covered, values appear in the combination's order) for the best placement, or None."""
    placements = [_spans(value, words) for value in combo]
    if any(not p for p in placements):
        return None
    best: tuple[int, bool] | None = None

    def place(index: int, used: frozenset[int], covered: int, last: int, ordered: bool) -> None:
        nonlocal best
        if index == len(placements):
            score = (covered, ordered)
            best = score if best is None or score > best else best
            return
        for start, end in placements[index]:
            taken = frozenset(range(start, end))
            if not taken & used:
                place(index + 1, used | taken, covered + end - start, start, ordered and start > last)

    place(0, frozenset(), 0, -1, True)
    return best
