"""ESM products over the simulator: one master goodsNo with a goods number per site (both in the binding's
extra), an edit right after a create left pending and sent later (not 실패), and seed 001's ESM rules
checked before any call (G마켓's 제조사/브랜드, linked certifications, 옥션's 인증대상아님, 50 option values)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from mallbatch.domain.records import Certification, OptionCombo
from mallbatch.pipeline.ops import OPS, execute
from mallbatch.store import Store
from mallbatch.store.journal import DONE, PENDING, Command
from tests.contract.harness import RetryPolicy, esm_listing, open_adapter

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)


def create(store: Store, adapter: Any, code: str) -> Any:
    listing = esm_listing(code)
    command = Command.new(adapter.spec.mall, adapter.account.name, "product.create", code, {"seller_code": code})
    return execute(store.journal, adapter, OPS["product.create"], [(command, listing)])[command.idem_key], command


def test_one_master_goods_gets_both_sites_numbers_and_an_early_edit_waits(start_sim: Any, tmp_path: Path) -> None:
    server, gmarket = start_sim("gmarket", faults={"rate_limit": 1000}, rate_limit=1000)
    g = open_adapter(gmarket, retry=FAST)
    a = open_adapter(replace(gmarket, mall="auction"), retry=FAST)
    with Store(tmp_path / "mallbatch.db") as store:
        first, _ = create(store, g, "ESM-BOTH")
        assert first.state == DONE and set(first.extra) >= {"goodsNo", "gmkt"} and "iac" not in first.extra

        early, command = create(store, a, "ESM-BOTH")  # adds 옥션 to the master: refused minutes after the create
        assert early.state != DONE and early.retry and "2~3분" in early.message, early
        assert store.journal.get(command.idem_key).state == PENDING  # left to be sent again, not 실패

        server.simulator.edit_lock_seconds = 0  # the minutes have passed
        later, _ = create(store, a, "ESM-BOTH")
        assert later.state == DONE and later.remote_id == first.remote_id, later
        assert later.extra["goodsNo"] == first.remote_id and later.extra["gmkt"] == first.extra["gmkt"] and later.extra["iac"]
    goods = server.simulator.store.get("product", first.remote_id)
    assert set(goods["siteGoods"]) == {"gmkt", "iac"} and server.simulator.store.audit_counts("product.create") == {"ESM-BOTH": 1}
    assert {p.product_id for p in a.list_products()} == {first.remote_id}
    assert g.find_product("ESM-BOTH").extra["iac"] == later.extra["iac"]
    g.close()
    a.close()


def test_seed_rules_are_checked_before_any_call(start_sim: Any) -> None:
    server, gmarket = start_sim("gmarket", faults={"rate_limit": 1000}, rate_limit=1000)
    g, a = open_adapter(gmarket), open_adapter(replace(gmarket, mall="auction"))
    certs = (Certification("전기용품 안전인증", "KTC", "HU07001-1"), Certification("방송통신기자재 적합성평가", "RRA", "R-R-1"),
             Certification("생활용품 공급자적합성확인", "KTR", "CB1"), Certification("생활 화학 제품 신고", "환경부", "X1"),
             Certification("건강기능식품 인증", "식약처", "H1"))
    listing = esm_listing("RULES-1", maker="해남농협", brand="해남", certifications=certs)
    assert g.listing_problems(listing) == [] and a.listing_problems(listing) == []
    g_warn, a_warn = g.listing_warnings(listing), a.listing_warnings(listing)
    assert any("제조사가 '기타'" in w and "브랜드는 보이지 않습니다" in w for w in g_warn)
    assert not any("제조사" in w for w in a_warn)
    assert any("방송통신기자재" in w and "ESM 사이트에서 직접 등록" in w for w in g_warn)  # G마켓: 생활/전기/어린이 only
    assert not any("방송통신기자재" in w and "직접 등록" in w for w in a_warn)  # 옥션 links 방송통신 too
    assert all(any("건강기능식품" in w and "ESM 사이트에서 직접 등록" in w for w in warns) for warns in (g_warn, a_warn))
    assert any("생활 화학 제품 신고" in w and "인증대상아님" in w for w in a_warn)  # matches no 옥션 type
    assert not any("인증대상아님" in w for w in g_warn)

    values = tuple(OptionCombo((f"색상{n}",), 0, 1) for n in range(51))
    [problem] = g.listing_problems(replace(listing, option_names=("색상",), options=values))
    assert "50개" in problem and "'색상'" in problem
    assert g.listing_problems(replace(listing, option_names=("색상",), options=values[:50])) == []

    sent = a.create_product(listing)
    body = server.simulator.store.get("product", sent.product_id)["itemAddtionalInfo"]["certifications"]
    assert [c["kind"] for c in body] == ["전기용품 안전인증", "방송통신기자재 적합성평가", "생활용품 공급자적합성확인", "인증대상아님"]
    g.close()
    a.close()
