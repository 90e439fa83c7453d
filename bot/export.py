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
from datetime import datetime

from bot.formatting import Style
from bot.ledger import LedgerRow
from bot.model import DecisionResult

BOM = "\ufeff"
DELIMITER = ";"
PART_LIMIT = 8 * 1024 * 1024  # bytes; Telegram takes up to 50 MB, memory is the tighter bound
FORMULA_STARTS = frozenset("=+-@\t\r")  # what makes Excel or Calc read a cell as a formula


@dataclass(frozen=True)
class Part:
    data: bytes
    rows: int


def _time(moment: datetime | None, style: Style) -> str:
    """`YYYY-MM-DD HH:MM:SS` local (isoformat: several times faster than strftime)."""
    return moment.astimezone(style.timezone).isoformat(" ", "seconds")[:19] if moment else ""


def _text(value: str) -> str:
    """OWASP's advice against CSV injection, for texts we did not write: one character
    looked at. Ids, times and minutes are ours and stay numbers, a negative one too."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def csv_row(row: LedgerRow, shops: dict[int, str], style: Style) -> list[str]:
    t = style.texts
    minutes = row.time_to_decide
    answer = row.result.value if row.result else ""
    if row.result is DecisionResult.FAILED:
        answer = " ".join(str(p) for p in (answer, row.http_status, row.error_code) if p)
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
    ]


def export_parts(
    rows: Iterable[LedgerRow], shops: dict[int, str], style: Style, limit: int = PART_LIMIT
) -> Iterator[Part]:
    """CSV documents of at most `limit` bytes each, every one with the header; lazily."""
    header = style.texts("export.columns").split(";")
    buffer, count = _start(header), 0
    line = io.StringIO()
    writer = csv.writer(line, delimiter=DELIMITER)
    for row in rows:
        line.seek(0)
        line.truncate()
        writer.writerow(csv_row(row, shops, style))
        encoded = line.getvalue().encode("utf-8")
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
