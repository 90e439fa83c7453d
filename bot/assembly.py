"""Building a chat's room with the sides of its cabinets (a Market or an Ozon side each):
at start, and at a reload.

A chat no cabinet posts to any more keeps a room while it shows open posts of a cabinet
the desk still serves (moved to another chat, perhaps while the desk was stopped): taps
there are answered and those posts edited, but nothing new is posted there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.ext import Application

from bot.cabinet import Cabinet
from bot.cabinet_side import CabinetSide, Shared, Side
from bot.chat.handlers import DeskData
from bot.chat.publisher import Publisher
from bot.chat.ratelimit import GroupRateLimiter
from bot.chat.reach import ChatReach
from bot.chat.rooms import Campaigns, Room, Seat, TapRouter
from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.domain.model import Marketplace
from bot.formatting import Style
from bot.owner.daily import Daily
from bot.ozon_side import OzonSide
from bot.texts import Texts
from storage.scope import Scope

Loop = Callable[[], Coroutine[Any, Any, None]]


@dataclass(eq=False)
class Parts:
    """One chat's room and what runs for it; `cabinets` empty: a room kept for old posts."""

    chat_id: int  # as configured (a room kept for old posts: the posts' chat)
    room: Room
    sides: list[Side]  # the sides of the cabinets posting here
    publisher: Publisher
    daily: Daily | None
    cabinets: tuple[Cabinet, ...]

    @property
    def chat_loops(self) -> list[Loop]:
        return [self.publisher.run, *self.daily_loops]

    @property
    def daily_loops(self) -> list[Loop]:
        return [self.daily.run] if self.daily else []


def by_chat(cabinets: tuple[Cabinet, ...]) -> dict[int, list[Cabinet]]:
    """Cabinets grouped by the chat they post to, in the file's order."""
    chats: dict[int, list[Cabinet]] = {}
    for cabinet in cabinets:
        chats.setdefault(cabinet.chat_id, []).append(cabinet)
    return chats


def room_settings(cabinets: list[Cabinet]) -> Settings:
    """A chat's settings: cabinets sharing it agree on them, each campaign keeps its topic;
    the 📞 button is on where a Market cabinet turned it on (an Ozon cabinet has none)."""
    topics = tuple(pair for cabinet in cabinets for pair in cabinet.settings.campaign_topics)
    contact = any(cabinet.settings.buyer_contact for cabinet in cabinets)
    return dataclasses.replace(cabinets[0].settings, campaign_topics=topics, buyer_contact=contact)


SPREAD = 0.75  # of the poll interval: the rest is slack for a busy start


def spaced(interval: timedelta, count: int) -> Iterator[float]:
    """Each of `count` pollers' first poll, spread over three quarters of the poll
    interval: even then no second holds more than a tenth of a cycle's calls, and the last
    cabinet is polled within one interval of the start though the start keeps the loop busy."""
    spacing = SPREAD * interval.total_seconds() / max(count, 1)
    return (n * spacing for n in range(count))


def owns(cabinet: Cabinet, business_id: int, campaign_id: int) -> bool:
    """Whether a request is the cabinet's: by business and campaigns, never by name."""
    listed = cabinet.settings.market_campaign_ids
    mine = cabinet.business_id is None or cabinet.business_id == business_id
    return mine and (not listed or campaign_id in listed)


def style_of(settings: Settings, cabinets: tuple[Cabinet, ...] = ()) -> Style:
    """How a chat (or the operators) are shown things, by the marketplaces of its cabinets."""
    marketplaces = frozenset(cabinet.marketplace for cabinet in cabinets)
    return Style(
        Texts(settings.language),
        settings.timezone,
        settings.reminder_lead_times,
        settings.confirm_decisions,
        claims=settings.claims,
        buyer_contact=settings.buyer_contact,
        marketplaces=marketplaces or frozenset({Marketplace.YANDEX}),
    )


