"""Starting the floor client (see `bench/floor_client.py`) beside a world's fakes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.world import World

ROOT = Path(__file__).resolve().parents[1]


def spawn_floor(world: World, mode: str, *args: str) -> tuple[subprocess.Popen, float]:
    """Start `python -m bench.floor_client MODE`; returns the process and its spawn time."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **world.python_env)
    command = [sys.executable, "-m", "bench.floor_client", mode, "--telegram"]
    command += [world.telegram.base_url + world.telegram.token, *args]
    spawned = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=world.dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, spawned


def wait_line(process: subprocess.Popen, expected: str = "ready", timeout: float = 20.0) -> None:
    """Block until the client prints `expected` (it does once its stack is imported)."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"floor client exited with {process.wait()}")
        if line.strip() == expected:
            return
    raise TimeoutError(f"floor client did not print {expected!r}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
