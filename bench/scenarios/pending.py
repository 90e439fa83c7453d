"""#10: `/pending` with 1,000 pending requests -> every part of the reply sent.

A staff member (in STAFF_USER_IDS) asks in a private chat, so Telegram's group limit
plays no part. The 1,000 requests are pending at the Market and already posted in the
database (written through `Store`, as if the desk had caught up), so the desk is idle
when asked. Timed from just before the fake Telegram queues the message to the arrival of
the last part; complete when every one of the 1,000 order numbers has been sent.

The floor is `bench/floor_client.py reply`: the same parts sent one by one on receipt.
"""

from __future__ import annotations

import json
import time

from bench.floors import spawn_floor, stop, wait_line
from bench.scenarios import Config
from bench.seed import seed_pending
from bench.stats import Row, median, p95
from bench.world import ANNA, STAFF_CHAT, World, order_refs, rss_kib
from bot.market.orders import parse_business_order
from tests.harness import DeskProcess

IDS = ("10",)
TARGET = 1.0
PENDING = 1_000
FIRST_ORDER = 600_000
#: python-telegram-bot's overall limiter is a leaky bucket of 30 messages a second; asking
#: again before it drains would measure that flood limit, which #10 excludes.
DRAIN = 1.5


def _ask(world: World, expected: set[int]) -> tuple[float, list[str]]:
    """Send /pending as Anna in private; (seconds to the last part, the parts)."""
    started = time.monotonic()
    world.telegram.send_text(ANNA, ANNA, "/pending")

    def complete() -> list | None:
        parts = [s for s in world.sent_by("sendMessage", started) if s.chat_id == ANNA]
        seen = {ref for part in parts for ref in order_refs(part.text)}
        return parts if expected <= seen else None

    parts = world.telegram.wait_until(complete, 30, "every part of the /pending reply")
    return max(part.at for part in parts) - started, [part.text for part in parts]


def _seeded_desk(world: World, orders: list[int]) -> DeskProcess:
    """A desk started on a database already holding `orders` pending, its first poll done."""
    dtos = world.add_orders(orders, cancel_requested=True)
    database = world.dir / "data" / "desk.db"
    seed_pending(
        database,
        [parse_business_order(dto) for dto in dtos],
        chat_id=STAFF_CHAT,
        business_id=next(iter(world.businesses)),
    )
    # asked every couple of seconds: within the cooldown each person gets by default
    desk = world.start_desk(
        STAFF_USER_IDS=str(ANNA), REMINDER_LEAD_TIMES="none", COMMAND_COOLDOWN="0"
    )
    spawned = world.spawned_at[desk.proc.pid]  # type: ignore[union-attr]
    world.wait_ready(desk)
    pages = PENDING // 50 + 1  # and the 30-60 day sweep
    world.market.wait_until(lambda: len(world.listings(spawned)) >= pages, 60, "the start-up poll")
    time.sleep(1.5)  # the desk compares 1,000 orders with storage: let the poll finish
    return desk


def _floor(world: World, parts: list[str], expected: set[int], reps: int) -> list[float]:
    """The same parts sent with no app in between: the seconds each /pending takes."""
    floors: list[float] = []
    parts_file = world.dir / "parts.json"
    parts_file.write_text(json.dumps(parts, ensure_ascii=False))
    process, _ = spawn_floor(world, "reply", "--parts", str(parts_file))
    try:
        wait_line(process)
        time.sleep(0.5)
        for _ in range(reps):
            seconds, _parts = _ask(world, expected)
            floors.append(seconds)
            time.sleep(0.3)  # no limiter to drain: the floor sends straight away
    finally:
        stop(process)
    return floors


def run(config: Config) -> list[Row]:
    reps = config.reps(15, 4)
    samples: list[float] = []
    with World() as world:
        orders = list(range(FIRST_ORDER, FIRST_ORDER + PENDING))
        desk = _seeded_desk(world, orders)
        expected = set(orders)
        parts: list[str] = []
        for _ in range(reps):
            seconds, parts = _ask(world, expected)
            samples.append(seconds)
            time.sleep(DRAIN)
        rss, peak = rss_kib(desk.proc.pid)  # type: ignore[union-attr]
        stray = [s for s in world.sent() if s.method != "getUpdates" and s.chat_id == STAFF_CHAT]
        world.stop_desk(desk)

        floors = _floor(world, parts, expected, reps)
    note = (
        f"{len(parts)} parts; floor = sending the same parts, no app"
        f" (median {median(floors) * 1000:.0f} ms); desk RSS after {rss / 1024:.1f} MB"
        f" (peak {peak / 1024:.1f} MB)"
    )
    if stray:
        note += f"; {len(stray)} unexpected calls to the staff chat (e.g. {stray[0].method})"
    if world.problems:
        note += f"; problems: {world.problems}"
    return [
        Row.from_samples(
            "10",
            f"/pending with {PENDING:,} pending -> all parts sent",
            f"<= {TARGET:g} s",
            "s",
            samples,
            limit=TARGET,
            floor=p95(floors),
            note=note,
        )
    ]
