"""The Ozon edge: everything said to and read from Ozon's Seller API for rFBS cancellations.

Owns: the HTTP client (`client`) and the per-Client-Id limits every client of one Client-Id
shares (`limits`: 50 requests a second, and the hold after a 429), its failures (`errors`),
what Ozon's answers become (`records`) and reading them (`parse`, `times`).

May import: domain, ops (its counters), the root modules.
"""
