"""Texts of the operations side (recovery, storage trouble, outages), merged into bot.texts."""

from __future__ import annotations

RU: dict[str, str] = {
    "post.interrupted": (
        "⚠️ Решение «{action}» ({who}) прервано перезапуском, "
        "и Маркет закрыл запрос иначе: {status}."
    ),
}

EN: dict[str, str] = {
    "post.interrupted": (
        "⚠️ The decision “{action}” ({who}) was cut off by a restart, "
        "and the Market settled the request otherwise: {status}."
    ),
}
