"""Ozon cabinets in the cabinets file (issue 21): `marketplace = "ozon"`, a Client-Id and the
variable holding its Api-Key, and the same team settings as a Market cabinet.

An Ozon seller is kept in a Market cabinet's fields (THE CONVENTION of bot/cabinet_table.py):
its Client-Id as the business, one campaign `-client_id`, `OZON_API_URL` as the API.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.assembly import room_settings
from bot.domain.model import Marketplace, ozon_campaign
from tests.cabinets import DACHA, KEY_DACHA, SAD, UYUT, cabinets_toml, load, refusal, with_keys

DACHA_IS = 'cabinet "Дача на Ozon": '
CLIENT = DACHA["client_id"]


def test_an_ozon_cabinet_beside_market_ones_is_kept_as_the_convention_says(
    tmp_path: Path,
) -> None:
    dacha = with_keys(DACHA, staff_user_ids=[444], quiet_hours="23:00-07:00", language="en")
    desk = load(tmp_path, cabinets_toml(UYUT, dacha, SAD))

    uyut, ozon, sad = desk.cabinets
    assert [c.marketplace for c in desk.cabinets] == [
        Marketplace.YANDEX,
        Marketplace.OZON,
        Marketplace.YANDEX,
    ]
    assert (ozon.name, ozon.client_id, ozon.business_id) == ("Дача на Ozon", CLIENT, CLIENT)
    assert ozon.chat_id == DACHA["staff_chat_id"]
    mine = ozon.settings
    assert mine.market_api_key == KEY_DACHA
    assert mine.market_campaign_ids == (ozon_campaign(CLIENT),) == (-CLIENT,)
    assert mine.market_api_url == "https://api-seller.ozon.ru"
    assert (mine.buyer_contact, mine.campaign_topics) == (False, ())
    assert mine.staff_user_ids == frozenset({444})
    assert mine.quiet_hours == (time(23), time(7))
    assert mine.language == "en"
    assert mine.timezone == ZoneInfo("Europe/Moscow")  # the environment's
    # the Market cabinets beside it are as before
    assert (uyut.client_id, sad.client_id) == (None, None)
    assert uyut.settings.market_api_url == sad.settings.market_api_url
    assert sad.settings.market_api_url == "https://api.partner.market.yandex.ru"
    assert KEY_DACHA not in repr(ozon) + repr(mine)


def test_ozon_api_url_points_every_ozon_cabinet_elsewhere(tmp_path: Path) -> None:
    second = with_keys(DACHA, name="Вторая дача", client_id=CLIENT + 1, staff_chat_id=-1005)
    text = cabinets_toml(UYUT, DACHA, second)
    desk = load(tmp_path, text, OZON_API_URL="http://127.0.0.1:9/ozon/")

    urls = [cabinet.settings.market_api_url for cabinet in desk.cabinets]
    assert urls == ["https://api.partner.market.yandex.ru", *["http://127.0.0.1:9/ozon"] * 2]


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({"client_id": None}, "client_id: is required"),
        ({"client_id": "836402"}, "client_id: '836402' is not a whole number"),
        ({"client_id": True}, "client_id: true is not a whole number"),
        ({"client_id": 0}, "client_id: 0 is not a positive whole number"),
        ({"client_id": -5}, "client_id: -5 is not a positive whole number"),
        ({"api_key_env": None}, "api_key_env: is required"),
        ({"api_key_env": "OZON_KEY_NONE"}, "api_key_env: OZON_KEY_NONE is not set"),
        (
            {"api_key_env": KEY_DACHA},
            "api_key_env: must be the name of an environment variable (capitals, digits, _) "
            "that holds the key, never the key itself",
        ),
        ({"staff_chat_id": None}, "staff_chat_id: is required"),
        (
            {"business_id": 7101},
            "business_id: is a Market cabinet's; an Ozon cabinet is known by its client_id",
        ),
        (
            {"campaign_ids": [1]},
            "campaign_ids: is a Market cabinet's; an Ozon cabinet is one Client-Id, "
            "without campaigns",
        ),
        (
            {"campaign_topics": {"1": 2}},
            "campaign_topics: is a Market cabinet's; an Ozon cabinet's posts go to its "
            "staff_topic_id",
        ),
        (
            {"buyer_contact": False},
            "buyer_contact: is not offered for Ozon cabinets: their posts have no buyer's "
            "phone button",
        ),
        ({"colour": "green"}, "colour: unknown key"),
        ({"marketplace": "Ozon"}, "marketplace: 'Ozon' is not one the desk knows (yandex, ozon)"),
        ({"claims": "yes"}, "claims: 'yes' is not true or false (TOML booleans are unquoted)"),
        (
            {"staff_user_ids": []},
            "staff_user_ids: [] names no user (leave the key out to use STAFF_USER_IDS)",
        ),
        ({"digest_at": "9am"}, "digest_at: '9am' is not a time like 22:00"),
    ],
)
def test_a_wrong_key_of_an_ozon_cabinet_is_named(tmp_path: Path, changes: dict, line: str) -> None:
    assert refusal(tmp_path, cabinets_toml(UYUT, with_keys(DACHA, **changes))) == DACHA_IS + line


def test_a_pasted_ozon_key_or_a_bad_one_is_never_shown(tmp_path: Path) -> None:
    text = cabinets_toml(DACHA)
    assert refusal(tmp_path, text, OZON_KEY_DACHA=f"Bearer {KEY_DACHA}") == DACHA_IS + (
        "api_key_env: OZON_KEY_DACHA: give the Api-Key alone, without the 'Bearer' prefix"
    )


def test_a_market_cabinet_with_a_client_id_is_told_what_it_lacks(tmp_path: Path) -> None:
    line = refusal(tmp_path, cabinets_toml(with_keys(SAD, client_id=CLIENT)))
    assert line == (
        'cabinet "Сад и огород": client_id: is an Ozon cabinet\'s: add marketplace = "ozon"'
    )


def test_one_cabinet_per_client_id(tmp_path: Path) -> None:
    twin = with_keys(DACHA, name="Дача, второй чат", staff_chat_id=-1005)
    line = refusal(tmp_path, cabinets_toml(DACHA, UYUT, twin))
    assert line == (
        f'cabinet "Дача, второй чат": client_id: Client-Id {CLIENT} is also cabinet '
        '"Дача на Ozon"\'s; an Ozon seller is one cabinet'
    )


def test_a_client_id_and_a_business_with_one_number_are_two_sellers(tmp_path: Path) -> None:
    dacha = with_keys(DACHA, client_id=UYUT["business_id"])
    uyut = with_keys(UYUT, campaign_ids=None)  # a Market business in one piece
    desk = load(tmp_path, cabinets_toml(uyut, dacha))
    assert [cabinet.business_id for cabinet in desk.cabinets] == [7101, 7101]


@pytest.mark.parametrize("ozon_first", [True, False])
def test_a_chat_shared_across_marketplaces_agrees_but_on_the_buyers_phone(
    tmp_path: Path, ozon_first: bool
) -> None:
    """An Ozon post has no 📞, so the Market cabinet beside it keeps its button."""
    market = with_keys(UYUT, buyer_contact=True)
    dacha = with_keys(DACHA, staff_chat_id=UYUT["staff_chat_id"], staff_user_ids=[111, 222])
    dacha["language"] = "ru"
    pair = (dacha, market) if ozon_first else (market, dacha)
    desk = load(tmp_path, cabinets_toml(*pair))

    assert room_settings(list(desk.cabinets)).buyer_contact is True
    by_market = {cabinet.marketplace: cabinet.settings for cabinet in desk.cabinets}
    assert by_market[Marketplace.OZON].buyer_contact is False
    assert by_market[Marketplace.YANDEX].buyer_contact is True


def test_a_chat_shared_across_marketplaces_must_agree_on_the_rest(tmp_path: Path) -> None:
    dacha = with_keys(DACHA, staff_chat_id=UYUT["staff_chat_id"], staff_user_ids=[111, 222])
    line = refusal(tmp_path, cabinets_toml(UYUT, with_keys(dacha, claims=True)))
    assert line == DACHA_IS + (
        'claims: differs from cabinet "Уютный дом", which posts to the same staff_chat_id; '
        "cabinets sharing a chat must agree on it"
    )
    assert refusal(tmp_path, cabinets_toml(UYUT, dacha), LANGUAGE="en").startswith(
        DACHA_IS + "language: differs"
    )
