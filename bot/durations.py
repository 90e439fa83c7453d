"""Durations as staff write them: `1h30m`, `47h59m35s`, `2d`, `90` (seconds)."""

import re
from datetime import timedelta

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([dhms])")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_LONGEST = 365 * 86400  # nothing the desk times is longer than a year


def parse_duration(text: str) -> timedelta:
    """Parse `1h30m`-style text; a bare number means seconds. Raises ValueError."""
    raw = text.strip().lower()
    if not raw:
        raise ValueError("empty duration")
    if _NUMBER.fullmatch(raw):
        seconds = float(raw)
    else:
        pos, seconds, seen = 0, 0.0, set()
        for match in _PART.finditer(raw):
            if match.start() != pos or match.group(2) in seen:
                break
            seen.add(match.group(2))
            seconds += float(match.group(1)) * _UNITS[match.group(2)]
            pos = match.end()
        if pos != len(raw) or not seen:
            raise ValueError(f"{text!r} is not a duration like 1h30m (units d, h, m, s)") from None
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    if seconds > _LONGEST:
        raise ValueError(f"{text!r} is longer than a year")
    return timedelta(seconds=seconds)
