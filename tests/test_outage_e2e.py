"""A long Telegram outage: the Market side keeps syncing; when Telegram is back, what still
waits is posted by deadline, an expired one keeps its buttons, and what came and went
meanwhile is listed once, not posted as actionable."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.chat import labels, post_of, posts
from tests.conftest import CAMPAIGN, STAFF_CHAT
from tests.harness import wait_until


def found(desk) -> int:
    """Requests the desk's polls found so far."""
    counts = re.findall(r"Poll: \d+ pending at the Market, (\d+) new", desk.log())
    return sum(map(int, counts))


def listed(telegram) -> list[str]:
    return [m.text for m in telegram.messages(STAFF_CHAT) if m.text.startswith("ℹ️ While")]


def test_a_long_telegram_outage_posts_by_deadline_and_lists_what_came_and_went(
    market, telegram, start_desk
):
    now = datetime.now(UTC)
    # no post gets through from the start; then Telegram goes down altogether
    telegram.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=10**6)
    market.add_order(  # asked 50 hours ago: its deadline has passed, the Market still lists it
        1,
        CAMPAIGN,
        cancel_requested=True,
        created_at=now - timedelta(days=4),
        updated_at=now - timedelta(hours=50),
    )
    desk = start_desk()
    wait_until(lambda: "Poll:" in desk.log(), message="a first poll")
    telegram.set_down(True)
    polls_before = desk.log().count("Poll:")

    market.add_order(2, CAMPAIGN, cancel_requested=True)
    market.add_order(3, CAMPAIGN, cancel_requested=True)  # comes and goes
    wait_until(lambda: found(desk) >= 3, message="the Market side syncing meanwhile")
    market.set_order(3, cancel_requested=False, status="CANCELLED", substatus="USER_CHANGED_MIND")
    wait_until(lambda: "1 resolved elsewhere" in desk.log(), message="order 3 closing")
    assert desk.log().count("Poll:") >= polls_before + 2
    assert posts(telegram) == []

    telegram.set_down(False)
    telegram.clear_faults()
    first, second = post_of(telegram, 1, timeout=30), post_of(telegram, 2, timeout=30)
    assert first.message_id < second.message_id  # nearest deadline first
    assert "deadline passed" in first.text
    assert labels(first) == labels(second) and labels(first)  # still actionable
    [summary] = wait_until(lambda: listed(telegram), timeout=15, message="the list")
    assert "#3" in summary and "cancelled" in summary and "#1" not in summary
    assert len(posts(telegram)) == 2

    restarted = (desk.terminate(), start_desk())[1]
    wait_until(lambda: restarted.log().count("Poll:") >= 2, message="polls after a restart")
    assert len(listed(telegram)) == 1 and len(posts(telegram)) == 2
