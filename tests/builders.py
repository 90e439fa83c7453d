"""What the tests build by hand: orders, requests, decisions, polls, the rendering style, and
the store operations the store tests repeat."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from bot.config import Settings, load_settings
from bot.domain.model import (
    Basis,
    Decision,
    DecisionRecord,
    DecisionResult,
    Money,
    NewRequest,
    Order,
    OrderItem,
    Person,
    Post,
    Request,
    RequestState,
    RequestTime,
)
from bot.domain.reconcile import Listing, reconcile
from bot.formatting import Style
from bot.intake.notifications import Inbox
from bot.texts import Texts
from storage.polls import PollRecord
from storage.store import Store
from tests.fakes.world import CAMPAIGN, STAFF_CHAT

NOW = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
LEADS = (24 * H, 6 * H, H)
CHAT = -1001234567890
TRICKY = "Чайник <Bosch> & \"кружка\" '2л'"


def desk_settings(market, folder: Path, **overrides: str) -> Settings:
    """Settings of a desk in process over the fake Market; a test overrides what it needs."""
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123:abcdefghijklmnop",
            "STAFF_CHAT_ID": str(STAFF_CHAT),
            "MARKET_API_KEY": market.api_key,
            "MARKET_API_URL": market.url,
            "MARKET_CAMPAIGN_IDS": str(CAMPAIGN),
            **overrides,
        },
        env_file=folder / "absent.env",
    )


def asgi_client(app, peer: str) -> httpx.AsyncClient:
    """A client of the desk's HTTP app in process, seen as coming from `peer`."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://desk.test")


def style(language: str = "en", *, confirm: bool = True) -> Style:
    return Style(Texts(language), ZoneInfo("Europe/Moscow"), LEADS, confirm)


def order(order_id: int = 5001, campaign_id: int = 1001, **changes: object) -> Order:
    base = Order(
        order_id=order_id,
        campaign_id=campaign_id,
        status="DELIVERY",
        substatus="USER_RECEIVED",
        created_at=NOW - 30 * H,
        updated_at=NOW - 12 * H,
        items=(
            OrderItem(TRICKY, "SKU-1", 2, Money(Decimal("3980.00"), "RUR")),
            OrderItem("Фильтр", "SKU-2", 1, None),
        ),
        total=Money(Decimal("3980.00"), "RUR"),
        delivery_type="DELIVERY",
        delivery_service="Своя доставка",
        region="Москва",
        delivery_from=date(2026, 7, 21),
        delivery_to=date(2026, 7, 22),
        payment_type="PREPAID",
        payment_method="YANDEX",
        cancel_requested=True,
    )
    return dataclasses.replace(base, **changes)


def post(confirming: Decision | None = None) -> Post:
    return Post(CHAT, 321, NOW - 9 * H, confirming, 0)


def request(
    *,
    request_id: int = 7,
    state: RequestState | str = RequestState.PENDING,
    basis: Basis = Basis.NOTIFICATION,
    at: datetime = NOW - 10 * H,
    the_post: Post | None = None,
    closed_status: str | None = None,
    closed_at: datetime | None = None,
    the_order: Order | None = None,
    campaign_id: int = 1001,
    posted: bool = True,
) -> Request:
    the_order = the_order or order()
    return Request(
        id=request_id,
        campaign_id=campaign_id,
        order_id=the_order.order_id,
        business_id=77,
        state=RequestState(state),
        order=the_order,
        first_seen=NOW - 9 * H,
        request_time=RequestTime(at, basis),
        closed_at=closed_at,
        closed_status=closed_status,
        post=(the_post or post()) if posted else None,
    )


def decision(
    result: DecisionResult | str | None = DecisionResult.OK, **changes: object
) -> DecisionRecord:
    base = DecisionRecord(
        id=1,
        request_id=7,
        decision=Decision.ACCEPT,
        person=Person(42, "Анна <склад>", "anna_k"),
        started_at=NOW - H,
        finished_at=NOW - H + timedelta(seconds=1) if result else None,
        result=DecisionResult(result) if result else None,
        http_status=None,
        error_code=None,
        error_message=None,
        retry_at=None,
    )
    return dataclasses.replace(base, **changes)


def new(
    order_id: int = 5001,
    *,
    at: datetime = NOW - 10 * H,
    basis: Basis = Basis.NOTIFICATION,
    campaign_id: int = 1001,
) -> NewRequest:
    return NewRequest(77, order(order_id, campaign_id), NOW - 9 * H, RequestTime(at, basis))


def poll(**changes: object) -> PollRecord:
    fields: dict[str, object] = {
        "started_at": NOW - timedelta(seconds=5),
        "finished_at": NOW,
        "ok": True,
        "covered_from": date(2026, 6, 20),
        "covered_to": date(2026, 7, 21),
    }
    fields.update(changes)
    return PollRecord(**fields)  # type: ignore[arg-type]


def begin(store: Store, request_id: int, decision: Decision = Decision.ACCEPT):
    return store.begin_decision(request_id, decision, Person(42, "Анна", "anna_k"), NOW)


def close(store: Store, request_id: int, the_order: Order | None, now: datetime = NOW) -> None:
    """The request left the pending listing, the order now as given."""
    request = store.requests.get(request_id)
    store.apply(request, reconcile(request, the_order, Listing.LEFT), now)


def sync(store: Store, *, new=(), refreshed=(), closed=(), poll, problems=()) -> list[int]:
    """One cycle: `refreshed` still listed, `closed` gone from the listing."""
    changes = [(r, reconcile(r, o, Listing.LISTED)) for r, o in refreshed]
    changes += [(r, reconcile(r, o, Listing.LEFT)) for r, o in closed]
    return store.apply_sync(new=list(new), changes=changes, poll=poll, problems=problems)


def intervals_later(inbox: Inbox, count: int = 1) -> Inbox:
    """The same inbox `count` poll intervals from now: an order it looked up may be looked up
    again (a notification costs at most one look-up per order per poll interval)."""
    shift = count * inbox.poll_interval
    return dataclasses.replace(inbox, clock=lambda: datetime.now(UTC) + shift)
