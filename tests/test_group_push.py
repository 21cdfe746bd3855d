"""판매정보 group push: a changed group updates every product bound to it on its mall account.

Real workbooks, real SQLite, the simulators over loopback; what reached the mall is read
from each simulator's own product store, never from the connector.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from test_push_pipeline import FAST, messages, statuses

from mallbatch.examples import product_rows, sales_group_rows
from mallbatch.kinds import KINDS
from mallbatch.pipeline.push import push_file
from mallbatch.pipeline.session import Session
from mallbatch.sandbox.server import SandboxServer
from mallbatch.sheets.templates import write_filled
from mallbatch.store import Store

MALLS = ("coupang", "smartstore", "wemakeprice", "11st")


def plain_rows(count: int, groups: list[str], prefix: str = "P") -> list[dict[str, str]]:
    """Products without options: each mall's product then holds exactly one price."""
    rows = [r for r in product_rows(count * 3, groups, prefix=prefix) if r["option_use"] != "Y"][:count]
    assert len(rows) == count
    return rows


def sim_product(server: SandboxServer, product_id: str) -> dict[str, Any]:
    product = server.simulator.store.get("product", product_id)
    assert product is not None, (server.simulator.mall, product_id)
    return product


def price_on(mall: str, product: dict[str, Any]) -> int:
    """The 판매가 a buyer pays, in each simulator's own shape."""
    if mall == "coupang":
        (price,) = {item["salePrice"] for item in product["items"]}
        return int(price)
    if mall == "smartstore":  # 정가 with an immediate discount
        discount = product["originProduct"].get("customerBenefit", {}).get("immediateDiscountPolicy", {})
        return int(product["originProduct"]["salePrice"]) - int(discount.get("discountMethod", {}).get("value", 0))
    if mall == "wemakeprice":
        return int(product["payload"]["sale"]["salePrice"])
    return int(product["selPrc"])


def sale_end_on(mall: str, product: dict[str, Any]) -> str | None:
    """The sale period's last day as the simulator holds it; None where the mall's update carries none."""
    if mall == "coupang":
        return product["saleEndedAt"][:10]
    if mall == "smartstore":
        return product["originProduct"]["saleEndDate"][:10]
    if mall == "wemakeprice":
        return product["payload"]["sale"]["saleEndDate"][:10]
    return None  # 11번가: the connector sends selTermUseYn=N (no sale period)


def groups_file(ws, path: Path, **changes: str) -> Path:
    groups = [g | changes for g in sales_group_rows(ws.config)]
    return write_filled(path, [(KINDS["sales_groups"], groups)])


def register(ws, store: Store, session: Session, path: Path, count: int = 2) -> tuple[list[str], dict[tuple[str, str], str]]:
    groups = sales_group_rows(ws.config)
    rows = plain_rows(count, sorted(g["group"] for g in groups))
    first = push_file(ws, store, session, write_filled(path, [(KINDS["products"], rows), (KINDS["sales_groups"], groups)]))
    assert statuses(first.result_path, "상품") == ["성공"] * count, messages(first.result_path, "상품")
    codes = [r["code"] for r in rows]
    ids = {(b["mall"], b["code"]): b["product_id"] for code in codes for b in store.journal.bindings_for(code)}
    return codes, ids


