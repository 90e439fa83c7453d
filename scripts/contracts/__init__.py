"""The compact contracts under tests/contracts/, made from the specs beside the repository.

Why: the desk's tests generate schema-valid Market orders (hypothesis-jsonschema) to check
that the parser and renderer survive anything the Market may legitimately send, and the
strict fakes validate every request against the Market's and the Bot API's specs. The specs
live outside the repository (``../shared`` beside its root): the Market's is split into
hundreds of YAML files with relative ``$ref``s and full of Russian prose. The contracts keep
only the constraints, so the tests run from a plain clone; ``tests/test_contracts.py``
makes them again when the specs are present and fails if the committed files are stale.

One module per kind of contract: ``schemas`` the order schemas (draft-07), ``market`` the
fake Market's OpenAPI document, ``telegram`` the fake Bot API's methods and types; ``make``
writes them all (``python scripts/make_contracts.py``).
"""

from .make import (
    CONTRACTS,
    DEFAULT_OUT,
    DEFAULT_SPEC,
    DEFAULT_TELEGRAM,
    FILES,
    MARKET_OPENAPI,
    TELEGRAM_BOT_API,
    generate,
)
from .market import MARKET_OPERATIONS, market_openapi
from .telegram import TELEGRAM_METHODS, telegram_bot_api

__all__ = [
    "CONTRACTS",
    "DEFAULT_OUT",
    "DEFAULT_SPEC",
    "DEFAULT_TELEGRAM",
    "FILES",
    "MARKET_OPENAPI",
    "MARKET_OPERATIONS",
    "TELEGRAM_BOT_API",
    "TELEGRAM_METHODS",
    "generate",
    "market_openapi",
    "telegram_bot_api",
]
