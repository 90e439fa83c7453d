"""#3 and #4: Confirm tapped -> the PUT reaches the Market, and -> the outcome edit is sent.

Staff tap a decision, see the Confirm keyboard, tap Confirm. The clock starts when the
fake Telegram queues the Confirm tap for `getUpdates` (`Tap.at`) and stops at the arrival
of the PUT at the fake Market (#3) and of the `editMessageText` that follows it (#4).
The three decisions take turns.

The floor is `bench/floor_client.py tap`: a process that long-polls the same fake
Telegram and, on a tap, sends the same PUT and an edit, with no application between.
"""

from __future__ import annotations

import random
import time

from bench.floors import spawn_floor, stop, wait_line
from bench.scenarios import Config
from bench.stats import Row, median, p95
from bench.world import ANNA, STAFF_CHAT, World, post_order_id

IDS = ("3", "4", "3L", "4L")
PUT_TARGET = 0.1
EDIT_TARGET = 0.3
FIRST_ORDER = 300_000
FLOOR_ORDER = 390_000
REAL_RTT = 0.1  # a Bot API call from a VPS in Russia: tens to a few hundred ms


def tap_at(world: World, callback_id: str) -> float:
    return next(tap.at for tap in world.telegram.taps() if tap.id == callback_id)


def edit_after(world: World, message_id: int, since: float) -> float | None:
    for sent in world.sent_by("editMessageText", since):
        if sent.message_id == message_id and sent.ok:
            return sent.at
    return None


def _put_for(world: World, order_id: int, since: float) -> float | None:
    for arrival in world.puts(since):
        if f"/orders/{order_id}/" in arrival.path:
            return arrival.at
    return None


def _desk_samples(world: World, count: int, rng: random.Random) -> tuple[list[float], list[float]]:
    orders = [FIRST_ORDER + i for i in range(count)]
    world.add_orders(orders, cancel_requested=True)
    world.start_desk()  # POLL_INTERVAL 60 (the default): the start-up poll finds them all
    posts = world.telegram.wait_until(
        lambda: len(found := world.posts()) >= count and found, 60, f"{count} posts"
    )
    time.sleep(0.5)
    put_samples, edit_samples = [], []
    for i, post in enumerate(posts):
        assert post.message_id is not None
        message = world.telegram.message(STAFF_CHAT, post.message_id)
        choose = message.buttons[i % 3]["callback_data"]
        chosen = world.telegram.tap(STAFF_CHAT, post.message_id, ANNA, choose)
        chosen_at = tap_at(world, chosen)
        world.telegram.wait_until(
            lambda m=post.message_id, t=chosen_at: edit_after(world, m, t),
            10,
            "the Confirm keyboard",
        )
        confirm = world.telegram.message(STAFF_CHAT, post.message_id).buttons[0]["callback_data"]
        time.sleep(rng.uniform(0.05, 0.25))  # a person reads before confirming

        callback_id = world.telegram.tap(STAFF_CHAT, post.message_id, ANNA, confirm)
        tapped = tap_at(world, callback_id)
        order_id = FIRST_ORDER + _order_index(world, post.message_id)
        put = world.market.wait_until(lambda o=order_id, t=tapped: _put_for(world, o, t), 10, "PUT")
        edit = world.telegram.wait_until(
            lambda m=post.message_id, t=put: edit_after(world, m, t), 10, "the outcome edit"
        )
        put_samples.append(put - tapped)
        edit_samples.append(edit - tapped)
        _pause(world, rng)
    return put_samples, edit_samples


def _pause(world: World, rng: random.Random) -> None:
    """Between taps: long enough for the answers still on their way (with latency) to land,
    so no tap queues behind the previous one's replies, in the desk or the floor."""
    time.sleep(rng.uniform(0.05, 0.2) + 3 * world.telegram.latency)


