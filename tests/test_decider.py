"""The decider in process: taps judged from storage, decisions sent to the fake Market.

What staff would see is read from storage (the publisher renders it) and from the
Market's record of decisions; Telegram is not involved.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from bot.chat.callbacks import Callback, Tap, parse_callback
from bot.chat.decider import Decider, Tapped
from bot.domain.model import Decision, DecisionResult, NewRequest, Person, RequestState
from bot.market.orders import parse_business_order
from tests.conftest import BUSINESS, CAMPAIGN, STAFF_CHAT

ANNA = Person(111, "Анна", "anna")
POST_ID = 900


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def posted(market, store):
    """A pending request of `order_id`, posted as message POST_ID; returns its id."""

    def post(order_id: int) -> int:
        raw = market.add_order(order_id, CAMPAIGN, cancel_requested=True)
        from bot.domain.model import Basis, RequestTime

        request_id = store.add_request(
            NewRequest(
                BUSINESS,
                parse_business_order(raw),
                now(),
                RequestTime(now() - timedelta(hours=1), Basis.NOTIFICATION),
            )
        )
        store.save_post(request_id, STAFF_CHAT, POST_ID + request_id, now(), [])
        return request_id

    return post


def tapped(request_id: int, tap: Tap, decision: Decision | None, **changes) -> Tapped:
    base = Tapped(Callback(tap, request_id, decision), STAFF_CHAT, POST_ID + request_id, ANNA)
    return dataclasses.replace(base, **changes)


async def test_choose_then_confirm_sends_once_and_settles(decider: Decider, posted, store, market):
    request_id = posted(1)
    chosen = decider.judge_tap(tapped(request_id, Tap.CHOOSE, Decision.REJECT_DELIVERED))
    assert chosen.answer == "Tap Confirm to send the decision" and chosen.follow_up is None
    assert store.requests.get(request_id).post.confirming is Decision.REJECT_DELIVERED

    confirmed = decider.judge_tap(tapped(request_id, Tap.CONFIRM, Decision.REJECT_DELIVERED))
    again = decider.judge_tap(tapped(request_id, Tap.CONFIRM, Decision.REJECT_DELIVERED))
    assert again.follow_up is None and "already being sent" in again.answer.lower()
    await confirmed.follow_up

    assert store.requests.get(request_id).state is RequestState.DECIDED
    assert store.decisions.last(request_id).result is DecisionResult.OK
    assert market.accepted_decisions() == [
        (CAMPAIGN, 1, {"accepted": False, "reason": "ORDER_DELIVERED"})
    ]


@pytest.mark.parametrize(
    ("changes", "answer"),
    [
        ({"chat_id": -100999}, "Unknown button"),
        ({"callback": None}, "Unknown button"),
        ({"message_id": 1}, "This button is out of date — look at the message again"),
    ],
)
async def test_a_tap_out_of_place_changes_nothing(decider, posted, store, changes, answer):
    request_id = posted(2)
    verdict = decider.judge_tap(tapped(request_id, Tap.CHOOSE, Decision.ACCEPT, **changes))
    assert verdict.answer == answer and verdict.follow_up is None
    assert store.requests.get(request_id).post.confirming is None


async def test_a_confirm_never_offered_is_refused(decider, posted, store):
    request_id = posted(3)
    verdict = decider.judge_tap(tapped(request_id, Tap.CONFIRM, Decision.ACCEPT))
    assert verdict.follow_up is None and "out of date" in verdict.answer
    assert store.decisions.last(request_id) is None


async def test_an_outsider_may_not_decide(decider, posted, settings, store):
    request_id = posted(4)
    decider.settings = dataclasses.replace(settings, staff_user_ids=frozenset({222}))
    verdict = decider.judge_tap(tapped(request_id, Tap.CHOOSE, Decision.ACCEPT))
    assert verdict.answer == "Only listed staff may decide"


async def test_legacy_callback_data_decides_the_same(decider, posted, store):
    request_id = posted(5)
    legacy = parse_callback(f"d:{request_id}:a")
    verdict = decider.judge_tap(tapped(request_id, Tap.CHOOSE, None, callback=legacy))
    assert verdict.answer == "Tap Confirm to send the decision"
    assert store.requests.get(request_id).post.confirming is Decision.ACCEPT


def interrupted(store, request_id: int, decision: Decision) -> None:
    """A decision begun by a desk that was stopped before the Market's answer was stored."""
    record = store.begin_decision(
        request_id,
        decision,
        Person(1, "A", None),
        now() - timedelta(hours=1),
    )
    assert record is not None


@pytest.mark.parametrize(
    ("decision", "market_now", "result", "state"),
    [
        (
            Decision.ACCEPT,
            {"status": "CANCELLED", "substatus": "USER_CHANGED_MIND"},
            "ok",
            "decided",
        ),
        (Decision.REJECT_IN_DELIVERY, {}, "ok", "decided"),
        # settled otherwise: not reported as taken (the buyer's own cancellation, say)
        (
            Decision.REJECT_IN_DELIVERY,
            {"status": "CANCELLED", "substatus": "USER_CHANGED_MIND"},
            "not_pending",
            "closed",
        ),
        (
            Decision.ACCEPT,
            {"status": "DELIVERED", "substatus": "DELIVERY_SERVICE_DELIVERED"},
            "not_pending",
            "closed",
        ),
        # still awaiting: it may not have reached the Market, the buttons come back
        (Decision.ACCEPT, None, "unknown", "pending"),
    ],
)
async def test_recovery_tells_what_became_of_an_interrupted_decision(
    decider, posted, store, market, decision, market_now, result, state
):
    request_id = posted(10)
    interrupted(store, request_id, decision)
    if market_now is not None:
        market.set_order(10, cancel_requested=False, **market_now)

    await decider.recover()

    assert store.decisions.last(request_id).result == result
    assert store.requests.get(request_id).state == state
    assert market.accepted_decisions() == []  # never re-sent on its own


async def test_two_confirms_at_once_make_one_put(decider, posted, market):
    request_id = posted(20)
    decider.judge_tap(tapped(request_id, Tap.CHOOSE, Decision.ACCEPT))
    verdicts = [decider.judge_tap(tapped(request_id, Tap.CONFIRM, Decision.ACCEPT)) for _ in "ab"]
    await asyncio.gather(*(v.follow_up for v in verdicts if v.follow_up))
    assert len(market.calls("acceptOrderCancellation")) == 1
