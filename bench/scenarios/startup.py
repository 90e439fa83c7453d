"""#8: from spawning `python -m bot` to its first `getUpdates` at the fake Telegram.

Staff notice a desk that restarts slowly (a deploy, a crash loop); the owner wants a
small instance. Each start uses a fresh database, the slowest case (schema created).
#8c (information) does the same without a bytecode cache for the desk's own code.
The floor is a process that imports the same third-party stack and makes one
`getUpdates`: what any desk in Python pays before its own code runs. Desk and floor runs
alternate so both see the same machine load.
"""

from __future__ import annotations

from bench.floors import spawn_floor, stop, wait_line
from bench.scenarios import Config
from bench.stats import Row, p95
from bench.world import World

IDS = ("8", "8c")
TARGET = 1.5


def _starts(reps: int, bytecode_cache: bool) -> tuple[list[float], list[float], list[str]]:
    """(desk samples, floor samples, problems); the first start of each kind is a warm-up
    (page cache, and the bytecode cache when there is one)."""
    samples: list[float] = []
    floors: list[float] = []
    with World(bytecode_cache=bytecode_cache) as world:
        for i in range(reps + 1):
            desk = world.start_desk(DATABASE_PATH=str(world.dir / f"start{i}" / "desk.db"))
            ready = world.wait_ready(desk)
            assert desk.proc is not None
            started = world.spawned_at[desk.proc.pid]
            world.stop_desk(desk)

            process, spawned = spawn_floor(world, "start")
            wait_line(process)
            floor_at = world.polls(since=spawned)[0]
            stop(process)
            if i:
                samples.append(ready - started)
                floors.append(floor_at - spawned)
    return samples, floors, world.problems


def run(config: Config) -> list[Row]:
    samples, floors, problems = _starts(config.reps(10, 4), bytecode_cache=True)
    rows = [
        Row.from_samples(
            "8",
            "start -> first getUpdates",
            f"<= {TARGET} s",
            "s",
            samples,
            limit=TARGET,
            floor=p95(floors),
            note="bytecode cached (any start after the first); floor = interpreter +"
            " PTB/httpx/sqlite-utils imports + one call"
            + (f"; problems: {problems}" if problems else ""),
        )
    ]
    samples, floors, problems = _starts(config.reps(5, 2), bytecode_cache=False)
    cold = Row.from_samples(
        "8c",
        "start -> first getUpdates, desk code not compiled",
        "info (#8 target: 1.5 s)",
        "s",
        samples,
        limit=TARGET,
        floor=p95(floors),
    )
    cold.note = (
        "PYTHONDONTWRITEBYTECODE=1, as on a fresh deploy: bot/ and storage/ compiled at"
        f" every start, libraries precompiled; against #8 this would be {cold.verdict}"
        + (f"; problems: {problems}" if problems else "")
    )
    cold.verdict = "info"
    rows.append(cold)
    return rows
