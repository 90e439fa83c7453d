"""Wiring: the pieces built once, handed what each uses, started and stopped. No logic here.

One bot, one database and one HTTP endpoint serve every cabinet; each cabinet has its own
Market side (bot/cabinet_side.py) and each staff chat its own room and outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.assembly import Assembly, Parts, by_chat, spaced, style_of
from bot.cabinet import Desk
from bot.cabinet_side import Shared
from bot.cabinets_file import DeskSource
from bot.chat import handlers
from bot.chat.cooldown import Cooldown
from bot.chat.handlers import DeskData
from bot.chat.ratelimit import GroupRateLimiter
from bot.chat.rooms import Rooms
from bot.config import Settings
from bot.intake.notifications import Inboxes
from bot.lifecycle import serve
from bot.market.client import shared_http
from bot.ops.backups import DailyBackups
from bot.ops.operators import Operators
from bot.ops.storage_trouble import StorageTrouble
from bot.owner import commands as owner
from bot.owner import operators
from bot.reload import Reloader
from bot.signals import Activity, Shutdown, Wakeup
from storage.store import Store

if TYPE_CHECKING:
    from bot.intake.http import HttpServer

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(
    desk: Desk,
    store: Store,
    *,
    make_bot: Callable[..., ExtBot[None]] = ExtBot,
    market_transport: httpx.AsyncBaseTransport | None = None,
    source: DeskSource | None = None,
) -> Application:
    """The desk; the demo hands in its own bot (marked texts) and Market (the simulator).
    `source`: where a reload reads the cabinets again (None: nothing to reload)."""
    settings = desk.settings
    limiter = GroupRateLimiter(settings.telegram_group_rate)
    application = (
        ApplicationBuilder()
        .bot(make_bot(settings.telegram_bot_token, **_bot_options(settings, limiter)))
        .concurrent_updates(True)  # a tap is never stuck behind a long /pending reply
        .context_types(ContextTypes(bot_data=DeskData))
        .job_queue(None)  # timers live in the database, rebuilt by the desk's own loops
        .build()
    )
    assembly, parts = _wire(application, desk, store, limiter, market_transport)
    application.bot_data.reload = Reloader(assembly, parts, desk.cabinets, source)
    application.bot_data.cooldown = Cooldown(settings.command_cooldown.total_seconds())
    if settings.backup_dir is not None:
        application.bot_data.loops.append(DailyBackups.for_settings(settings).run)
    handlers.register(application)
    owner.register(application)
    operators.register(application)
    return application


def _bot_options(settings: Settings, limiter: GroupRateLimiter) -> dict[str, Any]:
    """How the desk's bot talks to Telegram: what ApplicationBuilder would set, and ours."""
    return {
        "base_url": settings.telegram_api_url,
        "request": HTTPXRequest(connection_pool_size=256),
        "get_updates_request": HTTPXRequest(connection_pool_size=1),
        "rate_limiter": limiter,
        "defaults": Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
    }


def _wire(
    application: Application,
    desk: Desk,
    store: Store,
    limiter: GroupRateLimiter,
    market_transport: httpx.AsyncBaseTransport | None,
) -> tuple[Assembly, list[Parts]]:
    data: DeskData = application.bot_data
    settings = desk.settings
    data.shutdown, data.tasks, data.settings, data.store = Shutdown(), {}, settings, store
    data.activity, data.clock, data.loops, data.chat_loops = Activity(), utc_now, [], []
    data.market_http = shared_http(settings.market_api_url, transport=market_transport)
    operators_style = style_of(settings, desk.cabinets)
    data.operators = Operators(application.bot, settings.operator_user_ids, operators_style)
    bell = Wakeup()
    shared = Shared(
        application.bot,
        store,
        data.market_http,
        bell,
        utc_now,
        StorageTrouble(quiet=2 * settings.poll_interval.total_seconds(), bell=bell.ring),
        data.shutdown,
        data.operators,
    )
    data.rooms, data.inboxes = Rooms(), Inboxes()
    assembly = Assembly(application, shared, limiter)
    places = spaced(settings.poll_interval, len(desk.cabinets))
    parts = [
        assembly.room(chat_id, cabinets, places)
        for chat_id, cabinets in by_chat(desk.cabinets).items()
    ]
    parts += assembly.kept_rooms(parts)  # a chat left while the desk was stopped
    assembly.show(parts)
    data.loops += [side.poller.run for side in data.sides]
    data.chat_loops += [loop for part in parts for loop in part.chat_loops]
    return assembly, parts


def run(desk: Desk, store: Store, source: DeskSource | None = None) -> None:
    """Until SIGINT/SIGTERM (SIGHUP reads `source`'s cabinets file again); SettingsError
    when a token or key is refused at start."""
    application = build_application(desk, store, source=source)
    # take the port before anything starts, so a taken port stops the desk in one line
    if desk.settings.http_port is not None:
        application.bot_data.http = _http_server(desk.settings, application.bot_data)
    serve(application)


def _http_server(settings: Settings, data: DeskData) -> HttpServer:
    from bot.intake.http import (  # uvicorn loads only when used
        Health,
        HttpServer,
        HttpServerError,
        Metrics,
        NotificationEndpoint,
        create_app,
    )
    from bot.ops import metrics
    from bot.ops.cabinet_watch import Watched

    def cabinets() -> list[Watched]:  # the running set, whatever a reload made of it
        return [Watched(side.cabinet.name, side.poller.state, side.store) for side in data.sides]

    allowed, proxies = settings.metrics_allowed_networks, settings.trusted_proxies
    health = Health(
        data.store,
        data.activity,
        settings.poll_interval,
        data.clock,
        data.clock(),
        cabinets,
        allowed,
        proxies,
    )
    metrics.watch(data.store, data.clock, cabinets)
    scrape = Metrics(allowed, proxies)
    endpoint = NotificationEndpoint(data.inboxes, settings)
    server = HttpServer(settings, create_app(endpoint, health, scrape))
    try:
        server.bind()
    except HttpServerError as error:
        log.error("Cannot start: %s", error)
        raise SystemExit(2) from None
    return server
