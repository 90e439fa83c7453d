"""Taps on a post's buttons, and sending the decision to the Market exactly once.

A tap is judged from storage alone (fast, no I/O) so it can be answered at once; the
PUT, if any, runs after the answer. The intent is stored before the PUT and the Market's
answer after it, so a crash in between is found and finished at the next start.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.chat.access import may_tap
from bot.chat.callbacks import Callback, Tap
from bot.config import Settings
from bot.domain.model import (
    Decision,
    DecisionRecord,
    DecisionResult,
    Marketplace,
    Order,
    Person,
    Request,
)
from bot.domain.names import logged
from bot.domain.reconcile import INTERRUPTED, Listing, reconcile, recovered_result
from bot.formatting import order_number, who_text, worded
from bot.market.client import MarketClient
from bot.market.errors import MarketError, MarketHTTPError, MarketRateLimited
from bot.market.lookup import OrderLookup
from bot.ops import metrics
from bot.ops.storage_trouble import StorageTrouble
from bot.signals import Wakeup
from bot.texts import Texts
from storage.store import Store

log = logging.getLogger(__name__)

#: The refusals after which the marketplace is asked what became of the request: the
#: Market's for an order no longer awaiting a decision.
MARKET_REREADS = frozenset({400, 404})


class DecisionSender(Protocol):
    """Where a decision goes: the Market's client, or a second marketplace's adapter that
    raises the same `MarketError`s (`bot.ozon_side`)."""

    async def send_decision(self, campaign_id: int, order_id: int, decision: Decision) -> None:
        """Send it; a MarketError if it was not taken."""


class Lookup(Protocol):
    async def current(self, request: Request) -> Order | None:
        """The request's order as the marketplace has it now; None: not shown."""


@dataclass(frozen=True)
class Verdict:
    """The answer to show the tapper at once, and the slow work that follows, if any."""

    answer: str
    follow_up: Awaitable[None] | None = None


@dataclass(frozen=True)
class Tapped:
    """A tap as Telegram delivered it."""

    callback: Callback | None
    chat_id: int
    message_id: int
    user: Person


