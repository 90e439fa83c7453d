"""Reminders: a reply to a post as each lead time before its deadline is crossed.

A reminder is claimed in the database before it is sent, so a restart never sends one
twice; lead times crossed together make one reminder, for the nearest.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram.error import BadRequest, ChatMigrated, TelegramError

from bot.chat.duties_posts import Posting
from bot.chat.refusals import is_gone
from bot.chat.render import render_reminder
from bot.domain.model import Problem, Request, Stage
from bot.domain.names import problem_ref
from bot.team.escalation import reminder_carries

log = logging.getLogger(__name__)


class Reminders:
    records = True
    spare = False

    def __init__(self, posting: Posting) -> None:
        self.posting = posting
        self.leads = [int(lead.total_seconds()) for lead in posting.settings.reminder_lead_times]

    def due_in(self) -> float | None:
        due = self.posting.store.reminders.next_due(self.leads)
        return None if due is None else max(0.0, (due - self.posting.clock()).total_seconds())

    async def step(self) -> bool:
        posting, store, now = self.posting, self.posting.store, self.posting.clock()
        for request_id, crossed in store.reminders.due(self.leads, now).items():
            nearest, *merged = sorted(crossed)
            last = reminder_carries(nearest, posting.settings.reminder_lead_times)
            escalate = await posting.escalation.line() if last else ""
            if not store.claim_reminder(request_id, nearest, merged, now):
                continue
            request = store.requests.get(request_id)
            assert request is not None and request.post is not None
            await self._remind(request, nearest, now, escalate)
            return True
        return False

    async def _remind(self, request: Request, lead: int, now: datetime, escalate: str) -> None:
        """Send one claimed reminder as a reply to the post; a refusal is handled here."""
        posting, store = self.posting, self.posting.store
        assert request.post is not None
        try:
            message, _ = await posting.topics.send(
                request.post.thread_id,
                reply_to=request.post.message_id,
                text=render_reminder(request, now, posting.style, escalate),
                disable_notification=posting.silent(request, now),
            )
        except ChatMigrated as error:
            store.release_reminder(request.id, lead)
            posting.chat.follow(error.new_chat_id)
            return
        except BadRequest as error:
            self._refused(request, lead, now, error)
            return
        except TelegramError:
            store.release_reminder(request.id, lead)
            raise
        store.reminder_sent(request.id, lead, message.message_id, posting.clock())
        log.info(
            "Reminded about order %s: %s before the deadline",
            request.order_id,
            timedelta(seconds=lead),
        )

    def _refused(self, request: Request, lead: int, now: datetime, error: BadRequest) -> None:
        store = self.posting.store
        if is_gone(error):
            store.release_reminder(request.id, lead)
            log.warning("The post of order %s is gone; posting it again", request.order_id)
            store.forget_post(request.id)
        else:  # the claim stays: this reminder is not retried
            log.error("Telegram refused a reminder for %s: %s", request.order_id, error)
            problem = Problem(
                str(request.campaign_id), problem_ref(request.order), Stage.REMIND, error.message
            )
            store.note_problem(problem, now)
