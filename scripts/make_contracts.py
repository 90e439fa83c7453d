"""Generate the committed Market order contracts from the official OpenAPI spec.

Why: the desk's tests generate schema-valid Market orders (hypothesis-jsonschema) to check
that the parser and renderer survive anything the Market may legitimately send. The spec
itself lives outside the repository (``../shared/market-openapi/openapi`` beside the
repository root), split into hundreds of YAML files with relative ``$ref``s and full of
Russian prose. This script reduces what is reachable from ``BusinessOrderDTO`` (and the
``GetBusinessOrdersResponse`` wrapper) to one self-contained JSON Schema (draft-07) per
root, keeping only the constraints and dropping descriptions, examples and ``x-*``
extensions, so the tests run from a plain clone. ``tests/test_contracts.py`` re-runs it
when the spec is present and fails if the committed files are stale.

How refs are resolved: every ``$ref`` (``./X.yaml``, ``../schemas/X.yaml``,
``X.yaml#/pointer`` or ``#/pointer``) is read relative to the file that contains it and
becomes one entry of ``definitions``, named after the file's stem (plus the pointer, if
any), and is replaced by a local ``#/definitions/...`` ref, so recursive schemas stay
finite. OpenAPI 3.0 ``nullable: true`` becomes a JSON Schema type union with ``"null"``
and boolean ``exclusiveMinimum``/``exclusiveMaximum`` become draft-07 numbers. A keyword
the script does not know fails the run rather than silently changing the contract.

It also writes the contracts the strict fakes validate against, so they need no spec
either: ``market-openapi.json``, one self-contained OpenAPI 3.0 document with the
operations tests/fakes/market implements (every other operation a stub) and the
components reachable from them, prose and ``x-*`` extensions dropped except those the fake
reads; and ``telegram-bot-api.json``, the methods tests/fakes/telegram implements (the
others by name only) and every type reachable from them, in api.json's shape without
descriptions. Both note the version and licence of their source.

Usage: ``python scripts/make_contracts.py [SPEC_DIR [OUT_DIR [API_JSON]]]``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT.parent / "shared" / "market-openapi" / "openapi"
DEFAULT_TELEGRAM = ROOT.parent / "shared" / "telegram-bot-api" / "api.json"
DEFAULT_OUT = ROOT / "tests" / "contracts"

#: Output file name -> root schema, relative to the spec directory.
CONTRACTS = {
    "business_order.schema.json": "components/schemas/BusinessOrderDTO.yaml",
    "get_business_orders_response.schema.json": "components/schemas/GetBusinessOrdersResponse.yaml",
}

#: The fakes' contracts (see below): the Market operations and Bot API methods they serve.
MARKET_OPENAPI = "market-openapi.json"
TELEGRAM_BOT_API = "telegram-bot-api.json"
FILES = (*CONTRACTS, MARKET_OPENAPI, TELEGRAM_BOT_API)

DRAFT = "http://json-schema.org/draft-07/schema#"
#: Keywords copied as they are (after converting any subschemas they hold).
FACTS = frozenset(
    {
        "type", "format", "enum", "required", "properties", "items", "minItems", "maxItems",
        "uniqueItems", "minimum", "maximum", "multipleOf", "minLength", "maxLength", "pattern",
        "allOf", "oneOf", "anyOf", "not", "additionalProperties", "minProperties",
        "maxProperties",
    }
)  # fmt: skip
#: Keywords that carry documentation or hints only; dropped.
PROSE = frozenset(
    {
        "description", "example", "examples", "title", "deprecated", "default", "readOnly",
        "writeOnly", "externalDocs", "discriminator", "xml",
    }
)  # fmt: skip
_SUBSCHEMA = frozenset({"items", "not", "additionalProperties"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "oneOf", "anyOf"})
_EXCLUSIVE = {"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"}


class Resolver:
    """Turns OpenAPI schema files into one draft-07 schema with local definitions."""

    def __init__(self, spec_dir: Path) -> None:
        self.spec_dir = spec_dir.resolve()
        self.documents: dict[Path, Any] = {}
        self.names: dict[tuple[Path, str], str] = {}
        self.definitions: dict[str, Any] = {}

    def document(self, path: Path) -> Any:
        if path not in self.documents:
            self.documents[path] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return self.documents[path]

    def contract(self, root: str) -> dict[str, Any]:
        self.definitions = {}
        self.names = {}
        ref = self.reference(self.spec_dir / root, "")
        return {"$schema": DRAFT, "$ref": ref, "definitions": self.definitions}

    def reference(self, path: Path, pointer: str) -> str:
        """The local ref for `pointer` in `path`, converting the target on first use."""
        path = path.resolve()
        key = (path, pointer)
        if key not in self.names:
            name = path.stem + (pointer.replace("/", ".") if pointer else "")
            if name in self.definitions:
                raise ValueError(f"two schemas would both be definitions/{name}: {path}")
            self.names[key] = name
            self.definitions[name] = {}  # placeholder, so a recursive ref stops here
            self.definitions[name] = self.convert(_follow(self.document(path), pointer), path)
        return f"#/definitions/{_escape(self.names[key])}"

    def convert(self, node: Any, path: Path) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise ValueError(f"{path}: a schema must be an object, got {node!r}")
        if "$ref" in node:
            extra = {k for k in node if k not in PROSE and k != "nullable" and k != "$ref"}
            extra = {k for k in extra if not k.startswith("x-")}
            if extra:
                raise ValueError(f"{path}: $ref with constraints beside it: {sorted(extra)}")
            target, _, pointer = node["$ref"].partition("#")
            ref = {"$ref": self.reference(path.parent / target if target else path, pointer)}
            return {"anyOf": [ref, {"type": "null"}]} if node.get("nullable") else ref
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in PROSE or key.startswith("x-") or key == "nullable":
                continue
            if key not in FACTS and key not in _EXCLUSIVE:
                raise ValueError(f"{path}: unknown schema keyword {key!r}")
            if key == "properties":
                out[key] = {name: self.convert(sub, path) for name, sub in value.items()}
            elif key in _SUBSCHEMA:
                out[key] = self.convert(value, path)
            elif key in _SUBSCHEMA_LISTS:
                out[key] = [self.convert(sub, path) for sub in value]
            elif key in _EXCLUSIVE and isinstance(value, bool):  # OpenAPI 3.0 style
                if value:
                    out[key] = node[_EXCLUSIVE[key]]
            else:
                out[key] = value
        for key, bound in _EXCLUSIVE.items():
            if node.get(key) is True:
                out.pop(bound, None)
        if node.get("nullable") is True:
            out = _nullable(out)
        return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    schema = {**schema, "type": [*types, "null"] if "null" not in types else types}
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _follow(document: Any, pointer: str) -> Any:
    node = document
    for part in filter(None, pointer.split("/")):
        node = node[unquote(part).replace("~1", "/").replace("~0", "~")]
    return node


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


# --- the fakes' contracts: the operations and methods they serve, nothing else ---------

#: The operations tests/fakes/market implements (``FakeMarket().handlers``); they keep
#: their parameters, bodies and answers. Every other operation of the spec stays as a
#: stub (operationId only), so the fake still tells "not implemented" from "no such path".
MARKET_OPERATIONS = frozenset(
    {
        "getAuthTokenInfo", "getBusinessOrders", "getCampaign", "getCampaigns",
        "acceptOrderCancellation", "getOrderBuyerInfo",
    }
)  # fmt: skip
#: The x- keys tests/fakes/market/spec.py reads; every other extension is dropped.
MARKET_EXTENSIONS = frozenset(
    {"x-auth-scopes", "x-resource-id", "x-resource-limit-config", "x-aliases", "x-transform"}
)
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_DROP = frozenset({"description", "example", "examples", "title", "deprecated",
                          "externalDocs", "xml"})  # fmt: skip
_SCHEMA_KEEP = FACTS | frozenset(
    {"nullable", "default", "readOnly", "writeOnly", "exclusiveMinimum", "exclusiveMaximum"}
)
_COMPONENT_KINDS = frozenset({"schemas", "parameters", "responses"})


class Bundler:
    """Turns the split spec into one OpenAPI 3.0 document with ``#/components`` refs."""

    def __init__(self, spec_dir: Path) -> None:
        self.spec_dir = spec_dir.resolve()
        self.resolver = Resolver(spec_dir)
        self.components: dict[str, dict[str, Any]] = {kind: {} for kind in _COMPONENT_KINDS}
        self.files: dict[tuple[str, str], Path] = {}

    def document(self) -> dict[str, Any]:
        root_file = self.spec_dir / "openapi.yaml"
        root = self.resolver.document(root_file.resolve())
        paths: dict[str, Any] = {}
        found: set[str] = set()
        for template, item in root["paths"].items():
            where = root_file
            if set(item) != {"$ref"}:
                raise ValueError(f"path {template}: expected a $ref to a path file")
            where = (root_file.parent / item["$ref"]).resolve()
            item = self.resolver.document(where)
            out: dict[str, Any] = {}
            implemented = False
            for key, value in item.items():
                if key in _HTTP_METHODS:
                    op_id = value["operationId"]
                    if op_id in MARKET_OPERATIONS:
                        out[key] = self.operation(value, where)
                        implemented = True
                        found.add(op_id)
                    else:
                        out[key] = {
                            "operationId": op_id,
                            "responses": {"default": {"description": ""}},
                        }
                elif key not in {"parameters", "summary", *_SCHEMA_DROP} and not key.startswith(
                    "x-"
                ):
                    raise ValueError(f"{where}: unknown path item key {key!r}")
            if implemented and "parameters" in item:
                out["parameters"] = [self.parameter(p, where) for p in item["parameters"]]
            paths[template] = out
        missing = MARKET_OPERATIONS - found
        if missing:
            raise ValueError(f"operations not in the spec: {sorted(missing)}")
        schemes = {
            name: _drop(scheme, {"description", "x-inline"})
            for name, scheme in root["components"]["securitySchemes"].items()
        }
        license_text = (self.spec_dir.parent / "LICENSE").read_text(encoding="utf-8")
        return {
            "openapi": root["openapi"],
            "info": {
                "title": "Yandex Market Partner API: the operations of tests/fakes/market",
                "version": root["info"]["version"],
                "license": {"name": "BSD-3-Clause", "url": root["info"]["license"]["url"]},
                "x-copyright": license_text.strip().splitlines()[0].strip(),
                "x-source": "market-openapi/openapi/openapi.yaml, reduced by "
                "scripts/make_contracts.py",
            },
            "servers": [{"url": server["url"]} for server in root["servers"]],
            "security": root["security"],
            "paths": paths,
            "components": {
                **{kind: dict(sorted(v.items())) for kind, v in self.components.items() if v},
                "securitySchemes": schemes,
            },
        }

    def ref(self, node: dict[str, Any], where: Path, convert) -> dict[str, Any]:
        target_name, _, pointer = node["$ref"].partition("#")
        if pointer or not target_name:
            raise ValueError(f"{where}: unsupported $ref {node['$ref']!r}")
        target = (where.parent / target_name).resolve()
        kind = target.parent.name
        if kind not in _COMPONENT_KINDS:
            raise ValueError(f"{where}: $ref outside components: {node['$ref']!r}")
        name = target.stem
        known = self.files.setdefault((kind, name), target)
        if known != target:
            raise ValueError(f"two {kind} named {name}: {known}, {target}")
        if name not in self.components[kind]:
            self.components[kind][name] = {}  # placeholder: recursive refs stop here
            self.components[kind][name] = convert(self.resolver.document(target), target)
        return {"$ref": f"#/components/{kind}/{_escape(name)}"}

    def operation(self, node: dict[str, Any], where: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "operationId":
                out[key] = value
            elif key == "parameters":
                out[key] = [self.parameter(p, where) for p in value]
            elif key == "requestBody":
                out[key] = self.body(value, where)
            elif key == "responses":
                out[key] = {str(code): self.response(r, where) for code, r in value.items()}
            elif key == "security" or key in MARKET_EXTENSIONS:
                out[key] = value
            elif key.startswith("x-") or key in {"summary", "description", "tags", "deprecated",
                                                 "externalDocs"}:  # fmt: skip
                continue
            else:
                raise ValueError(f"{where}: unknown operation key {key!r}")
        return out

    def parameter(self, node: dict[str, Any], where: Path) -> dict[str, Any]:
        if "$ref" in node:
            return self.ref(node, where, self.parameter)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "schema":
                out[key] = self.schema(value, where)
            elif key == "content":
                out[key] = self.content(value, where)
            elif key in {"name", "in", "required", "style", "explode", "allowEmptyValue",
                         "allowReserved"} or key in MARKET_EXTENSIONS:  # fmt: skip
                out[key] = value
            elif key.startswith("x-") or key in {
                "description",
                "example",
                "examples",
                "deprecated",
            }:
                continue
            else:
                raise ValueError(f"{where}: unknown parameter key {key!r}")
        return out

    def body(self, node: dict[str, Any], where: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "content":
                out[key] = self.content(value, where)
            elif key == "required":
                out[key] = value
            elif key != "description" and not key.startswith("x-"):
                raise ValueError(f"{where}: unknown request body key {key!r}")
        return out

    def response(self, node: dict[str, Any], where: Path) -> dict[str, Any]:
        if "$ref" in node:
            return self.ref(node, where, self.response)
        out: dict[str, Any] = {"description": ""}  # required by OpenAPI; the prose is dropped
        for key, value in node.items():
            if key == "content":
                out[key] = self.content(value, where)
            elif key == "headers":
                out[key] = {name: self.parameter(h, where) for name, h in value.items()}
            elif key not in {"description", "links"} and not key.startswith("x-"):
                raise ValueError(f"{where}: unknown response key {key!r}")
        return out

    def content(self, node: dict[str, Any], where: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for media, value in node.items():
            extra = set(value) - {"schema", "example", "examples", "encoding"}
            if extra:
                raise ValueError(f"{where}: unknown media type keys {sorted(extra)}")
            out[media] = (
                {"schema": self.schema(value["schema"], where)} if "schema" in value else {}
            )
        return out

    def schema(self, node: Any, where: Path) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise ValueError(f"{where}: a schema must be an object, got {node!r}")
        if "$ref" in node:
            extra = {k for k in node if k != "$ref" and k not in _SCHEMA_DROP}
            extra = {k for k in extra if not k.startswith("x-")}
            if extra:
                raise ValueError(f"{where}: $ref with keywords beside it: {sorted(extra)}")
            return self.ref({"$ref": node["$ref"]}, where, self.schema)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _SCHEMA_DROP or key.startswith("x-"):
                continue
            if key == "discriminator":
                if "mapping" in value:
                    raise ValueError(f"{where}: discriminator mappings are not supported")
                out[key] = {"propertyName": value["propertyName"]}
            elif key not in _SCHEMA_KEEP:
                raise ValueError(f"{where}: unknown schema keyword {key!r}")
            elif key == "properties":
                out[key] = {name: self.schema(sub, where) for name, sub in value.items()}
            elif key in _SUBSCHEMA:
                out[key] = self.schema(value, where)
            elif key in _SUBSCHEMA_LISTS:
                out[key] = [self.schema(sub, where) for sub in value]
            else:
                out[key] = value
        return out


def _drop(node: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if key not in keys}


def market_openapi(spec_dir: Path) -> dict[str, Any]:
    """The reduced, self-contained OpenAPI document of the fake Market."""
    return Bundler(spec_dir).document()


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


def _field(field: dict[str, Any]) -> dict[str, Any]:
    return {"name": field["name"], "types": field["types"], "required": field["required"]}


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


def main(argv: list[str]) -> int:
    spec_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    out_dir = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    api_json = Path(argv[3]) if len(argv) > 3 else DEFAULT_TELEGRAM
    for path in generate(spec_dir, out_dir, api_json):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
