"""The desk's writes to one table each, named for what happened, each its own transaction.

They are `Store` methods (`Store` builds on this class) so that every write the desk makes
goes through `Store`; the writes spanning tables, with their journal entries, are in
storage/store.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from bot.domain.model import Post, Problem
from storage.polls import PollRecord
from storage.retention import prune_settled
from storage.tables import Tables


class Bookkeeping(Tables):
    # the outbox: posts, reminders, what staff were told

    def mark_post_clean(self, request_id: int, seen: Post) -> bool:
        """The post shows `seen`; False if the request changed again meanwhile (see Posts)."""
        with self.db.transaction():
            return self.posts.mark_clean(request_id, seen)

    def forget_post(self, request_id: int) -> None:
        """The post is gone (deleted, or the bot lost the chat): post the request again."""
        with self.db.transaction():
            self.posts.forget(request_id)

    def claim_reminder(
        self, request_id: int, lead_seconds: int, merged: Iterable[int], now: datetime
    ) -> bool:
        """Reserve one reminder (and the lead times it stands for) before sending it."""
        with self.db.transaction():
            return self.reminders.claim(request_id, lead_seconds, merged, now)

    def release_reminder(self, request_id: int, lead_seconds: int) -> None:
        """Sending failed, or may not have reached staff: the reminder is sent again."""
        with self.db.transaction():
            self.reminders.release(request_id, lead_seconds)

    def note_problem(self, problem: Problem, now: datetime) -> bool:
        """Note a problem unless the order already has one; True when it is new."""
        with self.db.transaction():
            return self.problems.insert(problem, now)

    def problem_reported(self, problem: Problem, now: datetime) -> None:
        with self.db.transaction():
            self.problems.reported(problem, now)

    def unseen_listed(self, request_ids: list[int], now: datetime) -> None:
        with self.db.transaction():
            self.unseen.listed(request_ids, now)

    def topic_refused(self, topic_id: int, detail: str, now: datetime) -> bool:
        """Note a refusal; True the first time (until the topic works again)."""
        with self.db.transaction():
            return self.topics.refused(topic_id, detail, now)

    def topic_works(self, topic_id: int) -> bool:
        """The topic took a message; True if it had been refused."""
        with self.db.transaction():
            return self.topics.works(topic_id)

    def topic_reported(self, topic_id: int, now: datetime) -> None:
        with self.db.transaction():
            self.topics.reported(topic_id, now)

    def save_summary(self, chat_id: int, message_id: int, text: str, now: datetime) -> None:
        with self.db.transaction():
            self.summaries.save(chat_id, message_id, text, now)

    def forget_summary(self, chat_id: int) -> None:
        """The message is gone: the next change makes a new one."""
        with self.db.transaction():
            self.summaries.forget(chat_id)

    # the Market's side: polls, notified times, shops

    def poll_failed(self, poll: PollRecord) -> None:
        with self.db.transaction():
            self.polls.insert(poll)

    def prune_polls(self, keep: timedelta, now: datetime) -> None:
        """Poll history is for diagnosis; a week is plenty and keeps the file small."""
        with self.db.transaction():
            self.polls.prune(keep, now)

    def remember_notified(self, campaign_id: int, order_id: int, requested_at: datetime) -> None:
        """A notified time for the poll that finds the request; the earliest one is kept."""
        with self.db.transaction():
            self.notified.remember(campaign_id, order_id, requested_at)

    def save_shop_name(self, campaign_id: int, name: str) -> None:
        with self.db.transaction():
            self.shops.save(campaign_id, name)

    # daily jobs

    def daily_done(self, job: str, day: date) -> None:
        with self.db.transaction():
            self.daily.done(job, day)

    def prune_settled(self, before: datetime) -> int:
        """Delete requests closed before `before`, in batches; returns how many went."""
        return prune_settled(self.db, before)
