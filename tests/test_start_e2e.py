"""The start of the real desk: a token Telegram rejects is one setting line (exit 2) that
never shows it; Telegram or the Market out of reach at start is waited for while the rest
of the desk works, instead of a crash that a service manager repeats every 10 seconds."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from tests.chat import post_of
from tests.conftest import CAMPAIGN
from tests.harness import wait_until
from tests.test_notifications import free_port

WRONG_TOKEN = "123456:WRONG-secret-token"  # well formed; not the fake Bot API's token
REJECTED = "Setting error: TELEGRAM_BOT_TOKEN: Telegram rejected the token"


def port_of(fake) -> int:
    return urlparse(fake.url).port


def lines(desk) -> list[str]:
    return desk.log().strip().splitlines()


def recorded(database: Path) -> list[int]:
    """Order ids of the requests in the desk's database, read beside the running desk."""
    if not database.exists():
        return []
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT order_id FROM requests ORDER BY order_id")]
    except sqlite3.OperationalError:  # not migrated yet
        return []
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("log_format", "telegram_path", "refusal"),
    [
        ("text", "/bot", "(401 Unauthorized); get a new one from @BotFather"),
        ("json", "/bot", "(401 Unauthorized); get a new one from @BotFather"),
        # the Bot API answers 404 for a malformed token (here: the URL loses its "bot")
        ("text", "/", "(404 Not Found); get a new one from @BotFather, or check TELEGRAM_API_URL"),
    ],
)
def test_a_token_telegram_rejects_is_one_setting_line_without_the_token(
    telegram, start_desk, log_format, telegram_path, refusal
):
    desk = start_desk(
        TELEGRAM_BOT_TOKEN=WRONG_TOKEN,
        TELEGRAM_API_URL=telegram.url + telegram_path,
        LOG_FORMAT=log_format,
    )

    assert desk.wait(15) == 2
    [line] = lines(desk)
    if log_format == "json":
        record = json.loads(line)
        assert record["level"] == "ERROR" and "exception" not in record
        line = record["message"]
    assert line.endswith(f"{REJECTED} {refusal}")
    assert "WRONG-secret-token" not in desk.log()


def test_telegram_out_of_reach_at_start_is_waited_for_then_everything_is_posted_by_deadline(
    market, telegram, start_desk, tmp_path
):
    now = datetime.now(UTC)
    market.add_order(1, CAMPAIGN, cancel_requested=True, updated_at=now - timedelta(minutes=5))
    market.add_order(2, CAMPAIGN, cancel_requested=True, updated_at=now - timedelta(hours=5))
    telegram_port, http_port = port_of(telegram), free_port()
    telegram.stop()  # nothing listens where the desk looks for the Bot API

    desk = start_desk(HTTP_PORT=str(http_port), HTTP_HOST="127.0.0.1")
    database = tmp_path / "data" / "desk.db"
    wait_until(lambda: recorded(database) == [1, 2], 15, message="both requests recorded")
    health = httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=5).json()
    assert health["telegram_ok"] is False and health["pending_requests"] == 2
    wait_until(lambda: desk.log().count("Poll:") >= 3, 15, message="polls while it waits")
    [waiting] = [line for line in lines(desk) if "Waiting for Telegram" in line]
    assert " WARNING " in waiting and "Traceback" not in desk.log()

    telegram.start(port=telegram_port)
    nearest, later = post_of(telegram, 2, timeout=30), post_of(telegram, 1, timeout=30)
    assert nearest.message_id < later.message_id  # nearest deadline first
    assert desk.log().count("Waiting for Telegram") == 1
    assert desk.log().count("Telegram is reachable") == 1
    health = httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=5).json()
    assert health["telegram_ok"] is True
    assert desk.terminate() == 0


def test_a_stop_while_waiting_for_telegram_exits_cleanly(telegram, start_desk):
    telegram.stop()
    desk = start_desk()
    wait_until(lambda: "Waiting for Telegram" in desk.log(), 15, message="the wait")

    assert desk.terminate(timeout=10) == 0
    assert "Desk stopped" in desk.log() and "Traceback" not in desk.log()


def test_a_token_rejected_once_telegram_answers_stops_the_desk_with_exit_2(telegram, start_desk):
    telegram_port = port_of(telegram)
    telegram.stop()
    desk = start_desk(TELEGRAM_BOT_TOKEN=WRONG_TOKEN)
    wait_until(lambda: "Waiting for Telegram" in desk.log(), 15, message="the wait")

    telegram.start(port=telegram_port)
    assert desk.wait(30) == 2
    assert lines(desk)[-1].endswith(f"{REJECTED} (401 Unauthorized); get a new one from @BotFather")
    assert "WRONG-secret-token" not in desk.log() and "Traceback" not in desk.log()


def test_the_market_out_of_reach_at_start_is_waited_for_then_polled_as_usual(
    market, telegram, start_desk
):
    market_port = port_of(market)
    market.stop()
    desk = start_desk()
    wait_until(lambda: desk.log().count("Poll failed") >= 3, 15, message="failed polls")
    [waiting] = [line for line in lines(desk) if "Waiting for the Market" in line]
    assert " WARNING " in waiting

    market.add_order(7, CAMPAIGN, cancel_requested=True)
    market.start(port=market_port)
    post_of(telegram, 7, timeout=20)
    assert desk.log().count("Waiting for the Market") == 1
    assert desk.log().count("The Market answers") == 1
    assert desk.terminate() == 0


def test_a_market_key_rejected_at_start_is_a_setting_error_without_the_key(start_desk):
    desk = start_desk(MARKET_API_KEY="wrong-secret-key")

    assert desk.wait(15) == 2
    assert (
        "Setting error: MARKET_API_KEY: the Market rejected the key"
        " (401 UNAUTHORIZED Api-Key token is invalid); "
    ) in lines(desk)[-1]
    assert "wrong-secret-key" not in desk.log() and "Traceback" not in desk.log()
