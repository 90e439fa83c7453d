"""One Ozon poll of a cabinet: the waiting requests listed, planned, written at once.

Ozon has no push for conditional cancellations, so polling alone finds them: every page
of `ON_APPROVAL` requests, the posting of each request new to the desk, and a re-read by
posting number of each open request no longer listed (approved or rejected in Ozon's
cabinet, or approved by silence). `bot.intake.ozon_plan` plans it and only a cycle whose
listing and re-reads all succeeded is written, in one transaction.

A posting Ozon refuses or answers oddly costs its request this cycle only (noted for
staff, as the Market's unreadable orders are); a 429 or a network failure fails the whole
cycle, which is tried again. Failures leave as the Market's error tree (`as_market_error`),
so the poller's backoff, its wait for a 429's `Retry-After` and the trouble rules are the
Market's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.domain.model import Problem, Stage, ozon_campaign
from bot.intake.ozon_plan import OzonView, left_listing, new_to_desk, plan_ozon
from bot.intake.sync import SyncOutcome, record_cycle
from bot.market.errors import (
    MarketError,
    MarketHTTPError,
    MarketNetworkError,
    MarketRateLimited,
    MarketResponseError,
)
from bot.ozon.client import OzonClient
from bot.ozon.errors import (
    OzonError,
    OzonHTTPError,
    OzonNetworkError,
    OzonRateLimited,
    OzonResponseError,
)
from bot.ozon.lookup import OzonLookup
from bot.ozon.records import OzonPosting, OzonRequest, OzonUnreadable
from storage.polls import PollRecord
from storage.store import Store

log = logging.getLogger(__name__)


def as_market_error(error: OzonError) -> MarketError:
    """The same failure in the Market's terms; Ozon's status, rpcStatus code and message
    are kept as sent, so staff read Ozon's own words."""
    if isinstance(error, OzonRateLimited):
        args = (error.status, error.code, error.message, error.operation)
        return MarketRateLimited(*args, retry_at=error.retry_at)
    if isinstance(error, OzonHTTPError):
        return MarketHTTPError(error.status, error.code, error.message, error.operation)
    if isinstance(error, OzonNetworkError):
        return MarketNetworkError(f"Ozon {error}")
    return MarketResponseError(f"Ozon {error}")


class OzonSync:
    """An Ozon cabinet's poll step (the poller's `PollSource`)."""

    def __init__(
        self, client: OzonClient, store: Store, client_id: int, clock: Callable[[], datetime]
    ) -> None:
        self.client, self.store, self.client_id, self.clock = client, store, client_id, clock
        self.lookup = OzonLookup(client)
        self.campaign = ozon_campaign(client_id)

    async def ready(self) -> None:
        """An Ozon cabinet's one campaign is known from its settings."""

    async def sync(self, sweep_old: bool) -> SyncOutcome:
        """`sweep_old` is the Market's: Ozon lists every waiting request at once."""
        try:
            return await self._sync()
        except OzonError as error:
            raise as_market_error(error) from error

    async def _sync(self) -> SyncOutcome:
        started_at = self.clock()
        listing = await self.client.list_on_approval()
        listed = {request.cancellation_id: request for request in listing.requests}
        store = self.store
        open_requests = {
            r.order_id: r for r in store.requests.open() if r.campaign_id == self.campaign
        }
        held = {oid for cid, oid in store.requests.open_keys() if cid == self.campaign}
        in_flight = {decision.request_id for decision in store.decisions.unfinished()}
        postings, unread = await self._postings(new_to_desk(listed, held))
        left = left_listing(open_requests, listed, in_flight)
        current = {request.order_id: await self.lookup.current(request) for request in left}
        view = OzonView(
            started_at, self.client_id, listed, postings, open_requests, held, left, current
        )
        plan = plan_ozon(view)
        unreadable = [
            Problem(str(self.campaign), _posting_ref(item), Stage.READ, item.reason)
            for item in listing.unreadable
        ]
        poll = PollRecord(
            started_at,
            self.clock(),
            True,
            found=len(listed),
            new=len(plan.new),
            resolved=len(plan.resolved),
        )
        problems = [*unreadable, *unread, *plan.problems]
        return record_cycle(store, plan, poll, problems, swept_old=False)

    async def _postings(
        self, requests: Iterable[OzonRequest]
    ) -> tuple[dict[int, OzonPosting], list[Problem]]:
        """The posting of each request new to the desk; one Ozon refuses or answers oddly
        is that request's problem this cycle (a 429 or no answer fails the cycle)."""
        postings: dict[int, OzonPosting] = {}
        problems: list[Problem] = []
        for request in requests:
            try:
                postings[request.cancellation_id] = await self.client.posting(
                    request.posting_number
                )
            except OzonRateLimited:
                raise
            except (OzonHTTPError, OzonResponseError) as error:
                log.warning(
                    "Could not read posting %s of Ozon's Client-Id %s: %s",
                    request.posting_number,
                    self.client_id,
                    error,
                )
                ref = request.posting_number
                problems.append(Problem(str(self.campaign), ref, Stage.READ, error.describe()))
        return postings, problems


def _posting_ref(item: OzonUnreadable) -> str:
    """Staff know a request by its posting number; without one, by its cancellation id."""
    return item.posting_ref if item.posting_ref != "?" else item.cancellation_ref
