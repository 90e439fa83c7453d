"""`python -m bot check`: a first-run doctor, one line per item with a hint when it fails.

The process's lines come first (the bot's token, the operators), then one block per
cabinet: its staff chat (bot.ops.check_chat), then its Market key and campaigns
(bot.ops.check_market) or its Ozon key's roles and expiry (bot.ops.check_ozon). Cabinets
sharing a chat each check it, as each has its own topics. A desk configured from the
environment alone prints its one block without a heading.
"""

from __future__ import annotations

from bot.cabinet import Cabinet, Desk
from bot.ops.check_line import CheckLine
from bot.ops.check_market import check_market
from bot.ops.check_ozon import check_ozon
from bot.ops.check_telegram import check_telegram
from bot.ops.redaction import redact, secrets_of

INDENT = "  "


async def run_checks(desk: Desk) -> int:
    """Exit status 0 only when every line of every block passes; a warning fails none."""
    process_lines, chat_blocks = await check_telegram(desk)
    headed = desk.cabinets != Desk.of_environment(desk.settings).cabinets
    business_setting = "business_id" if headed else "MARKET_BUSINESS_ID"
    blocks = [
        (cabinet, chat_lines + await _check_seller(cabinet, business_setting))
        for cabinet, chat_lines in zip(desk.cabinets, chat_blocks, strict=True)
    ]
    # whatever an error quotes, the owner's screen is no log
    secrets = [s for c in desk.cabinets for s in secrets_of(c.settings)] + secrets_of(desk.settings)
    printed = [str(line) for line in process_lines]
    for cabinet, lines in blocks:
        printed += [_heading(cabinet)] if headed else []
        printed += [(INDENT if headed else "") + str(line) for line in lines]
    for text in printed:
        print(redact(text, secrets), flush=True)
    failing = [cabinet.name for cabinet, lines in blocks if _failed(lines)]
    every_line = process_lines + [line for _, lines in blocks for line in lines]
    print(_summary(every_line, failing if headed else []))
    return 0 if not _failed(every_line) else 1


async def _check_seller(cabinet: Cabinet, business_setting: str) -> list[CheckLine]:
    """The cabinet's marketplace side: its key, and for the Market its campaigns."""
    if cabinet.client_id is not None:
        return await check_ozon(cabinet.settings, cabinet.client_id)
    return await check_market(cabinet.settings, business_setting)


def _heading(cabinet: Cabinet) -> str:
    if cabinet.client_id is not None:
        seller = f"Ozon Client-Id {cabinet.client_id}, "
    else:
        seller = "" if cabinet.business_id is None else f"business {cabinet.business_id}, "
    return f"Cabinet “{cabinet.name}” ({seller}chat {cabinet.chat_id}):"


def _failed(lines: list[CheckLine]) -> int:
    return sum(not line.ok for line in lines)


def _summary(lines: list[CheckLine], failing: list[str]) -> str:
    warnings = sum(line.warning for line in lines)
    tail = f"; {warnings} warning(s)." if warnings else "."
    if not _failed(lines):
        return "All checks passed" + tail
    where = f" (in {', '.join(f'“{name}”' for name in failing)})" if failing else ""
    return f"{_failed(lines)} check(s) failed{where}{tail}"
