"""What the desk's loops tell each other without going through the database."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.config import SettingsError


class Backlog:
    """Whether the outbox has work due. Replies to commands wait until it has none, so a
    flood of commands never takes a slot of the staff chat a post, reminder or edit needs.

    It starts with work due: until the publisher has looked, the database may hold some.
    """

    def __init__(self) -> None:
        self._empty = asyncio.Event()
        self._closed = asyncio.Event()

    def filled(self) -> None:
        self._empty.clear()

    def emptied(self) -> None:
        self._empty.set()

    def close(self) -> None:
        """The desk stops: replies stop waiting (a stop must not wait for the outbox)."""
        self._closed.set()
        self._empty.set()

    async def drained(self) -> bool:
        """True once the outbox has nothing due; False if the desk stops first."""
        await self._empty.wait()
        return not self._closed.is_set()

    async def pause(self, seconds: float) -> None:
        """Sleep `seconds`, cut short by a stop."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._closed.wait()


class Wakeup:
    """Rings the publisher: something new is stored and waits to be shown.

    The desk's bell rings every chat's outbox (`for_chat`): a poll or a decision cannot
    tell which chat shows the change, and an outbox with nothing to do only looks.
    """

    def __init__(self, backlog: Backlog | None = None) -> None:
        self._event = asyncio.Event()
        self.backlog = backlog or Backlog()
        self._chats: list[Wakeup] = []

    def for_chat(self, backlog: Backlog) -> Wakeup:
        """One chat outbox's own wake-up, rung by this bell too."""
        chat = Wakeup(backlog)
        self._chats.append(chat)
        return chat

    def forget(self, chat: Wakeup) -> None:
        """A chat no cabinet posts to any more."""
        self._chats.remove(chat)

    def ring(self) -> None:
        self.backlog.filled()
        self._event.set()
        for chat in self._chats:
            chat.ring()

    async def wait(self, timeout: float, *, idle: bool = False) -> None:
        """Until rung, or `timeout` seconds; `idle`: nothing is due before then.

        Not `asyncio.wait_for`: on Python 3.11 it returns normally when the wait ends in the
        same turn as a cancel arrives, so a stop could be swallowed and the loop run on.
        """
        if idle:
            self.backlog.emptied()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(timeout, 0.0)):
                await self._event.wait()
        self._event.clear()
        self.backlog.filled()  # awake: the publisher looks for work again


@dataclass
class Activity:
    """Whether Telegram answers (for /healthz) and when staff last tapped (for the publisher)."""

    telegram_ok: bool | None = None  # None until Telegram has been asked something
    last_tap: float = field(default=float("-inf"))  # time.monotonic()

    def tapped(self) -> None:
        self.last_tap = time.monotonic()

    def staff_at_work(self, within: float) -> bool:
        return time.monotonic() - self.last_tap < within


class Wire:
    """Telegram requests sent and not yet answered, so a clean stop can wait for them.

    The Bot API has no idempotency key: a post whose answer is lost cannot be found again,
    and the next start would post it twice. A stop therefore closes the wire (a request
    that has not left yet stays parked until its task is cancelled) and waits for the
    answers of those already sent, which the sender records before it next yields.
    """

    def __init__(self) -> None:
        self._sending = 0
        self._closed = False
        self._idle = asyncio.Event()
        self._idle.set()

    async def admit(self) -> None:
        """Return when a request may leave; once closed, never (until cancelled)."""
        if self._closed:
            await asyncio.get_running_loop().create_future()

    @contextlib.contextmanager
    def sending(self) -> Iterator[None]:
        self._sending += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._sending -= 1
            if not self._sending:
                self._idle.set()

    def close(self) -> None:
        self._closed = True

    async def drained(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every answer; False if some are still out."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        return not self._sending


class Shutdown:
    """The desk is asked to stop: by SIGTERM/SIGINT (exit 0), or because a service refused
    a setting at start (a token, a key: exit 2, the refusal its one line)."""

    def __init__(self) -> None:
        self._asked = asyncio.Event()
        self.refusal: SettingsError | None = None

    def listen(self) -> None:
        """Take SIGTERM and SIGINT over from the handler that stops a desk not yet started."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request)

    def request(self, refusal: SettingsError | None = None) -> None:
        if self.refusal is None:
            self.refusal = refusal
        self._asked.set()

    @property
    def asked(self) -> bool:
        return self._asked.is_set()

    async def wait(self) -> None:
        await self._asked.wait()
