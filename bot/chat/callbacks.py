"""Callback data: a short key, never a payload (Telegram allows 1-64 bytes).

`pick:<request>:<decision>` is a first tap, `sure:<request>:<decision>` confirms it,
`back:<request>` goes back, `mine:<request>` claims or releases the request and
`call:<request>` asks for the buyer's contact; decisions
are `accept`, `delivered`, `courier`. Posts stay actionable for 48 hours and more, so the
one-letter form of earlier versions
(`d:`/`c:`/`b:` with `a`/`d`/`c`) is still read. Anything else is refused. These words and
letters are the callback data's own: the rest of the desk knows only `Decision`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.domain.model import Decision


class Tap(Enum):
    CHOOSE = "pick"
    CONFIRM = "sure"
    BACK = "back"
    CLAIM = "mine"
    CONTACT = "call"


DECISION_CODES = {
    Decision.ACCEPT: "accept",
    Decision.REJECT_DELIVERED: "delivered",
    Decision.REJECT_IN_DELIVERY: "courier",
}
_BY_CODE = {code: decision for decision, code in DECISION_CODES.items()}
_LEGACY_TAPS = {"d": Tap.CHOOSE, "c": Tap.CONFIRM, "b": Tap.BACK}
_LEGACY_CODES = {
    "a": Decision.ACCEPT,
    "d": Decision.REJECT_DELIVERED,
    "c": Decision.REJECT_IN_DELIVERY,
}


@dataclass(frozen=True)
class Callback:
    tap: Tap
    request_id: int
    decision: Decision | None

    def encode(self) -> str:
        if self.decision is None:
            return f"{self.tap.value}:{self.request_id}"
        return f"{self.tap.value}:{self.request_id}:{DECISION_CODES[self.decision]}"


_ID = r"([1-9][0-9]{0,18})"
_PATTERN = re.compile(rf"(pick|sure):{_ID}:(accept|delivered|courier)|(back|mine|call):{_ID}")
_LEGACY = re.compile(rf"([dc]):{_ID}:([adc])|b:{_ID}")
_MAX_ID = 2**63 - 1  # SQLite's largest row id


def parse_callback(data: str | None) -> Callback | None:
    """The callback, or None for anything malformed or unknown."""
    callback = _parse(data or "")
    return callback if callback is not None and callback.request_id <= _MAX_ID else None


def _parse(data: str) -> Callback | None:
    if match := _PATTERN.fullmatch(data):
        if match.group(4):
            return Callback(Tap(match.group(4)), int(match.group(5)), None)
        return Callback(Tap(match.group(1)), int(match.group(2)), _BY_CODE[match.group(3)])
    if match := _LEGACY.fullmatch(data):
        if match.group(4):
            return Callback(Tap.BACK, int(match.group(4)), None)
        tap = _LEGACY_TAPS[match.group(1)]
        return Callback(tap, int(match.group(2)), _LEGACY_CODES[match.group(3)])
    return None
