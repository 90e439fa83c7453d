"""The desk's state in SQLite, the source of truth every job is rebuilt from.

All writes that belong together happen in one transaction; readers get plain records.
Times are stored as UTC ISO strings with microseconds, so they sort as text.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.deadlines import Basis, RequestTime
from bot.decisions import Decision
from bot.market_time import moscow_today
from bot.orders import Order
from storage.problems import Problem, ProblemLog, Stage, insert_problem
from storage.schema import migrate
from storage.times import from_iso, iso

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Post:
    chat_id: int
    message_id: int
    posted_at: datetime
    confirming: Decision | None
    dirty: int  # 0: up to date; otherwise a change counter, see mark_clean


@dataclass(frozen=True)
class DecisionRecord:
    id: int
    request_id: int
    decision: Decision
    user_id: int
    user_name: str
    username: str | None
    started_at: datetime
    finished_at: datetime | None
    result: str | None
    http_status: int | None
    error_code: str | None
    error_message: str | None
    retry_at: datetime | None


@dataclass(frozen=True)
class Request:
    id: int
    campaign_id: int
    order_id: int
    business_id: int
    state: str
    order: Order
    first_seen: datetime
    request_time: RequestTime
    closed_at: datetime | None
    closed_status: str | None
    post: Post | None

    @property
    def deadline(self) -> datetime:
        return self.request_time.deadline

    @property
    def key(self) -> tuple[int, int]:
        return (self.campaign_id, self.order_id)


@dataclass(frozen=True)
class NewRequest:
    business_id: int
    order: Order
    first_seen: datetime
    request_time: RequestTime


@dataclass(frozen=True)
class PollRecord:
    started_at: datetime
    finished_at: datetime
    ok: bool
    covered_from: date | None = None
    covered_to: date | None = None
    found: int = 0
    new: int = 0
    resolved: int = 0
    error: str | None = None


POST_RETRY_FIRST = timedelta(minutes=1)
POST_RETRY_CAP = timedelta(minutes=30)

_REQUEST_SELECT = """
SELECT r.*, p.chat_id, p.message_id, p.posted_at, p.confirming, p.dirty
FROM requests r LEFT JOIN posts p ON p.request_id = r.id
"""


def _request(row: dict[str, Any]) -> Request:
    post = None
    if row["message_id"] is not None:
        post = Post(
            chat_id=row["chat_id"],
            message_id=row["message_id"],
            posted_at=datetime.fromisoformat(row["posted_at"]),
            confirming=Decision(row["confirming"]) if row["confirming"] else None,
            dirty=row["dirty"],
        )
    return Request(
        id=row["id"],
        campaign_id=row["campaign_id"],
        order_id=row["order_id"],
        business_id=row["business_id"],
        state=row["state"],
        order=Order.from_json(row["order_json"]),
        first_seen=datetime.fromisoformat(row["first_seen"]),
        request_time=RequestTime(
            datetime.fromisoformat(row["requested_at"]), Basis(row["request_basis"])
        ),
        closed_at=from_iso(row["closed_at"]),
        closed_status=row["closed_status"],
        post=post,
    )


def _decision(row: dict[str, Any]) -> DecisionRecord:
    return DecisionRecord(
        id=row["id"],
        request_id=row["request_id"],
        decision=Decision(row["decision"]),
        user_id=row["user_id"],
        user_name=row["user_name"],
        username=row["username"],
        started_at=datetime.fromisoformat(row["started_at"]),
        finished_at=from_iso(row["finished_at"]),
        result=row["result"],
        http_status=row["http_status"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        retry_at=from_iso(row["retry_at"]),
    )


class Store:
    """One connection, used from the event loop's thread only."""

    def __init__(self, path: Path) -> None:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 5000")
        try:
            self.version = migrate(self.db)
        except Exception:
            conn.close()
            raise
        self.problems = ProblemLog(self)

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, tuple(params)))

    # requests

    def request(self, request_id: int) -> Request | None:
        rows = self._rows(_REQUEST_SELECT + " WHERE r.id = ?", [request_id])
        return _request(rows[0]) if rows else None

    def open_requests(self) -> list[Request]:
        """Requests the Market may still list: pending or decided, not yet closed."""
        rows = self._rows(_REQUEST_SELECT + " WHERE r.state != 'closed' ORDER BY r.deadline, r.id")
        return [_request(row) for row in rows]

    def pending_requests(self) -> list[Request]:
        """Requests still waiting for staff, nearest deadline first."""
        rows = self._rows(_REQUEST_SELECT + " WHERE r.state = 'pending' ORDER BY r.deadline, r.id")
        return [_request(row) for row in rows]

    def open_request_for(self, campaign_id: int, order_id: int) -> Request | None:
        rows = self._rows(
            _REQUEST_SELECT + " WHERE r.campaign_id = ? AND r.order_id = ? AND r.state != 'closed'",
            [campaign_id, order_id],
        )
        return _request(rows[0]) if rows else None

    def count_requests(self, state: str | None = None) -> int:
        if state is None:
            return self.db.execute("SELECT count(*) FROM requests").fetchone()[0]
        return self.db.execute("SELECT count(*) FROM requests WHERE state = ?", [state]).fetchone()[
            0
        ]

    def remember_notification(
        self, campaign_id: int, order_id: int, requested_at: datetime
    ) -> None:
        """A notification came before the Market listed the request: keep its exact time."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                [f"notified:{campaign_id}:{order_id}", iso(requested_at)],
            )

    def notified_request_time(self, campaign_id: int, order_id: int) -> RequestTime | None:
        row = self.db.execute(
            "SELECT value FROM kv WHERE key = ?", [f"notified:{campaign_id}:{order_id}"]
        ).fetchone()
        return RequestTime(datetime.fromisoformat(row[0]), Basis.NOTIFICATION) if row else None

    def _insert_request(self, new: NewRequest) -> int:
        order = new.order
        self.db.execute(  # a remembered notification time is used once
            "DELETE FROM kv WHERE key = ?", [f"notified:{order.campaign_id}:{order.order_id}"]
        )
        cursor = self.db.execute(
            "INSERT INTO requests (campaign_id, order_id, business_id, state, order_json,"
            " order_created_on, first_seen, requested_at, request_basis, deadline)"
            " VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)",
            [
                order.campaign_id,
                order.order_id,
                new.business_id,
                order.to_json(),
                moscow_today(order.created_at).isoformat() if order.created_at else None,
                iso(new.first_seen),
                iso(new.request_time.at),
                new.request_time.basis.value,
                iso(new.request_time.deadline),
            ],
        )
        return cursor.lastrowid

    def add_request(self, new: NewRequest) -> int:
        with self.transaction():
            return self._insert_request(new)

    def _update_order(self, request_id: int, order: Order) -> None:
        self.db.execute(
            "UPDATE requests SET order_json = ? WHERE id = ?", [order.to_json(), request_id]
        )

    def _close(self, request_id: int, status: str | None, now: datetime, *, show: bool) -> None:
        self.db.execute(
            "UPDATE requests SET state = 'closed', closed_at = ?, closed_status = ? WHERE id = ?",
            [iso(now), status, request_id],
        )
        if show:
            self._mark_dirty(request_id)

    def close_request(
        self, request_id: int, order: Order | None, now: datetime, *, show: bool = True
    ) -> None:
        """The request left the pending set; `show`: the post must say what became of it."""
        with self.transaction():
            if order is not None:
                self._update_order(request_id, order)
            status = f"{order.status}/{order.substatus}" if order else None
            self._close(request_id, status, now, show=show)

    def refresh_order(self, request: Request, order: Order) -> bool:
        """Keep the snapshot current; True when staff would see a difference (post redone)."""
        if order == request.order:
            return False
        visible = _visible_change(request.order, order)
        with self.transaction():
            self._update_order(request.id, order)
            if visible:
                self._mark_dirty(request.id)
        return visible

    def correct_request_time(self, request_id: int, request_time: RequestTime) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE requests SET requested_at = ?, request_basis = ?, deadline = ?"
                " WHERE id = ?",
                [
                    iso(request_time.at),
                    request_time.basis.value,
                    iso(request_time.deadline),
                    request_id,
                ],
            )
            self._mark_dirty(request_id)

    def apply_sync(
        self,
        *,
        new: list[NewRequest],
        refreshed: list[tuple[Request, Order]],
        closed: list[tuple[Request, Order | None]],
        poll: PollRecord,
        problems: Iterable[Problem] = (),
    ) -> list[int]:
        """Record one successful cycle atomically; returns the ids of the new requests.

        Each request is written in a savepoint of its own: one that cannot be stored is
        noted as a problem and the rest of the cycle is stored all the same.
        """
        noted = list(problems)
        ids = []
        with self.transaction():
            for item in new:
                request_id = self._isolated(item.order, noted, self._insert_unless_open, item)
                if request_id is not None:
                    ids.append(request_id)
            for request, order in refreshed:
                if order != request.order:
                    self._isolated(order, noted, self._refresh, request, order)
            for request, order in closed:
                self._isolated(request.order, noted, self._close_left, request, order, poll)
            for problem in noted:
                insert_problem(self.db, problem, poll.finished_at)
            self._insert_poll(poll)
        return ids

    def _isolated(
        self, order: Order, noted: list[Problem], write: Callable[..., Any], *args: Any
    ) -> Any:
        """Run one request's writes in a savepoint; a failure is noted, not raised."""
        self.db.execute("SAVEPOINT one_request")
        try:
            result = write(*args)
        except (sqlite3.Error, ValueError, TypeError, OverflowError) as error:
            self.db.execute("ROLLBACK TO one_request")
            self.db.execute("RELEASE one_request")
            log.exception("Could not store order %s", order.order_id)
            noted.append(
                Problem(str(order.campaign_id), str(order.order_id), Stage.STORE, repr(error))
            )
            return None
        self.db.execute("RELEASE one_request")
        return result

    def _insert_unless_open(self, new: NewRequest) -> int | None:
        """A notification may have stored the request while the cycle was reading."""
        if self.open_request_for(new.order.campaign_id, new.order.order_id) is not None:
            return None
        return self._insert_request(new)

    def _refresh(self, request: Request, order: Order) -> None:
        self._update_order(request.id, order)
        if _visible_change(request.order, order):
            self._mark_dirty(request.id)

    def _close_left(self, request: Request, order: Order | None, poll: PollRecord) -> None:
        """The request left the pending listing; a decided one already shows its outcome."""
        if order is not None:
            self._update_order(request.id, order)
        status = f"{order.status}/{order.substatus}" if order else None
        self._close(request.id, status, poll.finished_at, show=request.state == "pending")

    # polls

    def _insert_poll(self, poll: PollRecord) -> None:
        self.db["polls"].insert(
            {
                "started_at": iso(poll.started_at),
                "finished_at": iso(poll.finished_at),
                "ok": int(poll.ok),
                "covered_from": poll.covered_from.isoformat() if poll.covered_from else None,
                "covered_to": poll.covered_to.isoformat() if poll.covered_to else None,
                "found": poll.found,
                "new": poll.new,
                "resolved": poll.resolved,
                "error": poll.error,
            }
        )

    def record_failed_poll(self, poll: PollRecord) -> None:
        with self.transaction():
            self._insert_poll(poll)

    def last_covering_poll(self, created_on: date | None, before: datetime) -> datetime | None:
        """Start of the last successful poll whose listing covered this creation date."""
        if created_on is None:
            row = self.db.execute(
                "SELECT max(started_at) FROM polls WHERE ok = 1 AND started_at < ?", [iso(before)]
            ).fetchone()
        else:
            day = created_on.isoformat()
            row = self.db.execute(
                "SELECT max(started_at) FROM polls WHERE ok = 1 AND started_at < ?"
                " AND covered_from <= ? AND ? < covered_to",
                [iso(before), day, day],
            ).fetchone()
        return from_iso(row[0])

    def last_successful_poll(self) -> datetime | None:
        row = self.db.execute("SELECT max(finished_at) FROM polls WHERE ok = 1").fetchone()
        return from_iso(row[0])

    def last_full_sweep(self) -> datetime | None:
        """When a poll last covered the older window too (orders 30-60 days old)."""
        row = self.db.execute(
            "SELECT max(started_at) FROM polls WHERE ok = 1"
            " AND julianday(covered_to) - julianday(covered_from) > 31"
        ).fetchone()
        return from_iso(row[0])

    def prune_polls(self, keep: timedelta, now: datetime) -> None:
        """Poll history is for diagnosis; a week is plenty and keeps the file small."""
        with self.transaction():
            self.db.execute("DELETE FROM polls WHERE started_at < ?", [iso(now - keep)])

    # posts

    def _mark_dirty(self, request_id: int) -> None:
        self.db.execute("UPDATE posts SET dirty = dirty + 1 WHERE request_id = ?", [request_id])

    def unposted(self, now: datetime, limit: int = 1) -> list[Request]:
        """Pending requests not yet in the chat, nearest deadline first.

        One that Telegram refused waits for its retry time, so it never holds up the rest.
        """
        rows = self._rows(
            _REQUEST_SELECT + " WHERE r.state = 'pending' AND p.request_id IS NULL"
            " AND (r.post_retry_at IS NULL OR r.post_retry_at <= ?)"
            " ORDER BY r.deadline, r.id LIMIT ?",
            [iso(now), limit],
        )
        return [_request(row) for row in rows]

    def next_post_retry(self) -> datetime | None:
        """When the earliest refused post may be tried again."""
        row = self.db.execute(
            "SELECT min(r.post_retry_at) FROM requests r LEFT JOIN posts p ON p.request_id = r.id"
            " WHERE r.state = 'pending' AND p.request_id IS NULL"
        ).fetchone()
        return from_iso(row[0])

    def post_refused(self, request: Request, detail: str, now: datetime) -> None:
        """Telegram would not take this post: try it later, and tell staff once."""
        with self.transaction():
            attempts = self.db.execute(
                "UPDATE requests SET post_attempts = post_attempts + 1 WHERE id = ?"
                " RETURNING post_attempts",
                [request.id],
            ).fetchone()[0]
            delay = min(POST_RETRY_FIRST * 2 ** (attempts - 1), POST_RETRY_CAP)
            self.db.execute(
                "UPDATE requests SET post_retry_at = ? WHERE id = ?",
                [iso(now + delay), request.id],
            )
            insert_problem(
                self.db,
                Problem(str(request.campaign_id), str(request.order_id), Stage.POST, detail),
                now,
            )

    def next_posted_pending(self, after_id: int) -> Request | None:
        rows = self._rows(
            _REQUEST_SELECT + " WHERE r.state = 'pending' AND p.request_id IS NOT NULL"
            " AND r.id > ? ORDER BY r.id LIMIT 1",
            [after_id],
        )
        return _request(rows[0]) if rows else None

    def dirty_posts(self, limit: int = 1) -> list[Request]:
        rows = self._rows(
            _REQUEST_SELECT + " WHERE p.dirty > 0 ORDER BY r.deadline, r.id LIMIT ?", [limit]
        )
        return [_request(row) for row in rows]

    def save_post(
        self,
        request_id: int,
        chat_id: int,
        message_id: int,
        posted_at: datetime,
        shown_leads: Iterable[timedelta],
        *,
        rendered_from: Request | None = None,
    ) -> None:
        """Record the post and the lead times its text already covers.

        `rendered_from` is the state the text was made of: if the request changed while
        the post was on its way (closed, deadline corrected), the post is edited next.
        """
        with self.transaction():
            current = self.request(request_id)
            outdated = rendered_from is not None and (
                current is None
                or (current.state, current.request_time, current.order)
                != (rendered_from.state, rendered_from.request_time, rendered_from.order)
            )
            self.db.execute(
                "INSERT OR REPLACE INTO posts (request_id, chat_id, message_id, posted_at,"
                " confirming, dirty) VALUES (?, ?, ?, ?, NULL, ?)",
                [request_id, chat_id, message_id, iso(posted_at), int(outdated)],
            )
            self.db.execute(
                "UPDATE requests SET post_attempts = 0, post_retry_at = NULL WHERE id = ?",
                [request_id],
            )
            for lead in shown_leads:
                self.db.execute(
                    "INSERT OR IGNORE INTO reminders (request_id, lead_seconds, kind, created_at,"
                    " sent_at) VALUES (?, ?, 'shown_in_post', ?, ?)",
                    [request_id, int(lead.total_seconds()), iso(posted_at), iso(posted_at)],
                )

    def forget_post(self, request_id: int) -> None:
        """The post is gone (deleted, or the bot lost the chat): post the request again."""
        with self.transaction():
            self.db.execute("DELETE FROM posts WHERE request_id = ?", [request_id])

    def set_confirming(self, request_id: int, decision: Decision | None) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE posts SET confirming = ?, dirty = dirty + 1 WHERE request_id = ?",
                [decision.value if decision else None, request_id],
            )

    def mark_clean(self, request_id: int, seen: Post) -> bool:
        """Clear `dirty` unless the request changed again since `seen` was read."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE posts SET dirty = 0 WHERE request_id = ? AND message_id = ? AND dirty = ?",
                [request_id, seen.message_id, seen.dirty],
            )
        return cursor.rowcount == 1

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> list[int]:
        """The group became a supergroup; old posts stay behind, so pending ones are redone.

        Returns the ids of the requests that will be posted again.
        """
        with self.transaction():
            reposted = [
                row[0]
                for row in self.db.execute(
                    "SELECT p.request_id FROM posts p JOIN requests r ON r.id = p.request_id"
                    " WHERE p.chat_id = ? AND r.state = 'pending'",
                    [old_chat_id],
                ).fetchall()
            ]
            self.db.execute("DELETE FROM posts WHERE chat_id = ?", [old_chat_id])
            self.db.execute(
                "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                [f"chat_migrated_from:{old_chat_id}", str(new_chat_id)],
            )
        return reposted

    def current_chat(self, chat_id: int) -> int:
        """Where the configured chat lives now, following upgrades to supergroups."""
        seen = {chat_id}
        while True:
            row = self.db.execute(
                "SELECT value FROM kv WHERE key = ?", [f"chat_migrated_from:{chat_id}"]
            ).fetchone()
            if row is None or int(row[0]) in seen:
                return chat_id
            chat_id = int(row[0])
            seen.add(chat_id)

    def shop_names(self) -> dict[int, str]:
        rows = self.db.execute("SELECT key, value FROM kv WHERE key LIKE 'shop:%'").fetchall()
        return {int(key.split(":", 1)[1]): value for key, value in rows}

    def save_shop_name(self, campaign_id: int, name: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)",
                [f"shop:{campaign_id}", name],
            )

    # decisions

    def begin_decision(
        self,
        request_id: int,
        decision: Decision,
        *,
        user_id: int,
        user_name: str,
        username: str | None,
        now: datetime,
    ) -> DecisionRecord | None:
        """Store the intent before the PUT. None if one is in flight or already accepted."""
        with self.transaction():
            state = self.db.execute(
                "SELECT state FROM requests WHERE id = ?", [request_id]
            ).fetchone()
            if state is None or state[0] != "pending":
                return None
            try:
                cursor = self.db.execute(
                    "INSERT INTO decisions (request_id, decision, user_id, user_name, username,"
                    " started_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [request_id, decision.value, user_id, user_name, username, iso(now)],
                )
            except sqlite3.IntegrityError:
                return None
            # no edit yet: the outcome edit follows the Market's answer within a second
            self.db.execute("UPDATE posts SET confirming = NULL WHERE request_id = ?", [request_id])
            decision_id = cursor.lastrowid
        return self.decision(decision_id)

    def finish_decision(
        self,
        decision_id: int,
        result: str,
        now: datetime,
        *,
        http_status: int | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        retry_at: datetime | None = None,
        closed_order: Order | None = None,
    ) -> None:
        """Store the Market's answer; `ok` settles the request, `not_pending` closes it."""
        with self.transaction():
            self.db.execute(
                "UPDATE decisions SET finished_at = ?, result = ?, http_status = ?,"
                " error_code = ?, error_message = ?, retry_at = ? WHERE id = ?",
                [
                    iso(now),
                    result,
                    http_status,
                    error_code,
                    error_message,
                    iso(retry_at) if retry_at else None,
                    decision_id,
                ],
            )
            request_id = self.db.execute(
                "SELECT request_id FROM decisions WHERE id = ?", [decision_id]
            ).fetchone()[0]
            if result == "ok":
                self.db.execute(
                    "UPDATE requests SET state = 'decided' WHERE id = ? AND state = 'pending'",
                    [request_id],
                )
            elif result == "not_pending":
                if closed_order is not None:
                    self._update_order(request_id, closed_order)
                status = f"{closed_order.status}/{closed_order.substatus}" if closed_order else None
                self._close(request_id, status, now, show=False)
            self._mark_dirty(request_id)

    def decision(self, decision_id: int) -> DecisionRecord:
        rows = self._rows("SELECT * FROM decisions WHERE id = ?", [decision_id])
        return _decision(rows[0])

    def last_decision(self, request_id: int) -> DecisionRecord | None:
        rows = self._rows(
            "SELECT * FROM decisions WHERE request_id = ? ORDER BY id DESC LIMIT 1", [request_id]
        )
        return _decision(rows[0]) if rows else None

    def unfinished_decisions(self) -> list[DecisionRecord]:
        rows = self._rows("SELECT * FROM decisions WHERE result IS NULL ORDER BY id")
        return [_decision(row) for row in rows]

    # reminders

    def due_reminders(self, lead_seconds: Iterable[int], now: datetime) -> dict[int, list[int]]:
        """Posted pending requests with lead times crossed and not yet handled."""
        due: dict[int, list[int]] = {}
        for lead in lead_seconds:
            rows = self.db.execute(
                "SELECT r.id FROM requests r JOIN posts p ON p.request_id = r.id"
                " WHERE r.state = 'pending' AND r.deadline <= ? AND NOT EXISTS"
                " (SELECT 1 FROM reminders m WHERE m.request_id = r.id AND m.lead_seconds = ?)",
                [iso(now + timedelta(seconds=lead)), lead],
            ).fetchall()
            for (request_id,) in rows:
                due.setdefault(request_id, []).append(lead)
        return due

    def next_reminder_due(self, lead_seconds: Iterable[int]) -> datetime | None:
        """The earliest moment an unhandled lead time of a posted request is crossed."""
        moments = []
        for lead in lead_seconds:
            row = self.db.execute(
                "SELECT min(r.deadline) FROM requests r JOIN posts p ON p.request_id = r.id"
                " WHERE r.state = 'pending' AND NOT EXISTS"
                " (SELECT 1 FROM reminders m WHERE m.request_id = r.id AND m.lead_seconds = ?)",
                [lead],
            ).fetchone()
            if row[0]:
                moments.append(datetime.fromisoformat(row[0]) - timedelta(seconds=lead))
        return min(moments) if moments else None

    def claim_reminder(
        self, request_id: int, lead_seconds: int, merged: Iterable[int], now: datetime
    ) -> bool:
        """Reserve one reminder (and the lead times it stands for) before sending it."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO reminders (request_id, lead_seconds, kind, created_at)"
                " VALUES (?, ?, 'sent', ?)",
                [request_id, lead_seconds, iso(now)],
            )
            for other in merged:
                self.db.execute(
                    "INSERT OR IGNORE INTO reminders (request_id, lead_seconds, kind, created_at,"
                    " sent_at) VALUES (?, ?, 'merged', ?, ?)",
                    [request_id, other, iso(now), iso(now)],
                )
        return cursor.rowcount == 1

    def reminder_sent(
        self, request_id: int, lead_seconds: int, message_id: int, now: datetime
    ) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE reminders SET sent_at = ?, message_id = ? WHERE request_id = ?"
                " AND lead_seconds = ?",
                [iso(now), message_id, request_id, lead_seconds],
            )

    def release_reminder(self, request_id: int, lead_seconds: int) -> None:
        """Sending failed: let the reminder loop try again."""
        with self.transaction():
            self.db.execute(
                "DELETE FROM reminders WHERE request_id = ? AND lead_seconds = ?"
                " AND sent_at IS NULL",
                [request_id, lead_seconds],
            )

    def unconfirmed_reminders(self) -> list[tuple[int, int]]:
        """Claimed before a crash and never confirmed: they may not have reached staff."""
        return [
            (row[0], row[1])
            for row in self.db.execute(
                "SELECT request_id, lead_seconds FROM reminders WHERE kind = 'sent'"
                " AND sent_at IS NULL"
            ).fetchall()
        ]


def _visible_change(old: Order, new: Order) -> bool:
    """Whether staff would see a difference (status moves, e.g. DELIVERY -> PICKUP)."""
    return (old.status, old.substatus, old.items, old.total, old.delivery_type) != (
        new.status,
        new.substatus,
        new.items,
        new.total,
        new.delivery_type,
    )
