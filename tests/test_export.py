"""bot.owner.export: CSV for Russian Excel, in parts that each stand alone."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.domain.model import Decision, DecisionResult, Person
from bot.owner.export import export_parts
from tests.builders import style
from tests.test_stats import ANNA, decided, row


def read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_parts_split_at_rows_and_each_has_the_header() -> None:
    rows = [row(n) for n in range(1, 41)]
    parts = list(export_parts(rows, {1001: "Shop"}, style("ru"), limit=2000))
    assert len(parts) > 1 and all(len(part.data) <= 2000 for part in parts)
    tables = [read(part.data) for part in parts]
    assert all(table[0][0] == "заказ" for table in tables)
    orders = [line[0] for table in tables for line in table[1:]]
    assert orders == [str(5000 + n) for n in range(1, 41)]
    assert sum(part.rows for part in parts) == 40


def test_separators_and_quotes_in_names_survive() -> None:
    taken = decided(1, Decision.ACCEPT, ANNA, timedelta(minutes=90))
    [part] = export_parts([taken], {1001: 'Ромашка; "Ко"'}, style("ru"))
    header, line = read(part.data)
    assert len(line) == len(header) == 17
    assert line[2] == 'Ромашка; "Ко"'
    assert (header[15], line[15], line[16]) == ("маркетплейс", "Маркет", "")
    assert line[12] == "90,0" and line[13] == "отмена принята"


def test_nothing_to_export_is_no_part() -> None:
    assert list(export_parts([], {}, style())) == []


FORMULAS = ['=HYPERLINK("http://evil","x")', "@SUM(1+1)", "+1", "-1+2", "\t=1", "\r=1"]


def test_cells_from_outside_open_as_text_and_ours_stay_as_they_are() -> None:
    rows = [
        decided(n, Decision.ACCEPT, Person(n, name), timedelta(minutes=5), closed_status=name)
        for n, name in enumerate(FORMULAS, 1)
    ]
    failed = row(
        7, decision=Decision.ACCEPT, result=DecisionResult.FAILED, http_status=500, error_code="=1"
    )
    legit = decided(8, Decision.ACCEPT, ANNA, timedelta(minutes=90), closed_status="CANCELLED/x")
    negative = row(9, order_id=-5, campaign_id=-7)  # ids are int64: a number stays a number
    shops = {1001: "=cmd|' /C calc'!A0", -7: "Ромашка-1"}
    [part] = export_parts([*rows, failed, legit, negative], shops, style("ru"))

    lines = read(part.data)[1:]
    for line, name in zip(lines[:6], FORMULAS, strict=True):
        assert (line[9], line[14]) == ("'" + name, "'" + name)  # who; status when closed
        assert line[2] == "'=cmd|' /C calc'!A0"  # the shop, as the Market names it
    assert lines[6][11] == "failed 500 =1"  # starts with our word: no formula
    assert (lines[7][9], lines[7][12], lines[7][14]) == ("Анна", "90,0", "CANCELLED/x")
    assert (lines[8][0], lines[8][1], lines[8][2]) == ("-5", "-7", "Ромашка-1")
