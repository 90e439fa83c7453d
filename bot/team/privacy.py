"""The buyers' contacts the desk has shown, so that no log line can carry them.

Loggers known to dump call parameters are held above DEBUG (bot.ops.logs); this is the safety
net for every other path (an exception's text, a library's error line): the exact name and
phone a 📞 pop-up handed to Telegram are redacted like secrets. Matching what was shown,
not anything that looks like a phone, leaves order ids and amounts alone. Only the last
`LIMIT` contacts are kept, in memory only; a line written later is unlikely to name one.
"""

from __future__ import annotations

import re
from collections import OrderedDict

LIMIT = 200  # contacts remembered; taps are few, and a leak would follow its tap closely
PART_MIN = 3  # shorter words ("Ян", "Ли") would cut into other words of a line
PHONE_DIGITS = 10  # the national number: "+7 916…", "8916…" and "916…" all contain it
PHONE_MIN_DIGITS = 7  # fewer is no phone, and would match in ids and amounts
REDACTED = "***"
_SEPARATORS = r"[\s()+.\-]{0,3}"  # "+7 (916) 123-45-67", "916.123.45.67"


def _patterns(name: str, phone: str | None) -> list[str]:
    """The name whole and word by word, the phone as sent and in any spacing."""
    words = [name.strip(), *name.split()]
    found = [rf"(?<!\w){re.escape(word)}(?!\w)" for word in words if len(word) >= PART_MIN]
    if phone:
        found.append(re.escape(phone))
    digits = re.sub(r"\D", "", phone or "")[-PHONE_DIGITS:]
    if len(digits) >= PHONE_MIN_DIGITS:
        found.append(_SEPARATORS.join(digits))
    return found


class ShownContacts:
    """A bounded registry of shown contacts and one pattern matching any of them."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._shown: OrderedDict[tuple[str, str | None], list[str]] = OrderedDict()
        self._pattern: re.Pattern[str] | None = None

    def remember(self, name: str, phone: str | None) -> None:
        """Call before the contact leaves the process: its own log lines are then covered."""
        key = (name, phone)
        self._shown[key] = _patterns(name, phone)
        self._shown.move_to_end(key)
        while len(self._shown) > self.limit:
            self._shown.popitem(last=False)
        every = sorted({p for patterns in self._shown.values() for p in patterns}, key=len)
        self._pattern = re.compile("|".join(reversed(every))) if every else None

    def redact(self, text: str) -> str:
        pattern = self._pattern  # one read: remember() may swap it meanwhile
        return pattern.sub(REDACTED, text) if pattern else text


SHOWN = ShownContacts()  # one per process, like the logging it feeds
