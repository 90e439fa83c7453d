"""Every text the desk shows, in Russian (default) and English.

Values are `str.format` templates; callers escape Market strings before filling them in.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts_demo, texts_ozon, texts_ozon_words
from bot.ops import texts_ops
from bot.owner import texts_owner
from bot.team import texts_team

RU: dict[str, str] = {
    "post.title": "🛑 <b>Запрос на отмену · заказ №{order_id}</b>",
    "post.test_order": "🧪 <b>Тестовый заказ</b>",
    "post.shop": "Магазин: {shop}",
    "post.status": "Статус: {status}",
    "post.items": "Товары:",
    "post.item": "• {name} × {count} — {price}",
    "post.item_no_price": "• {name} × {count}",
    "post.items_more": "… и ещё позиций: {count} (полный состав — в кабинете продавца)",
    "post.total": "Итого: <b>{total}</b>",
    "post.delivery": "Доставка: {delivery}",
    "post.payment": "Оплата: {payment}",
    "post.requested": "Запрос: {when}",
    "post.requested_estimated": "Запрос: ~{when} <i>(оценка)</i>",
    "post.requested_poll": "Запрос: между {earliest} и {when}",
    "post.deadline": "Ответить до: <b>{when}</b> · осталось {left}",
    "post.deadline_estimated": "Ответить до: <b>~{when}</b> <i>(оценка)</i> · осталось {left}",
    "post.deadline_passed": "Ответить до: <b>{when}</b> · <b>срок истёк</b>",
    "post.deadline_settled": "Ответить до: {when}",
    "post.deadline_settled_estimated": "Ответить до: ~{when} <i>(оценка)</i>",
    "post.urgent": "⏰ <b>До срока меньше {lead}</b>",
    "post.confirm_prompt": "❓ Подтвердите: <b>{action}</b>. Решение уйдёт в Маркет.",
    "post.sending": "⏳ {who} отправляет решение: <b>{action}</b>…",
    "post.decided": "✅ <b>{outcome}</b>\n{who}, {when}",
    "post.failed": "⚠️ Маркет не принял решение «{action}» ({who}): {error}",
    "post.failed_retry": "Можно попробовать ещё раз.",
    "post.failed_retry_at": "Можно попробовать ещё раз после {when}.",
    "post.unknown": (
        "⚠️ Решение «{action}» ({who}) могло не дойти до Маркета: бот перезапустился, "
        "не получив ответа. Заказ всё ещё ждёт решения — выберите снова."
    ),
    "post.not_pending": "ℹ️ Заказ больше не ждёт решения: {status}.",
    "post.resolved_elsewhere": "ℹ️ <b>Запрос закрыт без решения здесь</b>: {status}.",
    "post.resolved_unknown": "статус заказа неизвестен",
    "post.resolved_expired": "{status} — вероятно, отменён автоматически через 48 ч",
    "button.accept": "✅ Принять отмену",
    "button.reject_delivered": "📦 Отказать — уже доставлен",
    "button.reject_in_delivery": "🚚 Отказать — у курьера",
    "button.confirm": "✔️ Подтвердить",
    "button.back": "↩️ Назад",
    "action.accept": "принять отмену",
    "action.reject_delivered": "отказать — заказ уже доставлен",
    "action.reject_in_delivery": "отказать — заказ у курьера",
    "outcome.accept": "Отмена подтверждена",
    "outcome.reject_delivered": "В отмене отказано: заказ уже доставлен",
    "outcome.reject_in_delivery": "В отмене отказано: заказ у курьера",
    "answer.confirm": "Нажмите «Подтвердить», чтобы отправить решение",
    "answer.back": "Отменено",
    "answer.sending": "Отправляю решение в Маркет…",
    "answer.already": "Уже решено: {who}",
    "answer.in_flight": "Решение уже отправляется: {who}",
    "answer.closed": "Запрос уже закрыт",
    "answer.stale": "Кнопка устарела — посмотрите на сообщение ещё раз",
    "answer.not_staff": "Решать могут только сотрудники из списка",
    "answer.unknown": "Неизвестная кнопка",
    "problem.read": (
        "⚠️ <b>Маркет прислал заказ №{order_id}, который бот не может прочитать</b>: {detail}."
    ),
    "problem.store": (
        "⚠️ <b>Бот не смог сохранить запрос на отмену заказа №{order_id}</b>: {detail}."
    ),
    "problem.post": (
        "⚠️ <b>Бот не может опубликовать запрос на отмену заказа №{order_id}</b>: {detail}. "
        "Он попробует ещё раз позже."
    ),
    "problem.edit": (
        "⚠️ <b>Бот не может обновить сообщение о заказе №{order_id}</b>: {detail}. "
        "Оно может показывать устаревшее состояние."
    ),
    "problem.remind": "⚠️ <b>Бот не смог напомнить о заказе №{order_id}</b>: {detail}.",
    "problem.act": "Проверьте заказ в кабинете продавца и ответьте там, чтобы срок не истёк.",
    "reminder": "⏰ До срока ответа по заказу №{order_id} осталось {left} (до {when}).",
    "reminder.estimated": (
        "⏰ До срока ответа по заказу №{order_id} осталось ~{left} (до ~{when}, оценка)."
    ),
    "pending.empty": "Запросов на отмену, ждущих решения, нет 🎉",
    "pending.title": "<b>Ждут решения: {count}</b> (ближайший срок — первым)",
    "pending.line": '{n}. <a href="{link}">№{order_id}</a> · {shop} · осталось {left}',
    "pending.line_nolink": "{n}. №{order_id} · {shop} · осталось {left} (ещё не опубликован)",
    "pending.estimated": " (оценка)",
    "pending.expired": "срок истёк",
    "help": (
        "<b>Стол отмен</b> следит за запросами покупателей на отмену заказов DBS, "
        "которые уже у курьера или в пункте выдачи. На каждый запрос нужно ответить "
        "в течение 48 часов, иначе Маркет отменит заказ и вернёт деньги.\n\n"
        "Решения под каждым запросом:\n"
        "• <b>Принять отмену</b> — доставку ещё можно остановить;\n"
        "• <b>Отказать — уже доставлен</b> — покупатель уже получил заказ;\n"
        "• <b>Отказать — у курьера</b> — заказ уже передан курьеру.\n"
        "{confirm_note}{team_note}\n"
        "Бот напомнит о сроке ({leads}).\n\n"
        "/pending — все запросы, ждущие решения\n/help — эта справка"
    ),
    "help.confirm": "После выбора нужно нажать «Подтвердить».",
    "help.no_confirm": "Решение уходит в Маркет сразу после нажатия.",
    "help.no_reminders": "напоминания выключены",
    "start": "Здравствуйте! Я публикую запросы на отмену заказов и передаю решения в Маркет.",
    "private.refused": "Этот бот работает только для сотрудников магазина.",
    "command.pending": "запросы, ждущие решения",
    "command.help": "как пользоваться ботом",
    "command.start": "начать",
    "alert.outage": (
        "⚠️ Не удаётся {what} (неудачных попыток подряд: {count}): {error}. Продолжаю попытки."
    ),
    "alert.limited": (
        "⚠️ Не удаётся {what} уже {minutes} мин: Маркет ограничил запросы ({error}). "
        "Жду, когда ограничение снимется."
    ),
    "alert.recovered": "✅ Связь восстановлена: {what} снова работает.",
    "what.market": "получить запросы из Маркета",
    "what.market_of": "получить запросы кабинета «{cabinet}» из Маркета",
    "status.DELIVERY": "передан в доставку (у курьера)",
    "status.PICKUP": "в пункте выдачи",
    "status.DELIVERED": "доставлен",
    "status.CANCELLED": "отменён",
    "status.PROCESSING": "в обработке",
    "delivery.DELIVERY": "курьером",
    "delivery.PICKUP": "самовывоз",
    "delivery.POST": "почтой",
    "delivery.DIGITAL": "цифровой товар",
    "payment.PREPAID": "предоплата",
    "payment.POSTPAID": "при получении",
    "method.YANDEX": "онлайн",
    "method.SBP": "СБП",
    "method.CASH_ON_DELIVERY": "наличными",
    "method.CARD_ON_DELIVERY": "картой при получении",
    "left.days": "{d} д {h} ч",
    "left.hours": "{h} ч {m} мин",
    "left.minutes": "{m} мин",
    **texts_team.RU,
    **texts_ops.RU,
    **texts_owner.RU,
    **texts_demo.RU,
    **texts_ozon.RU,
    **texts_ozon_words.RU,
}

EN: dict[str, str] = {
    "post.title": "🛑 <b>Cancellation request · order #{order_id}</b>",
    "post.test_order": "🧪 <b>Test order</b>",
    "post.shop": "Shop: {shop}",
    "post.status": "Status: {status}",
    "post.items": "Items:",
    "post.item": "• {name} × {count} — {price}",
    "post.item_no_price": "• {name} × {count}",
    "post.items_more": "… and {count} more items (the full list is in the seller cabinet)",
    "post.total": "Total: <b>{total}</b>",
    "post.delivery": "Delivery: {delivery}",
    "post.payment": "Payment: {payment}",
    "post.requested": "Requested: {when}",
    "post.requested_estimated": "Requested: ~{when} <i>(estimated)</i>",
    "post.requested_poll": "Requested: between {earliest} and {when}",
    "post.deadline": "Answer by: <b>{when}</b> · {left} left",
    "post.deadline_estimated": "Answer by: <b>~{when}</b> <i>(estimated)</i> · {left} left",
    "post.deadline_passed": "Answer by: <b>{when}</b> · <b>deadline passed</b>",
    "post.deadline_settled": "Answer by: {when}",
    "post.deadline_settled_estimated": "Answer by: ~{when} <i>(estimated)</i>",
    "post.urgent": "⏰ <b>Less than {lead} left</b>",
    "post.confirm_prompt": "❓ Confirm: <b>{action}</b>. The decision goes to the Market.",
    "post.sending": "⏳ {who} is sending the decision: <b>{action}</b>…",
    "post.decided": "✅ <b>{outcome}</b>\n{who}, {when}",
    "post.failed": "⚠️ The Market did not take the decision “{action}” ({who}): {error}",
    "post.failed_retry": "You can try again.",
    "post.failed_retry_at": "You can try again after {when}.",
    "post.unknown": (
        "⚠️ The decision “{action}” ({who}) may not have reached the Market: the bot "
        "restarted before the answer came. The order still awaits a decision — choose again."
    ),
    "post.not_pending": "ℹ️ The order no longer awaits a decision: {status}.",
    "post.resolved_elsewhere": "ℹ️ <b>Request closed without a decision here</b>: {status}.",
    "post.resolved_unknown": "order status unknown",
    "post.resolved_expired": "{status} — probably cancelled automatically after 48 h",
    "button.accept": "✅ Accept cancellation",
    "button.reject_delivered": "📦 Reject — already delivered",
    "button.reject_in_delivery": "🚚 Reject — with the courier",
    "button.confirm": "✔️ Confirm",
    "button.back": "↩️ Back",
    "action.accept": "accept the cancellation",
    "action.reject_delivered": "reject — already delivered",
    "action.reject_in_delivery": "reject — with the courier",
    "outcome.accept": "Cancellation accepted",
    "outcome.reject_delivered": "Cancellation rejected: already delivered",
    "outcome.reject_in_delivery": "Cancellation rejected: with the courier",
    "answer.confirm": "Tap Confirm to send the decision",
    "answer.back": "Cancelled",
    "answer.sending": "Sending the decision to the Market…",
    "answer.already": "Already decided: {who}",
    "answer.in_flight": "A decision is already being sent: {who}",
    "answer.closed": "This request is already closed",
    "answer.stale": "This button is out of date — look at the message again",
    "answer.not_staff": "Only listed staff may decide",
    "answer.unknown": "Unknown button",
    "problem.read": (
        "⚠️ <b>The Market sent order #{order_id}, which the desk cannot read</b>: {detail}."
    ),
    "problem.store": (
        "⚠️ <b>The desk could not store the cancellation request on order #{order_id}</b>: {detail}."
    ),
    "problem.post": (
        "⚠️ <b>The desk cannot post the cancellation request on order #{order_id}</b>: {detail}. "
        "It will try again later."
    ),
    "problem.edit": (
        "⚠️ <b>The desk cannot update the post of order #{order_id}</b>: {detail}. "
        "It may show an outdated state."
    ),
    "problem.remind": "⚠️ <b>The desk could not send a reminder on order #{order_id}</b>: {detail}.",
    "problem.act": "Check the order in the seller cabinet and answer there before the deadline.",
    "reminder": "⏰ Order #{order_id}: {left} left to answer (until {when}).",
    "reminder.estimated": (
        "⏰ Order #{order_id}: ~{left} left to answer (until ~{when}, estimated)."
    ),
    "pending.empty": "No cancellation requests are waiting 🎉",
    "pending.title": "<b>Waiting: {count}</b> (nearest deadline first)",
    "pending.line": '{n}. <a href="{link}">#{order_id}</a> · {shop} · {left} left',
    "pending.line_nolink": "{n}. #{order_id} · {shop} · {left} left (not posted yet)",
    "pending.estimated": " (estimated)",
    "pending.expired": "deadline passed",
    "help": (
        "<b>The cancellation desk</b> watches buyers' requests to cancel DBS orders that are "
        "already with the courier or at a pickup point. Each must be answered within 48 hours, "
        "or the Market cancels the order and refunds the buyer.\n\n"
        "The decisions under each request:\n"
        "• <b>Accept cancellation</b> — delivery can still be stopped;\n"
        "• <b>Reject — already delivered</b> — the buyer has the order;\n"
        "• <b>Reject — with the courier</b> — the courier already has it.\n"
        "{confirm_note}{team_note}\n"
        "The bot reminds you of the deadline ({leads}).\n\n"
        "/pending — every request waiting for a decision\n/help — this help"
    ),
    "help.confirm": "After choosing, tap Confirm.",
    "help.no_confirm": "The decision goes to the Market as soon as you tap.",
    "help.no_reminders": "reminders are off",
    "start": "Hello! I post cancellation requests and pass your decisions to the Market.",
    "private.refused": "This bot serves the shop's staff only.",
    "command.pending": "requests waiting for a decision",
    "command.help": "how to use the bot",
    "command.start": "start",
    "alert.outage": "⚠️ Cannot {what} for {count} attempts in a row: {error}. Still trying.",
    "alert.limited": (
        "⚠️ Cannot {what} for {minutes} min: the Market limits the desk's calls ({error}). "
        "Waiting for the limit to reset."
    ),
    "alert.recovered": "✅ Back to normal: {what} works again.",
    "what.market": "fetch requests from the Market",
    "what.market_of": "fetch requests of the cabinet “{cabinet}” from the Market",
    "status.DELIVERY": "with the courier",
    "status.PICKUP": "at the pickup point",
    "status.DELIVERED": "delivered",
    "status.CANCELLED": "cancelled",
    "status.PROCESSING": "processing",
    "delivery.DELIVERY": "courier",
    "delivery.PICKUP": "pickup",
    "delivery.POST": "post",
    "delivery.DIGITAL": "digital",
    "payment.PREPAID": "prepaid",
    "payment.POSTPAID": "on delivery",
    "method.YANDEX": "online",
    "method.SBP": "SBP",
    "method.CASH_ON_DELIVERY": "cash",
    "method.CARD_ON_DELIVERY": "card on delivery",
    "left.days": "{d} d {h} h",
    "left.hours": "{h} h {m} min",
    "left.minutes": "{m} min",
    **texts_team.EN,
    **texts_ops.EN,
    **texts_owner.EN,
    **texts_demo.EN,
    **texts_ozon.EN,
    **texts_ozon_words.EN,
}

_LANGUAGES = {"ru": RU, "en": EN}


@dataclass(frozen=True)
class Texts:
    """Lookup in one language; a missing key falls back to the raw value given."""

    language: str

    def __call__(self, key: str, **values: object) -> str:
        return _LANGUAGES[self.language][key].format(**values)

    def get(self, key: str, fallback: str) -> str:
        return _LANGUAGES[self.language].get(key, fallback)
