"""A bench World with an Ozon cabinet beside the Market's, both posting to STAFF_CHAT.

The desk is `python -m bot` with a CABINETS_FILE naming both cabinets (Ozon cabinets are
set only there), as a deployed desk serving both marketplaces starts. The fake Ozon is
the strict one from `tests/fakes/ozon`, on loopback like the others; its arrivals carry
`time.monotonic()` too, so its times compare with the other fakes' and the taps'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bench.world import Sent, World, post_order_id
from bot.chat.callbacks import Tap, parse_callback
from bot.domain.model import Decision
from tests.cabinets import cabinets_toml
from tests.fakes.ozon import FakeOzon
from tests.fakes.world import BUSINESS, CAMPAIGN, STAFF_CHAT

__all__ = [
    "APPROVE",
    "LIST",
    "REJECT",
    "SELLER",
    "OzonBenchWorld",
    "PostOf",
    "button",
    "post_of",
]

SELLER = 4242  # the Ozon cabinet's Client-Id
OZON_KEY = "bench-ozon-api-key"
LIST = "/v2/conditional-cancellation/list"
APPROVE = "/v2/conditional-cancellation/approve"
REJECT = "/v2/conditional-cancellation/reject"
IN_THE_FILE = ("MARKET_API_KEY", "MARKET_CAMPAIGN_IDS", "STAFF_CHAT_ID")
_POSTING = re.compile(r"(?:отправление|posting) (\d{8}-\d{4}-\d+)")


@dataclass(frozen=True)
class PostOf:
    """What a post is about: a Market order id, or an Ozon posting number."""

    market: int | None = None
    posting: str | None = None


def post_of(text: str) -> PostOf | None:
    """The request a post is about, from its title line (Russian or English)."""
    title = text.split("\n", 1)[0]
    if (order_id := post_order_id(title)) is not None:
        return PostOf(market=order_id)
    match = _POSTING.search(title)
    return PostOf(posting=match.group(1)) if match else None


class OzonBenchWorld(World):
    """The bench World plus the fake Ozon and a cabinets file of one Market and one Ozon
    cabinet sharing the staff chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ozon = FakeOzon(keys={OZON_KEY: SELLER})
        self.file = self.dir / "cabinets.toml"

    def __enter__(self) -> OzonBenchWorld:
        super().__enter__()
        self.ozon.start()
        market = {
            "name": "Маркет",
            "business_id": BUSINESS,
            "api_key_env": "MARKET_KEY_BENCH",
            "campaign_ids": [CAMPAIGN],
            "staff_chat_id": STAFF_CHAT,
        }
        ozon = {
            "name": "Ozon",
            "marketplace": "ozon",
            "client_id": SELLER,
            "api_key_env": "OZON_KEY_BENCH",
            "staff_chat_id": STAFF_CHAT,
        }
        self.file.write_text(cabinets_toml(market, ozon), "utf-8")
        return self

    def __exit__(self, *exc_info: object) -> None:
        super().__exit__(*exc_info)
        try:
            self.ozon.stop()
        except Exception as error:  # the fake found a bug of its own or of the desk
            self.problems.append(f"FakeOzon: {error}")

    def env(self, **overrides: str) -> dict[str, str]:
        env = super().env()
        for name in IN_THE_FILE:
            env.pop(name, None)
        env.update(
            CABINETS_FILE=str(self.file),
            MARKET_KEY_BENCH=self.market.api_key,
            OZON_KEY_BENCH=OZON_KEY,
            OZON_API_URL=self.ozon.url,
        )
        env.update(overrides)
        return env

    # --- what the desk did ---------------------------------------------------------------

    def all_posts(self, since: float = 0.0) -> list[tuple[PostOf, Sent]]:
        """Successful new posts in the staff chat, Market and Ozon, in answer order."""
        found = []
        for sent in self.sent():
            if not (
                sent.method == "sendMessage"
                and sent.ok
                and sent.at >= since
                and sent.chat_id == STAFF_CHAT
                and sent.has_markup
                and not sent.is_reply
            ):
                continue
            if (about := post_of(sent.text)) is not None:
                found.append((about, sent))
        return found

    def ozon_posts(self, since: float = 0.0) -> dict[str, Sent]:
        """Each Ozon posting's first post, by posting number."""
        first: dict[str, Sent] = {}
        for about, sent in self.all_posts(since):
            if about.posting is not None:
                first.setdefault(about.posting, sent)
        return first

    def decision_call(self, cancellation_id: int, since: float) -> float | None:
        """Arrival of the first approve or reject of `cancellation_id` from `since` on."""
        for arrival in self.ozon.arrivals(client_id=SELLER):
            if (
                arrival.arrived_at >= since
                and arrival.path in (APPROVE, REJECT)
                and isinstance(arrival.json, dict)
                and int(arrival.json.get("cancellation_id", 0)) == cancellation_id
            ):
                return arrival.arrived_at
        return None

    def listing_that_found(self, cancellation_id: int) -> float | None:
        """Arrival of the first listing whose answer held `cancellation_id`."""
        for call in self.ozon.calls(LIST, client_id=SELLER):
            items = (call.answer or {}).get("result") or [] if call.status == 200 else []
            if any(int(item["cancellation_id"]) == cancellation_id for item in items):
                return call.arrived_at
        return None


def button(message: Any, tap: Tap, decision: Decision) -> str:
    """The callback data of a post's `tap` button for `decision`, whatever its words."""
    for row in message.buttons:
        callback = parse_callback(row.get("callback_data"))
        if callback is not None and callback.tap is tap and callback.decision is decision:
            return row["callback_data"]
    raise LookupError(f"no {tap.name} {decision.name} button in {message.buttons}")
