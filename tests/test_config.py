"""bot/config.py: settings from the environment and `.env` (PRODUCT.md, "Settings")."""

from __future__ import annotations

import ipaddress
import logging
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.chat.access import may_tap
from bot.chat.callbacks import Tap
from bot.config import GroupRate, SettingsError, load_settings

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
API_KEY = "ACMA:secretkeyvalue:0f1e2d3c"
REQUIRED = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "STAFF_CHAT_ID": "-1001234567890",
    "MARKET_API_KEY": API_KEY,
    "MARKET_CAMPAIGN_IDS": "1001",
}


@pytest.fixture
def no_env_file(tmp_path: Path) -> Path:
    return tmp_path / "absent.env"


def load(no_env_file: Path, **overrides: str):
    return load_settings({**REQUIRED, **overrides}, no_env_file)


def test_minimal_valid_environment(no_env_file: Path) -> None:
    settings = load(no_env_file)
    assert settings.telegram_bot_token == TOKEN
    assert settings.staff_chat_id == -1001234567890
    assert settings.market_api_key == API_KEY
    assert settings.market_campaign_ids == (1001,)


def test_defaults_are_those_of_the_product(no_env_file: Path) -> None:
    settings = load(no_env_file)
    assert settings.staff_user_ids == frozenset()
    assert settings.market_business_id is None
    assert settings.poll_interval == timedelta(seconds=60)
    assert settings.reminder_lead_times == (
        timedelta(hours=24),
        timedelta(hours=6),
        timedelta(hours=1),
    )
    assert settings.confirm_decisions is True
    assert settings.database_path == Path("data/desk.db")
    assert settings.language == "ru"
    assert settings.timezone == ZoneInfo("Europe/Moscow")
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.market_api_url == "https://api.partner.market.yandex.ru"
    assert settings.telegram_group_rate == GroupRate(20, timedelta(seconds=60))
    assert settings.log_level == logging.INFO
    assert settings.http_port is None
    assert settings.http_host == "127.0.0.1"
    assert settings.notification_allowed_networks == (
        ipaddress.ip_network("5.45.207.0/25"),
        ipaddress.ip_network("141.8.142.0/25"),
        ipaddress.ip_network("5.255.253.0/25"),
    )
    assert settings.trusted_proxies == ()


def test_optional_settings_are_read(no_env_file: Path) -> None:
    settings = load(
        no_env_file,
        STAFF_USER_IDS="11, 22",
        MARKET_CAMPAIGN_IDS="1001,1002",
        MARKET_BUSINESS_ID="77",
        POLL_INTERVAL="2m",
        CONFIRM_DECISIONS="false",
        DATABASE_PATH="/var/lib/desk/desk.db",
        LANGUAGE="en",
        TIMEZONE="Asia/Yekaterinburg",
        MARKET_API_URL="http://127.0.0.1:8080/",
        TELEGRAM_GROUP_RATE="10/30s",
        LOG_LEVEL="debug",
        HTTP_HOST="127.0.0.1",
        TRUSTED_PROXIES="10.0.0.0/8",
    )
    assert settings.staff_user_ids == frozenset({11, 22})
    assert may_tap(settings, Tap.CONFIRM, 11)
    assert not may_tap(settings, Tap.CONFIRM, 33)
    assert settings.market_campaign_ids == (1001, 1002)
    assert settings.market_business_id == 77
    assert settings.poll_interval == timedelta(minutes=2)
    assert settings.confirm_decisions is False
    assert settings.database_path == Path("/var/lib/desk/desk.db")
    assert settings.language == "en"
    assert settings.timezone == ZoneInfo("Asia/Yekaterinburg")
    assert settings.market_api_url == "http://127.0.0.1:8080"
    assert settings.telegram_group_rate == GroupRate(10, timedelta(seconds=30))
    assert settings.log_level == logging.DEBUG
    assert settings.http_host == "127.0.0.1"
    assert settings.trusted_proxies == (ipaddress.ip_network("10.0.0.0/8"),)


