"""One chat's outbox: a small scheduler over duties, each a kind of message the desk owes.

A duty answers two questions: when its next step is due (`due_in`) and take that step.
The outbox walks its duties in their order of priority, given once by whoever builds it,
and takes the first step that is due; then it walks again. State changes are stored
before they are shown, so a Telegram outage or a restart only delays what staff see.
Each chat has its own outbox and its own window (`ChatWindow`): nothing here assumes
there is only one.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from typing import Protocol

from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.backoff import Backoff
from bot.chat.chat_window import ChatWindow
from bot.chat.refusals import wait_asked
from bot.ops.storage_trouble import StorageTrouble
from bot.signals import Activity, Wakeup

log = logging.getLogger(__name__)

IDLE_CHECK = 30.0  # seconds; also bounds how late a reminder can be after a clock jump
LOOK_AGAIN = 0.05  # seconds: the shortest wait between rounds


class Duty(Protocol):
    """One kind of message an outbox owes its chat."""

    #: A step writes to the database: none is taken while it takes no writes.
    records: bool
    #: Sends only with room to spare: none is taken while new posts wait for room.
    spare: bool

    def due_in(self) -> float | None:
        """Seconds until the next step is due (0: now); None when there is nothing to do."""
        ...

    async def step(self) -> bool:
        """Take one step; False when nothing turned out to need doing."""
        ...


class Reach(Protocol):
    """Told whether the chat takes the outbox's messages (`bot.chat.reach`)."""

    def refused(self, error: Forbidden) -> None: ...

    def reached(self) -> None: ...


class Outbox:
    """Sends one thing at a time, the first due duty in the order of priority."""

    def __init__(
        self,
        duties: Sequence[Duty],
        window: ChatWindow,
        *,
        storage: StorageTrouble,
        wakeup: Wakeup,
        activity: Activity,
        reach: Reach | None = None,
    ) -> None:
        self.duties, self.window, self.reach = tuple(duties), window, reach
        self.storage, self.wakeup, self.activity = storage, wakeup, activity
        self.backoff = Backoff(initial=1.0, cap=60.0)
        self.retired = False

    def retire(self) -> None:
        """End `run` after the step in hand (a reload rebuilds this chat's outbox): a loop
        cancelled mid-send could leave a post in the chat unrecorded, to be sent twice."""
        self.retired = True
        self.wakeup.ring()

    def _open(self, duty: Duty) -> bool:
        """Whether `duty` may take a step in this round (its turn in the order aside)."""
        return not (duty.spare and self.window.posts_wait)

    async def publish_next(self) -> bool:
        """Send the most urgent thing; False when there is nothing to do."""
        for duty in self.duties:
            if duty.records and self.storage.broken:  # nothing that must be recorded goes out
                return False
            if self._open(duty) and duty.due_in() == 0.0 and await duty.step():
                return True
        return False

    def next_due(self) -> float:
        """Seconds until the first duty that may step is due, within [LOOK_AGAIN, IDLE_CHECK]."""
        due = [d for duty in self.duties if self._open(duty) and (d := duty.due_in()) is not None]
        return min(IDLE_CHECK, max(LOOK_AGAIN, min(due, default=IDLE_CHECK)))

    async def _idle(self) -> None:
        """Wait for a ring, or until the next duty is due.

        Every change that gives an outbox work rings it (a poll's or a notification's news,
        a tap, a decision, the database failing or mending), so an idle outbox asks the
        database nothing: a desk with 200 chats must not re-read it 20 times a second for
        each. Only while new posts need not wait for room do command replies, which wait for
        the outbox (`Backlog`), have a turn.
        """
        caught_up = self.window.caught_up
        await self.wakeup.wait(self.next_due(), idle=caught_up)

    async def run(self) -> None:
        while not self.retired:
            try:
                worked = await self.publish_next()
            except asyncio.CancelledError:
                raise
            except RetryAfter as error:
                delay = wait_asked(error)
                log.warning("Telegram asks to wait %.0fs before sending more", delay)
                await asyncio.sleep(delay)
                continue
            except sqlite3.OperationalError as error:  # a full disk, a read-only file
                self.storage.failed(error)
                await asyncio.sleep(self.backoff.next())
                continue
            except (Forbidden, NetworkError) as error:
                if isinstance(error, Forbidden) and self.reach is not None:
                    self.reach.refused(error)  # removed from the chat: its cabinets' trouble
                self.activity.telegram_ok = False
                delay = self.backoff.next()
                log.warning("Telegram unavailable (%s); retrying in %.0fs", error, delay)
                await asyncio.sleep(delay)
                continue
            except Exception:  # a bug must not silence the desk: log it and go on
                delay = self.backoff.next()
                log.exception("Publishing failed unexpectedly; retrying in %.0fs", delay)
                await asyncio.sleep(delay)
                continue
            self.backoff.reset()
            if worked:  # Telegram answered (idle rounds ask it nothing)
                self.activity.telegram_ok = True
                if self.reach is not None:
                    self.reach.reached()
            else:
                await self._idle()
