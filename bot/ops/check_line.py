"""One line of `python -m bot check`: an item, whether it is fine, and what to do if not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckLine:
    ok: bool
    item: str
    detail: str
    warning: bool = False  # worth acting on, but the desk works: it fails no check

    @classmethod
    def warn(cls, item: str, detail: str) -> CheckLine:
        return cls(True, item, detail, warning=True)

    def __str__(self) -> str:
        mark = "⚠" if self.warning else "✓" if self.ok else "✗"
        return f"{mark} {self.item}: {self.detail}"
