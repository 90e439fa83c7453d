"""Strict fake Telegram Bot API server for tests.

A Starlette app served by uvicorn on 127.0.0.1 in a background thread (own event loop), so
synchronous tests can drive it while the bot runs in another process or in-process. Parameters
are validated against the machine-readable Bot API spec (``api.json``) and errors carry the real
Bot API texts, so a bot that passes here should not trip over the real server's strictness.

Wire format handled: ``POST|GET {url}/bot{token}/{method}`` with a query string, a
form-urlencoded body (what python-telegram-bot sends: strings as-is, everything else
JSON-encoded), a JSON body or multipart form data. Method names are case-insensitive.

Typical use::

    with FakeTelegram() as tg:
        tg.add_group(-100123, title="Staff")
        tg.add_user(7, first_name="Ann", member_of=[-100123])
        # run the bot with TELEGRAM_API_URL=tg.base_url (i.e. tg.url + "/bot")
        tg.send_text(-100123, 7, "/pending")
        msg = tg.wait_for(lambda: tg.messages(-100123)[-1])
        tg.tap(-100123, msg.message_id, 7, msg.callback_data("Approve"))
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import email.policy
import functools
import json
import logging
import math
import os
import re
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = [
    "SPEC_PATH",
    "ApiError",
    "Call",
    "FakeTelegram",
    "HtmlParseError",
    "Message",
    "Spec",
    "Tap",
    "load_spec",
    "parse_html",
]

T = TypeVar("T")
log = logging.getLogger(__name__)

# $TELEGRAM_API_SPEC, or the shared folder beside the repository (as CI lays it out)
SPEC_PATH = Path(
    os.environ.get(
        "TELEGRAM_API_SPEC",
        Path(__file__).resolve().parents[3] / "shared" / "telegram-bot-api" / "api.json",
    )
)

#: Update kinds not delivered unless explicitly listed in allowed_updates (the API default).
_ALL_EXCEPT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

RATE_LIMITED_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
IMPLEMENTED_METHODS = frozenset(
    {
        "getMe",
        "getUpdates",
        "deleteWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "getChat",
        "getChatMember",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "deleteMessage",
        "close",
        "logOut",
    }
)

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance"
    " is running"
)
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class ApiError(Exception):
    """A Bot API error response: ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# --------------------------------------------------------------------------------------------
# Spec-driven validation
# --------------------------------------------------------------------------------------------


