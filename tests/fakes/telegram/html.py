"""Telegram's HTML parse mode: text and MessageEntity dicts, as tdlib's parser makes them.

`parse_html` follows tdlib (tags, entities, error texts) but is stricter about "&": a bare
one is an error, which catches missing ``html.escape`` calls that the real server would
hide by keeping the "&" literally. Offsets and lengths are in UTF-16 code units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["HtmlParseError", "parse_html", "trim_entities", "utf16_len"]

_UNIX_TIME_RE = re.compile(r"[+-]?\d+")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class HtmlParseError(Exception):
    """Raised with tdlib's wording; the API prefixes it with "can't parse entities: "."""


_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "span",
        "tg-spoiler", "tg-emoji", "tg-time", "code", "pre", "blockquote",
    }
)  # fmt: skip
_SIMPLE_ENTITIES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_HTML_SPACES = " \t\r\n\v\0"
_TRIM_CHARS = " \t\r\n"


@dataclass
class _OpenTag:
    tag: str
    attrs: dict[str, str]
    utf16_start: int
    out_start: int


def _decode_html_entity(text: str, i: int, strict: bool) -> tuple[str | None, int]:
    """Decode the entity at ``text[i] == "&"``: (character or None, index after it)."""
    n = len(text)
    j = i + 1
    if j < n and text[j] == "#":
        j += 1
        hexadecimal = j < n and text[j] in "xX"
        if hexadecimal:
            j += 1
        digits_at = j
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while j < n and text[j] in allowed:
            j += 1
        if j == digits_at or j - i >= 12:
            return None, i
        code = int(text[digits_at:j], 16 if hexadecimal else 10)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, i
        char = chr(code)
    else:
        while j < n and text[j].isascii() and text[j].isalpha():
            j += 1
        char = _NAMED_ENTITIES.get(text[i + 1 : j])
        if char is None:
            return None, i
    if j < n and text[j] == ";":
        j += 1
    elif strict:
        return None, i
    return char, j


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict]]:
    """Parse Telegram HTML into (plain text, MessageEntity dicts with UTF-16 offsets).

    Follows tdlib's parser and error texts. With ``strict`` (default) an "&" that does not
    start ``&lt; &gt; &amp; &quot; &apos; &#NNN; &#xHH;`` (semicolon required) is an error;
    the real server would keep it literally, which hides missing ``html.escape`` calls.
    """
    return _HtmlParser(text, strict).parse()


