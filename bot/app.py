"""Wiring: the pieces built once, handed what each uses, started and stopped. No logic here."""

from __future__ import annotations

import asyncio
import logging
import signal
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
from bot.backups import DailyBackups
from bot.config import Settings
from bot.contact import BuyerContact
from bot.cooldown import Cooldown
from bot.daily import Daily
from bot.decider import Decider
from bot.formatting import Style
from bot.handlers import DeskData
from bot.lookup import OrderLookup
from bot.market import Lane, MarketClient
from bot.notifications import Inbox
from bot.poller import Poller, StaffAlerts
from bot.publisher import Publisher
from bot.ratelimit import GroupRateLimiter, stop_replies
from bot.shops import Shops
from bot.signals import Activity, Backlog, Wakeup, Wire
from bot.staff_chat import StaffChat
from bot.storage_trouble import StorageTrouble
from bot.texts import Texts
from storage.store import Store

if TYPE_CHECKING:
    from bot.http import HttpServer

log = logging.getLogger(__name__)

ANSWERS_WITHIN = 6.0  # seconds: PTB's read timeout (5 s) for a request already sent, and some
LOOPS_STOP_WITHIN = 2.0  # seconds for the cancelled loops to end


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
        .post_init(_on_start)
        .post_stop(_on_stop)
        .post_shutdown(_on_shutdown)
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
        storage=storage,
    )
    data.settings, data.store, data.market, data.decider = settings, store, market, decider
    data.contact = BuyerContact(settings, market, decider, style, clock)
    data.chat, data.shops, data.style, data.clock = chat, shops, style, clock
    data.activity, data.loops, data.tasks = activity, [publisher.run, poller.run], []
    if settings.history_days or settings.digest_at:
        data.loops.append(Daily(application.bot, store, chat, settings, style, clock).run)
    data.inbox = _inbox(settings, store, market, shops, wakeup)


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
    data.tasks.append(asyncio.create_task(_stop_on_signal(application), name="stop"))
    log.info(
        "Desk started: staff chat %s, campaigns %s, polling every %ss",
        data.chat.id,
        ",".join(map(str, data.settings.market_campaign_ids)),
        data.settings.poll_interval.total_seconds(),
    )


async def _stop_on_signal(application: Application) -> None:
    """SIGTERM/SIGINT: stop once python-telegram-bot is running, never in the middle of its
    start (its own handler closed the start's coroutine mid-request, outside the loop,
    and the desk died with a traceback)."""
    loop, stop = asyncio.get_running_loop(), asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("Stopping")
    stop_replies(application.bot)
    while not application.running:
        await asyncio.sleep(0.05)
    # a stop that lands as PTB moves from its start to run_forever is lost: repeat it
    # until PTB's own stop has begun (it stops the updater first)
    while application.updater is not None and application.updater.running:
        application.stop_running()
        await asyncio.sleep(0.5)


async def _on_stop(application: Application) -> None:
    """Stop taking notifications and sending, let answers on their way in, stop the loops.

    A loop is cancelled only once nothing it sent to Telegram is unanswered: cancelled
    mid-request, a post would reach the chat unrecorded and be posted again at the next
    start. Every wait is bounded, so a stop is always honoured.
    """
    data: DeskData = application.bot_data
    http_server, data.http = data.http, None
    wire = application.bot.rate_limiter.wire if _limited(application) else None
    if wire is not None:
        wire.close()
    await asyncio.gather(
        http_server.stop() if http_server is not None else asyncio.sleep(0),
        _drain(wire) if wire is not None else asyncio.sleep(0),
    )
    tasks, data.tasks = data.tasks, []
    for task in tasks:
        task.cancel()
    if tasks:
        _, stuck = await asyncio.wait(tasks, timeout=LOOPS_STOP_WITHIN)
        for task in stuck:
            log.error("%s did not stop within %.0fs", task.get_name(), LOOPS_STOP_WITHIN)


def _limited(application: Application) -> bool:
    return isinstance(application.bot.rate_limiter, GroupRateLimiter)


async def _drain(wire: Wire) -> None:
    if not await wire.drained(ANSWERS_WITHIN):
        log.warning(
            "A Telegram answer did not come within %.0fs of the stop; what it was for may be "
            "sent again at the next start",
            ANSWERS_WITHIN,
        )


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
        stop_signals=None,  # _stop_on_signal takes them from _on_start; __main__'s before
    )


def _http_server(settings: Settings, data: DeskData) -> HttpServer:
    from bot import metrics
    from bot.http import (  # uvicorn loads only when used
        Health,
        HttpServer,
        HttpServerError,
        Metrics,
        NotificationEndpoint,
        create_app,
    )

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
