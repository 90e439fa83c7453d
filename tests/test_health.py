"""`python -m bot health`: alive by the `/healthz` rule, read from the database alone.

It serves a container's HEALTHCHECK and any monitor, so it must answer while the desk
runs (no lock), and never create, migrate or change the database.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.ops.health import Verdict, check_database, judge
from storage.polls import PollRecord
from storage.store import Store
from tests.harness import DeskProcess, wait_until

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
OLD_DESK_DB = Path(__file__).parent / "data" / "desk_27e9b31.db"


def health(tmp_path: Path, env: dict[str, str]) -> tuple[int, str]:
    name = f"health{len(list(tmp_path.glob('health*.log')))}"
    process = DeskProcess(env, tmp_path, name=name).start("health")
    return process.wait(30), process.log().strip()


def test_the_rule_is_three_poll_intervals() -> None:
    assert judge(NOW, NOW - 3 * MINUTE, NOW - timedelta(days=1), MINUTE)
    assert not judge(NOW, NOW - 3 * MINUTE - timedelta(seconds=1), NOW, MINUTE)
    assert judge(NOW, None, NOW - 2 * MINUTE, MINUTE)  # no poll yet, but just started


def test_a_running_desk_is_healthy_and_a_stopped_one_goes_stale(tmp_path, desk_env, start_desk):
    desk = start_desk()
    wait_until(lambda: "Poll:" in desk.log(), 15, message="the first poll")

    code, line = health(tmp_path, desk_env)
    assert code == 0 and line.startswith("healthy: last poll")
    assert line.endswith("s ago)") and "(last good poll " in line

    desk.terminate()
    database = Path(desk_env["DATABASE_PATH"])
    store = Store(database)
    store.db.execute("UPDATE polls SET finished_at = '2026-01-01T00:00:00.000000+00:00'")
    store.close()
    code, line = health(tmp_path, desk_env)
    assert code == 1 and line.startswith("unhealthy: last poll")
    assert line.endswith("over 3s")


@pytest.mark.process  # `python -m bot health`
def test_a_missing_database_is_unhealthy_and_not_created(tmp_path, desk_env):
    env = {**desk_env, "DATABASE_PATH": str(tmp_path / "nowhere" / "desk.db")}
    code, line = health(tmp_path, env)
    assert (code, line) == (1, f"unhealthy: no database at {tmp_path / 'nowhere' / 'desk.db'}")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.process  # `python -m bot health`
def test_a_damaged_database_is_one_line_and_left_as_it_was(tmp_path, desk_env):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = damaged.read_bytes()
    code, line = health(tmp_path, {**desk_env, "DATABASE_PATH": str(damaged)})
    assert code == 1 and line.startswith(f"unhealthy: cannot read {damaged}")
    assert "Traceback" not in line and "\n" not in line
    assert damaged.read_bytes() == before


@pytest.mark.process  # `python -m bot health`
def test_an_older_database_is_read_not_migrated(tmp_path, desk_env):
    old = tmp_path / "old.db"
    shutil.copy(OLD_DESK_DB, old)
    before = old.read_bytes()
    code, line = health(tmp_path, {**desk_env, "DATABASE_PATH": str(old)})
    assert code == 1 and line.startswith("unhealthy: last poll")  # its polls are from 2025
    assert old.read_bytes() == before


@pytest.mark.process  # `python -m bot health`
def test_no_poll_yet_is_unhealthy(tmp_path, desk_env):
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()
    code, line = health(tmp_path, {**desk_env, "DATABASE_PATH": str(fresh)})
    assert (code, line) == (1, "unhealthy: no poll yet")


def test_a_market_refusing_every_poll_leaves_the_desk_healthy(tmp_path):
    database = tmp_path / "refused.db"
    store = Store(database)
    store.poll_failed(PollRecord(NOW - 2 * MINUTE, NOW - 2 * MINUTE, ok=False, error="500"))
    store.close()
    verdict = check_database(database, MINUTE, NOW)
    assert verdict == Verdict(True, "last poll 120s ago (no good poll yet)")
    assert not check_database(database, MINUTE, NOW + 2 * MINUTE).healthy