class _HtmlParser:
    """One pass over the text; `i` is the position, `out` the plain text so far."""

    def __init__(self, text: str, strict: bool) -> None:
        self.text = text
        self.n = len(text)
        self.strict = strict
        self.i = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    def parse(self) -> tuple[str, list[dict]]:
        text, n = self.text, self.n
        while self.i < n:
            char = text[self.i]
            if char == "&":
                decoded, self.i = self._entity(self.i)
                self._emit(decoded)
            elif char != "<":
                self._emit(char)
                self.i += 1
            elif self.i + 1 < n and text[self.i + 1] == "/":
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            raise HtmlParseError(
                f"Can't find end tag corresponding to start tag {self.stack[-1].tag}"
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def _offset(self, k: int) -> int:
        """The byte offset tdlib reports for position ``k``."""
        return len(self.text[:k].encode("utf-8", "surrogatepass"))

    def _skip_spaces(self, k: int) -> int:
        while k < self.n and self.text[k] in _HTML_SPACES:
            k += 1
        return k

    def _name_end(self, k: int) -> int:
        while k < self.n and self.text[k] not in _HTML_SPACES and self.text[k] != ">":
            k += 1
        return k

    def _entity(self, k: int) -> tuple[str, int]:
        char, end = _decode_html_entity(self.text, k, self.strict)
        if char is not None:
            return char, end
        if self.strict:
            raise HtmlParseError(
                f'character "&" at byte offset {self._offset(k)} does not start a supported HTML'
                ' entity; escape it as "&amp;" (the fake is strict here)'
            )
        return "&", k + 1

    def _end_tag(self) -> None:
        text, begin = self.text, self.i
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self._offset(begin)}")
        name_at = begin + 2
        i = self._name_end(name_at)
        end_name = text[name_at:i].lower()
        i = self._skip_spaces(i)
        if i >= self.n or text[i] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self._offset(begin)}")
        self.i = i + 1
        top = self.stack[-1]
        if end_name and end_name != top.tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {self._offset(begin)}, expected "</{top.tag}>",'
                f' found "</{end_name}>"'
            )
        self.stack.pop()
        if self.utf16 > top.utf16_start:
            inner = "".join(self.out[top.out_start :])
            entity = _html_entity_for(top, self.utf16 - top.utf16_start, inner)
            if entity is not None:
                _append_entity(self.entities, entity)

    def _start_tag(self) -> None:
        begin = self.i
        i = self._name_end(begin + 1)
        if i >= self.n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._offset(begin)}")
        tag = self.text[begin + 1 : i].lower()
        if tag not in _HTML_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._offset(begin)}'
            )
        self.i = i
        attrs = self._attributes(tag, begin)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._offset(begin)}'
            )
        self.stack.append(_OpenTag(tag, attrs, self.utf16, len(self.out)))

    def _attributes(self, tag: str, begin: int) -> dict[str, str]:
        """Attributes up to and including the ">" of the start tag at ``begin``."""
        text, n = self.text, self.n
        attrs: dict[str, str] = {}
        while True:
            i = self._skip_spaces(self.i)
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {self._offset(begin)}")
            if text[i] == ">":
                self.i = i + 1
                return attrs
            attr_at = i
            while i < n and text[i] not in _HTML_SPACES and text[i] not in "=>":
                i += 1
            attr = text[attr_at:i].lower()
            if not attr:
                where = self._offset(attr_at)
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {where}'
                )
            i = self._skip_spaces(i)
            if i >= n or text[i] != "=":
                if tag == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    self.i = i
                    continue
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag"
                    f' "{tag}" at byte offset {self._offset(attr_at)}'
                )
            self.i = self._skip_spaces(i + 1)
            if self.i >= n:
                raise HtmlParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self._offset(begin)}'
                )
            attrs[attr] = self._attribute_value(begin)

    def _attribute_value(self, begin: int) -> str:
        text, n, i = self.text, self.n, self.i
        if text[i] in "\"'":
            quote = text[i]
            i += 1
            value: list[str] = []
            while i < n and text[i] != quote:
                if text[i] == "&":
                    decoded, i = self._entity(i)
                    value.append(decoded)
                else:
                    value.append(text[i])
                    i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {self._offset(begin)}")
            self.i = i + 1
            return "".join(value)
        token_at = i
        while i < n and (text[i].isascii() and (text[i].isalnum() or text[i] in ".-")):
            i += 1
        if i < n and text[i] not in _HTML_SPACES and text[i] != ">":
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {self._offset(token_at)}"
            )
        self.i = i
        return text[token_at:i].lower()


def _append_entity(entities: list[dict], entity: dict) -> None:
    last = entities[-1] if entities else None
    same_range = (
        last is not None
        and last["offset"] == entity["offset"]
        and last["length"] == entity["length"]
    )
    if entity["type"] == "pre" and same_range and last["type"] == "code":
        entities.pop()
        if last.get("language"):
            entity["language"] = last["language"]
    elif entity["type"] == "code" and same_range and last["type"] == "pre":
        if entity.get("language"):
            last["language"] = entity["language"]
        return
    entities.append(entity)


def _html_entity_for(tag: _OpenTag, length: int, inner_text: str) -> dict | None:
    entity: dict[str, Any] = {"offset": tag.utf16_start, "length": length}
    attrs = tag.attrs
    if tag.tag in _SIMPLE_ENTITIES:
        entity["type"] = _SIMPLE_ENTITIES[tag.tag]
    elif tag.tag == "a":
        url = attrs.get("href", inner_text).strip()
        if not url:
            return None
        entity.update(type="text_link", url=url)
    elif tag.tag == "code":
        entity["type"] = "code"
        language = attrs.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            entity["language"] = language.removeprefix("language-")
    elif tag.tag == "pre":
        entity["type"] = "pre"
    elif tag.tag == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in attrs else "blockquote"
    elif tag.tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entity.update(type="custom_emoji", custom_emoji_id=emoji_id)
    elif tag.tag == "tg-time":
        unix = attrs.get("unix", "")
        if not _UNIX_TIME_RE.fullmatch(unix):
            raise HtmlParseError("Invalid Unix time specified")
        entity.update(type="date_time", unix_time=int(unix))
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
    else:  # pragma: no cover - guarded by _HTML_TAGS
        return None
    return entity


def trim_entities(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Strip leading/trailing whitespace like Telegram does, shifting entities."""
    stripped = text.strip(_TRIM_CHARS)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM_CHARS))])
    total = utf16_len(stripped)
    out = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            out.append({**entity, "offset": start, "length": end - start})
    return stripped, out
