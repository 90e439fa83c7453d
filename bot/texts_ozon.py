"""Texts of Ozon's requests and of a chat serving two marketplaces, merged into bot.texts.

A key ending `.ozon` is the Ozon wording of the key before it (`bot.formatting.worded`).
"""

from __future__ import annotations

RU: dict[str, str] = {
    "marketplace.yandex": "Маркет",
    "marketplace.ozon": "Ozon",
    "post.title_market": "🛑 <b>Запрос на отмену · Маркет · заказ №{order_id}</b>",
    "ozon.title": "🛑 <b>Запрос на отмену · Ozon · отправление {posting}</b>",
    "ozon.status": "Статус отправления: {status}",
    "ozon.delivery": "Доставка: {method}",
    "ozon.initiator": "Кто просит: {who}",
    "ozon.reason": "Причина: {reason}",
    "ozon.message": "Комментарий: «{message}»",
    "ozon.initiator.CLIENT": "покупатель",
    "ozon.initiator.OZON": "Ozon",
    "ozon.initiator.SELLER": "продавец",
    "ozon.initiator.SYSTEM": "система Ozon",
    "ozon.initiator.DELIVERY": "служба доставки",
    "ozon.posting.acceptance_in_progress": "идёт приёмка",
    "ozon.posting.awaiting_approve": "ожидает подтверждения",
    "ozon.posting.awaiting_packaging": "ожидает упаковки",
    "ozon.posting.awaiting_registration": "ожидает регистрации",
    "ozon.posting.awaiting_deliver": "ожидает отгрузки",
    "ozon.posting.arbitration": "арбитраж",
    "ozon.posting.client_arbitration": "клиентский арбитраж",
    "ozon.posting.delivering": "доставляется",
    "ozon.posting.driver_pickup": "у водителя",
    "ozon.posting.delivered": "доставлено",
    "ozon.posting.cancelled": "отменено",
    "ozon.posting.not_accepted": "не принято на сортировочном центре",
    "ozon.state.ON_APPROVAL": "ждёт решения",
    "ozon.state.CANCELLED": "отмена одобрена",
    "ozon.state.REJECTED": "в отмене отказано",
    "ozon.resolved_approved": (
        "ℹ️ <b>Ozon сообщает: отмена одобрена вне стола</b> (в кабинете продавца)."
    ),
    "ozon.resolved_auto": "ℹ️ <b>Ozon одобрил отмену автоматически</b>: срок ответа истёк.",
    "ozon.resolved_rejected": (
        "ℹ️ <b>Ozon сообщает: в отмене отказано вне стола</b> (в кабинете продавца)."
    ),
    "button.accept.ozon": "✅ Одобрить отмену",
    "button.reject_delivered.ozon": "📦 Отклонить — уже доставлен",
    "button.reject_in_delivery.ozon": "🚚 Отклонить — у курьера",
    "action.accept.ozon": "одобрить отмену",
    "action.reject_delivered.ozon": "отклонить — заказ уже доставлен",
    "action.reject_in_delivery.ozon": "отклонить — заказ у курьера",
    "outcome.accept.ozon": "Отмена одобрена",
    "outcome.reject_delivered.ozon": "Отмена отклонена: заказ уже доставлен",
    "outcome.reject_in_delivery.ozon": "Отмена отклонена: заказ у курьера",
    "post.confirm_prompt.ozon": "❓ Подтвердите: <b>{action}</b>. Решение уйдёт в Ozon.",
    "post.failed.ozon": "⚠️ Ozon не принял решение «{action}» ({who}): {error}",
    "post.unknown.ozon": (
        "⚠️ Решение «{action}» ({who}) могло не дойти до Ozon: бот перезапустился, "
        "не получив ответа. Запрос всё ещё ждёт решения — выберите снова."
    ),
    "post.not_pending.ozon": "ℹ️ Запрос больше не ждёт решения: {status}.",
    "post.interrupted.ozon": (
        "⚠️ Решение «{action}» ({who}) прервано перезапуском, и Ozon закрыл запрос иначе: {status}."
    ),
}

EN: dict[str, str] = {
    "marketplace.yandex": "Market",
    "marketplace.ozon": "Ozon",
    "post.title_market": "🛑 <b>Cancellation request · Market · order #{order_id}</b>",
    "ozon.title": "🛑 <b>Cancellation request · Ozon · posting {posting}</b>",
    "ozon.status": "Posting status: {status}",
    "ozon.delivery": "Delivery: {method}",
    "ozon.initiator": "Asked by: {who}",
    "ozon.reason": "Reason: {reason}",
    "ozon.message": "In their words: “{message}”",
    "ozon.initiator.CLIENT": "the buyer",
    "ozon.initiator.OZON": "Ozon",
    "ozon.initiator.SELLER": "the seller",
    "ozon.initiator.SYSTEM": "the Ozon system",
    "ozon.initiator.DELIVERY": "the delivery service",
    "ozon.posting.acceptance_in_progress": "being accepted",
    "ozon.posting.awaiting_approve": "awaiting confirmation",
    "ozon.posting.awaiting_packaging": "awaiting packaging",
    "ozon.posting.awaiting_registration": "awaiting registration",
    "ozon.posting.awaiting_deliver": "awaiting shipment",
    "ozon.posting.arbitration": "arbitration",
    "ozon.posting.client_arbitration": "arbitration with the buyer",
    "ozon.posting.delivering": "being delivered",
    "ozon.posting.driver_pickup": "with the driver",
    "ozon.posting.delivered": "delivered",
    "ozon.posting.cancelled": "cancelled",
    "ozon.posting.not_accepted": "not accepted at the sorting centre",
    "ozon.state.ON_APPROVAL": "awaiting a decision",
    "ozon.state.CANCELLED": "cancellation approved",
    "ozon.state.REJECTED": "cancellation rejected",
    "ozon.resolved_approved": (
        "ℹ️ <b>Ozon reports the cancellation approved outside the desk</b> (in the seller cabinet)."
    ),
    "ozon.resolved_auto": (
        "ℹ️ <b>Ozon approved the cancellation automatically</b>: the deadline passed."
    ),
    "ozon.resolved_rejected": (
        "ℹ️ <b>Ozon reports the cancellation rejected outside the desk</b> (in the seller cabinet)."
    ),
    "button.accept.ozon": "✅ Approve cancellation",
    "button.reject_delivered.ozon": "📦 Reject — already delivered",
    "button.reject_in_delivery.ozon": "🚚 Reject — with the courier",
    "action.accept.ozon": "approve the cancellation",
    "action.reject_delivered.ozon": "reject — already delivered",
    "action.reject_in_delivery.ozon": "reject — with the courier",
    "outcome.accept.ozon": "Cancellation approved",
    "outcome.reject_delivered.ozon": "Cancellation rejected: already delivered",
    "outcome.reject_in_delivery.ozon": "Cancellation rejected: with the courier",
    "post.confirm_prompt.ozon": "❓ Confirm: <b>{action}</b>. The decision goes to Ozon.",
    "post.failed.ozon": "⚠️ Ozon did not take the decision “{action}” ({who}): {error}",
    "post.unknown.ozon": (
        "⚠️ The decision “{action}” ({who}) may not have reached Ozon: the bot restarted "
        "before the answer came. The request still awaits a decision — choose again."
    ),
    "post.not_pending.ozon": "ℹ️ The request no longer awaits a decision: {status}.",
    "post.interrupted.ozon": (
        "⚠️ The decision “{action}” ({who}) was cut off by a restart, "
        "and Ozon closed the request otherwise: {status}."
    ),
}
