"""The polling loop: a sync every POLL_INTERVAL, backing off while the Market is down.

The loop serves either marketplace: its sync step is a `PollSource` whose failures are
`MarketError`s (Ozon's translated, its 429 a `MarketRateLimited`). A 420 (Ozon: 429)
pauses until the limit resets; other failures retry sooner, doubling up to
the poll interval. When failures become the cabinet's trouble, and who hears of it, is
`bot.intake.trouble`'s to say. Before the first poll of a run has worked, the log says once
that the desk waits for the Market, and for a desk configured from the environment a 401
(the key itself, which retrying cannot mend: MARKET_API.md §5.2) stops the desk as a
setting error; a cabinet of a file is then in trouble, and the other cabinets go on.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Protocol

from bot.backoff import Backoff
from bot.chat.decider import Decider
from bot.config import SettingsError
from bot.domain.names import logged
from bot.intake.plan import OLD_SWEEP_EVERY
from bot.intake.poll_state import PollState
from bot.intake.sync import SyncOutcome
from bot.intake.trouble import StaffAlerts, Trouble
from bot.market.errors import MarketError, MarketHTTPError, MarketRateLimited
from bot.ops import metrics
from bot.ops.operators import Operators
from bot.ops.storage_trouble import StorageTrouble
from bot.signals import Shutdown, Wakeup
from storage.polls import PollRecord
from storage.store import Store

log = logging.getLogger(__name__)

POLL_HISTORY = timedelta(days=7)


class PollSource(Protocol):
    """One marketplace's poll step for a cabinet (the Market's `MarketSync`, Ozon's
    `OzonSync`): every failure a `MarketError`, so the loop, its backoff and trouble rules
    serve both."""

    async def ready(self) -> None:
        """What must be known before a decision is recovered (the Market's campaigns)."""

    async def sync(self, sweep_old: bool) -> SyncOutcome:
        """Read, plan and write one cycle; writes nothing when it raises."""


class Poller:
    def __init__(
        self,
        store: Store,
        source: PollSource,
        decider: Decider,
        alerts: StaffAlerts,
        *,
        poll_interval: timedelta,
        clock: Callable[[], datetime],
        wakeup: Wakeup,
        storage: StorageTrouble | None = None,
        shutdown: Shutdown,
        first_delay: float = 0.0,
        refused_key_stops: bool = True,
        operators: Operators | None = None,
        cabinet: str = "",
    ) -> None:
        # a cabinet's place in the poll interval, so 200 cabinets never poll in one second;
        # and whether a key refused at start stops the desk (one cabinet) or is its trouble
        self.first_delay, self.refused_key_stops = first_delay, refused_key_stops
        self.shutdown = shutdown
        self.storage = storage or StorageTrouble(quiet=poll_interval.total_seconds())
        self.store, self.source, self.decider = store, source, decider
        self.poll_interval, self.clock, self.wakeup = poll_interval, clock, wakeup
        self.state = PollState()  # for /cabinets, /healthz and /metrics
        self.trouble = Trouble(self.state, poll_interval, alerts, operators, cabinet)
        self.marketplace = logged(alerts.marketplace)  # whom the log says it polls
        self.of_cabinet = f"cabinet {cabinet}" if cabinet else ""
        self.answered = False  # a poll of this run has worked
        self.waiting = False  # the log said the desk waits for the Market
        interval = poll_interval.total_seconds()
        self.backoff = Backoff(initial=min(1.0, interval), cap=interval)
        self.last_sweep = store.polls.last_full_sweep()
        self.last_prune = clock() - POLL_HISTORY

    def carry_on_from(self, other: Poller) -> None:
        """The same cabinet rebuilt by a reload: its polling's state and trouble go on."""
        self.state.__dict__.update(vars(other.state))
        self.trouble.carry_on_from(other.trouble)
        self.answered, self.waiting = other.answered, other.waiting

    async def run(self) -> None:
        await asyncio.sleep(self.first_delay)
        while True:
            try:
                delay = await self.cycle()
            except asyncio.CancelledError:
                raise
            except sqlite3.OperationalError as error:  # a full disk: the Market waits
                self.storage.failed(error)
                delay = self.poll_interval.total_seconds()
            except Exception:  # a bug must not stop polling: log it and go on
                delay = self.backoff.next()
                log.exception("Poll crashed unexpectedly; next try in %.0fs", delay)
            await self._rest(delay)

    async def _rest(self, delay: float) -> None:
        """Until the next poll; a 420 waited out that much longer becomes trouble meanwhile."""
        due = self.trouble.limit_due_in(self.clock())
        if due is not None and due < delay:
            await asyncio.sleep(due)
            await self.trouble.waited(self.clock())
            delay -= due
        await asyncio.sleep(delay)

    async def cycle(self) -> float:
        """One poll; returns how long to wait before the next."""
        interval = self.poll_interval.total_seconds()
        began = time.monotonic()
        started_at = self.state.attempted_at = self.clock()
        try:
            await self.source.ready()
            await self.decider.recover()
            sweep_old = self.last_sweep is None or started_at - self.last_sweep >= OLD_SWEEP_EVERY
            outcome = await self.source.sync(sweep_old)
        except MarketError as error:
            return await self._failed(error, started_at, began)
        self.state.succeeded_at = self.clock()
        if outcome.swept_old:
            self.last_sweep = started_at
        log.info(
            "Poll: %d pending at %s, %d new, %d resolved elsewhere%s, %.0f ms%s",
            outcome.found,
            self.marketplace,
            len(outcome.new),
            len(outcome.resolved),
            " (with the 30-60 day sweep)" if outcome.swept_old else "",
            (time.monotonic() - began) * 1000,
            self._cabinet_shown(),
        )
        metrics.POLLS.labels("ok").inc()
        if self.waiting and not self.answered:
            whom = self.marketplace[0].upper() + self.marketplace[1:]
            log.info("%s answers%s: polling as usual", whom, self._cabinet_shown())
        self.answered = True
        was_broken = self.storage.broken
        self.storage.worked()
        if outcome.new or outcome.resolved or outcome.touched or was_broken:
            self.wakeup.ring()
        self.state.failures = 0
        await self.trouble.ended()
        self.backoff.reset()
        if started_at - self.last_prune >= timedelta(days=1):
            self.store.prune_polls(POLL_HISTORY, started_at)
            self.last_prune = started_at
        return max(0.0, interval - (time.monotonic() - began))

    async def _failed(self, error: MarketError, started_at: datetime, began: float) -> float:
        self.state.failures += 1
        metrics.POLLS.labels(
            "rate_limited" if isinstance(error, MarketRateLimited) else "failed"
        ).inc()
        self.store.poll_failed(
            PollRecord(started_at=started_at, finished_at=self.clock(), ok=False, error=str(error))
        )
        if isinstance(error, MarketRateLimited) and error.retry_at is not None:
            delay = max(1.0, (error.retry_at - self.clock()).total_seconds())
        else:
            delay = self.backoff.next()
        log.warning(
            "Poll failed (%d in a row, %.0f ms; %s%s): %s; next try in %.0fs",
            self.state.failures,
            (time.monotonic() - began) * 1000,
            self.marketplace,
            f", {self.of_cabinet}" if self.of_cabinet else "",
            error,
            delay,
        )
        if not self.answered:
            self._at_start(error)
        await self.trouble.failed(error, started_at, self.clock())
        return delay

    def _at_start(self, error: MarketError) -> None:
        """Before the Market has answered: a refused key stops the desk, else say once why
        it waits."""
        refused = isinstance(error, MarketHTTPError) and error.status == HTTPStatus.UNAUTHORIZED
        if refused and self.refused_key_stops:
            self.shutdown.request(
                SettingsError(
                    "MARKET_API_KEY",
                    f"the Market rejected the key ({error.describe()}); copy it again from "
                    "the seller cabinet (Modules and APIs) or issue a new one",
                )
            )
        elif not self.waiting:
            self.waiting = True
            log.warning(
                "Waiting for %s%s (%s): the desk tries again on its poll schedule "
                "and fetches requests once it answers",
                self.marketplace,
                self._cabinet_shown(),
                error.describe(),
            )

    def _cabinet_shown(self) -> str:
        return f" ({self.of_cabinet})" if self.of_cabinet else ""
