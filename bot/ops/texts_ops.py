"""Texts of the operations side (recovery, storage trouble, outages), merged into bot.texts."""

from __future__ import annotations

RU: dict[str, str] = {
    "post.interrupted": (
        "⚠️ Решение «{action}» ({who}) прервано перезапуском, "
        "и Маркет закрыл запрос иначе: {status}."
    ),
    "answer.no_storage": (
        "Не удаётся записать решение: база данных бота недоступна для записи. "
        "В Маркет ничего не отправлено, попробуйте позже."
    ),
    "alert.storage": (
        "⚠️ Бот не может писать в свою базу данных ({error}). Пока это так, решения не "
        "принимаются и новые запросы не публикуются; сохранённое не потеряно. "
        "Освободите место на диске или проверьте права на файл."
    ),
    "alert.storage_back": "✅ Запись в базу данных снова работает, бот продолжает работу.",
    "unseen.title": (
        "ℹ️ <b>Пока Telegram был недоступен, запросы на отмену пришли и закрылись без "
        "решения здесь: {count}</b>"
    ),
    "unseen.line": "• №{order_id} · {shop} · {status} · срок был {when}",
    "operator.name": "«{name}»",
    "operator.trouble": (
        "⚠️ Кабинет {cabinet}: не удаётся получить запросы из Маркета с {since}: {error}. "
        "Другие кабинеты работают как обычно."
    ),
    "operator.recovered": "✅ Кабинет {cabinet}: запросы из Маркета снова приходят.",
    "operator.trouble.ozon": (
        "⚠️ Кабинет {cabinet}: не удаётся получить запросы из Ozon с {since}: {error}. "
        "Другие кабинеты работают как обычно."
    ),
    "operator.recovered.ozon": "✅ Кабинет {cabinet}: запросы из Ozon снова приходят.",
    "answer.no_storage.ozon": (
        "Не удаётся записать решение: база данных бота недоступна для записи. "
        "В Ozon ничего не отправлено, попробуйте позже."
    ),
    "operator.chat_lost": (
        "⚠️ Кабинеты {cabinets}: бот не может писать в их чат {chat_id} ({error}). "
        "Их запросы не публикуются, пока бота не вернут в чат."
    ),
    "operator.chat_back": "✅ Кабинеты {cabinets}: бот снова пишет в их чат {chat_id}.",
}

EN: dict[str, str] = {
    "post.interrupted": (
        "⚠️ The decision “{action}” ({who}) was cut off by a restart, "
        "and the Market settled the request otherwise: {status}."
    ),
    "answer.no_storage": (
        "Cannot record the decision now: the desk's database does not take writes. "
        "Nothing was sent to the Market; try again later."
    ),
    "alert.storage": (
        "⚠️ The desk cannot write to its database ({error}). Until it can, no decision "
        "is taken and no new request is posted; nothing stored is lost. "
        "Free disk space or fix the file's permissions."
    ),
    "alert.storage_back": "✅ Back to normal: the database takes writes again.",
    "unseen.title": (
        "ℹ️ <b>While Telegram was out of reach, cancellation requests came and closed "
        "without a decision here: {count}</b>"
    ),
    "unseen.line": "• #{order_id} · {shop} · {status} · deadline was {when}",
    "operator.name": "“{name}”",
    "operator.trouble": (
        "⚠️ Cabinet {cabinet}: cannot fetch requests from the Market since {since}: {error}. "
        "The other cabinets work as usual."
    ),
    "operator.recovered": "✅ Cabinet {cabinet}: requests from the Market come in again.",
    "operator.trouble.ozon": (
        "⚠️ Cabinet {cabinet}: cannot fetch requests from Ozon since {since}: {error}. "
        "The other cabinets work as usual."
    ),
    "operator.recovered.ozon": "✅ Cabinet {cabinet}: requests from Ozon come in again.",
    "answer.no_storage.ozon": (
        "Cannot record the decision now: the desk's database does not take writes. "
        "Nothing was sent to Ozon; try again later."
    ),
    "operator.chat_lost": (
        "⚠️ Cabinets {cabinets}: the bot cannot write to their chat {chat_id} ({error}). "
        "Their requests are not posted until the bot is back in the chat."
    ),
    "operator.chat_back": "✅ Cabinets {cabinets}: the bot writes to their chat {chat_id} again.",
}
