"""The world the fake Telegram keeps: chats, users, messages, taps and the update queue.

`Chats` is the state behind the fake server and what test users do in it (write, tap,
delete, upgrade a group, kick the bot). It knows nothing of HTTP: `BotMethods` adds the
Bot API methods on top of it, and `FakeTelegram` serves them.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.fakes.telegram.html import utf16_len
from tests.fakes.telegram.records import Message, Tap
from tests.fakes.telegram.spec import Spec

__all__ = ["Chat", "Chats", "chat_kind"]

#: Update kinds not delivered unless explicitly listed in allowed_updates (the API default).
_ALL_EXCEPT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class Chat:
    """A chat as the fake holds it (mutable; tests see chats only through messages)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    bot_status: str = "member"  # member | administrator | restricted | left | kicked
    migrated_to: int | None = None
    next_message_id: int = 1
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)  # thread id -> open|closed|deleted
    pinned: list[int] = field(default_factory=list)  # message ids, oldest pin first
    bot_rights: dict[str, bool] = field(default_factory=dict)  # as administrator; absent: True


def chat_kind(chat: Chat) -> str:
    """How error texts name a chat: "the supergroup chat", "the group chat"..."""
    return {"supergroup": "supergroup", "group": "group", "channel": "channel"}.get(
        chat.type, "group"
    )


