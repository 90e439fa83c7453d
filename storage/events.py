"""The events table: the append-only journal of each request (see `bot.domain.journal`).

A decision in an event's detail is stored as its letter and read back as a `Decision`,
its result as a `DecisionResult`, like the decisions table's own columns.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.domain.journal import Event, Kind
from bot.domain.model import Decision, DecisionResult, Person
from storage.database import Database
from storage.records import LETTERS, decision_of
from storage.times import iso


class Events:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        request_id: int,
        kind: Kind,
        at: datetime,
        actor: Person | None = None,
        **detail: Any,
    ) -> None:
        """Called inside the transaction of the change it records: both or neither."""
        self.db.execute(
            "INSERT INTO events (request_id, at, kind, user_id, user_name, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                request_id,
                iso(at),
                kind.value,
                actor.user_id if actor else None,
                actor.name if actor else None,
                json.dumps(detail, ensure_ascii=False, default=_stored),
            ],
        )

    def of(self, request_id: int) -> list[Event]:
        rows = self.db.rows(
            "SELECT * FROM events WHERE request_id = ? ORDER BY at, id", [request_id]
        )
        return [_event_from(row) for row in rows]

    def has(self, request_id: int, kind: Kind) -> bool:
        return bool(
            self.db.value(
                "SELECT 1 FROM events WHERE request_id = ? AND kind = ? LIMIT 1",
                [request_id, kind.value],
            )
        )


def _stored(value: object) -> str:
    """What JSON cannot write by itself: a decision as its letter, the rest (times) as text."""
    return LETTERS[value] if isinstance(value, Decision) else str(value)


def _event_from(row: dict[str, Any]) -> Event:
    detail = json.loads(row["detail"])
    if detail.get("decision") is not None:
        detail["decision"] = decision_of(detail["decision"])
    if detail.get("result") is not None:
        detail["result"] = DecisionResult(detail["result"])
    actor = Person(row["user_id"], row["user_name"]) if row["user_id"] is not None else None
    return Event(
        request_id=row["request_id"],
        at=datetime.fromisoformat(row["at"]),
        kind=Kind(row["kind"]),
        detail=detail,
        actor=actor,
        before_journal=bool(detail.pop("before_journal", False)),
    )
