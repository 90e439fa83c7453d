"""The cancellation desk: Yandex Market DBS cancellation requests, settled in Telegram.

The desk is grouped in wings by what they serve; each wing's docstring says what it owns
and what it may import (tests/test_wings.py holds them to it):

- `domain`: records, enums and pure rules; imports nothing else of the desk;
- `market`: the Market edge; `ozon`: the Ozon edge; `intake`: polling and notifications;
- `chat`: the staff chat and its outbox; `team`: the team's features;
- `owner`: the owner's view; `ops`: operations;
- `demo` and `simulator`: the rehearsal, which the production code never imports.

The root holds the entry point (`__main__`), the wiring (`app`), the start and stop
(`lifecycle`, `telegram_link`), the settings (`config`, `setting_values`, `durations`), the
cabinets (`cabinet`; `cabinets_file` and `cabinet_table` read `CABINETS_FILE`) and what
every wing shares: `texts` (with `texts_demo`), `formatting`, `signals`, `backoff`.
"""
