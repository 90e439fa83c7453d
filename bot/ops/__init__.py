"""Operations: what keeps the desk running and tells its operator how it is.

Owns: `check` (with `check_line`; `check_telegram` for the token and the operators,
`check_chat` for each cabinet's staff chat, `check_market` and `check_ozon` for each
cabinet's key), `health` and `metrics` (each cabinet as they show it: `cabinet_watch`),
`logs` and `redaction` (no secret in any output), daily `backups`, a full disk or
read-only database (`storage_trouble`), the operators told of a cabinet's trouble
(`operators`), requests that closed before they were posted (`render_unseen`), and their
words (`texts_ops`).

May import: domain, market, ozon (its client, for `check`), chat, team, the root modules.
"""
