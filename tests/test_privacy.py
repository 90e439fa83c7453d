"""The safety net behind the log levels: a buyer's contact the 📞 pop-up has shown is
redacted from any line that still carries it, in any spelling, in both log formats."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.chat.callbacks import Callback, Tap
from bot.chat.decider import Tapped
from bot.domain.model import Basis, NewRequest, Person, RequestTime
from bot.market.orders import parse_business_order
from bot.ops.logs import log_handler
from bot.team.contact import BuyerContact
from bot.team.privacy import ShownContacts
from tests.builders import style
from tests.conftest import BUSINESS, CAMPAIGN, STAFF_CHAT

NAME, PHONE = "Алевтина Сидорова", "+79031112233"
SPELLINGS = [PHONE, "79031112233", "8 (903) 111-22-33", "903 111 22 33", "+7-903-111-2233"]
POST_ID = 900


@pytest.fixture
async def shown(market, store, settings, decider) -> str:
    """The pop-up of a real 📞 tap on a posted request, the buyer read from the fake Market."""
    raw = market.add_order(77, CAMPAIGN, cancel_requested=True)
    market.set_buyer(77, firstName="Алевтина", lastName="Сидорова", phone=PHONE)
    now = datetime.now(UTC)
    request_time = RequestTime(now - timedelta(hours=1), Basis.NOTIFICATION)
    request_id = store.add_request(
        NewRequest(BUSINESS, parse_business_order(raw), now, request_time)
    )
    store.save_post(request_id, STAFF_CHAT, POST_ID, now, [])
    contact = BuyerContact(
        dataclasses.replace(settings, buyer_contact=True),
        decider.market,
        decider,
        style(),
        lambda: datetime.now(UTC),
    )
    tap = Tapped(Callback(Tap.CONTACT, request_id, None), STAFF_CHAT, POST_ID, Person(1, "A", None))
    return await contact.answer(tap)


def _written(log_format: str, lines: list[str], *, failing: str = "") -> str:
    """What the desk's own handler writes for these lines (and one error with a traceback)."""
    out = io.StringIO()
    logger = logging.getLogger(f"tests.privacy.{log_format}")
    logger.propagate, logger.handlers = False, [log_handler(["s3cret"], log_format, out)]
    logger.setLevel(logging.DEBUG)
    for line in lines:
        logger.debug(line)
    if failing:
        try:
            raise RuntimeError(failing)
        except RuntimeError:
            logger.exception("The pop-up of order 77 failed")
    return out.getvalue()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_shown_contact_is_redacted_in_any_spelling(log_format: str, shown: str) -> None:
    assert shown.startswith(f"📞 {NAME}: {PHONE}")
    lines = [f"order 77 buyer {spelling}" for spelling in SPELLINGS]
    lines += [f"order 77: {NAME}", "Сидорова Алевтина called", "{'text': 'Алевтина'}"]

    written = _written(log_format, lines, failing=f"refused: {NAME} {PHONE}")

    for leak in ("Алевтина", "Сидорова", "1112233", "111-22-33", "111 22 33", "111-2233"):
        assert leak not in written
    assert written.count("order 77") == len(lines) - 2 + 1  # the ids the lines named stay
    if log_format == "json":
        parsed = [json.loads(line) for line in written.splitlines()]
        assert {line.get("order_id") for line in parsed} == {77, None}
        assert "RuntimeError: refused: *** ***" in parsed[-1]["exception"]


def test_only_what_was_shown_is_redacted(shown: str) -> None:
    written = _written("text", ["order 9031112 of Алевтинова, phone +79161234567, s3cret"])

    assert "order 9031112 of Алевтинова, phone +79161234567, ***" in written


def test_the_registry_is_bounded() -> None:
    shown = ShownContacts(limit=2)
    for number in range(3):
        shown.remember(f"Покупатель{number}", f"+7916000000{number}")

    assert shown.redact("Покупатель0 +79160000000") == "Покупатель0 +79160000000"
    assert shown.redact("Покупатель2 +79160000002") == "*** ***"
