"""Fixtures of a publisher in process with the team's settings, on the test's clock.

`make_publisher(**changes)` builds one over the fake Bot API with `settings` changed;
`desk_clock.now` is the time it sees (advance it to make reminders and the summary due).
"""

from __future__ import annotations

import dataclasses

import pytest
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.chat.publisher import Publisher
from bot.chat.staff_chat import StaffChat
from bot.formatting import Style
from bot.market.shops import Shops
from bot.signals import Activity, Wakeup
from bot.texts import Texts
from tests.test_publisher import Clock


@pytest.fixture
async def desk_bot(telegram):
    the_bot = ExtBot(
        telegram.token, base_url=telegram.base_url, defaults=Defaults(parse_mode=ParseMode.HTML)
    )
    await the_bot.initialize()
    yield the_bot
    await the_bot.shutdown()


@pytest.fixture
def desk_clock() -> Clock:
    return Clock()


@pytest.fixture
def make_publisher(desk_bot, store, settings, desk_clock, inbox):
    def make(**changes: object) -> Publisher:
        wakeup, team = Wakeup(), dataclasses.replace(settings, **changes)
        leads = team.reminder_lead_times
        style = Style(Texts("en"), team.timezone, leads, True, claims=team.claims)
        shops = Shops(team, inbox.lookup.market, store)
        chat = StaffChat(team.staff_chat_id, store, wakeup)
        return Publisher(
            desk_bot, store, chat, shops, style, team, clock=desk_clock, wakeup=wakeup,
            activity=Activity(), limiter=None,
        )  # fmt: skip

    return make
