"""The demo's simulated Ozon, driven through the desk's own `OzonClient`, and its cabinet.

Every answer the simulator gives is checked against the committed Ozon contracts as the
gateway writes them (int64 as strings, null for unset times), so the demo speaks Ozon's JSON.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.config import load_demo_settings
from bot.demo.cabinets import demo_desk, ozon_keys, simulator_keys
from bot.demo.marks import render_demo_note
from bot.demo.ozon_world import OZON_API_URL, OZON_SELLER, OzonDemoWorld
from bot.demo.run import MARKET
from bot.demo.world import BUSINESSES, starting_ages
from bot.domain.model import Marketplace, ozon_campaign
from bot.formatting import Style
from bot.market.client import MarketClient, shared_http
from bot.ozon.client import OzonClient
from bot.ozon.errors import OzonHTTPError
from bot.ozon.limits import Gates
from bot.ozon.records import CancellationState, Initiator
from bot.simulator.engine import MarketEngine
from bot.simulator.hosts import ByHost
from bot.simulator.ozon_dto import State
from bot.simulator.ozon_engine import OzonEngine
from bot.simulator.ozon_transport import OzonTransport
from bot.simulator.transport import SimulatorTransport
from bot.texts import Texts
from tests.fakes.ozon.spec import OPERATIONS, load_spec

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=48)  # Ozon states none: the Market's 48 h, compressed 60 times
LEADS = (timedelta(minutes=24), timedelta(minutes=6), timedelta(minutes=1))
INTERVAL = timedelta(minutes=2)
STAFF = {"TELEGRAM_BOT_TOKEN": "123:abcdefghijklmnop", "STAFF_CHAT_ID": "-100123"}
OTHER_SELLER, OTHER_KEY = 1860002, "demo-ozon-2"


class Clock:
    """The simulated Ozon's time, moved on by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class CheckedTransport(OzonTransport):
    """The simulator's transport, each answer checked against Ozon's contracts."""

    answers: list[tuple[str, int]]

    def answer(self, request: httpx.Request) -> tuple[int, dict]:
        status, payload = super().answer(request)
        operation = OPERATIONS.get(request.url.path)
        contract = operation.answer if operation else None
        assert load_spec().answer_errors(contract, status, payload) == [], payload
        self.answers = [*getattr(self, "answers", []), (request.url.path, status)]
        return status, payload


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def seller(clock: Clock) -> OzonDemoWorld:
    demo = OzonDemoWorld(OzonEngine(clock), WINDOW, INTERVAL, random.Random(7))
    demo.open(START, LEADS)
    return demo


@pytest.fixture
def transport(seller: OzonDemoWorld) -> CheckedTransport:
    keys = {**ozon_keys(), OTHER_KEY: OTHER_SELLER}
    return CheckedTransport(seller.engine, keys=keys)


@pytest.fixture
async def ozon(transport: CheckedTransport) -> AsyncIterator[OzonClient]:
    client = _client(transport, OZON_SELLER.client_id, OZON_SELLER.key)
    yield client
    await client.close()


def _client(transport: httpx.AsyncBaseTransport, client_id: int, key: str) -> OzonClient:
    return OzonClient(OZON_API_URL, client_id, key, transport=transport, gates=Gates())


async def test_the_waiting_requests_are_listed_as_ozon_writes_them(seller, ozon, transport):
    listing = await ozon.list_on_approval()
    assert not listing.unreadable
    ages = starting_ages(WINDOW, LEADS)
    assert len(listing.requests) == len(ages) == len(seller.engine.waiting())
    for request, age in zip(listing.requests, ages, strict=True):
        assert request.state is CancellationState.ON_APPROVAL
        assert request.created_at == START - age
        assert request.auto_approve_date == START - age + WINDOW
        assert request.initiator in set(Initiator) and request.reason_name
        assert request.approve_date is None
    assert [path for path, _ in transport.answers].count(
        "/v2/conditional-cancellation/list"
    ) == 2, "a page, then the empty page that ends the list"


async def test_a_listing_longer_than_a_page_is_read_to_the_empty_page(seller, ozon, transport):
    for minute in range(600):
        seller.add_request(START - timedelta(seconds=minute))
    listing = await ozon.list_on_approval()
    assert len(listing.requests) == 600 + len(starting_ages(WINDOW, LEADS))
    assert len({r.cancellation_id for r in listing.requests}) == len(listing.requests)
    assert [path for path, _ in transport.answers].count("/v2/conditional-cancellation/list") == 3


