"""A seller's workspace: config.toml plus inbox/, outbox/, archive/, images/ and state/.

Commands work on the workspace named by ``--home``, ``MALLBATCH_HOME`` or the current
directory, in that order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from mallbatch.config import Config, load_config
from mallbatch.docs import account_comments
from mallbatch.files import private_dir, write_private
from mallbatch.malls import MALLS
from mallbatch.connectors.registry import connected, connectors
from mallbatch.sandbox.registry import SIMULATORS, sandbox_credentials
from mallbatch.sheets.guard import Limits

TEMPLATE_FILES = {
    "상품.xlsx": ("products", "sales_groups"),
    "판매정보.xlsx": ("sales_groups",),
    "재고·가격.xlsx": ("stock",),
    "송장.xlsx": ("invoices",),
    "문의답변.xlsx": ("answers",),
    "클레임처리.xlsx": ("claim_actions",),
    "티켓처리.xlsx": ("ticket_actions",),
}


def resolve_home(home: str | os.PathLike[str] | None) -> Path:
    return Path(home or os.environ.get("MALLBATCH_HOME") or Path.cwd()).expanduser().resolve()


@dataclass(frozen=True)
class Workspace:
    config: Config

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None) -> Workspace:
        return cls(load_config(resolve_home(home)))

    @property
    def home(self) -> Path:
        return self.config.home

    @property
    def inbox(self) -> Path:
        return self.config.path("inbox", "inbox")

    @property
    def outbox(self) -> Path:
        return self.config.path("outbox", "outbox")

    @property
    def archive(self) -> Path:
        return self.config.path("archive", "archive")

    @property
    def images(self) -> Path:
        return self.config.path("images", "images")

    @property
    def state(self) -> Path:
        return self.config.path("state", "state")

    @property
    def templates(self) -> Path:
        return self.outbox / "templates"

    @property
    def store_path(self) -> Path:
        return self.state / "mallbatch.db"

    @property
    def sandbox_path(self) -> Path:
        return self.state / "sandbox.db"

    @property
    def used(self) -> bool:
        """False until a command keeps state here: a fresh init, or a fresh clone of the checkout."""
        from mallbatch.store import store_exists  # the store imports nothing of the workspace's

        return self.sandbox_path.exists() or store_exists(self)

    @property
    def limits(self) -> Limits:
        mb = 2**20
        return Limits(
            max_bytes=self.config.limit("max_file_mb", 50) * mb,
            max_zip_entries=self.config.limit("max_zip_entries", 5000),
            max_uncompressed=self.config.limit("max_uncompressed_mb", 500) * mb,
        )

    @property
    def passwords(self) -> list[str]:
        return [str(p) for p in self.config.value("read", "passwords", list, []) or []]

    def make_dirs(self) -> None:
        for folder in (self.inbox, self.outbox, self.archive, self.images, self.templates):
            folder.mkdir(parents=True, exist_ok=True)
        private_dir(self.state)  # customers' names, phones and addresses; logs


def offered_simulators() -> tuple[str, ...]:
    """Malls a workspace gets a simulator account for: those with a simulator and a connector,
    so a mall is offered as soon as both folders exist (no list to edit)."""
    return tuple(mall for mall in SIMULATORS if mall in connected())


def file_malls() -> tuple[str, ...]:
    """Malls reached through upload and download files (connectors/filemall): a fresh workspace has an account each."""
    found = connectors()
    return tuple(m.code for m in MALLS if getattr(found.get(m.code), "transport", "api") == "file")


def render_config(today: date | None = None) -> str:
    env = Environment(loader=PackageLoader("mallbatch", "templates"), undefined=StrictUndefined, keep_trailing_newline=True)
    simulators = [{"mall": mall, "credentials": sandbox_credentials(mall)} for mall in offered_simulators()]
    return env.get_template("config.toml.j2").render(simulators=simulators, account_comments=account_comments(),
                                                     file_malls=file_malls(), today=(today or date.today()).isoformat())


# Example answer templates (seed 004: reply templates in several languages); written once, when
# ``templates/answers`` does not exist yet, so the seller's own are never touched.
ANSWER_EXAMPLES: dict[str, dict[str, str]] = {
    "ko": {
        "배송안내": "{{ customer_name }}님, 문의 감사합니다.\n주문하신 {{ product or '상품' }}은(는) "
                 "{% if tracking_no %}{{ courier }} {{ tracking_no }} 로 발송되었습니다. 배송 조회로 위치를 확인하실 수 있습니다."
                 "{% else %}준비가 끝나는 대로 발송하고 송장번호를 알려 드리겠습니다.{% endif %}\n감사합니다.\n",
        "감사인사": "{{ customer_name }}님, 문의해 주셔서 감사합니다. 확인하고 곧 다시 안내해 드리겠습니다.\n",
    },
    "en": {
        "배송안내": "Hello {{ customer_name }},\nthank you for your message. "
                 "{% if tracking_no %}Your order {{ order_id }} has shipped with {{ courier }}, tracking number {{ tracking_no }}."
                 "{% else %}Your order {{ order_id }} will ship shortly; we will send you the tracking number.{% endif %}\n"
                 "Best regards\n",
        "감사인사": "Hello {{ customer_name }},\nthank you for contacting us. We are looking into it and will get back to you soon.\n",
    },
    "de": {
        "배송안내": "Hallo {{ customer_name }},\nvielen Dank für Ihre Nachricht. "
                 "{% if tracking_no %}Ihre Bestellung {{ order_id }} wurde mit {{ courier }} versandt, Sendungsnummer {{ tracking_no }}."
                 "{% else %}Ihre Bestellung {{ order_id }} wird in Kürze versandt; die Sendungsnummer folgt.{% endif %}\n"
                 "Mit freundlichen Grüßen\n",
        "감사인사": "Hallo {{ customer_name }},\nvielen Dank für Ihre Anfrage. Wir prüfen sie und melden uns in Kürze.\n",
    },
}


def write_answer_examples(home: Path) -> None:
    """``templates/answers/<language>/<name>.txt`` examples, unless the seller has that folder already."""
    root = home / "templates" / "answers"
    if root.exists():
        return
    for language, templates in ANSWER_EXAMPLES.items():
        (root / language).mkdir(parents=True, exist_ok=True)
        for name, text in templates.items():
            (root / language / f"{name}.txt").write_text(text, encoding="utf-8")


def init_workspace(home: Path) -> tuple[Workspace, bool]:
    """Create config.toml (unless present), the folders, the blank templates and example answer templates."""
    home.mkdir(parents=True, exist_ok=True)
    config_path = home / "config.toml"
    created = not config_path.exists()
    if created:
        write_private(config_path, render_config())  # API keys: owner-only (0600) on POSIX
    workspace = Workspace(load_config(home))
    workspace.make_dirs()
    write_answer_examples(workspace.home)
    return workspace, created
