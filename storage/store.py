"""The desk's state in SQLite, the source of truth every loop is rebuilt from.

`Store` opens the database and holds one object per table (storage/tables.py); every
write goes through a `Store` method, each in one transaction: those that span tables (a
poll cycle, a decision's answer, a new post) are here, the one-table ones in
storage/bookkeeping.py. The rules they apply come from the domain (`bot.domain.model`,
`bot.domain.reconcile`): storage decides nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from bot.domain.journal import Kind
from bot.domain.model import (
    Change,
    Decision,
    DecisionRecord,
    DecisionResult,
    Effect,
    NewRequest,
    Order,
    Person,
    Problem,
    Request,
    RequestState,
    RequestTime,
    Stage,
    close_status,
    state_after,
)
from bot.domain.names import problem_ref
from storage.bookkeeping import Bookkeeping
from storage.decisions import Answer
from storage.polls import PollRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

POST_RETRY_FIRST = timedelta(minutes=1)
POST_RETRY_CAP = timedelta(minutes=30)
# What one request's writes may raise that must not cost the rest of a cycle.
_ONE_REQUEST_ERRORS = (sqlite3.Error, ValueError, TypeError, OverflowError)


class Store(Bookkeeping):
    # requests

    def add_request(self, new: NewRequest) -> int:
        with self.db.transaction():
            return self._insert(new)

    def _insert(self, new: NewRequest) -> int:
        self.notified.forget(new.order.campaign_id, new.order.order_id)  # used once
        request_id = self.requests.insert(new)
        rt = new.request_time
        self.events.add(
            request_id,
            Kind.SEEN,
            new.first_seen,
            requested_at=rt.at,
            basis=rt.basis.value,
            deadline=rt.deadline,
            status=new.order.status_code,
        )
        return request_id

    def apply(self, request: Request, change: Change, now: datetime) -> None:
        """Store what the Market's view of the order means for the request."""
        with self.db.transaction():
            self._apply(request, change, now)

    def _apply(self, request: Request, change: Change, now: datetime) -> None:
        if change.order is not None and change.effect is not Effect.KEEP:
            self.requests.update_order(request.id, change.order)
            if change.order.status_code != request.order.status_code and not change.closes:
                self.events.add(request.id, Kind.STATUS, now, status=change.order.status_code)
        if change.closes:
            self.requests.close(request.id, close_status(change.order), now)
            self.events.add(request.id, Kind.CLOSED, now, status=close_status(change.order))
        if change.show:
            self.posts.mark_dirty(request.id)

    def correct_request_time(
        self, request_id: int, request_time: RequestTime, now: datetime
    ) -> bool:
        """A notification told an earlier time: the journal keeps the deadline it replaces.

        Judged against the stored request in the same transaction, so no caller, however
        stale its view, can move a deadline later; False when nothing changed.
        """
        with self.db.transaction():
            old = self.requests.get(request_id)
            if old is None or not old.brought_closer_by(request_time):
                return False
            self.requests.set_time(request_id, request_time)
            self.events.add(
                request_id,
                Kind.DEADLINE,
                now,
                requested_at=request_time.at,
                basis=request_time.basis.value,
                deadline=request_time.deadline,
                old_deadline=old.deadline,
                old_basis=old.request_time.basis.value,
            )
            self.posts.mark_dirty(request_id)
            return True

    def apply_sync(
        self,
        *,
        new: list[NewRequest],
        changes: list[tuple[Request, Change]],
        poll: PollRecord,
        problems: Iterable[Problem] = (),
    ) -> list[int]:
        """Record one successful cycle atomically; returns the ids of the new requests.

        Each request is written in a savepoint of its own: one that cannot be stored is
        noted as a problem and the rest of the cycle is stored all the same.
        """
        noted = list(problems)
        ids = []
        with self.db.transaction():
            for item in new:
                request_id = self._isolated(item.order, noted, self._insert_unless_open, item)
                if request_id is not None:
                    ids.append(request_id)
            for request, change in changes:
                self._isolated(request.order, noted, self._apply, request, change, poll.finished_at)
            for problem in noted:
                self.problems.insert(problem, poll.finished_at)
            self.polls.insert(poll)
        return ids

    def _isolated(
        self, order: Order, noted: list[Problem], write: Callable[..., T], *args: object
    ) -> T | None:
        """Run one request's writes in a savepoint; a failure is noted, not raised."""
        try:
            with self.db.savepoint():
                return write(*args)
        except _ONE_REQUEST_ERRORS as error:
            log.exception("Could not store order %s", order.order_id)
            noted.append(
                Problem(str(order.campaign_id), problem_ref(order), Stage.STORE, repr(error))
            )
            return None

    def _insert_unless_open(self, new: NewRequest) -> int | None:
        """A notification may have stored the request while the cycle was reading."""
        if self.requests.open_for(new.order.campaign_id, new.order.order_id) is not None:
            return None
        return self._insert(new)

    # posts

    def save_post(
        self,
        request_id: int,
        chat_id: int,
        message_id: int,
        posted_at: datetime,
        shown_leads: Iterable[timedelta],
        *,
        rendered_from: Request | None = None,
        thread_id: int | None = None,
    ) -> None:
        """Record the post and the lead times its text already covers.

        `rendered_from` is the state the text was made of: if the request changed while
        the post was on its way (closed, deadline corrected), the post is edited next.
        """
        with self.db.transaction():
            current = self.requests.get(request_id)
            outdated = rendered_from is not None and (
                current is None
                or (current.state, current.request_time, current.order)
                != (rendered_from.state, rendered_from.request_time, rendered_from.order)
            )
            self.posts.insert(request_id, chat_id, message_id, posted_at, outdated, thread_id)
            again = self.events.has(request_id, Kind.POSTED)
            kind = Kind.REPOSTED if again else Kind.POSTED
            self.events.add(request_id, kind, posted_at, chat_id=chat_id, message_id=message_id)
            self.reminders.shown_in_post(request_id, shown_leads, posted_at)

    def post_refused(self, request: Request, detail: str, now: datetime) -> None:
        """Telegram would not take this post: try it later, and tell staff once."""
        with self.db.transaction():
            self.posts.refused(request.id, now, POST_RETRY_FIRST, POST_RETRY_CAP)
            self.events.add(request.id, Kind.POST_REFUSED, now, detail=detail)
            ref = problem_ref(request.order)
            self.problems.insert(Problem(str(request.campaign_id), ref, Stage.POST, detail), now)

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> list[int]:
        """The group became a supergroup; old posts stay behind, so pending ones are redone.

        Returns the ids of the requests that will be posted again.
        """
        with self.db.transaction():
            reposted = self.posts.leave_chat(old_chat_id)
            self.chats.record(old_chat_id, new_chat_id)
        return reposted

    # claims

    def claim(self, request_id: int, person: Person, now: datetime) -> bool:
        """The post shows who took it; False if someone holds it already."""
        with self.db.transaction():
            taken = self.claims.take(request_id, person, now)
            if taken:
                self.posts.mark_dirty(request_id)
        return taken

    def release_claim(self, request_id: int, user_id: int) -> bool:
        with self.db.transaction():
            released = self.claims.release(request_id, user_id)
            if released:
                self.posts.mark_dirty(request_id)
        return released

    def reminder_sent(
        self, request_id: int, lead_seconds: int, message_id: int, now: datetime
    ) -> None:
        with self.db.transaction():
            self.reminders.sent(request_id, lead_seconds, message_id, now)
            self.events.add(request_id, Kind.REMINDER, now, lead_seconds=lead_seconds)

    # decisions

    def confirming(
        self, request_id: int, decision: Decision | None, person: Person, now: datetime
    ) -> None:
        """A Choose tap (asks for Confirm) or Back (None); kept though nothing is sent."""
        with self.db.transaction():
            self.posts.set_confirming(request_id, decision)
            if decision is None:
                self.events.add(request_id, Kind.BACK, now, person)
            else:
                self.events.add(request_id, Kind.CHOSE, now, person, decision=decision)

    def begin_decision(
        self, request_id: int, decision: Decision, person: Person, now: datetime
    ) -> DecisionRecord | None:
        """Store the intent before the PUT. None if one is in flight or already taken."""
        with self.db.transaction():
            if self.requests.state(request_id) is not RequestState.PENDING:
                return None
            decision_id = self.decisions.insert(request_id, decision, person, now)
            if decision_id is None:
                return None
            self.posts.clear_confirming(request_id)
            self.events.add(request_id, Kind.SENT, now, person, decision=decision)
        return self.decisions.get(decision_id)

    def finish_decision(
        self,
        decision_id: int,
        result: DecisionResult,
        now: datetime,
        *,
        http_status: int | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        retry_at: datetime | None = None,
        closed_order: Order | None = None,
    ) -> None:
        """Store the Market's answer and what it makes of the request; the post is redone."""
        answer = Answer(result, http_status, error_code, error_message, retry_at)
        with self.db.transaction():
            request_id = self.decisions.finish(decision_id, answer, now)
            self._journal_answer(decision_id, answer, now)
            state = state_after(answer.result)
            if state is RequestState.DECIDED:
                self.requests.set_state(request_id, state)
            elif state is RequestState.CLOSED:
                if closed_order is not None:
                    self.requests.update_order(request_id, closed_order)
                self.requests.close(request_id, close_status(closed_order), now)
                self.events.add(request_id, Kind.CLOSED, now, status=close_status(closed_order))
            self.posts.mark_dirty(request_id)

    def _journal_answer(self, decision_id: int, answer: Answer, now: datetime) -> None:
        record = self.decisions.get(decision_id)
        self.events.add(
            record.request_id,
            Kind.ANSWER,
            now,
            record.person,
            decision=record.decision,
            result=answer.result,
            http_status=answer.http_status,
            error_code=answer.error_code,
            error_message=answer.error_message,
            retry_at=answer.retry_at,
        )
