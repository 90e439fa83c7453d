"""The daily digest end to end: a photo with the numbers as its caption, once a day."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta

from bot.domain.model import MOSCOW
from tests.chat import post_of
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until


def photos(telegram) -> list:
    return [m for m in telegram.messages(STAFF_CHAT) if m.media and "photo" in m.media]


def test_digest_is_a_chart_with_the_numbers_sent_once_across_restarts(market, telegram, start_desk):
    market.add_order(81, CAMPAIGN, cancel_requested=True)
    first = start_desk()  # no digest configured yet
    post_of(telegram, 81)
    assert first.terminate() == 0
    settings = {"DIGEST_AT": "00:00", "TIMEZONE": "Europe/Moscow"}  # due: today's is missed
    desk = start_desk(**settings)

    [digest] = wait_until(lambda: photos(telegram), timeout=60, message="the digest")
    yesterday = (datetime.now(MOSCOW) - timedelta(days=1)).strftime("%d.%m.%Y")
    assert digest.text.startswith(f"🗓 Digest for {yesterday}")
    assert "Received: 0" in digest.text and "Pending: 1" in digest.text and "#81" in digest.text
    png = digest.file
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (900, 480)

    assert desk.terminate() == 0
    again = start_desk(**settings)
    wait_until(lambda: "Next digest in" in again.log(), message="the restarted desk's plan")
    assert len(photos(telegram)) == 1
