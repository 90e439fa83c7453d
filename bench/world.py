"""The loopback world one scenario runs in: the two fakes, the desk's settings, the desk.

The fakes are the strict ones from `tests/fakes`, used through their public API only, in
the standard world of `tests.fakes.world` (the tests' own). Every request they see carries
``arrived_at = time.monotonic()`` at arrival, so latencies are measured from arrival and
compare across both fakes and with a desk's spawn time; and `wait_until` on either fake
wakes on each request instead of polling.

Looking is cheap on purpose: `FakeTelegram.calls()` deep-copies what it returns, and a
predicate looking at a thousand messages on every call would steal the GIL from the fakes'
own server threads and slow the very thing being measured. `World.sent()` reads only the
calls it has not seen yet (``calls(start=...)``) and keeps a flat list of `Sent`.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.simulator.dto import msk_today
from tests.fakes.market import FakeMarket
from tests.fakes.telegram import Call, FakeTelegram
from tests.fakes.world import (
    BUSINESS,
    CAMPAIGN,
    STAFF,
    STAFF_CHAT,
    desk_env,
    seed_market,
    seed_telegram,
)
from tests.harness import DeskProcess

__all__ = [
    "ANNA",
    "STAFF",
    "STAFF_CHAT",
    "Arrival",
    "Sent",
    "World",
    "bytecode_env",
    "order_refs",
    "post_order_id",
    "rss_kib",
]

ANNA = 111  # Анна, one of STAFF
DEFAULT_BUSINESSES: dict[int, tuple[int, ...]] = {BUSINESS: (CAMPAIGN,)}
#: Far above anything a scenario sends, so that only #7 meets the desk's own group limiter.
UNLIMITED_GROUP_RATE = "100000/1s"
#: Bytecode of the desk and its libraries, kept across runs (bench/results/ is git-ignored).
PYCACHE = Path(__file__).resolve().parent / "results" / "pycache"


def bytecode_env(cached: bool) -> dict[str, str]:
    """Environment for a Python child: with a bytecode cache, as a deployed desk has after
    its first start, or without one for the desk's own code, as on a fresh deploy.

    The cache goes to PYCACHE rather than `bot/__pycache__`, so a run leaves no file in
    the code under test; and an inherited PYTHONDONTWRITEBYTECODE (sandboxes set it)
    would otherwise make every start compile the desk from source.
    """
    if cached:
        return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    return {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": ""}


_TITLE = re.compile(r"(?:заказ №|order #)(\d+)")
_ORDER_REF = re.compile(r"(?:№|#)(\d+)")


def post_order_id(text: str) -> int | None:
    """The order a post is about, from its title line (Russian or English)."""
    match = _TITLE.search(text.split("\n", 1)[0])
    return int(match.group(1)) if match else None


def order_refs(text: str) -> list[int]:
    """Every order number mentioned in a text (a /pending part lists one per line)."""
    return [int(value) for value in _ORDER_REF.findall(text)]


@dataclass(frozen=True)
class Sent:
    """One Bot API call as the desk made it: arrival time, target, text, outcome."""

    method: str
    at: float
    ok: bool
    status: int
    chat_id: int | None
    message_id: int | None
    text: str
    has_markup: bool
    is_reply: bool
    description: str | None

    @classmethod
    def of(cls, call: Call) -> Sent:
        params = call.params
        result = call.result
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return cls(
            method=call.method,
            at=call.arrived_at,
            ok=call.ok,
            status=call.status,
            chat_id=_int(params.get("chat_id")),
            message_id=_int(message_id if message_id is not None else params.get("message_id")),
            text=str(params.get("text") or ""),
            has_markup=bool(params.get("reply_markup")),
            is_reply=bool(params.get("reply_parameters") or params.get("reply_to_message_id")),
            description=call.description,
        )


@dataclass(frozen=True)
class Arrival:
    """One Market request at the moment it reached the fake."""

    at: float
    method: str
    path: str
    query: dict[str, Any]
    body: Any

    @property
    def is_listing(self) -> bool:
        """A pending-list call (the poll), as opposed to a lookup of orders by id."""
        return isinstance(self.body, dict) and self.body.get("waitingForCancellationApprove")

    @property
    def is_old_window(self) -> bool:
        """A listing of orders created 30-60 days ago (the sweep): its window ends before today."""
        end = (self.body.get("dates") or {}).get("creationDateTo") if self.is_listing else None
        return end is not None and date.fromisoformat(end) <= msk_today()

    @property
    def is_first_page(self) -> bool:
        """The call that opens a cycle's listing: no page token, the window up to today."""
        return (
            bool(self.is_listing)
            and "page_token" not in self.query
            and "pageToken" not in self.query
            and not self.is_old_window
        )

    @property
    def is_put(self) -> bool:
        return self.method == "PUT" and self.path.endswith("/cancellation/accept")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class World:
    """Fakes on 127.0.0.1, a scratch directory, and the desks started in it.

    One world per scenario keeps scenarios independent: no call log, rate-limit counter
    or database leaks from one measurement into the next. The scratch directory (desk
    logs, databases) is removed afterwards unless `keep` is set or the scenario failed,
    in which case its path is printed for a post-mortem.
    """

    def __init__(
        self,
        businesses: dict[int, tuple[int, ...]] | None = None,
        *,
        telegram_latency: float = 0.0,
        bytecode_cache: bool = True,
        keep: bool = False,
    ) -> None:
        self.businesses = businesses or DEFAULT_BUSINESSES
        self.keep = keep
        self.python_env = bytecode_env(bytecode_cache)
        self.dir = Path(tempfile.mkdtemp(prefix="desk-bench-"))
        self.market = FakeMarket()
        self.telegram = FakeTelegram(latency=telegram_latency)
        self.desks: list[DeskProcess] = []
        self.spawned_at: dict[int, float] = {}
        self.problems: list[str] = []
        self._sent: list[Sent] = []
        self._sent_lock = threading.Lock()

    @property
    def campaigns(self) -> list[int]:
        return [cid for cids in self.businesses.values() for cid in cids]

    def __enter__(self) -> World:
        self.market.start()
        self.telegram.start()
        seed_market(self.market, self.businesses)
        seed_telegram(self.telegram)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for desk in self.desks:
            if desk.running:
                with contextlib.suppress(Exception):
                    desk.terminate(10)
        for fake in (self.telegram, self.market):
            try:
                fake.stop()
            except Exception as error:  # the fake found a bug of its own or of the desk
                self.problems.append(f"{type(fake).__name__}: {error}")
        if self.telegram.internal_errors:
            self.problems.append(f"fake Telegram internal errors: {self.telegram.internal_errors}")
        if self.keep or exc_info[0] is not None:
            print(f"  desk logs and databases kept in {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- what the desk did ---------------------------------------------------------------

    def sent(self) -> list[Sent]:
        """Every Bot API call the desk made and got an answer to, in answer order."""
        with self._sent_lock:
            new = self.telegram.calls(start=len(self._sent))
            self._sent.extend(Sent.of(call) for call in new)
            return list(self._sent)

    def sent_by(self, method: str, since: float = 0.0) -> list[Sent]:
        return [s for s in self.sent() if s.method == method and s.at >= since]

    def posts(self, since: float = 0.0) -> list[Sent]:
        """Successful new posts in the staff chat (not reminders, not command answers)."""
        return [
            s
            for s in self.sent()
            if s.method == "sendMessage"
            and s.ok
            and s.at >= since
            and s.chat_id == STAFF_CHAT
            and s.has_markup
            and not s.is_reply
            and post_order_id(s.text) is not None
        ]

    def post_for(self, order_id: int) -> Sent | None:
        return next((s for s in self.posts() if post_order_id(s.text) == order_id), None)

    def polls(self, since: float = 0.0) -> list[float]:
        """Arrival of every getUpdates from `since` on, answered or still waiting."""
        return [a.arrived_at for a in self.telegram.arrivals("getUpdates", since=since)]

    def market_arrivals(self) -> list[Arrival]:
        """Every Market request, in arrival order."""
        return [
            Arrival(a.arrived_at, a.method, a.path, a.query, a.json) for a in self.market.arrivals()
        ]

    def listings(self, since: float = 0.0) -> list[Arrival]:
        return [a for a in self.market_arrivals() if a.is_listing and a.at >= since]

    def puts(self, since: float = 0.0) -> list[Arrival]:
        return [a for a in self.market_arrivals() if a.is_put and a.at >= since]

    # --- desks ---------------------------------------------------------------------------

    def env(self, **overrides: str) -> dict[str, str]:
        """The desk's settings, as the Procfile's environment would carry them."""
        env = desk_env(
            self.market,
            self.telegram,
            database=self.dir / "data" / "desk.db",
            campaigns=self.campaigns,
        )
        env.update(TELEGRAM_GROUP_RATE=UNLIMITED_GROUP_RATE, LOG_LEVEL="WARNING", **self.python_env)
        env.update(overrides)
        return env

    def start_desk(self, **overrides: str) -> DeskProcess:
        """`python -m bot`, as the Procfile runs it; remembers when it was spawned."""
        desk = DeskProcess(self.env(**overrides), self.dir, name=f"desk{len(self.desks)}")
        self.desks.append(desk)
        spawned = time.monotonic()
        desk.start()
        assert desk.proc is not None
        self.spawned_at[desk.proc.pid] = spawned
        return desk

    def stop_desk(self, desk: DeskProcess) -> None:
        if desk.running:
            code = desk.terminate(15)
            if code != 0:
                self.problems.append(f"desk exited with {code}: {desk.log()[-500:]}")

    def wait_ready(self, desk: DeskProcess, timeout: float = 20.0) -> float:
        """Wait for the desk's first getUpdates after its spawn; returns its arrival time."""
        assert desk.proc is not None
        spawned = self.spawned_at[desk.proc.pid]

        def first_poll() -> float | None:
            if not desk.running:
                raise RuntimeError(f"the desk exited early:\n{desk.log()[-2000:]}")
            return next(iter(self.polls(since=spawned)), None)

        return self.telegram.wait_until(first_poll, timeout, "the desk's first getUpdates")

    def wait_first_listing(self, since: float, timeout: float = 20.0) -> float:
        return self.market.wait_until(
            lambda: next((a.at for a in self.listings(since)), None),
            timeout,
            "the desk's first Market listing",
        )

    def add_orders(
        self,
        order_ids: Iterable[int],
        *,
        cancel_requested: bool,
        campaigns: list[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Orders at the Market, spread over the campaigns; returns the DTOs."""
        campaigns = campaigns or self.campaigns
        return [
            self.market.add_order(
                order_id, campaigns[i % len(campaigns)], cancel_requested=cancel_requested
            )
            for i, order_id in enumerate(order_ids)
        ]


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB, from /proc: what the instance pays for."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]
