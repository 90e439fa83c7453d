"""The fake Ozon's sellers and their Api-Keys: each key belongs to one Client-Id.

Ozon authenticates every call by the `Client-Id` and `Api-Key` headers (OZON_API.md §3
"Auth"; swagger.json ``components.parameters``, both required). A key is valid only with
the Client-Id it was made for; a seller may have several keys (tag:Auth "Вы можете создать
несколько API-ключей"); a deactivated key is refused with its own message (tag:Errors).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.ozon.wire import Grpc, OzonError

__all__ = ["DEFAULT_ROLES", "INVALID_KEY", "KEY_DEACTIVATED", "Key", "Keys"]

INVALID_KEY = "Invalid Api-Key, please check the key and try again"
KEY_DEACTIVATED = "Api-key is deactivated, use another one or generate a new one"
#: The roles a key has unless a test gives others: the fake's choice of names (the spec's
#: example has "Admin" and "Posting FBS"), listing the methods the desk calls.
DEFAULT_ROLES: tuple[dict[str, Any], ...] = (
    {
        "name": "Posting FBS",
        "methods": [
            "/v2/conditional-cancellation/list",
            "/v2/conditional-cancellation/approve",
            "/v2/conditional-cancellation/reject",
            "/v3/posting/fbs/get",
        ],
    },
)
#: A key lives 6 months (tag:Auth "Срок действия ключа — 6 месяцев").
KEY_LIFETIME = timedelta(days=182)


@dataclass(frozen=True)
class Key:
    """One Api-Key: its seller, roles, expiry and whether it was deactivated."""

    client_id: int
    roles: tuple[dict[str, Any], ...] = DEFAULT_ROLES
    expires_at: datetime = field(default_factory=lambda: datetime.now(UTC) + KEY_LIFETIME)
    deactivated: bool = False


class Keys:
    """Every key the fake accepts, by its text; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, Key] = {}

    def add(self, key: str, new: Key) -> None:
        with self._lock:
            if key in self._keys:
                raise ValueError(f"key {key!r} already belongs to Client-Id {new.client_id}")
            self._keys[key] = new

    def deactivate(self, key: str, deactivated: bool) -> None:
        with self._lock:
            self._keys[key] = replace(self._keys[key], deactivated=deactivated)

    def get(self, key: str) -> Key:
        with self._lock:
            return self._keys[key]

    def of_client(self, client_id: int) -> list[str]:
        with self._lock:
            return [text for text, key in self._keys.items() if key.client_id == client_id]

    def clients(self) -> set[int]:
        with self._lock:
            return {key.client_id for key in self._keys.values()}

    def authenticate(self, client_id: str | None, api_key: str | None) -> Key:
        """The key of a call, or the 403 Ozon gives: a missing, unknown or foreign key is
        "Invalid Api-Key", a deactivated one "Api-key is deactivated" (tag:Errors). The
        HTTP status is the fake's choice among the spec's documented answers: 403 "Доступ
        запрещён", with gRPC PERMISSION_DENIED."""
        with self._lock:
            key = self._keys.get(api_key or "")
        if key is None or not client_id or client_id != str(key.client_id):
            raise OzonError(403, Grpc.PERMISSION_DENIED, INVALID_KEY)
        if key.deactivated:
            raise OzonError(403, Grpc.PERMISSION_DENIED, KEY_DEACTIVATED)
        return key
