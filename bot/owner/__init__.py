"""The owner's view: the ledger's numbers and stories, the export and the daily digest.

Owns: the commands /stats, /history, /order and /export (`commands`), the operators'
/cabinets, /pending all and /stats all (`operators`), their pure parts (`stats`,
`periods`, `story`, `render_owner`, `render_operators`, `export` with `local_times`,
`digest`), the daily digest and pruning (`daily`), the chart drawn in a child process
(`chart`), and their words (`texts_owner`).

May import: domain, chat (access, the handlers' context, rendering helpers), the root
modules.
"""
