"""A wrong cabinets file stops the desk with one line: the file, the cabinet, the key.

Every line is checked to hold neither a Market key nor the bot token (tests/cabinets.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cabinets_file import CabinetsFileError, load_desk
from tests.cabinets import KEY_SAD, SAD, UYUT, cabinets_toml, environment, refusal, with_keys
from tests.test_config import API_KEY

SAD_IS = 'cabinet "Сад и огород": '


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({"name": None}, "cabinet #2: name: is required"),
        ({"name": " "}, "cabinet #2: name: must be printable text on one line, not empty"),
        ({"name": "a\tb"}, "cabinet #2: name: must be printable text on one line, not empty"),
        ({"name": 5}, "cabinet #2: name: 5 is not a string (TOML strings are quoted)"),
        ({"name": "Уютный дом"}, 'cabinet #2: name: "Уютный дом" is also the name of cabinet #1'),
        ({"colour": "green"}, SAD_IS + "colour: unknown key"),
        (
            {"api_key": "x"},
            SAD_IS + "api_key: unknown key (keys stay out of the file: "
            "name the variable that holds it in api_key_env)",
        ),
        ({"business_id": None}, SAD_IS + "business_id: is required"),
        ({"business_id": "7202"}, SAD_IS + "business_id: '7202' is not a whole number"),
        ({"business_id": True}, SAD_IS + "business_id: true is not a whole number"),
        ({"business_id": 0}, SAD_IS + "business_id: 0 is not a positive whole number"),
        ({"api_key_env": None}, SAD_IS + "api_key_env: is required"),
        ({"api_key_env": "MARKET_KEY_NONE"}, SAD_IS + "api_key_env: MARKET_KEY_NONE is not set"),
        ({"api_key_env": " MARKET_KEY_NONE "}, SAD_IS + "api_key_env: MARKET_KEY_NONE is not set"),
        ({"staff_chat_id": None}, SAD_IS + "staff_chat_id: is required"),
        (
            {"staff_chat_id": 0},
            SAD_IS + "staff_chat_id: '0' is not a chat id (e.g. -1001234567890)",
        ),
        ({"staff_chat_id": "-100"}, SAD_IS + "staff_chat_id: '-100' is not a whole number"),
        (
            {"marketplace": "wildberries"},
            SAD_IS + "marketplace: 'wildberries' is not one the desk knows (yandex, ozon)",
        ),
        (
            {"campaign_ids": []},
            SAD_IS + "campaign_ids: [] names no campaign "
            "(leave the key out for every DBS campaign the key can see)",
        ),
        ({"campaign_ids": [5, 5]}, SAD_IS + "campaign_ids: a campaign id is listed twice"),
        ({"campaign_ids": "2110"}, SAD_IS + "campaign_ids: '2110' is not an array like [1, 2]"),
        ({"campaign_ids": [-5]}, SAD_IS + "campaign_ids: -5 is not a positive whole number"),
        ({"campaign_ids": [1.5]}, SAD_IS + "campaign_ids: 1.5 is not a whole number"),
    ],
)
def test_a_wrong_key_of_a_cabinet_is_named_with_its_cabinet(
    tmp_path: Path, changes: dict, line: str
) -> None:
    assert refusal(tmp_path, cabinets_toml(UYUT, with_keys(SAD, **changes))) == line


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"staff_user_ids": []},
            "staff_user_ids: [] names no user (leave the key out to use STAFF_USER_IDS)",
        ),
        ({"staff_user_ids": [5, 5]}, "staff_user_ids: user id 5 is listed twice"),
        ({"staff_user_ids": 5}, "staff_user_ids: 5 is not an array like [1, 2]"),
        ({"staff_topic_id": "7"}, "staff_topic_id: '7' is not a whole number"),
        ({"campaign_topics": {"1": 2}}, "campaign_topics: needs campaign_ids naming its campaigns"),
        (
            {"campaign_ids": [31], "campaign_topics": {"99": 2}},
            "campaign_topics: '99' is not a campaign in campaign_ids",
        ),
        (
            {"campaign_ids": [31], "campaign_topics": {"31": 0}},
            "campaign_topics: 0 is not a positive whole number",
        ),
        (
            {"campaign_ids": [31], "campaign_topics": 3},
            "campaign_topics: 3 is not a table like { 2110 = 5 }",
        ),
        ({"language": "fr"}, "language: 'fr' is not supported; use ru or en"),
        (
            {"timezone": "Mars/Base"},
            "timezone: 'Mars/Base' is not an IANA time zone like Europe/Moscow",
        ),
        (
            {"reminder_lead_times": ["soon"]},
            "reminder_lead_times: 'soon' is not a duration like 1h30m (units d, h, m, s)",
        ),
        (
            {"reminder_lead_times": "24h"},
            """reminder_lead_times: '24h' is not an array like ["24h", "1h30m"]""",
        ),
        (
            {"reminder_lead_times": ["72h"]},
            "reminder_lead_times: every lead time must be shorter than the 48h decision window",
        ),
        ({"quiet_hours": "22:00"}, "quiet_hours: '22:00' is not a span like 22:00-08:00"),
        ({"escalate_to": ["olga"]}, "escalate_to: 'olga' is not a whole number"),
        ({"claims": "yes"}, "claims: 'yes' is not true or false (TOML booleans are unquoted)"),
        ({"pin_summary": 1}, "pin_summary: 1 is not true or false (TOML booleans are unquoted)"),
        (
            {"confirm_decisions": "true"},
            "confirm_decisions: 'true' is not true or false (TOML booleans are unquoted)",
        ),
        ({"digest_at": "9am"}, "digest_at: '9am' is not a time like 22:00"),
        ({"digest_topic_id": -1}, "digest_topic_id: -1 is not a positive whole number"),
        (
            {"buyer_contact": True},
            "buyer_contact: needs staff_user_ids, or every group member could read buyers' phones",
        ),
    ],
)
def test_a_wrong_team_setting_of_a_cabinet_is_named(
    tmp_path: Path, changes: dict, line: str
) -> None:
    assert refusal(tmp_path, cabinets_toml(UYUT, with_keys(SAD, **changes))) == SAD_IS + line


def test_the_environments_buyer_contact_needs_the_cabinets_staff(tmp_path: Path) -> None:
    """Checked per cabinet: one naming its staff may show phones, one without may not."""
    text = cabinets_toml(UYUT, SAD)
    problem = "buyer_contact: needs staff_user_ids, or every group member could read buyers' phones"
    assert refusal(tmp_path, text, BUYER_CONTACT="true") == SAD_IS + problem
    desk = load_desk(
        environment(tmp_path / "cabinets.toml", BUYER_CONTACT="true", STAFF_USER_IDS="9"),
        tmp_path / "absent.env",
    )
    assert [cabinet.settings.buyer_contact for cabinet in desk.cabinets] == [True, True]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("", "names no cabinet: add a [[cabinet]] table"),
        ("# nothing yet\n", "names no cabinet: add a [[cabinet]] table"),
        ("desk = 1\n", "desk: unknown key (the file holds [[cabinet]] only)"),
        ('[cabinet]\nname = "x"\n', "cabinet: write each as a [[cabinet]] table"),
        ("cabinet = [1, 2]\n", "cabinet: write each as a [[cabinet]] table"),
    ],
)
def test_a_file_without_cabinets_is_refused(tmp_path: Path, text: str, line: str) -> None:
    assert refusal(tmp_path, text) == line


def test_bad_toml_says_where(tmp_path: Path) -> None:
    line = refusal(tmp_path, cabinets_toml(UYUT) + '\nname = "unclosed\n')
    assert line.startswith("is not valid TOML: ") and line.endswith("(at line 11, column 17)")


def test_a_file_that_cannot_be_read_says_so(tmp_path: Path) -> None:
    def line(path: Path) -> str:
        with pytest.raises(CabinetsFileError) as refused:
            load_desk(environment(path), tmp_path / "absent.env")
        return str(refused.value)

    missing = tmp_path / "missing.toml"
    assert line(missing) == f"CABINETS_FILE={missing}: cannot be read: no such file"
    assert line(tmp_path) == f"CABINETS_FILE={tmp_path}: cannot be read: Is a directory"
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[[cabinet]]\nname = "Сад"\n'.encode("cp1251"))
    assert line(latin) == f"CABINETS_FILE={latin}: is not UTF-8 text"


def test_a_key_variable_that_is_empty_or_wrong_is_named_never_shown(tmp_path: Path) -> None:
    text = cabinets_toml(UYUT, SAD)
    assert (
        refusal(tmp_path, text, MARKET_KEY_SAD=" ")
        == SAD_IS + "api_key_env: MARKET_KEY_SAD is not set"
    )
    assert refusal(tmp_path, text, MARKET_KEY_SAD=f"Bearer {KEY_SAD}") == SAD_IS + (
        "api_key_env: MARKET_KEY_SAD: give the Api-Key alone, without the 'Bearer' prefix"
    )
    for pasted in (KEY_SAD, [KEY_SAD], {"key": KEY_SAD}, "market_key_sad"):
        text = cabinets_toml(UYUT, with_keys(SAD, api_key_env=pasted))
        assert refusal(tmp_path, text) == SAD_IS + (
            "api_key_env: must be the name of an environment variable (capitals, digits, _) "
            "that holds the key, never the key itself"
        )


def test_the_cabinets_own_settings_must_leave_the_environment(tmp_path: Path) -> None:
    line = refusal(
        tmp_path,
        cabinets_toml(UYUT),
        MARKET_API_KEY=API_KEY,
        STAFF_CHAT_ID="-1001",
        MARKET_BUSINESS_ID="",
    )
    assert line == (
        "MARKET_API_KEY, STAFF_CHAT_ID must not be set in the environment with a cabinets file: "
        "move them into the file (each cabinet's api_key_env, business_id, campaign_ids, "
        "staff_chat_id, campaign_topics)"
    )
    assert API_KEY not in line


@pytest.mark.parametrize(
    ("second", "line"),
    [
        (
            with_keys(SAD, campaign_ids=[21100002]),
            'campaign_ids: campaign 21100002 is also in cabinet "Уютный дом"',
        ),
        (
            with_keys(SAD, business_id=7101),
            'business_id: business 7101 is also cabinet "Уютный дом"\'s; '
            "a business split over cabinets needs campaign_ids in every part",
        ),
        (
            with_keys(SAD, staff_chat_id=UYUT["staff_chat_id"], staff_user_ids=[111, 222]),
            'language: differs from cabinet "Уютный дом", which posts to the same '
            "staff_chat_id; cabinets sharing a chat must agree on it",
        ),
        (
            with_keys(SAD, staff_chat_id=UYUT["staff_chat_id"]),
            'staff_user_ids: differs from cabinet "Уютный дом", which posts to the same '
            "staff_chat_id; cabinets sharing a chat must agree on it",
        ),
    ],
)
def test_what_the_file_as_a_whole_forbids(tmp_path: Path, second: dict, line: str) -> None:
    env_language = {"LANGUAGE": "en"}
    assert refusal(tmp_path, cabinets_toml(UYUT, second), **env_language) == SAD_IS + line


def test_a_business_split_where_one_part_lists_none_is_refused_either_way(tmp_path: Path) -> None:
    first = with_keys(UYUT, campaign_ids=None)
    second = with_keys(SAD, business_id=7101, campaign_ids=[21100003])
    assert refusal(tmp_path, cabinets_toml(first, second)).startswith(
        SAD_IS + "business_id: business 7101 is also"
    )
