"""The table on stdout and the JSON file: what a run measured, and on what machine."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.stats import Row

COLUMNS = ("#", "measure", "target", "median", "p95", "n", "floor", "ratio", "verdict")


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "calls":
        return f"{value:g}"
    return f"{value:.3g}{unit}"


def _ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.2g}x"


def table(rows: list[Row]) -> str:
    """A fixed-width table; notes follow it, one per row that has one."""
    lines = [
        (
            row.id,
            row.measure,
            row.target,
            _fmt(row.median, row.unit),
            _fmt(row.p95, row.unit),
            str(row.n) if row.n else "-",
            _fmt(row.floor, row.unit),
            _ratio(row.ratio),
            row.verdict,
        )
        for row in rows
    ]
    widths = [max(len(str(cells[i])) for cells in [COLUMNS, *lines]) for i in range(len(COLUMNS))]
    out = [
        " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))
        for cells in [COLUMNS, *lines]
    ]
    out.insert(1, "-+-".join("-" * width for width in widths))
    notes = [f"  [{row.id}] {row.note}" for row in rows if row.note]
    return "\n".join(out + (["", *notes] if notes else []))


def markdown(rows: list[Row]) -> str:
    """The same table as Markdown, for docs/benchmarks.md."""
    head = "| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS) + "\n"
    body = "".join(
        "| "
        + " | ".join(
            [
                row.id,
                row.measure,
                row.target.replace("|", "/"),
                _fmt(row.median, row.unit),
                _fmt(row.p95, row.unit),
                str(row.n) if row.n else "-",
                _fmt(row.floor, row.unit),
                _ratio(row.ratio),
                f"**{row.verdict}**" if row.verdict in ("MISS", "error") else row.verdict,
            ]
        )
        + " |\n"
        for row in rows
    )
    return head + body


def machine() -> dict[str, Any]:
    """Enough about the host to judge whether two runs are comparable."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kib = 0
    versions = {}
    for package in ("python-telegram-bot", "httpx", "sqlite-utils", "uvicorn", "starlette"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_mib": mem_kib // 1024,
        "python": sys.version.split()[0],
        "loadavg": os.getloadavg(),
        "packages": versions,
    }


def code_version(root: Path) -> dict[str, Any]:
    """The commit measured, and whether bot/ or storage/ had uncommitted changes."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=5, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "dirty": bool(git("status", "--porcelain", "--", "bot", "storage")),
    }


def write_json(path: Path, rows: list[Row], meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **meta,
        "machine": machine(),
        "rows": [row.as_json() for row in rows],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
