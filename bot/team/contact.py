"""BUYER_CONTACT: the 📞 button answers the buyer's name and phone to the person who tapped,
in the callback's pop-up only: never in the group, the database or the logs.

The tap is judged like a decision's (outsiders, stale and forged posts are refused), then
the Market is asked once, within `BUDGET` so the answer beats the callback's expiry; an
error is told in one line and not retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.chat.decider import Decider, Tapped, Verdict
from bot.config import Settings
from bot.formatting import Style, clip, when
from bot.market.client import MarketClient
from bot.market.errors import MarketError, MarketHTTPError, MarketRateLimited
from bot.market.records import Buyer
from bot.team.privacy import SHOWN

log = logging.getLogger(__name__)

BUDGET = 7.0  # seconds for the Market's answer: a callback is answered within about 10
POPUP_LIMIT = 200  # characters Telegram shows in a callback answer


def render_contact(buyer: Buyer, style: Style) -> str:
    """Plain text within the pop-up's limit; the name is cut, never the phone or the note."""
    t = style.texts
    note = "\n" + t("contact.trusted") if buyer.trusted else ""
    phone = buyer.phone or t("contact.no_phone")
    room = POPUP_LIMIT - len(t("contact.line", name="", phone=phone) + note)
    return t("contact.line", name=clip(buyer.name or "—", room), phone=phone) + note


def render_contact_error(error: MarketError, style: Style) -> str:
    t = style.texts
    if isinstance(error, MarketRateLimited):
        return t("contact.420", when=when(error.retry_at, style)) if error.retry_at else (
            t("contact.420_later")
        )  # fmt: skip
    if isinstance(error, MarketHTTPError) and error.status in (400, 403, 404):
        return t(f"contact.{error.status}")
    return clip(t("contact.failed", error=error.describe()), POPUP_LIMIT)


class BuyerContact:
    def __init__(
        self,
        settings: Settings,
        market: MarketClient,
        decider: Decider,
        style: Style,
        clock: Callable[[], datetime],
    ) -> None:
        self.settings, self.market, self.decider = settings, market, decider
        self.style, self.clock = style, clock

    async def answer(self, tap: Tapped) -> str:
        """The pop-up text for a 📞 tap."""
        request = self.decider.tapped_request(tap)
        if isinstance(request, Verdict):
            return request.answer
        if not self.settings.buyer_contact:  # a button left from when it was on
            return self.style.texts("answer.stale")
        log.info("User %s asked for the buyer of order %s", tap.user.user_id, request.order_id)
        lookup = self.market.buyer(request.campaign_id, request.order_id)
        try:
            buyer = await asyncio.wait_for(lookup, BUDGET)
        except TimeoutError:
            return self.style.texts("contact.slow")
        except MarketError as error:
            return render_contact_error(error, self.style)
        SHOWN.remember(buyer.name, buyer.phone)  # before any log line can hold the pop-up
        return render_contact(buyer, self.style)
