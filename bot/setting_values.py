"""How each setting's text becomes a value; a ValueError's message says what is wrong.

Pure functions: `bot.config` reads the settings and names the one that failed.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from datetime import time, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.model import DECISION_WINDOW
from bot.durations import parse_duration

LOG_FORMATS = ("text", "json")
#: The longest rejection comment sent to Ozon. The spec sets no limit; the buyer reads it
#: in Ozon's app, where a few sentences are what a reason needs.
REJECT_COMMENT_LIMIT = 500
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class GroupRate:
    """At most `messages` per `window` in the staff chat."""

    messages: int
    window: timedelta


def int_list(text: str, *, what: str) -> list[int]:
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"[0-9]+", part) or int(part) < 1:
            raise ValueError(
                f"{part!r} is not a {what} (expected comma-separated positive numbers)"
            )
        values.append(int(part))
    return values


def campaign_ids(text: str) -> tuple[int, ...]:
    ids = int_list(text, what="campaign id")
    if not ids:
        raise ValueError("no campaign ids given")
    if len(set(ids)) != len(ids):
        raise ValueError("a campaign id is listed twice")
    return tuple(ids)


def chat_id(text: str) -> int:
    if not re.fullmatch(r"-?[0-9]+", text.strip()) or int(text) == 0:
        raise ValueError(f"{text!r} is not a chat id (e.g. -1001234567890)")
    return int(text)


def positive_int(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise ValueError(f"{text!r} is not a positive whole number")
    return int(text)


def token(text: str) -> str:
    if not re.fullmatch(r"[0-9]+:[A-Za-z0-9_-]{10,}", text.strip()):
        raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
    return text.strip()


def api_key(text: str) -> str:
    text = text.strip()
    if text.lower().startswith("bearer "):
        raise ValueError("give the Api-Key alone, without the 'Bearer' prefix")
    if not text or any(ch.isspace() for ch in text):
        raise ValueError("the Api-Key must be one word without spaces")
    if not text.isascii() or not text.isprintable():
        # an HTTP header cannot carry it: every call would fail, the first one at start
        raise ValueError("the Api-Key has a character that is not plain ASCII (a copy error?)")
    return text


def poll_interval(text: str) -> timedelta:
    interval = parse_duration(text)
    if interval < timedelta(seconds=1):
        raise ValueError("must be at least 1 second")
    return interval


def lead_times(text: str) -> tuple[timedelta, ...]:
    if text.strip().lower() in {"none", "off"}:
        return ()
    leads = {parse_duration(part) for part in text.split(",") if part.strip()}
    for lead in leads:
        if lead >= DECISION_WINDOW:
            raise ValueError("every lead time must be shorter than the 48h decision window")
        if lead.total_seconds() != int(lead.total_seconds()):
            raise ValueError("lead times are whole seconds")
    return tuple(sorted(leads, reverse=True))


def boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{text!r} is not true or false")


def language(text: str) -> str:
    if text.strip().lower() not in {"ru", "en"}:
        raise ValueError(f"{text!r} is not supported; use ru or en")
    return text.strip().lower()


def timezone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{text!r} is not an IANA time zone like Europe/Moscow") from None


def url(text: str) -> str:
    parsed = urlparse(text.strip())
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text.strip()


def reject_comment(text: str) -> str:
    """A reason the buyer reads on Ozon: one line, short enough to read at a glance."""
    text = text.strip()
    if not text:
        raise ValueError("is empty; the buyer would learn no reason")
    if len(text) > REJECT_COMMENT_LIMIT:
        raise ValueError(f"is {len(text)} characters long; at most {REJECT_COMMENT_LIMIT}")
    if not text.isprintable():
        raise ValueError("must be one line of printable text")
    return text


def group_rate(text: str) -> GroupRate:
    match = re.fullmatch(r"\s*([0-9]+)\s*/\s*(\S+)\s*", text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not a rate like 20/60s")
    return GroupRate(int(match.group(1)), parse_duration(match.group(2)))


def log_level(text: str) -> int:
    names = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING}
    names["ERROR"] = logging.ERROR
    if text.strip().upper() not in names:
        raise ValueError(f"{text!r} is not one of {', '.join(names)}")
    return names[text.strip().upper()]


def port(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text.strip()) or not 1 <= int(text) <= 65535:
        raise ValueError(f"{text!r} is not a TCP port (1-65535)")
    return int(text)


def log_format(text: str) -> str:
    if text.strip().lower() not in LOG_FORMATS:
        raise ValueError(f"{text!r} is not one of {', '.join(LOG_FORMATS)}")
    return text.strip().lower()


def networks(text: str) -> tuple[Network, ...]:
    networks = []
    for part in text.split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{part.strip()!r} is not a network like 10.0.0.0/8") from None
    return tuple(networks)


def user_ids(text: str) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int_list(text, what="user id")))


def staff_user_ids(text: str) -> frozenset[int]:
    """A set text restricts: one that names no one is a mistake, never "everyone"."""
    ids = int_list(text, what="user id")
    if not ids:
        raise ValueError(f"{text.strip()!r} names no user")
    twice = next((user_id for n, user_id in enumerate(ids) if user_id in ids[:n]), None)
    if twice is not None:
        raise ValueError(f"user id {twice} is listed twice")
    return frozenset(ids)


def cooldown(text: str) -> timedelta:
    if text.strip().lower() in {"0", "off"}:
        return timedelta(0)
    return parse_duration(text)


def clock_time(text: str) -> time:
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a time like 22:00")
    return time(int(match.group(1)), int(match.group(2)))


def campaign_topics(text: str, campaign_ids: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    pairs: dict[int, int] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        match = re.fullmatch(r"([0-9]+)\s*:\s*([0-9]+)", part)
        if not match or min(int(match.group(1)), int(match.group(2))) < 1:
            raise ValueError(f"{part!r} is not campaignId:topicId")
        campaign_id, topic_id = int(match.group(1)), int(match.group(2))
        if campaign_id not in campaign_ids:
            raise ValueError(f"campaign {campaign_id} is not in MARKET_CAMPAIGN_IDS")
        if campaign_id in pairs:
            raise ValueError(f"campaign {campaign_id} is given twice")
        pairs[campaign_id] = topic_id
    return tuple(pairs.items())


def quiet_hours(text: str) -> tuple[time, time] | None:
    if text.strip().lower() in {"none", "off"}:
        return None
    start, dash, end = text.partition("-")
    if not dash:
        raise ValueError(f"{text!r} is not a span like 22:00-08:00")
    span = (clock_time(start), clock_time(end))
    if span[0] == span[1]:
        raise ValueError("the quiet hours start and end at the same time")
    return span


def history_days(text: str) -> int | None:
    if text.strip().lower() in {"forever", "0", "off"}:
        return None
    return positive_int(text)


def digest_time(text: str) -> time | None:
    return None if text.strip().lower() == "off" else clock_time(text)
