"""A notification's body as the Market sends it, read strictly, and the desk's answers.

Anyone allowed to reach the endpoint may post anything: whatever is not a notification the
desk can read raises `MalformedNotification` (a 400 WRONG_EVENT_FORMAT), never another
error (a 500 and a traceback). Pure: no I/O.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from bot.domain.market_time import parse_market_datetime

NAME = "cancellation-desk"

PING = "PING"
CANCELLATION_REQUEST = "ORDER_CANCELLATION_REQUEST"
CANCELLED = "ORDER_CANCELLED"
STATUS_UPDATED = "ORDER_STATUS_UPDATED"
ORDER_TYPES = frozenset({CANCELLATION_REQUEST, CANCELLED, STATUS_UPDATED})
_DECIMAL = re.compile(r"[0-9]{1,19}")  # an int64 written as a string; not "²", nor 5,000 digits

TYPE_NAME_LIMIT = 64
TYPE_NAME = re.compile(rf"[A-Z][A-Z0-9_]{{0,{TYPE_NAME_LIMIT - 1}}}")


def _version() -> str:
    try:
        return metadata.version(NAME)
    except metadata.PackageNotFoundError:
        return "0.1.0"


VERSION = _version()


class MalformedNotification(ValueError):
    """The body is not a notification the desk can read: answered 400 WRONG_EVENT_FORMAT."""


@dataclass(frozen=True)
class Notification:
    type: str
    campaign_id: int | None = None  # set for the order types the desk handles
    order_id: int | None = None
    requested_at: datetime | None = None  # ORDER_CANCELLATION_REQUEST only


def utc_stamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the Market's own examples write it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ok_body(now: datetime) -> dict[str, str]:
    """The answer to every notification processed or deliberately ignored (§6.2, §6.7)."""
    return {"version": VERSION, "name": NAME, "time": utc_stamp(now)}


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"type": error_type, "message": message}}


def _int64(data: dict[str, Any], field: str) -> int:
    value = data.get(field)
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        if value is None:
            raise MalformedNotification(f"{field} is missing")
        raise MalformedNotification(f"{field} is not a number")
    if not 0 < value < 2**63:
        raise MalformedNotification(f"{field} is out of range")
    return value


def parse_notification(body: bytes) -> Notification:
    """Read a notification; raises MalformedNotification for what the Market should fix."""
    data = _strict_json(body)
    if not isinstance(data, dict):
        raise MalformedNotification("the body is not a JSON object")
    kind = data.get("notificationType")
    if not isinstance(kind, str) or not kind.strip():
        raise MalformedNotification("notificationType is missing")
    if kind not in ORDER_TYPES:
        return Notification(_type_name(kind), *_lenient_ids(data))  # PING, or one ignored
    campaign_id, order_id = _int64(data, "campaignId"), _int64(data, "orderId")
    requested_at = None
    if kind == CANCELLATION_REQUEST:
        raw = data.get("requestedAt")
        if not isinstance(raw, str):
            raise MalformedNotification("requestedAt is missing")
        try:
            requested_at = parse_market_datetime(raw)
        except ValueError:
            raise MalformedNotification("requestedAt is not an ISO 8601 date-time") from None
    return Notification(kind, campaign_id, order_id, requested_at)


def _type_name(kind: str) -> str:
    """A type as the log shows it: a name like the Market's, or the start of anything else,
    quoted, so that a 64 KB or multi-line type can neither flood nor forge the log."""
    if TYPE_NAME.fullmatch(kind):
        return kind
    return repr(kind[:TYPE_NAME_LIMIT]) + ("…" if len(kind) > TYPE_NAME_LIMIT else "")


def _strict_json(body: bytes) -> Any:
    """JSON as RFC 8259 has it, read one way only. What readers take differently (a repeated
    key, NaN, a number beyond a double) and nesting deeper than Python recurses make the
    body malformed (a 400), never an error of ours (a 500 and a traceback)."""
    try:
        return json.loads(
            body,
            object_pairs_hook=_unique_keys,
            parse_float=_finite,
            parse_constant=_not_json,
        )
    except MalformedNotification:
        raise
    except RecursionError:
        raise MalformedNotification("the body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):  # an int past sys's digit limit too
        raise MalformedNotification("the body is not JSON") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise MalformedNotification("the body repeats a key")
    return data


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise MalformedNotification("the body has a number beyond a double")
    return number


def _not_json(text: str) -> None:
    raise MalformedNotification(f"{text} is not JSON")


def _lenient_ids(data: dict[str, Any]) -> tuple[int | None, int | None]:
    """Ids of a notification the desk ignores, for the log line only."""
    ids = []
    for field in ("campaignId", "orderId"):
        try:
            ids.append(_int64(data, field))
        except MalformedNotification:
            ids.append(None)
    return ids[0], ids[1]
