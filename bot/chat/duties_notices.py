"""What the outbox tells staff besides the requests' posts: the database's state, requests
it cannot show them, topics that refuse posts, and requests that closed unseen."""

from __future__ import annotations

import logging

from telegram.error import BadRequest, NetworkError

from bot.chat.duties_posts import Posting
from bot.chat.refusals import is_about_the_chat
from bot.chat.render import render_problem
from bot.domain.model import Marketplace, Problem, Request, marketplace_of
from bot.domain.names import logged
from bot.market.orders import INT64_LIMIT
from bot.ops.render_unseen import UNSEEN_PER_MESSAGE, render_unseen
from bot.ops.storage_trouble import StorageTrouble

log = logging.getLogger(__name__)


class StorageNotice:
    """The one message a database episode's start or end calls for, sent directly: the
    rest of the outbox is in the database."""

    records = False
    spare = False

    def __init__(self, posting: Posting, storage: StorageTrouble) -> None:
        self.posting, self.storage = posting, storage

    def due_in(self) -> float | None:
        return 0.0 if self.storage.untold(self.posting.chat.id) else None

    async def step(self) -> bool:
        posting = self.posting
        return await self.storage.tell_staff(posting.bot, posting.chat, posting.style.texts)


class ProblemReports:
    """Tell staff about a request the desk cannot show them, once."""

    records = True
    spare = False

    def __init__(self, posting: Posting) -> None:
        self.posting = posting

    def due_in(self) -> float | None:
        return 0.0 if self.posting.store.problems.unreported(limit=1) else None

    async def step(self) -> bool:
        for record in self.posting.store.problems.unreported(limit=1):
            await self._report(record.problem)
            return True
        return False

    async def _report(self, problem: Problem) -> None:
        posting = self.posting
        request, shop = None, problem.campaign_ref
        campaign_id = _campaign(problem.campaign_ref)
        marketplace = Marketplace.YANDEX if campaign_id is None else marketplace_of(campaign_id)
        if campaign_id is not None and marketplace is Marketplace.OZON:
            request = self._open_posting(campaign_id, problem.order_ref)
            shop = posting.shops.name(campaign_id)
        elif campaign_id is not None and problem.order_ref.isdigit():
            order_id = int(problem.order_ref)
            if max(campaign_id, order_id) < INT64_LIMIT:
                request = posting.store.requests.open_for(campaign_id, order_id)
                shop = posting.shops.name(campaign_id)
        now, style = posting.clock(), posting.style
        text = render_problem(problem, request, shop, now, style, marketplace)
        try:
            await posting.bot.send_message(chat_id=posting.chat.id, text=text)
        except BadRequest as error:
            if is_about_the_chat(error):
                raise NetworkError(f"report refused: {error.message}") from error
            log.error("Telegram refused the report on order %s: %s", problem.order_ref, error)
        posting.store.problem_reported(problem, posting.clock())
        log.warning(
            "Told staff that order %s (campaign %s, %s) is stuck at the %s stage: %s",
            problem.order_ref,
            problem.campaign_ref,
            logged(marketplace),
            problem.stage,
            problem.detail,
        )

    def _open_posting(self, campaign_id: int, posting_number: str) -> Request | None:
        """The open Ozon request a problem names by its posting number."""
        return next(
            (
                request
                for request in self.posting.store.requests.open()
                if request.campaign_id == campaign_id
                and request.order.posting_number == posting_number
            ),
            None,
        )


def _campaign(ref: str) -> int | None:
    """A problem's campaign as stored (Ozon's negative, by `ozon_campaign`), if it is one."""
    digits = ref.removeprefix("-")
    if not digits.isdigit() or int(digits) >= INT64_LIMIT:
        return None
    return int(ref)


class TopicNotices:
    """Tell staff, in the general topic, of a topic that refuses posts, once."""

    records = True
    spare = False

    def __init__(self, posting: Posting) -> None:
        self.posting = posting

    def due_in(self) -> float | None:
        return 0.0 if self.posting.store.topics.unreported() else None

    async def step(self) -> bool:
        return await self.posting.topics.report_next()


class UnseenLists:
    """Requests that closed before they could be posted: one message, no buttons."""

    records = True
    spare = True

    def __init__(self, posting: Posting) -> None:
        self.posting = posting

    def due_in(self) -> float | None:
        return 0.0 if self.posting.store.unseen.unlisted(1) else None

    async def step(self) -> bool:
        posting = self.posting
        unseen = posting.store.unseen.unlisted(UNSEEN_PER_MESSAGE)
        if not unseen:
            return False
        text = render_unseen(unseen, posting.shops.names, posting.style)
        await posting.bot.send_message(chat_id=posting.chat.id, text=text)
        posting.store.unseen_listed([request.id for request in unseen], posting.clock())
        log.info("Listed %d requests that closed before they were posted", len(unseen))
        return True
