"""Every failure talking to Ozon is an `OzonError`, so callers branch on one tree:
`OzonNetworkError` (no answer), `OzonHTTPError` (an answer with an error status, with Ozon's
own rpcStatus `code` and `message`), `OzonRateLimited` (429, with when to retry) and
`OzonResponseError` (a 200 whose body makes no sense).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

ERROR_TEXT_LIMIT = 500  # characters of a non-JSON error body kept for staff and the log
#: Ozon's limits are per second; a longer Retry-After is believed up to this, so that a
#: proxy's odd header cannot stop a cabinet for days.
MAX_RETRY_AFTER = timedelta(minutes=5)
#: Without a readable Retry-After, wait out the one-second window the limit counts in.
DEFAULT_RETRY_AFTER = timedelta(seconds=1)


class OzonError(Exception):
    """Any failure talking to Ozon."""

    def describe(self) -> str:
        return str(self)


class OzonNetworkError(OzonError):
    """Ozon did not answer (connection refused, timeout, broken response)."""


class OzonResponseError(OzonError):
    """Ozon answered 200 with a body the desk cannot read."""


class OzonHTTPError(OzonError):
    """Ozon answered with an error status; `code` and `message` are its rpcStatus, as sent."""

    def __init__(self, status: int, code: str | None, message: str | None, operation: str) -> None:
        self.status, self.code, self.message, self.operation = status, code, message, operation
        super().__init__(f"{operation}: HTTP {status} {code or ''} {message or ''}".strip())

    def describe(self) -> str:
        return " ".join(str(part) for part in (self.status, self.code, self.message) if part)


class OzonRateLimited(OzonHTTPError):
    """429: over a limit of this Client-Id; nothing of it is sent again before `retry_at`."""

    def __init__(self, *args: Any, retry_at: datetime) -> None:
        super().__init__(*args)
        self.retry_at = retry_at


def retry_after(headers: httpx.Headers, now: datetime) -> timedelta:
    """How long Ozon asks to wait: `Retry-After` in seconds (or, per RFC 9110, a date)."""
    value = (headers.get("Retry-After") or "").strip()
    wait: timedelta | None = None
    if value.isascii() and value.isdigit():
        wait = timedelta(seconds=int(value)) if len(value) <= 9 else MAX_RETRY_AFTER
    elif value:
        try:
            wait = parsedate_to_datetime(value) - now
        except (TypeError, ValueError, IndexError):
            wait = None
    if wait is None or wait <= timedelta(0):
        return DEFAULT_RETRY_AFTER
    return min(wait, MAX_RETRY_AFTER)


def utc_now() -> datetime:
    return datetime.now(UTC)


def error_fields(response: httpx.Response) -> tuple[str | None, str | None]:
    """Ozon's rpcStatus `code` and `message`; a body of another shape is the message itself.

    A proxy in between may answer in plain text or HTML: its words are all staff have.
    """
    try:
        body = response.json()
        code, message = body.get("code"), body.get("message")
    except (ValueError, AttributeError):
        code, message = None, None
    if not isinstance(code, int | str) or isinstance(code, bool):
        code = None
    if not isinstance(message, str) or not message:
        message = None
    if code is None and message is None:
        text = " ".join(response.text.split())[:ERROR_TEXT_LIMIT]
        message = text or response.reason_phrase or None
    return (str(code) if code is not None else None), message