class _Mismatch(Exception):
    """A value does not fit a spec type; ``score`` ranks how close the match was."""

    def __init__(self, detail: str, score: int = 0, path: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.score = score
        self.path = path


_DISCRIMINATOR_RE = re.compile(r'(?:always|must be)\s+"?([A-Za-z0-9_]+)"?')
_INT_RE = re.compile(r"[+-]?\d+")


def _camel_words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


class Spec:
    """The Bot API as described by ``api.json``: methods, types and value conversion."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = data.get("version", "")
        self.methods: dict[str, dict] = data["methods"]
        self.types: dict[str, dict] = data["types"]
        self._by_lower = {name.lower(): name for name in self.methods}
        # parent type -> [(subtype, discriminator field, value)]
        self._subtypes: dict[str, list[tuple[str, str | None, str | None]]] = {}
        for name, spec in self.types.items():
            for parent in spec.get("subtype_of", []):
                disc: tuple[str | None, str | None] = (None, None)
                fields = spec.get("fields") or []
                if fields:
                    match = _DISCRIMINATOR_RE.search(fields[0].get("description", ""))
                    if match:
                        disc = (fields[0]["name"], match.group(1))
                self._subtypes.setdefault(parent, []).append((name, *disc))

    def method_name(self, name: str) -> str | None:
        """Canonical method name (the API is case-insensitive) or None if unknown."""
        return self._by_lower.get(name.lower())

    # ---- incoming parameters (form values are strings; JSON objects may be strings) ----

    def decode_params(self, method: str, raw: dict[str, Any]) -> dict[str, Any]:
        """Convert and validate raw parameters; unknown parameters are dropped."""
        out: dict[str, Any] = {}
        for spec_field in self.methods[method].get("fields", []):
            name = spec_field["name"]
            value = raw.get(name)
            if value is None or value == "":
                if spec_field["required"]:
                    raise self._missing(name)
                continue
            try:
                out[name] = self._convert(value, spec_field["types"], name, form=True)
            except _Mismatch as exc:
                raise self._param_error(name, spec_field["types"], exc) from None
        return out

    def decode_params_lenient(self, method: str, raw: dict[str, Any]) -> dict[str, Any]:
        """Best-effort decoding for call records; never raises."""
        fields = {f["name"]: f for f in self.methods.get(method, {}).get("fields", [])}
        out: dict[str, Any] = {}
        for name, value in raw.items():
            spec_field = fields.get(name)
            if spec_field is None or value == "":
                out[name] = value
                continue
            try:
                out[name] = self._convert(value, spec_field["types"], name, form=True)
            except _Mismatch:
                out[name] = value
        return out

    @staticmethod
    def _missing(name: str) -> ApiError:
        if name == "text":
            return _bad("message text is empty")
        if name in ("chat_id", "message_id", "user_id"):
            return _bad(f"{name} is empty")
        return _bad(f"parameter {name} is required")

    def _param_error(self, name: str, types: list[str], exc: _Mismatch) -> ApiError:
        if re.search(r"inline_keyboard\[\d+\]\[\d+\]", exc.path):
            return _bad(f"can't parse inline keyboard button: {exc.detail}")
        object_types = [t.removeprefix("Array of ") for t in types]
        object_types = [t for t in object_types if t in self.types]
        if object_types:
            if name == "reply_markup":
                human = "reply keyboard markup"
            elif types[0].startswith("Array of "):
                human = name.replace("_", " ")
            else:
                human = _camel_words(object_types[0])
            return _bad(f"can't parse {human} JSON object: {exc.detail}")
        return _bad(f"invalid {name}: {exc.detail}")

    @staticmethod
    def _loads(value: str, path: str) -> Any:
        try:
            return json.loads(value)
        except ValueError:
            raise _Mismatch(f'Field "{path}" is not valid JSON: {value[:60]!r}', 0, path) from None

    def _convert(self, value: Any, types: list[str], path: str, *, form: bool) -> Any:
        best: _Mismatch | None = None
        for type_name in types:
            try:
                return self._convert_one(value, type_name, path, form=form)
            except _Mismatch as exc:
                if best is None or exc.score > best.score:
                    best = exc
        assert best is not None
        raise best

    def _convert_one(self, value: Any, type_name: str, path: str, *, form: bool) -> Any:
        if type_name.startswith("Array of "):
            inner = type_name.removeprefix("Array of ")
            if form and isinstance(value, str):
                value = self._loads(value, path)
            if not isinstance(value, list):
                raise _Mismatch(f'Field "{path}" must be an Array', 0, path)
            return [
                self._convert(item, [inner], f"{path}[{i}]", form=False)
                for i, item in enumerate(value)
            ]
        scalar = _SCALARS.get(type_name)
        if scalar is not None:
            return scalar(value, path, form)
        if type_name == "InputFile":
            if isinstance(value, str):
                return value
            raise _Mismatch(f'Field "{path}" must be a file or a String', 0, path)
        if type_name not in self.types:
            raise _Mismatch(f'Field "{path}" has unknown type {type_name}', 0, path)
        if form and isinstance(value, str):
            value = self._loads(value, path)
        if not isinstance(value, dict):
            raise _Mismatch(f'Field "{path}" must be an Object', 0, path)
        return self._convert_object(type_name, value, path)

    def _convert_object(self, type_name: str, value: dict, path: str) -> dict:
        spec = self.types[type_name]
        if spec.get("subtypes"):
            return self._convert_object(self._pick_subtype(type_name, value, path), value, path)
        fields = spec.get("fields")
        if not fields:
            return dict(value)
        required = [f["name"] for f in fields if f["required"]]
        score = 2 if all(value.get(name) is not None for name in required) else 1
        out: dict[str, Any] = {}
        for spec_field in fields:
            name = spec_field["name"]
            sub_path = f"{path}.{name}" if path else name
            item = value.get(name)
            if item is None:
                if spec_field["required"]:
                    raise _Mismatch(f'Can\'t find field "{sub_path}"', score, sub_path)
                continue
            try:
                out[name] = self._convert(item, spec_field["types"], sub_path, form=False)
            except _Mismatch as exc:
                raise _Mismatch(exc.detail, score, exc.path) from None
        return out

    def _pick_subtype(self, type_name: str, value: dict, path: str) -> str:
        candidates = self._subtypes.get(type_name, [])
        with_disc = [c for c in candidates if c[1] is not None]
        if with_disc:
            disc_field = with_disc[0][1]
            for sub, _, disc_value in with_disc:
                if value.get(disc_field) == disc_value:
                    return sub
            raise _Mismatch(
                f'Field "{path}.{disc_field}" has unsupported value {value.get(disc_field)!r}',
                1,
                f"{path}.{disc_field}",
            )
        if type_name == "MaybeInaccessibleMessage":
            return "InaccessibleMessage" if value.get("date") == 0 else "Message"
        return candidates[0][0]

    # ---- outgoing objects (native JSON, strict, unknown fields flagged) ----

    def problems(self, value: Any, types: list[str] | str, path: str = "$") -> list[str]:
        """Everything wrong with a native JSON value against spec ``types`` (empty: valid)."""
        types = [types] if isinstance(types, str) else types
        results = [self._problems_one(value, t, path) for t in types]
        for found in results:
            if not found:
                return []
        return min(results, key=len)

    def _problems_one(self, value: Any, type_name: str, path: str) -> list[str]:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {type_name}, got {type(value).__name__}"]
            inner = type_name.removeprefix("Array of ")
            return [p for i, v in enumerate(value) for p in self.problems(v, inner, f"{path}[{i}]")]
        checks: dict[str, Callable[[Any], bool]] = {
            "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "String": lambda v: isinstance(v, str),
            "Boolean": lambda v: isinstance(v, bool),
            "InputFile": lambda v: isinstance(v, str),
        }
        if type_name in checks:
            ok = checks[type_name](value)
            return [] if ok else [f"{path}: expected {type_name}, got {value!r}"]
        spec = self.types.get(type_name)
        if spec is None:
            return [f"{path}: unknown type {type_name}"]
        if not isinstance(value, dict):
            return [f"{path}: expected {type_name} object, got {type(value).__name__}"]
        if spec.get("subtypes"):
            try:
                sub = self._pick_subtype(type_name, value, path)
            except _Mismatch as exc:
                return [exc.detail]
            return self._problems_one(value, sub, path)
        fields = {f["name"]: f for f in spec.get("fields") or []}
        found: list[str] = []
        if fields:
            found += [f"{path}.{k}: not a field of {type_name}" for k in value if k not in fields]
        for name, spec_field in fields.items():
            if name not in value:
                if spec_field["required"]:
                    found.append(f"{path}.{name}: required field of {type_name} is missing")
                continue
            found += self.problems(value[name], spec_field["types"], f"{path}.{name}")
        return found

    def fill_required(self, type_name: str, base: dict) -> dict:
        """Complete ``base`` with falsy defaults for required scalar fields it lacks."""
        defaults = {"Boolean": False, "Integer": 0, "String": "", "Float": 0.0}
        out = dict(base)
        for spec_field in self.types[type_name].get("fields", []):
            name = spec_field["name"]
            if spec_field["required"] and name not in out and spec_field["types"][0] in defaults:
                out[name] = defaults[spec_field["types"][0]]
        return out


def _to_int(value: Any, path: str, form: bool) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if form and isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        return int(value)
    raise _Mismatch(f'Field "{path}" must be of type Integer, got {value!r}', 0, path)


def _to_float(value: Any, path: str, form: bool) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if form and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return float(value)
    raise _Mismatch(f'Field "{path}" must be of type Float, got {value!r}', 0, path)


def _to_bool(value: Any, path: str, form: bool) -> bool:
    if isinstance(value, bool):
        return value
    if form and isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    raise _Mismatch(f'Field "{path}" must be of type Boolean, got {value!r}', 0, path)


def _to_str(value: Any, path: str, form: bool) -> str:
    if isinstance(value, str):
        return value
    if form and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _Mismatch(f'Field "{path}" must be of type String, got {value!r}', 0, path)


_SCALARS: dict[str, Callable[[Any, str, bool], Any]] = {
    "Integer": _to_int,
    "Float": _to_float,
    "Boolean": _to_bool,
    "String": _to_str,
}


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> Spec:
    """Load (once) and index ``api.json``."""
    return Spec(path)


# --------------------------------------------------------------------------------------------
# HTML parse mode (follows tdlib's parse_html; stricter about "&")
# --------------------------------------------------------------------------------------------


class HtmlParseError(Exception):
    """Raised with tdlib's wording; the API prefixes it with "can't parse entities: "."""


_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "span",
        "tg-spoiler", "tg-emoji", "tg-time", "code", "pre", "blockquote",
    }
)  # fmt: skip
_SIMPLE_ENTITIES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_HTML_SPACES = " \t\r\n\v\0"
_TRIM_CHARS = " \t\r\n"


@dataclass
class _OpenTag:
    tag: str
    attrs: dict[str, str]
    utf16_start: int
    out_start: int


