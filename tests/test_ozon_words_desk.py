"""An Ozon cabinet's trouble, taps and problems in Ozon's words, in process.

Trouble is told on the fake Bot API (the chat and an operator's private chat); taps on an
Ozon request are judged and sent to the strict fake Ozon through the Ozon side's own
decisions; a Market cabinet beside it keeps the Market's words.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.app import utc_now
from bot.chat.callbacks import Callback, Tap
from bot.chat.decider import Decider, Tapped
from bot.chat.staff_chat import StaffChat
from bot.domain.model import Decision, Marketplace, Person
from bot.intake.ozon_sync import OzonSync
from bot.intake.poll_state import PollState
from bot.intake.trouble import StaffAlerts, Trouble
from bot.market.errors import MarketHTTPError, MarketRateLimited
from bot.ops.operators import Operators
from bot.ops.storage_trouble import StorageTrouble
from bot.ozon.client import OzonClient
from bot.ozon.limits import Gates
from bot.ozon_side import OZON_REREADS, OzonDecisions
from bot.signals import Wakeup
from bot.texts import Texts
from tests.builders import style
from tests.conftest import STAFF_CHAT
from tests.fakes.ozon import KEY_DEACTIVATED, FakeOzon
from tests.ozon_desk_world import APPROVE, KEY, SELLER

INTERVAL = timedelta(seconds=60)
START = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
OPERATOR = 222  # Борис, told in private
REFUSED = MarketHTTPError(403, "7", KEY_DEACTIVATED, "list")
LIMITED = MarketRateLimited(429, "8", "too many", "list", retry_at=None)
ANNA = Person(111, "Анна", "anna")


@pytest.fixture(autouse=True)
def operator_started_the_bot(telegram) -> None:
    telegram.send_text(OPERATOR, OPERATOR, "/start")


def alerts_of(desk_bot, store, language: str, marketplace: Marketplace, cabinet: str | None):
    chat = StaffChat(STAFF_CHAT, store, Wakeup())
    return StaffAlerts(desk_bot, chat, Texts(language), cabinet, marketplace)


async def private(telegram, count: int) -> list[str]:
    """The operator's private messages once `count` have come (operators are told in a
    task of their own, so the loop must run meanwhile)."""
    deadline = asyncio.get_running_loop().time() + 5
    while len(told := telegram.messages(OPERATOR)) < count:
        assert asyncio.get_running_loop().time() < deadline, [m.text for m in told]
        await asyncio.sleep(0.01)
    return [message.text for message in told]


async def trouble_told(alerts: StaffAlerts, desk_bot, language: str, error=REFUSED) -> Trouble:
    """Two failed polls a poll interval apart (three for a limit), then a good one."""
    operators = Operators(desk_bot, [OPERATOR], style(language))
    state = PollState()
    trouble = Trouble(state, INTERVAL, alerts, operators, "Озон-дом")
    for n in range(4):
        state.failures += 1
        at = START + n * INTERVAL
        await trouble.failed(error, at, at)
    await trouble.ended()
    return trouble


@pytest.mark.parametrize(
    ("language", "outage", "back", "operator"),
    [
        (
            "en",
            "⚠️ Cannot fetch requests of the cabinet “Озон-дом” from Ozon",
            "✅ Back to normal: fetch requests of the cabinet “Озон-дом” from Ozon works again.",
            ["⚠️ Cabinet “Озон-дом”: cannot fetch requests from Ozon since", "from Ozon come in"],
        ),
        (
            "ru",
            "⚠️ Не удаётся получить запросы кабинета «Озон-дом» из Ozon",
            "✅ Связь восстановлена: получить запросы кабинета «Озон-дом» из Ozon снова работает.",
            ["⚠️ Кабинет «Озон-дом»: не удаётся получить запросы из Ozon с", "из Ozon снова"],
        ),
    ],
)
async def test_an_ozon_cabinets_trouble_names_ozon_to_the_chat_and_operators(
    desk_bot, store, telegram, language, outage, back, operator
):
    alerts = alerts_of(desk_bot, store, language, Marketplace.OZON, "Озон-дом")
    await trouble_told(alerts, desk_bot, language)

    told, ended = [m.text for m in telegram.messages(STAFF_CHAT)]
    assert told.startswith(outage) and KEY_DEACTIVATED in told and "Маркет" not in told
    assert ended == back
    trouble, recovered = await private(telegram, 2)
    assert trouble.startswith(operator[0]) and operator[1] in recovered
    assert "Market" not in trouble + recovered and "Маркет" not in trouble + recovered


async def test_a_limit_ozon_puts_on_is_told_as_ozons(desk_bot, store, telegram):
    alone = alerts_of(desk_bot, store, "en", Marketplace.OZON, None)
    await trouble_told(alone, desk_bot, "en", LIMITED)
    told = telegram.messages(STAFF_CHAT)[0].text
    assert told.startswith("⚠️ Cannot fetch requests from Ozon for 3 min: Ozon limits the desk's")


async def test_a_market_cabinets_trouble_still_names_the_market(desk_bot, store, telegram):
    alerts = alerts_of(desk_bot, store, "ru", Marketplace.YANDEX, None)
    await trouble_told(alerts, desk_bot, "ru")
    told = telegram.messages(STAFF_CHAT)[0].text
    assert told.startswith("⚠️ Не удаётся получить запросы из Маркета (неудачных попыток")
    trouble, recovered = await private(telegram, 2)
    assert "из Маркета с" in trouble and "запросы из Маркета снова приходят" in recovered


async def test_the_trouble_log_names_the_cabinet_and_ozon(desk_bot, store, telegram, caplog):
    caplog.set_level(logging.WARNING)
    await trouble_told(alerts_of(desk_bot, store, "en", Marketplace.OZON, None), desk_bot, "en")
    assert "Cabinet Озон-дом (Ozon) is in trouble since" in caplog.text
    assert "Cabinet Озон-дом: polling Ozon works again" in caplog.text


# --- taps on an Ozon post -----------------------------------------------------------


@pytest.fixture
async def ozon_client(fake_ozon: FakeOzon) -> AsyncIterator[OzonClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield OzonClient(fake_ozon.url, SELLER, KEY, http=http, gates=Gates())


@pytest.fixture
def ozon_decider(settings, store, ozon_client) -> Decider:
    """The decider an Ozon side builds, over the fake Ozon."""
    decisions = OzonDecisions(ozon_client, settings)
    storage = StorageTrouble(quiet=60)
    wakeup = Wakeup()
    return Decider(
        settings,
        store,
        decisions,
        Texts("en"),
        wakeup,
        utc_now,
        storage,
        lookup=decisions,
        rereads=OZON_REREADS,
        marketplace=Marketplace.OZON,
    )


async def posted_ozon(fake_ozon: FakeOzon, ozon_client: OzonClient, store) -> int:
    """An Ozon request found by a poll, as the Ozon side finds one, and posted."""
    fake_ozon.add_request(SELLER, "11112222-0001-1")
    outcome = await OzonSync(ozon_client, store, SELLER, utc_now).sync(False)
    [request] = outcome.new
    store.save_post(request.id, STAFF_CHAT, 900, utc_now(), [])
    return request.id


def tap(request_id: int, kind: Tap, decision: Decision | None) -> Tapped:
    return Tapped(Callback(kind, request_id, decision), STAFF_CHAT, 900, ANNA)


async def test_a_tap_on_an_ozon_post_answers_in_ozons_words(
    ozon_decider, fake_ozon, ozon_client, store, caplog
):
    caplog.set_level(logging.INFO)
    request_id = await posted_ozon(fake_ozon, ozon_client, store)
    ozon_decider.judge_tap(tap(request_id, Tap.CHOOSE, Decision.ACCEPT))
    confirmed = ozon_decider.judge_tap(tap(request_id, Tap.CONFIRM, Decision.ACCEPT))
    assert confirmed.answer == "Sending the decision to Ozon…"
    await asyncio.wait_for(confirmed.follow_up, 10)
    assert "Ozon took decision ACCEPT on order 11112222-0001-1" in caplog.text

    again = ozon_decider.judge_tap(tap(request_id, Tap.CONFIRM, Decision.ACCEPT))
    assert again.answer == "Already decided: Анна (@anna)"


async def test_a_tap_ozon_cannot_record_says_nothing_went_to_ozon(
    ozon_decider, fake_ozon, ozon_client, store
):
    request_id = await posted_ozon(fake_ozon, ozon_client, store)
    ozon_decider.storage.failed(sqlite3.OperationalError("database or disk is full"))
    refused = ozon_decider.judge_tap(tap(request_id, Tap.CHOOSE, Decision.ACCEPT))
    assert refused.follow_up is None
    assert "Nothing was sent to Ozon" in refused.answer and "Market" not in refused.answer
    assert fake_ozon.calls(APPROVE, client_id=SELLER) == []


async def test_a_problem_with_an_ozon_request_is_noted_by_its_posting_number(
    fake_ozon, ozon_client, store
):
    request_id = await posted_ozon(fake_ozon, ozon_client, store)
    request = store.requests.get(request_id)
    store.post_refused(request, "Bad Request: can't parse entities", utc_now())
    [noted] = store.problems.all()
    assert noted.problem.order_ref == "11112222-0001-1"
