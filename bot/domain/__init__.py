"""The domain: the desk's records, enums and pure rules, with no I/O.

Owns: orders, requests, posts, decisions and people (`model`), the journal's events
(`journal`), a request's outcome in the ledger (`ledger`), what the Market's view of an
order means for a stored request (`reconcile`), request times and deadlines (`deadlines`),
the Market's date formats (`market_time`), and how logs and problems name a
marketplace and an order (`names`).

May import: nothing else of the desk. storage/ imports the desk only through this package.
"""
