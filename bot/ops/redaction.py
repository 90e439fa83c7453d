"""The secrets no output may show, and the last resort that keeps them out of crashes.

The log's own filter (bot.ops.logs) redacts every record. What would bypass it is a traceback
Python prints by itself for an exception nobody caught, in any thread, and the lines
`python -m bot check` prints: the first is logged instead, the second redacted here.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable
from types import TracebackType

from bot.config import Settings

log = logging.getLogger("bot")


def secrets_of(settings: Settings) -> list[str]:
    """The bot token and its secret half (a URL-encoded token shows it apart), the Market key."""
    token = settings.telegram_bot_token
    secrets = [token, token.partition(":")[2]]
    if settings.demo is None:  # the simulator's key is no secret
        secrets.append(settings.market_api_key)
    return [secret for secret in secrets if secret]


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def catch_uncaught() -> None:
    """Log what nobody caught, so it meets the log's redaction and LOG_FORMAT."""
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_uncaught
    sys.unraisablehook = _log_unraisable


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    log.critical("Stopped by an unexpected error", exc_info=(kind, error, trace))


def _log_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # what Python's own hook keeps quiet about too
        return
    error = (args.exc_type, args.exc_value, args.exc_traceback)
    name = args.thread.name if args.thread is not None else "?"
    log.critical("Thread %s ended by an unexpected error", name, exc_info=error)  # type: ignore[arg-type]


def _log_unraisable(args: sys.UnraisableHookArgs) -> None:
    error = (args.exc_type, args.exc_value, args.exc_traceback)
    log.error("%s: %r", args.err_msg or "Exception ignored in", args.object, exc_info=error)  # type: ignore[arg-type]
