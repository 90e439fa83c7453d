"""Wiring: the pieces built once, handed what each uses, started and stopped. No logic here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot import handlers, owner
from bot.config import Settings
from bot.contact import BuyerContact
from bot.daily import Daily
from bot.decider import Decider
from bot.formatting import Style
from bot.handlers import DeskData
from bot.lookup import OrderLookup
from bot.market import MarketClient
from bot.notifications import Inbox
from bot.poller import Poller, StaffAlerts
from bot.publisher import Publisher
from bot.ratelimit import GroupRateLimiter
from bot.shops import Shops
from bot.signals import Activity, Wakeup
from bot.staff_chat import StaffChat
from bot.texts import Texts
from storage.store import Store

if TYPE_CHECKING:
    from bot.http import HttpServer

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
    limiter = GroupRateLimiter(settings.telegram_group_rate)
    application = (
        ApplicationBuilder()
        .bot(make_bot(settings.telegram_bot_token, **_bot_options(settings, limiter)))
        .concurrent_updates(True)  # a tap is never stuck behind a long /pending reply
        .context_types(ContextTypes(bot_data=DeskData))
        .job_queue(None)  # timers live in the database, rebuilt by the desk's own loops
        .post_init(_on_start)
        .post_stop(_on_stop)
        .post_shutdown(_on_shutdown)
        .build()
    )
    _wire(application, settings, store, limiter, market_transport)
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
    wakeup, activity, clock = Wakeup(), Activity(), utc_now
    style = _style(settings)
    texts = style.texts
    market = MarketClient(
        settings.market_api_url, settings.market_api_key, transport=market_transport
    )
    chat = StaffChat(settings.staff_chat_id, store, wakeup)
    shops = Shops(settings, market, store)
    decider = Decider(settings, store, market, chat, texts, wakeup, clock)
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
    )
    poller = Poller(
        store,
        market,
        shops,
        decider,
        StaffAlerts(application.bot, chat, texts),
        poll_interval=settings.poll_interval,
        clock=clock,
        wakeup=wakeup,
        decision_window=settings.decision_window,
    )
    data.settings, data.store, data.market, data.decider = settings, store, market, decider
    data.contact = BuyerContact(settings, market, decider, style, clock)
    data.chat, data.shops, data.style, data.clock = chat, shops, style, clock
    data.activity, data.loops, data.tasks = activity, [publisher.run, poller.run], []
    if settings.history_days or settings.digest_at:
        daily = Daily(application.bot, store, chat, settings, style, clock)
        data.loops.append(daily.run)
    data.inbox = Inbox(
        store,
        OrderLookup(market, clock),
        shops,
        settings.market_campaign_ids,
        settings.poll_interval,
        clock,
        wakeup,
        settings.decision_window,
    )


async def _on_start(application: Application) -> None:
    data: DeskData = application.bot_data
    for request_id, lead in data.store.reminders.unconfirmed():
        data.store.reminders.release(request_id, lead)  # may not have reached staff: resend
    try:
        await application.bot.set_my_commands(handlers.commands(data.style.texts))
    except TelegramError as error:
        log.warning("Could not register the commands with Telegram: %s", error)
    if data.http is not None:  # Market notifications and /healthz
        await data.http.start()
    data.tasks = [asyncio.create_task(loop(), name=loop.__qualname__) for loop in data.loops]
    log.info(
        "Desk started: staff chat %s, campaigns %s, polling every %ss",
        data.chat.id,
        ",".join(map(str, data.settings.market_campaign_ids)),
        data.settings.poll_interval.total_seconds(),
    )


async def _on_stop(application: Application) -> None:
    """Stop taking notifications first, then the loops they wake."""
    data: DeskData = application.bot_data
    http_server, data.http = data.http, None
    if http_server is not None:
        await http_server.stop()
    tasks, data.tasks = data.tasks, []
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _on_shutdown(application: Application) -> None:
    await _on_stop(application)  # no-op after a normal stop; cleans up a failed start
    data: DeskData = application.bot_data
    await data.market.close()
    log.info("Desk stopped")


def run(settings: Settings, store: Store) -> None:
    """Poll Telegram until SIGINT/SIGTERM; returns after a clean shutdown."""
    application = build_application(settings, store)
    # take the port before anything starts, so a taken port stops the desk in one line
    if settings.http_port is not None:
        application.bot_data.http = _http_server(settings, application.bot_data)
    serve(application)


def serve(application: Application) -> None:
    application.run_polling(
        allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
        drop_pending_updates=False,
        close_loop=False,
    )


def _http_server(settings: Settings, data: DeskData) -> HttpServer:
    from bot.http import (  # uvicorn loads only when used
        Health,
        HttpServer,
        HttpServerError,
        NotificationEndpoint,
        create_app,
    )

    health = Health(data.store, data.activity, settings.poll_interval, data.clock, data.clock())
    server = HttpServer(settings, create_app(NotificationEndpoint(data.inbox, settings), health))
    try:
        server.bind()
    except HttpServerError as error:
        log.error("Cannot start: %s", error)
        raise SystemExit(2) from None
    return server
