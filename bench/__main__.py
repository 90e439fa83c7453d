"""`python -m bench [--quick] [--only 1,3] [--out PATH]`: run, print the table, write JSON.

Exit status 0 when every measured target is met, 1 when one is missed or a scenario
failed, so the benchmark can gate a CI job if the lead wants it to.
"""

from __future__ import annotations

import argparse
import importlib
import os
import string
import sys
import time
import traceback
from pathlib import Path

from bench.report import code_version, markdown, table, write_json
from bench.scenarios import Config
from bench.stats import Row

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"

#: Cheapest and most independent first; the long flood run last.
MODULES = (
    "startup", "memory", "polling", "notify", "taps", "listing", "pending", "owner", "team",
    "ozon", "flood", "many_idle", "many_load",
)  # fmt: skip


def _base(row_id: str) -> str:
    """The target number a row belongs to: `6/n=51` -> `6`, `9a` -> `9`, `5h` -> `5`."""
    return row_id.split("/")[0].rstrip(string.ascii_letters)


def _wanted(only: str | None) -> set[str] | None:
    if not only:
        return None
    return {part.strip() for part in only.split(",") if part.strip()}


def _matches(row_id: str, wanted: set[str] | None) -> bool:
    return wanted is None or row_id in wanted or _base(row_id) in wanted


def _selected(wanted: set[str] | None) -> list[str]:
    """Modules yielding any of the wanted ids; unknown ids stop the run before it starts."""
    chosen, known = [], set()
    for name in MODULES:
        ids = importlib.import_module(f"bench.scenarios.{name}").IDS
        known |= {*ids, *map(_base, ids)}
        if any(_matches(i, wanted) for i in ids):
            chosen.append(name)
    unknown = (wanted or set()) - known
    if unknown:
        raise SystemExit(f"unknown measure ids: {', '.join(sorted(unknown))} (use 1-24)")
    return chosen


def _run(wanted: set[str] | None, config: Config) -> tuple[list[Row], dict[str, float]]:
    """The wanted rows of every scenario that yields one, and each scenario's seconds; a
    scenario that raises is a failed row per measure, and the others still run."""
    rows: list[Row] = []
    timings: dict[str, float] = {}
    for name in _selected(wanted):
        module = importlib.import_module(f"bench.scenarios.{name}")
        print(f"running {name} ({', '.join(module.IDS)}) ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            produced = module.run(config)
        except Exception as error:
            traceback.print_exc()
            produced = [
                Row.failed(i, name, "", f"{type(error).__name__}: {error}") for i in module.IDS
            ]
        timings[name] = round(time.monotonic() - started, 1)
        rows.extend(row for row in produced if _matches(row.id, wanted))
        print(f"  {name} took {timings[name]:.0f} s", file=sys.stderr, flush=True)
    return rows, timings


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--only", help="comma-separated measure ids, e.g. 1,3,7")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results path")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)

    began = time.monotonic()
    load_before = os.getloadavg()
    rows, timings = _run(_wanted(args.only), Config(quick=args.quick))
    rows.sort(key=lambda row: int(_base(row.id)))  # stable: a module keeps its own order
    print(table(rows))
    if args.markdown:
        print()
        print(markdown(rows))
    elapsed = time.monotonic() - began
    code = code_version(ROOT)
    print(
        f"\n{len(rows)} rows in {elapsed:.0f} s; code {code['commit']}"
        f"{' (uncommitted changes in bot/ or storage/)' if code['dirty'] else ''}; JSON: {args.out}"
    )
    write_json(
        args.out,
        rows,
        {
            "code": code,
            "loadavg_before": load_before,
            "quick": args.quick,
            "only": args.only,
            "duration_s": round(elapsed, 1),
            "scenario_s": timings,
        },
    )
    return 0 if all(row.verdict in ("ok", "skip", "info") for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
