"""Daily online backups into BACKUP_DIR, keeping the newest BACKUP_KEEP.

Runs in a worker thread with its own connections (SQLite's backup API), so the desk's
loops never wait for it. A failed backup is logged and tried again at the next check.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

from bot.config import Settings
from storage.backup import backup_into, backups, prune
from storage.files import narrow

log = logging.getLogger(__name__)

EVERY = 24 * 3600.0  # seconds between backups
CHECK_EVERY = 3600.0  # seconds between looks at the folder (a failed backup waits this long)


class DailyBackups:
    def __init__(self, database: Path, folder: Path, keep: int) -> None:
        self.database, self.folder, self.keep = database, folder, keep

    @classmethod
    def for_settings(cls, settings: Settings) -> DailyBackups:
        assert settings.backup_dir is not None
        return cls(settings.database_path, settings.backup_dir, settings.backup_keep)

    async def run(self) -> None:
        await asyncio.to_thread(self.narrow_old)
        while True:
            if self.seconds_until_due() <= 0:
                await asyncio.to_thread(self.make)
            await asyncio.sleep(min(CHECK_EVERY, max(1.0, self.seconds_until_due())))

    def seconds_until_due(self) -> float:
        found = backups(self.folder)
        if not found:
            return 0.0
        return found[-1].stat().st_mtime + EVERY - time.time()

    def narrow_old(self) -> None:
        """Copies an older desk left readable by every local user become private too."""
        for path in backups(self.folder):
            try:
                narrow(path)
            except OSError as error:
                log.error("Could not make the backup %s private: %s", path, error)

    def make(self) -> Path | None:
        try:
            made = backup_into(self.database, self.folder)
        except (OSError, sqlite3.Error) as error:
            log.error("Daily backup to %s failed: %s", self.folder, error)
            return None
        for old in prune(self.folder, self.keep):
            log.info("Removed the old backup %s", old)
        log.info("Backed up the database to %s", made)
        return made
