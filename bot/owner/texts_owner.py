"""Texts of the owner's view (/stats, /history, /order, /export, the digest), RU and EN.

Merged into `bot.texts`; kept apart so each catalogue stays a readable size.
"""

from __future__ import annotations

RU: dict[str, str] = {
    "command.stats": "статистика: /stats 7d, 30d или 2026-11",
    "command.history": "последние 20 решений",
    "command.order": "история заказа: /order 12345678",
    "command.export": "CSV за период: /export 30d или 2026-11",
    "help.owner": (
        "/stats — сколько запросов пришло и чем кончились (7d, 30d, 2026-11)\n"
        "/history — последние 20 решений\n"
        "/order 12345678 — история одного заказа\n"
        "/export 30d — таблица CSV за период"
    ),
    "help.operators": (
        "Для операторов (в личном чате):\n"
        "/cabinets — все кабинеты: последний удачный опрос, открытые запросы, "
        "ближайший срок, неполадки\n"
        "/pending all — запросы всех кабинетов, ждущие решения\n"
        "/stats all — статистика: строка на кабинет и итог (7d, 30d, 2026-11)"
    ),
    "cabinets.title": "🗄 <b>Кабинеты: {count}</b>",
    "cabinets.name": "<b>{name}</b> · чат <code>{chat_id}</code>",
    "cabinets.name_marketplace": "<b>{name}</b> · {marketplace} · чат <code>{chat_id}</code>",
    "cabinets.polled": "Последний удачный опрос: {when}",
    "cabinets.never": "ещё не было",
    "cabinets.open": "Ждут решения: {n}; ближайший срок {deadline} (№{order_id})",
    "cabinets.open_none": "Ждущих решения запросов нет",
    "cabinets.trouble": "⚠️ Неполадка с {since}: {what}",
    "cabinets.chat_lost": "⚠️ Чат не принимает сообщения бота с {since}: {what}",
    "cabinets.fine": "✅ Неполадок нет",
    "stats_all.line": (
        "<b>{name}</b>: пришло {received} · принято {accepted} · отказано {rejected} · "
        "вероятно, в другом месте {elsewhere} · вероятно, истекли {expired} · ждут {pending}"
    ),
    "stats_all.total": "<b>Всего по кабинетам</b>",
    "owner.period_usage": (
        "Период: ничего (последние 7 дней), <code>30d</code> (последние N дней, 1–3660) "
        "или <code>2026-11</code> (календарный месяц)."
    ),
    "owner.order_usage": (
        "Укажите номер заказа Маркета или отправления Ozon: "
        "<code>/order 12345678</code>, <code>/order 12345678-0001-1</code>."
    ),
    "owner.order_unknown": "Заказ №{order_id} боту не встречался.",
    "stats.title": "📊 <b>Запросы на отмену за {period}</b> ({start} — {end})",
    "stats.received": "Пришло: <b>{n}</b>",
    "stats.accept": "✅ Отмена принята: {n}",
    "stats.reject_delivered": "📦 Отказано — уже доставлен: {n}",
    "stats.reject_in_delivery": "🚚 Отказано — у курьера: {n}",
    "stats.elsewhere": "↪️ Вероятно, решено в другом месте (покупатель, поддержка): {n}",
    "stats.expired": "⌛ <b>Вероятно, истекли без ответа (Маркет вернул деньги): {n}</b>",
    "stats.expired.ozon": ("⌛ <b>Вероятно, истекли без ответа (Ozon сам одобрил отмену): {n}</b>"),
    "stats.expired.both": (
        "⌛ <b>Вероятно, истекли без ответа (маркетплейс вернул деньги): {n}</b>"
    ),
    "stats.pending": "⏳ Ещё ждут решения: {n}",
    "stats.marketplaces": "По маркетплейсам:",
    "stats.marketplace": (
        "• {name}: пришло {n} · ✅ {accept} · 📦 {reject_delivered} · 🚚 {reject_in_delivery}"
        " · ↪️ {elsewhere} · ⌛ {expired} · ⏳ {pending}"
    ),
    "stats.speed": (
        "Время до решения (точное время запроса): медиана {median}, 90% — до {p90} ({n})"
    ),
    "stats.speed_estimated": (
        "Время до решения (время запроса оценено): медиана ~{median}, 90% — до ~{p90} ({n})"
    ),
    "stats.speed_none": "Время до решения: решений нет",
    "stats.people": "Решения по сотрудникам:",
    "stats.person": "• {name}: {n}",
    "stats.note": (
        "<i>«Вероятно»: Маркет не сообщает, кто закрыл заказ без нашего решения; "
        "это вывод по сроку.</i>"
    ),
    "stats.note.ozon": (
        "<i>«Вероятно»: Ozon не сообщает, кто закрыл запрос без нашего решения; "
        "это вывод по сроку.</i>"
    ),
    "stats.note.both": (
        "<i>«Вероятно»: маркетплейсы не сообщают, кто закрыл запрос без нашего решения; "
        "это вывод по сроку.</i>"
    ),
    "history.title": "🗂 <b>Последние решения</b>",
    "history.empty": "Решений пока нет.",
    "history.line": "{when} · №{order_id} · {action} · {who} · {answer}",
    "answer.short.ok": "принято Маркетом",
    "answer.short.failed": "Маркет отказал: {error}",
    "answer.short.not_pending": "заказ уже не ждал решения",
    "answer.short.unknown": "неизвестно (перезапуск)",
    "answer.short.none": "отправляется…",
    "story.title": "📜 <b>Заказ №{order_id}</b> · {shop}",
    "story.now_pending": "Сейчас: ждёт решения до {deadline}",
    "story.now": "Итог: {outcome}",
    "story.link": '<a href="{link}">Открыть пост</a>',
    "story.seen": "{when} — замечен; запрос {requested} ({basis}), срок {deadline}",
    "story.deadline": "{when} — уведомление: запрос {requested}; срок {old} → {new}",
    "story.posted": "{when} — опубликован в чате",
    "story.reposted": "{when} — опубликован заново",
    "story.post_refused": "{when} — Telegram не принял пост: {detail}",
    "story.reminder": "{when} — напоминание: осталось {lead}",
    "story.chose": "{when} — {who} выбрал(а) «{action}», ждём подтверждения",
    "story.back": "{when} — {who} нажал(а) «Назад»",
    "story.sent": "{when} — {who} отправил(а) в Маркет: «{action}»",
    "story.answer": "{when} — ответ Маркета: {answer}",
    "story.sent.ozon": "{when} — {who} отправил(а) в Ozon: «{action}»",
    "story.answer.ozon": "{when} — ответ Ozon: {answer}",
    "answer.short.ok.ozon": "принято Ozon",
    "answer.short.failed.ozon": "Ozon отказал: {error}",
    "answer.short.not_pending.ozon": "запрос уже не ждал решения",
    "answer.short.unknown.ozon": "неизвестно (перезапуск)",
    "story.status": "{when} — статус заказа: {status}",
    "story.status.ozon": "{when} — статус запроса: {status}",
    "story.closed": "{when} — ушёл из списка ожидающих: {status}",
    "story.before": (
        "<i>* восстановлено по данным до появления журнала: исправления срока, "
        "нажатия и прежние посты тогда не сохранялись.</i>"
    ),
    "basis.notification": "точно, из уведомления",
    "basis.notification.ozon": "точно, по данным Ozon",
    "basis.poll": "по опросу",
    "basis.estimated": "оценка",
    "ledger.accept": "отмена принята",
    "ledger.reject_delivered": "отказано — уже доставлен",
    "ledger.reject_in_delivery": "отказано — у курьера",
    "ledger.elsewhere": "вероятно, решено в другом месте",
    "ledger.expired": "вероятно, истёк без ответа",
    "ledger.pending": "ждёт решения",
    "export.caption": "Запросы за {period}, часть {part}: {n} строк (CSV: UTF-8, разделитель «;»)",
    "export.empty": "За {period} запросов нет.",
    "export.columns": (
        "заказ;кампания;магазин;запрос;как известно время;срок;замечен;опубликован;"
        "решение;кто;когда;ответ Маркета;минут до решения;итог;статус при закрытии;"
        "маркетплейс;отправление Ozon"
    ),
    "digest.title": "🗓 <b>Сводка за {day}</b>",
    "digest.pending": "Ждут решения: {n}; ближайший срок {deadline} (№{order_id})",
    "digest.pending_none": "Ждущих решения запросов нет.",
    "chart.title": "Запросы на отмену за 30 дней",
    "chart.median": "медиана до решения, ч",
}

