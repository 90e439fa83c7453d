"""Which room answers an update: a group's own, or in private the person's (apart from
bot/chat/rooms.py so that `access` can ask without importing the decider)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Chat, User
from telegram.constants import ChatType

if TYPE_CHECKING:
    from bot.chat.rooms import Room, Rooms


def room_for(rooms: Rooms, chat: Chat | None, user: User | None) -> Room | None:
    """The room a command or tap is answered by; None: a chat the desk does not serve."""
    if chat is None or user is None:
        return None
    if chat.type == ChatType.PRIVATE:
        return rooms.private(user.id)
    return rooms.of(chat.id)
