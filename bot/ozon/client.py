"""Async client for the few Ozon Seller API methods the desk uses (rFBS cancellations).

Results are typed (bot/ozon/records.py); every failure is an `OzonError`
(bot/ozon/errors.py). Calls of one Client-Id share its limits (bot/ozon/limits.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from json import loads
from typing import Any

import httpx
from prometheus_client import Counter

from bot.ops import metrics
from bot.ozon.errors import (
    OzonHTTPError,
    OzonNetworkError,
    OzonRateLimited,
    OzonResponseError,
    error_fields,
    retry_after,
    utc_now,
)
from bot.ozon.limits import GATES, Gates
from bot.ozon.parse import OzonFormatError, int64, parse_posting, parse_request, parse_roles
from bot.ozon.records import OzonKeyInfo, OzonListing, OzonPosting, OzonUnreadable

log = logging.getLogger(__name__)

PAGE_LIMIT = 500  # the list's maximum `limit`
#: A listing stops with an error after this many pages (100,000 requests), so an answer
#: whose `last_id` keeps moving cannot page forever.
MAX_PAGES = 200
LIST = "/v2/conditional-cancellation/list"

OPERATIONS = frozenset({"list", "approve", "reject", "posting", "roles"})
CALLS = metrics.Labelled(
    Counter(
        "desk_ozon_calls",
        "Ozon API calls by operation and HTTP status (network: no answer)",
        ["operation", "status"],
        registry=metrics.REGISTRY,
    ),
    OPERATIONS,
    metrics.STATUSES | {"network"},
)
RATE_LIMITED = Counter("desk_ozon_rate_limited", "Ozon 429 answers", registry=metrics.REGISTRY)


def _json_int(text: str) -> int | Decimal:
    """An integer literal; one too long for Python to read as int is kept as a Decimal
    (and so refused as an int64 by the parser), so one such number costs one item."""
    return int(text) if len(text) <= 64 else Decimal(text)


class OzonClient:
    """One per cabinet (Client-Id and Api-Key); `close()` it on shutdown. Cabinets may share
    one `http` client; calls of one Client-Id share its gate in `gates`, whichever client
    object makes them."""

    def __init__(
        self,
        base_url: str,
        client_id: int,
        api_key: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        gates: Gates = GATES,
    ) -> None:
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=5.0), transport=transport
        )
        self._base_url = base_url.rstrip("/")
        self._headers = {
            "Client-Id": str(client_id),
            "Api-Key": api_key,
            "Accept": "application/json",
        }
        self._gate = gates[client_id]

    def __repr__(self) -> str:  # never print the key
        return f"OzonClient(client_id={self._headers['Client-Id']})"

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _call(self, operation: str, path: str, body: dict[str, Any]) -> Any:
        await self._gate.turn()
        try:
            response = await self._http.post(
                self._base_url + path, json=body, headers=self._headers
            )
        except httpx.HTTPError as error:
            CALLS.labels(operation, "network").inc()
            raise OzonNetworkError(f"{operation}: {type(error).__name__}") from error
        CALLS.labels(operation, str(response.status_code)).inc()
        if response.status_code != 200:
            raise self._refusal(operation, response)
        if not response.content.strip():
            return None
        try:
            return loads(response.content, parse_int=_json_int)
        except ValueError as error:
            raise OzonResponseError(f"{operation}: the answer is not JSON") from error

    def _refusal(self, operation: str, response: httpx.Response) -> OzonHTTPError:
        code, message = error_fields(response)
        log.warning("Ozon %s answered %s %s %s", operation, response.status_code, code, message)
        if response.status_code != 429:
            return OzonHTTPError(response.status_code, code, message, operation)
        RATE_LIMITED.inc()
        now = utc_now()
        wait = retry_after(response.headers, now)
        self._gate.hold(wait.total_seconds())
        return OzonRateLimited(429, code, message, operation, retry_at=now + wait)

    async def _pages(self, body: dict[str, Any]) -> AsyncIterator[list[Any]]:
        """Every page of the list for `body`: Ozon gives no end signal but an empty page."""
        last_id: int | None = None
        for _ in range(MAX_PAGES):
            page = {**body, "limit": PAGE_LIMIT}
            if last_id is not None:
                page["last_id"] = last_id
            data = await self._call("list", LIST, page)
            result = data.get("result") if isinstance(data, dict) else None
            if not isinstance(result, list):
                raise OzonResponseError("list: no result list in the answer")
            if not result:
                return
            yield result
            following = int64(data.get("last_id"))
            if following is None or following <= 0 or following == last_id:
                raise OzonResponseError(f"list: last_id does not move on ({following})")
            last_id = following
        raise OzonResponseError(f"list: more than {MAX_PAGES} pages")

    async def _listing(self, body: dict[str, Any]) -> OzonListing:
        listing = OzonListing()
        async for page in self._pages(body):
            for raw in page:
                try:
                    listing.requests.append(parse_request(raw))
                except OzonFormatError as error:
                    log.warning("Ozon listed a request the desk cannot read: %s", error)
                    listing.unreadable.append(OzonUnreadable.of(raw, str(error)))
        return listing

    async def list_on_approval(self) -> OzonListing:
        """Every request waiting for the seller."""
        return await self._listing({"filters": {"state": "ON_APPROVAL"}})

    async def list_by_posting(self, posting_number: str) -> OzonListing:
        """Every request of one posting, in any state: how one ended after a refusal."""
        filters = {"state": "ALL", "posting_number": [posting_number]}
        return await self._listing({"filters": filters})

    async def approve(self, cancellation_id: int) -> None:
        """The order is cancelled and the buyer refunded."""
        await self._call(
            "approve", "/v2/conditional-cancellation/approve", {"cancellation_id": cancellation_id}
        )

    async def reject(self, cancellation_id: int, comment: str) -> None:
        """The order stays and must be delivered; `comment` is the reason the buyer reads."""
        body = {"cancellation_id": cancellation_id, "comment": comment}
        await self._call("reject", "/v2/conditional-cancellation/reject", body)

    async def posting(self, posting_number: str) -> OzonPosting:
        body = {"posting_number": posting_number}
        data = await self._call("posting", "/v3/posting/fbs/get", body)
        try:
            return parse_posting(data.get("result") if isinstance(data, dict) else None)
        except OzonFormatError as error:
            raise OzonResponseError(f"posting: unexpected answer ({error})") from error

    async def roles(self) -> OzonKeyInfo:
        """The key's roles and when it expires (`check` reads them)."""
        try:
            return parse_roles(await self._call("roles", "/v1/roles", {}))
        except OzonFormatError as error:
            raise OzonResponseError(f"roles: unexpected answer ({error})") from error
