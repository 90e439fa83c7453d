"""Flood control of the fake Bot API: a limit per chat and one for the whole bot.

Telegram's FAQ asks a bot to stay under about 20 messages a minute in one group and about
30 messages a second over all chats (DESIGN.md, "Flood limits are real"). Over either, the
real Bot API answers 429 "Too Many Requests: retry after N" with
``parameters.retry_after`` (the Bot API's ResponseParameters: "the number of seconds left
to wait before the request can be repeated"). Sends, edits and pins count alike
(`RATE_LIMITED_METHODS`), each when it is accepted; a refused call does not count.

Both limits are sliding windows: no window of ``window`` seconds may hold more than
``max_messages`` accepted messages. The per-chat limit is off unless a test sets it; the
bot-wide one is on at 30 a second, which tests sending a few messages never meet. Every
accepted message is remembered, so a test or the benchmark can read the busiest second of
the bot and the busiest minute of each chat, limits or not.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from tests.fakes.telegram.errors import ApiError

__all__ = ["BOT_LIMIT", "RATE_LIMITED_METHODS", "FloodControl", "Limit"]

Limit = tuple[int, float]
"""(max_messages, window in seconds)."""

BOT_LIMIT: Limit = (30, 1.0)

# A pin posts a service message, so it is counted like one (an assumption on the safe side).
RATE_LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "pinChatMessage",
        "sendDocument",
        "sendPhoto",
    }
)


def _busiest(times: list[float], window: float) -> int:
    """The most messages in any window of `window` seconds (times sorted)."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def _refusal(times: list[float], since: float, limit: Limit, now: float) -> ApiError | None:
    """The 429 a message sent `now` gets, if the window already holds the limit."""
    max_messages, window = limit
    start = bisect_right(times, max(now - window, since))
    held = len(times) - start
    if held < max_messages:
        return None
    frees_at = times[len(times) - max_messages] + window  # the oldest that must expire
    retry_after = max(1, math.ceil(frees_at - now))
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


class FloodControl:
    """The limits and the accepted messages' times; the caller holds the fake's lock."""

    def __init__(self, bot_limit: Limit | None = BOT_LIMIT) -> None:
        self.bot_limit = bot_limit
        self.chat_limits: dict[int | None, Limit] = {}  # None: every chat without its own
        self._times: list[float] = []  # every accepted message, time.monotonic(), sorted
        self._chat_times: dict[int, list[float]] = {}
        self._since = 0.0  # messages before the last clear() no longer count against limits

    def clear(self) -> None:
        """No limit at all, and a fresh start for limits set afterwards."""
        self.bot_limit = None
        self.chat_limits.clear()
        self._since = self._times[-1] if self._times else 0.0

    def check(self, method: str, chat_id: int, now: float) -> None:
        """Raise the 429 a message to `chat_id` would get now, the chat's limit first."""
        if method not in RATE_LIMITED_METHODS:
            return
        chat_limit = self.chat_limits.get(chat_id, self.chat_limits.get(None))
        if chat_limit is not None:
            refusal = _refusal(self._chat_times.get(chat_id, []), self._since, chat_limit, now)
            if refusal is not None:
                raise refusal
        if self.bot_limit is not None:
            refusal = _refusal(self._times, self._since, self.bot_limit, now)
            if refusal is not None:
                raise refusal

    def count(self, method: str, chat_id: int, now: float) -> None:
        if method in RATE_LIMITED_METHODS:
            self._times.append(now)
            self._chat_times.setdefault(chat_id, []).append(now)

    def peak(self, window: float, chat_id: int | None = None) -> int:
        """The most messages accepted in any `window` seconds, of one chat or of the bot."""
        times = self._times if chat_id is None else self._chat_times.get(chat_id, [])
        return _busiest(times, window)

    def peaks(self, window: float) -> dict[int, int]:
        """`peak` of every chat the bot has sent to."""
        return {chat_id: _busiest(times, window) for chat_id, times in self._chat_times.items()}
