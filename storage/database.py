"""One SQLite connection with the desk's pragmas, its migrations and nestable transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from storage.files import create_private, narrow, private_folder
from storage.kind import claim
from storage.schema import migrate


def _prepare_private(path: Path) -> None:
    """The file made 0600 before SQLite opens it: SQLite gives its -wal and -shm files the
    database's mode, but leaves the mode of those a crash left behind as they were."""
    private_folder(path.parent)
    create_private(path)
    for leftover in ("-wal", "-shm"):
        narrow(path.with_name(path.name + leftover))


class Database:
    """Used from the event loop's thread only."""

    def __init__(self, path: Path, *, demo: bool = False) -> None:
        if str(path) != ":memory:":
            _prepare_private(path)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        for pragma in (
            "journal_mode = WAL",
            "synchronous = NORMAL",
            "foreign_keys = ON",
            "busy_timeout = 5000",
        ):
            self.db.execute(f"PRAGMA {pragma}")
        try:
            claim(conn, demo=demo)
            self.version = migrate(self.db)
        except Exception:
            conn.close()
            raise
        self._depth = 0

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing; an inner one joins the outer, so writes compose."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo only what this block wrote if it fails; the transaction goes on."""
        self.db.execute("SAVEPOINT one")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK TO one")
            raise
        finally:
            self.db.execute("RELEASE one")

    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, list(params))

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, tuple(params)))

    def value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None
