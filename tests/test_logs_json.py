"""LOG_FORMAT=json: one JSON object per line, with the ids a line names, secrets redacted."""

from __future__ import annotations

import json

from tests.chat import post_of
from tests.conftest import CAMPAIGN
from tests.harness import wait_until


def test_json_logs_are_one_object_per_line_with_ids(market, telegram, start_desk, desk_env):
    market.add_order(1, CAMPAIGN, cancel_requested=True)
    desk = start_desk(LOG_FORMAT="json")
    post_of(telegram, 1)
    wait_until(lambda: "Posted order 1" in desk.log(), message="the post logged")
    assert desk.terminate() == 0

    lines = [json.loads(line) for line in desk.log().splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    [posted] = [line for line in lines if line["message"].startswith("Posted order 1 ")]
    assert posted["level"] == "INFO" and posted["logger"] == "bot.chat.publisher"
    assert posted["order_id"] == 1 and posted["campaign_id"] == CAMPAIGN
    assert lines[-1]["message"] == "Desk stopped"
    text = desk.log()
    assert desk_env["TELEGRAM_BOT_TOKEN"] not in text
    assert desk_env["MARKET_API_KEY"] not in text
