"""#20-#21: a desk of 200 cabinets under load (issue 20): bursts and one cabinet's outage.

The desk of `many_idle` (200 cabinets, POLL_INTERVAL=20), with Telegram's limits on at
the fake as in production: 20 messages a minute in each chat (the desk's own
TELEGRAM_GROUP_RATE is its default `20/60s`) and 30 a second for the bot.

- #20: 20 cabinets each receive a burst of 30 requests (600 posts, 400 of them due at
  once) while buyers make requests in other cabinets at random moments over the next
  minute; each of those is timed from `request_cancellation()` to its post. #20c the
  busiest minute of each bursting chat and #20b the bot's busiest second, with the 429s.
- #21: one cabinet's Market answers 500 (#21/500), then hangs past the client's 20 s
  timeout (#21/timeout). Requests in 30 other cabinets are made at the same moments of
  each cabinet's own poll cycle in every phase (a paired design: without the outage,
  with 500, with the hang), so the p95 compare directly; the target is within 10 % of
  the phase without outage (the floor column). Time is compressed: the outage starts one
  interval before the measured requests and lasts until they are posted, about 2.5
  intervals (50 s) instead of 10 minutes; trouble (two failed polls) has started by then.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import time

from bench.many import Cabinet, ManyWorld, pause_until, spawned
from bench.scenarios import Config
from bench.stats import Row, median, p95

IDS = ("20", "20c", "20b", "21/500", "21/timeout")
CABINETS = 200
INTERVAL = 20.0
BURSTING, BURST = 20, 30
CHAT_RATE = (20, 60.0)
BOT_RATE = 30
FAULTY = 100  # its place in the interval: in the middle of the others
HANG = 25.0  # seconds: past the Market client's 20 s timeout
ISOLATION = 1.10


class Orders:
    """Fresh order ids, and the moment each was requested."""

    def __init__(self, world: ManyWorld) -> None:
        self.world = world
        self.ids = itertools.count(2_000_000)
        self.made: dict[int, float] = {}

    def burst(self, cabinet: Cabinet, count: int) -> list[int]:
        made = [next(self.ids) for _ in range(count)]
        for n, order_id in enumerate(made):
            campaign = cabinet.campaigns[n % 2]
            self.world.market.add_order(order_id, campaign, cancel_requested=True)
        return made

    def quiet(self, cabinet: Cabinet) -> int:
        order_id = next(self.ids)
        self.world.market.add_order(order_id, cabinet.campaigns[0], cancel_requested=False)
        return order_id

    def request(self, order_id: int, at: float) -> None:
        pause_until(at)
        self.made[order_id] = time.monotonic()
        self.world.market.request_cancellation(order_id)

    def latencies(self, order_ids: list[int], timeout: float) -> dict[int, float]:
        """Request -> post of each order posted within `timeout` (all, or the ones that were:
        a row then shows how many are missing)."""
        wanted = set(order_ids)
        with contextlib.suppress(TimeoutError):
            self.world.wait(lambda: wanted <= self.world.posted().keys(), timeout, "posts")
        found = self.world.posted()
        return {o: found[o] - self.made[o] for o in order_ids if o in found}


def run(config: Config) -> list[Row]:
    with ManyWorld(CABINETS) as world:
        world.telegram.set_rate_limit(None, *CHAT_RATE)
        desk = world.start_desk(
            POLL_INTERVAL=f"{INTERVAL:g}", TELEGRAM_GROUP_RATE=f"{CHAT_RATE[0]}/{CHAT_RATE[1]:g}s"
        )
        world.wait_ready(desk, timeout=60)
        world.wait_all_polled(spawned(world), INTERVAL * 3)
        orders = Orders(world)
        rows = _burst(world, orders, config)
        rows += _outages(world, orders, config)
    if world.problems:
        rows[0].note += f"; problems: {world.problems}"
    return rows


def _burst(world: ManyWorld, orders: Orders, config: Config) -> list[Row]:
    rng = random.Random(20)
    bursting = world.cabinets[:BURSTING]
    others = [c for c in world.cabinets[BURSTING:] if c.index != FAULTY]
    spread = config.reps(60.0, 30.0)
    count = config.reps(40, 20)
    quiet = [(orders.quiet(c), rng.uniform(0, spread)) for c in rng.sample(others, count)]
    start = time.monotonic()
    burst = [o for cabinet in bursting for o in orders.burst(cabinet, BURST)]
    for order_id, offset in sorted(quiet, key=lambda pair: pair[1]):
        orders.request(order_id, start + offset)
    taken = orders.latencies([o for o, _ in quiet], INTERVAL * 3)
    drain = CHAT_RATE[1] * (BURST // CHAT_RATE[0]) + INTERVAL * 2
    orders.made.update(dict.fromkeys(burst, start))
    whole = orders.latencies(burst, drain + 30)
    posted = time.monotonic() - start
    peaks = world.telegram.peaks_per_minute()
    chats = [peaks.get(c.chat, 0) for c in bursting]
    refused = world.refused(429)
    bot = world.telegram.peak_per_second()
    return [
        Row.from_samples(
            "20",
            f"request in another cabinet -> post, while {BURSTING} get {BURST} each",
            f"p95 <= interval + 1 s ({INTERVAL + 1:g} s)",
            "s",
            list(taken.values()),
            limit=INTERVAL + 1,
            floor=INTERVAL,
            note=f"{len(taken)} of {count} requests over {spread:g} s in other cabinets posted;"
            f" {len(whole)} of the {len(burst)} burst posts, the last"
            f" {max(whole.values(), default=0):.1f} s after the burst ({posted:.0f} s waited)",
        ),
        _limit_row("20c", "busiest minute of a bursting chat", CHAT_RATE[0], chats, refused),
        _limit_row("20b", "bot's busiest second", BOT_RATE, [bot], refused),
    ]


def _limit_row(id: str, measure: str, limit: int, peaks: list[int], refused: int) -> Row:
    ok = max(peaks) <= limit and refused == 0
    return Row(
        id=id,
        measure=f"{measure} (messages)",
        target=f"<= {limit}, no 429",
        unit="",
        verdict="ok" if ok else "MISS",
        median=median(peaks),
        p95=max(peaks),
        n=len(peaks),
        floor=limit,
        ratio=max(peaks) / limit,
        note=f"p95 column = max; {refused} calls answered 429 over the whole run",
        samples=[float(p) for p in peaks],
    )


def _next_poll(world: ManyWorld, cabinet: Cabinet, after: float) -> float:
    """When the cabinet's poll after `after` should come: its last listing, plus intervals."""
    last = world.market_listings_of(cabinet.business)[-1].arrived_at
    steps = max(1, int((after - last) // INTERVAL) + 1)
    return last + steps * INTERVAL


def _phase(world: ManyWorld, orders: Orders, schedule: list[tuple[Cabinet, float]]) -> list[float]:
    """Each cabinet's request `offset` seconds after its next poll; request -> post each."""
    ahead = time.monotonic() + 1.0
    planned = sorted(
        ((_next_poll(world, cabinet, ahead) + offset, orders.quiet(cabinet))
         for cabinet, offset in schedule),
    )  # fmt: skip
    for at, order_id in planned:
        orders.request(order_id, at)
    taken = orders.latencies([o for _, o in planned], INTERVAL * 2 + 10)
    if len(taken) < len(planned):
        world.problems.append(f"{len(planned) - len(taken)} of {len(planned)} not posted in time")
    return list(taken.values())


def _outages(world: ManyWorld, orders: Orders, config: Config) -> list[Row]:
    rng = random.Random(21)
    faulty = world.cabinets[FAULTY]
    others = [c for c in world.cabinets[BURSTING:] if c is not faulty]
    sampled = rng.sample(others, config.reps(30, 15))
    schedule = [(c, rng.uniform(0.5, INTERVAL - 0.5)) for c in sampled]
    baseline = _phase(world, orders, schedule)
    world.market.set_outage(500, business=faulty.business)
    time.sleep(INTERVAL)  # the outage has lasted two polls: the cabinet is in trouble
    failing = _phase(world, orders, schedule)
    world.market.set_outage(None, business=faulty.business)
    world.market.set_delay(HANG, business=faulty.business)
    time.sleep(INTERVAL)
    hanging = _phase(world, orders, schedule)
    world.market.set_delay(None, business=faulty.business)
    told = len([s for s in world.sent() if s.chat_id == faulty.chat and s.ok])
    floor = p95(baseline)
    note = (
        f"paired: {len(schedule)} cabinets, each request at the same moment of its cycle in"
        f" every phase; without outage p95 {floor:.2f} s (median {median(baseline):.2f} s);"
        f" messages to the faulty cabinet's chat: {told}"
    )
    return [
        Row.from_samples(
            f"21/{name}",
            f"other cabinets' request -> post, one Market {what}",
            f"p95 <= {ISOLATION:.2f} x without ({floor * ISOLATION:.1f} s)",
            "s",
            samples,
            limit=floor * ISOLATION,
            floor=floor,
            note=note,
        )
        for name, what, samples in (
            ("500", "answering 500", failing),
            ("timeout", f"hanging {HANG:g} s", hanging),
        )
    ]
