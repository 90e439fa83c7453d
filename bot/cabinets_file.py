"""The desk's cabinets: one from the environment, or each `[[cabinet]]` of `CABINETS_FILE`.

A wrong file stops the desk at start with one line naming the file, the cabinet and the
key, so whoever deploys it fixes the file without reading a traceback. The values the
settings were read from are kept (`DeskSource`), so a reload reads the file again against
the same environment: a process's environment does not change, and a new key variable
needs a restart.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bot.cabinet import Cabinet, Desk
from bot.cabinet_table import KeyProblem, cabinet_name, cabinet_of
from bot.config import Settings, SettingsError, read_values, settings_from_values
from bot.domain.model import Marketplace

CABINETS_FILE = "CABINETS_FILE"
#: What each cabinet sets in the file, so the environment must not (the key stays in a
#: variable the cabinet names); CAMPAIGN_TOPICS names campaigns, which the file lists.
IN_THE_FILE = (
    "MARKET_API_KEY",
    "MARKET_CAMPAIGN_IDS",
    "MARKET_BUSINESS_ID",
    "STAFF_CHAT_ID",
    "CAMPAIGN_TOPICS",
)
#: What cabinets posting to one chat share, as one outbox and one set of people serve it.
CHAT_WIDE = (
    "staff_user_ids",
    "language",
    "timezone",
    "reminder_lead_times",
    "quiet_hours",
    "escalate_to",
    "claims",
    "buyer_contact",
    "pin_summary",
    "confirm_decisions",
    "digest_at",
    "digest_topic_id",
    "staff_topic_id",
)


class CabinetsFileError(SettingsError):
    """The cabinets file, or the environment beside it, is wrong; one line, never a key."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{CABINETS_FILE}={path}", problem)
        self.name = CABINETS_FILE


@dataclass(frozen=True)
class DeskSource:
    """Where the desk's cabinets come from: the file (None: the environment alone) and the
    settings' values as read at start, which a reload reads the file against again."""

    path: Path | None
    values: Mapping[str, str] = field(repr=False)  # holds the token and the keys
    settings: Settings = field(repr=False)  # the process's, before any cabinet


def open_desk(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> tuple[Desk, DeskSource]:
    """The desk, and what `reread_cabinets` needs to read its cabinets again."""
    values = MappingProxyType(read_values(environ, env_file))
    path_text = values.get(CABINETS_FILE, "").strip()
    if not path_text:
        settings = settings_from_values(values)
        return Desk.of_environment(settings), DeskSource(None, values, settings)
    path = Path(path_text)
    set_here = [name for name in IN_THE_FILE if values.get(name, "").strip()]
    if set_here:
        raise CabinetsFileError(
            path,
            f"{', '.join(set_here)} must not be set in the environment with a cabinets file: "
            "move them into the file (each cabinet's api_key_env, business_id, campaign_ids, "
            "staff_chat_id, campaign_topics)",
        )
    source = DeskSource(path, values, settings_from_values(values, cabinet=False))
    return Desk(source.settings, reread_cabinets(source)), source


def load_desk(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Desk:
    """The desk from the environment and `.env`, and `CABINETS_FILE` when it is set."""
    return open_desk(environ, env_file)[0]


def reread_cabinets(source: DeskSource) -> tuple[Cabinet, ...]:
    """The cabinets as the file says now (for a reload); raises `CabinetsFileError` as at
    start. Without a file: the one cabinet of the environment, which cannot have changed."""
    if source.path is None:
        return (Desk.of_environment(source.settings).cabinets[0],)
    tables = _tables(source.path, _read(source.path))
    cabinets: list[Cabinet] = []
    for position, table in enumerate(tables, start=1):
        where = f"cabinet #{position}"
        try:
            name = cabinet_name(table)
            _unique(name, cabinets)
            where = f'cabinet "{name}"'
            cabinets.append(cabinet_of(name, table, source.settings, source.values))
        except KeyProblem as problem:
            raise CabinetsFileError(source.path, f"{where}: {problem}") from None
    for later, cabinet in enumerate(cabinets):
        problem = _clash(cabinet, cabinets[:later])
        if problem is not None:
            raise CabinetsFileError(source.path, f'cabinet "{cabinet.name}": {problem}')
    return tuple(cabinets)


def _read(path: Path) -> dict[str, object]:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CabinetsFileError(path, "cannot be read: no such file") from None
    except OSError as error:
        raise CabinetsFileError(path, f"cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CabinetsFileError(path, "is not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CabinetsFileError(path, f"is not valid TOML: {error}") from None


def _tables(path: Path, document: Mapping[str, object]) -> list[dict[str, object]]:
    for key in document:
        if key != "cabinet":
            raise CabinetsFileError(path, f"{key}: unknown key (the file holds [[cabinet]] only)")
    tables = document.get("cabinet", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise CabinetsFileError(path, "cabinet: write each as a [[cabinet]] table")
    if not tables:
        raise CabinetsFileError(path, "names no cabinet: add a [[cabinet]] table")
    return tables


def _unique(name: str, earlier: list[Cabinet]) -> None:
    for position, cabinet in enumerate(earlier, start=1):
        if cabinet.name == name:
            raise KeyProblem("name", f'"{name}" is also the name of cabinet #{position}')


def _clash(cabinet: Cabinet, earlier: list[Cabinet]) -> str | None:
    """What the file as a whole forbids, told at the later of the two cabinets."""
    for other in earlier:
        problem = _same_seller(cabinet, other)
        if problem is not None:
            return problem
    for other in earlier:
        if other.chat_id == cabinet.chat_id:
            for key in _agreed(cabinet, other):
                if getattr(cabinet.settings, key) != getattr(other.settings, key):
                    return (
                        f'{key}: differs from cabinet "{other.name}", which posts to the same '
                        "staff_chat_id; cabinets sharing a chat must agree on it"
                    )
    return None


def _same_seller(cabinet: Cabinet, other: Cabinet) -> str | None:
    """Two cabinets polling one seller's requests would post each request twice. A Market
    business and an Ozon Client-Id that happen to share a number are two sellers."""
    if cabinet.marketplace is not other.marketplace:
        return None
    if cabinet.marketplace is Marketplace.OZON:
        if cabinet.client_id == other.client_id:
            return (
                f'client_id: Client-Id {cabinet.client_id} is also cabinet "{other.name}"\'s; '
                "an Ozon seller is one cabinet"
            )
        return None
    mine, theirs = cabinet.settings, other.settings
    shared = set(mine.market_campaign_ids) & set(theirs.market_campaign_ids)
    if shared:
        return f'campaign_ids: campaign {min(shared)} is also in cabinet "{other.name}"'
    split = not (mine.market_campaign_ids and theirs.market_campaign_ids)
    if cabinet.business_id == other.business_id and split:
        return (
            f'business_id: business {cabinet.business_id} is also cabinet "{other.name}"\'s;'
            " a business split over cabinets needs campaign_ids in every part"
        )
    return None


def _agreed(cabinet: Cabinet, other: Cabinet) -> tuple[str, ...]:
    """The chat-wide settings two cabinets in one chat must share. `buyer_contact` is the
    Market's alone (an Ozon post has no 📞 button), so an Ozon cabinet's, always off, binds
    no Market cabinet beside it."""
    markets = cabinet.marketplace is other.marketplace is Marketplace.YANDEX
    return CHAT_WIDE if markets else tuple(key for key in CHAT_WIDE if key != "buyer_contact")
