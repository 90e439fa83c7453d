"""Settings from the environment and `.env`, validated up front.

Every problem is reported as one `SettingsError` naming the setting, so the owner who
deploys the desk learns what to fix without reading a traceback.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from dotenv import dotenv_values

from bot.domain.model import DECISION_WINDOW
from bot.durations import parse_duration
from bot.setting_values import (
    GroupRate,
    Network,
    api_key,
    boolean,
    campaign_ids,
    campaign_topics,
    chat_id,
    cooldown,
    digest_time,
    group_rate,
    history_days,
    language,
    lead_times,
    log_format,
    log_level,
    networks,
    poll_interval,
    port,
    positive_int,
    quiet_hours,
    reject_comment,
    staff_user_ids,
    timezone,
    token,
    url,
    user_ids,
)
from bot.texts_buyer import OZON_REJECT_DELIVERED, OZON_REJECT_IN_DELIVERY

OZON_API_URL = "https://api-seller.ozon.ru"
MARKET_NETWORKS = "5.45.207.0/25,141.8.142.0/25,5.255.253.0/25"
LOOPBACK, ANY_ADDRESS = "127.0.0.1", "0.0.0.0"  # where the HTTP server listens by default
# loopback and the private ranges: a scraper on the same host or network
LOCAL_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"

T = TypeVar("T")


class SettingsError(Exception):
    """A setting is missing or malformed; `str()` is the one line shown to the owner."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


@dataclass(frozen=True)
class DemoOptions:
    """`python -m bot demo`: how often a buyer asks, whether the Market fails now and then,
    how many simulated businesses (cabinets) it runs, in one chat or two, and whether a
    simulated Ozon seller's cabinet joins them."""

    interval: timedelta
    faults: bool
    cabinets: int = 1
    second_chat_id: int | None = None  # the second cabinet's chat; None: STAFF_CHAT_ID
    ozon: bool = False  # an Ozon cabinet too, in the second chat if there is one


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str
    staff_chat_id: int
    staff_user_ids: frozenset[int]
    market_api_key: str
    market_campaign_ids: tuple[int, ...]
    market_business_id: int | None
    poll_interval: timedelta
    reminder_lead_times: tuple[timedelta, ...]
    confirm_decisions: bool
    database_path: Path
    language: str
    timezone: ZoneInfo
    telegram_api_url: str
    market_api_url: str
    telegram_group_rate: GroupRate
    log_level: int
    http_port: int | None
    http_host: str
    notification_allowed_networks: tuple[Network, ...]
    trusted_proxies: tuple[Network, ...]
    decision_window: timedelta = DECISION_WINDOW  # compressed in the demo
    demo: DemoOptions | None = None
    # the team's day (issue 12); defaults keep the desk as it was
    claims: bool = False
    escalate_to: tuple[int, ...] = ()
    quiet_hours: tuple[time, time] | None = None  # from, to in `timezone`; may wrap midnight
    staff_topic_id: int | None = None  # the forum topic of every post
    campaign_topics: tuple[tuple[int, int], ...] = ()  # (campaign id, topic id): its own topic
    pin_summary: bool = False  # one pinned message with the open requests
    buyer_contact: bool = False  # the 📞 button: the buyer's name and phone, to the tapper only
    # the owner's view (issue 13)
    history_days: int | None = None  # None: keep settled requests forever
    digest_at: time | None = None  # local time in `timezone` of the daily digest; None: off
    digest_topic_id: int | None = None  # the forum topic the digest goes to
    # operations (issue 14)
    backup_dir: Path | None = None
    backup_keep: int = 7
    metrics_allowed_networks: tuple[Network, ...] = tuple(
        ipaddress.ip_network(net) for net in LOCAL_NETWORKS.split(",")
    )
    log_format: str = "text"
    # access (issue 18): one command per person and chat within this; 0: no cooldown
    command_cooldown: timedelta = timedelta(seconds=3)
    # several cabinets (issue 20): who may see every cabinet from a private chat
    operator_user_ids: frozenset[int] = frozenset()
    # Ozon (issue 21): every Ozon cabinet's API, and what a rejection tells the buyer
    ozon_api_url: str = OZON_API_URL
    ozon_reject_delivered_comment: str = OZON_REJECT_DELIVERED
    ozon_reject_in_delivery_comment: str = OZON_REJECT_IN_DELIVERY

    def topic_for(self, campaign_id: int) -> int | None:
        """The forum topic a campaign's posts go to; None: the general one."""
        return dict(self.campaign_topics).get(campaign_id, self.staff_topic_id)

    def __repr__(self) -> str:  # never print secrets
        return f"Settings(staff_chat_id={self.staff_chat_id}, campaigns={self.market_campaign_ids})"


