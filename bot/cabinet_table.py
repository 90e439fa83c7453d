"""One `[[cabinet]]` table of the cabinets file, checked key by key into a Cabinet: a
Market cabinet (`marketplace = "yandex"`, the default) or an Ozon one (`"ozon"`).

The values go through the environment's own validators (bot.setting_values), so a cabinet
accepts what the environment accepts. TOML's types are checked first: a string where a
boolean belongs is a mistake to report, never a value to guess at.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.cabinet import Cabinet
from bot.config import Settings
from bot.domain.model import Marketplace, ozon_campaign
from bot.setting_values import (
    api_key,
    campaign_ids,
    campaign_topics,
    chat_id,
    digest_time,
    language,
    lead_times,
    quiet_hours,
    staff_user_ids,
    timezone,
    user_ids,
)

#: An environment variable's name, in capitals: a key pasted in its place never matches,
#: so a message naming the variable cannot show a key.
VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


class KeyProblem(Exception):
    """One key of a cabinet is wrong; the file's reader adds the file and the cabinet."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key


def _shown(value: object) -> str:
    """A value as the file spells it, for booleans; as Python's repr for the rest."""
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{_shown(value)} is not a string (TOML strings are quoted)")
    return value


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{_shown(value)} is not a whole number")
    return value


def _positive(value: object) -> int:
    number = _whole(value)
    if number < 1:
        raise ValueError(f"{number} is not a positive whole number")
    return number


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{_shown(value)} is not true or false (TOML booleans are unquoted)")
    return value


def _array(value: object, like: str = "[1, 2]") -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"{_shown(value)} is not an array like {like}")
    return value


def _numbers(value: object) -> str:
    """A TOML array of positive numbers as the environment's comma-separated text."""
    return ",".join(str(_positive(item)) for item in _array(value))


def _staff(value: object) -> frozenset[int]:
    if not _array(value):
        raise ValueError("[] names no user (leave the key out to use STAFF_USER_IDS)")
    return staff_user_ids(_numbers(value))


def _leads(value: object) -> tuple[Any, ...]:
    return lead_times(",".join(_text(item) for item in _array(value, '["24h", "1h30m"]')))


#: The keys that replace the environment's setting of the same (lower-case) name.
TEAM_KEYS: dict[str, Callable[[object], Any]] = {
    "staff_user_ids": _staff,
    "staff_topic_id": _positive,
    "language": lambda value: language(_text(value)),
    "timezone": lambda value: timezone(_text(value)),
    "reminder_lead_times": _leads,
    "quiet_hours": lambda value: quiet_hours(_text(value)),
    "escalate_to": lambda value: user_ids(_numbers(value)),
    "claims": _flag,
    "buyer_contact": _flag,
    "pin_summary": _flag,
    "confirm_decisions": _flag,
    "digest_at": lambda value: digest_time(_text(value)),
    "digest_topic_id": _positive,
}
REQUIRED_KEYS = ("name", "business_id", "api_key_env", "staff_chat_id")
OWN_KEYS = (*REQUIRED_KEYS, "marketplace", "campaign_ids", "campaign_topics")
KNOWN_KEYS = frozenset({*OWN_KEYS, *TEAM_KEYS})
OZON_REQUIRED_KEYS = ("name", "client_id", "api_key_env", "staff_chat_id")
#: The Market's keys an Ozon cabinet has no use for, each with why: a key that would be
#: ignored is a mistake to report, never a setting to drop silently.
NOT_FOR_OZON = {
    "business_id": "is a Market cabinet's; an Ozon cabinet is known by its client_id",
    "campaign_ids": "is a Market cabinet's; an Ozon cabinet is one Client-Id, without campaigns",
    "campaign_topics": "is a Market cabinet's; an Ozon cabinet's posts go to its staff_topic_id",
    "buyer_contact": "is not offered for Ozon cabinets: their posts have no buyer's phone button",
}
OZON_KNOWN_KEYS = frozenset({*OZON_REQUIRED_KEYS, "marketplace", *TEAM_KEYS}) - set(NOT_FOR_OZON)


def _checked(key: str, value: object, convert: Callable[[object], Any]) -> Any:
    try:
        return convert(value)
    except ValueError as error:
        raise KeyProblem(key, str(error)) from None


def cabinet_name(table: Mapping[str, object]) -> str:
    """The name first, so every later problem names the cabinet it is in."""
    if "name" not in table:
        raise KeyProblem("name", "is required")
    name = _checked("name", table["name"], _text).strip()
    if not name or not name.isprintable():
        raise KeyProblem("name", "must be printable text on one line, not empty")
    return name


def cabinet_of(
    name: str, table: Mapping[str, object], base: Settings, values: Mapping[str, str]
) -> Cabinet:
    """The cabinet `table` describes; what it does not set is `base`'s (the environment's)."""
    marketplace = _marketplace(table)
    ozon = marketplace is Marketplace.OZON
    _known_keys_only(table, ozon)
    own = _ozon_own(table, base, values) if ozon else _market_own(table, values)
    team = {key: _checked(key, table[key], TEAM_KEYS[key]) for key in TEAM_KEYS if key in table}
    settings = dataclasses.replace(base, **own, **team)
    if settings.buyer_contact and not settings.staff_user_ids:
        raise KeyProblem(
            "buyer_contact", "needs staff_user_ids, or every group member could read buyers' phones"
        )
    return Cabinet(name, settings, marketplace)


