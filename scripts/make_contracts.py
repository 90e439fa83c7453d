"""Make the committed contracts under tests/contracts/ from the specs beside the repository.

Why and how: see scripts/contracts/ (one module per kind of contract).
``tests/test_contracts.py`` fails when the committed files are not what this makes.

Usage: ``python scripts/make_contracts.py [SPEC_DIR [OUT_DIR [API_JSON [OZON_SWAGGER]]]]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from contracts import (
    DEFAULT_OUT,
    DEFAULT_OZON,
    DEFAULT_SPEC,
    DEFAULT_TELEGRAM,
    generate,
    generate_ozon,
)


def main(argv: list[str]) -> int:
    spec_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    out_dir = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    api_json = Path(argv[3]) if len(argv) > 3 else DEFAULT_TELEGRAM
    ozon = Path(argv[4]) if len(argv) > 4 else DEFAULT_OZON
    for path in generate(spec_dir, out_dir, api_json):
        print(path)
    for path in generate_ozon(ozon, out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
