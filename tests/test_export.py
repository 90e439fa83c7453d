"""bot.export: CSV for Russian Excel, in parts that each stand alone."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.export import export_parts
from bot.model import Decision
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
    assert len(line) == len(header) == 15
    assert line[2] == 'Ромашка; "Ко"'
    assert line[12] == "90,0" and line[13] == "отмена принята"


def test_nothing_to_export_is_no_part() -> None:
    assert list(export_parts([], {}, style())) == []
