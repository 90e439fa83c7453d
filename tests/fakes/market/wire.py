"""Plumbing between a request and its answer: what came in, the error bodies, what goes out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from starlette.datastructures import Headers

from bot.simulator.api import DEFAULT_ERRORS, ApiError, Context, error_body
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
