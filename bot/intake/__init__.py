"""The intake: how requests come in, by polling and by the Market's notifications.

Owns: the pure plans of a poll (`plan`) and of a notification (`notification_plan`), one
poll read → planned → applied (`sync`), its loop (`poller`) and when its failures are
the cabinet's trouble (`trouble`), a notification's body read strictly
(`notification_body`) and handled (`notifications`), and the HTTP endpoint that
receives them with /healthz and /metrics (`http`, `callers` for who is asking,
`http_limits` for the connections' deadline and cap); Ozon's polling (`ozon_sync`, with
its pure plan `ozon_plan`), through the same poller.

May import: domain, market, ozon (its client, for Ozon's polling), chat (the decider and
the staff chat the poller alerts), ops, the root modules.
"""
