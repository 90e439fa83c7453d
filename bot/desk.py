"""The desk at run time: what it knows about the shop and the staff chat, and its clock.

`Desk` is shared by the poller, the publisher, the decider and the handlers. It holds
no state the database does not also hold, except caches rebuilt from it at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from telegram import Bot

from bot.config import Settings
from bot.market import MarketClient, MarketError
from bot.market_time import moscow_today
from bot.orders import Order
from bot.render import Style
from bot.sync import Windows, creation_day
from bot.texts import Texts
from storage.store import Request, Store

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Desk:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        market: MarketClient,
        bot: Bot,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.store = store
        self.market = market
        self.bot = bot
        self.clock = clock
        self.texts = Texts(settings.language)
        self.style = Style(
            texts=self.texts,
            timezone=settings.timezone,
            lead_times=settings.reminder_lead_times,
            confirm_decisions=settings.confirm_decisions,
        )
        self.chat_id = store.current_chat(settings.staff_chat_id)
        self.shops = store.shop_names()
        self.businesses: dict[int, list[int]] | None = None
        self.telegram_ok: bool | None = None
        self.last_tap = float("-inf")  # time.monotonic() of the last staff tap
        self._wake = asyncio.Event()

    # publisher signalling

    def wake_publisher(self) -> None:
        self._wake.set()

    async def wait_for_work(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(timeout, 0.0))
        self._wake.clear()

    # chat

    def is_staff_chat(self, chat_id: int) -> bool:
        return chat_id == self.chat_id

    def follow_migration(self, new_chat_id: int) -> None:
        """The staff group became a supergroup: keep the new id and redo pending posts."""
        old = self.chat_id
        reposted = self.store.move_chat(old, new_chat_id)
        self.chat_id = new_chat_id
        log.warning(
            "Staff chat %s was upgraded to supergroup %s; reposting %d pending requests",
            old,
            new_chat_id,
            len(reposted),
        )
        self.wake_publisher()

    def shop_name(self, campaign_id: int) -> str:
        return self.shops.get(campaign_id, str(campaign_id))

    # market lookups shared by the decider and the notification endpoint

    async def ensure_businesses(self) -> dict[int, list[int]]:
        """Map business ids to campaigns, from the setting or `GET v2/campaigns/{id}`."""
        if self.businesses is not None:
            return self.businesses
        businesses: dict[int, list[int]] = {}
        for campaign_id in self.settings.market_campaign_ids:
            try:
                campaign = await self.market.get_campaign(campaign_id)
            except MarketError:
                if self.settings.market_business_id is None:
                    raise
                log.warning("Could not read campaign %s; its posts show its id", campaign_id)
                business_id = self.settings.market_business_id
            else:
                if campaign.placement_type != "DBS":
                    log.warning(
                        "Campaign %s is %s, not DBS: it has no cancellation requests to answer",
                        campaign_id,
                        campaign.placement_type,
                    )
                business_id = self.settings.market_business_id or campaign.business_id
                if self.shops.get(campaign_id) != campaign.name:
                    self.store.save_shop_name(campaign_id, campaign.name)
                    self.shops[campaign_id] = campaign.name
            businesses.setdefault(business_id, []).append(campaign_id)
        self.businesses = businesses
        log.info("Watching campaigns by business: %s", businesses)
        return businesses

    async def fetch_order(self, request: Request) -> Order | None:
        """The order as the Market has it now; None if the Market does not list it."""
        windows = Windows.for_day(moscow_today(self.clock()))
        window = windows.lookup_window(creation_day(request.order))
        orders = await self.market.get_orders(request.business_id, [request.order_id], window)
        for order in orders:
            if order.campaign_id == request.campaign_id and order.order_id == request.order_id:
                return order
        return None
