"""The desk's domain: what a request, its post and a decision are, and the pure rules on them.

Everything here is plain data and functions of it; storage keeps these records and the
rest of the desk acts on them, so a rule (what staff see change, what a result does to a
request, the 48-hour window) lives in one place.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum, StrEnum
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")  # the Market's days and legacy times are Moscow's
DECISION_WINDOW = timedelta(hours=48)  # the Market cancels a request left unanswered this long


# the order, as staff need to see it


class Marketplace(StrEnum):
    """Where a cabinet sells, and so whose request an order is."""

    YANDEX = "yandex"
    OZON = "ozon"


def ozon_campaign(client_id: int) -> int:
    """The campaign id an Ozon seller's requests are kept under: its Client-Id, negated.

    Storage, scopes and routing know requests by (campaign, order); the Market's campaign
    ids are positive, so the two marketplaces' shops can never share one.
    """
    return -client_id


def marketplace_of(campaign_id: int) -> Marketplace:
    """Whose request a campaign's is, by the sign `ozon_campaign` gives Ozon's."""
    return Marketplace.OZON if campaign_id < 0 else Marketplace.YANDEX


class OrderStatus(StrEnum):
    """The statuses the desk acts on; the others are kept as the marketplace's text.

    Ozon's conditional-cancellation states come in as three of them: a request waiting
    (`ON_APPROVAL`), approved (the order is `CANCELLED`) and `REJECTED`.
    """

    DELIVERY = "DELIVERY"
    PICKUP = "PICKUP"
    CANCELLED = "CANCELLED"
    ON_APPROVAL = "ON_APPROVAL"
    REJECTED = "REJECTED"


DECIDABLE_STATUSES = frozenset({OrderStatus.DELIVERY, OrderStatus.PICKUP, OrderStatus.ON_APPROVAL})


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError("cannot add different currencies")
        return Money(self.amount + other.amount, self.currency)


@dataclass(frozen=True)
class OrderItem:
    name: str
    offer_id: str
    count: int
    price: Money | None  # total for all units of the line, as the Market gives it


@dataclass(frozen=True)
class Order:
    order_id: int
    campaign_id: int
    status: str
    substatus: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    items: tuple[OrderItem, ...] = ()
    total: Money | None = None
    delivery_type: str | None = None
    delivery_service: str | None = None
    region: str | None = None
    delivery_from: date | None = None
    delivery_to: date | None = None
    payment_type: str | None = None
    payment_method: str | None = None
    cancel_requested: bool | None = None
    fake: bool = False
    external_id: str | None = None
    # Ozon's request: its posting, who asked and why (the Market's orders have none)
    marketplace: Marketplace = Marketplace.YANDEX
    posting_number: str | None = None
    initiator: str | None = None
    reason: str | None = None
    reason_message: str | None = None

    @property
    def awaits_decision(self) -> bool | None:
        """Whether the Market still expects the shop to answer a cancellation request.

        None when the order may await one but the Market left `cancelRequested` out (it
        is optional): unknown, so only leaving the pending listing closes a request then.
        """
        if self.status not in DECIDABLE_STATUSES or self.cancel_requested is False:
            return False
        return self.cancel_requested

    @property
    def created_on(self) -> date | None:
        """The Moscow day of creation: which listing window covers the order."""
        return moscow_today(self.created_at) if self.created_at else None

    @property
    def status_code(self) -> str:
        """`STATUS/SUBSTATUS`, as a closed request keeps it."""
        return f"{self.status}/{self.substatus}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Order:
        data = json.loads(text)
        data["items"] = tuple(
            OrderItem(
                name=item["name"],
                offer_id=item["offer_id"],
                count=item["count"],
                price=_money_from_json(item["price"]),
            )
            for item in data["items"]
        )
        data["total"] = _money_from_json(data["total"])
        for key in ("created_at", "updated_at"):
            data[key] = datetime.fromisoformat(data[key]) if data[key] else None
        for key in ("delivery_from", "delivery_to"):
            data[key] = date.fromisoformat(data[key]) if data[key] else None
        data["marketplace"] = Marketplace(data.get("marketplace", Marketplace.YANDEX))
        return cls(**data)


def moscow_today(now: datetime) -> date:
    """The Market counts creation-date windows in Moscow days."""
    return now.astimezone(MOSCOW).date()


def _money_from_json(data: dict[str, str] | None) -> Money | None:
    return Money(Decimal(data["amount"]), data["currency"]) if data else None


def visible_change(old: Order, new: Order) -> bool:
    """Whether staff would see a difference in the post (status moves, e.g. DELIVERY -> PICKUP)."""
    return (old.status, old.substatus, old.items, old.total, old.delivery_type) != (
        new.status,
        new.substatus,
        new.items,
        new.total,
        new.delivery_type,
    )


# the decision


class Decision(Enum):
    """What staff answer to a cancellation request: the desk's one word for it.

    Each edge spells it its own way and translates it there: the callback data
    (bot.chat.callbacks), the Market's body (bot.market.client) and the stored letter (storage). The
    value names its texts (`action.<value>`, `outcome.<value>`, ...).
    """

    ACCEPT = "accept"
    REJECT_DELIVERED = "reject_delivered"
    REJECT_IN_DELIVERY = "reject_in_delivery"

    @property
    def accepts(self) -> bool:
        """Whether it lets the order be cancelled (the other two keep it)."""
        return self is Decision.ACCEPT


class DecisionResult(StrEnum):
    """What became of a decision sent to the Market; a decision in flight has none yet."""

    OK = "ok"  # taken: the request is settled here
    FAILED = "failed"  # refused or unanswered; staff may try again
    NOT_PENDING = "not_pending"  # refused because the order no longer awaits one
    UNKNOWN = "unknown"  # cut off by a stop; the Market still awaits a decision


# who acted


@dataclass(frozen=True)
class Person:
    """Someone in the staff chat, named as Telegram named them when they acted.

    The journal keeps no username, so it may be None there though Telegram had one;
    bot.formatting shows a person to staff, the same way everywhere.
    """

    user_id: int
    name: str
    username: str | None = None


# the request


class RequestState(StrEnum):
    PENDING = "pending"  # waiting for staff
    DECIDED = "decided"  # settled here; closes when the Market stops listing it
    CLOSED = "closed"  # gone from the Market's pending list


def state_after(result: DecisionResult) -> RequestState:
    """What a decision's result makes of a pending request."""
    if result is DecisionResult.OK:
        return RequestState.DECIDED
    if result is DecisionResult.NOT_PENDING:
        return RequestState.CLOSED
    return RequestState.PENDING


