"""`python -m bot check`: a first-run doctor, one line per item with a hint when it fails."""

from __future__ import annotations

from telegram import Bot, ChatFullInfo, ChatMember
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

from bot.config import Settings
from bot.market.client import MarketClient
from bot.market.errors import MarketError, MarketHTTPError
from bot.ops.check_line import CheckLine
from bot.ops.redaction import redact, secrets_of
from bot.team.check_team import check_team
from bot.telegram_link import token_refusal

DECIDING_SCOPES = {"INVENTORY_AND_ORDER_PROCESSING", "ALL_METHODS"}
POSTING_STATUSES = {
    ChatMemberStatus.OWNER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
}


async def check_telegram(settings: Settings) -> list[CheckLine]:
    bot = Bot(settings.telegram_bot_token, base_url=settings.telegram_api_url)
    lines: list[CheckLine] = []
    try:
        async with bot:
            me = await bot.get_me()
            lines.append(CheckLine(True, "Telegram token", f"bot @{me.username}"))
            line, seen = await _check_chat(bot, settings.staff_chat_id, me.id)
            lines.append(line)
            if seen is not None:
                chat, member = seen
                lines += _check_audience(chat, settings)
                lines += await check_team(bot, settings, member)
                lines.append(_check_files(chat, member, settings))
    except InvalidToken as error:  # its text quotes the token: Telegram's words only
        lines.append(CheckLine(False, "Telegram token", token_refusal(error)))
    except Forbidden as error:
        lines.append(
            CheckLine(False, "Telegram token", f"rejected ({error}); copy it again from @BotFather")
        )
    except TelegramError as error:
        lines.append(
            CheckLine(False, "Telegram", f"{error}; check the network and TELEGRAM_API_URL")
        )
    return lines


async def _check_chat(
    bot: Bot, chat_id: int, bot_id: int
) -> tuple[CheckLine, tuple[ChatFullInfo, ChatMember] | None]:
    """The staff chat's line, and the chat and the bot's membership when it may post."""
    item = f"staff chat {chat_id}"
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, bot_id)
    except (BadRequest, Forbidden) as error:
        hint = (
            f"{error}; add the bot to the staff group and check STAFF_CHAT_ID "
            "(group ids are negative, supergroups start with -100)"
        )
        return CheckLine(False, item, hint), None
    can_post = member.status in POSTING_STATUSES or (
        member.status == ChatMemberStatus.RESTRICTED and getattr(member, "can_send_messages", False)
    )
    if not can_post:
        return CheckLine(False, item, f"the bot is '{member.status}' there and cannot post"), None
    line = CheckLine(True, item, f"“{chat.title or chat.id}”, the bot is {member.status}")
    return line, (chat, member)


def _check_audience(chat: ChatFullInfo, settings: Settings) -> list[CheckLine]:
    """Anyone may join a public group (one with a username); only STAFF_USER_IDS keeps
    them from deciding on refunds and reading the owner's commands."""
    if not chat.username:
        return []
    item = f"public staff chat @{chat.username}"
    if settings.staff_user_ids:
        return [CheckLine(True, item, "only STAFF_USER_IDS may decide and use owner commands")]
    hint = (
        "anyone can join it and decide on cancellations, and read /stats, /history, /order "
        "and /export; set STAFF_USER_IDS to the staff's Telegram user ids, or make the "
        "group private (remove its public link)"
    )
    return [CheckLine(False, item, hint)]


def _check_files(chat: ChatFullInfo, member: ChatMember, settings: Settings) -> CheckLine:
    """The digest's chart is a photo and /export a document: both need the right to send."""
    item = "photos and documents"
    if member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR):
        allowed = True
    elif member.status == ChatMemberStatus.RESTRICTED:
        allowed = bool(getattr(member, "can_send_photos", False)) and bool(
            getattr(member, "can_send_documents", False)
        )
    else:
        rights = chat.permissions
        allowed = rights is None or (
            rights.can_send_photos is not False and rights.can_send_documents is not False
        )
    if not allowed:
        return CheckLine(
            False,
            item,
            "the bot may not send them to the staff chat, so the digest's chart and /export "
            "fail; allow members to send photos and files, or make the bot an admin",
        )
    if settings.digest_topic_id is not None and not chat.is_forum:
        return CheckLine(False, item, "DIGEST_TOPIC_ID is set but the staff chat has no topics")
    return CheckLine(True, item, "the digest's chart and /export can be sent")


async def check_market(settings: Settings) -> list[CheckLine]:
    market = MarketClient(settings.market_api_url, settings.market_api_key)
    lines: list[CheckLine] = []
    try:
        try:
            info = await market.token_info()
        except MarketHTTPError as error:
            hint = "the key is wrong or revoked" if error.status == 401 else "see the message"
            lines.append(CheckLine(False, "Market Api-Key", f"{error.describe()}; {hint}"))
        except MarketError as error:
            lines.append(CheckLine(False, "Market Api-Key", f"{error}; check MARKET_API_URL"))
            return lines
        else:
            scopes = ", ".join(sorted(info.scopes)) or "none"
            if info.scopes & DECIDING_SCOPES:
                lines.append(CheckLine(True, "Market Api-Key", f"“{info.name}”, scopes: {scopes}"))
            else:
                lines.append(
                    CheckLine(
                        False,
                        "Market Api-Key",
                        f"scopes {scopes} cannot send decisions; give the key "
                        "“Order processing and inventory” (inventory-and-order-processing)",
                    )
                )
        for campaign_id in settings.market_campaign_ids:
            lines.append(await _check_campaign(market, campaign_id, settings.market_business_id))
    finally:
        await market.close()
    return lines


async def _check_campaign(
    market: MarketClient, campaign_id: int, business_id: int | None
) -> CheckLine:
    item = f"campaign {campaign_id}"
    try:
        campaign = await market.get_campaign(campaign_id)
    except MarketHTTPError as error:
        hint = (
            "use the campaign id from “Modules and APIs”, not the store id"
            if error.status == 404
            else "the key's cabinet may not own this campaign"
        )
        return CheckLine(False, item, f"{error.describe()}; {hint}")
    except MarketError as error:
        return CheckLine(False, item, str(error))
    problems = []
    if campaign.placement_type != "DBS":
        problems.append(f"it is {campaign.placement_type}, the desk serves DBS only")
    if campaign.api_availability != "AVAILABLE":
        problems.append(f"API {campaign.api_availability}")
    if business_id is not None and business_id != campaign.business_id:
        problems.append(
            f"it belongs to business {campaign.business_id}, not MARKET_BUSINESS_ID={business_id}"
        )
    detail = f"“{campaign.name}”, business {campaign.business_id} ({campaign.business_name})"
    if problems:
        return CheckLine(False, item, f"{detail}: " + "; ".join(problems))
    return CheckLine(True, item, f"{detail}, DBS, API available")


async def run_checks(settings: Settings) -> int:
    lines = await check_telegram(settings) + await check_market(settings)
    secrets = secrets_of(settings)  # whatever an error quotes, the owner's screen is no log
    for line in lines:
        print(redact(str(line), secrets), flush=True)
    failed = sum(not line.ok for line in lines)
    print("All checks passed." if not failed else f"{failed} check(s) failed.")
    return 0 if not failed else 1
