"""The floors: the same hops the desk makes, with no application in between.

Run as its own process (`python -m bench.floor_client MODE ...`) so it pays what the desk
pays for being a separate Python process on the same noisy machine, and nothing more:

- `start`: import the desk's third-party stack (python-telegram-bot, httpx, sqlite-utils,
  python-dotenv), then one `getUpdates`. The floor of #8 (start -> first getUpdates) and,
  while it idles afterwards, of #9 (resident memory).
- `tap`: long-poll `getUpdates`; for each button tap send the PUT to the Market, then
  `editMessageText`. The floor of #3 and #4: transport and the fakes' own cost.
- `reply`: long-poll `getUpdates`; for a text message send the given parts one by one
  to its chat. The floor of #10.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any


def _stack() -> None:
    """What every desk imports before doing anything (the floor cannot avoid it)."""
    import dotenv  # noqa: F401
    import httpx  # noqa: F401
    import sqlite_utils  # noqa: F401
    import telegram.ext  # noqa: F401


async def _updates(client: Any, base: str, offset: int) -> tuple[list[dict], int]:
    response = await client.post(
        f"{base}/getUpdates", data={"offset": str(offset), "timeout": "10"}, timeout=20
    )
    updates = response.json().get("result") or []
    if updates:
        offset = updates[-1]["update_id"] + 1
    return updates, offset


async def _tap(args: argparse.Namespace) -> None:
    import httpx

    async with httpx.AsyncClient() as telegram, httpx.AsyncClient() as market:
        offset = 0
        print("ready", flush=True)
        while True:
            updates, offset = await _updates(telegram, args.telegram, offset)
            for update in updates:
                query = update.get("callback_query")
                if not query:
                    continue
                campaign_id, order_id, message_id = query["data"].split(":")
                await market.put(
                    f"{args.market}/v2/campaigns/{campaign_id}/orders/{order_id}"
                    "/cancellation/accept",
                    json={"accepted": True},
                    headers={"Api-Key": args.api_key},
                )
                await telegram.post(
                    f"{args.telegram}/editMessageText",
                    data={
                        "chat_id": str(args.chat),
                        "message_id": message_id,
                        "text": f"decided {order_id}",
                    },
                )


async def _reply(args: argparse.Namespace) -> None:
    import httpx

    parts: list[str] = json.loads(Path(args.parts).read_text())
    async with httpx.AsyncClient() as telegram:
        offset = 0
        print("ready", flush=True)
        while True:
            updates, offset = await _updates(telegram, args.telegram, offset)
            for update in updates:
                message = update.get("message")
                if not message:
                    continue
                for part in parts:
                    await telegram.post(
                        f"{args.telegram}/sendMessage",
                        data={
                            "chat_id": str(message["chat"]["id"]),
                            "text": part,
                            "parse_mode": "HTML",
                        },
                    )


def _start(args: argparse.Namespace) -> None:
    _stack()
    import httpx

    httpx.post(f"{args.telegram}/getUpdates", data={"timeout": "0"})
    print("ready", flush=True)
    time.sleep(args.idle)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor_client")
    parser.add_argument("mode", choices=["start", "tap", "reply"])
    parser.add_argument("--telegram", required=True, help="Bot API base URL with the token")
    parser.add_argument("--market", default="")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--chat", type=int, default=0)
    parser.add_argument("--parts", default="")
    parser.add_argument("--idle", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.mode == "start":
        _start(args)
    else:
        _stack()
        asyncio.run(_tap(args) if args.mode == "tap" else _reply(args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
