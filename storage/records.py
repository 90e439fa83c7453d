"""Rows into the domain's records: the one place that knows both shapes.

A decision is stored as the one letter every version of the desk wrote ('a', 'd', 'c');
the rest of the desk knows only `Decision`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.domain.model import (
    Basis,
    Claim,
    Decision,
    DecisionRecord,
    DecisionResult,
    Order,
    Person,
    Post,
    Request,
    RequestState,
    RequestTime,
)
from storage.times import from_iso

REQUEST_SELECT = """
SELECT r.*, p.chat_id, p.message_id, p.posted_at, p.confirming, p.dirty, p.thread_id,
    c.user_id AS claim_user_id, c.user_name AS claim_user_name,
    c.username AS claim_username, c.claimed_at
FROM requests r LEFT JOIN posts p ON p.request_id = r.id
LEFT JOIN claims c ON c.request_id = r.id
"""


LETTERS = {
    Decision.ACCEPT: "a",
    Decision.REJECT_DELIVERED: "d",
    Decision.REJECT_IN_DELIVERY: "c",
}
_BY_LETTER = {letter: decision for decision, letter in LETTERS.items()}

log = logging.getLogger(__name__)
_said: set[int] = set()  # rows already logged as unreadable, once per process each


def decision_of(letter: str) -> Decision:
    """The decision a stored letter means; ValueError for any other text."""
    try:
        return _BY_LETTER[letter]
    except KeyError:
        raise ValueError(f"{letter!r} is not a stored decision") from None


def requests_from(rows: Iterable[dict[str, Any]]) -> list[Request]:
    """The rows that read as requests. A row damaged outside the desk (an edit by hand, a
    bad restore) is left out and logged once, so it costs only itself, not every poll."""
    requests = []
    for row in rows:
        try:
            requests.append(request_from(row))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            if row.get("id") not in _said:
                _said.add(row.get("id"))
                log.error(
                    "Request %s (order %s) cannot be read from the database and is left out"
                    " until it is fixed or restored: %r",
                    row.get("id"),
                    row.get("order_id"),
                    error,
                )
    return requests


def request_from(row: dict[str, Any]) -> Request:
    post = None
    if row["message_id"] is not None:
        post = Post(
            chat_id=row["chat_id"],
            message_id=row["message_id"],
            posted_at=datetime.fromisoformat(row["posted_at"]),
            confirming=decision_of(row["confirming"]) if row["confirming"] else None,
            dirty=row["dirty"],
            thread_id=row["thread_id"],
        )
    return Request(
        id=row["id"],
        campaign_id=row["campaign_id"],
        order_id=row["order_id"],
        business_id=row["business_id"],
        state=RequestState(row["state"]),
        order=Order.from_json(row["order_json"]),
        first_seen=datetime.fromisoformat(row["first_seen"]),
        request_time=_request_time(row),
        closed_at=from_iso(row["closed_at"]),
        closed_status=row["closed_status"],
        post=post,
        claim=_claim_from(row),
    )


def _claim_from(row: dict[str, Any]) -> Claim | None:
    if row["claim_user_id"] is None:
        return None
    return Claim(
        person=Person(row["claim_user_id"], row["claim_user_name"], row["claim_username"]),
        claimed_at=datetime.fromisoformat(row["claimed_at"]),
    )


def decision_from(row: dict[str, Any]) -> DecisionRecord:
    return DecisionRecord(
        id=row["id"],
        request_id=row["request_id"],
        decision=decision_of(row["decision"]),
        person=Person(row["user_id"], row["user_name"], row["username"]),
        started_at=datetime.fromisoformat(row["started_at"]),
        finished_at=from_iso(row["finished_at"]),
        result=DecisionResult(row["result"]) if row["result"] else None,
        http_status=row["http_status"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        retry_at=from_iso(row["retry_at"]),
    )


def _request_time(row: dict[str, Any]) -> RequestTime:
    """The window is kept as the deadline written with it: the demo's is compressed."""
    at = datetime.fromisoformat(row["requested_at"])
    window = datetime.fromisoformat(row["deadline"]) - at
    return RequestTime(at, Basis(row["request_basis"]), window)
