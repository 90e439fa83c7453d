"""The schemas bot/ozon/parse.py reads, and the spec's own examples of them, from Ozon's spec.

``swagger.json`` (OpenAPI 3.0, one file, ``#/components/schemas/X`` refs) is beside the
repository in ``../shared/ozon-openapi``; the tests draw Ozon's answers from these files
(tests/contract_ozon.py), so a plain clone needs no spec. Each root becomes one draft-07
schema with its reachable components as local ``definitions``; prose is dropped. Two spec
defects are mended: a product's ``jw_uin`` has ``"type": "array of strings"``, which becomes
the array of strings it says, and the addressee's phone ``pattern`` is a display mask
(``" +7(XXX)XXX-XX-XX"``, no real number matches it), dropped. Any other keyword the script
does not know fails the run. The schema files are the same, byte for byte, as those
tests/fakes/ozon's contracts (scripts/contracts/ozon.py, built in parallel) make of the same
roots, so either generator may make them.

``tests/test_ozon_parse.py`` makes them again when the spec is there and fails if the
committed files are stale: ``python -m scripts.contracts.ozon_parse``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SWAGGER = ROOT.parent / "shared" / "ozon-openapi" / "swagger.json"
DEFAULT_OUT = ROOT / "tests" / "contracts"

#: Output file -> root component: the list's answer, a posting's, the key's roles.
SCHEMAS = {
    "ozon_conditional_cancellation_list.schema.json": "v2GetConditionalCancellationListV2Response",
    "ozon_fbs_posting.schema.json": "v3GetFbsPostingResponseV3",
    "ozon_roles.schema.json": "v1RolesByTokenResponse",
}
#: The 200 answers whose examples the spec gives, by path.
EXAMPLES_FILE = "ozon_examples.json"
EXAMPLES = ("/v2/conditional-cancellation/list", "/v3/posting/fbs/get", "/v1/roles")

DRAFT = "http://json-schema.org/draft-07/schema#"
_FACTS = frozenset({"type", "format", "enum", "required", "properties", "items", "pattern",
                    "minimum", "maximum", "minItems", "maxItems"})  # fmt: skip
_PROSE = frozenset({"description", "title", "example", "default", "deprecated"})
_WORDED_TYPES = {"array of strings": {"type": "array", "items": {"type": "string"}}}
_MASKS = frozenset({" +7(XXX)XXX-XX-XX"})
_PREFIX = "#/components/schemas/"


def _convert(node: Any, found: set[str]) -> Any:
    if not isinstance(node, dict):
        raise ValueError(f"a schema must be an object, got {node!r}")
    if "$ref" in node:
        name = node["$ref"].removeprefix(_PREFIX)
        found.add(name)
        return {"$ref": f"#/definitions/{name}"}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _PROSE:
            continue
        if key not in _FACTS:
            raise ValueError(f"unknown schema keyword {key!r}")
        if key == "properties":
            out[key] = {name: _convert(sub, found) for name, sub in value.items()}
        elif key == "items":
            out[key] = _convert(value, found)
        elif key == "type" and value in _WORDED_TYPES:
            out.update(_WORDED_TYPES[value])
        elif key == "pattern" and value in _MASKS:
            continue
        else:
            out[key] = value
    return out


def contract(swagger: dict[str, Any], root: str) -> dict[str, Any]:
    """`root` and every component it reaches, as one self-contained draft-07 schema."""
    components = swagger["components"]["schemas"]
    definitions: dict[str, Any] = {}
    todo = {root}
    while todo:
        name = todo.pop()
        found: set[str] = set()
        definitions[name] = _convert(components[name], found)
        todo |= found - set(definitions)
    return {"$schema": DRAFT, "$ref": f"#/definitions/{root}", "definitions": definitions}


def examples(swagger: dict[str, Any]) -> dict[str, Any]:
    return {
        path: swagger["paths"][path]["post"]["responses"]["200"]["content"]["application/json"][
            "example"
        ]
        for path in EXAMPLES
    }


def render(document: Any) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def generate(swagger_path: Path = DEFAULT_SWAGGER, out_dir: Path = DEFAULT_OUT) -> list[Path]:
    """Write the schemas and the examples into `out_dir`; returns the files written."""
    swagger = json.loads(swagger_path.read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    documents = {name: contract(swagger, root) for name, root in SCHEMAS.items()}
    documents[EXAMPLES_FILE] = examples(swagger)
    written = []
    for name, document in documents.items():
        (out_dir / name).write_text(render(document), encoding="utf-8")
        written.append(out_dir / name)
    return written


if __name__ == "__main__":
    for path in generate(*(Path(arg) for arg in sys.argv[1:3])):
        print(path)
