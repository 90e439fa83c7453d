"""An Ozon cabinet beside the Market one, end to end: the fake Ozon, a desk running
`tests.ozon_desk` against it and the other fakes, and staff's taps on Ozon posts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.chat.callbacks import Tap, parse_callback
from bot.domain.model import Decision
from tests.chat import posts
from tests.conftest import STAFF_CHAT
from tests.fakes.ozon import FakeOzon
from tests.harness import DeskProcess, Desks, wait_until

SELLER, KEY = 4242, "ozon-key"
LIST = "/v2/conditional-cancellation/list"
APPROVE = "/v2/conditional-cancellation/approve"
REJECT = "/v2/conditional-cancellation/reject"
POSTING = "/v3/posting/fbs/get"


@pytest.fixture
def fake_ozon() -> Iterator[FakeOzon]:
    with FakeOzon(keys={KEY: SELLER}) as fake:
        yield fake


@pytest.fixture
def start_ozon_desk(desk_env: dict[str, str], fake_ozon: FakeOzon, tmp_path: Path):
    """Start the desk with both cabinets (more than once for restarts); all stopped at the end."""
    desks = Desks(tmp_path)
    ozon = {"OZON_TEST_URL": fake_ozon.url, "OZON_TEST_CLIENT_ID": str(SELLER)}

    def start(**overrides: str) -> DeskProcess:
        env = {**desk_env, **ozon, "OZON_TEST_API_KEY": KEY, **overrides}
        return desks.start(env, module="tests.ozon_desk")

    yield start
    desks.stop()


def ozon_post(telegram, request, timeout: float = 15.0):
    """The post of an Ozon request: its posting number shown, or (before Ozon's own
    rendering) its cancellation id in the title."""

    def find():
        for message in posts(telegram):
            title = message.text.splitlines()[0]
            if request.posting_number in message.text or title.endswith(
                f"#{request.cancellation_id}"
            ):
                return telegram.message(STAFF_CHAT, message.message_id)
        return None

    return wait_until(find, timeout, message=f"the post of posting {request.posting_number}")


def decide(telegram, message, user: int, decision: Decision, tap: Tap = Tap.CHOOSE) -> str:
    """Tap the post's button for `decision` (found by its data, whatever its words)."""
    data = next(
        (
            button["callback_data"]
            for button in message.buttons
            if (callback := parse_callback(button.get("callback_data"))) is not None
            and callback.tap is tap
            and callback.decision is decision
        ),
        None,
    )
    if data is None:
        raise LookupError(f"no {tap.name} {decision.name} button in {message.buttons}")
    callback_id = telegram.tap(STAFF_CHAT, message.message_id, user, data)
    return wait_until(lambda: telegram.callback_answer(callback_id), 10, message="the answer")


def settled(telegram, message, timeout: float = 15.0):
    """The post once it shows no buttons: decided, or closed."""
    return wait_until(
        lambda: not (m := telegram.message(STAFF_CHAT, message.message_id)).buttons and m,
        timeout,
        message=f"message {message.message_id} without buttons",
    )
