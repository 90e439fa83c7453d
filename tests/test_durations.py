"""bot/durations.py: durations as staff write them in settings."""

from datetime import timedelta

import pytest

from bot.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("47h59m35s", timedelta(hours=47, minutes=59, seconds=35)),
        ("2d", timedelta(days=2)),
        ("90", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("  6H ", timedelta(hours=6)),
    ],
)
def test_parses_staff_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_fractional_unit_is_accepted() -> None:
    assert parse_duration("1.5h") == timedelta(hours=1, minutes=30)


@pytest.mark.parametrize(
    "text",
    ["soon", "1x", "h", "0", "0s", "-5m", "1h1h", "", "   ", "1h 30m", "m30", "1h30", "nan"],
)
def test_rejects_what_is_not_a_positive_duration(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_rejection_message_quotes_the_input() -> None:
    with pytest.raises(ValueError, match="soon"):
        parse_duration("soon")
