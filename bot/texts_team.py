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
}

EN: dict[str, str] = {
    "button.claim": "🙋 I'm on it",
    "post.claimed": "🙋 On it: {who}, since {when}",
    "answer.claimed": "It is yours. Tap “I'm on it” again to let it go",
    "answer.released": "You are no longer on this request",
    "answer.claimed_by": "{who} is on it; anyone may still decide",
    "reminder.claimed": "🙋 On it: {who}",
    "escalate": "📣 {who}: the deadline is near and nobody has decided",
}
