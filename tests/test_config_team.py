"""bot/config.py: the team's settings (issue 12), their defaults and their refusals."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.domain.model import MOSCOW
from bot.team.quiet import in_span
from tests.test_config import REQUIRED


def load(tmp_path: Path, **overrides: str):
    return load_settings({**REQUIRED, **overrides}, tmp_path / "absent.env")


def test_off_by_default(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert (settings.claims, settings.escalate_to, settings.quiet_hours) == (False, (), None)


def test_values_are_read(tmp_path: Path) -> None:
    settings = load(tmp_path, CLAIMS="yes", ESCALATE_TO="5, 7,5", QUIET_HOURS="22:30-8:00")
    assert settings.claims is True
    assert settings.escalate_to == (5, 7)
    assert settings.quiet_hours == (time(22, 30), time(8, 0))
    assert load(tmp_path, QUIET_HOURS="off").quiet_hours is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CLAIMS", "maybe"),
        ("ESCALATE_TO", "@olga"),
        ("ESCALATE_TO", "-5"),
        ("QUIET_HOURS", "22:00"),
        ("QUIET_HOURS", "25:00-08:00"),
        ("QUIET_HOURS", "22:00-22:00"),
        ("QUIET_HOURS", "10pm-8am"),
    ],
)
def test_a_wrong_value_names_the_setting(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, **{name: value})
    assert raised.value.name == name and str(raised.value).startswith(f"{name}: ")


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(21, 59, False), (22, 0, True), (23, 59, True), (0, 0, True), (7, 59, True), (8, 0, False)],
)
def test_quiet_hours_wrap_past_midnight(hour: int, minute: int, quiet: bool) -> None:
    moment = datetime(2026, 7, 20, hour, minute, tzinfo=MOSCOW).astimezone(UTC)
    assert in_span(moment, (time(22), time(8)), MOSCOW) is quiet
    assert in_span(moment, (time(8), time(22)), MOSCOW) is not quiet


def test_topics(tmp_path: Path) -> None:
    settings = load(
        tmp_path, MARKET_CAMPAIGN_IDS="1001,1002", STAFF_TOPIC_ID="7", CAMPAIGN_TOPICS="1002:9"
    )
    assert (settings.topic_for(1001), settings.topic_for(1002)) == (7, 9)
    assert load(tmp_path).topic_for(1001) is None


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("CAMPAIGN_TOPICS", "1002:9", "campaign 1002 is not in MARKET_CAMPAIGN_IDS"),
        ("CAMPAIGN_TOPICS", "1001:x", "'1001:x' is not campaignId:topicId"),
        ("CAMPAIGN_TOPICS", "1001:9,1001:8", "campaign 1001 is given twice"),
        ("STAFF_TOPIC_ID", "general", "'general' is not a positive whole number"),
    ],
)
def test_wrong_topics_name_the_setting(tmp_path: Path, name: str, value: str, problem: str):
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, **{name: value})
    assert str(raised.value) == f"{name}: {problem}"


def test_summary_and_buyer_contact(tmp_path: Path) -> None:
    assert (load(tmp_path).pin_summary, load(tmp_path).buyer_contact) == (False, False)
    settings = load(tmp_path, PIN_SUMMARY="true", BUYER_CONTACT="true", STAFF_USER_IDS="5")
    assert (settings.pin_summary, settings.buyer_contact) == (True, True)


def test_buyer_contact_without_a_staff_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, BUYER_CONTACT="true")
    assert str(raised.value) == (
        "BUYER_CONTACT: needs STAFF_USER_IDS, or every group member could read buyers' phones"
    )
