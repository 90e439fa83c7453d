"""`python -m bot check` with the team's settings: topics probed, missing rights named."""

from __future__ import annotations

import pytest

from tests.chat import ANNA
from tests.conftest import OUTSIDER, STAFF_CHAT
from tests.test_cli import run

#: every test here runs `python -m bot check`
pytestmark = pytest.mark.process


def test_check_probes_each_topic_and_names_what_to_grant(tmp_path, desk_env, telegram):
    good, closed, gone = (telegram.add_topic(STAFF_CHAT, name) for name in ("A", "B", "C"))
    telegram.set_topic_state(STAFF_CHAT, closed, "closed")
    telegram.set_topic_state(STAFF_CHAT, gone, "deleted")
    env = {**desk_env, "STAFF_TOPIC_ID": str(good), "PIN_SUMMARY": "true"}
    env["ESCALATE_TO"] = f"{ANNA},{OUTSIDER}"
    env["MARKET_CAMPAIGN_IDS"] = "1001"
    env["CAMPAIGN_TOPICS"] = f"1001:{closed}"

    code, output = run(tmp_path, env, "check")

    assert code == 1
    assert f"✓ topic {good} (STAFF_TOPIC_ID): the bot can post there" in output
    assert f"✗ topic {closed} (CAMPAIGN_TOPICS): the topic is closed" in output
    assert "can_manage_topics" in output
    assert "✗ PIN_SUMMARY: make the bot an administrator" in output and "can_pin_messages" in output
    assert f"✓ ESCALATE_TO {ANNA}: Анна is in the staff chat" in output
    assert f"✗ ESCALATE_TO {OUTSIDER}: Чужой is not in the staff chat; add them" in output
    probes = [c.params.get("message_thread_id") for c in telegram.calls("sendChatAction")]
    assert sorted(probes) == sorted([good, closed])
    assert telegram.messages(STAFF_CHAT) == []  # a check posts nothing

    env["CAMPAIGN_TOPICS"] = f"1001:{gone}"
    telegram.set_member_status(STAFF_CHAT, telegram.bot_id, "administrator")
    code, output = run(tmp_path, env, "check")
    assert f"✗ topic {gone} (CAMPAIGN_TOPICS): no such topic" in output
    assert "✓ PIN_SUMMARY: the bot can pin it" in output


def test_a_public_staff_chat_needs_a_staff_list(tmp_path, desk_env, telegram):
    """Anyone can join a group with a username: without STAFF_USER_IDS they could decide."""
    telegram.add_group(STAFF_CHAT, title="Склад", username="shop_staff")

    code, output = run(tmp_path, desk_env, "check")

    assert code == 1
    assert "✗ public staff chat @shop_staff: anyone can join it and decide" in output
    assert "set STAFF_USER_IDS" in output and "1 check(s) failed." in output

    code, output = run(tmp_path, {**desk_env, "STAFF_USER_IDS": str(ANNA)}, "check")
    assert code == 0, output
    assert "✓ public staff chat @shop_staff: only STAFF_USER_IDS may decide" in output
