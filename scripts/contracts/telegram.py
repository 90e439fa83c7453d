"""The fake Bot API's contract: the methods it serves and every type reachable from them.

``telegram-bot-api.json`` keeps the methods tests/fakes/telegram implements (the others by
name only) in api.json's shape without descriptions, and notes the version and licence of
its source.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

#: The methods tests/fakes/telegram implements (its ``IMPLEMENTED_METHODS``). They keep
#: their fields and results; every other method of the Bot API is kept by name only, so
#: the fake still tells "not implemented" from "no such method".
TELEGRAM_METHODS = frozenset(
    {
        "getMe", "getUpdates", "deleteWebhook", "getWebhookInfo", "setMyCommands",
        "getMyCommands", "deleteMyCommands", "getChat", "getChatMember", "sendMessage",
        "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery", "deleteMessage",
        "close", "logOut", "sendChatAction", "pinChatMessage", "unpinChatMessage",
        "sendDocument", "sendPhoto",
    }
)  # fmt: skip
#: How api.json words a subtype's discriminating first field (as tests/fakes/telegram/spec.py
#: used to read it); the contract keeps the result as ``discriminator``.
_DISCRIMINATOR_RE = re.compile(r'(?:always|must be)\s+"?([A-Za-z0-9_]+)"?')
_SCALAR_TYPES = frozenset({"Integer", "Float", "String", "Boolean", "InputFile"})


def telegram_bot_api(api_json: Path) -> dict[str, Any]:
    """The methods the fake Bot API serves and every type reachable from them."""
    data = json.loads(api_json.read_text(encoding="utf-8"))
    missing = TELEGRAM_METHODS - set(data["methods"])
    if missing:
        raise ValueError(f"methods not in {api_json}: {sorted(missing)}")
    methods, todo = _methods(data)
    types = _types(data, todo)
    license_text = (api_json.parent / "LICENSE").read_text(encoding="utf-8")
    return {
        "version": data["version"],
        "release_date": data.get("release_date", ""),
        "license": "MIT",
        "copyright": next(
            line.strip() for line in license_text.splitlines() if "Copyright" in line
        ),
        "source": "telegram-bot-api/api.json, reduced by scripts/make_contracts.py",
        "methods": methods,
        "types": dict(sorted(types.items())),
    }


def _methods(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Every method (the fake's in full), and the types the fake's methods name."""
    methods: dict[str, Any] = {}
    todo: list[str] = []
    for name, method in data["methods"].items():
        if name not in TELEGRAM_METHODS:
            methods[name] = {"name": name}
            continue
        methods[name] = {
            "name": name,
            "returns": method["returns"],
            "fields": [_field(f) for f in method.get("fields", [])],
        }
        todo += method["returns"] + [t for f in method.get("fields", []) for t in f["types"]]
    return methods, todo


def _types(data: dict[str, Any], todo: list[str]) -> dict[str, Any]:
    """The types reachable from `todo` through fields and subtypes."""
    types: dict[str, Any] = {}
    while todo:
        name = todo.pop().removeprefix("Array of ").removeprefix("Array of ")
        if name in types or name in _SCALAR_TYPES:
            continue
        if name not in data["types"]:
            raise ValueError(f"unknown Bot API type {name!r}")
        spec = data["types"][name]
        out: dict[str, Any] = {"name": name}
        if "fields" in spec:
            out["fields"] = [_field(f) for f in spec["fields"]]
            todo += [t for f in spec["fields"] for t in f["types"]]
        if "subtypes" in spec:
            out["subtypes"] = spec["subtypes"]
            todo += spec["subtypes"]
        if "subtype_of" in spec:
            out["subtype_of"] = spec["subtype_of"]
            fields = spec.get("fields") or []
            match = _DISCRIMINATOR_RE.search(fields[0].get("description", "")) if fields else None
            if match:
                out["discriminator"] = {"field": fields[0]["name"], "value": match.group(1)}
        types[name] = out
    for spec in types.values():  # parents not reachable from the methods do not matter
        if "subtype_of" in spec:
            spec["subtype_of"] = [p for p in spec["subtype_of"] if p in types]
    return types


def _field(field: dict[str, Any]) -> dict[str, Any]:
    return {"name": field["name"], "types": field["types"], "required": field["required"]}
