"""Consistent copies of the database while the desk runs, and the check that it is whole.

A file copy of a live SQLite database in WAL mode can miss what is still in the -wal file
or catch a page mid-write; SQLite's online backup API copies a consistent snapshot.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from storage.files import create_private, private_folder

PREFIX, SUFFIX = "desk-", ".db"
STAMP = "%Y%m%d-%H%M%S"


def _open_existing(path: Path) -> sqlite3.Connection:
    """A connection to a database that must already exist (never creates an empty one)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=5)


def backup(source: Path, target: Path) -> Path:
    """Copy `source` to `target` (a file, or a folder to put a dated file in); returns it.

    Written to a temporary name and renamed, so a half-written backup never looks whole.
    """
    if target.is_dir():
        target = target / backup_name(datetime.now().astimezone())
    private_folder(target.parent)
    partial = target.with_name(target.name + ".partial")
    src = _open_existing(source)
    try:
        create_private(partial)  # before SQLite opens it: a copy is as private as the original
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst)
        finally:
            dst.close()
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    finally:
        src.close()
    os.replace(partial, target)
    return target


def backup_into(source: Path, folder: Path) -> Path:
    """A dated copy in `folder`, made if missing (else the first copy would take its name)."""
    private_folder(folder)
    return backup(source, folder / backup_name(datetime.now().astimezone()))


def backup_name(at: datetime) -> str:
    return f"{PREFIX}{at.strftime(STAMP)}{SUFFIX}"


def backups(folder: Path) -> list[Path]:
    """The desk's backups in `folder`, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX)
    )


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    old = backups(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old


def damage(path: Path) -> str | None:
    """None when the database is whole (or not made yet); else what SQLite found wrong."""
    if not path.exists():
        return None
    try:
        conn = _open_existing(path)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return str(error)
    lines = [line.strip() for row in rows for line in str(row[0]).splitlines()]
    problems = [line for line in lines if line and line != "ok" and not line.startswith("***")]
    if not problems and lines == ["ok"]:
        return None
    more = f"; and {len(problems) - 2} more" if len(problems) > 2 else ""
    return "; ".join(problems[:2]) + more
