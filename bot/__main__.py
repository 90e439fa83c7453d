"""`python -m bot` runs the desk; `check` tries every connection; `health` says if it is
alive; `backup [PATH]` copies the database consistently, even while the desk runs; `demo`
rehearses on the real Telegram with a simulated Market."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cabinet import Cabinet, Desk
from bot.cabinets_file import DeskSource, open_desk
from bot.config import Settings, SettingsError, load_demo_settings
from bot.ops.logs import configure_logging
from bot.ops.redaction import catch_uncaught, secrets_of

USAGE = "usage: python -m bot [run|check|health|demo|backup [PATH]]"
log = logging.getLogger("bot")


def main(argv: list[str]) -> int:
    # whatever SQLite or the chart's child (matplotlib's cache) makes is the desk user's
    # alone; the database, its copies and the lock get their modes explicitly as well
    os.umask(0o077)
    command = argv[0] if argv else "run"
    allowed_args = 2 if command == "backup" else 1
    if command not in {"run", "check", "health", "demo", "backup"} or len(argv) > allowed_args:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        desk, source, ignored = _desk(command)
    except SettingsError as error:
        print(f"Setting error: {error}", file=sys.stderr)
        return 2
    settings = desk.settings
    start_logging(settings, desk.cabinets)
    if command == "demo":
        log.info(
            "Demo: %s simulated in this process and never called%s;"
            " time runs 60x faster; database %s",
            "the Market and Ozon are" if settings.demo and settings.demo.ozon else "the Market is",
            f" (ignoring {', '.join(ignored)})" if ignored else "",
            settings.database_path,
        )
    if command == "check":
        from bot.ops.check import run_checks

        return asyncio.run(run_checks(desk))
    if command == "health":
        from bot.ops.health import check_database

        now = datetime.now(UTC)
        verdict = check_database(settings.database_path, settings.poll_interval, now)
        print(("healthy: " if verdict.healthy else "unhealthy: ") + verdict.reason)
        return 0 if verdict.healthy else 1
    if command == "backup":
        return _backup(settings, Path(argv[1]) if len(argv) > 1 else None)
    return _run(desk, source)


def start_logging(settings: Settings, cabinets: tuple[Cabinet, ...] = ()) -> None:
    """The log, secrets redacted (every cabinet's key too); also for an exception nobody
    catches, which Python would print as a traceback past the redaction and the LOG_FORMAT."""
    every = (settings, *(cabinet.settings for cabinet in cabinets))
    secrets = list(dict.fromkeys(secret for own in every for secret in secrets_of(own)))
    configure_logging(settings.log_level, secrets, settings.log_format)
    catch_uncaught()


def _desk(command: str) -> tuple[Desk, DeskSource | None, list[str]]:
    """The desk, where a reload reads its cabinets again, and what the demo ignores."""
    if command == "demo":
        from bot.demo.cabinets import demo_desk
        from bot.demo.run import MARKET

        settings, ignored = load_demo_settings(MARKET)
        return demo_desk(settings), None, ignored
    desk, source = open_desk()
    return desk, source, []


def _backup(settings: Settings, target: Path | None) -> int:
    from storage.backup import backup, backup_into

    folder = settings.backup_dir
    if target is None and folder is None:
        print("Cannot back up: give a PATH or set BACKUP_DIR", file=sys.stderr)
        return 2
    try:
        if target is not None:
            made = backup(settings.database_path, target)
        else:
            made = backup_into(settings.database_path, folder)
    except (OSError, sqlite3.Error) as error:
        print(f"Cannot back up DATABASE_PATH={settings.database_path}: {error}", file=sys.stderr)
        return 1
    print(f"Backed up {settings.database_path} to {made}")
    return 0


def _run(desk: Desk, source: DeskSource | None) -> int:
    settings = desk.settings
    # a stop before python-telegram-bot takes SIGTERM over still closes the database cleanly
    signal.signal(signal.SIGTERM, _stop_before_start)
    # a reload before the desk takes SIGHUP over must not end it: the file was just read
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
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
        damaged = _damaged(settings, name)
        if damaged:
            lock.release()
            print(damaged, file=sys.stderr)
            return 2
        store = Store(settings.database_path, demo=demo)
    except AlreadyRunning as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 3
    except (OSError, sqlite3.Error, RuntimeError) as error:
        lock.release()
        print(f"Cannot open {name}={settings.database_path}: {error}", file=sys.stderr)
        return 2
    try:
        if demo:
            run_demo(desk, store)
        else:
            run(desk, store, source)
    except SettingsError as error:  # a token or key refused at start: one line, no secret
        log.error("Setting error: %s", error)
        return 2
    finally:
        store.close()
        lock.release()
    return 0


def _without_numpy() -> None:
    """sqlite-utils imports numpy whenever it is installed (matplotlib brings it, for the
    chart's child process); the desk uses none of it, and it would cost ~10 MB of RSS."""
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]  # import numpy -> ImportError


def _stop_before_start(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _damaged(settings: Settings, name: str) -> str | None:
    """The one line to stop with when the database fails SQLite's quick check."""
    from storage.backup import backups, damage

    problem = damage(settings.database_path)
    if problem is None:
        return None
    if settings.backup_dir is None:
        last = "none (BACKUP_DIR is not set)"
    else:
        found = backups(settings.backup_dir)
        last = str(found[-1]) if found else f"none in {settings.backup_dir}"
    return (
        f"Cannot start: {name}={settings.database_path} is damaged ({problem}); "
        f"last backup: {last} (to restore it, see Backups in the README)"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
