"""Async client for the few Market Partner API methods the desk uses.

Results are typed (bot/market/records.py); every failure is a `MarketError`
(bot/market/errors.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from decimal import Decimal
from enum import Enum
from json import loads
from typing import Any

import httpx

from bot.domain.model import Decision, Order
from bot.market.errors import (
    MarketHTTPError,
    MarketNetworkError,
    MarketRateLimited,
    MarketResponseError,
    error_fields,
    retry_at,
)
from bot.market.orders import OrderFormatError, parse_business_order
from bot.market.records import Buyer, Campaign, DateWindow, Listing, TokenInfo, Unreadable
from bot.ops import metrics

log = logging.getLogger(__name__)

PAGE_LIMIT = 50  # the Market's maximum for getBusinessOrders and for id/campaign filters
CAMPAIGNS_PAGE = 100  # getCampaigns' maximum `limit`
PARALLEL_REQUESTS = 2  # the lowest of the documented parallel limits


class Lane(Enum):
    """Who a call may wait for: each lane has slots of its own, so none queues behind another.

    The Market counts parallel calls per business (`/businesses/...`: polling and look-ups)
    and per campaign (`/campaigns/...`: decisions and buyers), at most two each (§5.3).
    """

    POLLING = "polling"  # polls and the decider's look-ups: PARALLEL_REQUESTS slots
    DECISIONS = "decisions"  # a decision's PUT: never behind polling or notifications
    BUYER = "buyer"  # a tap's buyer contact: never behind polling
    NOTIFICATIONS = "notifications"  # one look-up at a time, then a polling slot


_SLOTS = {Lane.POLLING: PARALLEL_REQUESTS, Lane.DECISIONS: 1, Lane.BUYER: 1, Lane.NOTIFICATIONS: 1}


def _json_int(text: str) -> int | Decimal:
    """An integer literal; one too long for Python to read as int is kept as a Decimal.

    JSON sets no bound, and one such number must not make a whole page unreadable.
    """
    return int(text) if len(text) <= 64 else Decimal(text)


def _chunks(values: Sequence[int], size: int = PAGE_LIMIT) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


_REASONS = {  # why a rejection: the Market's words for the two rejecting decisions
    Decision.REJECT_DELIVERED: "ORDER_DELIVERED",
    Decision.REJECT_IN_DELIVERY: "ORDER_IN_DELIVERY",
}


def shared_http(
    base_url: str, *, timeout: float = 20.0, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The HTTP client every cabinet's `MarketClient` may share."""
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Accept": "application/json"},
        timeout=httpx.Timeout(timeout, connect=5.0),
        transport=transport,
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
    )


def _campaign(raw: dict[str, Any], campaign_id: int | None) -> Campaign:
    """A CampaignDTO; KeyError/TypeError/ValueError when it has no id or business."""
    business = raw.get("business") or {}
    found = int(raw["id"] if campaign_id is None else raw.get("id", campaign_id))
    return Campaign(
        id=found,
        name=str(raw.get("domain") or found),
        business_id=int(business["id"]),
        business_name=str(business.get("name") or ""),
        placement_type=str(raw.get("placementType") or "UNKNOWN"),
        api_availability=str(raw.get("apiAvailability") or "UNKNOWN"),
    )


def decision_body(decision: Decision) -> dict[str, Any]:
    """The JSON body of `PUT .../cancellation/accept`: the desk's decision in the Market's words."""
    if decision.accepts:
        return {"accepted": True}
    return {"accepted": False, "reason": _REASONS[decision]}


