"""Text hygiene shared by every reader.

NFC (never NFKC: full-width CJK punctuation survives), characters illegal in
XML 1.0, the C0/C1 control characters and lone surrogates removed, CRLF and
CR turned into LF; decode() drops a leading BOM. Typography (curly quotes,
dashes, emoji sequences, RTL marks) stays.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..errors import ReadError

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF];
# DEL and the C1 controls (#x7F-#x9F) are legal but discouraged, carry no
# text, and feed readers rewrite them as windows-1252 punctuation: out too.
# So are the other Unicode noncharacters (#xFDD0-#xFDEF and the last two of
# every plane), which XML discourages and HTML5 parsers report as errors.
# The pattern takes every character from #x1FFFE up as a candidate (one
# range keeps the regex fast; 32 astral singletons made it ten times
# slower) and _kept() lets the ones that are not noncharacters through.
_CANDIDATES = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe-\U0010ffff]"
)


def _kept(char: str) -> bool:
    return char > "\uffff" and ord(char) & 0xFFFE != 0xFFFE


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    return char if _kept(char) else ""


_NEWLINES = re.compile("\r\n?")


def decode(data: bytes, name: str) -> str:
    """Strict UTF-8 (a BOM allowed); a bad byte is refused with its offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"not valid UTF-8 at byte offset {exc.start} (byte 0x{data[exc.start]:02x})",
            file=name,
        ) from None


def strip_illegal(text: str) -> str:
    """Remove what XML 1.0 cannot carry; CR is kept out by clean()."""
    return _CANDIDATES.sub(_replacement, text)


def first_illegal(text: str) -> str | None:
    """The first character XML 1.0 cannot carry (or that is out with the C1
    controls), if any."""
    for found in _CANDIDATES.finditer(text):
        if not _kept(found.group()):
            return found.group()
    return None


def clean(text: str) -> str:
    """Full hygiene for a document or a field. (A document's BOM is dropped
    by decode(); inside text, U+FEFF is a character like any other.)"""
    text = _NEWLINES.sub("\n", text)
    text = strip_illegal(text)
    return unicodedata.normalize("NFC", text)


def clean_field(text: str) -> str:
    """A single-line field: hygiene, then surrounding whitespace trimmed."""
    return clean(text).strip()


def clean_tree(value: Any) -> Any:
    """Apply clean() to every string in a parsed JSON/YAML/TOML tree, iteratively."""
    if isinstance(value, str):
        return clean(value)
    if not isinstance(value, dict | list):
        return value
    root: list[Any] = [value]
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                item = node.pop(key)
                new_key = clean(key) if isinstance(key, str) else key
                node[new_key] = clean(item) if isinstance(item, str) else item
                if isinstance(item, dict | list):
                    stack.append(item)
        else:
            for i, item in enumerate(node):
                if isinstance(item, str):
                    node[i] = clean(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
    return root[0]


def is_blank(text: str) -> bool:
    """Empty or only whitespace (every str.isspace() character counts)."""
    return not text or text.isspace()
