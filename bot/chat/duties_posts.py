"""The posts of requests once they are in the chat: edits that show a change, and probes
that find a deleted post; and `Posting`, what every duty of a chat's outbox sends with."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, NetworkError

from bot.chat.refusals import is_about_the_chat, is_gone
from bot.chat.render import Rendered, render_post
from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.domain.model import Problem, Request, Stage
from bot.domain.names import problem_ref
from bot.formatting import Style
from bot.market.shops import Shops
from bot.ops import metrics
from bot.team.escalation import Escalation, post_carries
from bot.team.quiet import silent
from bot.team.topics import TopicRouter
from storage.store import Store

log = logging.getLogger(__name__)

PROBE_AT_LEAST = 10.0  # seconds between checks that a pending post still exists


@dataclass
class Posting:
    """One chat's bot, store and words, and the rules of a request's post: how it is
    made, and what Telegram's refusals of it mean."""

    bot: Bot
    store: Store
    chat: StaffChat
    shops: Shops
    style: Style
    settings: Settings
    clock: Callable[[], datetime]
    topics: TopicRouter
    escalation: Escalation

    def render(self, request: Request, now: datetime, escalate: str = "") -> Rendered | None:
        """The post, or None when it cannot be made (noted, so it never blocks the rest)."""
        try:
            decision = self.store.decisions.last(request.id)
            shop = self.shops.name(request.campaign_id)
            return render_post(request, decision, shop, now, self.style, escalate)
        except Exception as error:  # a value no one foresaw must cost one request, not all
            log.exception("Could not render the post of order %s", request.order_id)
            self.skip(request, f"render: {error!r}")
            return None

    async def guard(self, request: Request, action: Awaitable[None]) -> None:
        """Handle the Telegram answers that concern one post, not the connection."""
        store = self.store
        try:
            await action
        except ChatMigrated as error:
            self.chat.follow(error.new_chat_id)
        except BadRequest as error:
            if "not modified" in error.message.lower() and request.post:
                store.mark_post_clean(request.id, request.post)
            elif is_gone(error):
                log.warning(
                    "The post of order %s is gone from the chat; %s",
                    request.order_id,
                    "posting it again" if request.pending else "nothing left to show",
                )
                store.forget_post(request.id)
            elif is_about_the_chat(error):  # nothing can be posted until it is fixed
                raise NetworkError(f"post refused: {error.message}") from error
            else:
                log.error("Telegram refused the post of order %s: %s", request.order_id, error)
                self.skip(request, error.message)

    def skip(self, request: Request, detail: str) -> None:
        """This request's post or edit cannot be shown: leave it for later, tell staff once."""
        store, now = self.store, self.clock()
        if request.post:  # an edit: give up on it, the post still stands
            store.mark_post_clean(request.id, request.post)
            store.note_problem(
                Problem(str(request.campaign_id), problem_ref(request.order), Stage.EDIT, detail),
                now,
            )
        else:  # a post: the next requests go first, this one is tried again later
            store.post_refused(request, detail, now)

    async def post_escalation(self, request: Request, posted_at: datetime) -> str:
        """The call on ESCALATE_TO the post carries (edits keep it), or ""."""
        if post_carries(request.deadline, self.settings.reminder_lead_times, posted_at):
            return await self.escalation.line()
        return ""

    def silent(self, request: Request, now: datetime) -> bool:
        s = self.settings
        return silent(now, request.deadline, s.quiet_hours, s.timezone, s.reminder_lead_times)


class PostEdits:
    """Outcomes and choices staff wait for: a post whose request changed is edited."""

    records = True
    spare = False

    def __init__(self, posting: Posting) -> None:
        self.posting = posting

    def due_in(self) -> float | None:
        return 0.0 if self.posting.store.posts.dirty(limit=1) else None

    async def step(self) -> bool:
        for request in self.posting.store.posts.dirty(limit=1):
            await self.posting.guard(request, self._edit(request))
            return True
        return False

    async def _edit(self, request: Request) -> None:
        posting, post = self.posting, request.post
        assert post is not None
        escalate = await posting.post_escalation(request, post.posted_at)
        rendered = posting.render(request, posting.clock(), escalate)
        if rendered is None:
            return
        await posting.bot.edit_message_text(
            chat_id=post.chat_id,
            message_id=post.message_id,
            text=rendered.text,
            reply_markup=rendered.keyboard,
        )
        posting.store.mark_post_clean(request.id, post)
        metrics.EDITS.inc()
        log.info("Updated the post of order %s (%s)", request.order_id, request.state)


class PostProbe:
    """When idle, check one pending post still exists, so a deleted one is posted again.

    The Bot API tells no one about deleted messages; re-sending a post's own keyboard
    answers "not modified" while it exists and "not found" once it is gone.
    """

    records = True
    spare = True

    def __init__(self, posting: Posting) -> None:
        self.posting = posting
        self.every = max(PROBE_AT_LEAST, posting.settings.poll_interval.total_seconds())
        self.next_at = time.monotonic() + self.every
        self.probed_up_to = 0  # request id: probing goes round the pending posts

    def due_in(self) -> float | None:
        return max(0.0, self.next_at - time.monotonic())

    async def step(self) -> bool:
        if time.monotonic() < self.next_at:
            return False
        self.next_at = time.monotonic() + self.every
        posts = self.posting.store.posts
        request = posts.next_pending(after_id=self.probed_up_to)
        if request is None:
            request = posts.next_pending(after_id=0)
        if request is None or request.post is None:
            return False
        self.probed_up_to = request.id
        rendered = self.posting.render(request, self.posting.clock())
        if rendered is None or rendered.keyboard is None:  # a decision in flight: edit follows
            return False
        await self.posting.guard(
            request,
            self.posting.bot.edit_message_reply_markup(
                chat_id=request.post.chat_id,
                message_id=request.post.message_id,
                reply_markup=rendered.keyboard,
            ),
        )
        return True
