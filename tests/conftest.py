"""Shared fixtures: the fake Market and Telegram servers on loopback, and a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cabinets_world import market_ab, start_cabinets, telegram_ab  # noqa: F401 (fixtures)
from tests.fakes.world import BUSINESS, CAMPAIGN, OUTSIDER, STAFF_CHAT, seed_market, seed_telegram
from tests.fakes.world import desk_env as wired_env
from tests.ozon_desk_world import fake_ozon, start_ozon_desk  # noqa: F401 (fixtures)
from tests.team_fixtures import desk_bot, desk_clock, make_publisher  # noqa: F401 (fixtures)

__all__ = ["BUSINESS", "CAMPAIGN", "OUTSIDER", "STAFF_CHAT"]  # the world's names, for the tests

#: Fixtures that start `python -m bot`: every test using one, directly or through another
#: fixture, is marked `process` (left out of the quick run, `-m "not process"`).
PROCESS_FIXTURES = frozenset({"start_desk", "start_cabinets", "start_ozon_desk"})


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.process)


@pytest.fixture(autouse=True)
def processes_only_when_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that starts a desk without the `process` marker fails (tests/harness.py)."""
    from tests.harness import PERMIT

    PERMIT.marked = request.node.get_closest_marker("process") is not None
    yield
    PERMIT.marked = None


@pytest.fixture
def market() -> Iterator:
    """A strict fake Market with one DBS campaign."""
    from tests.fakes.market import FakeMarket

    fake = FakeMarket().start()
    seed_market(fake)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def store(tmp_path: Path):
    from storage.store import Store

    db = Store(tmp_path / "data" / "desk.db")
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def telegram() -> Iterator:
    """A strict fake Bot API with the staff supergroup, two staff and an outsider."""
    from tests.fakes.telegram import FakeTelegram

    fake = FakeTelegram().start()
    seed_telegram(fake)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def desk_env(market, telegram, tmp_path: Path) -> dict[str, str]:
    """Settings of a desk wired to the two fakes; tests override what they need."""
    return {
        **wired_env(market, telegram, database=tmp_path / "data" / "desk.db"),
        "POLL_INTERVAL": "1",
        "LANGUAGE": "en",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def start_desk(desk_env: dict[str, str], tmp_path: Path):
    """Start `python -m bot` (more than once for restarts); all are stopped at the end."""
    from tests.harness import Desks

    desks = Desks(tmp_path)
    yield lambda **overrides: desks.start({**desk_env, **overrides})
    desks.stop()


@pytest.fixture
def settings(market, tmp_path: Path):
    """Settings of a desk in process over the fake Market."""
    from tests.builders import desk_settings

    return desk_settings(market, tmp_path)


@pytest.fixture
async def inbox(settings, store):
    """The notification side of a desk in process, over the fake Market, with a real store."""
    from bot.app import utc_now
    from bot.intake.notifications import Inbox
    from bot.market.client import MarketClient
    from bot.market.lookup import OrderLookup
    from bot.market.shops import Shops
    from bot.signals import Wakeup

    client = MarketClient(settings.market_api_url, settings.market_api_key)
    try:
        yield Inbox(
            store,
            OrderLookup(client, utc_now),
            Shops(settings, client, store),
            settings.market_campaign_ids,
            settings.poll_interval,
            utc_now,
            Wakeup(),
        )
    finally:
        await client.close()


@pytest.fixture
def decider(settings, store, inbox):
    """The decider of that desk; Telegram is not involved."""
    from bot.app import utc_now
    from bot.chat.decider import Decider
    from bot.texts import Texts

    market = inbox.lookup.market
    return Decider(settings, store, market, Texts("en"), inbox.wakeup, utc_now)
