"""The always-on service: watch the inbox, push what arrives, collect on a schedule."""

from mallbatch.watch.lock import AlreadyRunning
from mallbatch.watch.service import WatchService, run_watch
from mallbatch.watch.settings import WatchSettings
from mallbatch.watch.status import status_lines

__all__ = ["AlreadyRunning", "WatchService", "WatchSettings", "run_watch", "status_lines"]
