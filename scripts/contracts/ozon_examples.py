"""The spec's own examples of the answers bot/ozon/parse.py reads, from Ozon's spec.

``swagger.json`` is beside the repository in ``../shared/ozon-openapi``; the parse tests
read the examples from the committed ``tests/contracts/ozon_examples.json``, so a plain
clone needs no spec. The schemas themselves come from scripts/contracts/ozon.py, as the
strict fake Ozon's contracts (checked by tests/test_contracts.py).

``tests/test_ozon_parse.py`` makes the file again when the spec is there and fails if the
committed one is stale: ``python -m scripts.contracts.ozon_examples``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SWAGGER = ROOT.parent / "shared" / "ozon-openapi" / "swagger.json"
DEFAULT_OUT = ROOT / "tests" / "contracts"

#: The 200 answers whose examples the spec gives, by path.
EXAMPLES_FILE = "ozon_examples.json"
EXAMPLES = ("/v2/conditional-cancellation/list", "/v3/posting/fbs/get", "/v1/roles")


def examples(swagger: dict[str, Any]) -> dict[str, Any]:
    return {
        path: swagger["paths"][path]["post"]["responses"]["200"]["content"]["application/json"][
            "example"
        ]
        for path in EXAMPLES
    }


def render(document: Any) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def generate(swagger_path: Path = DEFAULT_SWAGGER, out_dir: Path = DEFAULT_OUT) -> Path:
    """Write the examples into `out_dir`; returns the file written."""
    swagger = json.loads(swagger_path.read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / EXAMPLES_FILE
    path.write_text(render(examples(swagger)), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(generate(*(Path(arg) for arg in sys.argv[1:3])))
