"""`python -m bot` runs the desk; `check` tries every connection; `health` says if it is alive."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from datetime import UTC, datetime

from bot.config import SettingsError, load_settings
from bot.logs import configure_logging

USAGE = "usage: python -m bot [run|check|health]"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command not in {"run", "check", "health"} or len(argv) > 1:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Setting error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, [settings.telegram_bot_token, settings.market_api_key])
    if command == "check":
        from bot.check import run_checks

        return asyncio.run(run_checks(settings))
    if command == "health":
        from bot.health import check_database

        now = datetime.now(UTC)
        verdict = check_database(settings.database_path, settings.poll_interval, now)
        print(("healthy: " if verdict.healthy else "unhealthy: ") + verdict.reason)
        return 0 if verdict.healthy else 1

    _without_numpy()
    from bot.app import run
    from storage.lock import AlreadyRunning, DatabaseLock
    from storage.store import Store

    lock = DatabaseLock(settings.database_path)
    try:
        lock.acquire()
        store = Store(settings.database_path)
    except AlreadyRunning as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 3
    except (OSError, sqlite3.Error, RuntimeError) as error:
        lock.release()
        print(f"Cannot open DATABASE_PATH={settings.database_path}: {error}", file=sys.stderr)
        return 2
    try:
        run(settings, store)
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
