"""The scenarios, each a module with `IDS` (the measures it yields) and `run(config)`.

A module measures the targets that share a setup (one world, one desk) so the whole run
stays within a few minutes; `--only` picks modules by the ids they yield.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    quick: bool = False

    def reps(self, full: int, quick: int) -> int:
        """Repetitions: enough for a stable p95 in a full run, a smoke test with --quick."""
        return quick if self.quick else full
