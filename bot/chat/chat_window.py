"""One chat's budget: its share of TELEGRAM_GROUP_RATE, as its outbox spends it.

New posts are the one duty that waits for room: a backlog of them must never make an
edit staff wait for, a reminder or a report wait a window. While they wait, duties that
only use room to spare wait too.
"""

from __future__ import annotations

import time

from bot.chat.ratelimit import GroupRateLimiter
from bot.chat.staff_chat import StaffChat
from bot.signals import Activity

DECISION_SLOTS = 2  # the Confirm keyboard and the outcome edit


class ChatWindow:
    def __init__(
        self,
        chat: StaffChat,
        limiter: GroupRateLimiter | None,
        activity: Activity,
        window: float,
    ) -> None:
        self.chat, self.limiter, self.activity, self.window = chat, limiter, activity, window
        self.paused_until = 0.0  # time.monotonic(): new posts wait for room until then
        self.posts_wait = False  # new posts are due and wait for room now

    def wait_for_a_post(self) -> float:
        """Seconds until a new post may take a slot of the window (0: now).

        While staff are at work (a tap within the last window) two slots are kept for the
        edits that answer them (the Confirm keyboard, then the outcome), so a backlog of
        new posts never makes them wait a window.
        """
        wait = 0.0
        if self.limiter is not None:
            at_work = self.activity.staff_at_work(within=self.window)
            room = 1 + DECISION_SLOTS if at_work else 1
            wait = self.limiter.seconds_until_room(self.chat.id, room)
            self.paused_until = time.monotonic() + wait
        self.posts_wait = wait > 0
        return wait

    def no_post_waits(self) -> None:
        self.posts_wait = False

    @property
    def caught_up(self) -> bool:
        """Whether new posts need not wait for room (a wait once begun runs its course)."""
        return self.paused_until <= time.monotonic()
