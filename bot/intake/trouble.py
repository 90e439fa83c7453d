"""One cabinet's polling in trouble: when it starts and ends, what is kept, and who is told.

Trouble starts when a failure outlasts two polls in a row, whatever failed (the Market
down or out of reach, a key refused with 401 or 403): a failed poll, and a failed one a
poll interval or more after it. The retries in between (within a second, doubling) are
polls too, but a blip they mend is not trouble: staff and operators hear of what lasts.
A 420 the desk waits out is trouble only once three poll intervals have passed since the
first failed poll of the run (the poller wakes at that moment if it is still waiting).
A desk configured from the environment follows the same rule. Trouble ends at the first
good poll.

The poller's `PollState` keeps when the run of failures began (`trouble_since`) and the
Market's last words (`trouble`). The cabinet's chat is told once when trouble starts (a
message that did not reach it is tried again at the next failed poll) and once when it
ends, if it heard of the start; every operator, in private, once each.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from html import escape

from telegram import Bot
from telegram.error import TelegramError

from bot.chat.staff_chat import StaffChat
from bot.domain.model import Marketplace
from bot.domain.names import logged
from bot.formatting import when, worded
from bot.intake.poll_state import PollState
from bot.market.errors import MarketError, MarketRateLimited
from bot.ops.operators import Operators
from bot.texts import Texts

log = logging.getLogger(__name__)

TROUBLE_AFTER_FAILURES = 2  # failed polls in a row, the last a poll interval after the first
LIMIT_LASTS = 3  # poll intervals a 420 may be waited out before it is trouble
WORDED = frozenset({"alert.limited"})  # the alerts that name the marketplace themselves


class StaffAlerts:
    """A line to the staff chat about the cabinet's polling (trouble, its end), in the
    words of the cabinet's marketplace."""

    def __init__(
        self,
        bot: Bot,
        chat: StaffChat,
        texts: Texts,
        cabinet: str | None = None,
        marketplace: Marketplace = Marketplace.YANDEX,
    ):
        """`cabinet`: its name, said where the chat serves several cabinets."""
        self.bot, self.chat, self.texts, self.cabinet = bot, chat, texts, cabinet
        self.marketplace = marketplace

    async def send(self, key: str, **values: object) -> bool:
        """True when it reached the chat."""
        t, marketplace = self.texts, self.marketplace
        if self.cabinet is None:
            what = t(worded("what.market", marketplace))
        else:
            what = t(worded("what.market_of", marketplace), cabinet=escape(self.cabinet))
        text = t(worded(key, marketplace) if key in WORDED else key, what=what, **values)
        try:
            await self.bot.send_message(chat_id=self.chat.id, text=text)
        except TelegramError as error:
            log.warning("Could not tell staff about %s's state: %s", logged(marketplace), error)
            return False
        return True


class Trouble:
    def __init__(
        self,
        state: PollState,
        poll_interval: timedelta,
        alerts: StaffAlerts,
        operators: Operators | None,
        cabinet: str,
    ) -> None:
        self.state, self.alerts, self.operators, self.cabinet = state, alerts, operators, cabinet
        self.limit = LIMIT_LASTS * poll_interval
        self.outlast = poll_interval
        self.since: datetime | None = None  # the first failed poll of the current run began
        self.error: MarketError | None = None  # the last failed poll's, in this run of them
        self.chat_told = False  # the chat heard of the current trouble

    def carry_on_from(self, other: Trouble) -> None:
        """A reload rebuilt the cabinet: the run of failures and who heard of it go on."""
        self.since, self.error, self.chat_told = other.since, other.error, other.chat_told

    async def failed(self, error: MarketError, started_at: datetime, now: datetime) -> None:
        """A failed poll, already counted in `state.failures`."""
        self.since, self.error = self.since or started_at, error
        if self.state.in_trouble:
            self.state.trouble = error.describe()
        elif self._due(now):
            self._start()
        if self.state.in_trouble and not self.chat_told:
            await self._tell_chat(now)

    def limit_due_in(self, now: datetime) -> float | None:
        """Seconds until a 420 being waited out becomes trouble; None: nothing to wake for."""
        if self.state.in_trouble or not isinstance(self.error, MarketRateLimited):
            return None
        return max(0.0, (self.limit - self._lasted(now)).total_seconds())

    async def waited(self, now: datetime) -> None:
        """Time passed without a poll (a 420 waited out): it may have become trouble."""
        if self.error is not None and not self.state.in_trouble and self._due(now):
            self._start()
            await self._tell_chat(now)

    async def ended(self) -> None:
        """A good poll."""
        since, self.since, self.error = self.since, None, None
        if not self.state.in_trouble:
            return
        log.warning(
            "Cabinet %s: polling %s works again (in trouble since %s)",
            self.cabinet,
            logged(self.alerts.marketplace),
            since,
        )
        self.state.trouble_since = self.state.trouble = None
        if self.chat_told:
            self.chat_told = False
            await self.alerts.send("alert.recovered")
        if self.operators is not None:
            key = worded("operator.recovered", self.alerts.marketplace)
            self.operators.later(key, cabinet=self.operators.named(self.cabinet))

    def _lasted(self, now: datetime) -> timedelta:
        assert self.since is not None
        return now - self.since

    def _due(self, now: datetime) -> bool:
        if isinstance(self.error, MarketRateLimited):
            return self._lasted(now) >= self.limit
        lasted = self._lasted(now) >= self.outlast
        return lasted and self.state.failures >= TROUBLE_AFTER_FAILURES

    def _start(self) -> None:
        assert self.error is not None and self.since is not None
        said = self.error.describe()
        self.state.trouble_since, self.state.trouble = self.since, said
        marketplace = self.alerts.marketplace
        log.warning(
            "Cabinet %s (%s) is in trouble since %s: %s",
            self.cabinet,
            logged(marketplace),
            self.since,
            said,
        )
        if self.operators is not None:
            self.operators.later(
                worded("operator.trouble", marketplace),
                cabinet=self.operators.named(self.cabinet),
                since=when(self.since, self.operators.style),
                error=escape(said),
            )

    async def _tell_chat(self, now: datetime) -> None:
        """Counted as told from the moment it is sent: a poller stopped while the message is
        on its way (a reload rebuilding the cabinet) must not have it sent twice."""
        assert self.error is not None
        error = escape(self.error.describe())
        self.chat_told = True
        if isinstance(self.error, MarketRateLimited):
            minutes = max(1, math.ceil(self._lasted(now).total_seconds() / 60))
            self.chat_told = await self.alerts.send("alert.limited", minutes=minutes, error=error)
        else:
            count = self.state.failures
            self.chat_told = await self.alerts.send("alert.outage", count=count, error=error)
