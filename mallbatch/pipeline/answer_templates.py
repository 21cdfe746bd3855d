"""Answer templates per language (seed 004: reply templates in the customer's language).

The seller keeps jinja2 templates in the workspace, ``templates/answers/<language>/<name>.txt``;
a 문의 or 티켓 row names one in its 템플릿 column. The customer's locale picks the language:
the locale itself (``pt-br``), then its base language (``pt``), then the record's fallback —
``en`` for a Wish ticket, ``ko`` for a Korean mall's inquiry (Korean malls give no locale).
Templates render in a :class:`jinja2.sandbox.SandboxedEnvironment` with :class:`StrictUndefined`:
a template cannot reach Python internals, and a misspelt variable is an error on the row, never
an answer with a hole in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from mallbatch.domain.couriers import BY_CODE as COURIERS
from mallbatch.domain.records import Inquiry, Ticket
from mallbatch.store import Store
from mallbatch.workspace import Workspace

ANSWERS_DIR = Path("templates") / "answers"
SUFFIX = ".txt"
TICKET_FALLBACK, INQUIRY_FALLBACK = "en", "ko"
VARIABLES = ("customer_name", "order_id", "product", "tracking_no", "courier", "subject")


class TemplateProblem(Exception):
    """A template that cannot give an answer; ``message_ko`` says which, why and what exists."""

    def __init__(self, message_ko: str) -> None:
        super().__init__(message_ko)
        self.message_ko = message_ko


def _language_key(text: str) -> str:
    return text.strip().lower().replace("_", "-")


def languages_for(locale: str, fallback: str) -> list[str]:
    """The languages tried for ``locale``, best first: the locale, its base language, the fallback."""
    key = _language_key(locale)
    return list(dict.fromkeys(k for k in (key, key.split("-")[0], _language_key(fallback)) if k))


@dataclass(frozen=True)
class Rendered:
    text: str
    language: str  # the folder the template came from


class AnswerTemplates:
    """The workspace's answer templates; one environment per language folder."""

    def __init__(self, ws: Workspace) -> None:
        self.root = ws.home / ANSWERS_DIR
        self._envs: dict[str, SandboxedEnvironment] = {}

    @property
    def folder_ko(self) -> str:
        return ANSWERS_DIR.as_posix()

    def languages(self) -> dict[str, Path]:
        """language key → its folder (``de_DE`` and ``de-de`` are the same language)."""
        if not self.root.is_dir():
            return {}
        return {_language_key(p.name): p for p in sorted(self.root.iterdir()) if p.is_dir() and not p.name.startswith(".")}

    def names(self, language: str) -> list[str]:
        folder = self.languages().get(language)
        return sorted(p.stem for p in folder.glob(f"*{SUFFIX}")) if folder else []

    def _env(self, language: str, folder: Path) -> SandboxedEnvironment:
        env = self._envs.get(language)
        if env is None:
            env = SandboxedEnvironment(loader=FileSystemLoader(folder, encoding="utf-8"), undefined=StrictUndefined,
                                       autoescape=False, keep_trailing_newline=False)
            self._envs[language] = env
        return env

    def render(self, name: str, locale: str, fallback: str, context: Mapping[str, Any]) -> Rendered:
        """``name`` in the customer's language (see :func:`languages_for`) filled with ``context``."""
        name = name.strip()
        folders = self.languages()
        tried = languages_for(locale, fallback)
        where = f"{self.folder_ko}/<언어>/{name}{SUFFIX}"
        if not name or any(ch in name for ch in "/\\") or name.startswith("."):
            raise TemplateProblem(f"템플릿 이름 '{name}'은(는) 쓸 수 없습니다: 폴더 없이 파일 이름만 적으세요 (예: 배송안내)")
        for language in tried:
            folder = folders.get(language)
            if folder is None or not (folder / f"{name}{SUFFIX}").is_file():
                continue
            try:
                text = self._env(language, folder).get_template(f"{name}{SUFFIX}").render(**context)
            except TemplateNotFound:
                continue
            except TemplateError as exc:
                raise TemplateProblem(f"템플릿 '{name}' ({language})을(를) 채우지 못했습니다: {exc}. "
                                      f"쓸 수 있는 값: {', '.join(VARIABLES)} ({folder.name}/{name}{SUFFIX} 를 고치세요)") from exc
            except Exception as exc:  # noqa: BLE001 - a template is the seller's code: any failure is the row's error
                raise TemplateProblem(f"템플릿 '{name}' ({language})을(를) 채우지 못했습니다: {type(exc).__name__}: {exc}") from exc
            text = text.strip()
            if not text:
                raise TemplateProblem(f"템플릿 '{name}' ({language})을(를) 채웠더니 빈 답변입니다. {folder.name}/{name}{SUFFIX} 에 답변을 쓰세요")
            return Rendered(text, language)
        having = [f"{lang}({', '.join(self.names(lang)) or '템플릿 없음'})" for lang in folders]
        raise TemplateProblem(
            f"템플릿 '{name}'이(가) 없습니다: {', '.join(tried)} 순서로 찾았습니다 ({where}). "
            + (f"있는 언어와 템플릿: {'; '.join(having)}" if having else f"{self.folder_ko} 폴더에 템플릿이 없습니다 (mallbatch init 이 예시를 만듭니다)"))


def _order_context(store: Store, mall: str, account: str, order_id: str) -> dict[str, str]:
    """Product and tracking number from the stored order line, when there is one."""
    lines = store.records.orders(mall, account, [order_id]) if order_id else []
    shipped = next((line for line in lines if line.tracking_no), None)
    line = shipped or (lines[0] if lines else None)
    if line is None:
        return {}
    courier = COURIERS.get(line.courier)
    return {"product": line.product_name, "tracking_no": line.tracking_no,
            "courier": courier.name if courier else line.courier}


def inquiry_context(store: Store, inquiry: Inquiry) -> dict[str, str]:
    context = {"customer_name": inquiry.writer, "order_id": inquiry.order_id, "product": inquiry.product_name,
               "tracking_no": "", "courier": "", "subject": inquiry.subject}
    found = _order_context(store, inquiry.mall, inquiry.account, inquiry.order_id)
    return context | {k: v for k, v in found.items() if v}


def ticket_context(store: Store, ticket: Ticket) -> dict[str, str]:
    order_id = ticket.order_ids[0] if ticket.order_ids else ""
    context = {"customer_name": ticket.customer_name, "order_id": order_id,
               "product": ticket.product_ids[0] if ticket.product_ids else "", "tracking_no": "", "courier": "",
               "subject": ticket.subject}
    found = _order_context(store, ticket.mall, ticket.account, order_id)
    return context | {k: v for k, v in found.items() if v}
