"""Bad input at the button door: forged callback data, taps out of place, outsiders.

Callback data comes from whoever taps (or from a client that forges it: Telegram passes
any 1-64 bytes). Whatever arrives, nothing reaches the Market without a Choose and a
Confirm of the same decision on the desk's own post, and nothing else changes state.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.callbacks import Callback, Tap, parse_callback
from bot.chat.decider import Tapped
from bot.domain.model import Basis, Decision, NewRequest, Person, RequestTime
from bot.market.orders import parse_business_order
from tests.conftest import BUSINESS, CAMPAIGN, STAFF_CHAT

POST_ID = 900
MALLORY = Person(666, '=HYPERLINK("http://x")', "mallory")
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
VALID_WORDS = ["pick", "sure", "back", "mine", "call", "accept", "delivered", "courier"]


def _forged() -> st.SearchStrategy[str]:
    """Text a client may put in callback data: random, and near-misses of the real forms."""
    word = st.sampled_from([*VALID_WORDS, "d", "c", "b", "a", "", "PICK", "pick "])
    number = st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["", "0", "01", "1e3", "١", "9" * 40, " 1", "1\n"]),
    )
    near = st.tuples(word, number, word).map(lambda parts: ":".join(parts))
    return st.one_of(st.text(max_size=64), near, st.binary(max_size=64).map(repr))


def _post(market, store, order_id: int) -> int:
    raw = market.add_order(order_id, CAMPAIGN, cancel_requested=True)
    now = datetime.now(UTC)
    request_id = store.add_request(
        NewRequest(
            BUSINESS,
            parse_business_order(raw),
            now,
            RequestTime(now - timedelta(hours=1), Basis.NOTIFICATION),
        )
    )
    store.save_post(request_id, STAFF_CHAT, POST_ID + request_id, now, [])
    return request_id


@FUZZ
@given(data=_forged(), in_place=st.booleans())
async def test_forged_callback_data_never_reaches_the_market(
    decider, market, store, data: str, in_place: bool
) -> None:
    pending = store.requests.pending()
    request_id = pending[0].id if pending else _post(market, store, 1)
    callback = parse_callback(data)
    if callback is not None:
        assert callback.encode() == data or data[:2] in ("d:", "c:", "b:")
    message_id = POST_ID + request_id if in_place else 1
    verdict = decider.judge_tap(Tapped(callback, STAFF_CHAT, message_id, MALLORY))

    assert verdict.answer
    assert verdict.follow_up is None  # no PUT without a Confirm that was offered
    assert market.accepted_decisions() == []
    assert store.decisions.last(request_id) is None


@FUZZ
@given(
    callback=st.builds(
        Callback,
        st.sampled_from(list(Tap)),
        st.integers(min_value=1, max_value=2**63 - 1),
        st.one_of(st.none(), st.sampled_from(list(Decision))),
    ),
    chat_id=st.sampled_from([STAFF_CHAT, -100999, 666]),
)
async def test_a_tap_for_another_request_or_chat_changes_nothing(
    decider, market, store, callback: Callback, chat_id: int
) -> None:
    """A valid-looking key on the wrong message: another request's id, another chat."""
    [request] = store.requests.pending() or [store.requests.get(_post(market, store, 2))]
    if callback.request_id == request.id and chat_id == STAFF_CHAT:
        callback = dataclasses.replace(callback, request_id=request.id + 1)
    verdict = decider.judge_tap(Tapped(callback, chat_id, POST_ID + request.id, MALLORY))

    assert verdict.follow_up is None
    assert store.requests.get(request.id).post.confirming is None
    assert store.decisions.last(request.id) is None
    assert market.accepted_decisions() == []