def _order_index(world: World, message_id: int) -> int:
    sent = next(s for s in world.posts() if s.message_id == message_id)
    order_id = post_order_id(sent.text)
    assert order_id is not None
    return order_id - FIRST_ORDER


def _floor_samples(world: World, count: int, rng: random.Random) -> tuple[list[float], list[float]]:
    """The same taps against the floor client, on messages the desk posted earlier."""
    campaign = world.campaigns[0]
    orders = [FLOOR_ORDER + i for i in range(count)]
    world.add_orders(orders, cancel_requested=True, campaigns=[campaign])
    messages = [s.message_id for s in world.posts()]
    process, _ = spawn_floor(
        world,
        "tap",
        "--market",
        world.market.url,
        "--api-key",
        world.market.api_key,
        "--chat",
        str(STAFF_CHAT),
    )
    try:
        wait_line(process)
        time.sleep(0.5)
        put_samples, edit_samples = [], []
        for order_id, message_id in zip(orders, messages, strict=False):
            assert message_id is not None
            data = f"{campaign}:{order_id}:{message_id}"
            callback_id = world.telegram.tap(STAFF_CHAT, message_id, ANNA, data)
            tapped = tap_at(world, callback_id)
            put = world.market.wait_until(
                lambda o=order_id, t=tapped: _put_for(world, o, t), 10, "floor PUT"
            )
            edit = world.telegram.wait_until(
                lambda m=message_id, t=put: edit_after(world, m, t), 10, "floor edit"
            )
            put_samples.append(put - tapped)
            edit_samples.append(edit - tapped)
            _pause(world, rng)
    finally:
        stop(process)
    return put_samples, edit_samples


def _measure(count: int, rng: random.Random, latency: float = 0.0) -> tuple[list[float], ...]:
    with World(telegram_latency=latency) as world:
        put_samples, edit_samples = _desk_samples(world, count, rng)
        for desk in world.desks:
            world.stop_desk(desk)
        floor_put, floor_edit = _floor_samples(world, count, rng)
    if world.problems:
        raise RuntimeError(f"the fakes reported problems: {world.problems}")
    return put_samples, edit_samples, floor_put, floor_edit


def run(config: Config) -> list[Row]:
    rng = random.Random(3)
    put, edit, floor_put, floor_edit = _measure(config.reps(30, 10), rng)
    rows = [
        Row.from_samples(
            "3",
            "Confirm tapped -> PUT sent",
            f"p95 <= {PUT_TARGET * 1000:.0f} ms",
            "s",
            put,
            limit=PUT_TARGET,
            floor=p95(floor_put),
            note=f"floor = getUpdates + PUT, no app (median {median(floor_put) * 1000:.0f} ms)",
        ),
        Row.from_samples(
            "4",
            "Confirm tapped -> outcome edit sent",
            f"p95 <= {EDIT_TARGET * 1000:.0f} ms",
            "s",
            edit,
            limit=EDIT_TARGET,
            floor=p95(floor_edit),
            note="floor = getUpdates + PUT + edit, no app"
            f" (median {median(floor_edit) * 1000:.0f} ms)",
        ),
    ]
    # Not a target condition: the same with a real Bot API's round trip on every answer.
    put, edit, floor_put, floor_edit = _measure(config.reps(15, 5), rng, REAL_RTT)
    for id, measure, samples, floor, target in (
        ("3L", "Confirm -> PUT, Bot API answers +100 ms", put, floor_put, PUT_TARGET),
        ("4L", "Confirm -> outcome edit, Bot API +100 ms", edit, floor_edit, EDIT_TARGET),
    ):
        row = Row.from_samples(
            id, measure, "info (target: loopback)", "s", samples, limit=target, floor=p95(floor)
        )
        row.note = (
            f"every fake Bot API answer delayed {REAL_RTT * 1000:.0f} ms; against the loopback"
            f" target this would be {row.verdict}; floor median {median(floor) * 1000:.0f} ms"
        )
        row.verdict = "info"
        rows.append(row)
    return rows
