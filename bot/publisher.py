"""Everything the desk shows in the staff chat, sent from the database as an outbox.

One loop sends one thing at a time, most urgent first: edits of existing posts (outcomes
staff wait for), then new posts by nearest deadline, then due reminders. Because state
changes are stored before they are shown, a Telegram outage or a restart only delays
what staff see; nothing is lost and nothing is posted twice.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot import metrics
from bot.backoff import Backoff
from bot.config import Settings
from bot.deadlines import crossed_lead_times
from bot.escalation import Escalation, post_carries, reminder_carries
from bot.formatting import Style
from bot.model import Problem, Request, Stage
from bot.orders import INT64_LIMIT
from bot.quiet import silent
from bot.ratelimit import GroupRateLimiter
from bot.refusals import is_about_the_chat, is_gone, wait_asked
from bot.render import Rendered, render_post, render_problem, render_reminder
from bot.render_unseen import UNSEEN_PER_MESSAGE, render_unseen
from bot.shops import Shops
from bot.signals import Activity, Wakeup
from bot.staff_chat import StaffChat
from bot.storage_trouble import StorageTrouble
from bot.summary import Summary
from bot.topics import TopicRouter
from storage.store import Store

log = logging.getLogger(__name__)

IDLE_CHECK = 30.0  # seconds; also bounds how late a reminder can be after a clock jump
PROBE_AT_LEAST = 10.0  # seconds between checks that a pending post still exists


class Publisher:
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
    ) -> None:
        self.bot, self.store, self.chat, self.shops = bot, store, chat, shops
        self.storage = storage or StorageTrouble(quiet=settings.poll_interval.total_seconds())
        self._unrecorded: dict[int, Callable[[], None]] = {}  # posts sent, not yet stored
        self.style, self.settings, self.clock = style, settings, clock
        self.wakeup, self.activity, self.limiter = wakeup, activity, limiter
        self.backoff = Backoff(initial=1.0, cap=60.0)
        self.probe_every = max(PROBE_AT_LEAST, settings.poll_interval.total_seconds())
        self._next_probe = time.monotonic() + self.probe_every
        self._probed_up_to = 0  # request id: probing goes round the pending posts
        self._posts_paused_until = 0.0  # time.monotonic(): the chat's window is full
        self.escalation = Escalation(bot, chat, settings.escalate_to, style.texts)
        self.topics = TopicRouter(bot, store, chat, style.texts, clock)
        summary = Summary(bot, store, chat, style, limiter, clock)
        self.summary = summary if settings.pin_summary else None

    async def run(self) -> None:
        await self.escalation.learn()
        while True:
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
            else:  # idle unless new posts wait for room in the chat's window
                caught_up = self._posts_paused_until <= time.monotonic()
                await self.wakeup.wait(self._idle_timeout(), idle=caught_up)

    def _idle_timeout(self) -> float:
        leads = [int(lead.total_seconds()) for lead in self.settings.reminder_lead_times]
        due = self.store.reminders.next_due(leads)
        store, now = self.store, time.monotonic()
        soonest = min(self._next_probe, max(self._posts_paused_until, now))
        if self._posts_paused_until <= now and store.posts.unposted(self.clock(), limit=1):
            soonest = now
        retry = store.posts.next_retry()
        if retry is not None:
            soonest = min(soonest, now + (retry - self.clock()).total_seconds())
        if store.problems.unreported(limit=1) or store.topics.unreported():
            soonest = now
        summary = self.summary.due_in() if self.summary else None
        if summary is not None:
            soonest = min(soonest, now + summary)
        timeout = min(IDLE_CHECK, max(0.05, soonest - time.monotonic()))
        if due is None:
            return timeout
        return min(timeout, max(0.05, (due - self.clock()).total_seconds()))

    async def publish_next(self) -> bool:
        """Send the most urgent thing; False when there is nothing to do."""
        if await self.storage.tell_staff(self.bot, self.chat, self.style.texts):
            return True
        if self.storage.broken:  # nothing that must be recorded goes out
            return False
        for request_id, record in list(self._unrecorded.items()):
            record()
            del self._unrecorded[request_id]
            return True
        store = self.store
        for request in store.posts.dirty(limit=1):
            await self._guard(request, self._edit(request))
            return True
        for record in store.problems.unreported(limit=1):
            await self._report(record.problem)
            return True
        if await self.topics.report_next():
            return True
        for request in store.posts.unposted(self.clock(), limit=1):
            if self._room_for_a_post():
                await self._guard(request, self._post(request))
                return True
            return await self._remind_next()  # a backlog: no probing until it is posted
        if await self._list_unseen() or await self._remind_next():
            return True
        return bool(self.summary and await self.summary.refresh()) or await self._probe_next()

    async def _list_unseen(self) -> bool:
        """Requests that closed before they could be posted: one message, no buttons."""
        unseen = self.store.unseen.unlisted(UNSEEN_PER_MESSAGE)
        if not unseen:
            return False
        text = render_unseen(unseen, self.shops.names, self.style)
        await self.bot.send_message(chat_id=self.chat.id, text=text)
        self.store.unseen_listed([request.id for request in unseen], self.clock())
        log.info("Listed %d requests that closed before they were posted", len(unseen))
        return True

    def _room_for_a_post(self) -> bool:
        """Whether a new post may take a slot of the chat's window now.

        While staff are at work (a tap within the last window) two slots are kept for the
        edits that answer them (the Confirm keyboard, then the outcome), so a backlog of
        new posts never makes them wait a window.
        """
        if self.limiter is None:
            return True
        window = self.settings.telegram_group_rate.window.total_seconds()
        at_work = self.activity.staff_at_work(within=window)
        wait = self.limiter.seconds_until_room(self.chat.id, 3 if at_work else 1)
        self._posts_paused_until = time.monotonic() + wait
        return wait == 0

    async def _probe_next(self) -> bool:
        """When idle, check one pending post still exists, so a deleted one is reposted.

        The Bot API tells no one about deleted messages; re-sending a post's own keyboard
        answers "not modified" while it exists and "not found" once it is gone.
        """
        if time.monotonic() < self._next_probe:
            return False
        self._next_probe = time.monotonic() + self.probe_every
        request = self.store.posts.next_pending(after_id=self._probed_up_to)
        if request is None:
            request = self.store.posts.next_pending(after_id=0)
        if request is None or request.post is None:
            return False
        self._probed_up_to = request.id
        rendered = self._render(request, self.clock())
        if rendered is None or rendered.keyboard is None:  # a decision in flight: edit follows
            return False
        await self._guard(
            request,
            self.bot.edit_message_reply_markup(
                chat_id=request.post.chat_id,
                message_id=request.post.message_id,
                reply_markup=rendered.keyboard,
            ),
        )
        return True

    async def _guard(self, request: Request, action: Awaitable[None]) -> None:
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
                self._skip(request, error.message)

    def _skip(self, request: Request, detail: str) -> None:
        """This request's post or edit cannot be shown: leave it for later, tell staff once."""
        store, now = self.store, self.clock()
        if request.post:  # an edit: give up on it, the post still stands
            store.mark_post_clean(request.id, request.post)
            store.note_problem(
                Problem(str(request.campaign_id), str(request.order_id), Stage.EDIT, detail), now
            )
        else:  # a post: the next requests go first, this one is tried again later
            store.post_refused(request, detail, now)

    def _render(self, request: Request, now: datetime, escalate: str = "") -> Rendered | None:
        """The post, or None when it cannot be made (noted, so it never blocks the rest)."""
        try:
            decision = self.store.decisions.last(request.id)
            shop = self.shops.name(request.campaign_id)
            return render_post(request, decision, shop, now, self.style, escalate)
        except Exception as error:  # a value no one foresaw must cost one request, not all
            log.exception("Could not render the post of order %s", request.order_id)
            self._skip(request, f"render: {error!r}")
            return None

    async def _report(self, problem: Problem) -> None:
        """Tell staff about a request the desk cannot show them, once."""
        request, shop = None, problem.campaign_ref
        if problem.campaign_ref.isdigit() and problem.order_ref.isdigit():
            campaign_id, order_id = int(problem.campaign_ref), int(problem.order_ref)
            if max(campaign_id, order_id) < INT64_LIMIT:
                request = self.store.requests.open_for(campaign_id, order_id)
                shop = self.shops.name(campaign_id)
        text = render_problem(problem, request, shop, self.clock(), self.style)
        try:
            await self.bot.send_message(chat_id=self.chat.id, text=text)
        except BadRequest as error:
            if is_about_the_chat(error):
                raise NetworkError(f"report refused: {error.message}") from error
            log.error("Telegram refused the report on order %s: %s", problem.order_ref, error)
        self.store.problem_reported(problem, self.clock())
        log.warning(
            "Told staff that order %s (campaign %s) is stuck at the %s stage: %s",
            problem.order_ref,
            problem.campaign_ref,
            problem.stage,
            problem.detail,
        )

    async def _post_escalation(self, request: Request, posted_at: datetime) -> str:
        """The call on ESCALATE_TO the post carries (edits keep it), or ""."""
        if post_carries(request.deadline, self.settings.reminder_lead_times, posted_at):
            return await self.escalation.line()
        return ""

    def _silent(self, request: Request, now: datetime) -> bool:
        s = self.settings
        return silent(now, request.deadline, s.quiet_hours, s.timezone, s.reminder_lead_times)

    async def _edit(self, request: Request) -> None:
        post = request.post
        assert post is not None
        escalate = await self._post_escalation(request, post.posted_at)
        rendered = self._render(request, self.clock(), escalate)
        if rendered is None:
            return
        await self.bot.edit_message_text(
            chat_id=post.chat_id,
            message_id=post.message_id,
            text=rendered.text,
            reply_markup=rendered.keyboard,
        )
        self.store.mark_post_clean(request.id, post)
        metrics.EDITS.inc()
        log.info("Updated the post of order %s (%s)", request.order_id, request.state)

    async def _post(self, request: Request) -> None:
        now = self.clock()
        rendered = self._render(request, now, await self._post_escalation(request, now))
        if rendered is None:
            return
        message, thread = await self.topics.send(
            self.settings.topic_for(request.campaign_id),
            text=rendered.text,
            reply_markup=rendered.keyboard,
            disable_notification=self._silent(request, now),
        )
        shown = crossed_lead_times(request.deadline, self.settings.reminder_lead_times, now)
        stored = (request.id, message.chat_id, message.message_id, now, shown)
        record = partial(self.store.save_post, *stored, rendered_from=request, thread_id=thread)
        try:
            record()
        except sqlite3.OperationalError:  # it is in the chat: store it, never post it again
            self._unrecorded[request.id] = record
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

    async def _remind_next(self) -> bool:
        leads = [int(lead.total_seconds()) for lead in self.settings.reminder_lead_times]
        now = self.clock()
        for request_id, crossed in self.store.reminders.due(leads, now).items():
            nearest, *merged = sorted(crossed)
            last = reminder_carries(nearest, self.settings.reminder_lead_times)
            escalate = await self.escalation.line() if last else ""
            if not self.store.claim_reminder(request_id, nearest, merged, now):
                continue
            request = self.store.requests.get(request_id)
            assert request is not None and request.post is not None
            await self._remind(request, nearest, now, escalate)
            return True
        return False

    async def _remind(self, request: Request, lead: int, now: datetime, escalate: str) -> None:
        """Send one claimed reminder as a reply to the post; a refusal is handled here."""
        assert request.post is not None
        try:
            message, _ = await self.topics.send(
                request.post.thread_id,
                reply_to=request.post.message_id,
                text=render_reminder(request, now, self.style, escalate),
                disable_notification=self._silent(request, now),
            )
        except ChatMigrated as error:
            self.store.release_reminder(request.id, lead)
            self.chat.follow(error.new_chat_id)
            return
        except BadRequest as error:
            if is_gone(error):
                self.store.release_reminder(request.id, lead)
                log.warning("The post of order %s is gone; posting it again", request.order_id)
                self.store.forget_post(request.id)
            else:  # the claim stays: this reminder is not retried
                log.error("Telegram refused a reminder for %s: %s", request.order_id, error)
                problem = Problem(
                    str(request.campaign_id), str(request.order_id), Stage.REMIND, error.message
                )
                self.store.note_problem(problem, now)
            return
        except TelegramError:
            self.store.release_reminder(request.id, lead)
            raise
        self.store.reminder_sent(request.id, lead, message.message_id, self.clock())
        log.info(
            "Reminded about order %s: %s before the deadline",
            request.order_id,
            timedelta(seconds=lead),
        )
