"""Files only the desk's user may read, and folders only it may enter.

The database and its copies hold buyers' orders and staff decisions. Modes are set
explicitly, so they hold whatever umask the service manager or a shell gives the desk.
A folder that already exists is left as it is: it may be the operator's (/var/lib, a
volume's root); the desk's files in it are private all the same.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
OTHERS = 0o077  # the group's and everyone else's bits


def private_folder(path: Path) -> None:
    """Make `path` and its missing parents, each 0700."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            continue  # made meanwhile by another process: not ours to change
        folder.chmod(PRIVATE_FOLDER)


def open_private(path: Path, flags: int = os.O_RDWR) -> int:
    """A descriptor of `path`, made 0600 if missing, narrowed if an older desk left it wider."""
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE)
    except FileExistsError:
        narrow(path)
        return os.open(path, flags | os.O_CLOEXEC)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    except OSError:
        os.close(fd)
        raise
    return fd


def create_private(path: Path) -> None:
    """`path` exists and is 0600 (SQLite gives its -wal and -shm files the same mode)."""
    os.close(open_private(path, os.O_WRONLY))


def narrow(path: Path) -> None:
    """Take the group's and others' bits off an existing file, in a log line the operator sees."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & OTHERS:
        path.chmod(mode & ~OTHERS)
        log.warning("%s was open to other users (mode %03o); now %03o", path, mode, mode & ~OTHERS)
