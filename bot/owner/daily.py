"""Once a day: prune history past HISTORY_DAYS, and send the digest at DIGEST_AT.

Which local day each job last ran is stored, so a restart neither repeats a digest nor
skips one: a digest missed while the desk was down is sent late, once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.formatting import Style, shown_len
from bot.owner.chart import render_chart
from bot.owner.digest import CHART_DAYS, chart_spec, digest_due, digest_text, until_next
from bot.owner.periods import day_period
from bot.owner.stats import compute
from storage.store import Store

log = logging.getLogger(__name__)
CAPTION_LIMIT = 1024
RETRY = timedelta(minutes=5)
IDLE = timedelta(hours=1)


class Daily:
    def __init__(
        self,
        bot: Bot,
        store: Store,
        chat: StaffChat,
        settings: Settings,
        style: Style,
        clock: Callable[[], datetime],
    ) -> None:
        self.bot, self.store, self.chat = bot, store, chat
        self.settings, self.style, self.clock = settings, style, clock

    async def run(self) -> None:
        while True:
            try:
                wait = await self.tick()
            except Exception:  # a failed prune or digest must not end the daily loop
                log.exception("The daily jobs failed; trying again in %s", RETRY)
                wait = RETRY
            await asyncio.sleep(wait.total_seconds())

    async def tick(self) -> timedelta:
        """Run what is due; returns how long to sleep until something may be due."""
        now, zone = self.clock(), self.settings.timezone
        today = now.astimezone(zone).date()
        if self.settings.history_days and self.store.daily.last("prune") != today:
            cutoff = now - timedelta(days=self.settings.history_days)
            pruned = self.store.prune_settled(cutoff)
            self.store.daily_done("prune", today)
            log.info("Pruned %s settled requests closed before %s", pruned, cutoff.isoformat())
        wait = min(IDLE, until_next(now, zone, datetime.min.time()))  # the next local midnight
        at = self.settings.digest_at
        if at is None:
            return wait
        if digest_due(now, zone, at, self.store.daily.last("digest")):
            if not await self.send_digest(today - timedelta(days=1)):
                return RETRY
            self.store.daily_done("digest", today)
        next_digest = until_next(self.clock(), zone, at)
        log.info("Next digest in %s", str(next_digest).split(".")[0])
        return min(wait, next_digest)

    async def send_digest(self, day: date) -> bool:
        """Send the digest of `day`; False if Telegram would not take it (retried later)."""
        zone, history = self.settings.timezone, self.store.history
        period = day_period(day, zone)
        text = digest_text(
            day,
            compute(history.ledger(period.start, period.end), period),
            history.pending_rows(),
            self.style,
        )
        first = day_period(day - timedelta(days=CHART_DAYS - 1), zone)
        chart = await render_chart(
            chart_spec(history.ledger(first.start, period.end), day, self.style)
        )
        try:
            await self._send(text, chart)
        except TelegramError as error:
            log.warning("Could not send the digest of %s: %s", day, error)
            return False
        log.info("Sent the digest of %s%s", day, "" if chart else " without its chart")
        return True

    async def _send(self, text: str, chart: bytes | None) -> None:
        where = {"chat_id": self.chat.id, "message_thread_id": self.settings.digest_topic_id}
        if chart is None:
            await self.bot.send_message(text=text, **where)
        elif shown_len(text) <= CAPTION_LIMIT:
            await self.bot.send_photo(photo=chart, caption=text, filename="digest.png", **where)
        else:  # the numbers do not fit a caption: the chart, then the text
            await self.bot.send_photo(photo=chart, filename="digest.png", **where)
            await self.bot.send_message(text=text, **where)
