"""Summaries of samples, and the one row a measure contributes to the report.

Medians and p95 rather than means: one hiccup of a shared, noisy machine must not move
the headline number, and p95 is what the targets are written against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(samples: Sequence[float]) -> float:
    return percentile(samples, 50)


def p95(samples: Sequence[float]) -> float:
    return percentile(samples, 95)


@dataclass
class Row:
    """One line of the table: a measure, its target, what was seen, and the verdict.

    `floor` is the best the setup could possibly do (a poll interval, a rate limit, a bare
    interpreter, the transport alone); `ratio` is p95 / floor when a floor exists, so a
    run on a slower or busier machine can be compared with an earlier one.
    """

    id: str
    measure: str
    target: str
    unit: str
    verdict: str  # ok | MISS | skip | error | info (not a target condition)
    median: float | None = None
    p95: float | None = None
    n: int = 0
    floor: float | None = None
    ratio: float | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_samples(
        cls,
        id: str,
        measure: str,
        target: str,
        unit: str,
        samples: Sequence[float],
        *,
        limit: float,
        floor: float | None = None,
        note: str = "",
    ) -> Row:
        """A row whose verdict is `p95 <= limit`: every target is read at p95."""
        values = list(samples)
        if not values:
            return cls(id, measure, target, unit, "error", note=note or "no samples")
        high = p95(values)
        return cls(
            id=id,
            measure=measure,
            target=target,
            unit=unit,
            verdict="ok" if high <= limit else "MISS",
            median=median(values),
            p95=high,
            n=len(values),
            floor=floor,
            ratio=(high / floor) if floor else None,
            note=note,
            samples=[round(v, 6) for v in values],
        )

    @classmethod
    def skipped(cls, id: str, measure: str, target: str, why: str) -> Row:
        return cls(id, measure, target, "", "skip", note=why)

    @classmethod
    def failed(cls, id: str, measure: str, target: str, why: str) -> Row:
        return cls(id, measure, target, "", "error", note=why)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
