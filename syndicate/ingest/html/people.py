"""Who wrote the article.

In order: the JSON-LD article's author (strings, Person objects, arrays, @id
references into the @graph; organizations are not people), then the author
meta tags (article:author, author, byl, dc.creator...), then the visible page:
itemprop=author, rel=author links, links to author pages, byline/author
classes, each outside navigation, footers and related/comment boxes.

A byline is split into names on commas, semicolons and the words for "and";
labels such as By / Par / Von / Por / 责任编辑： go; strings that cannot be a
person's name (URLs, digits, the site's own name, "Staff") are rejected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, Final

from lxml import etree

from ...model import Byline
from .metadata import ORGANIZATION_TYPES, Node, Page, field_text, types_of
from .parse import attribute_words, in_boilerplate, text_of

MAX_NAME = 60
MAX_WORDS = 6
MAX_BYLINE_TEXT = 80
MAX_GROUP_TEXT = 300

_LABEL = re.compile(
    r"^(?:by|par|von|por|de|di|door|av|af|autor(?:a|in)?|author|auteur|texte|text|written by|"
    r"reporter|reporting by|story by|posted by|escrito por|publicado por|redacción|réd\.?)"
    r"\s*[:：]?\s+",
    re.I,
)
_CJK_LABEL = re.compile(
    r"^(?:作者|记者|撰文|文|编辑|责任编辑|责编|本报记者|新华社记者|筆者|著者|文・|文／|文/)"
    r"\s*[:：/／・]?\s*"
)
_SPLIT = re.compile(r"\s*(?:,|;|\||/|，|、|\band\b|&|\bund\b|\bet\b|\by\b|\be\b|\bor\b)\s*", re.I)
_WRITTEN_BY = re.compile(r"\b(?:by|author|autor|auteur)", re.I)
_NOT_A_NAME = re.compile(r"https?:|www\.|@|\.com\b|\d")
_URLISH = re.compile(r"^(?:https?:|www\.|/)", re.I)
_QUOTES = " '\"“”‘’«»()[]"
_TRIM = _QUOTES + "-–—:·"
_SEGMENT = re.compile(r"\s[|·•]\s|\s[-–—]\s")
NOT_NAMES: Final = frozenset(
    "submitted posted admin administrator staff updated published share twitter facebook email"
    " e-mail follow more about unknown anonymous guest editor redaktion rédaction redacción"
    " newsroom contributor".split()
)

_AUTHOR_HREF = re.compile(
    r"/(?:authors?|autor(?:es|en|in)?|auteurs?|autore|autori|redaktion|redakteur(?:e|in)?|"
    r"journalists?|people|staff|profiles?|writers?|reporters?|contributors?|by|mitarbeiter|"
    r"columnists?)(?:/|\?|$)",
    re.I,
)
_BYLINE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:by-?line\w*|author\w*|autor\w*|auteur\w*|writer|reporter|creator|journalist)"
    r"(?:$|[\s_-])",
    re.I,
)
_NOT_BYLINE_CLASS = re.compile(r"comment|avatar|bio|photo|image|img|related", re.I)
_NOT_BYLINE_TAGS = frozenset("body html article section main meta link script".split())
_SLUG_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%._+-")
MAX_HREF = 2_000
_QUERY_SLUG = re.compile(r"[?&][a-z]+=([A-Za-z0-9%._+-]+)")

Predicate = Callable[[etree._Element], bool]


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


def plausible_name(name: str) -> bool:
    return (
        2 <= len(name) <= MAX_NAME
        and not _NOT_A_NAME.search(name)
        and len(name.split()) <= MAX_WORDS
        and name.lower().strip(" .:") not in NOT_NAMES
    )


def split_names(raw: str | None, site_names: Iterable[str] = ()) -> list[str]:
    """The person names in one byline string ([] when it holds none)."""
    text = field_text(raw).strip(_QUOTES)
    if not text or _URLISH.match(text):
        return []
    if _key(text) in {_key(s) for s in site_names if _key(s)}:
        return []
    names = []
    for part in _SPLIT.split(text):
        part = _CJK_LABEL.sub("", _LABEL.sub("", part.strip(_TRIM))).strip(_TRIM)
        if plausible_name(part):
            names.append(part)
    return names


def dedupe(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = " ".join(re.sub(r"[.,]", " ", name.lower()).split())
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def jsonld_people(value: Any, ids: dict[str, Node] | Any) -> list[str]:
    """Person names in a JSON-LD author value, iteratively and bounded."""
    people: list[str] = []
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > 5 or item is None:
            continue
        if isinstance(item, str):
            people.append(item)
        elif isinstance(item, list):
            stack.extend((x, depth + 1) for x in reversed(item[:50]))
        elif isinstance(item, dict):
            if "name" not in item and isinstance(item.get("@id"), str) and item["@id"] in ids:
                item = ids[item["@id"]]
            name = item.get("name")
            if isinstance(name, list):
                name = " ".join(str(n) for n in name)
            if not name and (item.get("givenName") or item.get("familyName")):
                name = f"{item.get('givenName', '')} {item.get('familyName', '')}"
            if isinstance(name, str) and name.strip() and not types_of(item) & ORGANIZATION_TYPES:
                people.append(name)
    return people


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_from_slug(link: etree._Element) -> str | None:
    """For an author link whose text is not the name (initials, a photo): the run of
    words near the link that spells the link's slug (luana-patriolino -> Luana Patriolino)."""
    href = link.get("href") or ""
    if len(href) > MAX_HREF:
        return None
    path = href.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    start = len(path)
    while start > 0 and path[start - 1] in _SLUG_CHARS:
        start -= 1
    slug = path[start:]
    query = _QUERY_SLUG.search(href)
    if query and not re.search(r"[a-z]-[a-z]", slug):
        slug = query.group(1)
    words = [w for w in re.split(r"[-_+.%0-9]+", slug.lower()) if w.isalpha()]
    if len(words) < 2:
        return None
    node: etree._Element | None = link
    for _ in range(3):
        node = node.getparent() if node is not None else None
        if node is None:
            return None
        tokens = text_of(node).split()
        if len(" ".join(tokens)) > MAX_GROUP_TEXT:
            return None
        folded = [_fold(t).strip(".,") for t in tokens]
        for i in range(len(tokens) - len(words) + 1):
            if folded[i : i + len(words)] == words:
                return " ".join(tokens[i : i + len(words)])
    return None