async def test_a_posting_shows_its_products_prices_and_delivery(seller, ozon):
    (request, *_) = (await ozon.list_on_approval()).requests
    posting = await ozon.posting(request.posting_number)
    assert posting.posting_number == request.posting_number
    assert posting.status == "delivering"
    assert posting.delivery_method and posting.delivery_method.startswith(("Доставка", "Курьер"))
    assert 1 <= len(posting.products) <= 3
    for product in posting.products:
        assert product.quantity >= 1 and product.price and product.price > 0
        assert product.currency == "RUB" and product.offer_id.startswith("KT-")


async def test_an_approval_cancels_the_posting_and_cannot_be_given_twice(seller, ozon):
    request = (await ozon.list_on_approval()).requests[0]
    await ozon.approve(request.cancellation_id)
    (after,) = (await ozon.list_by_posting(request.posting_number)).requests
    assert after.state is CancellationState.APPROVED and after.approve_date is not None
    assert (await ozon.posting(request.posting_number)).status == "cancelled"
    assert request.cancellation_id not in seller.engine.waiting()
    with pytest.raises(OzonHTTPError) as again:
        await ozon.approve(request.cancellation_id)
    assert again.value.status == 400 and "ON_APPROVAL" in (again.value.message or "")


async def test_a_rejection_keeps_the_posting_and_its_comment(ozon):
    request = (await ozon.list_on_approval()).requests[1]
    await ozon.reject(request.cancellation_id, "Заказ уже у курьера")
    (after,) = (await ozon.list_by_posting(request.posting_number)).requests
    assert after.state is CancellationState.REJECTED
    assert after.approve_comment == "Заказ уже у курьера"
    assert (await ozon.posting(request.posting_number)).status == "delivering"
    with pytest.raises(OzonHTTPError) as late:
        await ozon.approve(request.cancellation_id)
    assert late.value.status == 400


@pytest.mark.parametrize(
    ("client_id", "key"),
    [
        (OZON_SELLER.client_id, "not-a-key"),
        (OZON_SELLER.client_id, OTHER_KEY),  # another seller's key
        (OTHER_SELLER, OZON_SELLER.key),  # the key under another Client-Id
    ],
)
async def test_a_wrong_key_is_refused_as_ozon_refuses_it(transport, client_id, key):
    stranger = _client(transport, client_id, key)
    try:
        with pytest.raises(OzonHTTPError) as refused:
            await stranger.list_on_approval()
    finally:
        await stranger.close()
    assert refused.value.status == 403
    assert refused.value.message == "Invalid Api-Key, please check the key and try again"


async def test_a_seller_sees_and_decides_only_its_own_requests(ozon, transport):
    request = (await ozon.list_on_approval()).requests[0]
    other = _client(transport, OTHER_SELLER, OTHER_KEY)
    try:
        assert (await other.list_on_approval()).requests == []
        with pytest.raises(OzonHTTPError) as foreign:
            await other.approve(request.cancellation_id)
        assert foreign.value.status == 404
        with pytest.raises(OzonHTTPError):
            await other.posting(request.posting_number)
    finally:
        await other.close()
    assert (await ozon.list_by_posting(request.posting_number)).requests[0].state is (
        CancellationState.ON_APPROVAL
    )


async def test_silence_approves_a_request_at_its_compressed_deadline(clock, ozon):
    requests = (await ozon.list_on_approval()).requests
    oldest = min(requests, key=lambda r: r.auto_approve_date or START)
    assert oldest.auto_approve_date is not None
    clock.now = oldest.auto_approve_date - timedelta(seconds=1)
    assert oldest in (await ozon.list_on_approval()).requests
    clock.now = oldest.auto_approve_date
    waiting = (await ozon.list_on_approval()).requests
    assert oldest.cancellation_id not in {r.cancellation_id for r in waiting}
    (ended,) = (await ozon.list_by_posting(oldest.posting_number)).requests
    assert ended.state is CancellationState.APPROVED
    assert ended.approve_date == oldest.auto_approve_date and ended.approve_comment is None
    with pytest.raises(OzonHTTPError):
        await ozon.reject(oldest.cancellation_id, "поздно")


async def test_the_key_has_the_roles_the_desk_needs(ozon):
    info = await ozon.roles()
    for method in ("list", "approve", "reject"):
        assert info.allows(f"/v2/conditional-cancellation/{method}")
    assert info.allows("/v3/posting/fbs/get")
    assert info.expires_at == START + timedelta(days=182)


