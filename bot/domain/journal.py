"""The journal: what happened to a request, in order, never overwritten.

The tables hold a request's current state (its deadline, its post, the last decision);
the journal keeps every step that led there, so an order's story and the statistics can
be told later even after a deadline was corrected or a post was made again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.model import Person


class Kind(StrEnum):
    SEEN = "seen"  # first stored; detail: requested_at, basis, deadline
    DEADLINE = "deadline"  # a notification corrected the request time; detail: old and new
    POSTED = "posted"  # detail: chat_id, message_id
    REPOSTED = "reposted"  # posted again (the old post was gone or the chat moved)
    POST_REFUSED = "post_refused"  # detail: why Telegram refused it
    REMINDER = "reminder"  # detail: lead_seconds
    CHOSE = "chose"  # a Choose tap asking for Confirm; detail: decision
    BACK = "back"  # Back from the Confirm step
    SENT = "sent"  # a decision sent to the Market; detail: decision
    ANSWER = "answer"  # the Market's answer; detail: result, http_status, error_code, ...
    STATUS = "status"  # the order moved; detail: status
    CLOSED = "closed"  # gone from the Market's pending list; detail: status


@dataclass(frozen=True)
class Event:
    request_id: int
    at: datetime
    kind: Kind
    detail: dict[str, Any]
    actor: Person | None = None  # who tapped, named as then (the journal keeps no username)
    before_journal: bool = False  # rebuilt from the tables by the migration: times may be partial
