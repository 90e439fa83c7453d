"""Async client for the few Market Partner API methods the desk uses.

Results are typed; every failure is a `MarketError` so callers branch on one tree:
`MarketNetworkError` (no answer), `MarketHTTPError` (an answer with an error status, with
the Market's own `code` and `message`), `MarketRateLimited` (420, with when to retry) and
`MarketResponseError` (a 200 whose body makes no sense).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from enum import Enum
from json import loads
from typing import Any

import httpx

from bot.domain.model import Decision, Order
from bot.market.orders import OrderFormatError, parse_business_order
from bot.ops import metrics

log = logging.getLogger(__name__)

PAGE_LIMIT = 50  # the Market's maximum for getBusinessOrders and for id/campaign filters
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


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    business_id: int
    business_name: str
    placement_type: str
    api_availability: str


@dataclass(frozen=True)
class Buyer:
    """The buyer as getOrderBuyerInfo gives it; shown to one person, never stored."""

    name: str
    phone: str | None  # the Market's substitute number
    trusted: bool  # verified by the Market: it asks sellers not to call


@dataclass(frozen=True)
class TokenInfo:
    name: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class DateWindow:
    """Creation dates, `start` inclusive and `end` exclusive, at most 30 days apart.

    Always sent: the Market's default ends *before* today, which would hide requests on
    orders created today (same-day delivery) until tomorrow.
    """

    start: date
    end: date

    def as_filter(self) -> dict[str, str]:
        return {"creationDateFrom": self.start.isoformat(), "creationDateTo": self.end.isoformat()}

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end


@dataclass(frozen=True)
class Unreadable:
    """An order the Market listed that the desk cannot read, with its ids as sent."""

    campaign_ref: str
    order_ref: str
    reason: str

    @classmethod
    def of(cls, raw: Any, reason: str) -> Unreadable:
        data = raw if isinstance(raw, dict) else {}
        return cls(_ref(data.get("campaignId")), _ref(data.get("orderId")), reason)


def _ref(value: Any) -> str:
    try:
        return "?" if value is None else str(value)[:40]
    except ValueError:  # an integer too long to print
        return "?"


@dataclass
class Listing:
    orders: list[Order] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


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


def decision_body(decision: Decision) -> dict[str, Any]:
    """The JSON body of `PUT .../cancellation/accept`: the desk's decision in the Market's words."""
    if decision.accepts:
        return {"accepted": True}
    return {"accepted": False, "reason": _REASONS[decision]}


def _retry_at(headers: httpx.Headers) -> datetime | None:
    value = headers.get("X-RateLimit-Resource-Until")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


ERROR_TEXT_LIMIT = 500  # characters of a non-JSON error body kept for staff and the log


def _error_fields(response: httpx.Response) -> tuple[str | None, str | None]:
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


class MarketClient:
    """One instance per process; `close()` it on shutdown."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Api-Key": api_key, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=5.0),
            transport=transport,
        )
        self._lanes = {lane: asyncio.Semaphore(slots) for lane, slots in _SLOTS.items()}

    async def close(self) -> None:
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
                response = await self._http.request(method, path, params=params, json=json)
            except httpx.HTTPError as error:
                metrics.MARKET_CALLS.labels(operation, "network").inc()
                raise MarketNetworkError(f"{operation}: {type(error).__name__}") from error
        metrics.MARKET_CALLS.labels(operation, str(response.status_code)).inc()
        if response.status_code != 200:
            code, message = _error_fields(response)
            log.warning(
                "Market %s answered %s %s %s", operation, response.status_code, code, message
            )
            if response.status_code == 420:
                metrics.MARKET_420.inc()
                raise MarketRateLimited(
                    420, code, message, operation, retry_at=_retry_at(response.headers)
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
            campaign = data["campaign"]
            business = campaign.get("business") or {}
            return Campaign(
                id=int(campaign.get("id", campaign_id)),
                name=str(campaign.get("domain") or campaign_id),
                business_id=int(business["id"]),
                business_name=str(business.get("name") or ""),
                placement_type=str(campaign.get("placementType") or "UNKNOWN"),
                api_availability=str(campaign.get("apiAvailability") or "UNKNOWN"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MarketResponseError(f"getCampaign: unexpected answer ({error!r})") from error

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