def test_anyone_may_decide_without_a_staff_list(no_env_file: Path) -> None:
    assert may_tap(load(no_env_file), Tap.CONFIRM, 424242)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MARKET_CAMPAIGN_IDS", "12,abc"),
        ("MARKET_CAMPAIGN_IDS", "12,12"),
        ("REMINDER_LEAD_TIMES", "soon"),
        ("REMINDER_LEAD_TIMES", "48h"),
        ("REMINDER_LEAD_TIMES", "24h,3d"),
        ("POLL_INTERVAL", "0"),
        ("POLL_INTERVAL", "0.5s"),
        ("STAFF_CHAT_ID", "abc"),
        ("STAFF_CHAT_ID", "0"),
        ("STAFF_USER_IDS", "1,two"),
        ("TELEGRAM_BOT_TOKEN", "bad"),
        ("MARKET_API_KEY", "Bearer ACMA:secretkeyvalue:0f1e2d3c"),
        ("MARKET_API_KEY", "two words"),
        ("MARKET_BUSINESS_ID", "-7"),
        ("CONFIRM_DECISIONS", "maybe"),
        ("LANGUAGE", "de"),
        ("TIMEZONE", "Mars/Base"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("MARKET_API_URL", "ftp://example.com"),
        ("TELEGRAM_GROUP_RATE", "fast"),
        ("TELEGRAM_GROUP_RATE", "0/60s"),
        ("LOG_LEVEL", "LOUD"),
        ("HTTP_PORT", "70000"),
        ("HTTP_PORT", "0"),
        ("PORT", "http"),
        ("NOTIFICATION_ALLOWED_NETWORKS", "nonsense"),
        ("TRUSTED_PROXIES", "10.0.0.0/8,proxy"),
        ("HISTORY_DAYS", "a year"),
        ("HISTORY_DAYS", "-5"),
        ("DIGEST_AT", "9am"),
        ("DIGEST_AT", "24:00"),
        ("DIGEST_TOPIC_ID", "general"),
    ],
)
def test_malformed_setting_is_named_in_one_line(no_env_file: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load(no_env_file, **{name: value})
    assert caught.value.name == name
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message
    assert len(message) > len(name) + 2


def test_bearer_prefix_is_explained(no_env_file: Path) -> None:
    with pytest.raises(SettingsError, match="Bearer"):
        load(no_env_file, MARKET_API_KEY="Bearer " + API_KEY)


def test_error_does_not_leak_a_malformed_token(no_env_file: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load(no_env_file, TELEGRAM_BOT_TOKEN="123456789 AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in str(caught.value)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_missing_required_setting_is_named(no_env_file: Path, name: str) -> None:
    environ = {k: v for k, v in REQUIRED.items() if k != name}
    with pytest.raises(SettingsError) as caught:
        load_settings(environ, no_env_file)
    assert caught.value.name == name
    assert "\n" not in str(caught.value)


def test_blank_required_setting_counts_as_missing(no_env_file: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load(no_env_file, MARKET_CAMPAIGN_IDS="  ")
    assert caught.value.name == "MARKET_CAMPAIGN_IDS"


def test_first_missing_required_setting_is_named_when_all_are_missing(
    no_env_file: Path,
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({}, no_env_file)
    assert caught.value.name == "TELEGRAM_BOT_TOKEN"
    assert str(caught.value).startswith("TELEGRAM_BOT_TOKEN: ")


def test_env_file_values_are_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "\n".join(f"{k}={v}" for k, v in REQUIRED.items()) + "\nLANGUAGE=en\n", encoding="utf-8"
    )
    settings = load_settings({}, env_file)
    assert settings.telegram_bot_token == TOKEN
    assert settings.market_campaign_ids == (1001,)
    assert settings.language == "en"


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "\n".join(f"{k}={v}" for k, v in REQUIRED.items()) + "\nLANGUAGE=en\nPOLL_INTERVAL=30\n",
        encoding="utf-8",
    )
    settings = load_settings({"LANGUAGE": "ru", "MARKET_CAMPAIGN_IDS": "2002"}, env_file)
    assert settings.language == "ru"
    assert settings.market_campaign_ids == (2002,)
    assert settings.poll_interval == timedelta(seconds=30)


def test_malformed_value_in_env_file_is_named(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=LOUD\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(dict(REQUIRED), env_file)
    assert caught.value.name == "LOG_LEVEL"


def test_port_is_used_when_http_port_is_absent(no_env_file: Path) -> None:
    assert load(no_env_file, PORT="8080").http_port == 8080


def test_http_port_wins_over_port(no_env_file: Path) -> None:
    assert load(no_env_file, HTTP_PORT="9000", PORT="8080").http_port == 9000


def test_lead_times_are_sorted_descending_and_deduplicated(no_env_file: Path) -> None:
    settings = load(no_env_file, REMINDER_LEAD_TIMES="30m,6h,1h,60m,24h,6h")
    assert settings.reminder_lead_times == (
        timedelta(hours=24),
        timedelta(hours=6),
        timedelta(hours=1),
        timedelta(minutes=30),
    )


def test_combined_lead_times_are_accepted(no_env_file: Path) -> None:
    settings = load(no_env_file, REMINDER_LEAD_TIMES="47h59m35s,1h30m")
    assert settings.reminder_lead_times == (
        timedelta(hours=47, minutes=59, seconds=35),
        timedelta(hours=1, minutes=30),
    )


@pytest.mark.parametrize("value", ["none", "NONE", "off"])
def test_none_disables_reminders(no_env_file: Path, value: str) -> None:
    assert load(no_env_file, REMINDER_LEAD_TIMES=value).reminder_lead_times == ()


def test_repr_hides_secrets(no_env_file: Path) -> None:
    settings = load(no_env_file)
    assert TOKEN not in repr(settings)
    assert API_KEY not in repr(settings)
    assert TOKEN not in str(settings)
    assert API_KEY not in str(settings)


def test_owner_settings_default_off_and_are_read(no_env_file: Path) -> None:
    default = load(no_env_file)
    assert (default.history_days, default.digest_at, default.digest_topic_id) == (None, None, None)
    set_ = load(no_env_file, HISTORY_DAYS="365", DIGEST_AT="9:05", DIGEST_TOPIC_ID="7")
    assert (set_.history_days, set_.digest_at, set_.digest_topic_id) == (365, time(9, 5), 7)
    assert load(no_env_file, HISTORY_DAYS="forever", DIGEST_AT="off").history_days is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (",", "',' names no user"),
        (" , ", "',' names no user"),
        ("0", "'0' is not a user id"),
        ("-5", "'-5' is not a user id"),
        ("11,abc", "'abc' is not a user id"),
        ("11, 22, 11", "user id 11 is listed twice"),
    ],
)
def test_a_staff_list_is_a_list_of_users_or_an_error(
    no_env_file: Path, value: str, problem: str
) -> None:
    """An operator who wrote something meant to restrict: never read it as "everyone"."""
    with pytest.raises(SettingsError) as caught:
        load(no_env_file, STAFF_USER_IDS=value)
    assert str(caught.value).startswith(f"STAFF_USER_IDS: {problem}")


def test_commands_cool_down_per_person(no_env_file: Path) -> None:
    assert load(no_env_file).command_cooldown == timedelta(seconds=3)
    assert load(no_env_file, COMMAND_COOLDOWN="10s").command_cooldown == timedelta(seconds=10)
    assert load(no_env_file, COMMAND_COOLDOWN="0").command_cooldown == timedelta(0)
    assert load(no_env_file, COMMAND_COOLDOWN="off").command_cooldown == timedelta(0)
    with pytest.raises(SettingsError, match="COMMAND_COOLDOWN"):
        load(no_env_file, COMMAND_COOLDOWN="soon")