class _Reader:
    """Looks settings up in one mapping and wraps parse errors with the setting's name."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def raw(self, name: str) -> str | None:
        value = self._values.get(name)
        return None if value is None or not value.strip() else value

    def required(self, name: str, parse: Callable[[str], T]) -> T:
        raw = self.raw(name)
        if raw is None:
            raise SettingsError(name, "is required but not set (see .env.example)")
        return self._parse(name, raw, parse)

    def optional(self, name: str, parse: Callable[[str], T], default: str | None) -> T | None:
        raw = self.raw(name)
        if raw is None:
            raw = default
        return None if raw is None else self._parse(name, raw, parse)

    @staticmethod
    def _parse(name: str, raw: str, parse: Callable[[str], T]) -> T:
        try:
            return parse(raw)
        except ValueError as error:
            raise SettingsError(name, str(error)) from None


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Read settings; the process environment wins over `.env`."""
    return settings_from_values(read_values(environ, env_file))


def settings_from_values(values: Mapping[str, str], *, cabinet: bool = True) -> Settings:
    """The settings in `values` (as `read_values` gives them). Without `cabinet`, those of
    the process alone (chat 0, no key, business or campaigns), for a cabinets file to
    complete per cabinet; the checks between the team's settings then wait for the
    cabinet, which may set what one of them needs."""
    return _settings_from(values, cabinet=cabinet)


