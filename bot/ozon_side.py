"""One Ozon cabinet's side: its client, poller and decider, shaped like a Market side.

By THE CONVENTION (`bot.ozon.orders`) an Ozon cabinet's settings carry its Api-Key in
`market_api_key`, its Client-Id in `market_business_id`, its one campaign
`ozon_campaign(client_id)` and OZON_API_URL in `market_api_url`, so its storage scope,
room and routing are a Market cabinet's. Ozon sends no notifications for these requests
(no inbox) and the 📞 button is not shown on Ozon posts.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.cabinet import Cabinet
from bot.cabinet_side import Alerted, Shared, cabinet_poller, poll_scope
from bot.chat.decider import Decider, Tapped, Verdict
from bot.chat.rooms import Seat
from bot.chat.staff_chat import StaffChat
from bot.config import Settings
from bot.domain.model import Decision, Order, Request, ozon_campaign
from bot.formatting import Style
from bot.intake.notifications import Inbox
from bot.intake.ozon_sync import OzonSync, as_market_error
from bot.ozon.client import OzonClient
from bot.ozon.errors import OzonError
from bot.ozon.lookup import OzonLookup
from bot.texts import Texts
from storage.scope import Scope

#: Refusals after which the request is re-read: Ozon states no error for deciding a
#: request no longer ON_APPROVAL (OZON_API.md §2), so every client error its spec
#: documents but the key's 403 (and 429, which is a wait).
OZON_REREADS = frozenset({400, 404, 409})


class OzonShops:
    """An Ozon cabinet's one campaign, named as the cabinet is."""

    def __init__(self, name: str, client_id: int) -> None:
        self.campaigns = {ozon_campaign(client_id)}
        self.names: Mapping[int, str] = {ozon_campaign(client_id): name}

    def name(self, campaign_id: int) -> str:
        return self.names.get(campaign_id, str(campaign_id))

    def forget(self) -> None:
        """Nothing to discover again: the campaign is the Client-Id's."""


class OzonDecisions:
    """The decider's marketplace for an Ozon cabinet: approve or reject by the request's
    `cancellation_id`, re-read by its posting number; Ozon's failures leave in the Market's
    error tree with Ozon's status, code and message as sent."""

    def __init__(self, client: OzonClient, settings: Settings) -> None:
        self.client, self.settings = client, settings
        self.lookup = OzonLookup(client)

    def comment(self, decision: Decision) -> str:
        """What the buyer reads of a rejection (Ozon has no reason codes)."""
        if decision is Decision.REJECT_DELIVERED:
            return self.settings.ozon_reject_delivered_comment
        return self.settings.ozon_reject_in_delivery_comment

    async def send_decision(self, campaign_id: int, order_id: int, decision: Decision) -> None:
        try:
            if decision.accepts:
                await self.client.approve(order_id)
            else:
                await self.client.reject(order_id, self.comment(decision))
        except OzonError as error:
            raise as_market_error(error) from error

    async def current(self, request: Request) -> Order | None:
        try:
            return await self.lookup.current(request)
        except OzonError as error:
            raise as_market_error(error) from error


class NoContact:
    """📞 is not shown on Ozon posts: a tap on one (forged, or old) is judged like any tap
    and otherwise answered as out of date."""

    def __init__(self, decider: Decider, texts: Texts) -> None:
        self.decider, self.texts = decider, texts

    async def answer(self, tap: Tapped) -> str:
        request = self.decider.tapped_request(tap)
        return request.answer if isinstance(request, Verdict) else self.texts("answer.stale")


class OzonSide:
    inbox: Inbox | None = None  # Ozon has no push for cancellation requests

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
        """As `CabinetSide`: `place` in the poll interval; `shares_chat`: alerts name it."""
        settings = self.settings = cabinet.settings
        client_id = settings.market_business_id
        assert client_id is not None, "an Ozon cabinet's Client-Id is its business id"
        self.cabinet = cabinet
        self.client = OzonClient(
            settings.market_api_url, client_id, settings.market_api_key, http=shared.http
        )
        self.shops = OzonShops(cabinet.name, client_id)
        scope = Scope(self.shops.campaigns, polls=poll_scope(cabinet))
        self.store = store = shared.store.scoped(scope)
        decisions = OzonDecisions(self.client, settings)
        self.decider = Decider(
            settings,
            store,
            decisions,
            style.texts,
            shared.wakeup,
            shared.clock,
            shared.storage,
            lookup=decisions,
            rereads=OZON_REREADS,
            marketplace=cabinet.marketplace,
        )
        self.contact = NoContact(self.decider, style.texts)
        source = OzonSync(self.client, store, client_id, shared.clock)
        alerted = Alerted(chat, style, shares_chat)
        self.poller = cabinet_poller(self, shared, source, alerted, place)
        self.seat = Seat(cabinet.name, self.shops, self.decider, self.contact)
