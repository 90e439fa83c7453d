"""One `Person` and one way to show who acted: `name (@username)`.

Staff read who decided or claimed a request in posts (HTML), in pop-ups (plain text), in
/history, /order and the export; a second spelling is where one of them would drift.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bot.domain.model import Person
from bot.formatting import CLIP_PERSON, person_name, who, who_text

ROOT = Path(__file__).resolve().parents[1]
ANNA = Person(42, "Анна <склад>", "anna_k")


def test_a_person_is_shown_with_the_username_when_telegram_has_one() -> None:
    assert who_text(ANNA) == "Анна <склад> (@anna_k)"
    assert who_text(Person(7, "Boris", None)) == "Boris"
    assert Person(7, "Boris") == Person(7, "Boris", None)  # the journal keeps no username


def test_in_a_post_each_part_is_cut_and_escaped() -> None:
    assert who(ANNA) == "Анна &lt;склад&gt; (@anna_k)"
    long = who(Person(1, "Я" * 500, "u" * 100))
    assert long == "Я" * (CLIP_PERSON - 1) + "…" + " (@" + "u" * 39 + "…)"
    assert person_name(ANNA) == "Анна &lt;склад&gt;"


def test_the_username_is_spelt_out_in_one_place_only() -> None:
    """`(@` is how a username is shown: only bot/formatting.py may write it."""
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and "(@" in node.value
                and path.name != "formatting.py"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "show a person with bot.formatting.who / who_text:\n" + "\n".join(
        offenders
    )
