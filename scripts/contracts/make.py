"""Where the contracts come from and go, and writing them all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .market import market_openapi
from .ozon import OZON_CONTRACTS, ozon_contracts
from .schemas import CONTRACTS, Resolver
from .telegram import telegram_bot_api

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = ROOT.parent / "shared" / "market-openapi" / "openapi"
DEFAULT_TELEGRAM = ROOT.parent / "shared" / "telegram-bot-api" / "api.json"
DEFAULT_OZON = ROOT.parent / "shared" / "ozon-openapi" / "swagger.json"
DEFAULT_OUT = ROOT / "tests" / "contracts"

#: The fakes' contracts: the Market operations and Bot API methods they serve.
MARKET_OPENAPI = "market-openapi.json"
TELEGRAM_BOT_API = "telegram-bot-api.json"
FILES = (*CONTRACTS, MARKET_OPENAPI, TELEGRAM_BOT_API)
OZON_FILES = tuple(OZON_CONTRACTS)


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def generate(spec_dir: Path, out_dir: Path, api_json: Path = DEFAULT_TELEGRAM) -> list[Path]:
    """Write every contract into `out_dir`; returns the files written."""
    if not (spec_dir / "openapi.yaml").is_file():
        raise FileNotFoundError(f"no openapi.yaml in {spec_dir}")
    if not api_json.is_file():
        raise FileNotFoundError(f"no Bot API description at {api_json}")
    resolver = Resolver(spec_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, root in CONTRACTS.items():
        target = out_dir / filename
        target.write_text(render(resolver.contract(root)), encoding="utf-8")
        written.append(target)
    for filename, document in (
        (MARKET_OPENAPI, market_openapi(spec_dir)),
        (TELEGRAM_BOT_API, telegram_bot_api(api_json)),
    ):
        target = out_dir / filename
        target.write_text(render(document), encoding="utf-8")
        written.append(target)
    return written


def generate_ozon(swagger: Path, out_dir: Path) -> list[Path]:
    """Write the Ozon contracts into `out_dir`; returns the files written."""
    if not swagger.is_file():
        raise FileNotFoundError(f"no Ozon spec at {swagger}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, schema in ozon_contracts(swagger).items():
        target = out_dir / filename
        target.write_text(render(schema), encoding="utf-8")
        written.append(target)
    return written
