"""What the fake Telegram's own tests share: python-telegram-bot clients and a small world.

The fake is proven with python-telegram-bot itself, the library the desk uses, so its
tests build real `Bot`s against it (`make_bot`) in a world of one group and two members
(`staff_telegram`), and check every result the fake produced against ``api.json``.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Iterator

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import HTTPXRequest

from tests.fakes.telegram import FakeTelegram, load_spec

__all__ = [
    "ANN",
    "BOB",
    "GROUP",
    "PTB_WARNINGS",
    "assert_results_match_spec",
    "keyboard",
    "make_bot",
    "staff_telegram",
    "wait_async",
]

GROUP = -1001234567890
ANN = 111
BOB = 222

#: do_api_request("sendMessage") is used on purpose to send malformed parameters, and PTB
#: itself reads the deprecated int RetryAfter.retry_after
PTB_WARNINGS = (
    "ignore::telegram.warnings.PTBUserWarning",
    "ignore::telegram.warnings.PTBDeprecationWarning",
)

# httpx builds a fresh SSL context (~50 ms) per client unless given one; PTB makes two per Bot
_TLS = ssl.create_default_context()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row of callback buttons: (text, callback_data) pairs."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


def assert_results_match_spec(fake: FakeTelegram) -> None:
    """Every successful result the fake produced is valid per api.json."""
    spec = load_spec()
    for call in fake.calls():
        if call.ok and call.method in spec.methods:
            returns = spec.methods[call.method]["returns"]
            assert spec.problems(call.result, returns) == [], call
    assert fake.internal_errors == []


async def wait_async(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def staff_telegram() -> Iterator[FakeTelegram]:
    """A running fake with GROUP, Ann and Bob in it; checks every result at the end.

    For a fixture: ``yield from staff_telegram()``. Callback queries time out after 0.3 s.
    """
    with FakeTelegram(callback_answer_timeout=0.3) as server:
        server.add_group(GROUP, title="Staff")
        server.add_user(ANN, first_name="Ann", username="ann", member_of=[GROUP])
        server.add_user(BOB, first_name="Bob", member_of=[GROUP])
        yield server
        assert_results_match_spec(server)


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    """A PTB Bot talking to the fake (use it as ``async with make_bot(fake) as bot``)."""
    return Bot(
        token or fake.token,
        base_url=fake.base_url,
        request=HTTPXRequest(httpx_kwargs={"verify": _TLS}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": _TLS}),
    )
