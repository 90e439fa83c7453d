"""The desk's start and stop, in its own order: Telegram is not needed to begin.

The Market side (polling, the HTTP endpoint, backups) starts at once; the chat side (the
outbox, the digest, taps and commands) once Telegram answers, so an outage at start only
delays the posts, and a service manager is not left restarting the desk in a loop. A stop
(SIGTERM/SIGINT), or a token or key refused at start, ends both sides in order; SIGHUP
reads the cabinets file again (bot/reload.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.chat import handlers
from bot.chat.handlers import DeskData
from bot.chat.ratelimit import GroupRateLimiter, stop_replies
from bot.config import SettingsError
from bot.signals import Wire
from bot.telegram_link import TelegramLink, refused

log = logging.getLogger(__name__)

ANSWERS_WITHIN = 6.0  # seconds: PTB's read timeout (5 s) for a request already sent, and some
LOOPS_STOP_WITHIN = 2.0  # seconds for the cancelled loops to end


def serve(application: Application) -> None:
    """Run until SIGTERM/SIGINT; SettingsError when Telegram or the Market refuses a token or
    key at start (after a clean stop, unless nothing had started yet)."""
    asyncio.run(_serve(application))


async def _serve(application: Application) -> None:
    data: DeskData = application.bot_data
    link = TelegramLink(application, data.activity)
    try:
        failure = await link.ask()  # a refused token ends the start here, its only line
    except SettingsError:
        await _release(application)
        raise
    data.shutdown.listen()
    await _start_market_side(application)
    chat = asyncio.create_task(_start_chat_side(application, link, failure), name="telegram")
    stop = asyncio.create_task(data.shutdown.wait(), name="stop")
    try:
        done, _ = await asyncio.wait((chat, stop), return_when=asyncio.FIRST_COMPLETED)
        if chat in done:
            chat.result()  # SettingsError: Telegram answered at last, refusing the token
            await stop
    finally:
        for task in (chat, stop):
            task.cancel()
        await asyncio.wait((chat, stop))
        await _stop(application)
    if data.shutdown.refusal is not None:
        raise data.shutdown.refusal


def start_loop(data: DeskData, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `loop` until the stop (or a reload ends it: its task is kept by the loop)."""
    data.tasks[loop] = asyncio.create_task(loop(), name=loop.__qualname__)


async def _start_market_side(application: Application) -> None:
    """What needs no Telegram: reminders to resend, the HTTP endpoint, polling, backups."""
    data: DeskData = application.bot_data
    for request_id, lead in data.store.reminders.unconfirmed():
        data.store.release_reminder(request_id, lead)  # may not have reached staff: resend
    if data.http is not None:  # Market notifications and /healthz
        await data.http.start()
    for loop in data.loops:
        start_loop(data, loop)
    for side in data.sides:
        settings = side.cabinet.settings
        log.info(
            "Cabinet %s: staff chat %s, campaigns %s",
            side.cabinet.name,
            settings.staff_chat_id,
            ",".join(map(str, settings.market_campaign_ids)) or "all DBS of the key",
        )
    if data.reload is not None:  # once its loops run: a reload stops and starts some
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, data.reload.hangup)
    log.info(
        "Desk started: %d cabinet(s), polling every %ss",
        len(data.sides),
        data.settings.poll_interval.total_seconds(),
    )


async def _start_chat_side(
    application: Application, link: TelegramLink, failure: TelegramError | None
) -> None:
    """Once Telegram answers: the commands, the outbox and the digest, then taps."""
    if failure is not None:
        await link.reach(failure)
    data: DeskData = application.bot_data
    try:
        await application.bot.set_my_commands(handlers.commands(data.style.texts))
    except TelegramError as error:
        log.warning("Could not register the commands with Telegram: %s", error)
    for loop in data.chat_loops:
        start_loop(data, loop)
    data.chat_started = True
    updater = application.updater
    assert updater is not None  # ApplicationBuilder always makes one
    try:
        await updater.start_polling(
            allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
            drop_pending_updates=False,
            bootstrap_retries=-1,  # Telegram lost again right after getMe: try until a stop
            error_callback=lambda error: _report(application, error),
        )
    except InvalidToken as error:
        raise refused(error) from None
    await application.start()


def _report(application: Application, error: TelegramError) -> None:
    """A failed getUpdates goes to the error handlers, as in PTB's run_polling."""
    application.create_task(application.process_error(update=None, error=error))


async def _stop(application: Application) -> None:
    """PTB's order (the updater, the application, then ours), each part only if started."""
    log.info("Stopping")
    application.bot_data.shutdown.request()  # however the run ended: a SIGHUP now is ignored
    stop_replies(application.bot)  # answers waiting for the outbox: PTB's stop waits for them
    updater = application.updater
    if updater is not None and updater.running:
        await updater.stop()
    if application.running:
        await application.stop()
    await _stop_loops(application)
    await _release(application)
    log.info("Desk stopped")


async def _stop_loops(application: Application) -> None:
    """Stop taking notifications and sending, let answers on their way in, stop the loops.

    A loop is cancelled only once nothing it sent to Telegram is unanswered: cancelled
    mid-request, a post would reach the chat unrecorded and be posted again at the next
    start. Every wait is bounded, so a stop is always honoured.
    """
    data: DeskData = application.bot_data
    http_server, data.http = data.http, None
    limiter = application.bot.rate_limiter
    wire = limiter.wire if isinstance(limiter, GroupRateLimiter) else None
    if wire is not None:
        wire.close()
    await asyncio.gather(
        http_server.stop() if http_server is not None else asyncio.sleep(0),
        _drain(wire) if wire is not None else asyncio.sleep(0),
    )
    tasks, data.tasks = list(data.tasks.values()), {}
    for task in tasks:
        task.cancel()
    if tasks:
        _, stuck = await asyncio.wait(tasks, timeout=LOOPS_STOP_WITHIN)
        for task in stuck:
            log.error("%s did not stop within %.0fs", task.get_name(), LOOPS_STOP_WITHIN)


async def _drain(wire: Wire) -> None:
    if not await wire.drained(ANSWERS_WITHIN):
        log.warning(
            "A Telegram answer did not come within %.0fs of the stop; what it was for may be "
            "sent again at the next start",
            ANSWERS_WITHIN,
        )


async def _release(application: Application) -> None:
    """Close the connections: Telegram's (open even when getMe failed) and the Market's."""
    await application.shutdown()  # nothing unless Telegram answered
    await application.bot.shutdown()
    await application.bot_data.market_http.aclose()
