"""bot.owner.export gives, byte for byte, the CSV of the code before issue 19's speed-up.

The reference below is that code as it was (commit 6fc716b), kept verbatim but for the two
columns issue 21 added at the end (the marketplace, Ozon's posting number): /export was
made faster without changing one byte an owner's spreadsheet reads. The rows are varied
on purpose: every outcome, None in every optional cell, formula-like and Cyrillic texts,
`;` and quotes, decimals, moments at hour edges and across daylight-saving changes, and
zones whose offset is not whole hours or changed within an hour.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from bot.domain.ledger import LedgerRow
from bot.domain.model import Basis, Decision, DecisionResult, Person, RequestState
from bot.formatting import Style
from bot.owner.export import export_parts
from bot.owner.local_times import LocalTimes
from bot.texts import Texts

# --- the reference: bot/owner/export.py at 6fc716b (read with the domain's types since) ----------
FORMULA_STARTS = frozenset("=+-@\t\r")


def reference_parts(
    rows: Iterable[LedgerRow], shops: dict[int, str], style: Style, limit: int
) -> Iterator[bytes]:
    header = style.texts("export.columns").split(";")
    buffer, count = _start(header), 0
    line = io.StringIO()
    writer = csv.writer(line, delimiter=";")
    for row in rows:
        line.seek(0)
        line.truncate()
        writer.writerow(_csv_row(row, shops, style))
        encoded = line.getvalue().encode("utf-8")
        if count and buffer.tell() + len(encoded) > limit:
            yield buffer.getvalue()
            buffer, count = _start(header), 0
        buffer.write(encoded)
        count += 1
    if count:
        yield buffer.getvalue()


def _start(header: list[str]) -> io.BytesIO:
    line = io.StringIO()
    csv.writer(line, delimiter=";").writerow(header)
    buffer = io.BytesIO()
    buffer.write(("\ufeff" + line.getvalue()).encode("utf-8"))
    return buffer


def _time(moment: datetime | None, style: Style) -> str:
    return moment.astimezone(style.timezone).isoformat(" ", "seconds")[:19] if moment else ""


def _text(value: str) -> str:
    return "'" + value if value[:1] in FORMULA_STARTS else value


def _csv_row(row: LedgerRow, shops: dict[int, str], style: Style) -> list[str]:
    t = style.texts
    minutes = row.time_to_decide
    answer = row.result.value if row.result else ""
    if row.result is DecisionResult.FAILED:
        answer = " ".join(str(p) for p in ("failed", row.http_status, row.error_code) if p)
    return [
        str(row.order_id),
        str(row.campaign_id),
        _text(shops.get(row.campaign_id, "")),
        _time(row.requested_at, style),
        t(f"basis.{row.basis.value}"),
        _time(row.deadline, style),
        _time(row.first_seen, style),
        _time(row.posted_at, style),
        t(f"action.{row.decision.value}") if row.decision else "",
        _text(row.decided_by.name if row.decided_by else ""),
        _time(row.decided_at, style),
        answer,
        f"{minutes.total_seconds() / 60:.1f}".replace(".", ",") if minutes is not None else "",
        t(f"ledger.{row.outcome.value}"),
        _text(row.closed_status or ""),
        t("marketplace.ozon" if row.campaign_id < 0 else "marketplace.yandex"),
        _text(row.posting_number or ""),
    ]


# --- varied rows ----------------------------------------------------------------------------
NAMES = [None, "Анна", "Boris", "=1+1", "@SUM(A1)", "+7 900", "-5", "\tTab", "\r=1",
         'Ко; "кавычки"', "a\nb", "Ёжик 🦔", "", " =not at start"]  # fmt: skip
STATUSES = [None, "CANCELLED/USER_CHANGED_MIND", '=HYPERLINK("x")', "DELIVERED", "-x"]
RESULTS = [None, "ok", "ok", "failed", "not_pending", "unknown"]
POSTINGS = [None, None, "12345678-0001-1", "-1", "=1+1"]
ERRORS = [None, "STATUS_NOT_ALLOWED", "=1", "", 'ошибка; "x"']
SHOPS = {1001: "Ромашка", 1002: "=cmd|' /C calc'!A0", -7: 'Shop; "quoted"', 1003: ""}
# daylight-saving changes, Moscow's 2011 and 2014 offset changes, the year's edges
EDGES = ["2011-03-27T01:59:59.999999", "2011-03-26T23:00:00", "2014-10-25T22:00:00",
         "2014-10-25T21:59:59", "2026-03-29T00:30:00", "2026-10-25T00:59:59.999999",
         "2026-10-25T01:00:00", "2026-12-31T20:59:59", "2026-12-31T21:00:00",
         "2026-04-04T15:45:00", "1925-06-01T12:00:00"]  # fmt: skip
OTHER_ZONES = [timezone(timedelta(hours=5)), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]


def _moment(rng: random.Random) -> datetime:
    if rng.random() < 0.25:
        base = datetime.fromisoformat(rng.choice(EDGES)).replace(tzinfo=UTC)
        moment = base + timedelta(seconds=rng.choice([0, 0, -1, 1, 1800, 3599]))
    else:
        start = datetime(2010, 1, 1, tzinfo=UTC)
        moment = start + timedelta(seconds=rng.randrange(20 * 365 * 86400))
        moment = moment.replace(microsecond=rng.choice([0, 1, 500_000, 999_999]))
    if rng.random() < 0.1:  # a moment that is not in UTC: never stored so, still exported
        moment = moment.astimezone(rng.choice(OTHER_ZONES))
    return moment


def _maybe(rng: random.Random, value: object, none: float = 0.3) -> object:
    return None if rng.random() < none else value


def _result(value: str | None) -> DecisionResult | None:
    return DecisionResult(value) if value else None


def _person(user_id: object, name: str | None) -> Person | None:
    return Person(user_id, name) if isinstance(user_id, int) and name is not None else None


def varied_rows(count: int, seed: int) -> list[LedgerRow]:
    rng = random.Random(seed)
    rows = []
    for n in range(1, count + 1):
        requested = _moment(rng)
        rows.append(LedgerRow(
            request_id=n,
            campaign_id=rng.choice([*SHOPS, 4242]),
            order_id=rng.choice([n, -n, 2**62 + n, 7]),
            state=rng.choice(list(RequestState)),
            first_seen=requested + timedelta(seconds=rng.randrange(0, 4000)),
            requested_at=requested,
            basis=rng.choice(list(Basis)),
            deadline=requested + timedelta(hours=rng.choice([-1, 0, 48, 47.99])),
            posted_at=_maybe(rng, requested + timedelta(seconds=rng.randrange(0, 90))),
            closed_at=_maybe(rng, requested + timedelta(hours=rng.choice([1, 47, 48, 49])), 0.4),
            closed_status=rng.choice(STATUSES),
            decision=_maybe(rng, rng.choice(list(Decision))),
            result=_result(rng.choice(RESULTS)),
            http_status=rng.choice([None, 200, 400, 500]),
            error_code=rng.choice(ERRORS),
            decided_by=_person(_maybe(rng, rng.randrange(1, 10**10)), rng.choice(NAMES)),
            decided_at=_maybe(rng, requested + timedelta(
                seconds=rng.choice([-60, 0, 1, 59, 61, 5399, rng.randrange(10**6)]),
                microseconds=rng.randrange(10**6))),
            posting_number=rng.choice(POSTINGS),
        ))  # fmt: skip
    return rows


ZONES = ["Europe/Moscow", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu",
         "Australia/Lord_Howe", "America/St_Johns", "UTC", "Asia/Vladivostok"]  # fmt: skip


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("language", ["ru", "en"])
def test_export_is_byte_for_byte_the_reference(zone: str, language: str) -> None:
    style = Style(Texts(language), ZoneInfo(zone), (), True)
    rows = varied_rows(300, seed=sum(map(ord, zone + language)))
    for limit in (4000, 8 * 1024 * 1024):
        new = [part.data for part in export_parts(rows, SHOPS, style, limit=limit)]
        assert new == list(reference_parts(rows, SHOPS, style, limit))


def test_rows_in_time_order_across_a_year_read_the_same() -> None:
    """As /export reads them: oldest first, every few minutes, for a year and a bit."""
    style = Style(Texts("ru"), ZoneInfo("Europe/Moscow"), (), True)
    start = datetime(2013, 12, 1, tzinfo=UTC)
    rows = [
        dataclasses.replace(row, first_seen=start + timedelta(minutes=37 * n))
        for n, row in enumerate(varied_rows(10_000, seed=7))
    ]
    new = b"".join(part.data for part in export_parts(rows, SHOPS, style, limit=200_000))
    assert new == b"".join(reference_parts(rows, SHOPS, style, 200_000))


# offset changes: Berlin's summer time, Moscow's +4 of 2011-2014, Lord Howe's half hour,
# Kathmandu's 1986 change from +05:30 to +05:45, Moscow's seconds before 1919
CHANGES = [("Europe/Berlin", "2026-03-29"), ("Europe/Berlin", "2026-10-25"),
           ("Europe/Moscow", "2011-03-26"), ("Europe/Moscow", "2014-10-25"),
           ("Australia/Lord_Howe", "2026-04-04"), ("Australia/Lord_Howe", "2026-10-03"),
           ("Asia/Kathmandu", "1985-12-31"), ("Europe/Moscow", "1916-07-03")]  # fmt: skip


@pytest.mark.parametrize(("zone", "day"), CHANGES)
def test_local_times_read_as_astimezone_across_offset_changes(zone: str, day: str) -> None:
    local, tz = LocalTimes(ZoneInfo(zone)), ZoneInfo(zone)
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    for n in range(0, 3 * 86400, 53):  # three days, every 53 s
        moment = start + timedelta(seconds=n, microseconds=n % 1_000_000)
        assert local(moment) == moment.astimezone(tz).isoformat(" ", "seconds")[:19]


class HalfPastJump(tzinfo):
    """+03:00, then +04:00 from 12:30 UTC on 2026-06-01: whole hours, changed mid-hour."""

    JUMP = datetime(2026, 6, 1, 12, 30)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        wall = dt.replace(tzinfo=None) if dt else self.JUMP
        return timedelta(hours=3 if wall < self.JUMP + timedelta(hours=3) else 4)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=None)
        return (utc + timedelta(hours=3 if utc < self.JUMP else 4)).replace(tzinfo=self)


def test_an_hour_whose_offset_changes_within_it_reads_as_astimezone() -> None:
    zone = HalfPastJump()
    local = LocalTimes(zone)
    for minutes in range(11 * 60, 14 * 60, 7):
        moment = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(minutes=minutes)
        assert local(moment) == moment.astimezone(zone).isoformat(" ", "seconds")[:19]
