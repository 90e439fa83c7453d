"""The team's features (each off until set): claims' words, escalation, quiet hours, forum
topics, the pinned summary and the buyer's contact.

Owns: `escalation`, `quiet`, `topics`, `summary`, `contact` and `privacy` (the contacts
shown, kept out of every log), their words (`texts_team`) and their checks (`check_team`).

May import: domain, market, chat, ops, the root modules.
"""
