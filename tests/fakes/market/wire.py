"""Plumbing between a request and its answer: what came in, the error bodies, what goes out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from starlette.datastructures import Headers

from tests.fakes.market.spec import Operation

__all__ = [
    "DEFAULT_ERRORS",
    "ApiError",
    "Context",
    "Incoming",
    "Outcome",
    "error_body",
    "http_date",
    "parse_query",
]

DEFAULT_ERRORS = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("UNAUTHORIZED", "Api-Key token is invalid"),
    403: ("FORBIDDEN", "Access denied"),
    404: ("NOT_FOUND", "Not found"),
    420: ("REQUEST_LIMIT_EXCEEDED", ""),  # message built from the operation's limit
    423: ("LOCKED", "Campaign is in business migration"),
    500: ("INTERNAL_ERROR", "Internal server error"),
    503: ("SERVICE_UNAVAILABLE", "Service temporarily unavailable. Please, try again later"),
}


class ApiError(Exception):
    """Raised by checks and handlers to answer with the Market error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass
class Incoming:
    """A request as read off the wire."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Headers
    body: bytes
    json: Any


@dataclass
class Outcome:
    """How to answer: a status and JSON payload, or a dropped connection."""

    status: int
    payload: Any = None
    operation: Operation | None = None
    headers: dict[str, str] | None = None
    drop: bool = False


@dataclass
class Context:
    """A valid request, unmarshalled by openapi-core, as handlers get it."""

    path: dict[str, Any]
    query: dict[str, Any]
    raw_query: dict[str, str]
    body: Any


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"status": "ERROR", "errors": [{"code": code, "message": message}]}


def http_date(moment: datetime) -> str:
    """RFC 822 date in GMT, rounded up to the whole second."""
    stamp = math.ceil(moment.timestamp())
    return format_datetime(datetime.fromtimestamp(stamp, UTC), usegmt=True)


def parse_query(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Query parameters as a dict; one given twice or more maps to the list of its values."""
    query: dict[str, Any] = {}
    for key, value in pairs:
        if key in query:
            previous = query[key]
            query[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            query[key] = value
    return query
