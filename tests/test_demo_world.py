"""The demo's simulated Market, its settings, and the desk's own client talking to it."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import SettingsError, load_demo_settings
from bot.demo.cabinets import demo_desk, simulator_keys
from bot.demo.run import MARKET
from bot.demo.world import BUSINESSES, DemoWorld, starting_ages
from bot.domain.model import Decision, moscow_today
from bot.market.client import MarketClient
from bot.market.errors import MarketHTTPError
from bot.market.windows import Windows
from bot.simulator.engine import MarketEngine
from bot.simulator.transport import SimulatorTransport
from tests.fakes.market.spec import load_spec

NOW = datetime.now(UTC).replace(microsecond=0)  # the engine lists by the real date
WINDOW = timedelta(minutes=48)
LEADS = (timedelta(minutes=24), timedelta(minutes=6), timedelta(minutes=1))
STAFF = {"TELEGRAM_BOT_TOKEN": "123:abcdefghijklmnop", "STAFF_CHAT_ID": "-100123"}
HOME, ZOO = BUSINESSES


def world(
    seed: int = 7, interval: timedelta = timedelta(minutes=2), businesses=BUSINESSES[:1]
) -> DemoWorld:
    """A demo world whose every order is checked against the official spec."""
    engine = MarketEngine(scopes=(), today=None, check=load_spec().validate)
    demo = DemoWorld(engine, WINDOW, interval, random.Random(seed), businesses)
    demo.open(NOW, LEADS)
    return demo


def waiting(demo: DemoWorld) -> list[int]:
    return [
        order_id
        for order_id in demo.requested
        if demo.engine.order(order_id)["cancelRequested"] is True
    ]


def business_of(demo: DemoWorld, order_id: int) -> int | None:
    return demo.engine.campaign_business(demo.engine.order(order_id)["campaignId"])


def demo_settings(**env: str):
    return load_demo_settings(MARKET, {**STAFF, **env}, env_file=Path("/nonexistent"))


def test_the_demo_starts_with_one_fresh_request_and_one_about_to_cross_each_lead_time():
    ages = starting_ages(WINDOW, LEADS)
    left = sorted(WINDOW - age for age in ages)
    assert left == [
        timedelta(minutes=1, seconds=20),
        timedelta(minutes=6, seconds=40),
        timedelta(minutes=25),
        timedelta(minutes=45),
    ]
    assert len(waiting(world())) == 4


def test_requests_come_every_interval_and_unanswered_ones_expire_as_the_market_would():
    demo = world()
    urgent = min(demo.requested, key=demo.requested.__getitem__)
    demo.tick(NOW + timedelta(minutes=1))
    assert len(demo.requested) == 4, "no new request before the interval"
    demo.tick(NOW + timedelta(minutes=2))
    assert len(demo.requested) >= 4 and max(demo.requested) > urgent
    expired = demo.engine.order(urgent)
    assert expired["status"] == "CANCELLED" and expired["cancelRequested"] is False


def test_now_and_then_a_request_is_settled_elsewhere():
    demo = world(seed=1)
    added = settled = 0
    for minute in range(2, 40, 2):
        before = set(demo.requested)
        demo.tick(NOW + timedelta(minutes=minute))
        added += 1
        settled += len(before - set(demo.requested))
    assert added == 19 and settled >= 3, "some requests leave the list without the desk"


async def test_the_desks_client_lists_and_decides_through_the_simulator():
    demo = world()
    faults: list[str] = []
    transport = SimulatorTransport(demo.engine, fails=lambda op: op in faults)
    market = MarketClient("http://market-simulator.invalid", "demo", transport=transport)
    try:
        window = Windows.for_day(moscow_today(datetime.now(UTC))).recent
        listing = await market.list_pending(HOME.business_id, list(HOME.shops), window)
        listed = sorted(order.order_id for order in listing.orders)
        assert listed == sorted(waiting(demo)) and not listing.unreadable
        first = listing.orders[0]
        await market.send_decision(first.campaign_id, first.order_id, Decision.ACCEPT)
        assert demo.engine.order(first.order_id)["status"] == "CANCELLED"
        with pytest.raises(MarketHTTPError) as again:
            await market.send_decision(first.campaign_id, first.order_id, Decision.ACCEPT)
        assert again.value.status == 400
        faults.append("acceptOrderCancellation")
        second = listing.orders[1]
        with pytest.raises(MarketHTTPError) as failed:
            await market.send_decision(second.campaign_id, second.order_id, Decision.ACCEPT)
        assert failed.value.status == 500
        assert demo.engine.order(second.order_id)["cancelRequested"] is True
    finally:
        await market.close()


def test_demo_settings_compress_time_and_replace_the_market():
    settings, ignored = demo_settings(
        MARKET_API_KEY="real-key", DATABASE_PATH="data/desk.db", HTTP_PORT="8080"
    )
    assert settings.decision_window == WINDOW
    assert settings.reminder_lead_times == LEADS
    assert settings.database_path == Path("data/demo.db")
    assert settings.market_api_key == "demo" and settings.http_port is None
    assert settings.market_campaign_ids == tuple(HOME.shops)
    assert ignored == ["MARKET_API_KEY", "DATABASE_PATH", "HTTP_PORT"]
    assert settings.demo is not None
    assert settings.demo.interval == timedelta(minutes=2) and settings.demo.faults is False


@pytest.mark.parametrize(("name", "value"), [("DEMO_INTERVAL", "5s"), ("DEMO_FAULTS", "sometimes")])
def test_a_wrong_demo_setting_is_named(name, value):
    with pytest.raises(SettingsError) as error:
        demo_settings(**{name: value})
    assert error.value.name == name


def test_with_two_businesses_each_starts_with_its_own_requests_and_new_ones_take_turns():
    demo = world(businesses=BUSINESSES)
    started = Counter(business_of(demo, order_id) for order_id in waiting(demo))
    assert started == {HOME.business_id: 4, ZOO.business_id: 4}
    newest = []
    for minute in (2, 4, 6, 8):
        demo.tick(NOW + timedelta(minutes=minute))
        newest.append(business_of(demo, max(demo.requested)))
    assert newest == [HOME.business_id, ZOO.business_id] * 2


async def test_a_key_reaches_only_its_own_business_as_the_market_would():
    demo = world(businesses=BUSINESSES)
    transport = SimulatorTransport(demo.engine, keys=simulator_keys())
    home, zoo, stranger = (
        MarketClient("http://market-simulator.invalid", key, transport=transport)
        for key in (HOME.key, ZOO.key, "never-issued")
    )
    window = Windows.for_day(moscow_today(datetime.now(UTC))).recent
    try:
        assert {c.id for c in await zoo.campaigns()} == set(ZOO.shops)
        mine = await zoo.list_pending(ZOO.business_id, list(ZOO.shops), window)
        assert len(mine.orders) == 4 and {o.campaign_id for o in mine.orders} == set(ZOO.shops)
        with pytest.raises(MarketHTTPError) as foreign:
            await home.list_pending(ZOO.business_id, list(ZOO.shops), window)
        assert foreign.value.status == 403
        order = mine.orders[0]
        with pytest.raises(MarketHTTPError) as decided:
            await home.send_decision(order.campaign_id, order.order_id, Decision.ACCEPT)
        assert decided.value.status == 403
        assert demo.engine.order(order.order_id)["cancelRequested"] is True
        await zoo.send_decision(order.campaign_id, order.order_id, Decision.ACCEPT)
        assert demo.engine.order(order.order_id)["status"] == "CANCELLED"
        with pytest.raises(MarketHTTPError) as unknown:
            await stranger.list_pending(HOME.business_id, list(HOME.shops), window)
        assert unknown.value.status == 401
    finally:
        for market in (home, zoo, stranger):
            await market.close()


def test_the_demo_runs_one_cabinet_unless_told_two():
    settings, _ = demo_settings()
    (only,) = demo_desk(settings).cabinets
    assert only.settings == settings


@pytest.mark.parametrize("second_chat", [None, "-100456"])
def test_two_demo_cabinets_each_with_its_own_key_and_business_in_one_chat_or_two(second_chat):
    env = {"DEMO_CABINETS": "2", "STAFF_TOPIC_ID": "7"}
    if second_chat is not None:
        env["DEMO_SECOND_CHAT_ID"] = second_chat
    settings, _ = demo_settings(**env)
    home, zoo = demo_desk(settings).cabinets
    assert (home.name, zoo.name) == (HOME.name, ZOO.name)
    for cabinet, business in ((home, HOME), (zoo, ZOO)):
        assert cabinet.settings.market_api_key == business.key
        assert cabinet.business_id == business.business_id
        assert cabinet.settings.market_campaign_ids == tuple(business.shops)
    assert home.chat_id == -100123 and home.settings.staff_topic_id == 7
    if second_chat is None:
        assert zoo.chat_id == -100123 and zoo.settings.staff_topic_id == 7
    else:  # a topic of the first chat means nothing in the second
        assert zoo.chat_id == -100456 and zoo.settings.staff_topic_id is None


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"DEMO_CABINETS": "3"}, "DEMO_CABINETS"),
        ({"DEMO_SECOND_CHAT_ID": "chat"}, "DEMO_SECOND_CHAT_ID"),
        ({"DEMO_SECOND_CHAT_ID": "-100456"}, "DEMO_SECOND_CHAT_ID"),  # without DEMO_CABINETS=2
    ],
)
def test_a_wrong_demo_cabinets_setting_is_named(env, name):
    with pytest.raises(SettingsError) as error:
        demo_settings(**env)
    assert error.value.name == name
