"""The standard world of tests/fakes/world.py, as the fixtures and the benchmark build it."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.fakes.market import FakeMarket
from tests.fakes.telegram import FakeTelegram
from tests.fakes.world import (
    BUSINESS,
    CAMPAIGN,
    OUTSIDER,
    SHOP_NAME,
    STAFF,
    STAFF_CHAT,
    desk_env,
    seed_market,
    seed_telegram,
)


def test_standard_world(tmp_path: Path) -> None:
    with FakeMarket() as market, FakeTelegram() as telegram:
        seed_market(market)
        seed_telegram(telegram)
        env = desk_env(market, telegram, database=tmp_path / "desk.db")
        campaign = httpx.get(
            f"{env['MARKET_API_URL']}/v2/campaigns/{CAMPAIGN}",
            headers={"Api-Key": env["MARKET_API_KEY"]},
        ).json()["campaign"]
        assert (campaign["domain"], campaign["business"]["id"]) == (SHOP_NAME, BUSINESS)
        api = f"{env['TELEGRAM_API_URL']}{env['TELEGRAM_BOT_TOKEN']}"
        for user_id in STAFF:
            member = httpx.get(
                f"{api}/getChatMember", params={"chat_id": STAFF_CHAT, "user_id": user_id}
            ).json()
            assert member["result"]["status"] == "member"
        outsider = httpx.get(
            f"{api}/getChatMember", params={"chat_id": env["STAFF_CHAT_ID"], "user_id": OUTSIDER}
        ).json()
        assert outsider["result"]["status"] == "left"
        assert env["MARKET_CAMPAIGN_IDS"] == str(CAMPAIGN)
        assert env["DATABASE_PATH"] == str(tmp_path / "desk.db")


def test_more_businesses_and_shops() -> None:
    with FakeMarket() as market:
        seed_market(market, {5001: (CAMPAIGN, 1002), 5002: (1003,)})
        campaigns = httpx.get(
            f"{market.url}/v2/campaigns", headers={"Api-Key": market.api_key}
        ).json()["campaigns"]
        assert [(c["id"], c["business"]["id"], c["domain"]) for c in campaigns] == [
            (CAMPAIGN, 5001, SHOP_NAME),
            (1002, 5001, "Магазин 1002"),
            (1003, 5002, "Магазин 1003"),
        ]
