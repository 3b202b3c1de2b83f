"""The article's language, as a BCP 47 tag.

Declared first: <html lang> (or xml:lang), Content-Language, a language meta
tag, the JSON-LD article's inLanguage, og:locale. The writing system of the
text overrules a declaration it contradicts (a page template declaring "en"
around Chinese text), and names the language when nothing is declared and the
script leaves no doubt (kana: Japanese, Hangul: Korean, Han: Chinese, Thai,
Arabic, Hebrew, Cyrillic: Russian, Greek, Devanagari: Hindi).
"""

from __future__ import annotations

import re
from typing import Final

from .metadata import Page, field_text

SAMPLE: Final = 20_000
KANA_SHARE: Final = 0.05
SCRIPT_SHARE: Final = 0.3

_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_KANA = re.compile(r"[\u3040-\u30ff]")
SCRIPTS: Final = (
    (re.compile(r"[\uac00-\ud7af]"), "ko"),
    (re.compile(r"[\u4e00-\u9fff]"), "zh"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0600-\u06ff]"), "ar"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0400-\u04ff]"), "ru"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u0900-\u097f]"), "hi"),
)
SCRIPT_FAMILY: Final[dict[str, frozenset[str]]] = {
    "ja": frozenset({"ja"}),
    "ko": frozenset({"ko"}),
    "zh": frozenset({"zh", "ja", "yue", "cmn", "wuu", "hak", "nan"}),
    "th": frozenset({"th"}),
    "ar": frozenset({"ar", "fa", "ur", "ps", "ckb", "sd", "ug"}),
    "he": frozenset({"he", "yi", "iw"}),
    "ru": frozenset({"ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn", "tg"}),
    "el": frozenset({"el"}),
    "hi": frozenset({"hi", "mr", "ne", "sa"}),
}
"""Languages a script may be written in: a declaration among them is kept."""


def bcp47(raw: str | None) -> str | None:
    """A well-formed tag in its conventional case (en-US, zh-Hant-TW), or None."""
    text = field_text(raw).split(",")[0].strip().replace("_", "-")
    if not _TAG.fullmatch(text):
        return None
    first, *rest = text.split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 2:
            parts.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())
        else:
            parts.append(part.lower())
    return "-".join(parts)


def script_language(text: str) -> str | None:
    """The language a text's writing system leaves no doubt about, or None."""
    sample = text[:SAMPLE]
    letters = sum(1 for ch in sample if ch.isalpha())
    if not letters:
        return None
    if len(_KANA.findall(sample)) > KANA_SHARE * letters:
        return "ja"
    count, language = max((len(rx.findall(sample)), lang) for rx, lang in SCRIPTS)
    return language if count > SCRIPT_SHARE * letters else None


def declared_language(page: Page) -> str | None:
    root = page.root
    candidates = [
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        root.get("xml:lang"),
        page.first_meta("content-language"),
        page.first_meta("language", "dc.language", "dcterms.language", "inlanguage"),
        page.article_text("inLanguage"),
        page.first_meta("og:locale"),
    ]
    for raw in candidates:
        tag = bcp47(raw)
        if tag is not None:
            return tag
    return None


def choose_language(page: Page, text: str) -> str | None:
    declared = declared_language(page)
    written = script_language(text)
    if declared is None:
        return written
    primary = declared.split("-")[0]
    if written is not None and primary not in SCRIPT_FAMILY.get(written, frozenset({written})):
        return written
    return declared
