"""Logging for the always-on service: a rotating file in the state folder, masked.

The log is read by whoever helps the seller, so it must never carry a credential or a
customer's full phone number. Masking runs on the formatted message, after ``%``
arguments are merged, so nothing slips through an argument.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from mallbatch import redact
from mallbatch.config import Config, Secret

# 010-1234-5678, 01012345678, 02-123-4567, 0505-123-4567 (안심번호); keeps the last four digits.
PHONE = re.compile(r"(?<!\d)(01[016789]|02|0[3-6]\d|050\d|070|080)[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)")
# Anything that looks like "secret=…", "Authorization: …" in a message or URL.
KEYED = re.compile(r"(?i)\b(authorization|signature|secret|password|token|api[_-]?key|access[_-]?key)(\W{1,3})([^\s,;&\"']+)")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 5 * 2**20
BACKUPS = 5


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """Hide known secret values, keyed secrets and phone numbers (all but the last 4 digits)."""
    text = redact.mask(text)  # every secret this process has seen
    for value in secrets:
        if len(value) >= 4:
            text = text.replace(value, "********")
    text = KEYED.sub(lambda m: f"{m.group(1)}{m.group(2)}********", text)
    return PHONE.sub(lambda m: f"{m.group(1)}-****-{m.group(3)}", text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's message through :func:`mask` before any handler sees it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info), self.secrets)
        return True


def config_secrets(config: Config) -> list[str]:
    return [v.reveal() for a in config.accounts for v in a.options.values() if isinstance(v, Secret)]


def setup_logging(config: Config, log_dir: Path, console: bool = True) -> Path:
    """Log to ``log_dir/watch.log`` (5 × 5 MB) and, when asked, to stderr; returns the file."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "watch.log"
    masking = MaskingFilter(config_secrets(config))
    handlers: list[logging.Handler] = [RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")]
    if console:
        handlers.append(logging.StreamHandler())
    root = logging.getLogger("mallbatch")
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(masking)
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
    return path
