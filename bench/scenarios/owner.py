"""#11-#15: the owner's view over 100,000 settled requests (10,000 with --quick).

The history is written by `bench.history.seed_settled`. The reads are timed in process
on the code /stats, /order and the digest run (storage, computation, rendering; the
Telegram hop is #10's); /export runs in a fresh child so its memory growth is its own.
#11 is the database's size: how big HISTORY_DAYS=forever gets.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.history import seed_settled
from bench.scenarios import Config
from bench.stats import Row
from bench.world import rss_kib
from bot.formatting import Style
from bot.owner.chart import render_chart
from bot.owner.digest import chart_spec
from bot.owner.periods import parse_period
from bot.owner.render_owner import render_stats
from bot.owner.stats import compute
from bot.owner.story import story_lines
from bot.texts import Texts
from storage.store import Store

IDS = ("11", "12", "13", "14", "14m", "15", "15m")
FIRST_ORDER = 9_000_000


def _timed(action, reps: int) -> list[float]:
    samples = []
    for _ in range(reps):
        started = time.monotonic()
        action()
        samples.append(time.monotonic() - started)
    return samples


def _reads(store: Store, style: Style, count: int, reps: int) -> list[Row]:
    now = datetime.now(UTC)

    def stats() -> None:
        period = parse_period("30d", now, style.timezone)
        render_stats(compute(store.history.ledger(period.start, period.end), period), style)

    def story() -> None:
        for request in store.history.requests_of_order(FIRST_ORDER + count // 2):
            story_lines(request, store.events.of(request.id), None, "shop", None, style)

    return [
        Row.from_samples("12", "/stats 30d", "< 1 s", "s", _timed(stats, reps), limit=1.0),
        Row.from_samples("13", "/order", "< 1 s", "s", _timed(story, reps), limit=1.0),
    ]


def _chart(store: Store, style: Style) -> list[Row]:
    now = datetime.now(UTC)
    before, _ = rss_kib(os.getpid())
    started = time.monotonic()
    rows = store.history.ledger(now - timedelta(days=30), now)
    png = asyncio.run(render_chart(chart_spec(rows, now.date(), style)))
    took = time.monotonic() - started
    grown = (rss_kib(os.getpid())[0] - before) / 1024
    note = "" if png else "the chart could not be drawn"
    return [
        Row.from_samples("15", "digest chart drawn", "< 2 s", "s", [took], limit=2.0, note=note),
        Row("15m", "desk RSS growth after a chart", "info", "MB", "info", grown, grown, 1),
    ]


def _export(path: Path, count: int) -> list[Row]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.history", str(path)], capture_output=True, check=True
    )
    result = json.loads(out.stdout)
    note = f"{result['rows']} rows, {result['parts']} parts, {result['bytes'] / 1e6:.1f} MB"
    mb = result["rss_kib"] / 1024
    return [
        Row.from_samples(
            "14", f"/export {count:,} rows", "< 5 s", "s", [result["seconds"]], limit=5.0, note=note
        ),
        Row.from_samples("14m", "/export RSS growth", "< 20 MB", "MB", [mb], limit=20.0),
    ]


def run(config: Config) -> list[Row]:
    count = 10_000 if config.quick else 100_000
    with tempfile.TemporaryDirectory(prefix="bench-owner-") as folder:
        path = Path(folder) / "desk.db"
        seed_settled(path, count, campaign_id=1001, first_order_id=FIRST_ORDER)
        size = path.stat().st_size / 1e6
        note = f"{count:,} settled requests, {size * 1e6 / count / 1024:.1f} KiB each"
        rows = [Row("11", "database size", "info", "MB", "info", size, size, 1, note=note)]
        store = Store(path)
        style = Style(Texts("ru"), ZoneInfo("Europe/Moscow"), (), True)
        try:
            rows += _reads(store, style, count, config.reps(10, 3))
            rows += _chart(store, style)
        finally:
            store.close()
        rows += _export(path, count)
    return rows
