"""The repository root: the fakes' contracts are in tests/contracts under it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
