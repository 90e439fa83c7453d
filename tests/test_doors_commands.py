"""Bad input at the command door: any argument to any command gets an answer, never a crash.

Staff (or anyone in a staff chat with no STAFF_USER_IDS) may type anything after a command:
markup, format strings, other scripts, very long text. Each command answers with what it
shows or a one-line usage, in the staff chat, as valid Telegram HTML (the strict fake Bot
API refuses anything else), and the desk keeps serving.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.owner.periods import Period, PeriodError, parse_period
from tests.chat import ANNA, post_of
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until

NASTY = [
    "<b>bold</b>",
    "&amp; &lt;",
    "%s %d {0} {order_id}",
    "٣٠d",  # digits of another script
    "30d\n2026-11",
    "-1d",
    "0d",
    "99999d",
    "2026-00",
    "1999-12",
    "9999-99",
    "#" + "9" * 40,
    "№",
    "x" * 3000,
    "\u202e\u200b",
]
COMMANDS = ["/stats", "/history", "/order", "/export", "/pending", "/help"]


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_any_period_argument_is_a_period_or_a_usage(text: str) -> None:
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    try:
        period = parse_period(text, now, ZoneInfo("Europe/Moscow"))
    except PeriodError:
        return
    assert isinstance(period, Period) and period.start < period.end <= now + timedelta(days=31)


def test_nasty_arguments_get_an_answer_and_the_desk_keeps_serving(market, telegram, start_desk):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    desk = start_desk(COMMAND_COOLDOWN="0", TELEGRAM_GROUP_RATE="1000/60s")
    post_of(telegram, 1)
    asked = 0
    for command in COMMANDS:
        for argument in NASTY:
            telegram.send_text(STAFF_CHAT, ANNA, f"{command} {argument}"[:4096])
            asked += 1
    # every command is answered (usage or data): one answer or more each, none refused
    wait_until(
        lambda: len(_answers(telegram)) >= asked,
        timeout=60,
        message=f"answers to {asked} commands",
    )
    market.add_order(2, CAMPAIGN, cancel_requested=True)
    post_of(telegram, 2)  # still serving
    assert desk.running
    assert "Traceback" not in desk.log() and "Unhandled error" not in desk.log()
    assert desk.terminate() == 0


def _answers(telegram) -> list:
    """The desk's messages other than its posts."""
    return [m for m in telegram.messages(STAFF_CHAT) if m.from_bot and not m.text.startswith("🛑")]
