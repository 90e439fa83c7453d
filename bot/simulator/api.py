"""What a simulated operation gets and how it refuses, in the Market's own error format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_ERRORS", "ApiError", "Context", "error_body"]

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
class Context:
    """A valid request, with typed path, query and body values, as handlers get it."""

    path: dict[str, Any]
    query: dict[str, Any]
    raw_query: dict[str, str]
    body: Any
    business_id: int | None = None
    """The business of the caller's Api-Key, which sees only its own campaigns; None: a key
    that sees every business (the demo's, and the tests' fake's unscoped key)."""


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"status": "ERROR", "errors": [{"code": code, "message": message}]}
