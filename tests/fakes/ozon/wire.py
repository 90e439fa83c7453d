"""Plumbing between a request and its answer: errors as `rpcStatus`, and how values are written.

Every non-200 answer of the spec is `rpcStatus` {code, message, details} (OZON_API.md §3;
swagger.json ``schemas.rpcStatus``). `code` is a gRPC status code, as Ozon's gRPC gateway
writes it; the HTTP status of each error is chosen among the responses the spec documents
(400, 403, 404, 409, 500 on `/v3/posting/fbs/get`, plus 429 on the methods with own limits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Grpc", "Incoming", "Outcome", "OzonError", "error_body", "rfc3339"]


class Grpc:
    """The gRPC status codes the fake writes in `rpcStatus.code`."""

    INVALID_ARGUMENT = 3
    NOT_FOUND = 5
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14


class OzonError(Exception):
    """An answer other than 200: the HTTP status and the `rpcStatus` to send."""

    def __init__(
        self, status: int, code: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: int, message: str) -> dict[str, Any]:
    """An `rpcStatus`; `details` is always a list, as the gateway writes it."""
    return {"code": code, "message": message, "details": []}


def rfc3339(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a `Z` (milliseconds only when there are any); None stays None,
    which the gateway writes as `null` for an unset time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give the fake aware times")
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


@dataclass
class Incoming:
    """A request as read off the wire."""

    method: str
    path: str
    headers: Any  # starlette Headers (case-insensitive)
    body: bytes
    json: Any

    @property
    def client_id(self) -> str | None:
        return self.headers.get("client-id")

    @property
    def api_key(self) -> str | None:
        return self.headers.get("api-key")


@dataclass
class Outcome:
    """How to answer: a status and JSON body, or a dropped connection."""

    status: int
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False

    @classmethod
    def of(cls, error: OzonError) -> Outcome:
        return cls(error.status, error_body(error.code, error.message), dict(error.headers))
