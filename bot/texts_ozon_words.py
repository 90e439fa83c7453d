"""Ozon's words in what the desk says besides a request's post (alerts, tap answers,
problem notices, /help), merged into bot.texts.

A key ending `.ozon` is the Ozon wording of the key before it (`bot.formatting.worded`);
one ending `.both` is a chat's serving both marketplaces (`bot.formatting.chat_worded`).
"""

from __future__ import annotations

RU: dict[str, str] = {
    "what.market.ozon": "получить запросы из Ozon",
    "what.market_of.ozon": "получить запросы кабинета «{cabinet}» из Ozon",
    "alert.limited.ozon": (
        "⚠️ Не удаётся {what} уже {minutes} мин: Ozon ограничил запросы ({error}). "
        "Жду, когда ограничение снимется."
    ),
    "answer.sending.ozon": "Отправляю решение в Ozon…",
    "problem.read.ozon": (
        "⚠️ <b>Ozon прислал запрос на отмену отправления {order_id}, который бот не может "
        "прочитать</b>: {detail}."
    ),
    "problem.store.ozon": (
        "⚠️ <b>Бот не смог сохранить запрос на отмену отправления {order_id}</b>: {detail}."
    ),
    "problem.post.ozon": (
        "⚠️ <b>Бот не может опубликовать запрос на отмену отправления {order_id}</b>: "
        "{detail}. Он попробует ещё раз позже."
    ),
    "problem.edit.ozon": (
        "⚠️ <b>Бот не может обновить сообщение об отправлении {order_id}</b>: {detail}. "
        "Оно может показывать устаревшее состояние."
    ),
    "problem.remind.ozon": "⚠️ <b>Бот не смог напомнить об отправлении {order_id}</b>: {detail}.",
    "help.ozon": (
        "<b>Стол отмен</b> следит за запросами на отмену отправлений rFBS в Ozon, "
        "которые уже в пути. На каждый запрос нужно ответить до срока, указанного в посте, "
        "иначе Ozon одобрит отмену автоматически и вернёт покупателю деньги.\n\n"
        "Решения под каждым запросом:\n"
        "• <b>Одобрить отмену</b> — доставку ещё можно остановить;\n"
        "• <b>Отклонить — уже доставлен</b> — покупатель уже получил заказ;\n"
        "• <b>Отклонить — у курьера</b> — заказ уже передан курьеру.\n"
        "{confirm_note}{team_note}\n"
        "Бот напомнит о сроке ({leads}).\n\n"
        "/pending — все запросы, ждущие решения\n/help — эта справка"
    ),
    "help.both": (
        "<b>Стол отмен</b> следит за запросами покупателей на отмену заказов DBS в Маркете "
        "и отправлений rFBS в Ozon, которые уже в пути; в каждом посте сказано, откуда "
        "запрос. Ответить нужно до срока, указанного в посте: иначе Маркет отменит заказ, "
        "а Ozon одобрит отмену автоматически, и покупатель получит деньги назад.\n\n"
        "Решения под каждым запросом (в Ozon — «Одобрить» и «Отклонить»):\n"
        "• <b>Принять отмену</b> — доставку ещё можно остановить;\n"
        "• <b>Отказать — уже доставлен</b> — покупатель уже получил заказ;\n"
        "• <b>Отказать — у курьера</b> — заказ уже передан курьеру.\n"
        "{confirm_note}{team_note}\n"
        "Бот напомнит о сроке ({leads}).\n\n"
        "/pending — все запросы, ждущие решения\n/help — эта справка"
    ),
    "help.no_confirm.ozon": "Решение уходит в Ozon сразу после нажатия.",
    "help.no_confirm.both": "Решение уходит в Маркет или Ozon сразу после нажатия.",
    "start.ozon": (
        "Здравствуйте! Я публикую запросы на отмену отправлений и передаю решения в Ozon."
    ),
    "start.both": (
        "Здравствуйте! Я публикую запросы на отмену заказов и передаю решения в Маркет и Ozon."
    ),
    "owner.order_unknown.posting": "Отправление {order_id} боту не встречалось.",
}

EN: dict[str, str] = {
    "what.market.ozon": "fetch requests from Ozon",
    "what.market_of.ozon": "fetch requests of the cabinet “{cabinet}” from Ozon",
    "alert.limited.ozon": (
        "⚠️ Cannot {what} for {minutes} min: Ozon limits the desk's calls ({error}). "
        "Waiting for the limit to reset."
    ),
    "answer.sending.ozon": "Sending the decision to Ozon…",
    "problem.read.ozon": (
        "⚠️ <b>Ozon sent a cancellation request on posting {order_id}, which the desk cannot "
        "read</b>: {detail}."
    ),
    "problem.store.ozon": (
        "⚠️ <b>The desk could not store the cancellation request on posting {order_id}</b>: "
        "{detail}."
    ),
    "problem.post.ozon": (
        "⚠️ <b>The desk cannot post the cancellation request on posting {order_id}</b>: "
        "{detail}. It will try again later."
    ),
    "problem.edit.ozon": (
        "⚠️ <b>The desk cannot update the post of posting {order_id}</b>: {detail}. "
        "It may show an outdated state."
    ),
    "problem.remind.ozon": (
        "⚠️ <b>The desk could not send a reminder on posting {order_id}</b>: {detail}."
    ),
    "help.ozon": (
        "<b>The cancellation desk</b> watches requests to cancel Ozon rFBS postings that are "
        "already on their way. Each must be answered by the deadline in its post, or Ozon "
        "approves the cancellation by itself and refunds the buyer.\n\n"
        "The decisions under each request:\n"
        "• <b>Approve cancellation</b> — delivery can still be stopped;\n"
        "• <b>Reject — already delivered</b> — the buyer has the order;\n"
        "• <b>Reject — with the courier</b> — the courier already has it.\n"
        "{confirm_note}{team_note}\n"
        "The bot reminds you of the deadline ({leads}).\n\n"
        "/pending — every request waiting for a decision\n/help — this help"
    ),
    "help.both": (
        "<b>The cancellation desk</b> watches buyers' requests to cancel Market DBS orders "
        "and Ozon rFBS postings that are already on their way; each post says which "
        "marketplace it is from. Each must be answered by the deadline in its post, or the "
        "Market cancels the order, or Ozon approves the cancellation by itself, and the "
        "buyer is refunded.\n\n"
        "The decisions under each request (Ozon's say Approve):\n"
        "• <b>Accept cancellation</b> — delivery can still be stopped;\n"
        "• <b>Reject — already delivered</b> — the buyer has the order;\n"
        "• <b>Reject — with the courier</b> — the courier already has it.\n"
        "{confirm_note}{team_note}\n"
        "The bot reminds you of the deadline ({leads}).\n\n"
        "/pending — every request waiting for a decision\n/help — this help"
    ),
    "help.no_confirm.ozon": "The decision goes to Ozon as soon as you tap.",
    "help.no_confirm.both": "The decision goes to the Market or Ozon as soon as you tap.",
    "start.ozon": "Hello! I post cancellation requests and pass your decisions to Ozon.",
    "start.both": (
        "Hello! I post cancellation requests and pass your decisions to the Market and Ozon."
    ),
    "owner.order_unknown.posting": "The desk never saw posting {order_id}.",
}
