"""push and collect end to end: real workbooks, real SQLite, simulators over loopback.

Exactly-once is asserted on the simulators' own audit of committed writes, not on ours.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from mallbatch.domain.records import Inquiry
from mallbatch.connectors.runtime.http import RetryPolicy
from mallbatch.pipeline.collect import collect
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.store import Store
from tests.pipeline_helpers import answers_file, invoices_file, open_lines, products_file

FAST = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)


def statuses(result_path: Path, sheet: str) -> list[str]:
    ws = openpyxl.load_workbook(result_path)[sheet]
    header = [c.value for c in ws[1]]
    col = header.index("결과")
    return [row[col] for row in ws.iter_rows(min_row=2, values_only=True)]


def messages(result_path: Path, sheet: str) -> list[str]:
    ws = openpyxl.load_workbook(result_path)[sheet]
    col = [c.value for c in ws[1]].index("메시지")
    return [str(row[col] or "") for row in ws.iter_rows(min_row=2, values_only=True)]


def test_products_registered_once_on_every_mall_and_redrop_skips(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(rate_limit=200)
    path = products_file(ws, tmp_path / "상품.xlsx", 4)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        first = push_file(ws, store, session, path)
        assert statuses(first.result_path, "상품") == ["성공"] * 4
        second = push_file(ws, store, session, path)
        assert statuses(second.result_path, "상품") == ["건너뜀"] * 4
        for server in servers.values():
            counts = server.simulator.store.audit_counts("product.create")
            assert sorted(counts) == ["P00001", "P00002", "P00003", "P00004"] and set(counts.values()) == {1}
            assert server.simulator.store.audit_counts("product.update") == {}
        # A changed product is updated (not created again) on every mall.
        changed = products_file(ws, tmp_path / "상품2.xlsx", 4, seed=8)
        third = push_file(ws, store, session, changed)
        assert set(statuses(third.result_path, "상품")) == {"성공"}
        for server in servers.values():
            assert set(server.simulator.store.audit_counts("product.create").values()) == {1}
            assert len(server.simulator.store.audit_counts("product.update")) == 4
        assert len(store.journal.history("P00001")) == 6  # 3 creates + 3 updates (연동이력)


def test_invoices_confirm_first_hold_cancel_requests_and_never_resend(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang",), rate_limit=200)
    sim = servers["coupang"].simulator
    sim.generate(12, 0, 0)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collect(ws, store, session, kinds=("orders",))
        lines = open_lines(store)
        boxes = sorted({l.ship_unit for l in lines})
        cancelled = boxes[0]
        sim.request_cancel(cancelled)  # the buyer asks to cancel after we collected
        path = invoices_file(tmp_path / "송장.xlsx", lines)
        result = push_file(ws, store, session, path)
        rows = statuses(result.result_path, "송장")
        held = [l for l in lines if l.ship_unit == cancelled]
        assert rows.count("보류") == len(held) and rows.count("성공") == len(lines) - len(held)
        sent = sim.store.audit_counts("invoice.send")
        assert cancelled not in sent and sorted(sent) == boxes[1:] and set(sent.values()) == {1}
        again = push_file(ws, store, session, path)
        assert set(statuses(again.result_path, "송장")) <= {"건너뜀", "보류"}
        assert sim.store.audit_counts("invoice.send") == sent


def test_answers_sent_once_and_length_checked(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("wemakeprice",), rate_limit=200)
    servers["wemakeprice"].simulator.generate(0, 0, 4)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collect(ws, store, session, kinds=("inquiries",))
        open_ = [i for i, _, _ in store.records.all(Inquiry, "inquiries") if not i.answered]
        assert open_
        short = push_file(ws, store, session, answers_file(tmp_path / "짧은답변.xlsx", open_[:1], "네"))
        assert statuses(short.result_path, "문의답변") == ["실패"]
        path = answers_file(tmp_path / "답변.xlsx", open_)
        first = push_file(ws, store, session, path)
        assert statuses(first.result_path, "문의답변") == ["성공"] * len(open_)
        push_file(ws, store, session, path)
        counts = servers["wemakeprice"].simulator.store.audit_counts("inquiry.answer")
        assert sorted(counts) == sorted(i.inquiry_id for i in open_) and set(counts.values()) == {1}


def test_faults_every_row_done_exactly_once(sim_workspace, tmp_path: Path) -> None:
    """10% 5xx, 429 bursts and 10% lost responses: 500 products and 500 invoices, each applied once."""
    faults = {"coupang": {"error_rate": 0.1, "burst_429": 0.02, "burst_length": 3, "drop_rate": 0.1, "rate_limit": 1000, "seed": 3}}
    ws, servers = sim_workspace(("coupang",), faults=faults, rate_limit=500)
    sim = servers["coupang"].simulator
    products = products_file(ws, tmp_path / "상품.xlsx", 500)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        for _ in range(4):  # a seller re-drops the file until nothing is left to retry
            result = push_file(ws, store, session, products)
            if set(statuses(result.result_path, "상품")) <= {"성공", "건너뜀"}:
                break
        created = sim.store.audit_counts("product.create")
        assert len(created) == 500 and set(created.values()) == {1}
        sim.faults.update({"error_rate": 0, "drop_rate": 0, "burst_429": 0})
        sim.generate(500, 0, 0)
        collect(ws, store, session, kinds=("orders",))
        sim.faults.update({"error_rate": 0.1, "drop_rate": 0.1, "burst_429": 0.02})
        lines = open_lines(store)
        invoices = invoices_file(tmp_path / "송장.xlsx", lines)
        for _ in range(4):
            result = push_file(ws, store, session, invoices)
            if set(statuses(result.result_path, "송장")) <= {"성공", "건너뜀"}:
                break
        sent = sim.store.audit_counts("invoice.send")
        assert len(sent) == len({l.ship_unit for l in lines}) >= 400
        assert set(sent.values()) == {1}
        assert set(sim.store.audit_counts("order.confirm").values()) == {1}


def test_option_prices_are_checked_against_each_groups_sale_price(sim_workspace, tmp_path: Path) -> None:
    """추가금액 fits the product's 대표가격 but not one mall's lower 판매가: the row is 오류 at validate,
    naming that group, and nothing is sent to any mall (one rule, checked before anything is sent)."""
    from mallbatch.examples import product_rows, sales_group_rows
    from mallbatch.kinds import KINDS
    from mallbatch.sheets.templates import write_filled

    ws, servers = sim_workspace(("coupang", "wemakeprice"), rate_limit=200)
    groups = sales_group_rows(ws.config)
    groups[1]["sale_price"] = "3000"  # 위메프 sells cheaper: 2,000원 extra is over 50% of 3,000
    row = next(r for r in product_rows(2, sorted(g["group"] for g in groups)) if r["option_use"] == "Y")
    row.update({"cost_price": "20000", "option_prices": "0,2000,0,0,0,0,0,0,0"})
    path = write_filled(tmp_path / "옵션.xlsx", [(KINDS["products"], [row]), (KINDS["sales_groups"], groups)])
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        result = push_file(ws, store, session, path)
    assert statuses(result.result_path, "상품") == ["오류"]
    assert "(위메프/기본)의 판매가 3,000원" in messages(result.result_path, "상품")[0]
    assert servers["coupang"].simulator.store.audit_counts("product.create") == {}
    assert servers["wemakeprice"].simulator.store.audit_counts("product.create") == {}


def test_update_with_lost_responses_is_read_back_not_resent(sim_workspace, tmp_path: Path) -> None:
    """Every update response is dropped after the mall applied it: the read-back finds it, nothing is sent twice."""
    ws, servers = sim_workspace(rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        push_file(ws, store, session, products_file(ws, tmp_path / "상품.xlsx", 3))
        for server in servers.values():
            server.simulator.faults.update({"drop_rate": 1.0})
        changed = push_file(ws, store, session, products_file(ws, tmp_path / "상품2.xlsx", 3, seed=8))
        assert statuses(changed.result_path, "상품") == ["성공"] * 3
    for server in servers.values():
        updates = server.simulator.store.audit_counts("product.update")
        assert len(updates) == 3 and set(updates.values()) == {1}, server.simulator.mall


def test_an_automatic_retry_sends_no_row_the_mall_refused_and_retries_one_that_failed_for_now(sim_workspace, tmp_path: Path) -> None:
    """watch's automatic retries (issue 7 F13): a refusal would come back the same, a 429 may pass."""
    ws, servers = sim_workspace(("wemakeprice",), rate_limit=200)
    server = servers["wemakeprice"]
    server.simulator.generate(0, 0, 8)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        collect(ws, store, session, kinds=("inquiries",))
        first, second, third = [i for i, _, _ in store.records.all(Inquiry, "inquiries") if not i.answered][:3]
        push_file(ws, store, session, answers_file(tmp_path / "첫답변.xlsx", [first]))
        other = answers_file(tmp_path / "다른답변.xlsx", [first, second], "다른 답변입니다. 확인하고 다시 연락드리겠습니다.")
        refused = push_file(ws, store, session, other)
        assert statuses(refused.result_path, "문의답변") == ["실패", "성공"]  # already answered otherwise
        sent = server.requests
        again = push_file(ws, store, session, other, automatic=True)
        assert server.requests == sent  # nothing resent: the refusal would be the same
        assert statuses(again.result_path, "문의답변") == ["실패", "건너뜀"]

        later = answers_file(tmp_path / "나중답변.xlsx", [third])
        server.simulator.faults.update({"burst_429": 1.0, "burst_length": 10_000})
        assert statuses(push_file(ws, store, session, later).result_path, "문의답변") == ["실패"]
        server.simulator.faults.update({"burst_429": 0.0})
        server._burst_left = 0
        assert statuses(push_file(ws, store, session, later, automatic=True).result_path, "문의답변") == ["성공"]
    assert server.simulator.store.audit_counts("inquiry.answer") == {first.inquiry_id: 1, second.inquiry_id: 1, third.inquiry_id: 1}
