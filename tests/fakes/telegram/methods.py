"""The Bot API methods the fake implements, run against its `Chats` with the real checks.

Each ``_m_<method>`` gets the parameters decoded per ``api.json`` (and the raw ones, for
deprecated parameters the spec no longer lists) and returns the JSON result or raises
`ApiError` with the real server's text. Flood limits (`limits`: per chat with
`set_rate_limit`, per bot with `set_bot_rate_limit`) apply here too.
"""

from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import replace
from typing import Any

from tests.fakes.telegram import media
from tests.fakes.telegram.chats import Chat, Chats, chat_kind
from tests.fakes.telegram.errors import NOT_MODIFIED, QUERY_TOO_OLD, ApiError, bad_request
from tests.fakes.telegram.forum import Forum
from tests.fakes.telegram.html import HtmlParseError, parse_html, trim_entities, utf16_len
from tests.fakes.telegram.limits import BOT_LIMIT, FloodControl, Limit
from tests.fakes.telegram.records import Message
from tests.fakes.telegram.spec import INT_RE

__all__ = ["IMPLEMENTED_METHODS", "BotMethods"]

IMPLEMENTED_METHODS = frozenset(
    {
        "getMe",
        "getUpdates",
        "deleteWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "getChat",
        "getChatMember",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "deleteMessage",
        "close",
        "logOut",
        "sendChatAction",
        "pinChatMessage",
        "unpinChatMessage",
        "sendDocument",
        "sendPhoto",
    }
)

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64


