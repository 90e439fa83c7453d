"""The simulated Market as an httpx transport: the desk's own client, no socket, no Market.

The desk's `MarketClient` sends its requests here unchanged, so the demo exercises the same
paths, bodies, error handling and retries as production. Requests are read loosely (the
tests' fake is the strict one); an operation the engine does not serve answers 404. Given its
keys, it refuses a key as the Market does: unknown (401), or used for another business (403).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from bot.simulator.api import ApiError, Context, error_body
from bot.simulator.engine import MarketEngine

__all__ = ["ROUTES", "SimulatorTransport"]

ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("GET", re.compile(r"/v2/campaigns/(?P<campaignId>\d+)"), "getCampaign"),
    ("GET", re.compile(r"/v2/campaigns"), "getCampaigns"),
    ("POST", re.compile(r"/v2/auth/token"), "getAuthTokenInfo"),
    ("POST", re.compile(r"/v1/businesses/(?P<businessId>\d+)/orders"), "getBusinessOrders"),
    (
        "GET",
        re.compile(r"/v2/campaigns/(?P<campaignId>\d+)/orders/(?P<orderId>\d+)/buyer"),
        "getOrderBuyerInfo",
    ),
    (
        "PUT",
        re.compile(
            r"/v2/campaigns/(?P<campaignId>\d+)/orders/(?P<orderId>\d+)/cancellation/accept"
        ),
        "acceptOrderCancellation",
    ),
)
_INTEGER_QUERY = frozenset({"limit", "page", "pageSize"})


class SimulatorTransport(httpx.AsyncBaseTransport):
    """Answers the desk's Market calls from `engine`.

    `keys` maps each Api-Key the simulated Market issued to its business (None: any key,
    reaching every business); `fails(operation)` says whether this call meets a simulated
    server error (the demo's `DEMO_FAULTS`); `latency` is how long every answer takes, so
    staff see the desk wait.
    """

    def __init__(
        self,
        engine: MarketEngine,
        *,
        keys: Mapping[str, int] | None = None,
        fails: Callable[[str], bool] = lambda operation: False,
        latency: float = 0.0,
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.fails = fails
        self.latency = latency

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if self.latency:
            await asyncio.sleep(self.latency)
        status, payload = self.answer(request)
        return httpx.Response(status, json=payload, headers={"Connection": "close"})

    def answer(self, request: httpx.Request) -> tuple[int, dict[str, Any]]:
        """The status and body the simulated Market gives this request."""
        url = request.url
        route = _route(request.method, url.path)
        if route is None:
            return 404, error_body("NOT_FOUND", f"Resource not found: {url.path}")
        operation, path = route
        if self.fails(operation):
            return 500, error_body("INTERNAL_ERROR", "Internal server error")
        try:
            business = self._key_business(request.headers.get("Api-Key"), path)
            context = _context(path, url, request.content, business)
            return self.engine.handlers[operation](context)
        except ApiError as error:
            return error.status, error_body(error.code, error.message)

    def _key_business(self, key: str | None, path: dict[str, Any]) -> int | None:
        """The business of the caller's key, refused where the Market would refuse it: a key
        reaches only its own business and that business's campaigns."""
        if self.keys is None:
            return None
        if not key:
            raise ApiError(401, "UNAUTHORIZED", "Credentials are not specified")
        business = self.keys.get(key)
        if business is None:
            raise ApiError(401, "UNAUTHORIZED", "Api-Key token is invalid")
        addressed = path.get("businessId")
        if "campaignId" in path:
            addressed = self.engine.campaign_business(path["campaignId"])
        if addressed is not None and addressed != business:
            raise ApiError(403, "FORBIDDEN", "Access denied")
        return business


def _route(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    for route_method, pattern, operation in ROUTES:
        found = pattern.fullmatch(path)
        if found and method == route_method:
            return operation, {name: int(value) for name, value in found.groupdict().items()}
    return None


def _context(path: dict[str, Any], url: httpx.URL, content: bytes, business: int | None) -> Context:
    raw = dict(url.params.multi_items())
    query: dict[str, Any] = {}
    for name, value in raw.items():
        if name in _INTEGER_QUERY:
            if not value.isdigit():
                raise ApiError(400, "BAD_REQUEST", f"{name} must be a number")
            query[name] = int(value)
        else:
            query[name] = value
    try:
        body = json.loads(content) if content else None
    except ValueError as error:
        raise ApiError(400, "BAD_REQUEST", f"JSON: {error}") from error
    return Context(path=path, query=query, raw_query=raw, body=body, business_id=business)
