"""Exponential backoff with a cap, for retrying a peer that is down."""


class Backoff:
    def __init__(self, initial: float, cap: float) -> None:
        self.initial, self.cap = initial, cap
        self.failures = 0

    def next(self) -> float:
        """The delay before the next attempt; each call doubles it up to the cap."""
        delay = min(self.cap, self.initial * 2**self.failures)
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0
