"""Texts of the team's features (claims, escalation, topics, summary, buyer contact).

Merged into `bot.texts` catalogs; same `str.format` templates, same escaping rule.
"""

from __future__ import annotations

RU: dict[str, str] = {
    "button.claim": "🙋 Беру",
    "post.claimed": "🙋 Взял(а): {who}, с {when}",
    "answer.claimed": "Запрос ваш. Нажмите «Беру» ещё раз, чтобы отпустить",
    "answer.released": "Вы больше не отвечаете за этот запрос",
    "answer.claimed_by": "Этим занимается {who}; решить может любой",
    "reminder.claimed": "🙋 Взял(а): {who}",
    "escalate": "📣 {who}: срок скоро истечёт, а решения нет",
    "help.claims": (
        "\n«🙋 Беру» — запрос ваш: другие увидят, кто им занят; нажмите ещё раз, чтобы отпустить."
    ),
    "topic.refused": (
        "⚠️ <b>Тема {topic} не принимает сообщения</b> ({detail}). Пока её не откроют снова, "
        "запросы публикуются в общей теме. Проверьте STAFF_TOPIC_ID и CAMPAIGN_TOPICS."
    ),
    "summary.title": "📌 <b>Ждут решения: {count}</b> · ближайший срок {when}",
    "summary.line": '{n}. <a href="{link}">№{order_id}</a> · до {when}',
    "summary.line_nolink": "{n}. №{order_id} · до {when}",
    "summary.empty": "📌 Запросов, ждущих решения, нет 🎉",
    "span.h": "{n} ч",
    "span.m": "{n} мин",
    "span.s": "{n} с",
    "substatus.USER_RECEIVED": "покупатель получил заказ",
    "substatus.DELIVERY_SERVICE_DELIVERED": "службой доставки",
    "substatus.DELIVERED_USER_RECEIVED": "покупатель получил заказ",
    "substatus.DELIVERED_USER_NOT_RECEIVED": "покупатель говорит, что не получил",
    "substatus.PICKUP_USER_RECEIVED": "покупатель забрал заказ",
    "substatus.READY_FOR_PICKUP": "готов к выдаче",
    "substatus.READY_FOR_LAST_MILE": "готов к последней миле",
    "substatus.LAST_MILE_STARTED": "курьер везёт покупателю",
    "substatus.USER_CHANGED_MIND": "покупатель передумал",
    "substatus.USER_REFUSED_DELIVERY": "покупатель отказался от доставки",
    "substatus.USER_REFUSED_PRODUCT": "товар не подошёл",
    "substatus.USER_REFUSED_QUALITY": "не устроило качество",
    "substatus.USER_UNREACHABLE": "не удалось связаться с покупателем",
    "substatus.USER_PLACED_OTHER_ORDER": "покупатель сделал другой заказ",
    "substatus.USER_BOUGHT_CHEAPER": "покупатель нашёл дешевле",
    "substatus.SHOP_FAILED": "магазин не может выполнить заказ",
    "substatus.PICKUP_EXPIRED": "истёк срок хранения",
    "substatus.DELIVERY_PROBLEMS": "проблемы с доставкой",
    "substatus.DELIVERY_SERVICE_UNDELIVERED": "служба доставки не смогла доставить",
    "substatus.LATE_CONTACT": "поздно связались с покупателем",
    "substatus.CUSTOM": "другая причина",
}

EN: dict[str, str] = {
    "button.claim": "🙋 I'm on it",
    "post.claimed": "🙋 On it: {who}, since {when}",
    "answer.claimed": "It is yours. Tap “I'm on it” again to let it go",
    "answer.released": "You are no longer on this request",
    "answer.claimed_by": "{who} is on it; anyone may still decide",
    "reminder.claimed": "🙋 On it: {who}",
    "escalate": "📣 {who}: the deadline is near and nobody has decided",
    "help.claims": (
        "\n“🙋 I'm on it” makes the request yours: others see who has it; tap again to let go."
    ),
    "topic.refused": (
        "⚠️ <b>Topic {topic} does not take messages</b> ({detail}). Until it is open again, "
        "requests are posted to the general topic. Check STAFF_TOPIC_ID and CAMPAIGN_TOPICS."
    ),
    "summary.title": "📌 <b>Waiting: {count}</b> · nearest deadline {when}",
    "summary.line": '{n}. <a href="{link}">#{order_id}</a> · by {when}',
    "summary.line_nolink": "{n}. #{order_id} · by {when}",
    "summary.empty": "📌 No requests waiting for a decision 🎉",
    "span.h": "{n} h",
    "span.m": "{n} min",
    "span.s": "{n} s",
    "substatus.USER_RECEIVED": "the buyer has it",
    "substatus.DELIVERY_SERVICE_DELIVERED": "by the carrier",
    "substatus.DELIVERED_USER_RECEIVED": "the buyer has it",
    "substatus.DELIVERED_USER_NOT_RECEIVED": "the buyer says it never came",
    "substatus.PICKUP_USER_RECEIVED": "the buyer picked it up",
    "substatus.READY_FOR_PICKUP": "ready for pickup",
    "substatus.READY_FOR_LAST_MILE": "ready for the last mile",
    "substatus.LAST_MILE_STARTED": "on its way to the buyer",
    "substatus.USER_CHANGED_MIND": "the buyer changed their mind",
    "substatus.USER_REFUSED_DELIVERY": "the buyer refused the delivery",
    "substatus.USER_REFUSED_PRODUCT": "the item did not suit",
    "substatus.USER_REFUSED_QUALITY": "the quality did not suit",
    "substatus.USER_UNREACHABLE": "the buyer could not be reached",
    "substatus.USER_PLACED_OTHER_ORDER": "the buyer placed another order",
    "substatus.USER_BOUGHT_CHEAPER": "the buyer found it cheaper",
    "substatus.SHOP_FAILED": "the shop cannot fulfil it",
    "substatus.PICKUP_EXPIRED": "the storage period ran out",
    "substatus.DELIVERY_PROBLEMS": "delivery problems",
    "substatus.DELIVERY_SERVICE_UNDELIVERED": "the carrier could not deliver",
    "substatus.LATE_CONTACT": "the buyer was contacted late",
    "substatus.CUSTOM": "another reason",
}
