"""Bad input at the settings door: any text in any setting stops the desk with one line.

A wrong setting must be a `SettingsError` naming it (exit 2, one line), never another
exception (a traceback, a service restarting it every 10 s) and never an echo of a secret.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import SettingsError, load_settings

REQUIRED = {
    "TELEGRAM_BOT_TOKEN": "123456:AAHsecretsecretsecretsecret",
    "STAFF_CHAT_ID": "-1001234567890",
    "MARKET_API_KEY": "ACMA:secretkeysecretkey:abcdef12",
    "MARKET_CAMPAIGN_IDS": "2001",
}
SECRETS = ("AAHsecretsecretsecretsecret", "secretkeysecretkey")
SETTINGS = (
    *REQUIRED,
    "STAFF_USER_IDS",
    "MARKET_BUSINESS_ID",
    "POLL_INTERVAL",
    "REMINDER_LEAD_TIMES",
    "CONFIRM_DECISIONS",
    "LANGUAGE",
    "TIMEZONE",
    "TELEGRAM_API_URL",
    "MARKET_API_URL",
    "TELEGRAM_GROUP_RATE",
    "LOG_LEVEL",
    "HTTP_PORT",
    "PORT",
    "HTTP_HOST",
    "NOTIFICATION_ALLOWED_NETWORKS",
    "TRUSTED_PROXIES",
    "HISTORY_DAYS",
    "DIGEST_AT",
    "DIGEST_TOPIC_ID",
    "CLAIMS",
    "ESCALATE_TO",
    "QUIET_HOURS",
    "STAFF_TOPIC_ID",
    "CAMPAIGN_TOPICS",
    "PIN_SUMMARY",
    "BUYER_CONTACT",
    "BACKUP_KEEP",
    "METRICS_ALLOWED_NETWORKS",
    "LOG_FORMAT",
    "OZON_API_URL",
    "OZON_REJECT_DELIVERED_COMMENT",
    "OZON_REJECT_IN_DELIVERY_COMMENT",
)
# what an owner mistypes, and what an attacker with a settings file tries
NASTY = [
    "",
    " ",
    ",",
    "-1",
    "0",
    "9" * 5000,
    "1e309",
    "nan",
    "∞",
    "٣",  # an Arabic-Indic digit: int() reads it, the Market would not
    "1\x00",
    "../../../../etc/passwd",
    "Europe/../../etc/passwd",
    "http://",
    "javascript:alert(1)",
    "300.1.1.1/99",
    "::/-1",
    "25:61-99:99",
    "1h,1h,,",
    "99999999999999999999d",
    "-1001234567890,",
    "true\nfalse",
]
SETTINGS_RUN = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _load(tmp_path: Path, name: str, value: str) -> None:
    try:
        load_settings({**REQUIRED, name: value}, tmp_path / "absent.env")
    except SettingsError as error:
        line = str(error)
        assert "\n" not in line and "\r" not in line, line
        assert line.split(":", 1)[0] in SETTINGS, line
        assert not any(secret in line for secret in SECRETS), line


@pytest.mark.parametrize("name", SETTINGS)
def test_a_nasty_value_is_accepted_or_one_line_naming_the_setting(
    tmp_path: Path, name: str
) -> None:
    for value in NASTY:
        _load(tmp_path, name, value)


@pytest.mark.parametrize("key", ["ключ-маркета", "key\u200b", "key\x7f"])
def test_a_key_no_http_header_can_carry_is_a_setting_error(tmp_path: Path, key: str) -> None:
    """It passed once, and the start then crashed on the first call to the Market."""
    with pytest.raises(SettingsError, match=r"^MARKET_API_KEY: .*not plain ASCII"):
        load_settings({**REQUIRED, "MARKET_API_KEY": key}, tmp_path / "absent.env")


@SETTINGS_RUN
@given(name=st.sampled_from(SETTINGS), value=st.text(max_size=60))
def test_any_text_in_any_setting_is_accepted_or_one_line(
    tmp_path: Path, name: str, value: str
) -> None:
    _load(tmp_path, name, value)
