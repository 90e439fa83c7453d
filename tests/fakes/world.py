"""The standard test world, in one place for the tests and the benchmark.

One business with one DBS shop at the fake Market; a staff supergroup with two staff
members and an outsider at the fake Telegram; and the desk settings that wire a desk to
both fakes::

    market = FakeMarket().start()
    seed_market(market)
    telegram = FakeTelegram().start()
    seed_telegram(telegram)
    env = desk_env(market, telegram, database=tmp_path / "data" / "desk.db")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing this module stays cheap: no spec, no openapi-core
    from tests.fakes.market import FakeMarket
    from tests.fakes.telegram import FakeTelegram

__all__ = [
    "BUSINESS",
    "CAMPAIGN",
    "OUTSIDER",
    "SHOP_NAME",
    "STAFF",
    "STAFF_CHAT",
    "STAFF_CHAT_TITLE",
    "desk_env",
    "seed_market",
    "seed_telegram",
]

BUSINESS = 5001
CAMPAIGN = 1001
SHOP_NAME = "Ромашка & Co"  # "&": the desk must escape shop names in HTML
STAFF_CHAT = -1001234567890
STAFF_CHAT_TITLE = "Склад"
STAFF = {111: ("Анна", "anna"), 222: ("Борис", "boris")}  # user id -> (first name, username)
OUTSIDER = 999  # a user the bot knows who is not in the staff chat


def seed_market(market: FakeMarket, businesses: Mapping[int, Iterable[int]] | None = None) -> None:
    """Add the shops: by default CAMPAIGN of BUSINESS, named SHOP_NAME.

    ``businesses`` maps business ids to their campaign ids; a campaign other than CAMPAIGN
    is named "Магазин <id>".
    """
    for business_id, campaign_ids in (businesses or {BUSINESS: (CAMPAIGN,)}).items():
        for campaign_id in campaign_ids:
            name = SHOP_NAME if campaign_id == CAMPAIGN else f"Магазин {campaign_id}"
            market.add_campaign(campaign_id, business_id=business_id, domain=name)


def seed_telegram(telegram: FakeTelegram) -> None:
    """Add the staff supergroup, the STAFF in it, and the OUTSIDER (in no group)."""
    telegram.add_group(STAFF_CHAT, title=STAFF_CHAT_TITLE)
    for user_id, (name, username) in STAFF.items():
        telegram.add_user(user_id, first_name=name, username=username, member_of=[STAFF_CHAT])
    telegram.add_user(OUTSIDER, first_name="Чужой", username="stranger")


def desk_env(
    market: FakeMarket,
    telegram: FakeTelegram,
    *,
    database: Path,
    campaigns: Iterable[int] = (CAMPAIGN,),
) -> dict[str, str]:
    """The settings that point a desk (`python -m bot`) at the two fakes; callers add the
    rest (POLL_INTERVAL, LANGUAGE, LOG_LEVEL...)."""
    return {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "STAFF_CHAT_ID": str(STAFF_CHAT),
        "MARKET_API_KEY": market.api_key,
        "MARKET_API_URL": market.url,
        "MARKET_CAMPAIGN_IDS": ",".join(map(str, campaigns)),
        "DATABASE_PATH": str(database),
    }
