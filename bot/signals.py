"""What the desk's loops tell each other without going through the database."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field


class Wakeup:
    """Rings the publisher: something new is stored and waits to be shown."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        """Until rung, or `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=max(timeout, 0.0))
        self._event.clear()


@dataclass
class Activity:
    """Whether Telegram answers (for /healthz) and when staff last tapped (for the publisher)."""

    telegram_ok: bool | None = None  # None until Telegram has been asked something
    last_tap: float = field(default=float("-inf"))  # time.monotonic()

    def tapped(self) -> None:
        self.last_tap = time.monotonic()

    def staff_at_work(self, within: float) -> bool:
        return time.monotonic() - self.last_tap < within