class Basis(Enum):
    NOTIFICATION = "notification"  # exact: `requestedAt` from the Market
    POLL = "poll"  # after the last poll that did not list it, within a poll interval or so
    ESTIMATED = "estimated"  # the order's last update, clamped to what is certain


@dataclass(frozen=True)
class RequestTime:
    at: datetime
    basis: Basis
    window: timedelta = DECISION_WINDOW  # shorter only in the demo's compressed time

    @property
    def deadline(self) -> datetime:
        return self.at + self.window

    @property
    def estimated(self) -> bool:
        return self.basis is Basis.ESTIMATED

    def no_later_than(self, moment: datetime) -> RequestTime:
        """This time, or `moment` if that is earlier: a request seen at the Market at
        `moment` was made by then, whatever a notification says."""
        return self if self.at <= moment else RequestTime(moment, self.basis, self.window)


@dataclass(frozen=True)
class Post:
    chat_id: int
    message_id: int
    posted_at: datetime
    confirming: Decision | None
    dirty: int  # 0: up to date; otherwise a change counter, see PostTable.mark_clean
    thread_id: int | None = None  # the forum topic it is in; None: the general one


@dataclass(frozen=True)
class DecisionRecord:
    id: int
    request_id: int
    decision: Decision
    person: Person  # who sent it
    started_at: datetime
    finished_at: datetime | None
    result: DecisionResult | None
    http_status: int | None
    error_code: str | None
    error_message: str | None
    retry_at: datetime | None

    @property
    def taken(self) -> bool:
        return self.result is DecisionResult.OK

    @property
    def in_flight(self) -> bool:
        return self.result is None


@dataclass(frozen=True)
class Claim:
    """Who said "I'm on it" for a request, and since when; others may still decide."""

    person: Person
    claimed_at: datetime


@dataclass(frozen=True)
class Request:
    id: int
    campaign_id: int
    order_id: int
    business_id: int
    state: RequestState
    order: Order
    first_seen: datetime
    request_time: RequestTime
    closed_at: datetime | None
    closed_status: str | None
    post: Post | None
    claim: Claim | None = None

    @property
    def deadline(self) -> datetime:
        return self.request_time.deadline

    @property
    def key(self) -> tuple[int, int]:
        return (self.campaign_id, self.order_id)

    @property
    def pending(self) -> bool:
        return self.state is RequestState.PENDING

    def brought_closer_by(self, notified: RequestTime) -> bool:
        """Whether a notified time makes the deadline earlier than what the desk has.

        Notifications are trusted by source address only, so one may only bring a deadline
        closer: it is earlier than the stored time and than the moment first seen.
        """
        return notified.at < min(self.request_time.at, self.first_seen)


@dataclass(frozen=True)
class NewRequest:
    business_id: int
    order: Order
    first_seen: datetime
    request_time: RequestTime


class Effect(Enum):
    KEEP = "keep"  # nothing to store
    REFRESH = "refresh"  # still open: keep the order as the Market shows it now
    CLOSE = "close"  # settled without (or regardless of) a decision here


@dataclass(frozen=True)
class Change:
    effect: Effect
    order: Order | None = None
    show: bool = False  # staff's post must be redone

    @property
    def closes(self) -> bool:
        return self.effect is Effect.CLOSE


KEEP = Change(Effect.KEEP)  # what the Market shows changes nothing


def close_status(order: Order | None) -> str | None:
    """What a closed request remembers of the order: `STATUS/SUBSTATUS`, or None if unknown."""
    return order.status_code if order is not None else None


# what the desk could not do


class Stage(StrEnum):
    """Where a request got stuck: skipped so that it never holds up the others, it must
    not expire unseen either, so staff are told once per order."""

    READ = "read"  # the Market sent an order the desk cannot read
    STORE = "store"
    POST = "post"
    EDIT = "edit"
    REMIND = "remind"


@dataclass(frozen=True)
class Problem:
    """Ids as sent: an unreadable order may have no valid one (`names.problem_ref`)."""

    campaign_ref: str
    order_ref: str
    stage: Stage
    detail: str


@dataclass(frozen=True)
class ProblemRecord:
    problem: Problem
    noted_at: datetime
