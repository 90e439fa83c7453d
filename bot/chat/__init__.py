"""The staff chat: what staff see and tap, and the outbox that sends it.

Owns: the outbox (`outbox`, a scheduler over duties; `chat_window`, one chat's budget;
`publisher`, the staff chat's duties in their order; `duties_posts`, `duties_reminders`,
`duties_notices`), posts and lists rendered (`render`), callback data (`callbacks`), taps
and decisions (`decider`), who may use what (`access`, `cooldown`), python-telegram-bot's
handlers (`handlers`), the group's rate (`ratelimit`) and Telegram's refusals
(`refusals`), the chat itself (`staff_chat`) and whether it takes the bot's messages (`reach`).

May import: domain, market, intake (the notification inbox the handlers hold), team,
ops, the root modules.
"""
