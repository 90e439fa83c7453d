"""One command at a time per person and chat, and none within COMMAND_COOLDOWN of the last.

A repeated command is ignored rather than answered: an answer would cost a message of the
staff chat's budget, which is what a flood of commands must not be able to spend.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

FORGET_AFTER = 1024  # people remembered before those past their cooldown are forgotten


class Cooldown:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last: dict[tuple[int, int], float] = {}  # (chat, user): time.monotonic()
        self._answering: set[tuple[int, int]] = set()

    @contextmanager
    def turn(self, chat_id: int, user_id: int) -> Iterator[bool]:
        """True while this person's command may be answered; False: ignore it."""
        key, now = (chat_id, user_id), time.monotonic()
        if self.seconds <= 0:
            yield True
            return
        if key in self._answering or now - self._last.get(key, float("-inf")) < self.seconds:
            yield False
            return
        if len(self._last) >= FORGET_AFTER:
            self._forget(now)
        self._last[key] = now
        self._answering.add(key)
        try:
            yield True
        finally:
            self._answering.discard(key)

    def _forget(self, now: float) -> None:
        self._last = {key: at for key, at in self._last.items() if now - at < self.seconds}
