"""bot.owner.chart: the digest goes without its chart when the child cannot draw it.

That the chart is drawn, 900 x 480, is tests/test_digest_e2e.py's.
"""

from __future__ import annotations

import logging

from bot.owner.chart import render_chart


async def test_a_chart_that_cannot_be_drawn_is_none_and_a_warning(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.owner.chart"):
        assert await render_chart({"days": []}) is None
    assert "Could not draw the digest's chart" in caplog.text
