"""The demo's businesses and their day: stores, Russian goods, and requests that come and go.

Pure apart from the engine it drives: `DemoWorld.tick(now)` decides from the time and a
seeded random what the Market does next, so the demo's behaviour can be tested step by step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.simulator.engine import MarketEngine


@dataclass(frozen=True)
class DemoBusiness:
    """A simulated business: the Api-Key the simulator issued it, and its stores."""

    business_id: int
    name: str  # also its cabinet's, which posts name when two cabinets share a chat
    key: str
    shops: dict[int, str]


#: The first is the demo's one business; DEMO_CABINETS=2 adds the second, with its own key.
BUSINESSES = (
    DemoBusiness(700001, "Дом и техника", "demo", {710001: "Уютный дом", 710002: "Техника рядом"}),
    DemoBusiness(700002, "Зоомир", "demo-zoo", {720001: "Лапы и хвост"}),
)
FIRST_ORDER_ID = 52731400

#: (item name, price in roubles) of each store; a demo order takes one to three of them.
CATALOGUE: dict[int, list[tuple[str, int]]] = {
    710001: [
        ("Набор посуды Tefal Ingenio, 10 предметов", 12490),
        ("Постельное бельё «Самойловский текстиль», евро, сатин", 5390),
        ("Плед флисовый 150×200, графит", 1290),
        ("Подушка анатомическая с эффектом памяти", 2790),
        ("Кастрюля эмалированная 5 л", 1890),
        ("Полотенца махровые, набор из 4 шт.", 1590),
    ],
    710002: [
        ("Чайник электрический Redmond RK-G178", 3490),
        ("Пылесос беспроводной Dreame T20", 21990),
        ("Наушники Sony WH-1000XM5, чёрные", 32990),
        ("Кофемашина De'Longhi Magnifica S ECAM22.110", 39990),
        ("Электрическая зубная щётка Oral-B Pro 3", 5490),
        ("Робот-пылесос Xiaomi Robot Vacuum S10", 18990),
    ],
    720001: [
        ("Корм для кошек Royal Canin Indoor, 4 кг", 4290),
        ("Лежанка для собак, 70×50 см", 2190),
        ("Когтеточка-столбик с домиком", 3590),
        ("Наполнитель древесный, 30 л", 890),
        ("Автопоилка для кошек с фильтром", 2490),
        ("Шлейка прогулочная светоотражающая", 990),
    ],
}
_STREETS = [
    ("Москва", "Профсоюзная", "56"),
    ("Москва", "Ленинский проспект", "99"),
    ("Москва", "Дмитровское шоссе", "13к2"),
    ("Москва", "Новослободская", "4"),
]
_BUYERS = [
    ("Ирина", "Соколова", "+79161234501"),
    ("Алексей", "Морозов", "+79031234502"),
    ("Екатерина", "Волкова", "+79261234503"),
    ("Дмитрий", "Лебедев", "+79851234504"),
]
_PAYMENTS = [("PREPAID", "YANDEX"), ("PREPAID", "SBP"), ("POSTPAID", "CARD_ON_DELIVERY")]
_EXPIRED = {"cancel_requested": False, "status": "CANCELLED", "substatus": "USER_CHANGED_MIND"}
_SETTLED_ELSEWHERE: list[dict[str, Any]] = [
    {"cancel_requested": False},  # the buyer withdrew the request
    {"cancel_requested": False, "status": "DELIVERED", "substatus": "DELIVERED_USER_RECEIVED"},
    _EXPIRED,  # cancelled by support
]


def starting_ages(window: timedelta, leads: tuple[timedelta, ...]) -> list[timedelta]:
    """How old the requests waiting at the start are: one fresh, and for each lead time
    one about to cross it, so that the first reminders come within a minute."""
    margin = timedelta(seconds=20)
    ages = [timedelta(minutes=3)]
    ages += [window - lead - margin * (i + 1) for i, lead in enumerate(sorted(leads))]
    return [age for age in ages if timedelta(0) <= age < window]


@dataclass
class DemoWorld:
    """The simulated Market's life over the demo: new requests, expiries, settled elsewhere.

    Each business starts with its own waiting requests; new ones come to each in turn.
    """

    engine: MarketEngine
    window: timedelta
    interval: timedelta
    rng: random.Random = field(default_factory=random.Random)
    businesses: tuple[DemoBusiness, ...] = BUSINESSES[:1]
    requested: dict[int, datetime] = field(default_factory=dict)  # waiting: order → asked at
    next_request: datetime | None = None
    _next_id: int = FIRST_ORDER_ID
    _turn: int = 0  # which business the next new request comes to

    def open(self, now: datetime, leads: tuple[timedelta, ...]) -> None:
        """The stores and the requests already waiting when the demo starts."""
        for business in self.businesses:
            for campaign_id, name in business.shops.items():
                self.engine.add_campaign(
                    campaign_id,
                    business_id=business.business_id,
                    domain=name,
                    business_name=business.name,
                )
        for business in self.businesses:
            for age in starting_ages(self.window, leads):
                self.add_request(now - age, business)
        self.next_request = now + self.interval

    def tick(self, now: datetime) -> None:
        """Everything the Market does by `now`."""
        for order_id, asked_at in list(self.requested.items()):
            if self.engine.order(order_id).get("cancelRequested") is not True:
                del self.requested[order_id]  # the desk's decision reached the Market
            elif now >= asked_at + self.window:  # unanswered: the Market cancels and refunds
                self.settle(order_id, **_EXPIRED)
        assert self.next_request is not None, "open() first"
        if now >= self.next_request:
            self.next_request = now + self.interval
            self.add_request(now, self.businesses[self._turn % len(self.businesses)])
            self._turn += 1
            older = sorted(self.requested)[:-1]
            if older and self.rng.random() < 0.25:
                self.settle(self.rng.choice(older), **self.rng.choice(_SETTLED_ELSEWHERE))

    def add_request(self, asked_at: datetime, business: DemoBusiness) -> int:
        """A new order of `business` in delivery whose buyer asked to cancel at `asked_at`."""
        order_id, self._next_id = self._next_id, self._next_id + self.rng.randint(3, 40)
        campaign_id = self.rng.choice(list(business.shops))
        pickup = self.rng.random() < 0.3
        payment_type, method = self.rng.choice(_PAYMENTS)
        self.engine.add_order(
            order_id,
            campaign_id,
            status="PICKUP" if pickup else "DELIVERY",
            substatus="PICKUP_SERVICE_RECEIVED" if pickup else "DELIVERY_SERVICE_RECEIVED",
            cancel_requested=True,
            created_at=asked_at - timedelta(hours=self.rng.randint(5, 60)),
            updated_at=asked_at,
            items=self._items(campaign_id),
            paymentType=payment_type,
            paymentMethod=method,
            **({} if pickup else {"delivery": {"courier": {"address": self._address()}}}),
        )
        first, last, phone = self.rng.choice(_BUYERS)
        self.engine.set_buyer(order_id, firstName=first, lastName=last, phone=phone)
        self.requested[order_id] = asked_at
        return order_id

    def settle(self, order_id: int, **changes: Any) -> None:
        """The order leaves the waiting list without the desk: expired, or settled elsewhere."""
        self.requested.pop(order_id, None)
        self.engine.set_order(order_id, **changes)

    def _items(self, campaign_id: int) -> list[dict[str, Any]]:
        chosen = self.rng.sample(CATALOGUE[campaign_id], self.rng.randint(1, 3))
        items = []
        for index, (name, price) in enumerate(chosen):
            count = 1 if price > 10000 else self.rng.randint(1, 2)
            payment = {"value": price * count, "currencyId": "RUR"}
            items.append(
                {
                    "offerId": f"SKU-{campaign_id % 1000}-{index + 1:03d}",
                    "offerName": name,
                    "count": count,
                    "prices": {"payment": payment, "vat": "VAT_20"},
                }
            )
        return items

    def _address(self) -> dict[str, str]:
        city, street, house = self.rng.choice(_STREETS)
        return {
            "city": city,
            "street": street,
            "house": house,
            "apartment": str(self.rng.randint(1, 300)),
        }
