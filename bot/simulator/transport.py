"""The simulated Market as an httpx transport: the desk's own client, no socket, no Market.

The desk's `MarketClient` sends its requests here unchanged, so the demo exercises the same
paths, bodies, error handling and retries as production. Requests are read loosely (the
tests' fake is the strict one); an operation the engine does not serve answers 404.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
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

    `fails(operation)` says whether this call meets a simulated server error (the demo's
    `DEMO_FAULTS`); `latency` is how long every answer takes, so staff see the desk wait.
    """

    def __init__(
        self,
        engine: MarketEngine,
        *,
        fails: Callable[[str], bool] = lambda operation: False,
        latency: float = 0.0,
    ) -> None:
        self.engine = engine
        self.fails = fails
        self.latency = latency

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if self.latency:
            await asyncio.sleep(self.latency)
        status, payload = self.answer(request.method, request.url, request.content)
        return httpx.Response(status, json=payload, headers={"Connection": "close"})

    def answer(self, method: str, url: httpx.URL, content: bytes) -> tuple[int, dict[str, Any]]:
        """The status and body the simulated Market gives this request."""
        route = _route(method, url.path)
        if route is None:
            return 404, error_body("NOT_FOUND", f"Resource not found: {url.path}")
        operation, path = route
        if self.fails(operation):
            return 500, error_body("INTERNAL_ERROR", "Internal server error")
        try:
            context = _context(path, url, content)
            return self.engine.handlers[operation](context)
        except ApiError as error:
            return error.status, error_body(error.code, error.message)


def _route(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    for route_method, pattern, operation in ROUTES:
        found = pattern.fullmatch(path)
        if found and method == route_method:
            return operation, {name: int(value) for name, value in found.groupdict().items()}
    return None


def _context(path: dict[str, Any], url: httpx.URL, content: bytes) -> Context:
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
    return Context(path=path, query=query, raw_query=raw, body=body)
