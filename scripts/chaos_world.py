"""The chaos run's world: the fakes, a Market and an Ozon cabinet in one staff chat, and
what the script did to them (requests made, taps, requests settled elsewhere)."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from pathlib import Path

from bot.chat.callbacks import Tap, parse_callback
from bot.domain.model import Decision
from tests.cabinets import cabinets_toml
from tests.fakes.market import FakeMarket
from tests.fakes.ozon import CancellationState, FakeOzon
from tests.fakes.telegram import FakeTelegram
from tests.fakes.world import (
    BUSINESS,
    CAMPAIGN,
    STAFF,
    STAFF_CHAT,
    desk_env,
    seed_market,
    seed_telegram,
)

SELLER = 4242  # the Ozon cabinet's Client-Id
OZON_KEY = "chaos-ozon-api-key"
DECISIONS = (Decision.ACCEPT, Decision.REJECT_IN_DELIVERY)
IN_THE_FILE = ("MARKET_API_KEY", "MARKET_CAMPAIGN_IDS", "STAFF_CHAT_ID")
_MARKET = re.compile(r"#(\d+)$")
_POSTING = re.compile(r"posting (\d{8}-\d{4}-\d+)")
Key = int | str  # a Market order id, or an Ozon posting number


def post_key(message) -> Key | None:
    """The request a post is about: its Market order id or its Ozon posting number."""
    title = message.text.splitlines()[0]
    if match := _MARKET.search(title):
        return int(match.group(1))
    if match := _POSTING.search(title):
        return match.group(1)
    return None


class World:
    """The fakes and what the script did to them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.market = FakeMarket().start()
        seed_market(self.market)
        self.telegram = FakeTelegram().start()
        seed_telegram(self.telegram)
        self.ozon = FakeOzon(keys={OZON_KEY: SELLER}).start()
        self.next_order = 1
        self.postings: dict[str, int] = {}  # Ozon posting number -> cancellation id
        self.taps: Counter[Key] = Counter()  # request -> taps sent
        self.settled_elsewhere: set[Key] = set()
        self.last_ozon_tap = 0.0

    def stop(self) -> None:
        self.market.stop()
        self.telegram.stop()
        self.ozon.stop()

    def env(self, workdir: Path) -> dict[str, str]:
        """The desk's settings: both cabinets in a cabinets file, sharing the staff chat."""
        file = workdir / "cabinets.toml"
        market = {
            "name": "Market",
            "business_id": BUSINESS,
            "api_key_env": "MARKET_KEY_CHAOS",
            "campaign_ids": [CAMPAIGN],
            "staff_chat_id": STAFF_CHAT,
        }
        ozon = {
            "name": "Ozon",
            "marketplace": "ozon",
            "client_id": SELLER,
            "api_key_env": "OZON_KEY_CHAOS",
            "staff_chat_id": STAFF_CHAT,
        }
        file.write_text(cabinets_toml(market, ozon), "utf-8")
        env = desk_env(self.market, self.telegram, database=workdir / "data" / "desk.db")
        for name in IN_THE_FILE:
            env.pop(name)
        return {
            **env,
            "CABINETS_FILE": str(file),
            "MARKET_KEY_CHAOS": self.market.api_key,
            "OZON_KEY_CHAOS": OZON_KEY,
            "OZON_API_URL": self.ozon.url,
        }

    def act(self) -> None:
        """One thing a busy day brings: a request, a tap, or a request settled elsewhere."""
        roll = self.rng.random()
        if roll < 0.12:  # about the group limit's pace (20 posts a minute), edits aside
            self._request()
        elif roll < 0.88:
            self._tap()
        else:
            self._settle_elsewhere()

    def _request(self) -> None:
        if self.rng.random() < 0.5:
            self.market.add_order(self.next_order, CAMPAIGN, cancel_requested=True)
            self.next_order += 1
        else:
            request = self.ozon.add_request(SELLER)
            self.postings[request.posting_number] = request.cancellation_id

    def _tap(self) -> None:
        posts = [m for m in self.posts() if m.buttons]
        if not posts:
            return
        message = self.rng.choice(posts)
        key = post_key(message)
        data = _choose(message, self.rng.choice(DECISIONS))
        if key is None or data is None:
            return
        self.telegram.tap(STAFF_CHAT, message.message_id, self.rng.choice(list(STAFF)), data)
        self.taps[key] += 1
        if isinstance(key, str):
            self.last_ozon_tap = time.monotonic()

    def _settle_elsewhere(self) -> None:
        waiting = [*self.market_waiting(), *self.ozon_waiting()]
        if not waiting:
            return
        key = self.rng.choice(waiting)
        if isinstance(key, int):
            self.market.set_order(
                key, cancel_requested=False, status="CANCELLED", substatus="USER_CHANGED_MIND"
            )
        elif self.rng.random() < 0.5:
            self.ozon.approve_elsewhere(self.postings[key])
        else:
            self.ozon.reject_elsewhere(self.postings[key])
        self.settled_elsewhere.add(key)

    # --- what the marketplaces and the chat show ------------------------------------------

    def listed(self, order_id: int) -> bool:
        return bool(self.market.order(order_id).get("cancelRequested"))

    def market_waiting(self) -> list[int]:
        return [o for o in range(1, self.next_order) if self.listed(o)]

    def ozon_state(self, posting: str) -> CancellationState:
        return CancellationState(self.ozon.request(self.postings[posting])["state"]["state"])

    def ozon_waiting(self) -> list[str]:
        waiting = CancellationState.ON_APPROVAL
        return [p for p in self.postings if self.ozon_state(p) is waiting]

    def posts(self) -> list:
        return [
            m
            for m in self.telegram.messages(STAFF_CHAT)
            if m.reply_to_message_id is None and m.text.startswith("🛑") and not m.deleted
        ]

    def posts_by_key(self) -> dict[Key, list]:
        found: dict[Key, list] = {}
        for message in self.posts():
            if (key := post_key(message)) is not None:
                found.setdefault(key, []).append(message)
        return found


def _choose(message, decision: Decision) -> str | None:
    """The post's button for `decision` (a decision itself with CONFIRM_DECISIONS=false)."""
    for button in message.buttons:
        callback = parse_callback(button.get("callback_data"))
        if callback is not None and callback.tap is Tap.CHOOSE and callback.decision is decision:
            return button["callback_data"]
    return None
