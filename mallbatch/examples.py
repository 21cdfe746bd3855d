"""Example rows: the example workbooks ``init`` writes, and generators for demos and benchmarks.

Everything is deterministic (seeded) so a demo or a benchmark can be repeated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from mallbatch.config import Config
from mallbatch.connectors.registry import connectors
from mallbatch.kinds import KINDS
from mallbatch.kinds.products import PRODUCTS
from mallbatch.kinds.sales_groups import SALES_GROUPS
from mallbatch.malls import mall_name
from mallbatch.sheets.templates import write_filled

CATEGORIES = ("패션잡화>주얼리/시계>귀걸이/목걸이", "생활/건강>주방용품>컵/텀블러", "스포츠/레저>캠핑>캠핑의자", "가구/인테리어>수납가구>선반")
NOUNS = ("목걸이", "텀블러", "캠핑의자", "선반", "머그컵", "팔찌", "도마", "수납함")
ADJECTIVES = ("실버", "스테인리스", "접이식", "원목", "미니", "대용량", "프리미엄", "심플")
COLORS = ("블랙", "화이트", "그레이", "네이비", "베이지")
SIZES = ("S", "M", "L")
MALL_CATEGORY = {"coupang": "56137", "smartstore": "50000803", "wemakeprice": "1001001"}


def group_name(mall: str) -> str:
    return f"{mall_name(mall)} 기본"


def sales_group_rows(config: Config, today: date | None = None) -> list[dict[str, str]]:
    """One sales group for each configured account of a mall with an API (the examples run on the simulators; a file
    mall's upload workbooks are shown in README, and its 종합몰 rules would refuse the examples' priced options)."""
    start = today or date.today()
    base = dict(SALES_GROUPS.example_rows[0])
    rows = []
    found = connectors()
    for account in config.accounts:
        if getattr(found.get(account.mall), "transport", "api") == "file":
            continue
        row = dict(base)
        row.update({
            "mall": mall_name(account.mall), "account": account.name, "group": group_name(account.mall),
            "mall_category": MALL_CATEGORY.get(account.mall, "1000"), "sale_start": start.isoformat(),
            "sale_end": (start + timedelta(days=365)).isoformat(),
        })
        rows.append(row)
    return rows


def product_rows(count: int, groups: list[str], seed: int = 7, prefix: str = "P") -> Iterator[dict[str, str]]:
    """``count`` valid product rows; about half with two-level 조합형 options.

    The 공급원가 stays within 60% of the example sales group's 판매가, as a seller's would:
    a cost above the price sells at a loss (and is warned about)."""
    rng = random.Random(seed)
    base = dict(PRODUCTS.example_rows[0])
    top = int(SALES_GROUPS.example_rows[0]["sale_price"]) * 6 // 10 // 100
    for index in range(count):
        price = rng.randrange(50, top) * 100
        row = dict(base)
        row.update({
            "code": f"{prefix}{index + 1:05d}"[:10],
            "name": f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {index + 1}",
            "category": rng.choice(CATEGORIES),
            "model_name": f"MB-{index + 1:05d}",
            "main_image": f"https://example.com/img/{index + 1}.jpg",
            "cost_price": str(price),
            "groups": ",".join(groups),
        })
        if index % 2:
            colors = rng.sample(COLORS, 3)
            row.update({"option_use": "Y", "option_type": "조합형", "option_name1": "색상", "option_values1": ",".join(colors),
                        "option_name2": "사이즈", "option_values2": ",".join(SIZES), "option_prices": "0",
                        "option_stock": str(rng.randrange(1, 100))})
        else:
            row.update({"option_use": "N", "option_type": "", "option_name1": "", "option_values1": "",
                        "option_prices": "", "option_stock": "", "stock": str(rng.randrange(1, 500))})
        yield row


def write_examples(folder: Path, config: Config) -> list[Path]:
    """예시_상품.xlsx: five products linked to a sales group on every configured mall."""
    folder.mkdir(parents=True, exist_ok=True)
    groups = sales_group_rows(config)
    products = list(product_rows(5, sorted({g["group"] for g in groups})))
    path = folder / "예시_상품.xlsx"
    path.unlink(missing_ok=True)
    return [write_filled(path, [(KINDS["products"], products), (KINDS["sales_groups"], groups)])]