class _Visible:
    """Bylines shown in the page itself."""

    def __init__(self, site_names: tuple[str, ...]) -> None:
        self.site_names = site_names

    def names_of(self, el: etree._Element) -> list[str]:
        if el.tag == "meta":
            return split_names(el.get("content") or el.get("value"), self.site_names)
        named = el.find('.//*[@itemprop="name"]')
        if named is not None:
            return split_names(named.get("content") or text_of(named), self.site_names)
        text = text_of(el)
        if el.tag == "a":
            return self.link_names(el, text)
        text = _SEGMENT.split(text)[0] if text else text
        return split_names(text, self.site_names) if 0 < len(text) <= MAX_BYLINE_TEXT else []

    def link_names(self, link: etree._Element, text: str) -> list[str]:
        names = split_names(text, self.site_names) if text and len(text) <= MAX_NAME else []
        if names and not all(len(n) <= 3 and n.isupper() for n in names):
            return names
        images = (i.get("alt") for i in link.iter("img") if i.get("alt"))
        alt = link.get("title") or next(images, None)
        if alt and len(alt) <= 40 and len(alt.split()) <= 4:
            names = split_names(alt, self.site_names)
            if names:
                return names
        slug_name = name_from_slug(link)
        return [slug_name] if slug_name else []

    def find(self, body: etree._Element) -> list[str]:
        """The names of the most trusted kind of byline found, in one pass over the page."""
        found: list[tuple[etree._Element, list[str]] | None] = [None] * len(_PREDICATES)
        for el in body.iter():
            if not isinstance(el.tag, str):
                continue
            for kind, predicate in enumerate(_PREDICATES):
                if found[kind] is None and predicate(el) and not in_boilerplate(el):
                    names = self.names_of(el)
                    if names:
                        found[kind] = (el, names)
            if found[0] is not None:
                break
        for kind, hit in enumerate(found):
            if hit is None:
                continue
            el, names = hit
            for other in _group(el, _PREDICATES[kind]):
                if other is not el and not in_boilerplate(other):
                    names += self.names_of(other)
            return dedupe(names)
        return []


def _itemprop_author(el: etree._Element) -> bool:
    return el.tag != "html" and "author" in attribute_words(el, "itemprop")


def _rel_author(el: etree._Element) -> bool:
    return el.tag == "a" and "author" in attribute_words(el, "rel")


def _author_page_link(el: etree._Element) -> bool:
    return el.tag == "a" and bool(_AUTHOR_HREF.search(el.get("href") or ""))


def _byline_class(el: etree._Element) -> bool:
    classes = el.get("class") or ""
    return (
        el.tag not in _NOT_BYLINE_TAGS
        and bool(_BYLINE_CLASS.search(f"{classes} {el.get('id') or ''}"))
        and not _NOT_BYLINE_CLASS.search(classes)
    )


_PREDICATES: Final[tuple[Predicate, ...]] = (
    _itemprop_author,
    _rel_author,
    _author_page_link,
    _byline_class,
)


def _group(el: etree._Element, predicate: Predicate) -> list[etree._Element]:
    """Every element matching `predicate` in the largest ancestor (up to three
    levels, short text) around `el`: the other names of the same byline."""
    node: etree._Element | None = el
    best = [el]
    for _ in range(3):
        node = node.getparent() if node is not None else None
        if node is None or len(text_of(node)) > MAX_GROUP_TEXT:
            break
        found = [x for x in node.iter() if isinstance(x.tag, str) and predicate(x)]
        if len(found) > len(best):
            best = found
    return best


def choose_authors(page: Page) -> list[Byline]:
    return [Byline(name) for name in author_names(page)]


def author_names(page: Page) -> list[str]:
    if page.article is not None and page.article.get("author"):
        people = jsonld_people(page.article.get("author"), page.ids)
        names = dedupe(n for p in people for n in split_names(p, page.site_names))
        if names:
            return names
    for key in (
        "article:author",
        "og:article:author",
        "author",
        "byl",
        "dc.creator",
        "dcterms.creator",
        "sailthru.author",
        "parsely-author",
        "citation_author",
    ):
        names = dedupe(n for v in page.meta.get(key, []) for n in split_names(v, page.site_names))
        if names:
            return names
    label = page.first_meta("twitter:label1") or ""
    if _WRITTEN_BY.search(label):
        names = split_names(page.first_meta("twitter:data1"), page.site_names)
        if names:
            return names
    body = page.root.find("body")
    return _Visible(page.site_names).find(body) if body is not None else []
