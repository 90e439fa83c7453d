"""Looking one order up by id, within the creation window that holds it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.model import Order, Request, moscow_today
from bot.market.client import Lane, MarketClient
from bot.market.windows import Windows


class OrderLookup:
    def __init__(
        self, market: MarketClient, clock: Callable[[], datetime], lane: Lane = Lane.POLLING
    ) -> None:
        self.market = market
        self.clock = clock
        self.lane = lane  # the Market lane its calls wait in

    def _windows(self) -> Windows:
        return Windows.for_day(moscow_today(self.clock()))

    async def current(self, request: Request) -> Order | None:
        """The order as the Market has it now; None if the Market does not show it."""
        window = self._windows().lookup_window(request.order.created_on)
        return _match(
            await self.market.get_orders(
                request.business_id, [request.order_id], window, self.lane
            ),
            request.campaign_id,
            request.order_id,
        )

    async def find(self, business_id: int, campaign_id: int, order_id: int) -> Order | None:
        """An order not stored yet: created in the last 30 days, else 30 to 60 days back."""
        windows = self._windows()
        for window in (windows.recent, windows.old):
            orders = await self.market.get_orders(business_id, [order_id], window, self.lane)
            found = _match(orders, campaign_id, order_id)
            if found is not None:
                return found
        return None


def _match(orders: list[Order], campaign_id: int, order_id: int) -> Order | None:
    return next(
        (o for o in orders if o.campaign_id == campaign_id and o.order_id == order_id), None
    )