def _decode_html_entity(text: str, i: int, strict: bool) -> tuple[str | None, int]:
    """Decode the entity at ``text[i] == "&"``: (character or None, index after it)."""
    n = len(text)
    j = i + 1
    if j < n and text[j] == "#":
        j += 1
        hexadecimal = j < n and text[j] in "xX"
        if hexadecimal:
            j += 1
        digits_at = j
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while j < n and text[j] in allowed:
            j += 1
        if j == digits_at or j - i >= 12:
            return None, i
        code = int(text[digits_at:j], 16 if hexadecimal else 10)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, i
        char = chr(code)
    else:
        while j < n and text[j].isascii() and text[j].isalpha():
            j += 1
        char = _NAMED_ENTITIES.get(text[i + 1 : j])
        if char is None:
            return None, i
    if j < n and text[j] == ";":
        j += 1
    elif strict:
        return None, i
    return char, j


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict]]:
    """Parse Telegram HTML into (plain text, MessageEntity dicts with UTF-16 offsets).

    Follows tdlib's parser and error texts. With ``strict`` (default) an "&" that does not
    start ``&lt; &gt; &amp; &quot; &apos; &#NNN; &#xHH;`` (semicolon required) is an error;
    the real server would keep it literally, which hides missing ``html.escape`` calls.
    """
    n = len(text)
    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict] = []

    def offset(k: int) -> int:
        return len(text[:k].encode("utf-8", "surrogatepass"))

    def skip_spaces(k: int) -> int:
        while k < n and text[k] in _HTML_SPACES:
            k += 1
        return k

    def read_entity(k: int) -> tuple[str, int]:
        char, end = _decode_html_entity(text, k, strict)
        if char is not None:
            return char, end
        if strict:
            raise HtmlParseError(
                f'character "&" at byte offset {offset(k)} does not start a supported HTML'
                ' entity; escape it as "&amp;" (the fake is strict here)'
            )
        return "&", k + 1

    i = 0
    while i < n:
        char = text[i]
        if char == "&":
            decoded, i = read_entity(i)
            out.append(decoded)
            utf16 += _utf16_len(decoded)
            continue
        if char != "<":
            out.append(char)
            utf16 += 2 if ord(char) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {offset(begin)}")
            i += 1
            name_at = i
            while i < n and text[i] not in _HTML_SPACES and text[i] != ">":
                i += 1
            end_name = text[name_at:i].lower()
            i = skip_spaces(i)
            if i >= n or text[i] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {offset(begin)}")
            i += 1
            top = stack[-1]
            if end_name and end_name != top.tag:
                raise HtmlParseError(
                    f'Unmatched end tag at byte offset {offset(begin)}, expected "</{top.tag}>",'
                    f' found "</{end_name}>"'
                )
            stack.pop()
            if utf16 > top.utf16_start:
                entity = _html_entity_for(
                    top, utf16 - top.utf16_start, "".join(out[top.out_start :])
                )
                if entity is not None:
                    _append_entity(entities, entity)
            continue
        # start tag
        name_at = i
        while i < n and text[i] not in _HTML_SPACES and text[i] != ">":
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
        tag = text[name_at:i].lower()
        if tag not in _HTML_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {offset(begin)}')
        attrs: dict[str, str] = {}
        while True:
            i = skip_spaces(i)
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
            if text[i] == ">":
                i += 1
                break
            attr_at = i
            while i < n and text[i] not in _HTML_SPACES and text[i] not in "=>":
                i += 1
            attr = text[attr_at:i].lower()
            if not attr:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {offset(attr_at)}'
                )
            i = skip_spaces(i)
            if i >= n or text[i] != "=":
                if tag == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag"
                    f' "{tag}" at byte offset {offset(attr_at)}'
                )
            i = skip_spaces(i + 1)
            if i >= n:
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {offset(begin)}')
            if text[i] in "\"'":
                quote = text[i]
                i += 1
                value: list[str] = []
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        decoded, i = read_entity(i)
                        value.append(decoded)
                    else:
                        value.append(text[i])
                        i += 1
                if i >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
                i += 1
                attrs[attr] = "".join(value)
            else:
                token_at = i
                while i < n and (text[i].isascii() and (text[i].isalnum() or text[i] in ".-")):
                    i += 1
                if i < n and text[i] not in _HTML_SPACES and text[i] != ">":
                    raise HtmlParseError(
                        f"Unexpected end of name token at byte offset {offset(token_at)}"
                    )
                attrs[attr] = text[token_at:i].lower()
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset(begin)}'
            )
        stack.append(_OpenTag(tag, attrs, utf16, len(out)))
    if stack:
        raise HtmlParseError(f"Can't find end tag corresponding to start tag {stack[-1].tag}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _append_entity(entities: list[dict], entity: dict) -> None:
    last = entities[-1] if entities else None
    same_range = (
        last is not None
        and last["offset"] == entity["offset"]
        and last["length"] == entity["length"]
    )
    if entity["type"] == "pre" and same_range and last["type"] == "code":
        entities.pop()
        if last.get("language"):
            entity["language"] = last["language"]
    elif entity["type"] == "code" and same_range and last["type"] == "pre":
        if entity.get("language"):
            last["language"] = entity["language"]
        return
    entities.append(entity)


def _html_entity_for(tag: _OpenTag, length: int, inner_text: str) -> dict | None:
    entity: dict[str, Any] = {"offset": tag.utf16_start, "length": length}
    attrs = tag.attrs
    if tag.tag in _SIMPLE_ENTITIES:
        entity["type"] = _SIMPLE_ENTITIES[tag.tag]
    elif tag.tag == "a":
        url = attrs.get("href", inner_text).strip()
        if not url:
            return None
        entity.update(type="text_link", url=url)
    elif tag.tag == "code":
        entity["type"] = "code"
        language = attrs.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            entity["language"] = language.removeprefix("language-")
    elif tag.tag == "pre":
        entity["type"] = "pre"
    elif tag.tag == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in attrs else "blockquote"
    elif tag.tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=emoji_id)
    elif tag.tag == "tg-time":
        unix = attrs.get("unix", "")
        if not _INT_RE.fullmatch(unix):
            raise HtmlParseError("Invalid Unix time specified")
        entity.update(type="date_time", unix_time=int(unix))
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
    else:  # pragma: no cover - guarded by _HTML_TAGS
        return None
    return entity


