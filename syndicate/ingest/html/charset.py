"""Which encoding a page's bytes are in, the way a browser would decide.

1. a byte order mark
2. the charset the head declares: <meta charset>, <meta http-equiv=Content-Type>
   or the XML declaration, looked for in the first 64 KB before <body>
   (Latin-1 and ASCII labels mean windows-1252, a declared UTF-16 means UTF-8,
   and a Latin-1 label over bytes that are valid UTF-8 is taken as UTF-8)
3. strict UTF-8
4. charset-normalizer's guess, its near-ties broken toward the legacy code page
   of the page's <html lang>, then toward windows-1252
5. windows-1252, with a replacement character for each undecodable byte
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Final

from charset_normalizer import from_bytes

HEAD_BYTES: Final = 65_536
DETECT_BYTES: Final = 200_000
CHAOS_TIE: Final = 0.01

_BOMS: Final = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""", re.I)
_HTML_LANG = re.compile(rb"""<html[^>]*?\slang\s*=\s*["']?([a-zA-Z]{2,3})\b""", re.I)
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_LABELS: Final = {"windows-874": "cp874", "x-sjis": "cp932", "x-gbk": "gb18030"}
_WHATWG: Final = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
"""Labels browsers read as a superset of what Python's codec of that name decodes."""

LEGACY_CODEPAGES: Final[dict[str, str]] = {
    **dict.fromkeys(
        "en fr de es pt it nl sv da no nb nn fi is ca eu gl ga af sq id ms sw".split(), "cp1252"
    ),
    **dict.fromkeys("pl cs sk hu hr sl ro bs".split(), "cp1250"),
    **dict.fromkeys("ru uk bg sr mk be".split(), "cp1251"),
    "el": "cp1253",
    "tr": "cp1254",
    "he": "cp1255",
    **dict.fromkeys("ar fa ur".split(), "cp1256"),
    **dict.fromkeys("lt lv et".split(), "cp1257"),
    "vi": "cp1258",
    "th": "cp874",
    "ja": "cp932",
    "zh": "gb18030",
    "ko": "cp949",
}
"""What browsers fall back to for an undeclared page in each language."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    how: str
    """bom, declared, utf-8, detected or fallback."""
    replaced: bool = False
    """True when undecodable bytes became replacement characters."""


def codec_name(label: str | bytes) -> str | None:
    """Python's canonical name for an encoding label, or None when unknown."""
    text = (label.decode("ascii", "ignore") if isinstance(label, bytes) else label).strip()
    try:
        return codecs.lookup(_LABELS.get(text.lower(), text)).name
    except (LookupError, ValueError):
        return None


def declared_charset(data: bytes) -> str | None:
    """The codec the document's head declares, as browsers map the label."""
    head = data[:HEAD_BYTES]
    body_at = head.lower().find(b"<body")
    if body_at > 0:
        head = head[:body_at]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    name = codec_name(match.group(1))
    if name is None:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return _WHATWG.get(name, name)


def language_codepage(data: bytes) -> str | None:
    """The legacy code page of the language named by <html lang>, if any."""
    match = _HTML_LANG.search(_COMMENT.sub(b"", data[:HEAD_BYTES]))
    if not match:
        return None
    return LEGACY_CODEPAGES.get(match.group(1).decode("ascii").lower())


def decode_page(data: bytes) -> Decoded:
    """The page's text; see the module docstring for the order of evidence."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, "replace")
            return Decoded(text, encoding, "bom", "\ufffd" in text)
    declared = declared_charset(data)
    utf8: str | None
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if declared == "utf-8" and utf8 is not None:
        return Decoded(utf8, "utf-8", "declared")
    if declared == "cp1252" and utf8 is not None and _UTF8_MULTIBYTE.search(data):
        return Decoded(utf8, "utf-8", "utf-8")
    if declared is not None:
        try:
            return Decoded(data.decode(declared), declared, "declared")
        except UnicodeDecodeError:
            if utf8 is not None:
                return Decoded(utf8, "utf-8", "utf-8")
            return Decoded(data.decode(declared, "replace"), declared, "declared", True)
    if utf8 is not None:
        return Decoded(utf8, "utf-8", "utf-8")
    guess = detect(data, language_codepage(data))
    if guess is not None:
        text = data.decode(guess, "replace")
        return Decoded(text, guess, "detected", "\ufffd" in text)
    text = data.decode("cp1252", "replace")
    return Decoded(text, "cp1252", "fallback", "\ufffd" in text)


def detect(data: bytes, preferred: str | None) -> str | None:
    """charset-normalizer's best guess; among guesses about as good as the best,
    the `preferred` code page wins, then windows-1252."""
    results = list(from_bytes(data[:DETECT_BYTES]))
    if not results:
        return None
    best = results[0]
    close = {
        name: result.encoding
        for result in results
        if result.chaos <= best.chaos + CHAOS_TIE and (name := codec_name(result.encoding))
    }
    for wanted in (preferred, "cp1252"):
        if wanted is not None and codec_name(wanted) in close:
            return close[codec_name(wanted) or ""]
    return codec_name(best.encoding) or best.encoding
