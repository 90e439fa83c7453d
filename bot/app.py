"""Wiring: the Application, the desk's loops, startup and shutdown. No logic lives here."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot import handlers
from bot.config import Settings
from bot.decider import Decider
from bot.desk import Desk
from bot.market import MarketClient
from bot.poller import Poller
from bot.publisher import Publisher
from bot.ratelimit import GroupRateLimiter
from storage.store import Store

if TYPE_CHECKING:
    from bot.http import HttpServer

log = logging.getLogger(__name__)


def build_application(settings: Settings, store: Store) -> Application:
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .rate_limiter(GroupRateLimiter(settings.telegram_group_rate))
        .concurrent_updates(True)  # a tap is never stuck behind a long /pending reply
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .job_queue(None)  # timers live in the database, rebuilt by the desk's own loops
        .post_init(_on_start)
        .post_stop(_on_stop)
        .post_shutdown(_on_shutdown)
        .build()
    )
    market = MarketClient(settings.market_api_url, settings.market_api_key)
    desk = Desk(settings, store, market, application.bot)
    application.bot_data.update(desk=desk, decider=Decider(desk), tasks=[])
    handlers.register(application)
    return application


async def _on_start(application: Application) -> None:
    desk: Desk = application.bot_data["desk"]
    for request_id, lead in desk.store.unconfirmed_reminders():
        desk.store.release_reminder(request_id, lead)  # may not have reached staff: resend
    try:
        await application.bot.set_my_commands(handlers.commands(desk))
    except TelegramError as error:
        log.warning("Could not register the commands with Telegram: %s", error)
    http_server: HttpServer | None = application.bot_data.get("http")
    if http_server is not None:  # Market notifications and /healthz
        await http_server.start()
    publisher = Publisher(desk)
    poller = Poller(desk, application.bot_data["decider"])
    application.bot_data["tasks"] = [
        asyncio.create_task(publisher.run(), name="publisher"),
        asyncio.create_task(poller.run(), name="poller"),
    ]
    log.info(
        "Desk started: staff chat %s, campaigns %s, polling every %ss",
        desk.chat_id,
        ",".join(map(str, desk.settings.market_campaign_ids)),
        desk.settings.poll_interval.total_seconds(),
    )


async def _on_stop(application: Application) -> None:
    """Stop taking notifications first, then the loops they wake."""
    http_server: HttpServer | None = application.bot_data.pop("http", None)
    if http_server is not None:
        await http_server.stop()
    tasks: list[asyncio.Task] = application.bot_data["tasks"]
    application.bot_data["tasks"] = []
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _on_shutdown(application: Application) -> None:
    await _on_stop(application)  # no-op after a normal stop; cleans up a failed start
    desk: Desk = application.bot_data["desk"]
    await desk.market.close()
    log.info("Desk stopped")


def run(settings: Settings, store: Store) -> None:
    """Poll Telegram until SIGINT/SIGTERM; returns after a clean shutdown."""
    application = build_application(settings, store)
    # take the port before anything starts, so a taken port stops the desk in one line
    if settings.http_port is not None:
        from bot.http import HttpServer, HttpServerError  # uvicorn loads only when used

        http_server = HttpServer(application.bot_data["desk"])
        try:
            http_server.bind()
        except HttpServerError as error:
            log.error("Cannot start: %s", error)
            raise SystemExit(2) from None
        application.bot_data["http"] = http_server
    application.run_polling(
        allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
        drop_pending_updates=False,
        close_loop=False,
    )
