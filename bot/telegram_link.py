"""Telegram at start: a token it refuses is a setting error; out of reach, it is waited for.

python-telegram-bot's own start asks getMe once and ends the process on any failure, and
its error for a refused token quotes the token. Here a refusal keeps only Telegram's
words, and an outage (no connection, DNS, timeouts, 5xx) is retried while the Market
side of the desk already works.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus

from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.backoff import Backoff
from bot.config import SettingsError
from bot.signals import Activity

log = logging.getLogger(__name__)

WAIT_AT_MOST = 60.0  # seconds between two tries while Telegram is out of reach
# the Bot API refuses a well-formed but wrong token with 401, a malformed one with 404
REFUSALS = {status.phrase: status for status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND)}


def token_refusal(error: InvalidToken) -> str:
    """What to tell the owner: Telegram's answer (the innermost error; PTB's outer ones
    quote the token) and where a new token comes from."""
    said: TelegramError = error
    while isinstance(said.__cause__, TelegramError):
        said = said.__cause__
    status = REFUSALS.get(said.message)
    answer = f"{status.value} {said.message}" if status else said.message
    hint = "get a new one from @BotFather"
    if status is HTTPStatus.NOT_FOUND:  # also what a wrong URL gets
        hint += ", or check TELEGRAM_API_URL"
    return f"Telegram rejected the token ({answer}); {hint}"


def refused(error: InvalidToken) -> SettingsError:
    return SettingsError("TELEGRAM_BOT_TOKEN", token_refusal(error))


class TelegramLink:
    """Asks Telegram who the bot is (python-telegram-bot's initialize) until it answers."""

    def __init__(self, application: Application, activity: Activity) -> None:
        self.application, self.activity = application, activity
        self.backoff = Backoff(initial=1.0, cap=WAIT_AT_MOST)

    async def ask(self) -> TelegramError | None:
        """None once Telegram answered, else why not; SettingsError if it refused the token."""
        try:
            await self.application.initialize()
        except InvalidToken as error:
            raise refused(error) from None
        except TelegramError as error:
            self.activity.telegram_ok = False
            return error
        self.activity.telegram_ok = True
        return None

    async def reach(self, failure: TelegramError) -> None:
        """Ask again, up to a minute apart, until Telegram answers; each said once."""
        log.warning(
            "Waiting for Telegram (%s): the desk polls the Market and records requests "
            "meanwhile, and posts them once Telegram answers (asking again up to every %.0fs)",
            failure,
            WAIT_AT_MOST,
        )
        while True:
            await asyncio.sleep(self.backoff.next())
            still = await self.ask()
            if still is None:
                break
            log.debug("Telegram is still out of reach: %s", still)
        log.info("Telegram is reachable: posting what waits, nearest deadline first")
