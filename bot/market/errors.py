"""Every failure talking to the Market is a `MarketError`, so callers branch on one tree:
`MarketNetworkError` (no answer), `MarketHTTPError` (an answer with an error status, with
the Market's own `code` and `message`), `MarketRateLimited` (420, with when to retry) and
`MarketResponseError` (a 200 whose body makes no sense).
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx


class MarketError(Exception):
    """Any failure talking to the Market."""

    def describe(self) -> str:
        return str(self)


class MarketNetworkError(MarketError):
    """The Market did not answer (connection refused, timeout, broken response)."""


class MarketResponseError(MarketError):
    """The Market answered 200 with a body the desk cannot read."""


class MarketHTTPError(MarketError):
    """The Market answered with an error status."""

    def __init__(self, status: int, code: str | None, message: str | None, operation: str) -> None:
        self.status, self.code, self.message, self.operation = status, code, message, operation
        super().__init__(f"{operation}: HTTP {status} {code or ''} {message or ''}".strip())

    def describe(self) -> str:
        return " ".join(str(part) for part in (self.status, self.code, self.message) if part)


class MarketRateLimited(MarketHTTPError):
    """420: a Market limit was hit; `retry_at` is from `X-RateLimit-Resource-Until`."""

    def __init__(self, *args: Any, retry_at: datetime | None) -> None:
        super().__init__(*args)
        self.retry_at = retry_at


def retry_at(headers: httpx.Headers) -> datetime | None:
    value = headers.get("X-RateLimit-Resource-Until")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


ERROR_TEXT_LIMIT = 500  # characters of a non-JSON error body kept for staff and the log


def error_fields(response: httpx.Response) -> tuple[str | None, str | None]:
    """The Market's `code` and `message`; a body of another shape is the message itself.

    Some limits answer in plain text ("Hit rate limit of 2 parallel requests"), and a
    proxy in between may answer in HTML: its words are all staff have to go on.
    """
    try:
        first = response.json()["errors"][0]
        code, message = first.get("code"), first.get("message")
    except (ValueError, LookupError, AttributeError, TypeError):
        code, message = None, None
    if code is None and message is None:
        text = " ".join(response.text.split())[:ERROR_TEXT_LIMIT]
        message = text or response.reason_phrase or None
    return (str(code) if code is not None else None), (
        str(message) if message is not None else None
    )
