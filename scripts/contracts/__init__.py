"""The compact contracts under tests/contracts/, made from the specs beside the repository.

Why: the desk's tests generate schema-valid Market orders (hypothesis-jsonschema) to check
that the parser and renderer survive anything the Market may legitimately send, and the
strict fakes validate every request against the Market's and the Bot API's specs. The specs
live outside the repository (``../shared`` beside its root): the Market's is split into
hundreds of YAML files with relative ``$ref``s and full of Russian prose. The contracts keep
only the constraints, so the tests run from a plain clone; ``tests/test_contracts.py``
makes them again when the specs are present and fails if the committed files are stale.

One module per kind of contract: ``schemas`` the order schemas (draft-07), ``market`` the
fake Market's OpenAPI document, ``telegram`` the fake Bot API's methods and types, ``ozon``
the schemas of the Ozon Seller API operations the fake Ozon serves (from Ozon's swagger.json);
``make`` writes them all (``python scripts/make_contracts.py``).
"""

from .make import (
    CONTRACTS,
    DEFAULT_OUT,
    DEFAULT_OZON,
    DEFAULT_SPEC,
    DEFAULT_TELEGRAM,
    FILES,
    MARKET_OPENAPI,
    OZON_FILES,
    TELEGRAM_BOT_API,
    generate,
    generate_ozon,
)
from .market import MARKET_OPERATIONS, market_openapi
from .ozon import (
    OZON_CONTRACTS,
    OZON_ERROR,
    OZON_OPERATIONS,
    OzonOperation,
    check_operations,
    ozon_contracts,
)
from .telegram import TELEGRAM_METHODS, telegram_bot_api

__all__ = [
    "CONTRACTS",
    "DEFAULT_OUT",
    "DEFAULT_OZON",
    "DEFAULT_SPEC",
    "DEFAULT_TELEGRAM",
    "FILES",
    "MARKET_OPENAPI",
    "MARKET_OPERATIONS",
    "OZON_CONTRACTS",
    "OZON_ERROR",
    "OZON_FILES",
    "OZON_OPERATIONS",
    "TELEGRAM_BOT_API",
    "TELEGRAM_METHODS",
    "OzonOperation",
    "check_operations",
    "generate",
    "generate_ozon",
    "market_openapi",
    "ozon_contracts",
    "telegram_bot_api",
]
