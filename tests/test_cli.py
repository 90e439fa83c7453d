"""`python -m bot` as the owner runs it: settings errors, `check`, one desk per database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CAMPAIGN
from tests.harness import ROOT, DeskProcess, wait_until

#: every test here starts `python -m bot` (some through a helper, not start_desk)
pytestmark = pytest.mark.process


def run(tmp_path, env: dict[str, str], *args: str, timeout: float = 30) -> tuple[int, str]:
    name = f"cli{len(list(tmp_path.glob('cli*.log')))}"
    process = DeskProcess(env, tmp_path, name=name).start(*args)
    code = process.wait(timeout)
    return code, process.log()


def test_without_settings_exits_2_naming_the_first_missing_one(tmp_path):
    code, output = run(tmp_path, {})
    assert code == 2
    assert output.strip() == (
        "Setting error: TELEGRAM_BOT_TOKEN: is required but not set (see .env.example)"
    )


def test_malformed_setting_is_one_line_without_traceback(tmp_path, desk_env):
    code, output = run(tmp_path, {**desk_env, "MARKET_CAMPAIGN_IDS": "12,abc"})
    assert code == 2
    assert output.strip().splitlines() == [
        "Setting error: MARKET_CAMPAIGN_IDS: 'abc' is not a campaign id"
        " (expected comma-separated positive numbers)"
    ]
    code, output = run(tmp_path, {**desk_env, "REMINDER_LEAD_TIMES": "soon"})
    assert code == 2 and output.startswith("Setting error: REMINDER_LEAD_TIMES:")
    assert "Traceback" not in output


def test_settings_come_from_dotenv_in_the_working_directory(tmp_path, desk_env):
    (tmp_path / ".env").write_text(
        "\n".join(f"{k}={v}" for k, v in {**desk_env, "POLL_INTERVAL": "never"}.items())
    )
    code, output = run(tmp_path, {})
    assert code == 2 and "POLL_INTERVAL" in output


def test_check_passes_against_working_services(tmp_path, desk_env):
    code, output = run(tmp_path, desk_env, "check")
    lines = output.strip().splitlines()
    assert code == 0, output
    assert lines[0].startswith("✓ Telegram token: bot @desk_bot")
    assert lines[1].startswith("✓ staff chat -1001234567890")
    assert lines[2] == "✓ photos and documents: the digest's chart and /export can be sent"
    assert lines[3].startswith("✓ Market Api-Key") and "INVENTORY_AND_ORDER_PROCESSING" in lines[3]
    assert lines[4].startswith(f"✓ campaign {CAMPAIGN}") and "business 5001" in lines[4]
    assert lines[-1] == "All checks passed."


def test_check_names_each_problem_with_a_hint(tmp_path, desk_env, market, telegram):
    market.add_campaign(2002, business_id=5001, placement="FBS")
    env = {
        **desk_env,
        "STAFF_CHAT_ID": "-1009999",
        "MARKET_API_KEY": "wrong-key",
        "MARKET_CAMPAIGN_IDS": f"{CAMPAIGN},2002,3003",
    }
    code, output = run(tmp_path, env, "check")
    assert code == 1
    assert "✗ staff chat -1009999" in output and "add the bot to the staff group" in output
    assert "✗ Market Api-Key: 401" in output and "wrong or revoked" in output
    assert output.count("✗ campaign") == 3
    assert "4 check(s) failed." in output or "5 check(s) failed." in output
    assert "wrong-key" not in output.replace("MARKET_API_KEY", "")


def test_a_second_desk_on_the_same_database_refuses_to_start(tmp_path, start_desk, telegram):
    first = start_desk()
    wait_until(lambda: "Poll:" in first.log(), message="the first desk polling")
    code, output = run(tmp_path, first.env)
    assert code == 3
    assert "already used by a running desk" in output
    assert first.running


def test_an_unusable_database_path_is_one_line(tmp_path, desk_env):
    (tmp_path / "taken").write_text("a file, not a folder")
    code, output = run(tmp_path, {**desk_env, "DATABASE_PATH": str(tmp_path / "taken" / "d.db")})
    assert code == 2
    assert output.strip().startswith("Cannot open DATABASE_PATH=")
    assert "Traceback" not in output


def test_a_database_from_a_newer_desk_is_refused(tmp_path, desk_env):
    import sqlite3

    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    code, output = run(tmp_path, {**desk_env, "DATABASE_PATH": str(path)})
    assert code == 2
    assert "newer than this desk knows" in output and "Traceback" not in output


def test_check_says_when_the_digest_topic_cannot_exist(tmp_path, desk_env):
    code, output = run(tmp_path, {**desk_env, "DIGEST_TOPIC_ID": "5"}, "check")
    assert code == 1
    assert "✗ photos and documents: DIGEST_TOPIC_ID is set but the staff chat has no topics" in (
        output
    )


def test_a_staff_list_that_names_no_one_stops_the_desk(start_desk):
    """`,` once let everyone decide and read buyers' phones: the list parsed empty."""
    desk = start_desk(STAFF_USER_IDS=",", BUYER_CONTACT="true")
    assert desk.wait(timeout=10) == 2
    assert desk.log().strip() == "Setting error: STAFF_USER_IDS: ',' names no user"


@pytest.mark.parametrize("telegram_is", ["rejecting the token", "out of reach"])
def test_check_never_prints_the_token(tmp_path, desk_env, telegram, telegram_is):
    token = "123456:WRONG-secret-token"
    if telegram_is == "out of reach":
        telegram.stop()
    code, output = run(tmp_path, {**desk_env, "TELEGRAM_BOT_TOKEN": token}, "check")
    assert code == 1
    assert "WRONG-secret-token" not in output and "Traceback" not in output
    if telegram_is == "out of reach":
        assert "✗ Telegram: " in output and "check the network and TELEGRAM_API_URL" in output
    else:
        assert output.splitlines()[0] == (
            "✗ Telegram token: Telegram rejected the token (401 Unauthorized);"
            " get a new one from @BotFather"
        )


CRASHES = {
    "main thread": "raise RuntimeError(SAID)",
    "a thread": "t = threading.Thread(target=lambda: int(SAID)); t.start(); t.join()",
}


@pytest.mark.parametrize("where", CRASHES)
def test_an_exception_nobody_catches_is_logged_redacted_in_the_log_format(tmp_path, where):
    """Whatever escapes the desk's own handling still goes through the log's redaction and
    format (python-telegram-bot quotes the token in some of its errors)."""
    script = tmp_path / "crash.py"
    script.write_text(
        "import threading\n"
        "from bot.__main__ import start_logging\n"
        "from bot.config import load_settings\n"
        "SAID = 'The token `123456:WRONG-secret-token` was rejected'\n"
        "start_logging(load_settings())\n" + CRASHES[where] + "\n"
    )
    env = {
        "TELEGRAM_BOT_TOKEN": "123456:WRONG-secret-token",
        "STAFF_CHAT_ID": "-100123",
        "MARKET_API_KEY": "some-key",
        "MARKET_CAMPAIGN_IDS": "1",
        "LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "WRONG-secret-token" not in result.stdout + result.stderr
    [record] = [json.loads(line) for line in result.stderr.splitlines()]
    assert record["level"] == "CRITICAL" and "Traceback" in record["exception"]
