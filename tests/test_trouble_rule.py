"""When a cabinet's failures become its trouble: what lasts, not a blip the retries mend.

In process, on the test's clock, with the staff chat on the fake Bot API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.chat.staff_chat import StaffChat
from bot.intake.poll_state import PollState
from bot.intake.trouble import StaffAlerts, Trouble
from bot.market.errors import MarketHTTPError, MarketRateLimited
from bot.signals import Wakeup
from bot.texts import Texts
from tests.conftest import STAFF_CHAT

INTERVAL = timedelta(seconds=60)
START = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
DOWN = MarketHTTPError(500, "INTERNAL_ERROR", "down", "getBusinessOrders")


def trouble_over(desk_bot, store) -> tuple[Trouble, PollState]:
    state = PollState()
    alerts = StaffAlerts(desk_bot, StaffChat(STAFF_CHAT, store, Wakeup()), Texts("en"))
    return Trouble(state, INTERVAL, alerts, None, "Дом"), state


async def fail(trouble: Trouble, state: PollState, at: datetime, error=DOWN) -> None:
    state.failures += 1
    await trouble.failed(error, at, at)


async def test_a_blip_the_retries_mend_is_not_trouble(desk_bot, store, telegram):
    trouble, state = trouble_over(desk_bot, store)
    for seconds in (0, 1, 3, 7):  # the retries after a failure: within a second, doubling
        await fail(trouble, state, START + timedelta(seconds=seconds))

    assert not state.in_trouble
    assert telegram.messages(STAFF_CHAT) == []


async def test_a_failure_that_outlasts_two_polls_is_trouble_told_once(desk_bot, store, telegram):
    trouble, state = trouble_over(desk_bot, store)
    await fail(trouble, state, START)
    await fail(trouble, state, START + INTERVAL)
    await fail(trouble, state, START + 2 * INTERVAL)

    assert state.in_trouble and state.trouble_since == START
    [told] = telegram.messages(STAFF_CHAT)
    assert "down" in told.text


async def test_a_limit_waited_out_is_trouble_only_after_three_intervals(desk_bot, store, telegram):
    trouble, state = trouble_over(desk_bot, store)
    limited = MarketRateLimited(420, "LIMIT", "hit", "getBusinessOrders", retry_at=None)
    await fail(trouble, state, START, limited)
    await fail(trouble, state, START + 2 * INTERVAL, limited)
    assert not state.in_trouble

    await trouble.waited(START + 3 * INTERVAL)
    assert state.in_trouble
    assert len(telegram.messages(STAFF_CHAT)) == 1
