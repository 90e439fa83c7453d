"""The configured campaigns: their business (for listing orders) and their names (for posts)."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.market.client import MarketClient
from bot.market.errors import MarketError
from storage.store import Store

log = logging.getLogger(__name__)


class Shops:
    """Learnt from `GET v2/campaigns/{id}` once; names are kept for restarts."""

    def __init__(self, settings: Settings, market: MarketClient, store: Store) -> None:
        self.settings = settings
        self.market = market
        self.store = store
        self.names = store.shops.names()
        self._businesses: dict[int, list[int]] | None = None

    def name(self, campaign_id: int) -> str:
        return self.names.get(campaign_id, str(campaign_id))

    async def businesses(self) -> dict[int, list[int]]:
        """Business ids to campaigns, from the setting or the Market (MarketError if down)."""
        if self._businesses is None:
            found: dict[int, list[int]] = {}
            for campaign_id in self.settings.market_campaign_ids:
                found.setdefault(await self._business_of(campaign_id), []).append(campaign_id)
            self._businesses = found
            log.info("Watching campaigns by business: %s", found)
        return self._businesses

    async def business_of(self, campaign_id: int) -> int:
        for business_id, campaign_ids in (await self.businesses()).items():
            if campaign_id in campaign_ids:
                return business_id
        raise LookupError(f"campaign {campaign_id} is not configured")

    async def _business_of(self, campaign_id: int) -> int:
        configured = self.settings.market_business_id
        try:
            campaign = await self.market.get_campaign(campaign_id)
        except MarketError:
            if configured is None:
                raise
            log.warning("Could not read campaign %s; its posts show its id", campaign_id)
            return configured
        if campaign.placement_type != "DBS":
            log.warning(
                "Campaign %s is %s, not DBS: it has no cancellation requests to answer",
                campaign_id,
                campaign.placement_type,
            )
        if self.names.get(campaign_id) != campaign.name:
            self.store.save_shop_name(campaign_id, campaign.name)
            self.names[campaign_id] = campaign.name
        return configured or campaign.business_id
