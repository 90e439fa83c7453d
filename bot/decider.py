"""Taps on a post's buttons, and sending the decision to the Market exactly once.

A tap is judged from storage alone (fast, no I/O) so it can be answered at once; the
PUT, if any, runs after the answer. The intent is stored before the PUT and the Market's
answer after it, so a crash in between is found and finished at the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime

from bot.callbacks import Callback, Tap
from bot.desk import Desk
from bot.market import MarketError, MarketHTTPError, MarketRateLimited
from storage.store import DecisionRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Staff:
    user_id: int
    name: str
    username: str | None


@dataclass(frozen=True)
class Verdict:
    """The answer to show the tapper at once, and the slow work that follows, if any."""

    answer: str
    follow_up: Awaitable[None] | None = None


class Decider:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.started_at = desk.clock()  # decisions begun before this were cut off by a stop

    def judge_tap(
        self, callback: Callback | None, chat_id: int, message_id: int, user: Staff
    ) -> Verdict:
        desk, t = self.desk, self.desk.texts
        if callback is None or not desk.is_staff_chat(chat_id):
            log.warning("Ignored a tap from user %s in chat %s", user.user_id, chat_id)
            return Verdict(t("answer.unknown"))
        if not desk.settings.is_staff_user(user.user_id):
            log.warning("Refused a tap from user %s, who is not in STAFF_USER_IDS", user.user_id)
            return Verdict(t("answer.not_staff"))
        request = desk.store.request(callback.request_id)
        post = request.post if request else None
        if request is None or post is None or post.message_id != message_id:
            log.warning("Refused a tap on message %s with stale or forged data", message_id)
            return Verdict(t("answer.stale"))
        latest = desk.store.last_decision(request.id)
        if latest is not None and latest.result == "ok":
            return Verdict(t("answer.already", who=_plain(latest)))
        if request.state != "pending":
            return Verdict(t("answer.closed"))
        if latest is not None and latest.result is None:
            return Verdict(t("answer.in_flight", who=_plain(latest)))

        assert callback.decision is not None or callback.tap is Tap.BACK
        if callback.tap is Tap.BACK:
            desk.store.set_confirming(request.id, None)
            desk.wake_publisher()
            return Verdict(t("answer.back"))
        if callback.tap is Tap.CHOOSE and desk.settings.confirm_decisions:
            desk.store.set_confirming(request.id, callback.decision)
            desk.wake_publisher()
            return Verdict(t("answer.confirm"))
        if callback.tap is Tap.CONFIRM and post.confirming is not callback.decision:
            return Verdict(t("answer.stale"))
        assert callback.decision is not None
        record = desk.store.begin_decision(
            request.id,
            callback.decision,
            user_id=user.user_id,
            user_name=user.name,
            username=user.username,
            now=desk.clock(),
        )
        if record is None:  # lost a race to another decision
            other = desk.store.last_decision(request.id)
            return Verdict(t("answer.already", who=_plain(other)) if other else t("answer.closed"))
        log.info(
            "User %s decided %s on order %s", user.user_id, callback.decision.name, request.order_id
        )
        return Verdict(t("answer.sending"), self.send(record))

    async def send(self, record: DecisionRecord) -> None:
        """PUT the decision and store what the Market said; never retried on its own."""
        desk = self.desk
        request = desk.store.request(record.request_id)
        assert request is not None
        try:
            await desk.market.send_decision(request.campaign_id, request.order_id, record.decision)
        except MarketHTTPError as error:
            if error.status in (400, 404):
                await self._not_accepted(record, error)
            else:
                retry_at = error.retry_at if isinstance(error, MarketRateLimited) else None
                self._finish_failed(record, error.status, error.code, error.message, retry_at)
        except MarketError as error:
            self._finish_failed(record, None, "NETWORK", error.describe(), None)
        else:
            desk.store.finish_decision(record.id, "ok", desk.clock(), http_status=200)
            log.info(
                "The Market took decision %s on order %s", record.decision.name, request.order_id
            )
        desk.wake_publisher()

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
        self.desk.store.finish_decision(
            record.id,
            "failed",
            self.desk.clock(),
            http_status=status,
            error_code=code,
            error_message=message,
            retry_at=retry_at,
        )

    async def _not_accepted(self, record: DecisionRecord, error: MarketHTTPError) -> None:
        """400/404: if the order no longer awaits a decision, say what became of it."""
        desk = self.desk
        request = desk.store.request(record.request_id)
        assert request is not None
        try:
            order = await desk.fetch_order(request)
        except MarketError:  # cannot tell what became of it: keep the buttons
            self._finish_failed(record, error.status, error.code, error.message, None)
            return
        if order is not None and order.awaits_decision is not False:  # pending, or unknown
            self._finish_failed(record, error.status, error.code, error.message, None)
            return
        desk.store.finish_decision(
            record.id,
            "not_pending",
            desk.clock(),
            http_status=error.status,
            error_code=error.code,
            error_message=error.message,
            closed_order=order,
        )

    async def recover(self) -> None:
        """Finish decisions a crash interrupted; a MarketError leaves them for next time."""
        desk = self.desk
        interrupted = [
            record
            for record in desk.store.unfinished_decisions()
            if record.started_at < self.started_at
        ]
        for record in interrupted:
            request = desk.store.request(record.request_id)
            assert request is not None
            order = await desk.fetch_order(request)
            if order is None or order.awaits_decision is False:
                log.warning(
                    "Decision on order %s was interrupted; the Market shows it settled (%s)",
                    request.order_id,
                    f"{order.status}/{order.substatus}" if order else "not listed",
                )
                desk.store.finish_decision(record.id, "ok", desk.clock())
            else:
                log.warning(
                    "Decision on order %s was interrupted and may not have reached the Market",
                    request.order_id,
                )
                desk.store.finish_decision(record.id, "unknown", desk.clock())
            desk.wake_publisher()


def _plain(record: DecisionRecord) -> str:
    """Who decided, for a callback answer (plain text, no HTML)."""
    return f"{record.user_name} (@{record.username})" if record.username else record.user_name
