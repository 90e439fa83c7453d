"""python-telegram-bot's AIORateLimiter with sliding windows: one per group, one for the bot.

aiolimiter's leaky bucket lets a full burst through and then one message per
window/N, so a chat limited to N messages in any window of W seconds would answer 429 to
the message after the burst; bot-wide, under steady load from many chats, it let about 59
messages through in one second against Telegram's 30. The windows here count a message
from when Telegram answered it, so no window Telegram can measure ever holds more than N.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.config import GroupRate
from bot.ops import metrics
from bot.signals import Backlog, Wire

OVERALL_PER_SECOND = 30  # Telegram's documented bot-wide limit
OVERALL_PERIOD = 1.0

_REPLYING: ContextVar[bool] = ContextVar("replying", default=False)


class ReplyDropped(Exception):
    """A reply to a command that was still waiting for the outbox when the desk stopped."""


def stop_replies(bot: Bot) -> None:
    """The desk stops: replies waiting for the outbox give up (PTB's stop waits for them)."""
    limiter = bot.rate_limiter
    if isinstance(limiter, GroupRateLimiter):
        limiter.close_backlogs()


@contextlib.contextmanager
def replying() -> Iterator[None]:
    """What is sent within answers a command: in a group, it goes after the outbox's work.

    A context variable rather than an argument, so no reply a command sends can forget it.
    """
    token = _REPLYING.set(True)
    try:
        yield
    finally:
        _REPLYING.reset(token)


class SlidingWindow:
    """At most `max_rate` uses in any `time_period` seconds; an async context manager."""

    def __init__(self, max_rate: int, time_period: float) -> None:
        self.max_rate, self.time_period = max_rate, time_period
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._lock = asyncio.Lock()

    def _expire(self, now: float) -> None:
        while self._done and self._done[0] <= now - self.time_period:
            self._done.popleft()

    def has_capacity(self, amount: float = 1) -> bool:
        self._expire(time.monotonic())
        return len(self._done) + self._in_flight + amount <= self.max_rate

    def seconds_until_room(self, room: int) -> float:
        """How long until `room` messages could go at once (0: now)."""
        now = time.monotonic()
        self._expire(now)
        excess = len(self._done) + self._in_flight + min(room, self.max_rate) - self.max_rate
        if excess <= 0:
            return 0.0
        if excess > len(self._done):  # waiting on messages still in flight
            return 0.05
        return max(0.0, self._done[excess - 1] + self.time_period - now)

    async def __aenter__(self) -> None:
        async with self._lock:  # first come, first served
            while True:
                now = time.monotonic()
                self._expire(now)
                if len(self._done) + self._in_flight < self.max_rate:
                    self._in_flight += 1
                    return
                if self._done:
                    await asyncio.sleep(self._done[0] + self.time_period - now)
                else:  # every slot is in flight: wait for one to finish
                    await asyncio.sleep(0.01)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._in_flight -= 1
        self._done.append(time.monotonic())


class GroupRateLimiter(AIORateLimiter):
    """AIORateLimiter whose per-group limiter is a sliding window of `TELEGRAM_GROUP_RATE`,
    and whose bot-wide one is a sliding window of OVERALL_PER_SECOND a second.

    The bot-wide window holds every call that names a chat, as AIORateLimiter's did; it is
    taken inside the group's, so a chat waiting for its own window holds no bot-wide slot.

    Replies to commands yield to the chat's outbox (its `Backlog`): posts, reminders and
    the edits a decision makes take the group's slots first. A chat without an outbox (a
    private chat, a group no cabinet posts to) has no backlog to wait for.
    """

    def __init__(self, rate: GroupRate, max_retries: int = 3):
        window = rate.window.total_seconds()
        super().__init__(
            overall_max_rate=0,  # off: the sliding `overall` window below replaces it
            overall_time_period=0,
            group_max_rate=rate.messages,
            group_time_period=window,
            max_retries=max_retries,
        )
        self._windows: dict[str | int | bool, SlidingWindow] = {}
        self.overall = SlidingWindow(OVERALL_PER_SECOND, OVERALL_PERIOD)
        self._rate = rate
        self.wire = Wire()
        self._backlogs: dict[int, Backlog] = {}

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Every request's turn as before (a reply's after the outbox's), then a slot of
        the bot-wide window if it names a chat; once both come, it is on the `wire`."""
        chat_id = data.get("chat_id")
        if _REPLYING.get() and isinstance(chat_id, int):
            await self.after_the_outbox(chat_id)
        overall = self.overall if chat_id is not None else contextlib.nullcontext()
        attempts = 0

        async def on_the_wire(*call_args: Any, **call_kwargs: Any) -> Any:
            nonlocal attempts
            async with overall:
                await self.wire.admit()
                attempts += 1
                if attempts > 1:
                    metrics.TELEGRAM_RETRIES.inc()
                with self.wire.sending():
                    try:
                        return await callback(*call_args, **call_kwargs)
                    except RetryAfter:
                        metrics.TELEGRAM_429.inc()
                        raise

        return await super().process_request(
            on_the_wire, args, kwargs, endpoint, data, rate_limit_args
        )

    async def after_the_outbox(self, chat_id: int) -> None:
        """Return once the outbox has nothing due and the chat's window has a slot.

        A private chat shares no window with the outbox. Raises ReplyDropped if the desk
        stops first.
        """
        backlog = self._backlogs.get(chat_id)
        if backlog is None or chat_id >= 0:
            return
        while True:
            if not await backlog.drained():
                raise ReplyDropped
            wait = self.seconds_until_room(chat_id, 1)
            if wait == 0:  # taken at once: nothing runs between this and the window
                return
            await backlog.pause(wait)

    def backlog_for(self, chat_id: int) -> Backlog:
        """The backlog of the outbox of `chat_id`, which replies in that chat wait for."""
        return self._backlogs.setdefault(chat_id, Backlog())

    def forget_backlog(self, chat_id: int) -> None:
        """A chat the desk serves no more (a reload): replies waiting there go on."""
        backlog = self._backlogs.pop(chat_id, None)
        if backlog is not None:
            backlog.emptied()

    def close_backlogs(self) -> None:
        for backlog in self._backlogs.values():
            backlog.close()

    def seconds_until_room(self, chat_id: int, room: int) -> float:
        """How long until `room` messages could go to this chat at once (0: now)."""
        return self._get_group_limiter(chat_id).seconds_until_room(room)

    def _get_group_limiter(self, group_id: str | int | bool) -> SlidingWindow:  # type: ignore[override]
        if group_id not in self._windows:
            self._windows[group_id] = SlidingWindow(
                self._rate.messages, self._rate.window.total_seconds()
            )
        return self._windows[group_id]
