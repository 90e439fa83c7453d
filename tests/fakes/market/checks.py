"""The checks every request passes before its handler: authentication, then the request itself.

Both raise `ApiError` with the answer the real Market would give (see the package docstring
for the choices where its documentation is silent).
"""

from __future__ import annotations

import json

from starlette.datastructures import QueryParams

from tests.fakes.market.keys import Keys
from tests.fakes.market.spec import MarketSpec, OpenAPIRequest, Operation, describe_validation
from tests.fakes.market.wire import ApiError, Context, Incoming

__all__ = ["MAX_BODY", "SCOPES", "authenticate", "validate_request"]

MAX_BODY = 512 * 1024
SCOPES = frozenset(
    {
        "ALL_METHODS",
        "ALL_METHODS_READ_ONLY",
        "INVENTORY_AND_ORDER_PROCESSING",
        "INVENTORY_AND_ORDER_PROCESSING_READ_ONLY",
        "PRICING",
        "PRICING_READ_ONLY",
        "OFFERS_AND_CARDS_MANAGEMENT",
        "OFFERS_AND_CARDS_MANAGEMENT_READ_ONLY",
        "PROMOTION",
        "PROMOTION_READ_ONLY",
        "FINANCE_AND_ACCOUNTING",
        "COMMUNICATION",
        "SETTINGS_MANAGEMENT",
        "SUPPLIES_MANAGEMENT_READ_ONLY",
    }
)
"""The ApiKeyScopeType values of the spec."""


def _kebab_scope(scope: str) -> str:
    """ApiKeyScopeType (ALL_METHODS_READ_ONLY) -> x-auth-scopes (all-methods:read-only)."""
    name = scope.lower()
    suffix = ""
    if name.endswith("_read_only"):
        name, suffix = name[: -len("_read_only")], ":read-only"
    return name.replace("_", "-") + suffix


def authenticate(req: Incoming, op: Operation, keys: Keys, scopes: tuple[str, ...]) -> None:
    """Api-Key only (401/403), then the key's scopes against `x-auth-scopes` (403)."""
    key = req.headers.get("api-key")
    if not key:
        if req.headers.get("authorization"):
            raise ApiError(403, "FORBIDDEN", "OAuth token is invalid")
        raise ApiError(401, "UNAUTHORIZED", "Credentials are not specified")
    if key.lower().startswith("bearer "):
        raise ApiError(401, "UNAUTHORIZED", "Api-Key token prefix invalid")
    keys.check(key)
    if not {_kebab_scope(s) for s in scopes} & op.scopes:
        raise ApiError(
            403, "FORBIDDEN", "Token does not have any of the scopes to access the API method"
        )


def validate_request(
    spec: MarketSpec, req: Incoming, op: Operation, key_business: int | None
) -> Context:
    """The request unmarshalled per the spec, or 415/400; `key_business` is the business
    of the caller's key (None: the unscoped key)."""
    if op.has_body and req.body:
        _check_body(req)
    pairs = _query_pairs(req, op)
    oreq = OpenAPIRequest(req.method, req.path, QueryParams(pairs), req.headers, req.body)
    with spec.lock:
        result = spec.requests.unmarshal_request(oreq)
    if result.errors:
        raise ApiError(400, "BAD_REQUEST", describe_validation(result.errors))
    return Context(
        path=dict(result.parameters.path),
        query=dict(result.parameters.query),
        raw_query=dict(pairs),
        body=req.json if op.has_body else None,
        business_id=key_business,
    )


def _check_body(req: Incoming) -> None:
    content_type = req.headers.get("content-type")
    if not content_type:
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Missing Content-Type")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError(
            415, "UNSUPPORTED_MEDIA_TYPE", f"Content type '{content_type}' not supported"
        )
    if len(req.body) > MAX_BODY:
        raise ApiError(400, "BAD_REQUEST", "The request is too big")
    try:
        json.loads(req.body)
    except ValueError as exc:
        raise ApiError(400, "BAD_REQUEST", f"JSON: {exc}") from exc


def _query_pairs(req: Incoming, op: Operation) -> list[tuple[str, str]]:
    """Query parameters known to the operation, limits truncated (`x-transform`)."""
    pairs: list[tuple[str, str]] = []
    for name, value in req.query:
        if name not in op.query:
            raise ApiError(400, "UNKNOWN_PARAMETER", f"Unknown parameter: {name}")
        maximum = op.truncate.get(name)
        if maximum is not None and value.strip().lstrip("-").isdigit():
            value = str(min(int(value), maximum))  # x-transform: truncateLimit
        pairs.append((name, value))
    return pairs