class Chats:
    """Chats, users and messages of one fake Telegram, and the updates they produce.

    Thread-safe: every public method takes the lock; internals expect it held.
    """

    def __init__(
        self, *, spec: Spec, bot_id: int, bot_username: str, bot_first_name: str, privacy_mode: bool
    ) -> None:
        self.spec = spec
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.privacy_mode = privacy_mode
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": not privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        # How the bot appears in messages and member lists (getMe-only fields omitted).
        self._bot_public = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        self._lock = threading.RLock()
        self._chats: dict[int, Chat] = {}
        self._users: dict[int, dict] = {}
        self._messages: dict[int, dict[int, Message]] = {}
        self._updates: list[tuple[str, dict]] = []  # (kind, update)
        self._next_update_id = 100_001
        self._allowed: frozenset[str] = frozenset()  # empty: API default
        self._taps: dict[str, Tap] = {}
        self._next_callback = 1
        self._commands: dict[tuple[str, str], list[dict]] = {}

    # ---- world setup ----

    def add_group(
        self,
        chat_id: int,
        *,
        title: str = "Staff",
        type: str = "supergroup",
        bot_can_post: bool = True,
        bot_is_admin: bool = False,
        username: str | None = None,
    ) -> None:
        """Create a group/supergroup/channel the bot is in (restricted if not bot_can_post)."""
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unsupported group type {type!r}")
        status = "administrator" if bot_is_admin else "member"
        with self._lock:
            self._chats[chat_id] = Chat(
                id=chat_id,
                type=type,
                title=title,
                username=username,
                bot_status=status if bot_can_post else "restricted",
            )
            self._messages.setdefault(chat_id, {})

    def add_user(
        self,
        user_id: int,
        *,
        first_name: str,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
        member_of: Iterable[int] = (),
    ) -> dict:
        """Register a human user (optionally a member of groups); returns the User dict."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        with self._lock:
            self._users[user_id] = user
            for chat_id in member_of:
                self._group(chat_id).members[user_id] = "member"
        return dict(user)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set a user's (or, with bot_id, the bot's) status: creator, administrator, member,
        restricted, left or kicked."""
        if status not in ("creator", "administrator", "member", "restricted", "left", "kicked"):
            raise ValueError(f"unknown member status {status!r}")
        with self._lock:
            chat = self._group(chat_id)
            if user_id == self.bot_id:
                chat.bot_status = status
            else:
                self._user(user_id)
                chat.members[user_id] = status

    # ---- playing users ----

    def send_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        """A user writes ``text``; returns the update id (0 if the bot can't see the message).

        ``chat_id == user_id`` is the user's private chat with the bot (created on first use);
        ``thread_id`` is a forum topic of the group to write in.
        A leading /command gets a bot_command entity. In groups with privacy mode on (the
        default, like a fresh real bot) only commands, mentions of the bot and replies to the
        bot reach it unless the bot is an administrator.
        """
        with self._lock:
            user = self._user(user_id)
            chat = self._private_chat(user) if chat_id == user_id else self._group(chat_id)
            if chat.type != "private" and chat.members.get(user_id) in (None, "left", "kicked"):
                raise ValueError(f"user {user_id} is not a member of chat {chat_id}")
            entities: list[dict] = []
            command = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?", text)
            if command:
                entities.append(
                    {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
                )
            if reply_to is not None and reply_to not in self._messages[chat.id]:
                raise ValueError(f"no message {reply_to} in chat {chat.id} to reply to")
            if thread_id is not None and chat.topics.get(thread_id) != "open":
                raise ValueError(f"no open topic {thread_id} in chat {chat.id}")
            msg = self._store(
                chat,
                sender_id=user_id,
                from_bot=False,
                text=text,
                html=text,
                entities=entities,
                reply_to_message_id=reply_to,
                message_thread_id=thread_id,
            )
            if not self._bot_sees(chat, msg):
                return 0
            return self._push_update("message", {"message": self._message_json(msg)})

    def tap(self, chat_id: int, message_id: int, user_id: int, data: str) -> str:
        """A user presses an inline button carrying ``data``; returns the callback query id.

        Forged data or taps on unknown/deleted messages are allowed (the bot must cope) and
        flagged in ``taps()``; an unknown message is delivered as an InaccessibleMessage.
        """
        with self._lock:
            user = self._user(user_id)
            chat = self._private_chat(user) if chat_id == user_id else self._group(chat_id)
            msg = self._messages[chat.id].get(message_id)
            live = msg is not None and not msg.deleted and msg.from_bot
            forged = not live or data not in [b.get("callback_data") for b in msg.buttons]
            if live:
                message_json = self._message_json(msg)
            else:
                message_json = {"chat": self._chat_json(chat), "message_id": message_id, "date": 0}
            callback_id = str(4_000_000_000_000_000_000 + self._next_callback * 7919)
            self._next_callback += 1
            query = {
                "id": callback_id,
                "from": dict(user),
                "chat_instance": str(abs(chat.id) * 31 + 17),
                "message": message_json,
                "data": data,
            }
            update_id = self._push_update("callback_query", {"callback_query": query})
            self._taps[callback_id] = Tap(
                id=callback_id,
                chat_id=chat.id,
                message_id=message_id,
                user_id=user_id,
                data=data,
                at=time.monotonic(),
                update_id=update_id,
                forged=forged,
            )
            return callback_id

    def callback_answer(self, callback_id: str) -> dict | None:
        """What the bot answered to a tap (text, show_alert, url, cache_time) or None."""
        with self._lock:
            tap = self._taps.get(callback_id)
            if tap is None:
                raise KeyError(f"unknown callback query id {callback_id!r}")
            return copy.deepcopy(tap.answer)

    def taps(self) -> list[Tap]:
        """Every tap played so far, in order."""
        with self._lock:
            return [copy.deepcopy(tap) for tap in self._taps.values()]

    # ---- observing ----

    def messages(self, chat_id: int, *, include_users: bool = False) -> list[Message]:
        """Messages the bot sent to ``chat_id`` (deleted ones flagged), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(m)
                for m in self._messages.get(chat_id, {}).values()
                if (m.from_bot or include_users) and m.service is None
            ]

    def message(self, chat_id: int, message_id: int) -> Message:
        """The current state of any message (bot's or user's)."""
        with self._lock:
            msg = self._messages.get(chat_id, {}).get(message_id)
            if msg is None:
                raise KeyError(f"no message {message_id} in chat {chat_id}")
            return copy.deepcopy(msg)

    def pending_updates(self) -> list[dict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        with self._lock:
            return [copy.deepcopy(update) for _, update in self._updates]

    @property
    def my_commands(self) -> list[dict]:
        """Commands set for the default scope and no language (setMyCommands)."""
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(None, None), []))

    def commands_for(self, scope: dict | None = None, language_code: str | None = None) -> list:
        """Commands set for a specific scope / language."""
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # ---- world events ----

    def migrate_group(self, old_chat_id: int, new_chat_id: int) -> None:
        """Upgrade a group to a supergroup with a new id (members and bot status carried over).

        Calls addressing the old id then get 400 with ``parameters.migrate_to_chat_id``; the
        usual service messages (migrate_to_chat_id / migrate_from_chat_id) are queued.
        """
        with self._lock:
            old = self._group(old_chat_id)
            new = Chat(
                id=new_chat_id,
                type="supergroup",
                title=old.title,
                username=old.username,
                members=dict(old.members),
                bot_status=old.bot_status,
            )
            self._chats[new_chat_id] = new
            self._messages.setdefault(new_chat_id, {})
            actor = next((u for u, s in old.members.items() if s not in ("left", "kicked")), None)
            for chat, service in (
                (old, {"migrate_to_chat_id": new_chat_id}),
                (new, {"migrate_from_chat_id": old_chat_id}),
            ):
                msg = self._store(
                    chat,
                    sender_id=actor or 0,
                    from_bot=False,
                    text="",
                    html="",
                    service=service,
                )
                if chat.bot_status not in ("left", "kicked"):
                    self._push_update("message", {"message": self._message_json(msg)})
            old.migrated_to = new_chat_id

    def kick_bot(self, chat_id: int) -> None:
        """Remove the bot from a group (403 "bot was kicked ...") or, for a private chat,
        have the user block it (403 "bot was blocked by the user")."""
        self._set_bot_status(chat_id, "kicked")

    def readd_bot(self, chat_id: int) -> None:
        """Undo kick_bot: the bot is a plain member again."""
        self._set_bot_status(chat_id, "member")

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """A user deletes a message: later edits/replies to it fail like on the real API."""
        with self._lock:
            msg = self._messages.get(chat_id, {}).get(message_id)
            if msg is None:
                raise KeyError(f"no message {message_id} in chat {chat_id}")
            self._messages[chat_id][message_id] = replace(msg, deleted=True)

    # ---- internals: world helpers (call with the lock held) ----

    def _group(self, chat_id: int) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise KeyError(f"no group {chat_id}; call add_group() first")
        return chat

    def _user(self, user_id: int) -> dict:
        user = self._users.get(user_id)
        if user is None:
            raise KeyError(f"no user {user_id}; call add_user() first")
        return user

    def _private_chat(self, user: dict) -> Chat:
        chat = self._chats.get(user["id"])
        if chat is None:
            chat = Chat(
                id=user["id"],
                type="private",
                username=user.get("username"),
                first_name=user["first_name"],
                last_name=user.get("last_name"),
            )
            self._chats[chat.id] = chat
            self._messages.setdefault(chat.id, {})
        return chat

    def _set_bot_status(self, chat_id: int, status: str) -> None:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise KeyError(f"no chat {chat_id}")
            old_status, chat.bot_status = chat.bot_status, status
            if chat.type == "private":
                actor = self._users[chat.id]
            else:
                actor_id = next(
                    (u for u, s in chat.members.items() if s in ("creator", "administrator")),
                    next(iter(chat.members), None),
                )
                actor = self._users.get(actor_id) if actor_id is not None else None
                if actor is None:
                    actor = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                             "username": "GroupAnonymousBot"}  # fmt: skip
            update = {
                "chat": self._chat_json(chat),
                "from": dict(actor),
                "date": int(time.time()),
                "old_chat_member": self._member_json(self._bot_public, old_status),
                "new_chat_member": self._member_json(self._bot_public, status),
            }
            self._push_update("my_chat_member", {"my_chat_member": update})

    def _bot_sees(self, chat: Chat, msg: Message) -> bool:
        if chat.type == "private":
            return chat.bot_status != "kicked"
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        command = re.match(r"/[A-Za-z0-9_]+(?:@([A-Za-z0-9_]+))?", msg.text)
        if command and (command.group(1) is None or command.group(1) == self.bot_username):
            return True
        if f"@{self.bot_username}".lower() in msg.text.lower():
            return True
        target = self._messages[chat.id].get(msg.reply_to_message_id or 0)
        return bool(target and target.from_bot)

    def _store(self, chat: Chat, **fields: Any) -> Message:
        msg = Message(
            chat_id=chat.id, message_id=chat.next_message_id, date=int(time.time()), **fields
        )
        chat.next_message_id += 1
        self._messages[chat.id][msg.message_id] = msg
        return msg

    def _push_update(self, kind: str, payload: dict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append((kind, {"update_id": update_id, **payload}))
        self._updates_changed()
        return update_id

    def _updates_changed(self) -> None:
        """Called (lock held) when updates were queued; the server wakes its long polls."""

    # ---- internals: JSON builders ----

    def _chat_json(self, chat: Chat) -> dict:
        out: dict[str, Any] = {"id": chat.id, "type": chat.type}
        if chat.type == "private":
            out["first_name"] = chat.first_name
            if chat.last_name:
                out["last_name"] = chat.last_name
        else:
            out["title"] = chat.title
        if chat.is_forum:
            out["is_forum"] = True
        if chat.username:
            out["username"] = chat.username
        return out

    def _message_json(self, msg: Message, *, with_reply: bool = True) -> dict:
        chat = self._chats[msg.chat_id]
        out: dict[str, Any] = {"message_id": msg.message_id}
        if msg.message_thread_id is not None:
            out.update(message_thread_id=msg.message_thread_id, is_topic_message=True)
        sender = self._bot_public if msg.from_bot else self._users.get(msg.sender_id)
        if sender is not None:
            out["from"] = dict(sender)
        out["chat"] = self._chat_json(chat)
        out["date"] = msg.date
        if msg.edit_date is not None:
            out["edit_date"] = msg.edit_date
        if msg.reply_to_message_id is not None and with_reply:
            target = self._messages[msg.chat_id].get(msg.reply_to_message_id)
            if target is not None:
                out["reply_to_message"] = self._message_json(target, with_reply=False)
        if msg.service is not None:
            out.update(msg.service)
            return out
        if msg.media is not None:
            out.update(copy.deepcopy(msg.media))
            if msg.text:
                out["caption"] = msg.text
            if msg.entities:
                out["caption_entities"] = copy.deepcopy(msg.entities)
            return out
        out["text"] = msg.text
        if msg.entities:
            out["entities"] = copy.deepcopy(msg.entities)
        if msg.link_preview_options:
            out["link_preview_options"] = dict(msg.link_preview_options)
        markup = msg.reply_markup
        if markup and markup.get("inline_keyboard") and any(markup["inline_keyboard"]):
            out["reply_markup"] = {"inline_keyboard": copy.deepcopy(markup["inline_keyboard"])}
        return out

    def _member_json(self, user: dict, status: str) -> dict:
        base: dict[str, Any] = {"status": status, "user": dict(user)}
        if status == "creator":
            base["is_anonymous"] = False
            return base
        if status == "administrator":
            base.update(
                can_be_edited=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_invite_users=True,
                can_restrict_members=True,
                can_pin_messages=True,
                can_post_messages=True,
                can_edit_messages=True,
            )
            return self.spec.fill_required("ChatMemberAdministrator", base)
        if status == "restricted":
            base.update(is_member=True, can_send_messages=False, until_date=0)
            return self.spec.fill_required("ChatMemberRestricted", base)
        if status == "kicked":
            base["until_date"] = 0
        return base

    @staticmethod
    def _commands_key(scope: dict | None, language_code: str | None) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True), language_code or ""

    # ---- the update queue (lock held) ----

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset > 0:
            self._updates = [(k, u) for k, u in self._updates if u["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    def _deliverable(self, limit: int) -> list[dict]:
        if self._allowed:
            self._updates = [(k, u) for k, u in self._updates if k in self._allowed]
        else:
            self._updates = [(k, u) for k, u in self._updates if k not in _ALL_EXCEPT]
        return [copy.deepcopy(update) for _, update in self._updates[:limit]]
