"""`python -m bot demo`: the desk on the real Telegram against a Market simulated in-process."""
