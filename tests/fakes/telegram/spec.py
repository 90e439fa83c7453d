"""The Bot API as ``api.json`` describes it: parameter decoding and validation, result checks.

Parameters arrive as strings (query or form) or native JSON; `Spec.decode_params` converts
them to the types of the spec and answers mistakes with the real server's error texts.
`Spec.problems` checks what the fake sends back, strictly (unknown fields flagged).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fakes.paths import REPO
from tests.fakes.telegram.errors import ApiError, bad_request

__all__ = ["CONTRACT", "INT_RE", "SPEC_PATH", "Spec", "load_spec"]

#: The committed contract: api.json reduced by scripts/make_contracts.py to the methods the
#: fake implements and the types reachable from them (descriptions dropped).
CONTRACT = REPO / "tests" / "contracts" / "telegram-bot-api.json"
#: $TELEGRAM_API_SPEC (a contract or a full api.json), or the committed contract
SPEC_PATH = Path(os.environ.get("TELEGRAM_API_SPEC", CONTRACT))


class _Mismatch(Exception):
    """A value does not fit a spec type; ``score`` ranks how close the match was."""

    def __init__(self, detail: str, score: int = 0, path: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.score = score
        self.path = path


_DISCRIMINATOR_RE = re.compile(r'(?:always|must be)\s+"?([A-Za-z0-9_]+)"?')
INT_RE = re.compile(r"[+-]?\d+")


def _camel_words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


class Spec:
    """The Bot API as described by ``api.json`` (or its contract): methods, types and value
    conversion. A subtype's discriminator is the contract's ``discriminator`` or, in a full
    api.json, read from the description of its first field."""

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
                if "discriminator" in spec:
                    disc = (spec["discriminator"]["field"], spec["discriminator"]["value"])
                elif fields:
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
            return bad_request("message text is empty")
        if name in ("chat_id", "message_id", "user_id"):
            return bad_request(f"{name} is empty")
        return bad_request(f"parameter {name} is required")

    def _param_error(self, name: str, types: list[str], exc: _Mismatch) -> ApiError:
        if re.search(r"inline_keyboard\[\d+\]\[\d+\]", exc.path):
            return bad_request(f"can't parse inline keyboard button: {exc.detail}")
        object_types = [t.removeprefix("Array of ") for t in types]
        object_types = [t for t in object_types if t in self.types]
        if object_types:
            if name == "reply_markup":
                human = "reply keyboard markup"
            elif types[0].startswith("Array of "):
                human = name.replace("_", " ")
            else:
                human = _camel_words(object_types[0])
            return bad_request(f"can't parse {human} JSON object: {exc.detail}")
        return bad_request(f"invalid {name}: {exc.detail}")

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
    if form and isinstance(value, str) and INT_RE.fullmatch(value.strip()):
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