def _trim(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Strip leading/trailing whitespace like Telegram does, shifting entities."""
    stripped = text.strip(_TRIM_CHARS)
    if stripped == text:
        return text, entities
    lead = _utf16_len(text[: len(text) - len(text.lstrip(_TRIM_CHARS))])
    total = _utf16_len(stripped)
    out = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            out.append({**entity, "offset": start, "length": end - start})
    return stripped, out


# --------------------------------------------------------------------------------------------
# Records exposed to tests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A message in a fake chat, as the fake currently stores it (snapshot)."""

    chat_id: int
    message_id: int
    date: int
    sender_id: int
    from_bot: bool
    text: str  # plain text users see (markup parsed, whitespace trimmed)
    html: str  # the text parameter exactly as sent (raw markup for parse_mode HTML)
    parse_mode: str | None = None
    entities: list[dict] = field(default_factory=list)
    reply_markup: dict | None = None  # as sent (validated, unknown fields dropped)
    reply_to_message_id: int | None = None
    link_preview_options: dict | None = None
    disable_notification: bool = False
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    history: tuple[str, ...] = ()  # earlier plain texts, oldest first
    service: dict | None = None  # service message fields (e.g. migrate_to_chat_id)

    @property
    def buttons(self) -> list[dict]:
        """All inline keyboard buttons, row by row, flattened."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    def callback_data(self, label: str) -> str:
        """callback_data of the first button whose text contains ``label``."""
        for button in self.buttons:
            if label in button.get("text", "") and "callback_data" in button:
                return button["callback_data"]
        labels = [b.get("text") for b in self.buttons]
        raise LookupError(f"no callback button matching {label!r} in {labels}")


@dataclass(frozen=True)
class Call:
    """One API request the fake answered."""

    method: str  # canonical name (as sent when unknown)
    params: dict[str, Any]  # decoded per api.json where possible; unknown params raw
    status: int  # HTTP status
    error_code: int | None
    description: str | None
    result: Any
    at: float  # time.monotonic() at arrival

    @property
    def ok(self) -> bool:
        return self.error_code is None


@dataclass(frozen=True)
class Tap:
    """A callback button press played by a test user."""

    id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str
    at: float
    update_id: int
    forged: bool  # no such live bot message, or no button on it carries this data
    answer: dict | None = None


@dataclass
class _Chat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    bot_status: str = "member"  # member | administrator | restricted | left | kicked
    migrated_to: int | None = None
    next_message_id: int = 1


@dataclass
class _Fault:
    method: str | None
    error_code: int
    description: str
    parameters: dict | None
    times: int
    text_contains: str | None = None


class _QuickServer(uvicorn.Server):
    """uvicorn.Server that notices should_exit and drains within ~10 ms instead of ~200 ms."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            await asyncio.sleep(0.01)

    async def on_tick(self, counter: int) -> bool:
        # uvicorn refreshes the Date header every 10th tick; keep it about once per second
        return await super().on_tick(0 if counter % 100 == 0 else 1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = time.monotonic() + self.config.timeout_graceful_shutdown
        state = self.server_state
        while (state.connections or state.tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        for task in state.tasks:
            task.cancel()


def _chat_kind(chat: _Chat) -> str:
    return {"supergroup": "supergroup", "group": "group", "channel": "channel"}.get(
        chat.type, "group"
    )


def _json_response(status: int, payload: dict) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json")


# --------------------------------------------------------------------------------------------
# The fake server
# --------------------------------------------------------------------------------------------


class FakeTelegram:
    """Strict fake Bot API server; see the module docstring and the public methods."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_username: str = "desk_bot",
        callback_answer_timeout: float = 15.0,
        bot_first_name: str = "Cancellation Desk",
        privacy_mode: bool = True,
        strict_html_entities: bool = True,
        getupdates_conflict: Literal["terminate_old", "reject_new"] = "terminate_old",
        spec_path: Path | None = None,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.callback_answer_timeout = callback_answer_timeout
        self.privacy_mode = privacy_mode
        self.strict_html_entities = strict_html_entities
        self.getupdates_conflict = getupdates_conflict
        self.spec = load_spec(spec_path or SPEC_PATH)
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": not privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        # How the bot appears in messages and member lists (getMe-only fields omitted).
        self._bot_public = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        self._lock = threading.RLock()
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, dict] = {}
        self._messages: dict[int, dict[int, Message]] = {}
        self._updates: list[tuple[str, dict]] = []  # (kind, update)
        self._next_update_id = 100_001
        self._allowed: frozenset[str] = frozenset()  # empty: API default
        self._taps: dict[str, Tap] = {}
        self._next_callback = 1
        self._calls: list[Call] = []
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._faults: list[_Fault] = []
        self._rate_limits: dict[int | None, tuple[int, float]] = {}
        self._rate_hits: dict[int, deque[float]] = {}
        self._down = False
        self._poll_seq = 0
        self._active_polls = 0
        self._stopping = False
        self.internal_errors: list[str] = []  # tracebacks of fake bugs (answered with 500)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._server: _QuickServer | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._app = Starlette(
            routes=[Route("/{path:path}", self._endpoint, methods=["GET", "POST"])]
        )

    # ---- lifecycle ----

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``; the bot's base_url is ``url + "/bot"``."""
        if not self._port:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url`` / TELEGRAM_API_URL."""
        return self.url + "/bot"

    def start(self) -> FakeTelegram:
        """Bind an ephemeral port and serve in a background thread."""
        if self._thread is not None:
            raise RuntimeError("FakeTelegram already started")
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto is TCP; without it every response waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = _QuickServer(config)
        server = self._server

        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            await server.serve(sockets=[sock])

        def run() -> None:
            try:
                asyncio.run(serve())
            except BaseException:  # pragma: no cover - surfaced via start()
                self.internal_errors.append(traceback.format_exc())

        self._thread = threading.Thread(target=run, name=f"fake-telegram-{self._port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"fake Telegram failed to start: {self.internal_errors}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        if self._thread is None or self._server is None:
            return
        with self._lock:
            self._stopping = True
        self._notify()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---- world setup ----

    def add_group(
        self,
        chat_id: int,
        *,
        title: str = "Staff",
        type: str = "supergroup",
        bot_can_post: bool = True,
        bot_is_admin: bool = False,
        username: str | None = None,
    ) -> None:
        """Create a group/supergroup/channel the bot is in (restricted if not bot_can_post)."""
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unsupported group type {type!r}")
        status = "administrator" if bot_is_admin else "member"
        with self._lock:
            self._chats[chat_id] = _Chat(
                id=chat_id,
                type=type,
                title=title,
                username=username,
                bot_status=status if bot_can_post else "restricted",
            )
            self._messages.setdefault(chat_id, {})

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
        member_of: Iterable[int] = (),
    ) -> dict:
        """Register a human user (optionally a member of groups); returns the User dict."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        with self._lock:
            self._users[user_id] = user
            for chat_id in member_of:
                self._group(chat_id).members[user_id] = "member"
        return dict(user)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set a user's (or, with bot_id, the bot's) status: creator, administrator, member,
        restricted, left or kicked."""
        if status not in ("creator", "administrator", "member", "restricted", "left", "kicked"):
            raise ValueError(f"unknown member status {status!r}")
        with self._lock:
            chat = self._group(chat_id)
            if user_id == self.bot_id:
                chat.bot_status = status
            else:
                self._user(user_id)
                chat.members[user_id] = status

    # ---- playing users ----

    def send_text(
        self, chat_id: int, user_id: int, text: str, *, reply_to: int | None = None
    ) -> int:
        """A user writes ``text``; returns the update id (0 if the bot can't see the message).

        ``chat_id == user_id`` is the user's private chat with the bot (created on first use).
        A leading /command gets a bot_command entity. In groups with privacy mode on (the
        default, like a fresh real bot) only commands, mentions of the bot and replies to the
        bot reach it unless the bot is an administrator.
        """
        with self._lock:
            user = self._user(user_id)
            chat = self._private_chat(user) if chat_id == user_id else self._group(chat_id)
            if chat.type != "private" and chat.members.get(user_id) in (None, "left", "kicked"):
                raise ValueError(f"user {user_id} is not a member of chat {chat_id}")
            entities: list[dict] = []
            command = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?", text)
            if command:
                entities.append(
                    {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group())}
                )
            if reply_to is not None and reply_to not in self._messages[chat.id]:
                raise ValueError(f"no message {reply_to} in chat {chat.id} to reply to")
            msg = self._store(
                chat,
                sender_id=user_id,
                from_bot=False,
                text=text,
                html=text,
                entities=entities,
                reply_to_message_id=reply_to,
            )
            if not self._bot_sees(chat, msg):
                return 0
            return self._push_update("message", {"message": self._message_json(msg)})

    def tap(self, chat_id: int, message_id: int, user_id: int, data: str) -> str:
        """A user presses an inline button carrying ``data``; returns the callback query id.

        Forged data or taps on unknown/deleted messages are allowed (the bot must cope) and
        flagged in ``taps()``; an unknown message is delivered as an InaccessibleMessage.
        """
        with self._lock:
            user = self._user(user_id)
            chat = self._private_chat(user) if chat_id == user_id else self._group(chat_id)
            msg = self._messages[chat.id].get(message_id)
            live = msg is not None and not msg.deleted and msg.from_bot
            forged = not live or data not in [b.get("callback_data") for b in msg.buttons]
            if live:
                message_json = self._message_json(msg)
            else:
                message_json = {"chat": self._chat_json(chat), "message_id": message_id, "date": 0}
            callback_id = str(4_000_000_000_000_000_000 + self._next_callback * 7919)
            self._next_callback += 1
            query = {
                "id": callback_id,
                "from": dict(user),
                "chat_instance": str(abs(chat.id) * 31 + 17),
                "message": message_json,
                "data": data,
            }
            update_id = self._push_update("callback_query", {"callback_query": query})
            self._taps[callback_id] = Tap(
                id=callback_id,
                chat_id=chat.id,
                message_id=message_id,
                user_id=user_id,
                data=data,
                at=time.monotonic(),
                update_id=update_id,
                forged=forged,
            )
            return callback_id

    def callback_answer(self, callback_id: str) -> dict | None:
        """What the bot answered to a tap (text, show_alert, url, cache_time) or None."""
        with self._lock:
            tap = self._taps.get(callback_id)
            if tap is None:
                raise KeyError(f"unknown callback query id {callback_id!r}")
            return copy.deepcopy(tap.answer)

    def taps(self) -> list[Tap]:
        """Every tap played so far, in order."""
        with self._lock:
            return [copy.deepcopy(tap) for tap in self._taps.values()]

    # ---- observing ----

    def messages(self, chat_id: int, *, include_users: bool = False) -> list[Message]:
        """Messages the bot sent to ``chat_id`` (deleted ones flagged), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(m)
                for m in self._messages.get(chat_id, {}).values()
                if (m.from_bot or include_users) and m.service is None
            ]

    def message(self, chat_id: int, message_id: int) -> Message:
        """The current state of any message (bot's or user's)."""
        with self._lock:
            msg = self._messages.get(chat_id, {}).get(message_id)
            if msg is None:
                raise KeyError(f"no message {message_id} in chat {chat_id}")
            return copy.deepcopy(msg)

    def calls(self, method: str | None = None) -> list[Call]:
        """Every API call answered so far (optionally one method), in completion order."""
        with self._lock:
            return [copy.deepcopy(c) for c in self._calls if method in (None, c.method)]

    @property
    def active_polls(self) -> int:
        """getUpdates requests currently waiting (long polling)."""
        with self._lock:
            return self._active_polls

    def pending_updates(self) -> list[dict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        with self._lock:
            return [copy.deepcopy(update) for _, update in self._updates]

    @property
    def my_commands(self) -> list[dict]:
        """Commands set for the default scope and no language (setMyCommands)."""
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(None, None), []))

    def commands_for(self, scope: dict | None = None, language_code: str | None = None) -> list:
        """Commands set for a specific scope / language."""
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    def wait_for(
        self, predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.02
    ) -> T:
        """Poll ``predicate`` until truthy and return its value, else raise AssertionError.

        AssertionError/LookupError raised by the predicate count as "not yet".
        """
        deadline = time.monotonic() + timeout
        while True:
            problem = ""
            try:
                value = predicate()
            except (AssertionError, LookupError) as exc:
                value, problem = None, f" (last raised {exc!r})"  # type: ignore[assignment]
            if value:
                return value
            if time.monotonic() >= deadline:
                name = getattr(predicate, "__name__", repr(predicate))
                raise AssertionError(
                    f"wait_for({name}) still falsy after {timeout}s: {value!r}{problem}\n"
                    f"recent API calls:\n{self.describe_calls(20)}"
                    + (
                        f"\nfake internal errors:\n{self.internal_errors}"
                        if self.internal_errors
                        else ""
                    )
                )
            time.sleep(interval)

    def describe_calls(self, last: int = 20) -> str:
        """Human-readable tail of the call log, for assertion messages."""
        with self._lock:
            calls = self._calls[-last:]
        lines = []
        for call in calls:
            outcome = "ok" if call.ok else f"{call.error_code} {call.description}"
            params = {k: v for k, v in call.params.items() if k != "reply_markup"}
            lines.append(f"  {call.at:.3f} {call.method} {params!r:.160} -> {outcome}")
        return "\n".join(lines) or "  (none)"

    # ---- faults ----

    def fail_next(
        self,
        method: str | None,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        text_contains: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any method, getUpdates too)
        with this error; ``retry_after`` adds ``parameters.retry_after``; with
        ``text_contains`` only calls whose ``text`` holds it (one message Telegram refuses)."""
        canonical = None
        if method is not None:
            canonical = self.spec.method_name(method)
            if canonical is None:
                raise ValueError(f"unknown Bot API method {method!r}")
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        with self._lock:
            self._faults.append(
                _Fault(canonical, error_code, description, parameters, times, text_contains)
            )

    def set_rate_limit(self, chat_id: int | None, max_messages: int, window: float) -> None:
        """Allow at most ``max_messages`` accepted sendMessage/editMessageText/
        editMessageReplyMarkup calls per chat in any ``window`` seconds (chat_id None: the
        default for every chat). Excess calls get 429 with ``retry_after``."""
        with self._lock:
            self._rate_limits[chat_id] = (max_messages, window)

    def clear_rate_limits(self) -> None:
        """Remove every rate limit."""
        with self._lock:
            self._rate_limits.clear()
            self._rate_hits.clear()

    def migrate_group(self, old_chat_id: int, new_chat_id: int) -> None:
        """Upgrade a group to a supergroup with a new id (members and bot status carried over).

        Calls addressing the old id then get 400 with ``parameters.migrate_to_chat_id``; the
        usual service messages (migrate_to_chat_id / migrate_from_chat_id) are queued.
        """
        with self._lock:
            old = self._group(old_chat_id)
            new = _Chat(
                id=new_chat_id,
                type="supergroup",
                title=old.title,
                username=old.username,
                members=dict(old.members),
                bot_status=old.bot_status,
            )
            self._chats[new_chat_id] = new
            self._messages.setdefault(new_chat_id, {})
            actor = next((u for u, s in old.members.items() if s not in ("left", "kicked")), None)
            for chat, service in (
                (old, {"migrate_to_chat_id": new_chat_id}),
                (new, {"migrate_from_chat_id": old_chat_id}),
            ):
                msg = self._store(
                    chat,
                    sender_id=actor or 0,
                    from_bot=False,
                    text="",
                    html="",
                    service=service,
                )
                if chat.bot_status not in ("left", "kicked"):
                    self._push_update("message", {"message": self._message_json(msg)})
            old.migrated_to = new_chat_id

    def kick_bot(self, chat_id: int) -> None:
        """Remove the bot from a group (403 "bot was kicked ...") or, for a private chat,
        have the user block it (403 "bot was blocked by the user")."""
        self._set_bot_status(chat_id, "kicked")

    def readd_bot(self, chat_id: int) -> None:
        """Undo kick_bot: the bot is a plain member again."""
        self._set_bot_status(chat_id, "member")

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """A user deletes a message: later edits/replies to it fail like on the real API."""
        with self._lock:
            msg = self._messages.get(chat_id, {}).get(message_id)
            if msg is None:
                raise KeyError(f"no message {message_id} in chat {chat_id}")
            self._messages[chat_id][message_id] = replace(msg, deleted=True)

    def set_down(self, down: bool) -> None:
        """While down every call gets nginx's HTML "502 Bad Gateway" page (PTB: NetworkError)."""
        with self._lock:
            self._down = down

    # ---- internals: world helpers (call with the lock held) ----

    def _group(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise KeyError(f"no group {chat_id}; call add_group() first")
        return chat

    def _user(self, user_id: int) -> dict:
        user = self._users.get(user_id)
        if user is None:
            raise KeyError(f"no user {user_id}; call add_user() first")
        return user

    def _private_chat(self, user: dict) -> _Chat:
        chat = self._chats.get(user["id"])
        if chat is None:
            chat = _Chat(
                id=user["id"],
                type="private",
                username=user.get("username"),
                first_name=user["first_name"],
                last_name=user.get("last_name"),
            )
            self._chats[chat.id] = chat
            self._messages.setdefault(chat.id, {})
        return chat

    def _set_bot_status(self, chat_id: int, status: str) -> None:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise KeyError(f"no chat {chat_id}")
            old_status, chat.bot_status = chat.bot_status, status
            if chat.type == "private":
                actor = self._users[chat.id]
            else:
                actor_id = next(
                    (u for u, s in chat.members.items() if s in ("creator", "administrator")),
                    next(iter(chat.members), None),
                )
                actor = self._users.get(actor_id) if actor_id is not None else None
                if actor is None:
                    actor = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                             "username": "GroupAnonymousBot"}  # fmt: skip
            update = {
                "chat": self._chat_json(chat),
                "from": dict(actor),
                "date": int(time.time()),
                "old_chat_member": self._member_json(self._bot_public, old_status),
                "new_chat_member": self._member_json(self._bot_public, status),
            }
            self._push_update("my_chat_member", {"my_chat_member": update})

    def _bot_sees(self, chat: _Chat, msg: Message) -> bool:
        if chat.type == "private":
            return chat.bot_status != "kicked"
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        command = re.match(r"/[A-Za-z0-9_]+(?:@([A-Za-z0-9_]+))?", msg.text)
        if command and (command.group(1) is None or command.group(1) == self.bot_username):
            return True
        if f"@{self.bot_username}".lower() in msg.text.lower():
            return True
        target = self._messages[chat.id].get(msg.reply_to_message_id or 0)
        return bool(target and target.from_bot)

    def _store(self, chat: _Chat, **fields: Any) -> Message:
        msg = Message(
            chat_id=chat.id, message_id=chat.next_message_id, date=int(time.time()), **fields
        )
        chat.next_message_id += 1
        self._messages[chat.id][msg.message_id] = msg
        return msg

    def _push_update(self, kind: str, payload: dict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append((kind, {"update_id": update_id, **payload}))
        self._notify()
        return update_id

    def _notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        event, self._wake = self._wake, asyncio.Event()
        if event is not None:
            event.set()

    # ---- internals: JSON builders ----

    def _chat_json(self, chat: _Chat) -> dict:
        out: dict[str, Any] = {"id": chat.id, "type": chat.type}
        if chat.type == "private":
            out["first_name"] = chat.first_name
            if chat.last_name:
                out["last_name"] = chat.last_name
        else:
            out["title"] = chat.title
        if chat.username:
            out["username"] = chat.username
        return out

    def _message_json(self, msg: Message, *, with_reply: bool = True) -> dict:
        chat = self._chats[msg.chat_id]
        out: dict[str, Any] = {"message_id": msg.message_id}
        sender = self._bot_public if msg.from_bot else self._users.get(msg.sender_id)
        if sender is not None:
            out["from"] = dict(sender)
        out["chat"] = self._chat_json(chat)
        out["date"] = msg.date
        if msg.edit_date is not None:
            out["edit_date"] = msg.edit_date
        if msg.reply_to_message_id is not None and with_reply:
            target = self._messages[msg.chat_id].get(msg.reply_to_message_id)
            if target is not None:
                out["reply_to_message"] = self._message_json(target, with_reply=False)
        if msg.service is not None:
            out.update(msg.service)
            return out
        out["text"] = msg.text
        if msg.entities:
            out["entities"] = copy.deepcopy(msg.entities)
        if msg.link_preview_options:
            out["link_preview_options"] = dict(msg.link_preview_options)
        markup = msg.reply_markup
        if markup and markup.get("inline_keyboard") and any(markup["inline_keyboard"]):
            out["reply_markup"] = {"inline_keyboard": copy.deepcopy(markup["inline_keyboard"])}
        return out

    def _member_json(self, user: dict, status: str) -> dict:
        base: dict[str, Any] = {"status": status, "user": dict(user)}
        if status == "creator":
            base["is_anonymous"] = False
            return base
        if status == "administrator":
            base.update(
                can_be_edited=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_invite_users=True,
                can_restrict_members=True,
                can_pin_messages=True,
                can_post_messages=True,
                can_edit_messages=True,
            )
            return self.spec.fill_required("ChatMemberAdministrator", base)
        if status == "restricted":
            base.update(is_member=True, can_send_messages=False, until_date=0)
            return self.spec.fill_required("ChatMemberRestricted", base)
        if status == "kicked":
            base["until_date"] = 0
        return base

    @staticmethod
    def _commands_key(scope: dict | None, language_code: str | None) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True), language_code or ""

    # ---- HTTP layer ----

    async def _endpoint(self, request: Request) -> Response:
        at = time.monotonic()
        path: str = request.path_params["path"]
        token, _, name = path.removeprefix("bot").rpartition("/")
        if not path.startswith("bot") or not token:
            return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        try:
            raw = await self._read_params(request)
        except ApiError as exc:
            return self._finish(name, {}, at, exc)
        with self._lock:
            down = self._down
        if down:
            self._record(name, raw, at, 502, 502, "Bad Gateway", None)
            return Response(BAD_GATEWAY_HTML, status_code=502, media_type="text/html")
        method = self.spec.method_name(name) or name
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if self.spec.method_name(name) is None:
                raise ApiError(404, "Not Found")
            self._take_fault(method, raw)
            if method not in IMPLEMENTED_METHODS:
                raise _bad("method not implemented in fake")
            params = self.spec.decode_params(method, raw)
            if method == "getUpdates":
                result = await self._get_updates(params, request)
            else:
                with self._lock:
                    result = getattr(self, f"_m_{method}")(params, raw)
        except ApiError as exc:
            return self._finish(method, raw, at, exc)
        except Exception:
            tb = traceback.format_exc()
            self.internal_errors.append(tb)
            log.error("fake Telegram bug in %s:\n%s", method, tb)
            return self._finish(method, raw, at, ApiError(500, "Internal Server Error: fake bug"))
        self._record(method, raw, at, 200, None, None, result)
        return _json_response(200, {"ok": True, "result": result})

    def _finish(self, method: str, raw: dict, at: float, exc: ApiError) -> Response:
        self._record(method, raw, at, exc.code, exc.code, exc.description, None)
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": exc.code,
            "description": exc.description,
        }
        if exc.parameters:
            payload["parameters"] = exc.parameters
        return _json_response(exc.code, payload)

    def _record(
        self,
        method: str,
        raw: dict,
        at: float,
        status: int,
        error_code: int | None,
        description: str | None,
        result: Any,
    ) -> None:
        canonical = self.spec.method_name(method)
        params = self.spec.decode_params_lenient(canonical, raw) if canonical else dict(raw)
        call = Call(canonical or method, params, status, error_code, description, result, at)
        with self._lock:
            self._calls.append(call)

    @staticmethod
    async def _read_params(request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        if not body:
            return params
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            try:
                data = json.loads(body)
            except ValueError:
                raise _bad("can't parse JSON object") from None
            if not isinstance(data, dict):
                raise _bad("can't parse JSON object")
            params.update(data)
        elif ctype.startswith("multipart/form-data"):
            header = f"Content-Type: {ctype}\r\n\r\n".encode("latin-1")
            parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
            for part in parsed.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not name:
                    continue
                if part.get_filename():
                    params[name] = f"<file {part.get_filename()}>"
                else:
                    payload = part.get_payload(decode=True) or b""
                    params[name] = payload.decode("utf-8", "replace")
        else:
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    def _take_fault(self, method: str, raw: dict[str, Any]) -> None:
        with self._lock:
            for fault in self._faults:
                if fault.text_contains is not None and fault.text_contains not in str(
                    raw.get("text", "")
                ):
                    continue
                if fault.method in (None, method):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    raise ApiError(fault.error_code, fault.description, fault.parameters)

    # ---- checks shared by methods (lock held) ----

    def _resolve_chat(self, chat_id: int | str, *, sending: bool = False) -> _Chat:
        chat: _Chat | None = None
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                chat = next((c for c in self._chats.values() if c.username == chat_id[1:]), None)
            elif _INT_RE.fullmatch(chat_id):
                chat_id = int(chat_id)
        if isinstance(chat_id, int):
            chat = self._chats.get(chat_id)
            if chat is None and sending and chat_id in self._users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat is None:
            raise _bad("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == "private":
            if chat.bot_status == "kicked":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {_chat_kind(chat)} chat")
        elif chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {_chat_kind(chat)} chat")
        return chat

    def _check_rate(self, method: str, chat_id: int) -> None:
        if method not in RATE_LIMITED_METHODS:
            return
        limit = self._rate_limits.get(chat_id, self._rate_limits.get(None))
        if limit is None:
            return
        max_messages, window = limit
        now = time.monotonic()
        hits = self._rate_hits.setdefault(chat_id, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= max_messages:
            wait = (hits[0] + window - now) if hits else window
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    def _count_rate(self, method: str, chat_id: int) -> None:
        if method in RATE_LIMITED_METHODS:
            self._rate_hits.setdefault(chat_id, deque()).append(time.monotonic())

    def _format_text(self, params: dict) -> tuple[str, str, list[dict], str | None]:
        """(raw text, plain text, entities, parse_mode) after parsing and length checks."""
        raw_text = params.get("text")
        if not raw_text:
            raise _bad("message text is empty")
        parse_mode = params.get("parse_mode")
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                plain, entities = parse_html(raw_text, strict=self.strict_html_entities)
            except HtmlParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif mode in ("", "none"):
            plain, entities = raw_text, list(params.get("entities") or [])
            total = _utf16_len(plain)
            for entity in entities:
                if entity["offset"] < 0 or entity["length"] <= 0:
                    raise _bad("can't parse entities: entity offset or length is invalid")
                if entity["offset"] + entity["length"] > total:
                    raise _bad("can't parse entities: entity is out of the text bounds")
        elif mode in ("markdown", "markdownv2"):
            raise _bad(f"parse_mode {parse_mode} is not implemented in fake; use HTML")
        else:
            raise _bad("unsupported parse_mode")
        plain, entities = _trim(plain, entities)
        if not plain:
            raise _bad("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        return raw_text, plain, entities, parse_mode

    def _check_markup(self, markup: dict | None) -> dict | None:
        """Extra InlineKeyboardButton rules the type system cannot express."""
        if markup is None or "inline_keyboard" not in markup:
            return markup
        action_fields = [
            f["name"]
            for f in self.spec.types["InlineKeyboardButton"]["fields"]
            if f["name"] not in ("text", "icon_custom_emoji_id", "style")
        ]
        for row in markup["inline_keyboard"]:
            for button in row:
                actions = [name for name in action_fields if name in button]
                if not actions:
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the"
                        " inline keyboard"
                    )
                if len(actions) > 1:
                    raise _bad(
                        "can't parse inline keyboard button: exactly one of the optional fields"
                        f" must be used, got {', '.join(actions)}"
                    )
                if not button["text"]:
                    raise _bad("BUTTON_TEXT_INVALID")
                if "callback_data" in button:
                    size = len(button["callback_data"].encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"(?i)(https?|tg)://\S", button["url"]):
                    raise _bad("BUTTON_URL_INVALID")
                if button.get("style") not in (None, "danger", "success", "primary"):
                    raise _bad("can't parse inline keyboard button: unsupported button style")
        return markup

    def _editable(self, params: dict) -> tuple[_Chat, Message]:
        if params.get("inline_message_id") is not None:
            raise _bad("MESSAGE_ID_INVALID")
        if params.get("chat_id") is None:
            raise _bad("chat_id is empty")
        if params.get("message_id") is None:
            raise _bad("message identifier is not specified")
        chat = self._resolve_chat(params["chat_id"])
        msg = self._messages[chat.id].get(params["message_id"])
        if msg is None or msg.deleted or msg.service is not None:
            raise _bad("message to edit not found")
        if not msg.from_bot:
            raise _bad("message can't be edited")
        return chat, msg

    @staticmethod
    def _markup_key(markup: dict | None) -> Any:
        if not markup or not any(markup.get("inline_keyboard") or []):
            return None
        return json.dumps(markup, sort_keys=True)

    # ---- Bot API methods (lock held; return the JSON result or raise ApiError) ----

    def _m_getMe(self, params: dict, raw: dict) -> dict:
        return dict(self.bot_user)

    def _m_deleteWebhook(self, params: dict, raw: dict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict, raw: dict) -> dict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_setMyCommands(self, params: dict, raw: dict) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise _bad("too many commands specified")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_getMyCommands(self, params: dict, raw: dict) -> list:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    def _m_deleteMyCommands(self, params: dict, raw: dict) -> bool:
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    def _m_getChat(self, params: dict, raw: dict) -> dict:
        chat = self._resolve_chat(params["chat_id"])
        info = self._chat_json(chat)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

    def _m_getChatMember(self, params: dict, raw: dict) -> dict:
        chat = self._resolve_chat(params["chat_id"])
        user_id = params["user_id"]
        if user_id == self.bot_id:
            return self._member_json(self._bot_public, chat.bot_status)
        user = self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return self._member_json(user, status)

    def _m_sendMessage(self, params: dict, raw: dict) -> dict:
        chat = self._resolve_chat(params["chat_id"], sending=True)
        if chat.bot_status == "restricted":
            raise _bad("not enough rights to send text messages to the chat")
        self._check_rate("sendMessage", chat.id)
        raw_text, plain, entities, parse_mode = self._format_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params, raw)
        preview = params.get("link_preview_options")
        if preview is None and str(raw.get("disable_web_page_preview", "")).lower() == "true":
            preview = {"is_disabled": True}
        msg = self._store(
            chat,
            sender_id=self.bot_id,
            from_bot=True,
            text=plain,
            html=raw_text,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            link_preview_options=preview,
            disable_notification=bool(params.get("disable_notification")),
        )
        self._count_rate("sendMessage", chat.id)
        return self._message_json(msg)

    def _reply_target(self, chat: _Chat, params: dict, raw: dict) -> int | None:
        reply = params.get("reply_parameters")
        if reply is None and raw.get("reply_to_message_id") not in (None, ""):
            try:
                legacy_id = int(raw["reply_to_message_id"])
            except ValueError:
                raise _bad("invalid reply_to_message_id") from None
            allow = str(raw.get("allow_sending_without_reply", "")).lower() in ("true", "1")
            reply = {"message_id": legacy_id, "allow_sending_without_reply": allow}
        if reply is None:
            return None
        if reply.get("chat_id") not in (None, chat.id, str(chat.id)):
            raise _bad("replies to messages in other chats are not implemented in fake")
        target = self._messages[chat.id].get(reply["message_id"])
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise _bad("message to be replied not found")
        return target.message_id

    def _m_editMessageText(self, params: dict, raw: dict) -> dict:
        chat, msg = self._editable(params)
        self._check_rate("editMessageText", chat.id)
        raw_text, plain, entities, parse_mode = self._format_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        unchanged = (
            plain == msg.text
            and entities == msg.entities
            and self._markup_key(markup) == self._markup_key(msg.reply_markup)
        )
        if unchanged:
            raise _bad(NOT_MODIFIED[len("Bad Request: ") :])
        edited = replace(
            msg,
            text=plain,
            html=raw_text,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,  # no reply_markup removes the keyboard, like the real API
            link_preview_options=params.get("link_preview_options", msg.link_preview_options),
            edits=msg.edits + 1,
            edit_date=int(time.time()),
            history=(*msg.history, msg.text),
        )
        self._messages[chat.id][msg.message_id] = edited
        self._count_rate("editMessageText", chat.id)
        return self._message_json(edited)

    def _m_editMessageReplyMarkup(self, params: dict, raw: dict) -> dict:
        chat, msg = self._editable(params)
        self._check_rate("editMessageReplyMarkup", chat.id)
        markup = self._check_markup(params.get("reply_markup"))
        if self._markup_key(markup) == self._markup_key(msg.reply_markup):
            raise _bad(NOT_MODIFIED[len("Bad Request: ") :])
        edited = replace(msg, reply_markup=markup, edits=msg.edits + 1, edit_date=int(time.time()))
        self._messages[chat.id][msg.message_id] = edited
        self._count_rate("editMessageReplyMarkup", chat.id)
        return self._message_json(edited)

    def _m_answerCallbackQuery(self, params: dict, raw: dict) -> bool:
        tap = self._taps.get(params["callback_query_id"])
        if (
            tap is None
            or tap.answer is not None
            or time.monotonic() - tap.at > self.callback_answer_timeout
        ):
            raise _bad(QUERY_TOO_OLD[len("Bad Request: ") :])
        text = params.get("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        answer = {
            "text": text,
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
            "cache_time": params.get("cache_time", 0),
        }
        self._taps[tap.id] = replace(tap, answer=answer)
        return True

    def _m_deleteMessage(self, params: dict, raw: dict) -> bool:
        chat = self._resolve_chat(params["chat_id"])
        msg = self._messages[chat.id].get(params["message_id"])
        if msg is None or msg.deleted:
            raise _bad("message to delete not found")
        can_delete_others = chat.type == "private" or chat.bot_status == "administrator"
        if not msg.from_bot and not can_delete_others:
            raise _bad("message can't be deleted")
        self._messages[chat.id][msg.message_id] = replace(msg, deleted=True)
        return True

    def _m_close(self, params: dict, raw: dict) -> bool:
        return True

    def _m_logOut(self, params: dict, raw: dict) -> bool:
        return True

    # ---- getUpdates (long polling, runs on the server loop) ----

    async def _get_updates(self, params: dict, request: Request) -> list[dict]:
        limit = min(max(params.get("limit", 100), 1), 100)
        timeout = max(params.get("timeout", 0), 0)
        with self._lock:
            if self.getupdates_conflict == "reject_new" and self._active_polls:
                raise ApiError(409, CONFLICT)
            self._poll_seq += 1
            ticket = self._poll_seq
            self._active_polls += 1
            allowed = params.get("allowed_updates")
            if allowed is not None:
                self._allowed = frozenset(allowed)
            self._confirm(params.get("offset"))
        self._wake_all()  # a waiting older poll notices it was superseded
        deadline = time.monotonic() + timeout
        try:
            while True:
                with self._lock:
                    if self.getupdates_conflict == "terminate_old" and self._poll_seq != ticket:
                        raise ApiError(409, CONFLICT)
                    ready = self._deliverable(limit)
                    if ready or self._stopping:
                        return ready
                    event = self._wake
                remaining = deadline - time.monotonic()
                if remaining <= 0 or event is None or await request.is_disconnected():
                    return []  # a vanished client (killed bot process) stops polling
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, 0.25))
        finally:
            with self._lock:
                self._active_polls -= 1

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset > 0:
            self._updates = [(k, u) for k, u in self._updates if u["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    def _deliverable(self, limit: int) -> list[dict]:
        if self._allowed:
            self._updates = [(k, u) for k, u in self._updates if k in self._allowed]
        else:
            self._updates = [(k, u) for k, u in self._updates if k not in _ALL_EXCEPT]
        return [copy.deepcopy(update) for _, update in self._updates[:limit]]
