"""Logging an operator can follow, with secrets and buyers' contacts kept out of every line."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.ops.redaction import redact
from bot.team.privacy import SHOWN

# ids the desk's own lines name ("order 123", "campaign 45", "request 6"), for log collectors
_IDS = {
    key: re.compile(rf"\b{word} #?(\d+)\b", re.IGNORECASE)
    for key, word in (("order_id", "order"), ("campaign_id", "campaign"), ("request_id", "request"))
}


class Redact(logging.Filter):
    """Rewrite a record's message and exception text through `change`, once, for every
    handler after: the arguments are merged in first, as they may carry what is hidden."""

    def __init__(self, change: Callable[[str], str]) -> None:
        super().__init__()
        self.change = change

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.change(record.exc_text)
        record.msg, record.args = self.change(record.getMessage()), None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the ids it names."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        for key, pattern in _IDS.items():
            value = getattr(record, key, None)
            found = pattern.search(message) if value is None else None
            if value is not None or found:
                line[key] = int(value if value is not None else found.group(1))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def log_handler(
    secrets: Iterable[str], log_format: str = "text", stream: TextIO | None = None
) -> logging.Handler:
    """The desk's one handler: its format, with secrets and shown buyers' contacts redacted."""
    handler = logging.StreamHandler(stream)
    if log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    hidden = [secret for secret in secrets if secret]
    handler.addFilter(Redact(lambda text: SHOWN.redact(redact(text, hidden))))
    return handler


def configure_logging(level: int, secrets: Iterable[str], log_format: str = "text") -> None:
    logging.basicConfig(level=level, handlers=[log_handler(secrets, log_format)], force=True)
    # httpx logs every request URL, and Bot API URLs contain the token
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram.ext.Application"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    # python-telegram-bot logs every call's parameters and answers at DEBUG: the 📞
    # pop-up's buyer name and phone, staff's names, whole updates
    logging.getLogger("telegram").setLevel(max(level, logging.INFO))
