"""One cabinet's Market side: its key, campaigns, poller, decider and notification inbox.

Each cabinet polls on its own loop, placed at its own moment of the poll interval, with
its own client (one shared HTTP pool, its own key and lanes) and a storage view of its
own campaigns: one business refusing, limiting or timing out holds up no other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx
from telegram import Bot

from bot.cabinet import Cabinet
from bot.chat.decider import Decider
from bot.chat.rooms import Seat
from bot.chat.staff_chat import StaffChat
from bot.formatting import Style
from bot.intake.notifications import Inbox
from bot.intake.poller import Poller, PollSource
from bot.intake.sync import MarketSync
from bot.intake.trouble import StaffAlerts
from bot.market.client import Lane, MarketClient
from bot.market.lookup import OrderLookup
from bot.market.shops import Shops
from bot.ops.operators import Operators
from bot.ops.storage_trouble import StorageTrouble
from bot.signals import Shutdown, Wakeup
from bot.team.contact import BuyerContact
from storage.scope import Scope
from storage.store import Store


@dataclass(frozen=True)
class Shared:
    """What every cabinet of the desk shares: the process's pieces."""

    bot: Bot
    store: Store
    http: httpx.AsyncClient
    wakeup: Wakeup
    clock: Callable[[], datetime]
    storage: StorageTrouble
    shutdown: Shutdown
    operators: Operators | None = None  # told of every cabinet's trouble, in private


class SideShops(Protocol):
    """A side's campaigns and their names: the Market's `Shops`, or an Ozon cabinet's one."""

    campaigns: set[int]

    def name(self, campaign_id: int) -> str: ...

    def forget(self) -> None: ...


class Side(Protocol):
    """One cabinet's marketplace side, as health, metrics, /cabinets, a reload and the
    rooms read it, whichever marketplace it serves."""

    cabinet: Cabinet
    store: Store
    shops: SideShops
    decider: Decider
    poller: Poller
    seat: Seat
    inbox: Inbox | None  # None: the marketplace sends no notifications to the desk


def poll_scope(cabinet: Cabinet) -> str | None:
    """Whose poll records a cabinet reads: by business (and campaigns, when a business is
    split), never by name; the environment's one cabinet keeps the records it always had."""
    if cabinet.from_environment:
        return None
    campaigns = ",".join(map(str, sorted(cabinet.settings.market_campaign_ids)))
    return f"business:{cabinet.business_id}" + (f":{campaigns}" if campaigns else "")


class CabinetSide:
    def __init__(
        self,
        cabinet: Cabinet,
        shared: Shared,
        chat: StaffChat,
        style: Style,
        place: float,
        *,
        shares_chat: bool = False,
    ) -> None:
        """`place`: seconds into the poll interval of this cabinet's first poll;
        `shares_chat`: other cabinets post to its chat too, so its alerts name it."""
        settings = self.settings = cabinet.settings
        self.cabinet = cabinet
        self.market = MarketClient(
            settings.market_api_url, settings.market_api_key, http=shared.http
        )
        self.shops = Shops(settings, self.market, shared.store)
        scope = Scope(self.shops.campaigns, polls=poll_scope(cabinet))
        self.store = store = shared.store.scoped(scope)
        wakeup, clock = shared.wakeup, shared.clock
        self.decider = Decider(
            settings, store, self.market, style.texts, wakeup, clock, shared.storage
        )
        self.contact = BuyerContact(settings, self.market, self.decider, style, clock)
        source = MarketSync(
            self.market,
            self.shops,
            store,
            clock=clock,
            poll_interval=settings.poll_interval,
            window=settings.decision_window,
        )
        self.poller = cabinet_poller(self, shared, source, Alerted(chat, style, shares_chat), place)
        self.inbox: Inbox | None = Inbox(
            store,
            OrderLookup(self.market, clock, Lane.NOTIFICATIONS),  # never ahead of a PUT
            self.shops,
            self.shops.campaigns,
            settings.poll_interval,
            clock,
            wakeup,
            settings.decision_window,
        )
        self.seat = Seat(cabinet.name, self.shops, self.decider, self.contact)


@dataclass(frozen=True)
class Alerted:
    """Where a cabinet's trouble is told: its chat, in its words, naming it if shared."""

    chat: StaffChat
    style: Style
    shares_chat: bool


def cabinet_poller(
    side: Side, shared: Shared, source: PollSource, alerted: Alerted, place: float
) -> Poller:
    """A cabinet's poller, of either marketplace: its own source over the desk's loop,
    backoff and trouble rules, first polling at `place` seconds into the interval."""
    cabinet, settings = side.cabinet, side.cabinet.settings
    named = cabinet.name if alerted.shares_chat else None
    texts = alerted.style.texts
    alerts = StaffAlerts(shared.bot, alerted.chat, texts, named, cabinet.marketplace)
    return Poller(
        side.store,
        source,
        side.decider,
        alerts,
        poll_interval=settings.poll_interval,
        clock=shared.clock,
        wakeup=shared.wakeup,
        storage=shared.storage,
        shutdown=shared.shutdown,
        first_delay=place,
        refused_key_stops=cabinet.from_environment,
        operators=shared.operators,
        cabinet=cabinet.name,
    )