def test_new_requests_come_every_interval_and_some_are_answered_elsewhere(clock, seller):
    engine = seller.engine
    made = set(engine.waiting())
    for step in range(1, 60):
        clock.now = START + step * INTERVAL / 2
        seller.tick(clock.now)
        made |= set(engine.waiting())
    assert len(made) == len(starting_ages(WINDOW, LEADS)) + 30
    ended = [engine.request(c) for c in made if c not in engine.waiting()]
    by_silence = [r for r in ended if r.approve_date == r.auto_approve_date]
    elsewhere = [r for r in ended if r not in by_silence]
    assert by_silence and all(r.state is State.APPROVED for r in by_silence)
    assert len(elsewhere) >= 3
    assert {State.APPROVED, State.REJECTED} <= {r.state for r in elsewhere}


async def test_one_shared_client_reaches_each_simulator_by_its_host():
    market_engine = MarketEngine(scopes=(), today=None)
    market_engine.add_campaign(710001, business_id=BUSINESSES[0].business_id)
    ozon_engine = OzonEngine()
    market = SimulatorTransport(market_engine, keys=simulator_keys())
    router = ByHost(
        {
            httpx.URL(MARKET["MARKET_API_URL"]).host: market,
            httpx.URL(OZON_API_URL).host: OzonTransport(ozon_engine, keys=ozon_keys()),
        }
    )
    http = shared_http(MARKET["MARKET_API_URL"], transport=router)
    market_client = MarketClient(MARKET["MARKET_API_URL"], BUSINESSES[0].key, http=http)
    ozon_client = OzonClient(
        OZON_API_URL, OZON_SELLER.client_id, OZON_SELLER.key, http=http, gates=Gates()
    )
    try:
        assert (await ozon_client.list_on_approval()).requests == []
        assert [c.id for c in await market_client.campaigns()] == [710001]
        with pytest.raises(httpx.ConnectError):
            await http.post("https://api-seller.ozon.ru/v1/roles", json={})
    finally:
        await http.aclose()


def demo_settings(**env: str):
    return load_demo_settings(MARKET, {**STAFF, **env}, env_file=Path("/nonexistent"))


@pytest.mark.parametrize("second_chat", [None, "-100456"])
def test_with_demo_ozon_the_desk_has_an_ozon_cabinet_beside_the_market(second_chat):
    env = {"DEMO_OZON": "true", "STAFF_TOPIC_ID": "7"}
    if second_chat is not None:
        env["DEMO_SECOND_CHAT_ID"] = second_chat
    settings, _ = demo_settings(**env)
    market, ozon = demo_desk(settings).cabinets
    assert (market.marketplace, ozon.marketplace) == (Marketplace.YANDEX, Marketplace.OZON)
    assert market.name == BUSINESSES[0].name and market.chat_id == -100123
    assert market.settings.market_api_url == MARKET["MARKET_API_URL"]
    assert ozon.name == OZON_SELLER.name
    assert ozon.settings.market_api_key == OZON_SELLER.key
    assert ozon.business_id == OZON_SELLER.client_id
    assert ozon.settings.market_campaign_ids == (ozon_campaign(OZON_SELLER.client_id),)
    assert ozon.settings.market_api_url == OZON_API_URL
    if second_chat is None:  # a mixed Market + Ozon chat
        assert ozon.chat_id == -100123 and ozon.settings.staff_topic_id == 7
    else:
        assert ozon.chat_id == -100456 and ozon.settings.staff_topic_id is None


def test_with_two_businesses_and_ozon_the_demo_runs_three_cabinets():
    settings, _ = demo_settings(DEMO_OZON="1", DEMO_CABINETS="2")
    cabinets = demo_desk(settings).cabinets
    assert [c.name for c in cabinets] == [BUSINESSES[0].name, BUSINESSES[1].name, OZON_SELLER.name]
    assert [c.marketplace for c in cabinets].count(Marketplace.OZON) == 1


def test_the_demo_has_no_ozon_unless_asked_and_ignores_a_real_ozon_url():
    settings, ignored = demo_settings(OZON_API_URL="https://api-seller.ozon.ru")
    assert settings.demo is not None and settings.demo.ozon is False
    assert [c.marketplace for c in demo_desk(settings).cabinets] == [Marketplace.YANDEX]
    assert "OZON_API_URL" in ignored


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_demos_help_says_ozon_is_simulated_too(language):
    settings, _ = demo_settings(DEMO_OZON="true", LANGUAGE=language)
    leads = settings.reminder_lead_times
    style = Style(Texts(language), settings.timezone, leads, confirm_decisions=True)
    plain = render_demo_note(style, INTERVAL)
    with_ozon = render_demo_note(style, INTERVAL, ozon=True)
    assert with_ozon.startswith(plain) and "Ozon" in with_ozon[len(plain) :]
