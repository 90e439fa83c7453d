"""Tests that start `python -m bot` carry the `process` marker, so the quick run
(`-m "not process"`) leaves every one of them out: the marker cannot be forgotten."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import DeskProcess, UnmarkedProcessError


def test_a_test_without_the_marker_cannot_start_a_desk(tmp_path: Path) -> None:
    desk = DeskProcess({}, tmp_path)
    with pytest.raises(UnmarkedProcessError, match=r"@pytest\.mark\.process"):
        desk.start()
    assert desk.proc is None


def test_a_test_using_start_desk_is_marked_for_it(start_desk, request) -> None:
    assert request.node.get_closest_marker("process") is not None
