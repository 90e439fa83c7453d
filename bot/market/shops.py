"""A cabinet's campaigns: their business (for listing orders) and names (for posts).

Campaigns a cabinet lists are known at once; with none listed, they are discovered from
`GET v2/campaigns` (every DBS campaign the key can see, of the cabinet's business) at the
first poll and again after a reload. `campaigns` is the live set the cabinet's storage
scope reads, so nothing of another business is seen before or after discovery.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from bot.config import Settings
from bot.market.client import MarketClient
from bot.market.errors import MarketError
from bot.market.records import Campaign
from storage.store import Store

log = logging.getLogger(__name__)

DBS, AVAILABLE = "DBS", "AVAILABLE"


class ShopNames(Protocol):
    """What posts and replies name a campaign by."""

    @property
    def names(self) -> Mapping[int, str]: ...

    def name(self, campaign_id: int) -> str: ...


class Shops:
    """Learnt from the Market once per start (and reload); names are kept for restarts."""

    def __init__(self, settings: Settings, market: MarketClient, store: Store) -> None:
        self.settings = settings
        self.market = market
        self.store = store
        self.names = store.shops.names()
        self.campaigns: set[int] = set(settings.market_campaign_ids) or self._known()
        self._businesses: dict[int, list[int]] | None = None

    def _known(self) -> set[int]:
        """Until discovery, the campaigns its business's requests were of: a restarted
        cabinet's history, posts and notifications are its own before its first poll."""
        business_id = self.settings.market_business_id
        return set() if business_id is None else self.store.requests.campaigns_of(business_id)

    def name(self, campaign_id: int) -> str:
        return self.names.get(campaign_id, str(campaign_id))

    def forget(self) -> None:
        """Discover again at the next poll (a reload: a campaign may have come or gone)."""
        self._businesses = None

    async def businesses(self) -> dict[int, list[int]]:
        """Business ids to campaigns, from the settings or the Market (MarketError if down)."""
        if self._businesses is None:
            if self.settings.market_campaign_ids:
                found = await self._listed()
            else:
                found = await self._discovered()
            self.campaigns.clear()
            self.campaigns.update(cid for cids in found.values() for cid in cids)
            self._businesses = found
            log.info("Watching campaigns by business: %s", found)
        return self._businesses

    async def business_of(self, campaign_id: int) -> int:
        for business_id, campaign_ids in (await self.businesses()).items():
            if campaign_id in campaign_ids:
                return business_id
        raise LookupError(f"campaign {campaign_id} is not configured")

    async def _listed(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for campaign_id in self.settings.market_campaign_ids:
            found.setdefault(await self._business_of(campaign_id), []).append(campaign_id)
        return found

    async def _discovered(self) -> dict[int, list[int]]:
        """Every DBS campaign of the cabinet's business that the key can see."""
        business_id = self.settings.market_business_id
        seen = await self.market.campaigns()
        mine = [
            campaign
            for campaign in seen
            if campaign.placement_type == DBS
            and campaign.api_availability == AVAILABLE
            and (business_id is None or campaign.business_id == business_id)
        ]
        for campaign in mine:
            self._remember(campaign)
        if not mine:
            log.warning("The key sees no available DBS campaign of business %s", business_id)
        return {business_id: [c.id for c in mine]} if business_id and mine else {}

    async def _business_of(self, campaign_id: int) -> int:
        configured = self.settings.market_business_id
        try:
            campaign = await self.market.get_campaign(campaign_id)
        except MarketError:
            if configured is None:
                raise
            log.warning("Could not read campaign %s; its posts show its id", campaign_id)
            return configured
        if campaign.placement_type != DBS:
            log.warning(
                "Campaign %s is %s, not DBS: it has no cancellation requests to answer",
                campaign_id,
                campaign.placement_type,
            )
        self._remember(campaign)
        return configured or campaign.business_id

    def _remember(self, campaign: Campaign) -> None:
        if self.names.get(campaign.id) != campaign.name:
            self.store.save_shop_name(campaign.id, campaign.name)
            self.names[campaign.id] = campaign.name
