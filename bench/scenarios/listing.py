"""#5 and #6: Market listing calls per poll cycle, per business, quiet and with n pending.

The owner wants the desk far inside the Market's hourly limits, so a quiet cycle must
cost one `getBusinessOrders` per business and n pending requests ⌈n / 50⌉ (pages of 50).

Two businesses: 5001 with two campaigns (one call must cover both) and 5002 with one.
Pending requests are added to 5001 in steps; 5002 stays quiet throughout. Cycles are
cut exactly, without timing: a cycle of a business starts at its listing call that has
no page token and the window up to today (the first page of the last 30 days). A cycle
with a call for the window before it is the 30-60 day sweep (every 10 minutes, by
design) and is reported apart. Counting starts once every request of a step has been posted, so the
pending set is stable.
"""

from __future__ import annotations

import itertools
import math
import time

from bench.scenarios import Config
from bench.stats import Row
from bench.world import Arrival, World

IDS = ("5", "5h", "6")
BUSINESSES = {5001: (1001, 1002), 5002: (1003,)}
BUSY, QUIET = 5001, 5002
CYCLES = 3
FIRST_ORDER = 500_000
DEFAULT_POLL = 60
SWEEP_EVERY = 600
HOURLY_LIMIT = 10_000  # getBusinessOrders, x-resource-limit-config of the spec


def _cycles(arrivals: list[Arrival], business: int, since: float) -> list[list[Arrival]]:
    """Complete cycles of one business that started after `since`."""
    mine = [a for a in arrivals if a.path == f"/v1/businesses/{business}/orders"]
    starts = [i for i, a in enumerate(mine) if a.is_first_page and a.at >= since]
    return [mine[a:b] for a, b in itertools.pairwise(starts)]


def _listing_count(cycle: list[Arrival]) -> int:
    return sum(1 for a in cycle if a.is_listing)


def _is_sweep(cycle: list[Arrival]) -> bool:
    return any(a.is_old_window for a in cycle)


def _wait_cycles(world: World, since: float) -> dict[int, list[list[Arrival]]]:
    def enough() -> dict[int, list[list[Arrival]]] | None:
        arrivals = world.market_arrivals()
        found = {b: _cycles(arrivals, b, since) for b in BUSINESSES}
        return found if all(len(c) >= CYCLES for c in found.values()) else None

    return world.market.wait_until(enough, 30, f"{CYCLES} complete cycles")


def run(config: Config) -> list[Row]:
    levels = [0, 1, 50, 51, 100, 101, 250] if not config.quick else [0, 1, 50, 51, 120]
    quiet: list[float] = []
    sweeps: list[int] = []
    lookups = 0
    per_level: dict[int, list[int]] = {}
    with World(BUSINESSES) as world:
        desk = world.start_desk(POLL_INTERVAL="1")
        spawned = world.spawned_at[desk.proc.pid]  # type: ignore[union-attr]
        world.wait_ready(desk)
        world.wait_first_listing(spawned)
        pending = 0
        for level in levels:
            new = list(range(FIRST_ORDER + pending, FIRST_ORDER + level))
            world.add_orders(new, cancel_requested=True, campaigns=list(BUSINESSES[BUSY]))
            pending = level
            world.telegram.wait_until(lambda n=level: len(world.posts()) >= n, 60, f"{level} posts")
            found = _wait_cycles(world, time.monotonic())
            for business, cycles in found.items():
                for cycle in cycles[:CYCLES]:
                    lookups += sum(1 for a in cycle if not a.is_listing)
                    if _is_sweep(cycle):
                        sweeps.append(_listing_count(cycle))
                        continue
                    if business == QUIET or level == 0:
                        quiet.append(_listing_count(cycle))
                    else:
                        per_level.setdefault(level, []).append(_listing_count(cycle))
        first_cycle = _cycles(world.market_arrivals(), BUSY, spawned)[:1]
    problems = f"; problems: {world.problems}" if world.problems else ""
    rows = [_quiet_row(quiet, lookups, first_cycle, problems)]
    rows.append(_hourly_row(quiet))
    rows += [_level_row(level, counts) for level, counts in per_level.items()]
    return rows


def _level_row(level: int, counts: list[int]) -> Row:
    """A busy business's listing calls per cycle with `level` requests pending."""
    expected = max(1, math.ceil(level / 50))
    return Row(
        id=f"6/n={level}",
        measure=f"listing calls per cycle, {level} pending",
        target=f"= ⌈{level}/50⌉ = {expected}",
        unit="calls",
        verdict="ok" if all(c == expected for c in counts) else "MISS",
        median=sorted(counts)[len(counts) // 2],
        p95=max(counts),
        n=len(counts),
        floor=expected,
        ratio=max(counts) / expected,
        note="" if all(c == expected for c in counts) else f"counts {counts}",
        samples=[float(c) for c in counts],
    )


def _quiet_row(
    quiet: list[float], lookups: int, first_cycle: list[list[Arrival]], problems: str
) -> Row:
    first = _listing_count(first_cycle[0]) if first_cycle else 0
    ok = bool(quiet) and all(c == 1 for c in quiet)
    return Row(
        id="5",
        measure="listing calls per quiet cycle, per business",
        target="exactly 1",
        unit="calls",
        verdict="ok" if ok else "MISS",
        median=sorted(quiet)[len(quiet) // 2] if quiet else None,
        p95=max(quiet) if quiet else None,
        n=len(quiet),
        floor=1,
        ratio=max(quiet) if quiet else None,
        note=(
            f"p95 column = max; {lookups} by-id lookups in measured cycles; the first cycle"
            f" after start made {first} listing calls (the 30-60 day sweep, every 10 min)"
            + problems
        ),
        samples=quiet,
    )


def _hourly_row(quiet: list[float]) -> Row:
    """What a quiet business costs per hour at the default POLL_INTERVAL, from #5."""
    per_cycle = max(quiet) if quiet else 1
    hourly = 3600 / DEFAULT_POLL * per_cycle + 3600 / SWEEP_EVERY  # + one dated call a sweep
    return Row(
        id="5h",
        measure="getBusinessOrders per hour, quiet, POLL_INTERVAL=60",
        target=f"far inside {HOURLY_LIMIT:,}/h",
        unit="calls",
        verdict="ok" if hourly <= HOURLY_LIMIT / 10 else "MISS",
        median=hourly,
        p95=hourly,
        n=1,
        floor=HOURLY_LIMIT,
        ratio=hourly / HOURLY_LIMIT,
        note="derived: 60 cycles x #5 + 6 sweeps; ratio = share of the hourly limit",
    )
