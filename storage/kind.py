"""A demo's database and a real desk's are never mixed up: real requests hold real money.

A demo database carries `DEMO_APPLICATION_ID` in SQLite's header (`PRAGMA application_id`),
set when the demo creates it; a real desk's keeps 0, as every database made before had.
"""

from __future__ import annotations

import sqlite3

DEMO_APPLICATION_ID = 0x64656D6F  # "demo"


class WrongDatabase(RuntimeError):
    """The database belongs to the other kind of desk; `str()` says what to do."""


def claim(conn: sqlite3.Connection, *, demo: bool) -> None:
    """Refuse the other kind's database; mark a new one the demo creates."""
    is_demo = conn.execute("PRAGMA application_id").fetchone()[0] == DEMO_APPLICATION_ID
    if is_demo == demo:
        return
    if not demo:
        raise WrongDatabase(
            "it is the demo's database (python -m bot demo); the desk keeps its own"
        )
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise WrongDatabase(
            "it holds a real desk's requests; the demo keeps its own (DEMO_DATABASE_PATH)"
        )
    conn.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
