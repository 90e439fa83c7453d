"""The numbers of /stats and the digest, computed from ledger rows alone (pure).

Times to decide are split by how the request time is known: a notification or a poll
dates it to the minute, an estimate only bounds it, and mixing them would blur both.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.domain.ledger import OUTCOMES, LedgerRow, Outcome
from bot.domain.model import Marketplace, Person
from bot.owner.periods import Period


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile (nearest rank) of a set of durations."""

    count: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True)
class Tally:
    """How many of the period's requests a person settled."""

    person: Person
    decisions: int


@dataclass(frozen=True)
class Stats:
    period: Period
    received: int
    outcomes: dict[Outcome, int]
    exact: Spread
    estimated: Spread
    people: list[Tally]  # most decisions first
    # each marketplace's outcomes (every one listed, zeros too), for a chat serving two
    by_marketplace: dict[Marketplace, dict[Outcome, int]]


def spread(durations: Iterable[timedelta]) -> Spread:
    values = sorted(durations)
    if not values:
        return Spread(0, None, None)
    p90 = values[math.ceil(0.9 * len(values)) - 1]
    return Spread(len(values), statistics.median(values), p90)


def compute(rows: Iterable[LedgerRow], period: Period) -> Stats:
    """Count every row (the period's requests by first-seen time) into its outcome."""
    outcomes = Counter({outcome: 0 for outcome in OUTCOMES})
    split = {m: Counter({outcome: 0 for outcome in OUTCOMES}) for m in Marketplace}
    exact, estimated = [], []
    taken: Counter[int] = Counter()
    people: dict[int, Person] = {}
    received = 0
    for row in rows:
        received += 1
        outcome = row.outcome
        outcomes[outcome] += 1
        split[row.marketplace][outcome] += 1
        duration = row.time_to_decide
        if duration is not None:
            (estimated if row.estimated else exact).append(duration)
        if row.taken and (person := row.decided_by) is not None:
            taken[person.user_id] += 1
            # named as in their latest decision; by their id if that has no name
            people[person.user_id] = (
                person if person.name else replace(person, name=str(person.user_id))
            )
    tallies = [
        Tally(people[user_id], count)
        for user_id, count in sorted(
            taken.items(), key=lambda item: (-item[1], people[item[0]].name)
        )
    ]
    by_marketplace = {marketplace: dict(counts) for marketplace, counts in split.items()}
    return Stats(
        period,
        received,
        dict(outcomes),
        spread(exact),
        spread(estimated),
        tallies,
        by_marketplace,
    )
