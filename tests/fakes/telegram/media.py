"""sendDocument and sendPhoto: multipart uploads checked as the real Bot API checks them.

Only uploads are implemented (a file_id or URL string is refused as not implemented);
the bytes are kept on the message so tests can read what the bot sent.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from tests.fakes.telegram.errors import ApiError, bad_request

MAX_CAPTION_LENGTH = 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # uploads by bots over multipart
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10000  # width + height
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UPLOADS = "\x00uploads"  # where the server puts uploaded files among the raw parameters


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def uploaded(raw: dict, field: str) -> Upload:
    """The file sent as `field`; a string (file_id or URL) is not implemented in the fake."""
    upload = raw.get(UPLOADS, {}).get(field)
    if upload is None:
        raise bad_request(f"{field} as a file_id or URL is not implemented in fake; upload it")
    return upload


def check_caption(plain: str) -> None:
    if len(plain) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")


def _file_ids(data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    return {"file_id": "BQAC" + digest[:40], "file_unique_id": "AgAD" + digest[:12]}


def document_json(upload: Upload) -> dict:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > MAX_DOCUMENT_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    return {
        **_file_ids(upload.data),
        "file_name": upload.filename,
        "mime_type": upload.content_type or "application/octet-stream",
        "file_size": len(upload.data),
    }


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; anything else cannot be processed."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height:
        raise bad_request("IMAGE_PROCESS_FAILED")
    return width, height


def photo_json(upload: Upload) -> list[dict]:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    width, height = png_size(upload.data)
    if width + height > MAX_PHOTO_SIDES or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return [
        {**_file_ids(upload.data), "width": width, "height": height, "file_size": len(upload.data)}
    ]
