"""The staff chat's outbox: its duties in their one order of priority, and the main one,
posting new requests.

Edits staff wait for go first, then reports and topic notices, then new posts by nearest
deadline as the chat's window has room, then reminders; a list of requests that closed
unseen, the pinned summary and the probe for deleted posts only use room to spare.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from functools import partial

from telegram import Bot

from bot.chat.chat_window import ChatWindow
from bot.chat.duties_notices import ProblemReports, StorageNotice, TopicNotices, UnseenLists
from bot.chat.duties_posts import PostEdits, Posting, PostProbe
from bot.chat.duties_reminders import Reminders
from bot.chat.outbox import Duty, Outbox, Reach
from bot.chat.ratelimit import GroupRateLimiter
from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.domain.deadlines import crossed_lead_times
from bot.domain.model import Request
from bot.formatting import Style
from bot.market.shops import Shops
from bot.ops import metrics
from bot.ops.storage_trouble import StorageTrouble
from bot.signals import Activity, Wakeup
from bot.team.escalation import Escalation
from bot.team.summary import Summary
from bot.team.topics import TopicRouter
from storage.store import Store

log = logging.getLogger(__name__)


class Unrecorded:
    """Posts in the chat whose storing failed: stored before anything else is sent, so a
    post is never sent twice."""

    records = True
    spare = False

    def __init__(self) -> None:
        self._writes: dict[int, Callable[[], None]] = {}  # by request id

    def keep(self, request_id: int, write: Callable[[], None]) -> None:
        self._writes[request_id] = write

    def due_in(self) -> float | None:
        return 0.0 if self._writes else None

    async def step(self) -> bool:
        for request_id, write in list(self._writes.items()):
            write()
            del self._writes[request_id]
            return True
        return False


class NewPosts:
    """Pending requests not yet in the chat, nearest deadline first, as the window has room."""

    records = True
    spare = False

    def __init__(self, posting: Posting, window: ChatWindow, unrecorded: Unrecorded) -> None:
        self.posting, self.window, self.unrecorded = posting, window, unrecorded

    def due_in(self) -> float | None:
        posts, now = self.posting.store.posts, self.posting.clock()
        if posts.unposted(now, limit=1):
            return self.window.wait_for_a_post()
        self.window.no_post_waits()
        retry = posts.next_retry()  # a refused post, tried again later
        return None if retry is None else max(0.0, (retry - now).total_seconds())

    async def step(self) -> bool:
        posting = self.posting
        for request in posting.store.posts.unposted(posting.clock(), limit=1):
            await posting.guard(request, self._post(request))
            return True
        return False

    async def _post(self, request: Request) -> None:
        posting, settings, now = self.posting, self.posting.settings, self.posting.clock()
        rendered = posting.render(request, now, await posting.post_escalation(request, now))
        if rendered is None:
            return
        message, thread = await posting.topics.send(
            settings.topic_for(request.campaign_id),
            text=rendered.text,
            reply_markup=rendered.keyboard,
            disable_notification=posting.silent(request, now),
        )
        shown = crossed_lead_times(request.deadline, settings.reminder_lead_times, now)
        stored = (request.id, message.chat_id, message.message_id, now, shown)
        record = partial(posting.store.save_post, *stored, rendered_from=request, thread_id=thread)
        try:
            record()
        except sqlite3.OperationalError:  # it is in the chat: store it, never post it again
            self.unrecorded.keep(request.id, record)
            raise
        finally:
            metrics.POSTS.inc()
        log.info(
            "Posted order %s (campaign %s), deadline %s%s",
            request.order_id,
            request.campaign_id,
            request.deadline.isoformat(timespec="seconds"),
            " (estimated)" if request.request_time.estimated else "",
        )


class Publisher(Outbox):
    """The outbox of one staff chat, with the chat's own window: one per chat."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        chat: StaffChat,
        shops: Shops,
        style: Style,
        settings: Settings,
        *,
        clock: Callable[[], datetime],
        wakeup: Wakeup,
        activity: Activity,
        limiter: GroupRateLimiter | None,
        storage: StorageTrouble | None = None,
        reach: Reach | None = None,
    ) -> None:
        storage = storage or StorageTrouble(quiet=settings.poll_interval.total_seconds())
        self.escalation = Escalation(bot, chat, settings.escalate_to, style.texts)
        topics = TopicRouter(bot, store, chat, style.texts, clock)
        posting = Posting(bot, store, chat, shops, style, settings, clock, topics, self.escalation)
        window = ChatWindow(
            chat, limiter, activity, settings.telegram_group_rate.window.total_seconds()
        )
        unrecorded = Unrecorded()
        summary = Summary(bot, store, chat, style, limiter, clock) if settings.pin_summary else None
        duties: list[Duty | None] = [  # the order of priority
            StorageNotice(posting, storage),  # told even while nothing else may go
            unrecorded,  # in the chat already: stored before anything else is sent
            PostEdits(posting),  # outcomes and choices staff wait for
            ProblemReports(posting),
            TopicNotices(posting),
            NewPosts(posting, window, unrecorded),  # nearest deadline first
            UnseenLists(posting),  # spare
            Reminders(posting),  # they go even while new posts wait for room
            summary,  # spare
            PostProbe(posting),  # spare
        ]
        chosen = [duty for duty in duties if duty is not None]
        super().__init__(
            chosen, window, storage=storage, wakeup=wakeup, activity=activity, reach=reach
        )

    async def run(self) -> None:
        await self.escalation.learn()
        await super().run()