class Decider:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        market: DecisionSender,
        texts: Texts,
        wakeup: Wakeup,
        clock: Callable[[], datetime],
        storage: StorageTrouble | None = None,
        *,
        lookup: Lookup | None = None,
        rereads: frozenset[int] = MARKET_REREADS,
        marketplace: Marketplace = Marketplace.YANDEX,
    ) -> None:
        """`lookup`: how a request is re-read (the Market's by id unless given);
        `rereads`: the refusal statuses after which it is; `marketplace`: the cabinet's,
        named where no request is at hand."""
        self.marketplace = marketplace
        self.storage = storage or StorageTrouble(quiet=settings.poll_interval.total_seconds())
        self.orphaned: set[int] = set()  # decision ids answered but not stored: recover them
        self.settings = settings
        self.store = store
        self.market = market
        if lookup is None:
            assert isinstance(market, MarketClient), "a Market decider looks orders up by id"
            lookup = OrderLookup(market, clock)
        self.lookup, self.rereads = lookup, rereads
        self.texts = texts
        self.wakeup = wakeup
        self.clock = clock
        self.started_at = clock()  # decisions begun before this were cut off by a stop

    def judge_tap(self, tap: Tapped) -> Verdict:
        """Answer a tap from storage alone; a decision's PUT is the verdict's follow-up.

        A decision that cannot be stored is never sent: the tapper is told so.
        """
        no_storage = worded("answer.no_storage", self.marketplace)
        if self.storage.broken:
            return Verdict(self.texts(no_storage))
        try:
            return self._judge(tap)
        except sqlite3.OperationalError as error:
            self.storage.failed(error)
            log.warning("Could not record a tap by user %s: %s", tap.user.user_id, error)
            return Verdict(self.texts(no_storage))

    def _judge(self, tap: Tapped) -> Verdict:
        request = self.tapped_request(tap)
        if isinstance(request, Verdict):
            return request
        callback, t = tap.callback, self.texts
        assert callback is not None
        if callback.tap is Tap.CLAIM:
            return self._claim(request, tap.user)
        if callback.tap is Tap.BACK:
            self.store.confirming(request.id, None, tap.user, self.clock())
            self.wakeup.ring()
            return Verdict(t("answer.back"))
        assert callback.decision is not None
        if callback.tap is Tap.CHOOSE and self.settings.confirm_decisions:
            self.store.confirming(request.id, callback.decision, tap.user, self.clock())
            self.wakeup.ring()
            return Verdict(t("answer.confirm"))
        assert request.post is not None
        if callback.tap is Tap.CONFIRM and request.post.confirming is not callback.decision:
            return Verdict(t("answer.stale"))
        record = self.store.begin_decision(request.id, callback.decision, tap.user, self.clock())
        if record is None:  # lost a race to another decision
            other = self.store.decisions.last(request.id)
            if other is None:
                return Verdict(t("answer.closed"))
            return Verdict(t("answer.already", who=who_text(other.person)))
        log.info(
            "User %s decided %s on order %s",
            tap.user.user_id,
            callback.decision.name,
            request.order_id,
        )
        sending = worded("answer.sending", request.order.marketplace)
        return Verdict(t(sending), self.send(record))

    def _claim(self, request: Request, user: Person) -> Verdict:
        """Take an unclaimed request, release one's own; another's claim is only named."""
        t, claim = self.texts, request.claim
        if not self.settings.claims:  # a button left from when claims were on
            return Verdict(t("answer.stale"))
        if claim is not None and claim.person.user_id != user.user_id:
            return Verdict(t("answer.claimed_by", who=who_text(claim.person)))
        if claim is not None:
            self.store.release_claim(request.id, user.user_id)
            self.wakeup.ring()
            return Verdict(t("answer.released"))
        if not self.store.claim(request.id, user, self.clock()):
            return Verdict(t("answer.stale"))  # someone was faster: the post shows who
        log.info("User %s is on order %s", user.user_id, request.order_id)
        self.wakeup.ring()
        return Verdict(t("answer.claimed"))

    def tapped_request(self, tap: Tapped) -> Request | Verdict:
        """The pending request a tap may act on, or the refusal to answer with."""
        t = self.texts
        request = None if tap.callback is None else self.store.requests.get(tap.callback.request_id)
        if tap.callback is None or not _in_its_chat(request, tap):
            log.warning("Ignored a tap from user %s in chat %s", tap.user.user_id, tap.chat_id)
            return Verdict(t("answer.unknown"))
        if not may_tap(self.settings, tap.callback.tap, tap.user.user_id):
            log.warning("Refused a tap from user %s, not in STAFF_USER_IDS", tap.user.user_id)
            return Verdict(t("answer.not_staff"))
        if request is None or request.post is None or request.post.message_id != tap.message_id:
            log.warning("Refused a tap on message %s with stale or forged data", tap.message_id)
            return Verdict(t("answer.stale"))
        latest = self.store.decisions.last(request.id)
        if latest is not None and latest.taken:
            return Verdict(t("answer.already", who=who_text(latest.person)))
        if not request.pending:
            return Verdict(t("answer.closed"))
        if latest is not None and latest.in_flight:
            return Verdict(t("answer.in_flight", who=who_text(latest.person)))
        return request

    async def send(self, record: DecisionRecord) -> None:
        """PUT the decision and store what the Market said; never retried on its own.

        If what the Market said cannot be stored, recovery settles it from the order later.
        """
        try:
            await self._send(record)
        except sqlite3.OperationalError as error:
            self.storage.failed(error)
            self.orphaned.add(record.id)
            log.error("Could not store the answer to decision %s: %s", record.id, error)

    async def _send(self, record: DecisionRecord) -> None:
        request = self.store.requests.get(record.request_id)
        assert request is not None
        try:
            await self.market.send_decision(request.campaign_id, request.order_id, record.decision)
        except MarketHTTPError as error:
            if error.status in self.rereads:
                await self._not_accepted(request, record, error)
            else:
                retry_at = error.retry_at if isinstance(error, MarketRateLimited) else None
                self._finish_failed(record, error.status, error.code, error.message, retry_at)
        except MarketError as error:
            self._finish_failed(record, None, "NETWORK", error.describe(), None)
        else:
            self._finish(record.id, DecisionResult.OK, self.clock(), http_status=200)
            log.info(
                "%s took decision %s on order %s",
                logged(request.order.marketplace),
                record.decision.name,
                order_number(request.order),
            )
        self.wakeup.ring()

    def _finish(
        self, decision_id: int, result: DecisionResult, now: datetime, **fields: Any
    ) -> None:
        self.store.finish_decision(decision_id, result, now, **fields)
        metrics.DECISIONS.labels(result.value).inc()

    def _finish_failed(
        self,
        record: DecisionRecord,
        status: int | None,
        code: str | None,
        message: str | None,
        retry_at: datetime | None,
    ) -> None:
        log.warning(
            "Decision on request %s failed: %s %s %s", record.request_id, status, code, message
        )
        self._finish(
            record.id,
            DecisionResult.FAILED,
            self.clock(),
            http_status=status,
            error_code=code,
            error_message=message,
            retry_at=retry_at,
        )

    async def _not_accepted(
        self, request: Request, record: DecisionRecord, error: MarketHTTPError
    ) -> None:
        """A refusal in `rereads`: if the order no longer awaits a decision, say what
        became of it."""
        try:
            order = await self.lookup.current(request)
        except MarketError:  # cannot tell what became of it: keep the buttons
            self._finish_failed(record, error.status, error.code, error.message, None)
            return
        change = reconcile(request, order, Listing.UNKNOWN if order else Listing.LEFT)
        if not change.closes:  # still awaits (or may): the refusal stands, buttons stay
            self._finish_failed(record, error.status, error.code, error.message, None)
            return
        self._finish(
            record.id,
            DecisionResult.NOT_PENDING,
            self.clock(),
            http_status=error.status,
            error_code=error.code,
            error_message=error.message,
            closed_order=change.order,
        )

    async def recover(self) -> None:
        """Finish decisions a crash interrupted; a MarketError leaves them for next time."""
        for record in self.store.decisions.unfinished():
            if record.started_at >= self.started_at and record.id not in self.orphaned:
                continue  # in flight now, not interrupted
            request = self.store.requests.get(record.request_id)
            assert request is not None
            order = await self.lookup.current(request)
            change = reconcile(request, order, Listing.UNKNOWN if order else Listing.LEFT)
            result = recovered_result(record, change)
            marketplace = request.order.marketplace
            log.warning(
                "Decision on order %s was interrupted; %s shows %s: %s",
                order_number(request.order),
                logged(marketplace),
                order.status_code if order else "no such order",
                _RECOVERED[result].format(logged(marketplace)),
            )
            closed = change.order if change.closes else None
            self._finish(
                record.id, result, self.clock(), error_code=INTERRUPTED, closed_order=closed
            )
            self.orphaned.discard(record.id)
            self.wakeup.ring()


def _in_its_chat(request: Request | None, tap: Tapped) -> bool:
    """Whether the tap came from the chat that shows the request (or would: not yet posted).

    The post's chat, not the cabinet's current one: a cabinet moved to another chat leaves
    its open posts decidable where staff see them; a button copied elsewhere is unknown.
    """
    if request is None or request.post is None:
        return True  # stale: said so once the tapper may know
    return request.post.chat_id == tap.chat_id


_RECOVERED = {
    DecisionResult.OK: "it was taken",
    DecisionResult.NOT_PENDING: "settled otherwise",
    DecisionResult.UNKNOWN: "it may not have reached {}",
}
