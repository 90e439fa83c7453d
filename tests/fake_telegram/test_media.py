"""sendDocument and sendPhoto in the fake: multipart uploads held to the real limits."""

from __future__ import annotations

import struct
import zlib

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest

from tests.fakes.ptb import GROUP, PTB_WARNINGS
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.filterwarnings(*PTB_WARNINGS)


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_a_document_keeps_its_bytes_name_and_caption(bot: Bot, fake: FakeTelegram) -> None:
    data = "\ufeffзаказ;итог\r\n1;ok\r\n".encode()
    sent = await bot.send_document(
        GROUP, InputFile(data, filename="requests.csv"), caption="<b>Запросы</b>", parse_mode="HTML"
    )
    assert sent.document.file_name == "requests.csv" and sent.document.file_size == len(data)
    assert sent.caption == "Запросы" and sent.caption_entities[0].type == "bold"
    stored = fake.messages(GROUP)[-1]
    assert (stored.file, stored.text) == (data, "Запросы")


async def test_document_limits(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(GROUP, InputFile(b"x", filename="a.csv"), caption="x" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_document(GROUP, InputFile(b"x", filename="a.csv"), caption="x" * 5000)
    with pytest.raises(BadRequest, match=r"(?i)file must be non-empty"):
        await bot.send_document(GROUP, InputFile(b"", filename="a.csv"))
    with pytest.raises(BadRequest, match=r"(?i)not implemented in fake"):
        await bot.send_document(GROUP, "BQACAgIAAxkBAAIBfile_id")
    await bot.send_document(GROUP, InputFile(b"x", filename="a.csv"), caption="x" * 1024)


async def test_a_photo_must_be_an_image_of_sane_size(bot: Bot, fake: FakeTelegram) -> None:
    sent = await bot.send_photo(
        GROUP, InputFile(png(120, 80), filename="chart.png"), caption="30 d"
    )
    assert (sent.photo[-1].width, sent.photo[-1].height) == (120, 80)
    assert fake.messages(GROUP)[-1].file.startswith(b"\x89PNG")
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(GROUP, InputFile(b"GIF89a not a png", filename="x.png"))
    with pytest.raises(BadRequest, match=r"(?i)PHOTO_INVALID_DIMENSIONS"):
        await bot.send_photo(GROUP, InputFile(png(2100, 100), filename="x.png"))


async def test_uploads_need_the_right_to_post(bot: Bot, fake: FakeTelegram) -> None:
    fake.add_group(-1009, title="Read only", bot_can_post=False)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to send documents"):
        await bot.send_document(-1009, InputFile(b"x", filename="a.csv"))
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to send photos"):
        await bot.send_photo(-1009, InputFile(png(10, 10), filename="a.png"))
