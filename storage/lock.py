"""One desk per database: two pollers would fight over getUpdates and double-post."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from storage.files import open_private, private_folder


class AlreadyRunning(Exception):
    """Another process holds the database."""


class DatabaseLock:
    """An exclusive advisory lock on `<database>.lock`, released when the process ends."""

    def __init__(self, database_path: Path) -> None:
        self.path = Path(f"{database_path}.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        private_folder(self.path.parent)
        handle = os.fdopen(open_private(self.path), "r+")  # held for the life of the process
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunning(
                f"{self.path.with_suffix('')} is already used by a running desk (pid {holder})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
