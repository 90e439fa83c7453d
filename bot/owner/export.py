"""/export: the ledger of a period as CSV that Russian Excel and LibreOffice open as is.

UTF-8 with a byte-order mark (without it Excel reads UTF-8 as cp1251 and shows mojibake),
`;` between fields (the list separator of the Russian locale, where `,` is the decimal
mark), CRLF line ends, times as `YYYY-MM-DD HH:MM:SS` in TIMEZONE (both read them as
dates), decimals with a comma. Parts are built one at a time, each under PART_LIMIT, so a
long period neither exceeds Telegram's 50 MB document limit nor sits in memory whole.
A text from outside (a Telegram name, the Market's words) that a spreadsheet would run as a
formula is written with a leading `'`, so it opens as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

from bot.domain.ledger import LedgerRow
from bot.domain.model import DecisionResult
from bot.formatting import Style
from bot.owner.local_times import LocalTimes
from bot.texts import Texts

BOM = "\ufeff"
DELIMITER = ";"
PART_LIMIT = 8 * 1024 * 1024  # bytes; Telegram takes up to 50 MB, memory is the tighter bound
FORMULA_STARTS = frozenset("=+-@\t\r")  # what makes Excel or Calc read a cell as a formula


@dataclass(frozen=True)
class Part:
    data: bytes
    rows: int


def _text(value: str) -> str:
    """OWASP's advice against CSV injection, for texts we did not write: one character
    looked at. Ids, times and minutes are ours and stay numbers, a negative one too."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


class _Words(dict[Enum, str]):
    """One kind of translated word (`basis.poll`, ...), each looked up once per export."""

    def __init__(self, texts: Texts, kind: str) -> None:
        super().__init__()
        self.texts, self.kind = texts, kind

    def __missing__(self, member: Enum) -> str:
        word = self[member] = self.texts(f"{self.kind}.{member.value}")
        return word


class _Cells:
    """A ledger row's cells. An export writes 100,000 rows or more, so all that is the
    same for every row (words, shop names, the zone's offsets) is worked out once."""

    def __init__(self, shops: dict[int, str], style: Style) -> None:
        self.local = LocalTimes(style.timezone)
        self.shops = {campaign: _text(name) for campaign, name in shops.items()}
        self.bases = _Words(style.texts, "basis")
        self.actions = _Words(style.texts, "action")
        self.outcomes = _Words(style.texts, "ledger")
        self.marketplaces = _Words(style.texts, "marketplace")

    def __call__(self, row: LedgerRow) -> list[str]:
        local = self.local
        minutes = row.time_to_decide
        return [
            str(row.order_id),
            str(row.campaign_id),
            self.shops.get(row.campaign_id, ""),
            local(row.requested_at),
            self.bases[row.basis],
            local(row.deadline),
            local(row.first_seen),
            local(row.posted_at),
            self.actions[row.decision] if row.decision else "",
            _text(row.decided_by.name if row.decided_by else ""),
            local(row.decided_at),
            _answer(row),
            f"{minutes.total_seconds() / 60:.1f}".replace(".", ",") if minutes is not None else "",
            self.outcomes[row.outcome],
            _text(row.closed_status or ""),
            self.marketplaces[row.marketplace],
            _text(row.posting_number or ""),
        ]


def _answer(row: LedgerRow) -> str:
    """The Market's answer; a refusal with its HTTP status and error code."""
    answer = row.result.value if row.result else ""
    if row.result is DecisionResult.FAILED:
        return " ".join(str(p) for p in (answer, row.http_status, row.error_code) if p)
    return answer


class _Echo:
    """A file for csv.writer that hands each line back: `writerow` returns what `write`
    returns, so a row is made without a buffer to reset and read."""

    def write(self, line: str) -> str:
        return line


def export_parts(
    rows: Iterable[LedgerRow], shops: dict[int, str], style: Style, limit: int = PART_LIMIT
) -> Iterator[Part]:
    """CSV documents of at most `limit` bytes each, every one with the header; lazily."""
    header = style.texts("export.columns").split(";")
    buffer, count = _start(header), 0
    cells, writer = _Cells(shops, style), csv.writer(_Echo(), delimiter=DELIMITER)
    for row in rows:
        encoded = writer.writerow(cells(row)).encode("utf-8")
        if count and buffer.tell() + len(encoded) > limit:
            yield Part(buffer.getvalue(), count)
            buffer, count = _start(header), 0
        buffer.write(encoded)
        count += 1
    if count:
        yield Part(buffer.getvalue(), count)


def _start(header: list[str]) -> io.BytesIO:
    line = io.StringIO()
    csv.writer(line, delimiter=DELIMITER).writerow(header)
    buffer = io.BytesIO()
    buffer.write((BOM + line.getvalue()).encode("utf-8"))
    return buffer
