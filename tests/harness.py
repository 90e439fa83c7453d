"""Runs the real desk (`python -m bot`) as a child process against the loopback fakes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class UnmarkedProcessError(RuntimeError):
    """A test without the `process` marker started a process: the quick run would too."""


class ProcessPermit:
    """Whether the running test may start a process: tests/conftest.py sets `marked` from
    the test's `process` marker before each test. None outside a test (the benchmark,
    scripts/chaos.py): no test, no rule."""

    marked: bool | None = None

    def check(self) -> None:
        if self.marked is False:
            raise UnmarkedProcessError(
                "this test starts `python -m bot` but is not marked `process`, so the quick "
                "run (-m 'not process') would start it too: start desks with the start_desk "
                "fixture (its tests are marked for you) or mark the test @pytest.mark.process"
            )


PERMIT = ProcessPermit()


class DeskProcess:
    """One `python -m bot` process; its output goes to a log file the test can read."""

    def __init__(
        self,
        env: dict[str, str],
        workdir: Path,
        name: str = "desk",
        open_files: int | None = None,
        module: str = "bot",
    ) -> None:
        self.env, self.module = env, module  # `module`: what `python -m` runs
        self.workdir = workdir
        self.open_files = open_files  # the process's RLIMIT_NOFILE, as a service manager sets it
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    def start(self, *args: str) -> DeskProcess:
        PERMIT.check()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("TELEGRAM_", "MARKET_", "STAFF_", "HTTP_", "PORT", "CABINETS_FILE", "OPERATOR_")
            )
        }
        env.update(self.env)
        env["PYTHONPATH"] = str(ROOT)
        env["PYTHONUNBUFFERED"] = "1"
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in wait()
        command = [sys.executable, "-m", self.module, *args]
        if self.open_files is not None:
            command = ["prlimit", f"--nofile={self.open_files}", "--", *command]
        self.proc = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait(self, timeout: float = 15.0) -> int:
        assert self.proc is not None
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            if self._log_file:
                self._log_file.close()
                self._log_file = None
        return code

    def terminate(self, timeout: float = 15.0) -> int:
        """SIGTERM and wait: the exit code of a clean stop is 0."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.wait()


class Desks:
    """The desks one test starts (more than one for restarts), each stopped at its end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: list[DeskProcess] = []

    def start(self, env: dict[str, str], module: str = "bot") -> DeskProcess:
        name = f"desk{len(self.started)}"
        process = DeskProcess(env, self.workdir, name=name, module=module).start()
        self.started.append(process)
        return process

    def stop(self) -> list[int]:
        """Stop the ones still running; their exit codes (0: a clean stop)."""
        return [process.terminate() for process in self.started if process.running]


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02, message: str = ""):
    """Poll `predicate` until it returns something truthy; fail loudly on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or predicate}")
        time.sleep(interval)
