"""The connector runtime's parts on their own: windows, paginators with the repeated-token guard,
and error rules (a 200 that is not a success, a block page that is a rate limit)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mallbatch.connectors.runtime.errors import ErrorRule, classifier
from mallbatch.connectors.runtime.http import Envelope
from mallbatch.connectors.runtime.paging import MoreCursor, NextToken, PageNumber, follow_pages
from mallbatch.connectors.runtime.windows import Window
from mallbatch.domain.clock import KST
from mallbatch.errors import AuthError, MalformedResponse, RateLimited, RejectedError

START = datetime(2024, 3, 1, tzinfo=KST)


@settings(deadline=None)
@given(offset=st.integers(0, 10_000), length=st.integers(1, 40_000), span=st.integers(30, 5_000))
def test_time_windows_cover_the_period_without_gaps(offset: int, length: int, span: int) -> None:
    since = START + timedelta(minutes=offset)
    until = since + timedelta(minutes=length)
    calls = list(Window(timedelta(minutes=span), format="%Y-%m-%d %H:%M").calls(since, until))
    fmt = "%Y-%m-%d %H:%M"
    assert calls[0]["fromDate"] == since.strftime(fmt) and calls[-1]["toDate"] == until.strftime(fmt)
    assert all(a["toDate"] == b["fromDate"] for a, b in zip(calls, calls[1:], strict=False))
    assert len(calls) == -(-length // span)


@settings(deadline=None)
@given(hours=st.integers(0, 24 * 40), length=st.integers(1, 24 * 40), days=st.integers(1, 31))
def test_day_windows_name_each_day_once(hours: int, length: int, days: int) -> None:
    since = START + timedelta(hours=hours)
    until = since + timedelta(hours=length)
    inclusive = list(Window(timedelta(days=days), ("from", "to"), "%Y-%m-%d", by_day=True).calls(since, until))
    named = [datetime.strptime(c["from"], "%Y-%m-%d").date() for c in inclusive]
    lasts = [datetime.strptime(c["to"], "%Y-%m-%d").date() for c in inclusive]
    assert named[0] == since.date() and lasts[-1] == (until - timedelta(microseconds=1)).date()
    assert all(last + timedelta(days=1) == nxt for last, nxt in zip(lasts, named[1:], strict=False))
    assert all((last - first).days < days for first, last in zip(named, lasts, strict=True))
    exclusive = list(Window(timedelta(days=days), ("from", "to"), "%Y-%m-%d", by_day=True, exclusive_end=True).calls(since, until))
    assert [c["to"] for c in exclusive] == [(d + timedelta(days=1)).isoformat() for d in lasts]
    single = list(Window(timedelta(days=1), ("basicDate",), "%Y-%m-%d", by_day=True).calls(since, until))
    assert len(single) == (lasts[-1] - named[0]).days + 1


def _run(paginator: object, answers: list[dict]) -> list[int]:
    sent: list[dict] = []

    def fetch(cursor: object) -> tuple[list, object]:
        sent.append(paginator.params(cursor))  # type: ignore[attr-defined]
        data = answers[min(len(sent), len(answers)) - 1]
        return data["items"], paginator.following(cursor, data, data["items"])  # type: ignore[attr-defined]

    return list(follow_pages("쿠팡", "주문", fetch))


def test_next_token_repeated_stops_with_an_error() -> None:
    assert _run(NextToken(), [{"items": [1], "nextToken": "a"}, {"items": [2], "nextToken": ""}]) == [1, 2]
    with pytest.raises(MalformedResponse, match="쿠팡이 주문 조회에서 같은 다음 페이지"):
        _run(NextToken(), [{"items": [1], "nextToken": "a"}, {"items": [2], "nextToken": "a"}])


def test_more_cursor_and_page_number() -> None:
    more = MoreCursor(fields={"lastChangedFrom": "moreFrom", "moreSequence": "moreSequence"})
    pages = [{"items": [1], "more": {"moreFrom": "t1", "moreSequence": "1"}}, {"items": [2]}]
    assert _run(more, pages) == [1, 2]
    looping = [{"items": [n], "more": {"moreFrom": "t", "moreSequence": str(n % 2)}} for n in range(1, 5)]
    with pytest.raises(MalformedResponse, match="반복을 멈췄습니다"):
        _run(more, looping)
    numbered = PageNumber(total="totalCount", size="pageSize")
    assert _run(numbered, [{"items": [1, 2], "totalCount": 3, "pageSize": 2}, {"items": [3], "totalCount": 3, "pageSize": 2}]) == [1, 2, 3]
    with pytest.raises(MalformedResponse, match="같은 페이지"):  # page 2 answered with page 1
        _run(numbered, [{"items": [1, 2], "totalCount": 10, "pageSize": 2}])


def test_error_rules_map_codes_and_block_pages() -> None:
    envelope = Envelope("쿠팡", keys=("code",), code="code", ok=("200", "SUCCESS"), message="message")
    classify = classifier(envelope, (
        ErrorRule(RateLimited, status=(403,), text="Access Denied", message="쿠팡이 잠시 막았습니다", retry_after=60),
        ErrorRule(AuthError, codes=("VENDOR",), message="업체코드가 다릅니다"),
    ))
    block = classify(httpx.Response(403, content=b"<html><h1>Access Denied</h1></html>", headers={"Content-Type": "text/html"}))
    assert isinstance(block, RateLimited) and block.retry_after == 60  # backs off, not an auth failure
    assert isinstance(classify(httpx.Response(403, json={"code": "403", "message": "ip"})), AuthError)
    assert classify(httpx.Response(200, json={"code": "SUCCESS", "data": []})) is None
    refused = classify(httpx.Response(200, json={"code": "400", "message": "형식 오류"}))
    assert isinstance(refused, RejectedError) and refused.message_ko == "쿠팡: 형식 오류"
    assert isinstance(classify(httpx.Response(200, json={"code": "VENDOR"})), AuthError)
    assert isinstance(classify(httpx.Response(200, content=b"<html>maintenance</html>")), MalformedResponse)


def test_registries_find_every_connector_and_simulator_by_package() -> None:
    """No hand list: every connectors/<pkg>/spec.py and every simulator module is found."""
    from pathlib import Path

    from mallbatch.connectors.registry import connectors
    from mallbatch.sandbox.registry import SIMULATORS

    root = Path(__file__).parent.parent / "mallbatch" / "connectors"
    declared = {p.parent.name for p in root.glob("*/spec.py")} - {"runtime"}
    found = connectors()
    assert {c.__module__.split(".")[2] for c in found.values() if c.__module__.startswith("mallbatch.connectors.")} == declared
    assert {"coupang", "smartstore", "wemakeprice"} <= set(found) and set(SIMULATORS) <= set(found)


def test_a_write_without_a_read_back_cannot_be_declared() -> None:
    """No blind resend by construction: a lost answer must always have a way to be read back."""
    from dataclasses import replace

    from mallbatch.connectors.registry import connectors

    for cls in connectors().values():
        for capability, write in cls.spec.writes.items():
            with pytest.raises(TypeError, match="ReadBack"):
                replace(cls.spec, writes={**cls.spec.writes, capability: replace(write, read_back=None)})


@settings(deadline=None)
@given(groups=st.lists(st.sampled_from("abc"), max_size=30), batch=st.integers(1, 5))
def test_grouped_writes_never_mix_groups_and_keep_every_item_once(groups: list[str], batch: int) -> None:
    """``Write.group`` (스마트스토어: one product per option-stock call): items of one group share calls, up to ``batch``."""
    from mallbatch.connectors.runtime.spec import ReadBack, Write
    from mallbatch.connectors.runtime.writes import _batches

    write = Write("PUT", "/x", key=str, body=lambda items: {}, batch=batch, group=lambda item: item[1],
                  read_back=ReadBack("x", lambda found, wanted: False, "이미"))
    todo = list(enumerate((n, g) for n, g in enumerate(groups)))
    batches = _batches(write, todo)
    assert sorted(n for b in batches for n, _ in b) == list(range(len(groups)))
    assert all(len({item[1] for _, item in b}) == 1 and len(b) <= batch for b in batches)
    assert len(batches) == sum(-(-groups.count(g) // batch) for g in set(groups))  # as few calls as the batch allows