class MarketClient:
    """One per key; `close()` it on shutdown. Cabinets share one `http` client (one pool,
    one TLS context) and send their own key with each call."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._owns_http = http is None
        self._http = http or shared_http(base_url, timeout=timeout, transport=transport)
        self._headers = {"Api-Key": api_key}
        self._lanes = {lane: asyncio.Semaphore(slots) for lane, slots in _SLOTS.items()}

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        lane: Lane = Lane.POLLING,
    ) -> Any:
        async with self._turn(lane):
            try:
                response = await self._http.request(
                    method, path, params=params, json=json, headers=self._headers
                )
            except httpx.HTTPError as error:
                metrics.MARKET_CALLS.labels(operation, "network").inc()
                raise MarketNetworkError(f"{operation}: {type(error).__name__}") from error
        metrics.MARKET_CALLS.labels(operation, str(response.status_code)).inc()
        if response.status_code != 200:
            code, message = error_fields(response)
            log.warning(
                "Market %s answered %s %s %s", operation, response.status_code, code, message
            )
            if response.status_code == 420:
                metrics.MARKET_420.inc()
                raise MarketRateLimited(
                    420, code, message, operation, retry_at=retry_at(response.headers)
                )
            raise MarketHTTPError(response.status_code, code, message, operation)
        try:
            return loads(response.content, parse_int=_json_int)
        except ValueError as error:
            raise MarketResponseError(f"{operation}: the answer is not JSON") from error

    @contextlib.asynccontextmanager
    async def _turn(self, lane: Lane) -> AsyncIterator[None]:
        """A slot of `lane`; a notification's look-up then takes a polling slot as well, so
        it holds at most one of them and never one a decision waits for."""
        async with self._lanes[lane]:
            if lane is Lane.NOTIFICATIONS:
                async with self._lanes[Lane.POLLING]:
                    yield
            else:
                yield

    async def get_campaign(self, campaign_id: int) -> Campaign:
        data = await self._call("getCampaign", "GET", f"/v2/campaigns/{campaign_id}")
        try:
            return _campaign(data["campaign"], campaign_id)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MarketResponseError(f"getCampaign: unexpected answer ({error!r})") from error

    async def campaigns(self) -> list[Campaign]:
        """Every campaign the key can see (getCampaigns), over all pages."""
        found: list[Campaign] = []
        page_token: str | None = None
        while True:
            params: dict[str, Any] = {"limit": CAMPAIGNS_PAGE}
            if page_token:
                params["page_token"] = page_token
            data = await self._call("getCampaigns", "GET", "/v2/campaigns", params=params)
            try:
                page = [_campaign(raw, None) for raw in data["campaigns"]]
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise MarketResponseError(f"getCampaigns: unexpected answer ({error!r})") from error
            found += page
            page_token = (data.get("paging") or {}).get("nextPageToken")
            if not page_token or not page:
                return found

    async def token_info(self) -> TokenInfo:
        data = await self._call("getAuthTokenInfo", "POST", "/v2/auth/token")
        try:
            api_key = data["result"]["apiKey"]
            return TokenInfo(str(api_key.get("name") or ""), frozenset(api_key["authScopes"]))
        except (KeyError, TypeError, AttributeError) as error:
            raise MarketResponseError(f"getAuthTokenInfo: unexpected answer ({error!r})") from error

    async def _orders(
        self, business_id: int, body: dict[str, Any], lane: Lane = Lane.POLLING
    ) -> AsyncIterator[Any]:
        """Every raw order matching `body`, over all pages, one request per page."""
        page_token: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE_LIMIT}
            if page_token:
                params["page_token"] = page_token
            data = await self._call(
                "getBusinessOrders",
                "POST",
                f"/v1/businesses/{business_id}/orders",
                params=params,
                json=body,
                lane=lane,
            )
            orders = data.get("orders") if isinstance(data, dict) else None
            if not isinstance(orders, list):
                raise MarketResponseError("getBusinessOrders: no orders list in the answer")
            for raw in orders:
                yield raw
            page_token = (data.get("paging") or {}).get("nextPageToken")
            if not page_token or not orders:
                return

    async def list_pending(
        self, business_id: int, campaign_ids: Sequence[int], window: DateWindow
    ) -> Listing:
        """Orders awaiting a cancellation decision, created within `window`."""
        listing = Listing()
        for chunk in _chunks(campaign_ids):
            body: dict[str, Any] = {
                "waitingForCancellationApprove": True,
                "campaignIds": chunk,
                "programTypes": ["DBS"],
                "dates": window.as_filter(),
            }
            async for raw in self._orders(business_id, body):
                try:
                    listing.orders.append(parse_business_order(raw))
                except OrderFormatError as error:
                    log.warning("The Market listed an order the desk cannot read: %s", error)
                    listing.unreadable.append(Unreadable.of(raw, str(error)))
        return listing

    async def get_orders(
        self,
        business_id: int,
        order_ids: Sequence[int],
        window: DateWindow,
        lane: Lane = Lane.POLLING,
    ) -> list[Order]:
        """Orders by id; those created outside `window` are absent."""
        found: list[Order] = []
        for chunk in _chunks(sorted(set(order_ids))):
            body: dict[str, Any] = {"orderIds": chunk, "dates": window.as_filter()}
            async for raw in self._orders(business_id, body, lane):
                try:
                    found.append(parse_business_order(raw))
                except OrderFormatError as error:
                    log.warning("Skipping an unreadable order from the Market: %s", error)
        return found

    async def send_decision(self, campaign_id: int, order_id: int, decision: Decision) -> None:
        await self._call(
            "acceptOrderCancellation",
            "PUT",
            f"/v2/campaigns/{campaign_id}/orders/{order_id}/cancellation/accept",
            json=decision_body(decision),
            lane=Lane.DECISIONS,
        )

    async def buyer(self, campaign_id: int, order_id: int) -> Buyer:
        """getOrderBuyerInfo, on a lane of its own so that a tap never waits for polling."""
        path = f"/v2/campaigns/{campaign_id}/orders/{order_id}/buyer"
        data = await self._call("getOrderBuyerInfo", "GET", path, lane=Lane.BUYER)
        try:
            result = data["result"]
            parts = (result.get(key) for key in ("firstName", "middleName", "lastName"))
            phone = result.get("phone")
            return Buyer(
                name=" ".join(str(part) for part in parts if part),
                phone=str(phone) if phone else None,
                trusted=result.get("trusted") is True,
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise MarketResponseError(
                f"getOrderBuyerInfo: unexpected answer ({error!r})"
            ) from error
