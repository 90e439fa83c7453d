"""The demo's cabinets: its one business as before, or with `DEMO_CABINETS=2` a cabinet for
each simulated business, each with its own key, in one chat or two; with `DEMO_OZON=true`
a simulated Ozon seller's cabinet too."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.cabinet import Cabinet, Desk
from bot.config import Settings
from bot.demo.ozon_world import OZON_API_URL, OZON_SELLER
from bot.demo.world import BUSINESSES
from bot.domain.model import Marketplace, ozon_campaign


def demo_desk(settings: Settings) -> Desk:
    """The desk the demo runs; a single cabinet is configured exactly as before."""
    demo = settings.demo
    assert demo is not None
    if demo.cabinets == 1 and not demo.ozon:
        return Desk.of_environment(settings)
    chats = (settings.staff_chat_id, demo.second_chat_id)[: demo.cabinets]
    cabinets = [
        Cabinet(
            business.name,
            _of(
                settings,
                chat,
                market_api_key=business.key,
                market_business_id=business.business_id,
                market_campaign_ids=tuple(business.shops),
            ),
        )
        for business, chat in zip(BUSINESSES[: demo.cabinets], chats, strict=True)
    ]
    if demo.ozon:
        cabinets.append(ozon_cabinet(settings, demo.second_chat_id))
    return Desk(settings, tuple(cabinets))


def ozon_cabinet(settings: Settings, chat: int | None) -> Cabinet:
    """The simulated Ozon seller's cabinet, as a cabinets file makes an Ozon one
    (bot/cabinet_table.py): its requests are those of the campaign `-Client-Id`, its API
    the simulated Ozon."""
    seller = OZON_SELLER
    own = _of(
        settings,
        chat,
        market_api_key=seller.key,
        market_business_id=seller.client_id,
        market_campaign_ids=(ozon_campaign(seller.client_id),),
        market_api_url=OZON_API_URL,
        ozon_api_url=OZON_API_URL,
        campaign_topics=(),
        buyer_contact=False,  # no 📞 on Ozon posts
    )
    return Cabinet(seller.name, own, Marketplace.OZON)


def _of(settings: Settings, chat: int | None, **api: Any) -> Settings:
    """A cabinet's settings; in a chat of its own, without the first chat's topics."""
    own: dict[str, object] = {}
    if chat is not None and chat != settings.staff_chat_id:
        own = {"staff_chat_id": chat, "staff_topic_id": None, "digest_topic_id": None}
    return dataclasses.replace(settings, **api, **own)


def simulator_keys() -> dict[str, int]:
    """Every key the simulated Market issued, and its business."""
    return {business.key: business.business_id for business in BUSINESSES}


def ozon_keys() -> dict[str, int]:
    """Every key the simulated Ozon issued, and its Client-Id."""
    return {OZON_SELLER.key: OZON_SELLER.client_id}
