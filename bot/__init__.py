"""The cancellation desk: Yandex Market DBS cancellation requests, settled in Telegram."""
