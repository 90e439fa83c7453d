"""Wiring: the pieces built once, handed what each uses, started and stopped. No logic here.

One bot, one database and one HTTP endpoint serve every cabinet; each cabinet has its own
Market side (bot/cabinet_side.py) and each staff chat its own room and outbox.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.cabinet import Cabinet, Desk
from bot.cabinet_side import CabinetSide, Shared
from bot.chat import handlers
from bot.chat.cooldown import Cooldown
from bot.chat.handlers import DeskData
from bot.chat.publisher import Publisher
from bot.chat.ratelimit import GroupRateLimiter
from bot.chat.reach import ChatReach
from bot.chat.rooms import Campaigns, Room, Rooms, TapRouter
from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.formatting import Style
from bot.intake.notifications import Inboxes
from bot.lifecycle import serve
from bot.market.client import shared_http
from bot.ops.backups import DailyBackups
from bot.ops.operators import Operators
from bot.ops.storage_trouble import StorageTrouble
from bot.owner import commands as owner
from bot.owner import operators
from bot.owner.daily import Daily
from bot.signals import Activity, Shutdown, Wakeup
from bot.texts import Texts
from storage.scope import Scope
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
) -> Application:
    """The desk; the demo hands in its own bot (marked texts) and Market (the simulator)."""
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
    _wire(application, desk, store, limiter, market_transport)
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


def _style(settings: Settings) -> Style:
    return Style(
        Texts(settings.language),
        settings.timezone,
        settings.reminder_lead_times,
        settings.confirm_decisions,
        claims=settings.claims,
        buyer_contact=settings.buyer_contact,
    )


def by_chat(cabinets: tuple[Cabinet, ...]) -> dict[int, list[Cabinet]]:
    """Cabinets grouped by the chat they post to, in the file's order."""
    chats: dict[int, list[Cabinet]] = {}
    for cabinet in cabinets:
        chats.setdefault(cabinet.chat_id, []).append(cabinet)
    return chats


def room_settings(cabinets: list[Cabinet]) -> Settings:
    """A chat's settings: cabinets sharing it agree on them, each campaign keeps its topic."""
    topics = tuple(pair for cabinet in cabinets for pair in cabinet.settings.campaign_topics)
    return dataclasses.replace(cabinets[0].settings, campaign_topics=topics)


def _wire(
    application: Application,
    desk: Desk,
    store: Store,
    limiter: GroupRateLimiter,
    market_transport: httpx.AsyncBaseTransport | None,
) -> None:
    data: DeskData = application.bot_data
    settings = desk.settings
    data.shutdown, data.tasks, data.settings, data.store = Shutdown(), [], settings, store
    data.activity, data.clock, data.loops, data.chat_loops = Activity(), utc_now, [], []
    data.market_http = shared_http(settings.market_api_url, transport=market_transport)
    data.operators = Operators(application.bot, settings.operator_user_ids, _style(settings))
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
    data.rooms, data.inboxes, data.sides = Rooms(), Inboxes(), []
    spacing = settings.poll_interval.total_seconds() / len(desk.cabinets)
    for chat_id, cabinets in by_chat(desk.cabinets).items():
        style = _style(room_settings(cabinets))
        chat = StaffChat(chat_id, store, shared.wakeup.for_chat(limiter.backlog_for(chat_id)))
        first = len(data.sides)
        sides = [
            CabinetSide(
                cabinet,
                shared,
                chat,
                style,
                place=(first + n) * spacing,
                shares_chat=len(cabinets) > 1,
            )
            for n, cabinet in enumerate(cabinets)
        ]
        data.sides += sides
        # every cabinet's seat: a tap may be on a post left in a chat of an earlier setting
        taps = TapRouter(store, data.rooms.seats, style.texts)
        data.rooms.all.append(_room(application, data, shared, chat, style, sides, taps, limiter))
    data.inboxes.all += [side.inbox for side in data.sides]
    data.loops += [side.poller.run for side in data.sides]
    data.style = data.rooms.all[0].style


def _room(
    application: Application,
    data: DeskData,
    shared: Shared,
    chat: StaffChat,
    style: Style,
    sides: list[CabinetSide],
    taps: TapRouter,
    limiter: GroupRateLimiter,
) -> Room:
    """One chat's room and its outbox (and daily digest), the loops started with Telegram."""
    settings = room_settings([side.cabinet for side in sides])
    seats = [side.seat for side in sides]
    store = shared.store.scoped(Scope(Campaigns(lambda: seats), chat=lambda: chat.id))
    reach = ChatReach(
        chat, lambda: [seat.name for seat in room.seats], data.operators, shared.clock
    )
    room = Room(settings, store, chat, style, seats, taps, reach)
    publisher = Publisher(
        application.bot,
        store,
        chat,
        room.shops,
        style,
        settings,
        clock=shared.clock,
        wakeup=chat.wakeup,
        activity=data.activity,
        limiter=limiter,
        storage=shared.storage,
        reach=reach,
    )
    data.chat_loops.append(publisher.run)
    if settings.history_days or settings.digest_at:
        data.chat_loops.append(
            Daily(application.bot, store, chat, settings, style, shared.clock).run
        )
    return room


def run(desk: Desk, store: Store) -> None:
    """Until SIGINT/SIGTERM; SettingsError when a token or key is refused at start."""
    application = build_application(desk, store)
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