def read_values(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    """The raw settings: `.env`, then the process environment over it."""
    env_file = env_file if env_file is not None else Path(".env")
    values: dict[str, str] = {}
    if env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    environment = os.environ if environ is None else environ
    values.update({key: value for key, value in environment.items() if value.strip()})
    return values


def _settings_from(values: Mapping[str, str], *, cabinet: bool = True) -> Settings:
    read = _Reader(values)
    bot_token = read.required("TELEGRAM_BOT_TOKEN", token)
    own = _own_cabinet(read) if cabinet else NO_CABINET
    return Settings(
        telegram_bot_token=bot_token,
        **own,
        staff_user_ids=_staff_user_ids(read),
        poll_interval=read.optional("POLL_INTERVAL", poll_interval, "60"),
        reminder_lead_times=read.optional("REMINDER_LEAD_TIMES", lead_times, "24h,6h,1h"),
        confirm_decisions=read.optional("CONFIRM_DECISIONS", boolean, "true"),
        database_path=Path(read.optional("DATABASE_PATH", str, "data/desk.db")),
        language=read.optional("LANGUAGE", language, "ru"),
        timezone=read.optional("TIMEZONE", timezone, "Europe/Moscow"),
        telegram_api_url=read.optional("TELEGRAM_API_URL", url, "https://api.telegram.org/bot"),
        market_api_url=read.optional(
            "MARKET_API_URL", url, "https://api.partner.market.yandex.ru"
        ).rstrip("/"),
        telegram_group_rate=read.optional("TELEGRAM_GROUP_RATE", group_rate, "20/60s"),
        log_level=read.optional("LOG_LEVEL", log_level, "INFO"),
        http_port=read.optional("HTTP_PORT", port, None) or read.optional("PORT", port, None),
        http_host=read.optional("HTTP_HOST", str, _default_host(read)).strip(),
        notification_allowed_networks=read.optional(
            "NOTIFICATION_ALLOWED_NETWORKS", networks, MARKET_NETWORKS
        ),
        trusted_proxies=read.optional("TRUSTED_PROXIES", networks, ""),
        history_days=read.optional("HISTORY_DAYS", history_days, None),
        digest_at=read.optional("DIGEST_AT", digest_time, None),
        digest_topic_id=read.optional("DIGEST_TOPIC_ID", positive_int, None),
        **_team_settings(read, own["market_campaign_ids"], checked=cabinet),
        backup_dir=read.optional("BACKUP_DIR", lambda text: Path(text.strip()), None),
        backup_keep=read.optional("BACKUP_KEEP", positive_int, "7"),
        metrics_allowed_networks=read.optional(
            "METRICS_ALLOWED_NETWORKS", networks, LOCAL_NETWORKS
        ),
        log_format=read.optional("LOG_FORMAT", log_format, "text"),
        command_cooldown=read.optional("COMMAND_COOLDOWN", cooldown, "3s"),
        operator_user_ids=read.optional("OPERATOR_USER_IDS", staff_user_ids, None) or frozenset(),
        **_ozon_settings(read),
    )


def _ozon_settings(read: _Reader) -> dict[str, Any]:
    """The process's Ozon settings: Ozon cabinets come from the cabinets file alone."""
    return {
        "ozon_api_url": read.optional("OZON_API_URL", url, OZON_API_URL).rstrip("/"),
        "ozon_reject_delivered_comment": read.optional(
            "OZON_REJECT_DELIVERED_COMMENT", reject_comment, OZON_REJECT_DELIVERED
        ),
        "ozon_reject_in_delivery_comment": read.optional(
            "OZON_REJECT_IN_DELIVERY_COMMENT", reject_comment, OZON_REJECT_IN_DELIVERY
        ),
    }


#: The fields a cabinet alone sets, as a desk of cabinets' process settings hold them.
NO_CABINET: dict[str, Any] = {
    "staff_chat_id": 0,
    "market_api_key": "",
    "market_campaign_ids": (),
    "market_business_id": None,
}


def _own_cabinet(read: _Reader) -> dict[str, Any]:
    """The one cabinet of a desk configured from the environment alone."""
    return {
        "staff_chat_id": read.required("STAFF_CHAT_ID", chat_id),
        "market_api_key": read.required("MARKET_API_KEY", api_key),
        "market_campaign_ids": read.required("MARKET_CAMPAIGN_IDS", campaign_ids),
        "market_business_id": read.optional("MARKET_BUSINESS_ID", positive_int, None),
    }


def _staff_user_ids(read: _Reader) -> frozenset[int]:
    return read.optional("STAFF_USER_IDS", staff_user_ids, None) or frozenset()


def _default_host(read: _Reader) -> str:
    """Loopback, for a reverse proxy on the same machine; every address when a Procfile
    platform's `PORT` alone asks for the server, since its router must reach it."""
    platform = read.raw("PORT") is not None and read.raw("HTTP_PORT") is None
    return ANY_ADDRESS if platform else LOOPBACK


def _buyer_contact(read: _Reader, checked: bool) -> bool:
    """Buyers' phones only for listed staff: with STAFF_USER_IDS empty anyone could read them."""
    wanted = bool(read.optional("BUYER_CONTACT", boolean, "false"))
    if wanted and checked and not _staff_user_ids(read):  # the list as parsed, never the raw text
        raise SettingsError(
            "BUYER_CONTACT", "needs STAFF_USER_IDS, or every group member could read buyers' phones"
        )
    return wanted


def _team_settings(read: _Reader, campaign_ids: tuple[int, ...], checked: bool) -> dict[str, Any]:
    """The team's settings (issue 12), checked against each other when `checked`."""
    return {
        "claims": read.optional("CLAIMS", boolean, "false"),
        "escalate_to": read.optional("ESCALATE_TO", user_ids, "") or (),
        "quiet_hours": read.optional("QUIET_HOURS", quiet_hours, None),
        "staff_topic_id": read.optional("STAFF_TOPIC_ID", positive_int, None),
        "campaign_topics": read.optional(
            "CAMPAIGN_TOPICS", lambda text: campaign_topics(text, campaign_ids), ""
        ),
        "pin_summary": read.optional("PIN_SUMMARY", boolean, "false"),
        "buyer_contact": _buyer_contact(read, checked),
    }


#: What the demo never uses: the simulator stands in for the Market, and never calls back.
DEMO_IGNORES = (
    "MARKET_API_KEY",
    "MARKET_CAMPAIGN_IDS",
    "MARKET_BUSINESS_ID",
    "MARKET_API_URL",
    "OZON_API_URL",  # the demo's Ozon cabinet calls the simulated Ozon
    "DATABASE_PATH",
    "POLL_INTERVAL",
    "HTTP_PORT",
    "PORT",
    "CAMPAIGN_TOPICS",  # names the shop's campaigns; the demo's are the simulator's
    "CABINETS_FILE",  # names real businesses; DEMO_CABINETS runs the simulated ones
)
DEMO_SPEEDUP = 60  # 48 h to answer become 48 min, a 24 h reminder comes 24 min before


def load_demo_settings(
    market: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
) -> tuple[Settings, list[str]]:
    """The demo's settings and the names of the set ones it ignores.

    The staff settings are read and checked as for the desk; `market` (the simulator's
    MARKET_* values) replaces the Market's, and time is compressed by `DEMO_SPEEDUP`.
    """
    values = read_values(environ, env_file)
    ignored = [name for name in DEMO_IGNORES if name in values]
    values = {name: value for name, value in values.items() if name not in DEMO_IGNORES}
    values |= dict(market) | {"DATABASE_PATH": values.get("DEMO_DATABASE_PATH", "data/demo.db")}
    values["POLL_INTERVAL"] = "10s"  # the simulator is in the process: ask it often
    settings = _settings_from(values)
    read = _Reader(values)
    options = DemoOptions(
        interval=read.optional("DEMO_INTERVAL", _demo_interval, "2m"),
        faults=read.optional("DEMO_FAULTS", boolean, "false"),
        cabinets=read.optional("DEMO_CABINETS", _demo_cabinets, "1"),
        second_chat_id=read.optional("DEMO_SECOND_CHAT_ID", chat_id, None),
        ozon=read.optional("DEMO_OZON", boolean, "false"),
    )
    if options.second_chat_id is not None and options.cabinets < 2 and not options.ozon:
        raise SettingsError(
            "DEMO_SECOND_CHAT_ID", "is the second cabinet's: set DEMO_CABINETS=2 or DEMO_OZON=true"
        )
    leads = {
        max(round(lead.total_seconds() / DEMO_SPEEDUP), 1) for lead in settings.reminder_lead_times
    }
    compressed = dataclasses.replace(
        settings,
        decision_window=DECISION_WINDOW / DEMO_SPEEDUP,
        reminder_lead_times=tuple(timedelta(seconds=s) for s in sorted(leads, reverse=True)),
        demo=options,
    )
    return compressed, ignored


def _demo_cabinets(text: str) -> int:
    if text.strip() not in ("1", "2"):
        raise ValueError(f"{text!r} is not 1 or 2 (the simulated businesses)")
    return int(text)


def _demo_interval(text: str) -> timedelta:
    interval = parse_duration(text)
    if interval < timedelta(seconds=10):
        raise ValueError("must be at least 10 seconds")
    return interval
