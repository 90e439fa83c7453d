"""A desk of many cabinets (issue 20): one `python -m bot` serving N businesses.

Looking is rate-limited on purpose: the fakes' own `wait_until` re-checks on every
request, and with thousands of calls a check that reads them all starves the fakes'
server threads (they then refuse connections, and the desk measures the bench). Here a
condition is checked every CHECK_EVERY seconds and posts are read once each; the
measured times still come from the fakes' arrival stamps.

Each cabinet is one business at the fake Market with its own key and two campaigns, and
posts to its own staff chat at the fake Telegram. The world writes the CABINETS_FILE as
an operator would (keys in variables the file names), so the desk starts exactly as a
deployed one with that file does. Both fakes keep their default limits: the bot-wide 30
messages a second is on; a chat limit is set by the scenario that measures it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from bench.world import Sent, World, post_order_id
from tests.cabinets import cabinets_toml
from tests.fakes.market import FakeMarket
from tests.fakes.market.records import Arrival as MarketArrival
from tests.fakes.world import STAFF

IN_THE_FILE = ("MARKET_API_KEY", "MARKET_CAMPAIGN_IDS", "STAFF_CHAT_ID")
STAFF_IDS = list(STAFF)
T = TypeVar("T")
CHECK_EVERY = 0.25  # seconds between looks at the fakes' logs


@dataclass(frozen=True)
class Cabinet:
    """One cabinet of the bench desk: its business, campaigns, chat and key."""

    index: int
    business: int
    campaigns: tuple[int, int]
    chat: int
    key: str

    @property
    def name(self) -> str:
        return f"Кабинет {self.index:03d}"

    @property
    def key_env(self) -> str:
        return f"MARKET_KEY_{self.index:03d}"

    def table(self) -> dict[str, object]:
        return {
            "name": self.name,
            "business_id": self.business,
            "api_key_env": self.key_env,
            "campaign_ids": list(self.campaigns),
            "staff_chat_id": self.chat,
            "staff_user_ids": STAFF_IDS,
        }


def cabinets(count: int) -> list[Cabinet]:
    return [
        Cabinet(
            index=i,
            business=800_000 + i,
            campaigns=(40_000_000 + 2 * i, 40_000_001 + 2 * i),
            chat=-1003000000000 - i,
            key=f"ACMA:bench{i:04d}secret:{i:06x}",
        )
        for i in range(count)
    ]


class ManyWorld(World):
    """The bench World with `count` cabinets instead of the one from the environment."""

    def __init__(self, count: int, **kwargs: Any) -> None:
        self.cabinets = cabinets(count)
        businesses = {c.business: c.campaigns for c in self.cabinets}
        super().__init__(businesses, **kwargs)
        self.market = FakeMarket(keys={c.key: c.business for c in self.cabinets})
        self.by_business = {c.business: c for c in self.cabinets}
        self.by_chat = {c.chat: c for c in self.cabinets}
        self.file = self.dir / "cabinets.toml"
        self._posted: dict[int, float] = {}
        self._read = 0

    def __enter__(self) -> ManyWorld:
        super().__enter__()
        for cabinet in self.cabinets:
            self.telegram.add_group(cabinet.chat, title=cabinet.name)
        self.file.write_text(cabinets_toml(*(c.table() for c in self.cabinets)), "utf-8")
        return self

    def env(self, **overrides: str) -> dict[str, str]:
        env = super().env()
        for name in IN_THE_FILE:
            env.pop(name, None)
        env["CABINETS_FILE"] = str(self.file)
        env.update({c.key_env: c.key for c in self.cabinets})
        env.update(overrides)
        return env

    # --- what the desk did ---------------------------------------------------------------

    def market_listings(self, since: float = 0.0) -> list[MarketArrival]:
        """Every order listing the desk made (a poll's call), from `since` on."""
        return [
            a
            for a in self.market.arrivals("getBusinessOrders", since=since)
            if isinstance(a.json, dict) and a.json.get("waitingForCancellationApprove")
        ]

    def market_listings_of(self, business: int) -> list[MarketArrival]:
        return [
            a
            for a in self.market.arrivals("getBusinessOrders", business=business)
            if isinstance(a.json, dict) and a.json.get("waitingForCancellationApprove")
        ]

    def first_listing(self, since: float) -> dict[int, float]:
        """Each business's first listing from `since` on."""
        found: dict[int, float] = {}
        for arrival in self.market_listings(since):
            if arrival.business_id is not None:
                found.setdefault(arrival.business_id, arrival.arrived_at)
        return found

    def chat_posts(self, chats: Iterable[int] | None = None, since: float = 0.0) -> list[Sent]:
        """Successful new posts in the cabinets' chats (not reminders or replies)."""
        wanted = set(self.by_chat if chats is None else chats)
        return [
            s
            for s in self.sent()
            if s.method == "sendMessage"
            and s.ok
            and s.at >= since
            and s.chat_id in wanted
            and s.has_markup
            and not s.is_reply
            and post_order_id(s.text) is not None
        ]

    def posted(self) -> dict[int, float]:
        """Each order's first post in a cabinet's chat, reading only calls not yet read."""
        sent = self.sent()
        for s in sent[self._read :]:
            if s.chat_id in self.by_chat and s.method == "sendMessage" and s.ok and s.has_markup:
                order_id = post_order_id(s.text)
                if order_id is not None and not s.is_reply:
                    self._posted.setdefault(order_id, s.at)
        self._read = len(sent)
        return self._posted

    def wait(self, predicate: Callable[[], T], timeout: float, what: str) -> T:
        """The first truthy value of `predicate`, checked every CHECK_EVERY seconds."""
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
            time.sleep(CHECK_EVERY)
        return value

    def refused(self, status: int = 429) -> int:
        return sum(1 for s in self.sent() if s.status == status)

    def wait_all_polled(self, since: float, timeout: float) -> dict[int, float]:
        """Until every business has been listed from `since` on; their first listings."""
        return self.market.wait_until(
            lambda: (
                (found := self.first_listing(since)) and len(found) == len(self.cabinets) and found
            ),
            timeout,
            f"a listing of each of the {len(self.cabinets)} businesses",
        )


def spawned(world: World) -> float:
    desk = world.desks[-1]
    assert desk.proc is not None
    return world.spawned_at[desk.proc.pid]


def pause_until(moment: float) -> None:
    """Sleep until the monotonic `moment` (a scheduled request, not a wait for the desk)."""
    time.sleep(max(0.0, moment - time.monotonic()))
