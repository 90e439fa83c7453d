"""The digest's chart, drawn in a short-lived child process (`python -m bot.owner.chart`).

matplotlib (with numpy and Pillow) adds tens of megabytes to a process that imports it and
never hands them back; drawn in a child that exits, the desk's own memory stays at idle.
The child reads the chart's data as JSON on stdin and writes a PNG to stdout. Most of its
time is importing matplotlib, so it imports nothing else it can do without (asyncio is
the parent's) and draws once, on an Agg canvas, instead of through `savefig`, which draws
a figure with a layout engine twice.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import math
import sys
from typing import Any

log = logging.getLogger(__name__)
CHART_TIMEOUT = 60.0  # seconds; a first run also builds matplotlib's font cache
COLORS = ("#2e7d32", "#1565c0", "#6a1b9a", "#9e9e9e", "#c62828", "#f9a825")


async def render_chart(spec: dict[str, Any]) -> bytes | None:
    """The PNG, or None if it could not be drawn (the digest then goes without it)."""
    import asyncio  # here, not above: the child runs this module too

    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.owner.chart",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(
            child.communicate(json.dumps(spec).encode()), CHART_TIMEOUT
        )
    except (OSError, TimeoutError) as error:
        log.warning("Could not draw the digest's chart: %r", error)
        return None
    if child.returncode != 0 or not out.startswith(b"\x89PNG"):
        log.warning("Could not draw the digest's chart: %s", err.decode(errors="replace")[-500:])
        return None
    return out


def draw(spec: dict[str, Any]) -> bytes:
    """Stacked bars of requests per day by outcome, and the median hours to decide."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4.8), dpi=100, layout="constrained")
    bars = figure.add_subplot()
    days = spec["days"]
    positions = list(range(len(days)))
    bottom = [0] * len(days)
    for color, series in zip(COLORS, spec["series"], strict=False):
        bars.bar(positions, series["values"], bottom=bottom, color=color, label=series["label"])
        bottom = [b + v for b, v in zip(bottom, series["values"], strict=True)]
    bars.set_xticks(positions[::3], [days[i] for i in positions[::3]], fontsize=8)
    bars.set_title(f"{spec['title']}: {days[0]} — {days[-1]}")
    figure.legend(loc="outside lower center", ncols=3, fontsize=8)
    medians = [math.nan if m is None else m for m in spec["medians"]]
    line = bars.twinx()
    line.plot(positions, medians, color="black", marker="o", markersize=3)
    line.set_ylabel(spec["median"], fontsize=8)
    line.set_ylim(bottom=0)
    out = io.BytesIO()
    FigureCanvasAgg(figure).print_png(out)
    return out.getvalue()


def main() -> None:
    """The child: one chart, then exit. Importing matplotlib makes objects by the hundred
    thousand; the cycle collector would comb them over and over for a process this short."""
    gc.disable()
    sys.stdout.buffer.write(draw(json.load(sys.stdin)))


if __name__ == "__main__":
    main()
