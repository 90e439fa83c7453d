"""Buyers' contacts never reach the logs: with LOG_LEVEL=DEBUG, in both formats, a 📞 tap
shows the name and phone in the pop-up and nowhere in the process's output or database."""

from __future__ import annotations

import json
import re

import pytest

from tests.chat import ANNA, BORIS, post_of, tap
from tests.conftest import CAMPAIGN

FIRST, LAST, PHONE = "Ирина", "Петрова", "+79161234567"
NATIONAL = PHONE[-10:]  # the digits every way of writing this phone contains
ANY_SEPARATORS = re.compile(r"[\s()+.-]{0,3}".join(NATIONAL))  # "916 123-45-67", "(916)1234567"


def _leaks(text: str) -> list[str]:
    """Every form of the buyer's name or phone found in `text`."""
    forms = [FIRST, LAST, json.dumps(LAST)[1:-1], json.dumps(FIRST)[1:-1]]  # \\u-escaped too
    found = [form for form in forms if form in text]
    return found + ANY_SEPARATORS.findall(text)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_shown_contact_is_in_no_log_line(market, telegram, start_desk, tmp_path, log_format):
    market.add_order(95, CAMPAIGN, cancel_requested=True)
    market.set_buyer(95, firstName=FIRST, lastName=LAST, phone=PHONE)
    desk = start_desk(
        LOG_LEVEL="DEBUG",
        LOG_FORMAT=log_format,
        BUYER_CONTACT="true",
        STAFF_USER_IDS=f"{ANNA},{BORIS}",
    )

    answer = tap(telegram, post_of(telegram, 95), ANNA, "Buyer")

    assert answer["text"].startswith(f"📞 {FIRST} {LAST}: {PHONE}")  # the feature works
    assert desk.terminate() == 0
    log = desk.log()
    assert "asked for the buyer of order 95" in log  # the operator's line stays
    assert _leaks(log) == []
    assert "📞" not in log  # python-telegram-bot's dumps of calls stay out, even redacted
    for path in (tmp_path / "data").iterdir():
        assert _leaks(path.read_bytes().decode("utf-8", "replace")) == [], path.name
