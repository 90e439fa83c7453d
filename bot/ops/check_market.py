"""`check`'s Market side for one cabinet: its key and scopes, then its campaigns (those it
lists, or every DBS campaign the key can see) and that they are of its business."""

from __future__ import annotations

from bot.config import Settings
from bot.market.client import MarketClient
from bot.market.errors import MarketError, MarketHTTPError
from bot.market.records import Campaign
from bot.ops.check_line import CheckLine

DECIDING_SCOPES = {"INVENTORY_AND_ORDER_PROCESSING", "ALL_METHODS"}
DBS = "DBS"
AVAILABLE = "AVAILABLE"


async def check_market(settings: Settings, business_setting: str) -> list[CheckLine]:
    """`business_setting` names where the business id was set, for the hints."""
    market = MarketClient(settings.market_api_url, settings.market_api_key)
    try:
        line, answered = await _check_key(market)
        if not answered:
            return [line]
        business = settings.market_business_id, business_setting
        if not settings.market_campaign_ids:
            return [line, *await _discover(market, business)]
        return [line] + [
            await _check_campaign(market, campaign_id, business)
            for campaign_id in settings.market_campaign_ids
        ]
    finally:
        await market.close()


async def _check_key(market: MarketClient) -> tuple[CheckLine, bool]:
    """The key's line, and whether the Market answered at all (else nothing more is tried)."""
    item = "Market Api-Key"
    try:
        info = await market.token_info()
    except MarketHTTPError as error:
        hint = "the key is wrong or revoked" if error.status == 401 else "see the message"
        return CheckLine(False, item, f"{error.describe()}; {hint}"), True
    except MarketError as error:
        return CheckLine(False, item, f"{error}; check MARKET_API_URL"), False
    scopes = ", ".join(sorted(info.scopes)) or "none"
    if info.scopes & DECIDING_SCOPES:
        return CheckLine(True, item, f"“{info.name}”, scopes: {scopes}"), True
    hint = (
        f"scopes {scopes} cannot send decisions; give the key "
        "“Order processing and inventory” (inventory-and-order-processing)"
    )
    return CheckLine(False, item, hint), True


async def _check_campaign(
    market: MarketClient, campaign_id: int, business: tuple[int | None, str]
) -> CheckLine:
    item = f"campaign {campaign_id}"
    try:
        campaign = await market.get_campaign(campaign_id)
    except MarketHTTPError as error:
        hint = (
            "use the campaign id from “Modules and APIs”, not the store id"
            if error.status == 404
            else "the key's cabinet may not own this campaign"
        )
        return CheckLine(False, item, f"{error.describe()}; {hint}")
    except MarketError as error:
        return CheckLine(False, item, str(error))
    return _judge(campaign, business)


def _judge(campaign: Campaign, business: tuple[int | None, str]) -> CheckLine:
    """A campaign the desk can serve: DBS, its API on, and of the cabinet's business, since
    the Market refuses a key for another business's orders."""
    business_id, setting = business
    problems = []
    if campaign.placement_type != DBS:
        problems.append(f"it is {campaign.placement_type}, the desk serves DBS only")
    if campaign.api_availability != AVAILABLE:
        problems.append(f"API {campaign.api_availability}")
    if business_id is not None and business_id != campaign.business_id:
        owner = campaign.business_id
        problems.append(f"it belongs to business {owner}, not {setting}={business_id}")
    detail = f"“{campaign.name}”, business {campaign.business_id} ({campaign.business_name})"
    item = f"campaign {campaign.id}"
    if problems:
        return CheckLine(False, item, f"{detail}: " + "; ".join(problems))
    return CheckLine(True, item, f"{detail}, DBS, API available")


async def _discover(market: MarketClient, business: tuple[int | None, str]) -> list[CheckLine]:
    """With no campaigns listed the desk watches every DBS campaign the key can see, so the
    key must see at least one whose API is on; one whose API is off is not watched."""
    item = "campaigns"
    try:
        seen = await market.campaigns()
    except MarketError as error:
        return [CheckLine(False, item, f"{error.describe()}; cannot list the key's campaigns")]
    shops = [campaign for campaign in seen if campaign.placement_type == DBS]
    served = [campaign for campaign in shops if campaign.api_availability == AVAILABLE]
    if not served:
        kinds = ", ".join(sorted({f"{c.id} {c.placement_type} {c.api_availability}" for c in seen}))
        hint = (
            f"the key sees no DBS campaign with its API available (it sees: {kinds or 'none'}); "
            "use the key of the business that has the DBS shop, or list its campaign_ids"
        )
        return [CheckLine(False, item, hint)]
    found = ", ".join(str(campaign.id) for campaign in served)
    lines = [CheckLine(True, item, f"none listed; the key sees DBS campaign(s) {found}")]
    for campaign in shops:
        if campaign.api_availability == AVAILABLE:
            lines.append(_judge(campaign, business))
        else:
            detail = f"“{campaign.name}”, API {campaign.api_availability}: not watched"
            lines.append(CheckLine.warn(f"campaign {campaign.id}", detail))
    return lines
