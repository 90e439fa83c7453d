"""The demo's Ozon seller and its day: rFBS postings on their way and buyers who change their mind.

Pure apart from the engine it drives, like the Market's `DemoWorld`: `tick(now)` decides
from the time and a seeded random what Ozon does next. The engine itself approves a request
left unanswered past its `auto_approve_date`. Ozon's spec gives no fixed window for a
decision, only each request's date: the demo gives the Market's 48 h, compressed as the
Market's is (`DEMO_SPEEDUP`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.demo.world import starting_ages
from bot.simulator.ozon_dto import Initiator
from bot.simulator.ozon_engine import OzonEngine

#: Where the demo's Ozon cabinet sends its calls; never resolved: the transport answers.
OZON_API_URL = "http://ozon-simulator.invalid"


@dataclass(frozen=True)
class OzonSeller:
    """The simulated Ozon seller: its Client-Id, and the Api-Key the simulator issued it."""

    client_id: int
    name: str  # its cabinet's, which posts name when it shares a chat with the Market's
    key: str


OZON_SELLER = OzonSeller(1860001, "Ozon-демо", "demo-ozon")
FIRST_ORDER = 41372915

#: (sku, offer_id, name, price in roubles): a posting takes one to three of them.
CATALOGUE = [
    (1204573381, "KT-0412", "Увлажнитель воздуха Xiaomi Smart Humidifier 2", 6990),
    (987410225, "KT-0087", "Сковорода Tefal Unlimited 28 см", 3290),
    (1550062917, "KT-1130", "Умная колонка Яндекс Станция Лайт 2", 7490),
    (834401976, "KT-0251", "Термокружка Stanley Classic 470 мл", 2890),
    (1309987412, "KT-0904", "Набор контейнеров для хранения, 5 шт.", 990),
    (1672240058, "KT-1377", "Фен Dyson Supersonic HD07", 44990),
]
DELIVERY = ("Доставка силами продавца, Москва", "Курьер продавца, до двери")
#: Who asks and why: (initiator, reason id, reason, the initiator's own words). The reason
#: ids and names are the demo's own: Ozon's spec lists none.
ASKS = [
    (Initiator.CLIENT, 501, "Покупатель передумал", "Передумала, нашла дешевле в другом месте"),
    (Initiator.CLIENT, 501, "Покупатель передумал", ""),
    (Initiator.CLIENT, 502, "Долгая доставка", "Курьер уже второй день не может привезти"),
    (Initiator.CLIENT, 503, "Ошибка при оформлении", "Ошибся цветом, оформлю заново"),
    (Initiator.DELIVERY, 601, "Покупатель недоступен", "Не отвечает на звонки, домофон молчит"),
    (Initiator.OZON, 701, "Отмена по решению Ozon", ""),
]
#: Now and then someone answers in Ozon's own cabinet, beside the desk.
REJECTED_ELSEWHERE = "Заказ уже передан курьеру, доставим сегодня"


@dataclass
class OzonDemoWorld:
    """The simulated Ozon seller over the demo: requests waiting at the start, a new one
    every `interval` (half an interval after the Market's), some answered elsewhere."""

    engine: OzonEngine
    window: timedelta
    interval: timedelta
    rng: random.Random
    seller: OzonSeller = OZON_SELLER
    next_request: datetime | None = None
    _next_order: int = FIRST_ORDER

    def open(self, now: datetime, leads: tuple[timedelta, ...]) -> None:
        """The requests already waiting when the demo starts, aged as the Market's are."""
        for age in starting_ages(self.window, leads):
            self.add_request(now - age)
        self.next_request = now + self.interval / 2

    def tick(self, now: datetime) -> None:
        """Everything Ozon's buyers and the seller's other staff do by `now`."""
        assert self.next_request is not None, "open() first"
        if now < self.next_request:
            return
        self.next_request = now + self.interval
        older = self.engine.waiting()
        self.add_request(now)
        if older and self.rng.random() < 0.25:
            chosen = self.rng.choice(older)
            if self.rng.random() < 0.5:
                self.engine.approve_elsewhere(chosen)
            else:
                self.engine.reject_elsewhere(chosen, REJECTED_ELSEWHERE)

    def add_request(self, asked_at: datetime) -> int:
        """A posting on its way whose buyer (or courier, or Ozon) asked at `asked_at`."""
        order, self._next_order = self._next_order, self._next_order + self.rng.randint(3, 40)
        posting_number = f"{order:08d}-{self.rng.randint(1, 9999):04d}-1"
        self.engine.add_posting(
            self.seller.client_id,
            posting_number,
            self._products(),
            self.rng.choice(DELIVERY),
            asked_at - timedelta(hours=self.rng.randint(5, 60)),
        )
        initiator, reason_id, reason, message = self.rng.choice(ASKS)
        return self.engine.add_request(
            posting_number,
            initiator=initiator,
            reason=(reason_id, reason),
            message=message,
            cancelled_at=asked_at,
            window=self.window,
        )

    def _products(self) -> list[dict[str, object]]:
        chosen = self.rng.sample(CATALOGUE, self.rng.randint(1, 3))
        return [
            {
                "sku": sku,
                "offer_id": offer_id,
                "name": name,
                "price": f"{price}.0000",
                "quantity": 1 if price > 10000 else self.rng.randint(1, 2),
            }
            for sku, offer_id, name, price in chosen
        ]
