"""The Market edge: everything said to and read from the Yandex Market Partner API.

Owns: the HTTP client and its lanes (`client`), reading a BusinessOrderDTO (`orders`), one
order by id (`lookup`) and what notifications' look-ups may cost (`lookup_budget`), the
campaigns and their shops (`shops`), and the creation-day windows a listing asks for
(`windows`).

May import: domain, ops (its counters), the root modules.
"""
