"""#1: a request appears at the Market -> its post is sent, with POLL_INTERVAL=2.

A buyer's request can appear at any moment of the poll cycle, so requests are made at
random intervals (not in step with the poll) and each is timed from the call that made
it (`request_cancellation`) to the arrival of its `sendMessage` at the fake Telegram.
The floor is the poll interval itself: waiting for the next poll is inherent to polling,
so p95 / interval near 1 means the desk adds almost nothing on top.
"""

from __future__ import annotations

import random
import time

from bench.scenarios import Config
from bench.stats import Row
from bench.world import World, post_order_id

IDS = ("1",)
INTERVAL = 2.0
SLACK = 0.5
FIRST_ORDER = 100_000


def run(config: Config) -> list[Row]:
    count = config.reps(40, 15)
    rng = random.Random(1)
    orders = [FIRST_ORDER + i for i in range(count)]
    made: dict[int, float] = {}
    with World() as world:
        world.add_orders(orders, cancel_requested=False)
        desk = world.start_desk(POLL_INTERVAL=f"{INTERVAL:g}")
        spawned = world.spawned_at[desk.proc.pid]  # type: ignore[union-attr]
        world.wait_ready(desk)
        world.wait_first_listing(spawned)
        time.sleep(rng.uniform(0, INTERVAL))
        for order_id in orders:
            made[order_id] = time.monotonic()
            world.market.request_cancellation(order_id)
            time.sleep(rng.uniform(0.3, 1.3))  # mean 0.8 s: every phase of the 2 s cycle
        posts = world.telegram.wait_until(
            lambda: (found := world.posts()) and len(found) >= count and found,
            INTERVAL * 3 + 10,
            f"{count} posts",
        )
    problems = world.problems
    first_post = {}
    for post in posts:
        order_id = post_order_id(post.text)
        if order_id is not None:
            first_post.setdefault(order_id, post.at)
    samples = [first_post[o] - made[o] for o in orders if o in first_post]
    duplicates = len(posts) - len(first_post)
    note = f"floor = POLL_INTERVAL; {duplicates} duplicate posts"
    if problems:
        note += f"; problems: {problems}"
    return [
        Row.from_samples(
            "1",
            "request at Market -> post sent (poll 2 s)",
            f"p95 <= {INTERVAL + SLACK:g} s",
            "s",
            samples,
            limit=INTERVAL + SLACK,
            floor=INTERVAL,
            note=note,
        )
    ]
