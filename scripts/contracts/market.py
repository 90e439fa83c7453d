"""The fake Market's contract: one OpenAPI 3.0 document with the operations it serves.

``market-openapi.json`` keeps the operations tests/fakes/market implements (every other
operation a stub) and the components reachable from them, prose and ``x-*`` extensions
dropped except those the fake reads. It notes the version and licence of its source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .schemas import FACTS, SUBSCHEMA, SUBSCHEMA_LISTS, Resolver, escape

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
        paths = self.paths(root_file, root)
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

    def paths(self, root_file: Path, root: dict[str, Any]) -> dict[str, Any]:
        """Every path of the spec: the fake's operations in full, the others as stubs."""
        paths: dict[str, Any] = {}
        found: set[str] = set()
        for template, item in root["paths"].items():
            if set(item) != {"$ref"}:
                raise ValueError(f"path {template}: expected a $ref to a path file")
            where = (root_file.parent / item["$ref"]).resolve()
            paths[template] = self.path_item(self.resolver.document(where), where, found)
        missing = MARKET_OPERATIONS - found
        if missing:
            raise ValueError(f"operations not in the spec: {sorted(missing)}")
        return paths

    def path_item(self, item: dict[str, Any], where: Path, found: set[str]) -> dict[str, Any]:
        """One path file; the ids of the fake's operations it holds are added to `found`."""
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
            elif key not in {"parameters", "summary", *_SCHEMA_DROP} and not key.startswith("x-"):
                raise ValueError(f"{where}: unknown path item key {key!r}")
        if implemented and "parameters" in item:
            out["parameters"] = [self.parameter(p, where) for p in item["parameters"]]
        return out

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
        return {"$ref": f"#/components/{kind}/{escape(name)}"}

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
            elif key in SUBSCHEMA:
                out[key] = self.schema(value, where)
            elif key in SUBSCHEMA_LISTS:
                out[key] = [self.schema(sub, where) for sub in value]
            else:
                out[key] = value
        return out


def _drop(node: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if key not in keys}


def market_openapi(spec_dir: Path) -> dict[str, Any]:
    """The reduced, self-contained OpenAPI document of the fake Market."""
    return Bundler(spec_dir).document()
