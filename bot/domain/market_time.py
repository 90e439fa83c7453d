"""The two date formats the Market API uses, read into aware datetimes."""

import re
from datetime import UTC, date, datetime, timedelta

from bot.domain.model import MOSCOW

# RFC 3339 lets the separator and the zone letter be lowercase and allows a leap second,
# none of which `datetime.fromisoformat` reads.
_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}):(?P<second>\d{2})"
    r"(?P<fraction>\.\d+)?(?P<zone>[Zz]|[+-]\d{2}:\d{2})"
)
# Far enough from datetime's own limits that deadline and window arithmetic cannot overflow.
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def parse_market_datetime(text: str) -> datetime:
    """RFC 3339 / ISO 8601 with an offset, or `DD-MM-YYYY HH:MM:SS` in Moscow time (legacy).

    Raises ValueError for anything else, and for moments so far from now that arithmetic
    on them could overflow (years before 1900 or after 2200).
    """
    raw = text.strip()
    try:
        moment = _from_iso(raw)
    except ValueError:
        try:
            moment = datetime.strptime(raw, "%d-%m-%Y %H:%M:%S")
        except ValueError:
            raise ValueError(f"unrecognised Market date-time {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=MOSCOW)
    try:
        in_range = _EARLIEST <= moment < _LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError(f"Market date-time out of range {text!r}")
    return moment


def _from_iso(raw: str) -> datetime:
    match = _RFC3339.fullmatch(raw)
    if match is None:
        return datetime.fromisoformat(raw)
    zone = "+00:00" if match["zone"] in "Zz" else match["zone"]
    second, leap = match["second"], match["second"] == "60"
    fraction = (match["fraction"] or "")[:7]  # microseconds are all datetime keeps
    moment = datetime.fromisoformat(
        f"{match['date']}T{match['time']}:{'59' if leap else second}{fraction}{zone}"
    )
    return moment + timedelta(seconds=1) if leap else moment


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
