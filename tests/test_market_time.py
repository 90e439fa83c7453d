"""bot/domain/market_time.py: the Market's two date formats, read into aware datetimes."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.domain.market_time import parse_market_date, parse_market_datetime
from bot.domain.model import moscow_today


def test_iso_with_offset() -> None:
    moment = parse_market_datetime("2026-07-20T14:30:30+03:00")
    assert moment == datetime(2026, 7, 20, 11, 30, 30, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=3)


def test_iso_with_z() -> None:
    moment = parse_market_datetime("2026-07-20T11:30:30Z")
    assert moment == datetime(2026, 7, 20, 11, 30, 30, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)


def test_iso_with_other_offset() -> None:
    moment = parse_market_datetime("2026-07-20T16:30:30+05:00")
    assert moment == datetime(2026, 7, 20, 11, 30, 30, tzinfo=UTC)


def test_legacy_format_is_moscow_time() -> None:
    moment = parse_market_datetime("20-07-2026 14:30:30")
    assert moment.tzinfo is not None
    assert moment == datetime(2026, 7, 20, 11, 30, 30, tzinfo=UTC)


def test_legacy_format_across_utc_midnight() -> None:
    moment = parse_market_datetime("01-01-2026 01:15:00")
    assert moment.astimezone(UTC) == datetime(2025, 12, 31, 22, 15, tzinfo=UTC)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_market_datetime(" 2026-07-20T11:30:30Z\n") == datetime(
        2026, 7, 20, 11, 30, 30, tzinfo=UTC
    )


def test_datetime_is_always_aware() -> None:
    moment = parse_market_datetime("2026-07-20T14:30:30")
    assert moment.utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "2026-13-01T00:00:00+03:00", "32-01-2026 10:00:00", "20.07.2026 10:00"],
)
def test_garbage_datetime_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_market_datetime(text)


@pytest.mark.parametrize("text", ["2026-07-20", "20-07-2026", " 2026-07-20 "])
def test_dates_in_both_formats(text: str) -> None:
    assert parse_market_date(text) == date(2026, 7, 20)


@pytest.mark.parametrize("text", ["", "tomorrow", "2026-02-30", "20/07/2026", "07-20-2026"])
def test_garbage_date_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_market_date(text)


def test_moscow_today_before_and_after_moscow_midnight() -> None:
    assert moscow_today(datetime(2026, 7, 20, 20, 59, tzinfo=UTC)) == date(2026, 7, 20)
    assert moscow_today(datetime(2026, 7, 20, 21, 0, tzinfo=UTC)) == date(2026, 7, 21)


def test_moscow_today_across_utc_midnight() -> None:
    # 23:30 UTC is already 02:30 the next day in Moscow; 00:30 UTC is the same Moscow day
    assert moscow_today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert moscow_today(datetime(2027, 1, 1, 0, 30, tzinfo=UTC)) == date(2027, 1, 1)


def test_moscow_today_from_another_zone() -> None:
    vladivostok = timezone(timedelta(hours=10))
    assert moscow_today(datetime(2026, 7, 21, 5, 0, tzinfo=vladivostok)) == date(2026, 7, 20)
