"""The demo's cabinets: its one business as before, or with `DEMO_CABINETS=2` a cabinet for
each simulated business, each with its own key, in one chat or two."""

from __future__ import annotations

import dataclasses

from bot.cabinet import Cabinet, Desk
from bot.config import Settings
from bot.demo.world import BUSINESSES, DemoBusiness


def demo_desk(settings: Settings) -> Desk:
    """The desk the demo runs; a single cabinet is configured exactly as before."""
    assert settings.demo is not None
    if settings.demo.cabinets == 1:
        return Desk.of_environment(settings)
    chats = (settings.staff_chat_id, settings.demo.second_chat_id)
    return Desk(
        settings,
        tuple(
            Cabinet(business.name, _of(settings, business, chat))
            for business, chat in zip(BUSINESSES, chats, strict=True)
        ),
    )


def _of(settings: Settings, business: DemoBusiness, chat: int | None) -> Settings:
    """A business's cabinet settings; in a chat of its own, without the first chat's topics."""
    own: dict[str, object] = {}
    if chat is not None and chat != settings.staff_chat_id:
        own = {"staff_chat_id": chat, "staff_topic_id": None, "digest_topic_id": None}
    return dataclasses.replace(
        settings,
        market_api_key=business.key,
        market_business_id=business.business_id,
        market_campaign_ids=tuple(business.shops),
        **own,
    )


def simulator_keys() -> dict[str, int]:
    """Every key the simulated Market issued, and its business."""
    return {business.key: business.business_id for business in BUSINESSES}
