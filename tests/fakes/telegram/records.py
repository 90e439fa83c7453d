"""What tests get to see of the fake Telegram: messages, taps, arrivals and answered calls.

All are frozen snapshots; the fake hands out copies, so a test cannot change its state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Arrival", "Call", "Message", "Tap"]


@dataclass(frozen=True)
class Message:
    """A message in a fake chat, as the fake currently stores it (snapshot)."""

    chat_id: int
    message_id: int
    date: int
    sender_id: int
    from_bot: bool
    text: str  # plain text users see (markup parsed, whitespace trimmed)
    html: str  # the text parameter exactly as sent (raw markup for parse_mode HTML)
    parse_mode: str | None = None
    entities: list[dict] = field(default_factory=list)
    reply_markup: dict | None = None  # as sent (validated, unknown fields dropped)
    reply_to_message_id: int | None = None
    link_preview_options: dict | None = None
    disable_notification: bool = False
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    history: tuple[str, ...] = ()  # earlier plain texts, oldest first
    service: dict | None = None  # service message fields (e.g. migrate_to_chat_id)
    message_thread_id: int | None = None  # the forum topic it is in; None: the general one
    pin_silent: bool | None = None  # pinned: with disable_notification; None: never pinned
    media: dict | None = None  # {"document": {...}} or {"photo": [...]}; text is the caption
    file: bytes | None = None  # the uploaded file, as received

    @property
    def buttons(self) -> list[dict]:
        """All inline keyboard buttons, row by row, flattened."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    def callback_data(self, label: str) -> str:
        """callback_data of the first button whose text contains ``label``."""
        for button in self.buttons:
            if label in button.get("text", "") and "callback_data" in button:
                return button["callback_data"]
        labels = [b.get("text") for b in self.buttons]
        raise LookupError(f"no callback button matching {label!r} in {labels}")


@dataclass(frozen=True)
class Arrival:
    """One API request as it reached the fake, before any check, fault or long poll."""

    method: str  # canonical name (as sent when unknown)
    params: dict[str, Any]  # as sent: query and body merged, values not decoded
    arrived_at: float  # time.monotonic() at arrival


@dataclass(frozen=True)
class Call:
    """One API request the fake answered."""

    method: str  # canonical name (as sent when unknown)
    params: dict[str, Any]  # decoded per api.json where possible; unknown params raw
    status: int  # HTTP status
    error_code: int | None
    description: str | None
    result: Any
    arrived_at: float  # time.monotonic() at arrival

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def at(self) -> float:
        """Same as `arrived_at` (the older name)."""
        return self.arrived_at


@dataclass(frozen=True)
class Tap:
    """A callback button press played by a test user."""

    id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str
    at: float
    update_id: int
    forged: bool  # no such live bot message, or no button on it carries this data
    answer: dict | None = None
