"""The fake Bot API's own tests: the staff group, and a python-telegram-bot client of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot

from tests.fakes.ptb import make_bot, staff_telegram
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    yield from staff_telegram()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with make_bot(fake) as client:
        yield client