def test_a_changed_group_updates_every_bound_product_on_each_mall_and_a_redrop_sends_nothing(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(MALLS, rate_limit=200)
    end = (date.today() + timedelta(days=400)).isoformat()
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        codes, ids = register(ws, store, session, tmp_path / "상품.xlsx")
        changed = groups_file(ws, tmp_path / "판매정보.xlsx", sale_price="21000", list_price="32000", sale_end=end)
        result = push_file(ws, store, session, changed)
        assert statuses(result.result_path, "판매정보") == ["성공"] * len(MALLS)
        for message in messages(result.result_path, "판매정보"):
            assert message.splitlines() == [f"{code}: 성공 - 수정 완료" for code in codes], message
        for mall, server in servers.items():
            assert server.simulator.store.audit_counts("product.update") == {c: 1 for c in codes}, mall
            for code in codes:
                product = sim_product(server, ids[(mall, code)])
                assert price_on(mall, product) == 21000, mall
                assert sale_end_on(mall, product) in (end, None), mall
            assert set(server.simulator.store.audit_counts("product.create").values()) == {1}
        before = {mall: server.simulator.store.audit_counts("product.update") for mall, server in servers.items()}

        again = push_file(ws, store, session, changed)  # the same file dropped again
        assert statuses(again.result_path, "판매정보") == ["건너뜀"] * len(MALLS)
        # the same values in another file: the journal's last send already carried them
        same = push_file(ws, store, session, groups_file(ws, tmp_path / "판매정보2.xlsx", sale_price="21000",
                                                         list_price="32000", sale_end=end))
        assert statuses(same.result_path, "판매정보") == ["건너뜀"] * len(MALLS)
        assert all("바뀐 내용 없음" in m for m in messages(same.result_path, "판매정보"))
        assert {mall: server.simulator.store.audit_counts("product.update") for mall, server in servers.items()} == before
        assert [h["op"] for h in store.journal.history(codes[0])].count("product.update") == len(MALLS)


def test_a_group_without_products_and_a_product_never_sent_there_are_saved_not_sent(sim_workspace, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mallbatch.cli import cli

    ws, servers = sim_workspace(("coupang", "smartstore"), rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        alone = push_file(ws, store, session, groups_file(ws, tmp_path / "빈그룹.xlsx"))
        assert statuses(alone.result_path, "판매정보") == ["저장", "저장"]
        assert all("연결된 상품이 없습니다" in m for m in messages(alone.result_path, "판매정보"))
    # saved by validate (seed 001's 저장), never sent anywhere
    waiting = write_filled(tmp_path / "저장만.xlsx", [(KINDS["products"], plain_rows(1, ["쿠팡 기본", "스마트스토어 기본"], "W"))])
    assert CliRunner().invoke(cli, ["--home", str(ws.home), "validate", str(waiting)]).exit_code == 0
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        result = push_file(ws, store, session, groups_file(ws, tmp_path / "판매정보.xlsx", sale_price="20000"))
    assert statuses(result.result_path, "판매정보") == ["저장", "저장"]
    for message in messages(result.result_path, "판매정보"):
        assert message.startswith("W") and "상품 시트로 등록하세요" in message, message
    for server in servers.values():
        assert server.simulator.store.audit_counts("product.create") == {}
        assert server.simulator.store.audit_counts("product.update") == {}


def test_a_group_row_and_a_product_row_for_the_same_product_update_it_once(sim_workspace, tmp_path: Path) -> None:
    ws, servers = sim_workspace(("coupang", "wemakeprice"), rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        codes, ids = register(ws, store, session, tmp_path / "상품.xlsx")
        groups = [g | {"sale_price": "22000"} for g in sales_group_rows(ws.config)]
        rows = plain_rows(2, sorted(g["group"] for g in groups))
        rows[0]["stock"] = "77"  # P1 changes on its 상품 row too; P2 only through its groups
        # the groups sheet first: the 상품 row still sends P1, the group rows send only P2
        path = write_filled(tmp_path / "함께.xlsx", [(KINDS["sales_groups"], groups), (KINDS["products"], rows[:1])])
        result = push_file(ws, store, session, path)
        assert statuses(result.result_path, "상품") == ["성공"]
        assert statuses(result.result_path, "판매정보") == ["성공", "성공"]
        for message in messages(result.result_path, "판매정보"):
            assert "1개는 이 파일의 상품 시트에서 함께 보냈습니다" in message and f"{codes[1]}: 성공 - 수정 완료" in message
            assert f"{codes[0]}:" not in message, message
    for mall, server in servers.items():
        assert server.simulator.store.audit_counts("product.update") == {c: 1 for c in codes}, mall
        assert price_on(mall, sim_product(server, ids[(mall, codes[0])])) == 22000
        assert price_on(mall, sim_product(server, ids[(mall, codes[1])])) == 22000


def test_a_mall_refusal_is_one_line_beside_the_products_that_went_through(sim_workspace, tmp_path: Path) -> None:
    """11번가 takes prices in 10원 units only: the check before sending fails each product in its own line."""
    ws, servers = sim_workspace(("11st",), rate_limit=200)
    with Store(ws.store_path) as store, Session(ws, FAST) as session:
        codes, ids = register(ws, store, session, tmp_path / "상품.xlsx")
        result = push_file(ws, store, session, groups_file(ws, tmp_path / "판매정보.xlsx", sale_price="21005"))
        assert statuses(result.result_path, "판매정보") == ["실패"]
        lines = messages(result.result_path, "판매정보")[0].splitlines()
        assert [line.split(":")[0] for line in lines] == codes and all("10원 단위" in line for line in lines), lines
        assert servers["11st"].simulator.store.audit_counts("product.update") == {}
        fixed = push_file(ws, store, session, groups_file(ws, tmp_path / "판매정보2.xlsx", sale_price="21000"))
        assert statuses(fixed.result_path, "판매정보") == ["성공"]
        assert all(price_on("11st", sim_product(servers["11st"], ids[("11st", c)])) == 21000 for c in codes)
