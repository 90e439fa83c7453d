"""One Ozon request re-read by its posting number: how it ended, or that it still waits."""

from __future__ import annotations

import logging

from bot.domain.model import Order, Request
from bot.ozon.client import OzonClient
from bot.ozon.errors import OzonHTTPError, OzonRateLimited, OzonResponseError
from bot.ozon.orders import updated

log = logging.getLogger(__name__)


class OzonLookup:
    def __init__(self, client: OzonClient) -> None:
        self.client = client

    async def current(self, request: Request) -> Order | None:
        """The request as Ozon has it now; None if Ozon lists no request of that id for its
        posting. Raises OzonError when the list cannot be read."""
        posting_number = request.order.posting_number
        if posting_number is None:
            return None
        listing = await self.client.list_by_posting(posting_number)
        found = next((r for r in listing.requests if r.cancellation_id == request.order_id), None)
        if found is None:
            return None
        try:
            posting = await self.client.posting(posting_number)
        except OzonRateLimited:
            raise
        except (OzonHTTPError, OzonResponseError) as error:  # the request's state is enough
            log.warning("Could not read posting %s again: %s", posting_number, error)
            posting = None
        return updated(request.order, found, posting)
