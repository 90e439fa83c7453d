"""The two date formats the Market API uses, read into aware datetimes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")


def parse_market_datetime(text: str) -> datetime:
    """ISO 8601 with an offset, or `DD-MM-YYYY HH:MM:SS` in Moscow time (legacy DTOs)."""
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(raw, "%d-%m-%Y %H:%M:%S")
        except ValueError:
            raise ValueError(f"unrecognised Market date-time {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=MOSCOW)


def parse_market_date(text: str) -> date:
    """`YYYY-MM-DD` (business DTOs) or `DD-MM-YYYY` (legacy DTOs)."""
    raw = text.strip()
    if len(raw) == 10 and raw[4] == "-":  # the common case, without strptime's cost
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    try:
        return datetime.strptime(raw, "%d-%m-%Y").date()
    except ValueError:
        raise ValueError(f"unrecognised Market date {text!r}") from None


def moscow_today(now: datetime) -> date:
    """The Market counts creation-date windows in Moscow days."""
    return now.astimezone(MOSCOW).date()