def _market_own(table: Mapping[str, object], values: Mapping[str, str]) -> dict[str, Any]:
    campaigns = _campaigns(table)
    return {
        "market_api_key": _key(table["api_key_env"], values),
        "market_business_id": _checked("business_id", table["business_id"], _positive),
        "market_campaign_ids": campaigns,
        "staff_chat_id": _checked("staff_chat_id", table["staff_chat_id"], _chat),
        "campaign_topics": _topics(table.get("campaign_topics"), campaigns),
    }


def _ozon_own(
    table: Mapping[str, object], base: Settings, values: Mapping[str, str]
) -> dict[str, Any]:
    """An Ozon seller in a Market cabinet's fields (its key, its Client-Id as the business,
    one campaign `ozon_campaign(client_id)`), so scopes, rooms and routing serve it as they
    serve a Market cabinet; `OZON_API_URL` replaces the Market's."""
    client_id = _checked("client_id", table["client_id"], _positive)
    return {
        "market_api_key": _key(table["api_key_env"], values),
        "market_business_id": client_id,
        "market_campaign_ids": (ozon_campaign(client_id),),
        "market_api_url": base.ozon_api_url,
        "staff_chat_id": _checked("staff_chat_id", table["staff_chat_id"], _chat),
        "campaign_topics": (),
        "buyer_contact": False,
    }


def _known_keys_only(table: Mapping[str, object], ozon: bool) -> None:
    for key in table:
        if key == "api_key":
            raise KeyProblem(
                key,
                "unknown key (keys stay out of the file: name the variable "
                "that holds it in api_key_env)",
            )
        if ozon and key in NOT_FOR_OZON:
            raise KeyProblem(key, NOT_FOR_OZON[key])
        if not ozon and key == "client_id":
            raise KeyProblem(key, 'is an Ozon cabinet\'s: add marketplace = "ozon"')
        if key not in (OZON_KNOWN_KEYS if ozon else KNOWN_KEYS):
            raise KeyProblem(key, "unknown key")
    for key in OZON_REQUIRED_KEYS if ozon else REQUIRED_KEYS:
        if key not in table:
            raise KeyProblem(key, "is required")


def _chat(value: object) -> int:
    return chat_id(str(_whole(value)))


SERVED = (Marketplace.YANDEX, Marketplace.OZON)  # the kinds of cabinet the desk can run


def _marketplace(table: Mapping[str, object]) -> Marketplace:
    text = _checked("marketplace", table.get("marketplace", Marketplace.YANDEX), _text)
    if text not in SERVED:
        known = ", ".join(SERVED)
        raise KeyProblem("marketplace", f"{text!r} is not one the desk knows ({known})")
    return Marketplace(text)


def _key(variable: object, values: Mapping[str, str]) -> str:
    """The cabinet's key (the Market's or Ozon's Api-Key) from the variable the file names;
    never shown, nor anything like it."""
    name = variable.strip() if isinstance(variable, str) else ""
    if not VARIABLE_NAME.fullmatch(name):
        raise KeyProblem(
            "api_key_env",
            "must be the name of an environment variable (capitals, digits, _) that holds "
            "the key, never the key itself",
        )
    raw = values.get(name, "")
    if not raw.strip():
        raise KeyProblem("api_key_env", f"{name} is not set")
    try:
        return api_key(raw)
    except ValueError as error:
        raise KeyProblem("api_key_env", f"{name}: {error}") from None


def _campaigns(table: Mapping[str, object]) -> tuple[int, ...]:
    """The listed campaigns; none: every DBS campaign the key can see."""
    if "campaign_ids" not in table:
        return ()
    if _checked("campaign_ids", table["campaign_ids"], _array) == []:
        raise KeyProblem(
            "campaign_ids",
            "[] names no campaign (leave the key out for every DBS campaign the key can see)",
        )
    return _checked(
        "campaign_ids", table["campaign_ids"], lambda value: campaign_ids(_numbers(value))
    )


def _topics(value: object, campaigns: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise KeyProblem("campaign_topics", f"{_shown(value)} is not a table like {{ 2110 = 5 }}")
    if not campaigns:
        raise KeyProblem("campaign_topics", "needs campaign_ids naming its campaigns")
    pairs = []
    for campaign, topic in value.items():
        if not re.fullmatch(r"[0-9]+", campaign) or int(campaign) not in campaigns:
            raise KeyProblem("campaign_topics", f"{campaign!r} is not a campaign in campaign_ids")
        pairs.append(f"{int(campaign)}:{_checked('campaign_topics', topic, _positive)}")
    return _checked(
        "campaign_topics", ",".join(pairs), lambda text: campaign_topics(text, campaigns)
    )
