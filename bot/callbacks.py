"""Callback data: a short key, never a payload (Telegram allows 1-64 bytes).

`d:<request>:<decision>` is a first tap, `c:<request>:<decision>` confirms it and
`b:<request>` goes back. Anything else is refused by `parse_callback`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.decisions import Decision


class Tap(Enum):
    CHOOSE = "d"
    CONFIRM = "c"
    BACK = "b"


@dataclass(frozen=True)
class Callback:
    tap: Tap
    request_id: int
    decision: Decision | None

    def encode(self) -> str:
        if self.decision is None:
            return f"{self.tap.value}:{self.request_id}"
        return f"{self.tap.value}:{self.request_id}:{self.decision.value}"


_ID = r"([1-9][0-9]{0,18})"
_PATTERN = re.compile(rf"([dc]):{_ID}:([adc])|b:{_ID}")
_MAX_ID = 2**63 - 1  # SQLite's largest row id


def parse_callback(data: str | None) -> Callback | None:
    """The callback, or None for anything malformed or unknown."""
    match = _PATTERN.fullmatch(data or "")
    if match is None:
        return None
    if match.group(4):
        request_id, tap, decision = int(match.group(4)), Tap.BACK, None
    else:
        request_id, tap = int(match.group(2)), Tap(match.group(1))
        decision = Decision(match.group(3))
    return Callback(tap, request_id, decision) if request_id <= _MAX_ID else None
