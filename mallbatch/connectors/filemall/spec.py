"""One file connector per mall without a documented seller API: 인터파크 and the 종합몰 (seed 001's list).

Each class below is a connector like any other to the pipeline (journal, planner, 주문 workbook): it registers
products (상품등록 upload) and sends invoices (송장등록 upload, also for a changed number) by writing the mall's own
workbook into ``outbox/<mall name>/``; its orders and claims arrive as the mall's downloads dropped into ``inbox/``
(``downloads.py``). Nothing here calls a network. When a mall's API becomes known, a ``connectors/<mall>/``
package with its code replaces that mall's class here (the registry prefers it) and the seller's workbooks stay
as they are: they name the mall, never the transport.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from mallbatch.config import Account
from mallbatch.connectors.filemall.layouts import layout
from mallbatch.connectors.filemall.uploads import Uploads, invoice_key, invoice_rows, key_of, product_key, product_values
from mallbatch.connectors.runtime.connector import Connector
from mallbatch.connectors.runtime.spec import Credential, Hooks, ListingRules
from mallbatch.domain.capability import Capability
from mallbatch.domain.records import Invoice, ItemResult, ProductListing
from mallbatch.malls import mall_name

FILED = "파일로 보냄"
FILE_TRANSPORT = "파일 연동 (업로드 파일 작성 / 다운로드 파일 읽기)"
UPLOAD_FILE = "upload_file"  # ItemResult.extra key: the workbook an item went into
CAPABILITIES = frozenset({Capability.PRODUCTS_CREATE, Capability.INVOICES_SEND, Capability.INVOICES_UPDATE})
SECTIONS = {Capability.PRODUCTS_CREATE: "product_upload", Capability.INVOICES_SEND: "invoice_upload",
            Capability.INVOICES_UPDATE: "invoice_upload"}


@dataclass(frozen=True)
class FileMallSpec:
    """What the pipeline and the docs read of a connector's spec, for a mall reached through files: no credentials,
    no rate, no windows; every item of one send goes into one workbook."""

    mall: str
    transport: str = "file"
    credentials: tuple[Credential, ...] = ()
    listing: ListingRules = ListingRules()
    hooks: Hooks = Hooks()
    split_quantity: bool = False
    digit_ids: bool = False  # ids are the download's, kept as they are (the layouts are assumed): codes, not digits
    confirm_before_invoice: bool = False  # the seller's upload in the mall's office is the whole 발송처리
    couriers: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    answer_length: tuple[int, int] | None = None
    answer_deadline_hours: int | None = None
    key_lifetime_days: int | None = None
    reads: dict[str, Any] = field(default_factory=dict)
    writes: dict[Capability, Any] = field(default_factory=dict)  # none: the upload manifest is the read-back (uploads.py)
    windows: dict[str, timedelta] = field(default_factory=dict)
    capabilities: frozenset[Capability] = CAPABILITIES

    def batch(self, capability: Capability) -> int:
        return 100_000  # one workbook per send, however many rows


class FileConnector(Connector):
    """Writes a file mall's upload workbooks; an item is "sent" (파일로 보냄) once its workbook is in place."""

    spec: ClassVar[FileMallSpec]  # type: ignore[assignment]
    transport: ClassVar[str] = "file"

    def __init__(self, account: Account, *, workspace: Any, retry: Any = None) -> None:  # noqa: D107 - no HTTP client
        self.account = account
        self.memo: dict[str, Any] = {}
        self.home = workspace.home
        self.uploads = Uploads(self.spec.mall, account.name, workspace.outbox, workspace.state)

    @property
    def base_url(self) -> str:
        return ""

    @property
    def layout(self) -> Any:
        return layout(self.spec.mall, self.home)

    def close(self) -> None:
        pass

    def check_auth(self) -> None:
        """No key to check; the layout file is read so a broken override shows in ``mallbatch accounts``."""
        self.layout  # noqa: B018 - raises ConfigError when the workspace's filemalls.toml is wrong

    # --- sends ------------------------------------------------------------------------
    def _filed(self, section: str, items: Sequence[tuple[str, str, list[dict[str, Any]]]]) -> list[ItemResult]:
        """(target, key, rows) → one workbook with every item not yet in one; each item's result names its file."""
        written = self.uploads.written()
        fresh = [(key, rows) for _, key, rows in items if key not in written]
        if fresh:
            self.uploads.write(self.layout.part(section), list(dict(fresh).items()))
        return [self._result(target, written[key]) for target, key, _ in items]

    def _result(self, target: str, file: str) -> ItemResult:
        office = self.layout.office
        return ItemResult(target, True, message_ko=f"{FILED}: outbox/{file} 을(를) {office}에서 올리세요",
                          extra={UPLOAD_FILE: file})

    def create_products(self, listings: Sequence[ProductListing]) -> list[ItemResult]:
        return self._filed("product_upload", [(l.seller_code, key_of(l), [product_values(l)]) for l in listings])

    def send_invoices(self, invoices: Sequence[Invoice]) -> list[ItemResult]:
        return self._filed("invoice_upload", [(i.ship_unit, key_of(i), invoice_rows(i)) for i in invoices])

    update_invoices = send_invoices  # a changed number is a new row in a new 송장등록 upload

    # --- read-back: in a workbook already? ------------------------------------------
    def read_back(self, capability: Capability, wanted: dict[str, dict[str, Any]]) -> dict[str, ItemResult]:
        written = self.uploads.written()
        found = {}
        for target, payload in wanted.items():
            if capability is Capability.PRODUCTS_CREATE:
                key = product_key(target, payload.get("listing", {}))
            else:
                key = invoice_key(target, payload.get("courier", ""), payload.get("tracking_no", ""),
                                  payload.get("shipped_on"), payload.get("quantity"))
            if key in written:
                found[target] = self._result(target, written[key])
        return found

    def find_product(self, seller_code: str) -> None:
        return None  # a product upload gives no mall id; the 연동이력 names its file


def _connector(mall: str) -> type[FileConnector]:
    return type(f"{mall.capitalize()}Files", (FileConnector,), {"spec": FileMallSpec(mall), "__module__": __name__,
                                                                  "__doc__": f"{mall_name(mall)} through files."})


InterparkFiles = _connector("interpark")
HmallFiles = _connector("hmall")
CjmallFiles = _connector("cjmall")
LotteonFiles = _connector("lotteon")
LottehomeshoppingFiles = _connector("lottehomeshopping")
GsshopFiles = _connector("gsshop")
GongyoungFiles = _connector("gongyoung")
