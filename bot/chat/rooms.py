"""The staff chats a desk serves, each with the cabinets that post there.

A command or a tap is answered by the room of the chat it came from: its commands see only
its cabinets' requests, and a tap goes to the decider of the tapped request's own cabinet
(whose key alone may decide it). In a private chat, a person's room covers every cabinet
whose staff list names them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from bot.chat.decider import Decider, Tapped, Verdict
from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.formatting import Style
from bot.texts import Texts
from storage.scope import Scope
from storage.store import Store

if TYPE_CHECKING:
    from bot.chat.reach import ChatReach

log = logging.getLogger(__name__)


class SeatShops(Protocol):
    """A cabinet's campaigns and their names: the Market's `Shops` or an Ozon cabinet's."""

    campaigns: set[int]
    names: Mapping[int, str]

    def name(self, campaign_id: int) -> str: ...


class Contact(Protocol):
    """What a 📞 tap is answered with (`bot.team.contact.BuyerContact` for the Market)."""

    async def answer(self, tap: Tapped) -> str: ...


@dataclass(frozen=True)
class Seat:
    """One cabinet as its chat sees it: its name, campaigns, decider and 📞 answers."""

    name: str
    shops: SeatShops
    decider: Decider
    contact: Contact

    @property
    def campaigns(self) -> set[int]:
        return self.shops.campaigns


class Campaigns:
    """The live union of some cabinets' campaigns (discovered ones arrive after start)."""

    def __init__(self, seats: Callable[[], Sequence[Seat]]) -> None:
        self._seats = seats

    def __contains__(self, campaign_id: object) -> bool:
        return any(campaign_id in seat.campaigns for seat in self._seats())

    def __iter__(self) -> Iterator[int]:
        return iter({cid for seat in self._seats() for cid in seat.campaigns})

    def __len__(self) -> int:
        return sum(len(seat.campaigns) for seat in self._seats())


class SeatNames:
    """Shop names; where several cabinets share the chat, each named with its cabinet."""

    def __init__(self, seats: Sequence[Seat]) -> None:
        self._seats = seats

    @property
    def names(self) -> Mapping[int, str]:
        if len(self._seats) == 1:  # every name kept, campaigns no longer watched too
            return self._seats[0].shops.names
        return {
            campaign: f"{seat.name} · {seat.shops.name(campaign)}"
            for seat in self._seats
            for campaign in seat.campaigns
        }

    def name(self, campaign_id: int) -> str:
        return self.names.get(campaign_id, str(campaign_id))


class TapRouter:
    """Sends a tap to the decider of the cabinet whose request it names; a request no
    cabinet serves (an unknown id, a cabinet removed from the file) is an unknown button."""

    def __init__(self, store: Store, seats: Callable[[], Sequence[Seat]], texts: Texts):
        self.store, self._seats, self.texts = store, seats, texts

    def seat_of(self, tap: Tapped) -> Seat | None:
        if tap.callback is None:
            return None
        request = self.store.requests.get(tap.callback.request_id)
        if request is None:
            return None
        return next((s for s in self._seats() if request.campaign_id in s.campaigns), None)

    def judge_tap(self, tap: Tapped) -> Verdict:
        seat = self.seat_of(tap)
        return seat.decider.judge_tap(tap) if seat else self._unknown(tap)

    async def answer_contact(self, tap: Tapped) -> str:
        seat = self.seat_of(tap)
        return await seat.contact.answer(tap) if seat else self._unknown(tap).answer

    def _unknown(self, tap: Tapped) -> Verdict:
        """A request the desk no longer has is out of date, as for one cabinet; one that
        no cabinet serves now is unknown."""
        log.warning("Ignored a tap from user %s on no cabinet's request", tap.user.user_id)
        gone = tap.callback is not None and self.store.requests.get(tap.callback.request_id) is None
        return Verdict(self.texts("answer.stale" if gone else "answer.unknown"))


@dataclass
class Room:
    """One chat and the cabinets posting there: what its commands, taps and outbox use."""

    settings: Settings  # chat-wide: cabinets sharing a chat agree on these
    store: Store  # this chat's posts, and its cabinets' requests not yet posted
    chat: StaffChat
    style: Style
    seats: list[Seat]
    taps: TapRouter
    reach: ChatReach | None = None  # whether the chat takes the bot's messages

    @property
    def shops(self) -> SeatNames:
        return SeatNames(self.seats)

    @property
    def cabinets(self) -> list[str]:
        return [seat.name for seat in self.seats]


class Rooms:
    """Every room, found by chat (a group) or by person (a private chat)."""

    def __init__(self) -> None:
        self.all: list[Room] = []

    def seats(self) -> list[Seat]:
        return [seat for room in self.all for seat in room.seats]

    def of(self, chat_id: int) -> Room | None:
        return next((room for room in self.all if room.chat.is_it(chat_id)), None)

    def private(self, user_id: int) -> Room | None:
        """The rooms whose staff lists name this person, as one."""
        mine = [room for room in self.all if user_id in room.settings.staff_user_ids]
        if len(mine) <= 1:
            return mine[0] if mine else None
        # a room kept for a chat's old posts shares its cabinets' seats with their room
        seats = list({id(seat): seat for room in mine for seat in room.seats}.values())
        first = mine[0]
        store = first.store.scoped(Scope(Campaigns(lambda: seats)))
        return replace(first, store=store, seats=seats)
