"""Personal-data retention (개인정보보호법): collected customers' names, phones and addresses are
kept in the store only ``[privacy] retention_days`` after a record last changed (delivery,
구매확정, a claim's end), then masked. Order ids, amounts and states stay, so statistics and
dedupe keep working. Runs at every collect and when watch starts.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from mallbatch.domain.clock import now_kst
from mallbatch.config import Config
from mallbatch.errors import ConfigError
from mallbatch.store import Store

log = logging.getLogger("mallbatch.privacy")
DEFAULT_RETENTION_DAYS = 90


def retention_days(config: Config) -> int:
    value = config.value("privacy", "retention_days", int, DEFAULT_RETENTION_DAYS) or 0
    if value < 1:
        raise ConfigError(f"config.toml [privacy] retention_days 는 1 이상의 정수(일)여야 합니다 (지금 값: {value!r}). "
                          f"예: retention_days = {DEFAULT_RETENTION_DAYS}")
    return value


def apply_retention(config: Config, store: Store, now: datetime | None = None) -> int:
    """Mask what is past the retention period; returns how many records were masked."""
    days = retention_days(config)
    masked = store.records.mask_personal((now or now_kst()) - timedelta(days=days))
    if masked:
        log.info("개인정보 보관기간(%d일)이 지난 수집 기록 %d건의 이름·연락처·주소를 가렸습니다", days, masked)
    return masked
