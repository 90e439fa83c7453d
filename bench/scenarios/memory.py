"""#9: resident memory of the desk once it has settled, empty and with a long history.

The owner pays for the instance by its memory. VmRSS is read from /proc after the desk
has started, polled the Market and gone idle; the median of a few readings a fraction of
a second apart. The history case starts the desk on a database holding 10,000 closed
requests (posted, decided, accepted) and a week of polls, written through `Store`.
The floor is a process that imported the same third-party stack and made one call.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from bench.floors import spawn_floor, stop, wait_line
from bench.scenarios import Config
from bench.seed import seed_history
from bench.stats import Row, median
from bench.world import STAFF_CHAT, World, rss_kib

IDS = ("9a", "9b")
SETTLE = 3.0
HISTORY = 10_000
POLLS_A_WEEK = 10_080


def _settled_rss(pid: int) -> tuple[float, float]:
    """Median VmRSS of five readings, and the peak (VmHWM), in MB."""
    readings = []
    peak = 0
    for _ in range(5):
        rss, hwm = rss_kib(pid)
        readings.append(rss)
        peak = max(peak, hwm)
        time.sleep(0.2)
    return median(readings) / 1024, peak / 1024


def _desk_rss(world: World, database: Path) -> tuple[float, float]:
    desk = world.start_desk(DATABASE_PATH=str(database))
    spawned = world.spawned_at[desk.proc.pid]  # type: ignore[union-attr]
    world.wait_ready(desk)
    world.wait_first_listing(spawned)
    time.sleep(SETTLE)
    assert desk.proc is not None
    result = _settled_rss(desk.proc.pid)
    world.stop_desk(desk)
    return result


class _Seeding(threading.Thread):
    """Writes the history database in the background; it takes longer than a desk start."""

    def __init__(self, path: Path, world: World) -> None:
        super().__init__(name="seed-history", daemon=True)
        self.path, self.world = path, world
        self.seconds = 0.0
        self.error: BaseException | None = None

    def run(self) -> None:
        started = time.monotonic()
        try:
            seed_history(
                self.path,
                HISTORY,
                chat_id=STAFF_CHAT,
                business_id=next(iter(self.world.businesses)),
                campaign_id=self.world.campaigns[0],
                polls=POLLS_A_WEEK,
            )
        except BaseException as error:  # re-raised in the scenario's thread
            self.error = error
        self.seconds = time.monotonic() - started


def run(config: Config) -> list[Row]:
    reps = config.reps(2, 1)
    idle: list[float] = []
    history: list[float] = []
    floors: list[float] = []
    peaks: dict[str, float] = {"idle": 0.0, "history": 0.0}
    with World() as world:
        seeded = world.dir / "seeded" / "desk.db"
        seeding = _Seeding(seeded, world)
        seeding.start()  # meanwhile, the empty-database case and the floor: RSS, not speed
        for i in range(reps):
            rss, peak = _desk_rss(world, world.dir / f"idle{i}" / "desk.db")
            idle.append(rss)
            peaks["idle"] = max(peaks["idle"], peak)

            process, _ = spawn_floor(world, "start", "--idle", "30")
            wait_line(process)
            time.sleep(SETTLE)
            floors.append(_settled_rss(process.pid)[0])
            stop(process)
        seeding.join()
        if seeding.error is not None:
            raise seeding.error
        size_mb = seeded.stat().st_size / 1e6
        for i in range(reps):
            copy = world.dir / f"history{i}" / "desk.db"
            copy.parent.mkdir(parents=True)
            shutil.copy(seeded, copy)
            rss, peak = _desk_rss(world, copy)
            history.append(rss)
            peaks["history"] = max(peaks["history"], peak)
    return _rows(idle, history, median(floors), peaks, size_mb, seeding.seconds)


def _rows(
    idle: list[float],
    history: list[float],
    floor: float,
    peaks: dict[str, float],
    size_mb: float,
    seed_seconds: float,
) -> list[Row]:
    return [
        Row.from_samples(
            "9a",
            "RSS idle (empty database)",
            "<= 70 MB",
            "MB",
            idle,
            limit=70,
            floor=floor,
            note=f"peak VmHWM {peaks['idle']:.1f} MB; floor = bare stack {floor:.1f} MB",
        ),
        Row.from_samples(
            "9b",
            f"RSS with {HISTORY:,} requests of history",
            "<= 90 MB",
            "MB",
            history,
            limit=90,
            floor=floor,
            note=(
                f"peak VmHWM {peaks['history']:.1f} MB; database {size_mb:.1f} MB"
                f" ({HISTORY:,} closed requests + {POLLS_A_WEEK:,} polls, seeded in"
                f" {seed_seconds:.0f} s)"
            ),
        ),
    ]
