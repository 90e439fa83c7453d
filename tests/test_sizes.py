"""Small modules with one job: no file over 400 lines, no function over 50.

Read from the source (nothing imported). A file that breaks a rule today is a strict xfail
naming it; once it is mended the run fails until its entry is taken off.
"""

from __future__ import annotations

import pytest

from tests.source_tree import Source, cases, functions, length, report, sources

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 50

#: Every Python file counts, scripts and tests included, as in the hook that checks a
#: change before it lands; the fakes copy the specs' breadth and are left out, as there.
FILES = [source for source in sources() if not source.name.startswith("tests/fakes/")]
#: The code the functions rule holds for: the desk, its scripts and its benchmark.
CODE = sources("bot", "storage", "scripts", "bench")

LONG_FUNCTIONS: dict[str, str] = {}


@pytest.mark.parametrize("files", cases(FILES))
def test_no_file_is_over_400_lines(files: list[Source]) -> None:
    broken = [
        f"{source.name}: {lines} lines"
        for source in files
        if (lines := source.lines()) > MAX_FILE_LINES
    ]
    assert not broken, report(
        f"files over {MAX_FILE_LINES} lines; split them by what they serve, one job a module",
        broken,
    )


@pytest.mark.parametrize("files", cases(CODE, LONG_FUNCTIONS))
def test_no_function_is_over_50_lines(files: list[Source]) -> None:
    broken = [
        f"{source.name}:{node.lineno} {node.name}: {size} lines"
        for source in files
        for node in functions(source)
        if (size := length(node)) > MAX_FUNCTION_LINES
    ]
    assert not broken, report(
        f"functions over {MAX_FUNCTION_LINES} lines (from `def` to the last line); give "
        "each step a function whose name says what it does",
        broken,
    )
