"""`python -m bot` runs the desk; `check` tries every connection; `health` says if it is alive;
`demo` rehearses on the real Telegram with a simulated Market."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
from datetime import UTC, datetime

from bot.config import Settings, SettingsError, load_demo_settings, load_settings
from bot.logs import configure_logging

USAGE = "usage: python -m bot [run|check|health|demo]"
log = logging.getLogger("bot")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command not in {"run", "check", "health", "demo"} or len(argv) > 1:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        settings, ignored = _settings(command)
    except SettingsError as error:
        print(f"Setting error: {error}", file=sys.stderr)
        return 2
    secrets = [settings.telegram_bot_token]
    if settings.demo is None:  # the simulator's key is no secret
        secrets.append(settings.market_api_key)
    configure_logging(settings.log_level, secrets)
    if command == "demo":
        log.info(
            "Demo: the Market is simulated in this process and is never called%s;"
            " time runs 60x faster; database %s",
            f" (ignoring {', '.join(ignored)})" if ignored else "",
            settings.database_path,
        )
    if command == "check":
        from bot.check import run_checks

        return asyncio.run(run_checks(settings))
    if command == "health":
        from bot.health import check_database

        now = datetime.now(UTC)
        verdict = check_database(settings.database_path, settings.poll_interval, now)
        print(("healthy: " if verdict.healthy else "unhealthy: ") + verdict.reason)
        return 0 if verdict.healthy else 1

    return _run(settings)


def _settings(command: str) -> tuple[Settings, list[str]]:
    if command == "demo":
        from bot.demo.run import MARKET

        return load_demo_settings(MARKET)
    return load_settings(), []


def _run(settings: Settings) -> int:
    _without_numpy()
    from bot.app import run
    from bot.demo.run import run_demo
    from storage.lock import AlreadyRunning, DatabaseLock
    from storage.store import Store

    demo = settings.demo is not None
    name = "DEMO_DATABASE_PATH" if demo else "DATABASE_PATH"
    lock = DatabaseLock(settings.database_path)
    try:
        lock.acquire()
        store = Store(settings.database_path, demo=demo)
    except AlreadyRunning as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 3
    except (OSError, sqlite3.Error, RuntimeError) as error:
        lock.release()
        print(f"Cannot open {name}={settings.database_path}: {error}", file=sys.stderr)
        return 2
    try:
        (run_demo if demo else run)(settings, store)
    finally:
        store.close()
        lock.release()
    return 0


def _without_numpy() -> None:
    """sqlite-utils imports numpy whenever it is installed (matplotlib brings it, for the
    chart's child process); the desk uses none of it, and it would cost ~10 MB of RSS."""
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]  # import numpy -> ImportError


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
