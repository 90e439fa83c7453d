"""The order schemas: what is reachable from ``BusinessOrderDTO`` as one draft-07 schema.

The root (and the ``GetBusinessOrdersResponse`` wrapper) becomes one self-contained JSON
Schema per root, keeping only the constraints and dropping descriptions, examples and
``x-*`` extensions.

How refs are resolved: every ``$ref`` (``./X.yaml``, ``../schemas/X.yaml``,
``X.yaml#/pointer`` or ``#/pointer``) is read relative to the file that contains it and
becomes one entry of ``definitions``, named after the file's stem (plus the pointer, if
any), and is replaced by a local ``#/definitions/...`` ref, so recursive schemas stay
finite. OpenAPI 3.0 ``nullable: true`` becomes a JSON Schema type union with ``"null"``
and boolean ``exclusiveMinimum``/``exclusiveMaximum`` become draft-07 numbers. A keyword
the script does not know fails the run rather than silently changing the contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

#: Output file name -> root schema, relative to the spec directory.
CONTRACTS = {
    "business_order.schema.json": "components/schemas/BusinessOrderDTO.yaml",
    "get_business_orders_response.schema.json": "components/schemas/GetBusinessOrdersResponse.yaml",
}

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
#: Keywords holding one subschema, and those holding a list of them.
SUBSCHEMA = frozenset({"items", "not", "additionalProperties"})
SUBSCHEMA_LISTS = frozenset({"allOf", "oneOf", "anyOf"})
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
        return f"#/definitions/{escape(self.names[key])}"

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
            elif key in SUBSCHEMA:
                out[key] = self.convert(value, path)
            elif key in SUBSCHEMA_LISTS:
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


def escape(name: str) -> str:
    """`name` as one JSON pointer segment."""
    return name.replace("~", "~0").replace("/", "~1")