class Assembly:
    """Builds rooms and sides over the process's shared pieces."""

    def __init__(self, application: Application, shared: Shared, limiter: GroupRateLimiter) -> None:
        self.application, self.shared, self.limiter = application, shared, limiter
        self.data: DeskData = application.bot_data

    def room(self, chat_id: int, cabinets: list[Cabinet], places: Iterator[float]) -> Parts:
        """The room of a chat the cabinets post to, with their sides."""
        settings = room_settings(cabinets)
        style, chat = style_of(settings, tuple(cabinets)), self._chat(chat_id)
        shares = len(cabinets) > 1  # alerts then name their cabinet
        sides = [self._side(c, chat, style, next(places), shares) for c in cabinets]
        seats = [side.seat for side in sides]
        return self._parts(chat_id, chat, settings, style, seats, sides, tuple(cabinets))

    def _side(
        self, cabinet: Cabinet, chat: StaffChat, style: Style, place: float, shares: bool
    ) -> Side:
        """The cabinet's side for its marketplace."""
        kind = OzonSide if cabinet.marketplace is Marketplace.OZON else CabinetSide
        return kind(cabinet, self.shared, chat, style, place=place, shares_chat=shares)

    def kept_rooms(self, parts: list[Parts]) -> list[Parts]:
        """Rooms for the chats left with open posts of the cabinets of `parts`."""
        sides = [side for part in parts for side in part.sides]
        served = {part.room.chat.id for part in parts}
        kept: dict[int, list[Side]] = {}
        for chat_id, business_id, campaign_id in self.shared.store.posts.still_shown():
            side = next((s for s in sides if owns(s.cabinet, business_id, campaign_id)), None)
            if chat_id not in served and side is not None and side not in kept.get(chat_id, []):
                kept.setdefault(chat_id, []).append(side)
        return [self._kept(chat_id, owners) for chat_id, owners in kept.items()]

    def _kept(self, chat_id: int, sides: list[Side]) -> Parts:
        """No digest and no pinned summary: the chat is told nothing new."""
        settings = dataclasses.replace(
            room_settings([side.cabinet for side in sides]), pin_summary=False, digest_at=None
        )
        seats = [side.seat for side in sides]
        owners = tuple(side.cabinet for side in sides)
        chat, style = self._chat(chat_id), style_of(settings, owners)
        return self._parts(chat_id, chat, settings, style, seats, [], ())

    def _chat(self, chat_id: int) -> StaffChat:
        backlog = self.limiter.backlog_for(chat_id)
        backlog.filled()  # a rebuilt outbox has not looked yet
        return StaffChat(chat_id, self.shared.store, self.shared.wakeup.for_chat(backlog))

    def _parts(
        self,
        chat_id: int,
        chat: StaffChat,
        settings: Settings,
        style: Style,
        seats: list[Seat],
        sides: list[Side],
        cabinets: tuple[Cabinet, ...],
    ) -> Parts:
        """A kept room (no cabinets) sees only its chat's posts, so it posts nothing new."""
        shared, data = self.shared, self.data
        posting = seats if cabinets else []
        store = shared.store.scoped(Scope(Campaigns(lambda: posting), chat=lambda: chat.id))
        taps = TapRouter(shared.store, data.rooms.seats, style.texts)
        reach = ChatReach(chat, lambda: [seat.name for seat in seats], data.operators, shared.clock)
        room = Room(settings, store, chat, style, seats, taps, reach)
        bot = self.application.bot
        publisher = Publisher(
            bot,
            store,
            chat,
            room.shops,
            style,
            settings,
            clock=shared.clock,
            wakeup=chat.wakeup,
            activity=data.activity,
            limiter=self.limiter,
            storage=shared.storage,
            reach=reach,
        )
        daily = None
        if cabinets and (settings.history_days or settings.digest_at):
            daily = Daily(bot, store, chat, settings, style, shared.clock)
        return Parts(chat_id, room, sides, publisher, daily, cabinets)

    def show(self, parts: list[Parts]) -> None:
        """Make `parts` the desk's rooms, sides and inboxes, in one step."""
        data = self.data
        data.rooms.all = [part.room for part in parts]
        data.sides = [side for part in parts for side in part.sides]
        data.inboxes.all = [side.inbox for side in data.sides if side.inbox is not None]
        data.style = data.rooms.all[0].style
