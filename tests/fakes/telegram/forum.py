"""Forum topics and pinned messages of the fake Telegram: the world side (topics staff create,
close, reopen and delete; a message a user unpins) and the Bot API side (`message_thread_id`
on sends, sendChatAction, pinChatMessage, unpinChatMessage), with the real server's refusals.

A topic's id is the id of the service message that created it, as on the real API. Sending
to a topic that does not exist (or was deleted, or in a chat that is no forum) answers
"message thread not found"; to a closed topic "TOPIC_CLOSED", unless the bot is an
administrator with `can_manage_topics`. Pinning needs an administrator with
`can_pin_messages` (`set_bot_rights` takes rights away).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.fakes.telegram.chats import Chat
from tests.fakes.telegram.errors import bad_request

__all__ = ["CHAT_ACTIONS", "Forum"]

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
ADMIN_RIGHTS = ("can_pin_messages", "can_manage_topics")


class Forum:
    """Mixed into `BotMethods`: uses its `_lock`, `_group`, `_store`, `_messages`..."""

    # ---- world setup and events ----

    def add_topic(self, chat_id: int, name: str = "Topic") -> int:
        """Staff create a topic (the supergroup becomes a forum); returns its thread id."""
        with self._lock:
            chat = self._group(chat_id)
            if chat.type != "supergroup":
                raise ValueError("only supergroups have topics")
            chat.is_forum = True
            created = self._store(
                chat, sender_id=0, from_bot=False, text="", html="",
                service={"forum_topic_created": {"name": name, "icon_color": 7322096}},
            )  # fmt: skip
            chat.topics[created.message_id] = "open"
            return created.message_id

    def set_topic_state(self, chat_id: int, topic_id: int, state: str) -> None:
        """Close, reopen or delete a topic: ``state`` is open, closed or deleted (which
        deletes its messages too)."""
        if state not in ("open", "closed", "deleted"):
            raise ValueError(f"unknown topic state {state!r}")
        with self._lock:
            chat = self._group(chat_id)
            if topic_id not in chat.topics:
                raise KeyError(f"no topic {topic_id} in chat {chat_id}")
            chat.topics[topic_id] = state
            if state == "deleted":  # its messages go with it
                for message in list(self._messages[chat_id].values()):
                    if message.message_thread_id == topic_id:
                        self._messages[chat_id][message.message_id] = replace(message, deleted=True)

    def set_bot_rights(self, chat_id: int, **rights: bool) -> None:
        """Grant or take administrator rights of the bot (can_pin_messages, can_manage_topics)."""
        unknown = set(rights) - set(ADMIN_RIGHTS)
        if unknown:
            raise ValueError(f"unsupported rights {sorted(unknown)}")
        with self._lock:
            self._group(chat_id).bot_rights.update(rights)

    def pinned(self, chat_id: int) -> list[int]:
        """Ids of the pinned messages, oldest pin first."""
        with self._lock:
            return list(self._group(chat_id).pinned)

    def unpin_by_user(self, chat_id: int, message_id: int) -> None:
        """A member unpins a message."""
        with self._lock:
            chat = self._group(chat_id)
            chat.pinned = [m for m in chat.pinned if m != message_id]

    # ---- checks (lock held) ----

    def _bot_may(self, chat: Chat, right: str) -> bool:
        return chat.bot_status == "administrator" and chat.bot_rights.get(right, True)

    def _thread(self, chat: Chat, params: dict) -> int | None:
        """The topic a message goes to, or None for the general one."""
        thread_id = params.get("message_thread_id")
        if thread_id is None:
            return None
        state = chat.topics.get(thread_id) if chat.is_forum else None
        if state in (None, "deleted"):
            raise bad_request("message thread not found")
        if state == "closed" and not self._bot_may(chat, "can_manage_topics"):
            raise bad_request("TOPIC_CLOSED")
        return thread_id

    # ---- Bot API methods (lock held) ----

    def _m_sendChatAction(self, params: dict, raw: dict) -> bool:
        chat = self._resolve_chat(params["chat_id"], sending=True)
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        if chat.bot_status == "restricted":
            raise bad_request("not enough rights to send text messages to the chat")
        self._thread(chat, params)
        return True

    def _m_pinChatMessage(self, params: dict, raw: dict) -> bool:
        chat = self._resolve_chat(params["chat_id"])
        if not self._bot_may(chat, "can_pin_messages"):
            raise bad_request("not enough rights to manage pinned messages in the chat")
        msg = self._messages[chat.id].get(params["message_id"])
        if msg is None or msg.deleted:
            raise bad_request("message to pin not found")
        self._check_rate("pinChatMessage", chat.id)
        chat.pinned = [m for m in chat.pinned if m != msg.message_id] + [msg.message_id]
        self._messages[chat.id][msg.message_id] = replace(
            msg, pin_silent=bool(params.get("disable_notification"))
        )
        self._count_rate("pinChatMessage", chat.id)
        return True

    def _m_unpinChatMessage(self, params: dict, raw: dict) -> bool:
        chat = self._resolve_chat(params["chat_id"])
        if not self._bot_may(chat, "can_pin_messages"):
            raise bad_request("not enough rights to manage pinned messages in the chat")
        target = params.get("message_id") or (chat.pinned[-1] if chat.pinned else None)
        chat.pinned = [m for m in chat.pinned if m != target]
        return True

    def _admin_rights(self, chat: Chat) -> dict[str, Any]:
        """What getChatMember shows of the bot's rights as an administrator."""
        return {right: chat.bot_rights.get(right, True) for right in ADMIN_RIGHTS}
