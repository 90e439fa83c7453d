"""One line of `python -m bot check`: an item, whether it is fine, and what to do if not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckLine:
    ok: bool
    item: str
    detail: str

    def __str__(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.item}: {self.detail}"
