"""#17-#19: a quiet desk of 200 cabinets (issue 20): memory, start, and the cost of a cycle.

One `python -m bot` runs 200 cabinets from a CABINETS_FILE (`bench/many.py`), each one
business with its own key and two campaigns, each posting to its own chat. Nothing is
pending. POLL_INTERVAL=20 (not the default 60) so that a run sees three cycles in about
a minute; 200 calls in 20 s is 10 a second, so "no second holds more than a tenth of a
cycle's calls" (20) still leaves the spreading something to prove.

- #17: VmRSS once every cabinet has polled and the desk is idle (median of 5 readings).
- #18: from spawn to the first Market listing (the first poll); the first getUpdates in
  the note.
- #19: listing calls per quiet cycle, per business (the first cycle, which also lists
  the 30-60 day window once, is left out as in #5); #19s the busiest second of one
  cycle's first-page listings; #19p how long after the desk's first poll each cabinet
  had its first (the slowest one), against one interval.
"""

from __future__ import annotations

import itertools
import time

from bench.many import ManyWorld, spawned
from bench.scenarios import Config
from bench.stats import Row, median
from bench.world import Arrival, rss_kib
from tests.fakes.market.records import Arrival as MarketArrival

IDS = ("17", "18", "19", "19s", "19p")
CABINETS = 200
INTERVAL = 20.0
RSS_TARGET = 100.0
START_TARGET = 3.0

Listed = tuple[int | None, Arrival]  # a listing and the business it addressed


def run(config: Config) -> list[Row]:
    cycles = config.reps(3, 2)
    with ManyWorld(CABINETS) as world:
        desk = world.start_desk(POLL_INTERVAL=f"{INTERVAL:g}")
        began = spawned(world)
        ready = world.wait_ready(desk, timeout=60)
        first = world.wait_all_polled(began, INTERVAL * 3)
        settled = max(first.values())
        rss = _settled_rss(desk.proc.pid)  # type: ignore[union-attr]
        end = settled + INTERVAL * cycles
        time.sleep(max(0.0, end - time.monotonic()) + 1.0)
        listings = world.market_listings(began)
        cpu = _cpu_seconds(desk.proc.pid)  # type: ignore[union-attr]
        runtime = time.monotonic() - began
    first_poll = min(first.values())
    notes = (
        f"{CABINETS} cabinets, POLL_INTERVAL={INTERVAL:g}; desk CPU {cpu:.1f} s in"
        f" {runtime:.0f} s of wall time ({cpu / runtime:.0%} of a core)"
    )
    if world.problems:
        notes += f"; problems: {world.problems}"
    return [
        _rss_row(rss, notes),
        _start_row(first_poll - began, ready - began),
        *_cycle_rows(listings, settled, end, first, began),
    ]


def _settled_rss(pid: int) -> list[float]:
    readings = []
    for _ in range(5):
        readings.append(rss_kib(pid)[0] / 1024)
        time.sleep(0.2)
    return readings


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def _rss_row(readings: list[float], note: str) -> Row:
    return Row.from_samples(
        "17",
        f"RSS idle, {CABINETS} cabinets",
        f"<= {RSS_TARGET:g} MB",
        "MB",
        readings,
        limit=RSS_TARGET,
        note=f"read once every cabinet had polled; {note}",
    )


def _start_row(first_poll: float, first_updates: float) -> Row:
    return Row.from_samples(
        "18",
        f"start -> first poll, {CABINETS} cabinets",
        f"<= {START_TARGET:g} s",
        "s",
        [first_poll],
        limit=START_TARGET,
        note=f"spawn -> first Market listing; spawn -> first getUpdates {first_updates:.2f} s",
    )


def _cycle_rows(
    listings: list[MarketArrival], settled: float, end: float, first: dict[int, float], began: float
) -> list[Row]:
    """#19, #19s and #19p from the listings the fake saw."""
    arrivals = [
        (a.business_id, Arrival(a.arrived_at, a.method, a.path, a.query, a.json)) for a in listings
    ]
    per_cycle, sweeps = _calls_per_cycle(arrivals, settled, end)
    steady = settled + INTERVAL  # a cycle after the first ones' crowd
    one_cycle = sorted(
        a.at for _, a in arrivals if a.is_first_page and steady <= a.at < steady + INTERVAL
    )
    busiest = _busiest_second(one_cycle)
    return [
        Row(
            id="19",
            measure="listing calls per quiet cycle, per business",
            target="exactly 1",
            unit="calls",
            verdict="ok" if per_cycle and set(per_cycle) == {1} else "MISS",
            median=median(per_cycle) if per_cycle else None,
            p95=max(per_cycle) if per_cycle else None,
            n=len(per_cycle),
            floor=1,
            note=f"p95 column = max; cycles after every cabinet's first; {CABINETS} businesses;"
            f" {sweeps} cycles with the 30-60 day sweep left out",
            samples=[float(c) for c in per_cycle],
        ),
        Row(
            id="19s",
            measure="busiest second of one cycle's listings",
            target=f"<= a tenth of the cycle ({len(one_cycle) / 10:g})",
            unit="calls",
            verdict="ok" if one_cycle and busiest <= len(one_cycle) / 10 else "MISS",
            median=busiest,
            p95=busiest,
            n=len(one_cycle),
            floor=len(one_cycle) / INTERVAL,
            ratio=busiest / (len(one_cycle) / INTERVAL) if one_cycle else None,
            note=f"{len(one_cycle)} first-page listings in the {INTERVAL:g} s from one interval"
            " after every cabinet had polled; floor = even spread",
        ),
        _first_polls_row(first, began),
    ]


def _first_polls_row(first: dict[int, float], began: float) -> Row:
    """#19p: how long after the desk's first poll each cabinet had its first."""
    first_poll = min(first.values())
    lags = _lags(first, first_poll)
    slowest = max(first.values()) - first_poll
    return Row.from_samples(
        "19p",
        "desk's first poll -> every cabinet polled",
        f"<= one interval ({INTERVAL:g} s)",
        "s",
        [slowest],
        limit=INTERVAL,
        floor=INTERVAL * (CABINETS - 1) / CABINETS,
        note=f"the last cabinet's first listing came {max(first.values()) - began:.1f} s"
        " after spawn; floor = its place in the interval; first listings behind their"
        f" places by median {median(lags):.1f} s, max {max(lags):.1f} s",
    )


def _calls_per_cycle(arrivals: list[Listed], since: float, end: float) -> tuple[list[int], int]:
    """Listing calls between one first page of a business and its next, after `since`; and
    how many cycles listed the 30-60 day window too (the sweep, every 10 min: left out)."""
    counts: list[int] = []
    sweeps = 0
    by_business = sorted(arrivals, key=lambda pair: (pair[0] or 0, pair[1].at))
    for _, group in itertools.groupby(by_business, key=lambda pair: pair[0]):
        mine = [a for _, a in group if since <= a.at < end]
        starts = [i for i, a in enumerate(mine) if a.is_first_page]
        for a, b in itertools.pairwise(starts):
            if any(x.is_old_window for x in mine[a:b]):
                sweeps += 1
            else:
                counts.append(b - a)
    return counts, sweeps


def _lags(first: dict[int, float], first_poll: float) -> list[float]:
    """How late each cabinet's first listing came after its place in the interval (its
    index x interval / cabinets, from the first cabinet's): time its first cycle waited."""
    spacing = INTERVAL / CABINETS
    ordered = sorted(first)  # businesses are numbered in the file's order
    return [first[b] - (first_poll + i * spacing) for i, b in enumerate(ordered)]


def _busiest_second(times: list[float]) -> int:
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most
