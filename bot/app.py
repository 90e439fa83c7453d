"""Wiring: the pieces built once, handed what each uses, started and stopped. No logic here."""

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

from bot.chat import handlers
from bot.chat.cooldown import Cooldown
from bot.chat.decider import Decider
from bot.chat.handlers import DeskData
from bot.chat.publisher import Publisher
from bot.chat.ratelimit import GroupRateLimiter
from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.formatting import Style
from bot.intake.notifications import Inbox
from bot.intake.poller import Poller, StaffAlerts
from bot.lifecycle import serve
from bot.market.client import Lane, MarketClient
from bot.market.lookup import OrderLookup
from bot.market.shops import Shops
from bot.ops.backups import DailyBackups
from bot.ops.storage_trouble import StorageTrouble
from bot.owner import commands as owner
from bot.owner.daily import Daily
from bot.signals import Activity, Backlog, Shutdown, Wakeup
from bot.team.contact import BuyerContact
from bot.texts import Texts
from storage.store import Store

if TYPE_CHECKING:
    from bot.intake.http import HttpServer

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(
    settings: Settings,
    store: Store,
    *,
    make_bot: Callable[..., ExtBot[None]] = ExtBot,
    market_transport: httpx.AsyncBaseTransport | None = None,
) -> Application:
    """The desk; the demo hands in its own bot (marked texts) and Market (the simulator)."""
    limiter = GroupRateLimiter(settings.telegram_group_rate, Backlog())
    application = (
        ApplicationBuilder()
        .bot(make_bot(settings.telegram_bot_token, **_bot_options(settings, limiter)))
        .concurrent_updates(True)  # a tap is never stuck behind a long /pending reply
        .context_types(ContextTypes(bot_data=DeskData))
        .job_queue(None)  # timers live in the database, rebuilt by the desk's own loops
        .build()
    )
    _wire(application, settings, store, limiter, market_transport)
    application.bot_data.cooldown = Cooldown(settings.command_cooldown.total_seconds())
    if settings.backup_dir is not None:
        application.bot_data.loops.append(DailyBackups.for_settings(settings).run)
    handlers.register(application)
    owner.register(application)
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


def _wire(
    application: Application,
    settings: Settings,
    store: Store,
    limiter: GroupRateLimiter,
    market_transport: httpx.AsyncBaseTransport | None,
) -> None:
    data: DeskData = application.bot_data
    data.shutdown, data.tasks = Shutdown(), []
    wakeup, activity, clock = Wakeup(limiter.backlog), Activity(), utc_now
    style = _style(settings)
    texts = style.texts
    market = MarketClient(
        settings.market_api_url, settings.market_api_key, transport=market_transport
    )
    chat = StaffChat(settings.staff_chat_id, store, wakeup)
    shops = Shops(settings, market, store)
    storage = StorageTrouble(quiet=2 * settings.poll_interval.total_seconds())
    decider = Decider(settings, store, market, chat, texts, wakeup, clock, storage)
    publisher = Publisher(
        application.bot,
        store,
        chat,
        shops,
        style,
        settings,
        clock=clock,
        wakeup=wakeup,
        activity=activity,
        limiter=limiter,
        storage=storage,
    )
    poller = _poller(
        application, settings, decider, shops, StaffAlerts(application.bot, chat, texts)
    )
    data.settings, data.store, data.market, data.decider = settings, store, market, decider
    data.contact = BuyerContact(settings, market, decider, style, clock)
    data.chat, data.shops, data.style, data.clock = chat, shops, style, clock
    data.activity, data.loops, data.chat_loops = activity, [poller.run], [publisher.run]
    if settings.history_days or settings.digest_at:
        data.chat_loops.append(Daily(application.bot, store, chat, settings, style, clock).run)
    data.inbox = _inbox(settings, store, market, shops, wakeup)


def _poller(
    application: Application,
    settings: Settings,
    decider: Decider,
    shops: Shops,
    alerts: StaffAlerts,
) -> Poller:
    """The Market side's loop: it shares the decider's store, clock, bell and storage state."""
    return Poller(
        decider.store,
        decider.market,
        shops,
        decider,
        alerts,
        poll_interval=settings.poll_interval,
        clock=decider.clock,
        wakeup=decider.wakeup,
        decision_window=settings.decision_window,
        storage=decider.storage,
        shutdown=application.bot_data.shutdown,
    )


def _inbox(
    settings: Settings, store: Store, market: MarketClient, shops: Shops, wakeup: Wakeup
) -> Inbox:
    """What Market notifications are handled with (the HTTP endpoint's side of the desk)."""
    return Inbox(
        store,
        OrderLookup(market, utc_now, Lane.NOTIFICATIONS),  # never ahead of a decision's PUT
        shops,
        settings.market_campaign_ids,
        settings.poll_interval,
        utc_now,
        wakeup,
        settings.decision_window,
    )


def run(settings: Settings, store: Store) -> None:
    """Until SIGINT/SIGTERM; SettingsError when a token or key is refused at start."""
    application = build_application(settings, store)
    # take the port before anything starts, so a taken port stops the desk in one line
    if settings.http_port is not None:
        application.bot_data.http = _http_server(settings, application.bot_data)
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

    health = Health(data.store, data.activity, settings.poll_interval, data.clock, data.clock())
    metrics.watch(data.store, data.clock)
    scrape = Metrics(settings.metrics_allowed_networks, settings.trusted_proxies)
    endpoint = NotificationEndpoint(data.inbox, settings)
    server = HttpServer(settings, create_app(endpoint, health, scrape))
    try:
        server.bind()
    except HttpServerError as error:
        log.error("Cannot start: %s", error)
        raise SystemExit(2) from None
    return server
