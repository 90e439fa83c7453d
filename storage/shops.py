"""Where the staff chat lives now, and the shops' names, as learnt from Telegram and the Market."""

from __future__ import annotations

from storage.database import Database


class Shops:
    def __init__(self, db: Database) -> None:
        self.db = db

    def names(self) -> dict[int, str]:
        return dict(self.db.execute("SELECT campaign_id, name FROM shops").fetchall())

    def save(self, campaign_id: int, name: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO shops (campaign_id, name) VALUES (?, ?)", [campaign_id, name]
        )


class ChatMoves:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, old_chat_id: int, new_chat_id: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO chat_moves (old_chat_id, new_chat_id) VALUES (?, ?)",
            [old_chat_id, new_chat_id],
        )

    def current(self, chat_id: int) -> int:
        """Where the configured chat lives now, following upgrades to supergroups."""
        seen = {chat_id}
        while True:
            moved = self.db.value(
                "SELECT new_chat_id FROM chat_moves WHERE old_chat_id = ?", [chat_id]
            )
            if moved is None or moved in seen:
                return chat_id
            chat_id = moved
            seen.add(chat_id)
