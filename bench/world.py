"""The loopback world one scenario runs in: the two fakes, the desk's settings, the desk.

The fakes are the strict ones from `tests/fakes`, subclassed only to *observe* more
cheaply and more precisely than their public API allows:

- `FakeTelegram.calls()` deep-copies every call ever made; polling it in a loop while the
  desk sends a thousand messages would steal the GIL from the fakes' own server threads
  and slow the very thing being measured. `TimedTelegram` keeps a flat list of what was
  sent and wakes waiters through a condition variable instead of polling.
- `FakeMarket.calls()` stamps a call with the wall clock *after* validating it. Latencies
  here are monotonic, and from arrival, so `TimedMarket` stamps each request with
  `time.monotonic()` as it arrives, comparable with `TimedTelegram`'s `Call.at`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from tests.fakes.market import FakeMarket
from tests.fakes.telegram import FakeTelegram
from tests.harness import DeskProcess

T = TypeVar("T")

STAFF_CHAT = -1001234567890
STAFF = {111: ("Анна", "anna"), 222: ("Борис", "boris")}
ANNA = 111
DEFAULT_BUSINESSES: dict[int, tuple[int, ...]] = {5001: (1001,)}
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


@dataclass(frozen=True)
class Arrival:
    """One Market request at the moment it reached the fake."""

    at: float
    method: str
    path: str
    query: str
    body: Any

    @property
    def is_listing(self) -> bool:
        """A pending-list call (the poll), as opposed to a lookup of orders by id."""
        return isinstance(self.body, dict) and self.body.get("waitingForCancellationApprove")

    @property
    def is_first_page(self) -> bool:
        """The call that opens a cycle's listing: no page token, the default window."""
        return (
            bool(self.is_listing)
            and "page_token" not in self.query
            and "pageToken" not in self.query
            and "dates" not in self.body
        )

    @property
    def is_put(self) -> bool:
        return self.method == "PUT" and self.path.endswith("/cancellation/accept")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Waitable:
    """A condition variable that the fakes' server threads notify on every record."""

    def __init__(self) -> None:
        self.cond = threading.Condition()

    def wait_until(self, predicate: Callable[[], T], timeout: float, what: str) -> T:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
                self.cond.wait(min(remaining, 0.5))


class TimedTelegram(FakeTelegram, _Waitable):
    """`latency` delays every answer, as the real Bot API's round trip would (0: loopback)."""

    def __init__(self, *, latency: float = 0.0, **kwargs: Any) -> None:
        FakeTelegram.__init__(self, **kwargs)
        _Waitable.__init__(self)
        self.latency = latency
        self.sent: list[Sent] = []
        self.updates_polls: list[float] = []  # arrival of every getUpdates

    async def _endpoint(self, request: Request) -> Response:
        at = time.monotonic()
        if request.path_params.get("path", "").lower().endswith("/getupdates"):
            with self.cond:
                self.updates_polls.append(at)
                self.cond.notify_all()
        response = await super()._endpoint(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        return response

    def _record(
        self,
        method: str,
        raw: dict,
        at: float,
        status: int,
        error_code: int | None,
        description: str | None,
        result: Any,
    ) -> None:
        super()._record(method, raw, at, status, error_code, description, result)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        sent = Sent(
            method=self.spec.method_name(method) or method,
            at=at,
            ok=error_code is None,
            status=status,
            chat_id=_int(raw.get("chat_id")),
            message_id=_int(message_id if message_id is not None else raw.get("message_id")),
            text=str(raw.get("text") or ""),
            has_markup=bool(raw.get("reply_markup")),
            is_reply=bool(raw.get("reply_parameters") or raw.get("reply_to_message_id")),
            description=description,
        )
        with self.cond:
            self.sent.append(sent)
            self.cond.notify_all()

    def sent_by(self, method: str, since: float = 0.0) -> list[Sent]:
        with self.cond:
            return [s for s in self.sent if s.method == method and s.at >= since]

    def posts(self, since: float = 0.0) -> list[Sent]:
        """Successful new posts in the staff chat (not reminders, not command answers)."""
        with self.cond:
            return [
                s
                for s in self.sent
                if s.method == "sendMessage"
                and s.ok
                and s.at >= since
                and s.chat_id == STAFF_CHAT
                and s.has_markup
                and not s.is_reply
                and post_order_id(s.text) is not None
            ]

    def post_for(self, order_id: int) -> Sent | None:
        for sent in self.posts():
            if post_order_id(sent.text) == order_id:
                return sent
        return None


class TimedMarket(FakeMarket, _Waitable):
    def __init__(self, **kwargs: Any) -> None:
        FakeMarket.__init__(self, **kwargs)
        _Waitable.__init__(self)
        self.arrivals: list[Arrival] = []

    async def _endpoint(self, request: Request) -> Response:
        at = time.monotonic()
        body = await request.body()  # Starlette caches it for the real handler
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        with self.cond:
            self.arrivals.append(
                Arrival(at, request.method.upper(), request.url.path, request.url.query, parsed)
            )
            self.cond.notify_all()
        return await super()._endpoint(request)

    def listings(self, since: float = 0.0) -> list[Arrival]:
        with self.cond:
            return [a for a in self.arrivals if a.is_listing and a.at >= since]

    def puts(self, since: float = 0.0) -> list[Arrival]:
        with self.cond:
            return [a for a in self.arrivals if a.is_put and a.at >= since]


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
        self.market = TimedMarket()
        self.telegram = TimedTelegram(latency=telegram_latency)
        self.desks: list[DeskProcess] = []
        self.spawned_at: dict[int, float] = {}
        self.problems: list[str] = []

    @property
    def campaigns(self) -> list[int]:
        return [cid for cids in self.businesses.values() for cid in cids]

    def __enter__(self) -> World:
        self.market.start()
        self.telegram.start()
        for business_id, campaign_ids in self.businesses.items():
            for campaign_id in campaign_ids:
                self.market.add_campaign(
                    campaign_id, business_id=business_id, domain=f"Магазин {campaign_id}"
                )
        self.telegram.add_group(STAFF_CHAT, title="Склад")
        for user_id, (name, username) in STAFF.items():
            self.telegram.add_user(
                user_id, first_name=name, username=username, member_of=[STAFF_CHAT]
            )
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

    def env(self, **overrides: str) -> dict[str, str]:
        """The desk's settings, as the Procfile's environment would carry them."""
        env = {
            "TELEGRAM_BOT_TOKEN": self.telegram.token,
            "TELEGRAM_API_URL": self.telegram.base_url,
            "STAFF_CHAT_ID": str(STAFF_CHAT),
            "MARKET_API_KEY": self.market.api_key,
            "MARKET_API_URL": self.market.url,
            "MARKET_CAMPAIGN_IDS": ",".join(map(str, self.campaigns)),
            "DATABASE_PATH": str(self.dir / "data" / "desk.db"),
            "TELEGRAM_GROUP_RATE": UNLIMITED_GROUP_RATE,
            "LOG_LEVEL": "WARNING",
            **self.python_env,
        }
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
            return next((at for at in self.telegram.updates_polls if at >= spawned), None)

        return self.telegram.wait_until(first_poll, timeout, "the desk's first getUpdates")

    def wait_first_listing(self, since: float, timeout: float = 20.0) -> float:
        return self.market.wait_until(
            lambda: next((a.at for a in self.market.listings(since)), None),
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
