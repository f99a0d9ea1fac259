"""The app's log output: one handler on the "quizapp" logger, plain text or JSON lines (LOG_FORMAT=json).

Every record carries the id of the request it was written in (or "-"), so that a line in the error
log can be matched with the request line and with the id a participant quotes from the error page.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime

LOGGER_NAME = "quizapp"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# Fields a request line adds to its record (see web/request_log.py); JSON output keeps them as keys.
REQUEST_FIELDS = ("method", "route", "status", "duration_ms")


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id, taken from `current_id` (None outside a request)."""

    def __init__(self, current_id: Callable[[], str | None]):
        super().__init__()
        self.current_id = current_id

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `record.request_id`; never drops a record."""
        if not getattr(record, "request_id", None):
            record.request_id = self.current_id() or "-"
        return True


class JSONLineFormatter(logging.Formatter):
    """One JSON object per line, for log shippers: time, level, logger, message, request fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record; a traceback goes into "exc" as text."""
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class CurrentStderrHandler(logging.StreamHandler):
    """A stream handler that writes to whatever sys.stderr is at the time (gunicorn, pytest capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record to the current sys.stderr."""
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(log_format: str, current_id: Callable[[], str | None]) -> logging.Handler:
    """Install (once per process) or reconfigure the handler of the "quizapp" logger; returns it."""
    logger = logging.getLogger(LOGGER_NAME)
    handler = next((h for h in logger.handlers if isinstance(h, CurrentStderrHandler)), None)
    if handler is None:
        handler = CurrentStderrHandler()
        logger.addHandler(handler)
    handler.filters = [RequestIdFilter(current_id)]
    handler.setFormatter(JSONLineFormatter() if log_format.strip().lower() == "json"
                         else logging.Formatter(TEXT_FORMAT))
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return handler