EN: dict[str, str] = {
    "command.stats": "numbers: /stats 7d, 30d or 2026-11",
    "command.history": "the last 20 decisions",
    "command.order": "one order's story: /order 12345678",
    "command.export": "CSV of a period: /export 30d or 2026-11",
    "help.owner": (
        "/stats — how many requests came and how they ended (7d, 30d, 2026-11)\n"
        "/history — the last 20 decisions\n"
        "/order 12345678 — one order's story\n"
        "/export 30d — a CSV table of a period"
    ),
    "help.operators": (
        "For operators (in a private chat):\n"
        "/cabinets — every cabinet: last good poll, open requests, nearest deadline, trouble\n"
        "/pending all — every cabinet's requests waiting for a decision\n"
        "/stats all — numbers: a line per cabinet and a total (7d, 30d, 2026-11)"
    ),
    "cabinets.title": "🗄 <b>Cabinets: {count}</b>",
    "cabinets.name": "<b>{name}</b> · chat <code>{chat_id}</code>",
    "cabinets.name_marketplace": "<b>{name}</b> · {marketplace} · chat <code>{chat_id}</code>",
    "cabinets.polled": "Last good poll: {when}",
    "cabinets.never": "never",
    "cabinets.open": "Pending: {n}; nearest deadline {deadline} (#{order_id})",
    "cabinets.open_none": "Nothing is pending",
    "cabinets.trouble": "⚠️ Trouble since {since}: {what}",
    "cabinets.chat_lost": "⚠️ The chat refuses the bot's messages since {since}: {what}",
    "cabinets.fine": "✅ No trouble",
    "stats_all.line": (
        "<b>{name}</b>: received {received} · accepted {accepted} · rejected {rejected} · "
        "probably elsewhere {elsewhere} · probably expired {expired} · pending {pending}"
    ),
    "stats_all.total": "<b>All cabinets</b>",
    "owner.period_usage": (
        "Period: nothing (the last 7 days), <code>30d</code> (the last N days, 1–3660) "
        "or <code>2026-11</code> (a calendar month)."
    ),
    "owner.order_usage": (
        "Give the Market's order number or Ozon's posting number: "
        "<code>/order 12345678</code>, <code>/order 12345678-0001-1</code>."
    ),
    "owner.order_unknown": "The desk never saw order #{order_id}.",
    "stats.title": "📊 <b>Cancellation requests, {period}</b> ({start} — {end})",
    "stats.received": "Received: <b>{n}</b>",
    "stats.accept": "✅ Cancellation accepted: {n}",
    "stats.reject_delivered": "📦 Rejected — already delivered: {n}",
    "stats.reject_in_delivery": "🚚 Rejected — with the courier: {n}",
    "stats.elsewhere": "↪️ Probably settled elsewhere (buyer, support): {n}",
    "stats.expired": "⌛ <b>Probably expired unanswered (the Market refunded): {n}</b>",
    "stats.expired.ozon": (
        "⌛ <b>Probably expired unanswered (Ozon approved the cancellation itself): {n}</b>"
    ),
    "stats.expired.both": ("⌛ <b>Probably expired unanswered (the marketplace refunded): {n}</b>"),
    "stats.pending": "⏳ Still pending: {n}",
    "stats.marketplaces": "By marketplace:",
    "stats.marketplace": (
        "• {name}: received {n} · ✅ {accept} · 📦 {reject_delivered} · 🚚 {reject_in_delivery}"
        " · ↪️ {elsewhere} · ⌛ {expired} · ⏳ {pending}"
    ),
    "stats.speed": "Time to decide (exact request times): median {median}, 90% within {p90} ({n})",
    "stats.speed_estimated": (
        "Time to decide (estimated request times): median ~{median}, 90% within ~{p90} ({n})"
    ),
    "stats.speed_none": "Time to decide: no decisions",
    "stats.people": "Decisions by person:",
    "stats.person": "• {name}: {n}",
    "stats.note": (
        "<i>“Probably”: the Market does not say who settled an order we did not decide; "
        "inferred from the deadline.</i>"
    ),
    "stats.note.ozon": (
        "<i>“Probably”: Ozon does not say who settled a request we did not decide; "
        "inferred from the deadline.</i>"
    ),
    "stats.note.both": (
        "<i>“Probably”: the marketplaces do not say who settled a request we did not decide; "
        "inferred from the deadline.</i>"
    ),
    "history.title": "🗂 <b>Last decisions</b>",
    "history.empty": "No decisions yet.",
    "history.line": "{when} · #{order_id} · {action} · {who} · {answer}",
    "answer.short.ok": "taken by the Market",
    "answer.short.failed": "refused by the Market: {error}",
    "answer.short.not_pending": "the order no longer awaited one",
    "answer.short.unknown": "unknown (restart)",
    "answer.short.none": "sending…",
    "story.title": "📜 <b>Order #{order_id}</b> · {shop}",
    "story.now_pending": "Now: waiting for a decision until {deadline}",
    "story.now": "Outcome: {outcome}",
    "story.link": '<a href="{link}">Open the post</a>',
    "story.seen": "{when} — first seen; requested {requested} ({basis}), deadline {deadline}",
    "story.deadline": "{when} — notification: requested {requested}; deadline {old} → {new}",
    "story.posted": "{when} — posted to the chat",
    "story.reposted": "{when} — posted again",
    "story.post_refused": "{when} — Telegram refused the post: {detail}",
    "story.reminder": "{when} — reminder: {lead} left",
    "story.chose": "{when} — {who} chose “{action}”, awaiting Confirm",
    "story.back": "{when} — {who} tapped Back",
    "story.sent": "{when} — {who} sent “{action}” to the Market",
    "story.answer": "{when} — the Market's answer: {answer}",
    "story.sent.ozon": "{when} — {who} sent “{action}” to Ozon",
    "story.answer.ozon": "{when} — Ozon's answer: {answer}",
    "answer.short.ok.ozon": "taken by Ozon",
    "answer.short.failed.ozon": "refused by Ozon: {error}",
    "answer.short.not_pending.ozon": "the request no longer awaited one",
    "answer.short.unknown.ozon": "unknown (restart)",
    "story.status": "{when} — order status: {status}",
    "story.status.ozon": "{when} — request status: {status}",
    "story.closed": "{when} — left the pending list: {status}",
    "story.before": (
        "<i>* rebuilt from what was kept before the journal existed: deadline corrections, "
        "taps and earlier posts were not kept then.</i>"
    ),
    "basis.notification": "exact, from a notification",
    "basis.notification.ozon": "exact, as Ozon lists it",
    "basis.poll": "by polling",
    "basis.estimated": "estimated",
    "ledger.accept": "cancellation accepted",
    "ledger.reject_delivered": "rejected — already delivered",
    "ledger.reject_in_delivery": "rejected — with the courier",
    "ledger.elsewhere": "probably settled elsewhere",
    "ledger.expired": "probably expired unanswered",
    "ledger.pending": "waiting for a decision",
    "export.caption": "Requests, {period}, part {part}: {n} rows (CSV: UTF-8, “;” separated)",
    "export.empty": "No requests in {period}.",
    "export.columns": (
        "order;campaign;shop;requested at;how known;deadline;first seen;posted;"
        "decision;by;when;Market answer;minutes to decide;outcome;status when closed;"
        "marketplace;Ozon posting"
    ),
    "digest.title": "🗓 <b>Digest for {day}</b>",
    "digest.pending": "Pending: {n}; nearest deadline {deadline} (#{order_id})",
    "digest.pending_none": "Nothing is pending.",
    "chart.title": "Cancellation requests, last 30 days",
    "chart.median": "median hours to decide",
}