class BotMethods(Forum, Chats):
    """`Chats` plus the Bot API methods acting on them (without HTTP)."""

    def __init__(
        self,
        *,
        strict_html_entities: bool,
        callback_answer_timeout: float,
        bot_rate_limit: Limit | None = BOT_LIMIT,
        **chats: Any,
    ) -> None:
        super().__init__(**chats)
        self.strict_html_entities = strict_html_entities
        self.callback_answer_timeout = callback_answer_timeout
        self._flood = FloodControl(bot_rate_limit)

    def set_rate_limit(self, chat_id: int | None, max_messages: int, window: float) -> None:
        """Allow at most ``max_messages`` accepted messages (sends, edits, pins) per chat in
        any ``window`` seconds (chat_id None: the default for every chat). Excess calls get
        429 with ``retry_after``."""
        with self._lock:
            self._flood.chat_limits[chat_id] = (max_messages, window)

    def set_bot_rate_limit(self, max_messages: int | None, window: float = 1.0) -> None:
        """Allow at most ``max_messages`` accepted messages over all chats in any ``window``
        seconds (None: no bot-wide limit). On at 30 a second unless the fake was made with
        another ``bot_rate_limit``. Excess calls get 429 with ``retry_after``."""
        with self._lock:
            self._flood.bot_limit = None if max_messages is None else (max_messages, window)

    def clear_rate_limits(self) -> None:
        """Remove every rate limit, the bot-wide one included; messages sent so far do not
        count against limits set afterwards (they still count in the peaks)."""
        with self._lock:
            self._flood.clear()

    def peak_per_second(self) -> int:
        """The most messages the bot had accepted in any one second, over all chats."""
        with self._lock:
            return self._flood.peak(1.0)

    def peak_per_minute(self, chat_id: int) -> int:
        """The most messages the bot had accepted in any one minute in ``chat_id``."""
        with self._lock:
            return self._flood.peak(60.0, chat_id)

    def peaks_per_minute(self) -> dict[int, int]:
        """`peak_per_minute` of every chat the bot has sent to."""
        with self._lock:
            return self._flood.peaks(60.0)

    def _call_method(self, method: str, params: dict, raw: dict) -> Any:
        """Run an implemented method other than getUpdates (the server long-polls that)."""
        with self._lock:
            return getattr(self, f"_m_{method}")(params, raw)

    # ---- checks shared by methods (lock held) ----

    def _resolve_chat(self, chat_id: int | str, *, sending: bool = False) -> Chat:
        chat: Chat | None = None
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                chat = next((c for c in self._chats.values() if c.username == chat_id[1:]), None)
            elif INT_RE.fullmatch(chat_id):
                chat_id = int(chat_id)
        if isinstance(chat_id, int):
            chat = self._chats.get(chat_id)
            if chat is None and sending and chat_id in self._users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == "private":
            if chat.bot_status == "kicked":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat_kind(chat)} chat")
        elif chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat_kind(chat)} chat")
        return chat

    def _check_rate(self, method: str, chat_id: int) -> None:
        self._flood.check(method, chat_id, time.monotonic())

    def _count_rate(self, method: str, chat_id: int) -> None:
        self._flood.count(method, chat_id, time.monotonic())

    def _format_text(self, params: dict) -> tuple[str, str, list[dict], str | None]:
        """(raw text, plain text, entities, parse_mode) after parsing and length checks."""
        raw_text = params.get("text")
        if not raw_text:
            raise bad_request("message text is empty")
        parse_mode = params.get("parse_mode")
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                plain, entities = parse_html(raw_text, strict=self.strict_html_entities)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        elif mode in ("", "none"):
            plain, entities = raw_text, list(params.get("entities") or [])
            total = utf16_len(plain)
            for entity in entities:
                if entity["offset"] < 0 or entity["length"] <= 0:
                    raise bad_request("can't parse entities: entity offset or length is invalid")
                if entity["offset"] + entity["length"] > total:
                    raise bad_request("can't parse entities: entity is out of the text bounds")
        elif mode in ("markdown", "markdownv2"):
            raise bad_request(f"parse_mode {parse_mode} is not implemented in fake; use HTML")
        else:
            raise bad_request("unsupported parse_mode")
        plain, entities = trim_entities(plain, [self._mention(e) for e in entities])
        if not plain:
            raise bad_request("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return raw_text, plain, entities, parse_mode

    def _mention(self, entity: dict) -> dict:
        """As Telegram does, an HTML link to `tg://user?id=<id>` of a user it knows becomes a
        `text_mention` carrying that user (and notifies them); other links stay links."""
        url = entity.get("url", "") if entity["type"] == "text_link" else ""
        user_id = url.removeprefix("tg://user?id=")
        if url == user_id or not user_id.isdigit() or int(user_id) not in self._users:
            return entity
        mention = {k: v for k, v in entity.items() if k != "url"}
        return {**mention, "type": "text_mention", "user": dict(self._users[int(user_id)])}

    def _check_markup(self, markup: dict | None) -> dict | None:
        """Extra InlineKeyboardButton rules the type system cannot express."""
        if markup is None or "inline_keyboard" not in markup:
            return markup
        action_fields = [
            f["name"]
            for f in self.spec.types["InlineKeyboardButton"]["fields"]
            if f["name"] not in ("text", "icon_custom_emoji_id", "style")
        ]
        for row in markup["inline_keyboard"]:
            for button in row:
                actions = [name for name in action_fields if name in button]
                if not actions:
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the"
                        " inline keyboard"
                    )
                if len(actions) > 1:
                    raise bad_request(
                        "can't parse inline keyboard button: exactly one of the optional fields"
                        f" must be used, got {', '.join(actions)}"
                    )
                if not button["text"]:
                    raise bad_request("BUTTON_TEXT_INVALID")
                if "callback_data" in button:
                    size = len(button["callback_data"].encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"(?i)(https?|tg)://\S", button["url"]):
                    raise bad_request("BUTTON_URL_INVALID")
                if button.get("style") not in (None, "danger", "success", "primary"):
                    raise bad_request(
                        "can't parse inline keyboard button: unsupported button style"
                    )
        return markup

    def _editable(self, params: dict) -> tuple[Chat, Message]:
        if params.get("inline_message_id") is not None:
            raise bad_request("MESSAGE_ID_INVALID")
        if params.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self._resolve_chat(params["chat_id"])
        msg = self._messages[chat.id].get(params["message_id"])
        if msg is None or msg.deleted or msg.service is not None:
            raise bad_request("message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        return chat, msg

    @staticmethod
    def _markup_key(markup: dict | None) -> Any:
        if not markup or not any(markup.get("inline_keyboard") or []):
            return None
        return json.dumps(markup, sort_keys=True)

    # ---- Bot API methods (lock held; return the JSON result or raise ApiError) ----

    def _m_getMe(self, params: dict, raw: dict) -> dict:
        return dict(self.bot_user)

    def _m_deleteWebhook(self, params: dict, raw: dict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict, raw: dict) -> dict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_setMyCommands(self, params: dict, raw: dict) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_getMyCommands(self, params: dict, raw: dict) -> list:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    def _m_deleteMyCommands(self, params: dict, raw: dict) -> bool:
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    def _m_getChat(self, params: dict, raw: dict) -> dict:
        chat = self._resolve_chat(params["chat_id"])
        info = self._chat_json(chat)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.pinned:
            info["pinned_message"] = self._message_json(self._messages[chat.id][chat.pinned[-1]])
        return info

    def _m_getChatMember(self, params: dict, raw: dict) -> dict:
        chat = self._resolve_chat(params["chat_id"])
        user_id = params["user_id"]
        if user_id == self.bot_id:
            member = self._member_json(self._bot_public, chat.bot_status)
            if chat.bot_status == "administrator":
                member.update(self._admin_rights(chat))
            return member
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
        else:
            status = chat.members.get(user_id, "left")
        return self._member_json(user, status)

    def _m_sendMessage(self, params: dict, raw: dict) -> dict:
        chat = self._resolve_chat(params["chat_id"], sending=True)
        if chat.bot_status == "restricted":
            raise bad_request("not enough rights to send text messages to the chat")
        self._check_rate("sendMessage", chat.id)
        raw_text, plain, entities, parse_mode = self._format_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        thread_id = self._thread(chat, params)
        reply_to = self._reply_target(chat, params, raw)
        if thread_id is None and reply_to is not None:  # a reply stays in its topic
            target_thread = self._messages[chat.id][reply_to].message_thread_id
            thread_id = self._thread(chat, {"message_thread_id": target_thread})
        preview = params.get("link_preview_options")
        if preview is None and str(raw.get("disable_web_page_preview", "")).lower() == "true":
            preview = {"is_disabled": True}
        msg = self._store(
            chat,
            sender_id=self.bot_id,
            from_bot=True,
            text=plain,
            html=raw_text,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            link_preview_options=preview,
            disable_notification=bool(params.get("disable_notification")),
            message_thread_id=thread_id,
        )
        self._count_rate("sendMessage", chat.id)
        return self._message_json(msg)

    def _m_sendDocument(self, params: dict, raw: dict) -> dict:
        return self._send_media("sendDocument", "document", params, raw)

    def _m_sendPhoto(self, params: dict, raw: dict) -> dict:
        return self._send_media("sendPhoto", "photo", params, raw)

    def _send_media(self, method: str, field: str, params: dict, raw: dict) -> dict:
        """An uploaded file with an optional caption (HTML parsed, at most 1024 characters)."""
        chat = self._resolve_chat(params["chat_id"], sending=True)
        if chat.bot_status == "restricted":
            kind = "documents" if field == "document" else "photos"
            raise bad_request(f"not enough rights to send {kind} to the chat")
        self._check_rate(method, chat.id)
        upload = media.uploaded(raw, field)
        if field == "document":
            described: dict = {"document": media.document_json(upload)}
        else:
            described = {"photo": media.photo_json(upload)}
        raw_caption, plain, entities, parse_mode = "", "", [], params.get("parse_mode")
        if params.get("caption"):
            caption = {"text": params["caption"], "parse_mode": parse_mode}
            try:
                raw_caption, plain, entities, parse_mode = self._format_text(caption)
            except ApiError as error:  # the text limit is not the caption's
                if "too long" in error.description:
                    raise bad_request("message caption is too long") from None
                raise
            media.check_caption(plain)
        msg = self._store(
            chat,
            sender_id=self.bot_id,
            from_bot=True,
            text=plain,
            html=raw_caption,
            parse_mode=parse_mode,
            entities=entities,
            reply_to_message_id=self._reply_target(chat, params, raw),
            disable_notification=bool(params.get("disable_notification")),
            media=described,
            file=upload.data,
        )
        self._count_rate(method, chat.id)
        return self._message_json(msg)

    def _reply_target(self, chat: Chat, params: dict, raw: dict) -> int | None:
        reply = params.get("reply_parameters")
        if reply is None and raw.get("reply_to_message_id") not in (None, ""):
            try:
                legacy_id = int(raw["reply_to_message_id"])
            except ValueError:
                raise bad_request("invalid reply_to_message_id") from None
            allow = str(raw.get("allow_sending_without_reply", "")).lower() in ("true", "1")
            reply = {"message_id": legacy_id, "allow_sending_without_reply": allow}
        if reply is None:
            return None
        if reply.get("chat_id") not in (None, chat.id, str(chat.id)):
            raise bad_request("replies to messages in other chats are not implemented in fake")
        target = self._messages[chat.id].get(reply["message_id"])
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return target.message_id

    def _m_editMessageText(self, params: dict, raw: dict) -> dict:
        chat, msg = self._editable(params)
        self._check_rate("editMessageText", chat.id)
        raw_text, plain, entities, parse_mode = self._format_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        unchanged = (
            plain == msg.text
            and entities == msg.entities
            and self._markup_key(markup) == self._markup_key(msg.reply_markup)
        )
        if unchanged:
            raise bad_request(NOT_MODIFIED[len("Bad Request: ") :])
        edited = replace(
            msg,
            text=plain,
            html=raw_text,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,  # no reply_markup removes the keyboard, like the real API
            link_preview_options=params.get("link_preview_options", msg.link_preview_options),
            edits=msg.edits + 1,
            edit_date=int(time.time()),
            history=(*msg.history, msg.text),
        )
        self._messages[chat.id][msg.message_id] = edited
        self._count_rate("editMessageText", chat.id)
        return self._message_json(edited)

    def _m_editMessageReplyMarkup(self, params: dict, raw: dict) -> dict:
        chat, msg = self._editable(params)
        self._check_rate("editMessageReplyMarkup", chat.id)
        markup = self._check_markup(params.get("reply_markup"))
        if self._markup_key(markup) == self._markup_key(msg.reply_markup):
            raise bad_request(NOT_MODIFIED[len("Bad Request: ") :])
        edited = replace(msg, reply_markup=markup, edits=msg.edits + 1, edit_date=int(time.time()))
        self._messages[chat.id][msg.message_id] = edited
        self._count_rate("editMessageReplyMarkup", chat.id)
        return self._message_json(edited)

    def _m_answerCallbackQuery(self, params: dict, raw: dict) -> bool:
        tap = self._taps.get(params["callback_query_id"])
        if (
            tap is None
            or tap.answer is not None
            or time.monotonic() - tap.at > self.callback_answer_timeout
        ):
            raise bad_request(QUERY_TOO_OLD[len("Bad Request: ") :])
        text = params.get("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        answer = {
            "text": text,
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
            "cache_time": params.get("cache_time", 0),
        }
        self._taps[tap.id] = replace(tap, answer=answer)
        return True

    def _m_deleteMessage(self, params: dict, raw: dict) -> bool:
        chat = self._resolve_chat(params["chat_id"])
        msg = self._messages[chat.id].get(params["message_id"])
        if msg is None or msg.deleted:
            raise bad_request("message to delete not found")
        can_delete_others = chat.type == "private" or chat.bot_status == "administrator"
        if not msg.from_bot and not can_delete_others:
            raise bad_request("message can't be deleted")
        self._messages[chat.id][msg.message_id] = replace(msg, deleted=True)
        return True

    def _m_close(self, params: dict, raw: dict) -> bool:
        return True

    def _m_logOut(self, params: dict, raw: dict) -> bool:
        return True
