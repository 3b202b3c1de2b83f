"""What a page says about itself: <meta> tags, JSON-LD, its URL and names.

The page's own markup is asked first, in this order of trust: the JSON-LD
article node, then OpenGraph / article:* / Dublin Core / name= meta tags, then
what is visible (headings, bylines, <time>). `<meta value=...>` counts where
`content` is missing (some page savers rewrite the attribute).

JSON-LD is read with bounded effort: a script over MAX_JSONLD characters is
skipped, a document nested too deeply to parse is skipped, and the walk over
its nodes is iterative and capped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urljoin, urlsplit

from ...model import Image
from ..frontmatter import guess_image_type
from .parse import Element, squash

MAX_JSONLD: Final = 1_000_000
MAX_JSONLD_NODES: Final = 5_000
MAX_JSONLD_DEPTH: Final = 20

ARTICLE_TYPES: Final = frozenset(
    "newsarticle article reportagenewsarticle analysisnewsarticle opinionnewsarticle"
    " reviewnewsarticle backgroundnewsarticle blogposting liveblogposting socialmediaposting"
    " techarticle scholarlyarticle report askpublicnewsarticle satiricalarticle posting".split()
)
ORGANIZATION_TYPES: Final = frozenset({"organization", "newsmediaorganization", "corporation"})

_CDATA_OPEN = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)")
_CDATA_CLOSE = re.compile(r"(?:-->|\]\]>|//\s*\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_HOST = re.compile(r"^(?:www\d?|m|amp)\.")
SEPARATOR: Final = r"\s+(?:[-|–—»·•/]|::)\s+|\s*\|\s*"
"""What joins a title to a site name: a dash, bar, guillemet or bullet between spaces."""

_URL_SAFE: Final = ":/?#[]@!$&'()*+,;=%~"
Node = dict[str, Any]


def field_text(value: object) -> str:
    """A metadata string: entities decoded, whitespace squashed ("" when not a string)."""
    if not isinstance(value, str):
        return ""
    return squash(html.unescape(value) if "&" in value else value)


@dataclass(frozen=True, slots=True)
class Page:
    """A parsed page and its metadata sources, gathered once."""

    root: Element
    meta: Mapping[str, list[str]]
    nodes: list[Node]
    article: Node | None
    ids: Mapping[str, Node]
    title: str
    site_names: tuple[str, ...]
    url: str | None
    """The page's own absolute http(s) URL (<base>, canonical or og:url), if it names one."""

    def first_meta(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                text = field_text(value)
                if text:
                    return text
        return None

    def article_text(self, *keys: str) -> str | None:
        """The first non-empty string among the article node's `keys`."""
        if self.article is None:
            return None
        for key in keys:
            text = field_text(self.article.get(key))
            if text:
                return text
        return None


def read_page(root: Element) -> Page:
    meta = meta_map(root)
    nodes = jsonld_nodes(root)
    title = squash(root.findtext("head/title") or root.findtext(".//title"))
    hints = {title, field_text(next(iter(meta.get("og:title", ())), ""))}
    article = pick_article(nodes, hints)
    ids = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    url = page_url(root, meta)
    names = site_names(meta, article, url, title)
    return Page(root, meta, nodes, article, ids, title, names, url)


def meta_map(root: Element) -> dict[str, list[str]]:
    """Every <meta> property/name/itemprop/http-equiv (lowercased) -> its values."""
    found: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        value = el.get("content")
        if value is None:
            value = el.get("value")
        if value is None:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            for key in (el.get(attribute) or "").lower().split():
                found.setdefault(key, []).append(value)
    return found


def _loads(text: str) -> Any:
    text = _CDATA_CLOSE.sub("", _CDATA_OPEN.sub("", text.strip()))
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def jsonld_nodes(root: Element) -> list[Node]:
    """Every JSON-LD object on the page, @graph and mainEntity members included."""
    nodes: list[Node] = []
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = script.text or ""
        if not text or len(text) > MAX_JSONLD:
            continue
        stack: list[tuple[Any, int]] = [(_loads(text), 0)]
        seen = 0
        while stack and seen < MAX_JSONLD_NODES:
            value, depth = stack.pop()
            seen += 1
            if depth > MAX_JSONLD_DEPTH:
                continue
            if isinstance(value, list):
                stack.extend((item, depth + 1) for item in reversed(value))
            elif isinstance(value, dict):
                nodes.append(value)
                for key in ("@graph", "mainEntity", "itemListElement"):
                    if key in value:
                        stack.append((value[key], depth + 1))
    return nodes


def types_of(node: Node) -> set[str]:
    """The node's @type values, lowercased, without a vocabulary prefix."""
    value = node.get("@type")
    listed = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for t in listed}


def pick_article(nodes: list[Node], hints: set[str]) -> Node | None:
    """The JSON-LD node describing the article: an article type, else a WebPage with a
    headline or date; the one whose headline is the page's title wins."""
    articles = [n for n in nodes if types_of(n) & ARTICLE_TYPES]
    if not articles:
        articles = [
            n
            for n in nodes
            if "webpage" in types_of(n) and (n.get("headline") or n.get("datePublished"))
        ]
    if not articles:
        return None

    def score(node: Node) -> tuple[bool, bool, bool, bool]:
        headline = field_text(node.get("headline") or node.get("name"))
        return (
            bool(headline) and headline in hints,
            bool(node.get("headline")),
            bool(node.get("datePublished")),
            bool(node.get("author")),
        )

    return max(articles, key=score)


def absolute_http(raw: str | None, base: str | None) -> str | None:
    """`raw` as an absolute http(s) URL (resolved against `base`, spaces and
    non-ASCII characters percent-encoded), else None."""
    text = squash(raw)
    if not text:
        return None
    try:
        url = quote(urljoin(base, text) if base else text, safe=_URL_SAFE)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def page_url(root: Element, meta: Mapping[str, list[str]]) -> str | None:
    """The page's own URL: an absolute <base href>, else canonical, else og:url."""
    candidates = [el.get("href") for el in root.iter("base")]
    candidates += [
        el.get("href")
        for el in root.iter("link")
        if "canonical" in (el.get("rel") or "").lower().split()
    ]
    candidates += meta.get("og:url", [])
    for raw in candidates:
        url = absolute_http(raw, None)
        if url is not None:
            return url
    return None


def site_names(
    meta: Mapping[str, list[str]], article: Node | None, url: str | None, title: str
) -> tuple[str, ...]:
    """Names the site goes by: og:site_name and kin, the publisher, the host, and
    the segments a <title> adds after the article's own title."""
    names = [
        field_text(value)
        for key in (
            "og:site_name",
            "application-name",
            "apple-mobile-web-app-title",
            "twitter:site",
        )
        for value in meta.get(key, [])[:1]
    ]
    if article is not None and isinstance(article.get("publisher"), dict):
        names.append(field_text(article["publisher"].get("name")))
    if url is not None:
        host = _HOST.sub("", urlsplit(url).hostname or "")
        names += [host, host.split(".")[0]]
    segments = [s for s in re.split(SEPARATOR, title) if s]
    og = next((field_text(v) for k in ("og:title", "twitter:title") for v in meta.get(k, ())), "")
    if len(segments) > 1 and squash(segments[0]) and og.startswith(squash(segments[0])):
        names += segments[1:]
    return tuple(dict.fromkeys(n.lstrip("@").strip() for n in names if n and n.strip("@ ")))


def summary_of(page: Page) -> str | None:
    return page.article_text("description") or page.first_meta(
        "og:description", "twitter:description", "description"
    )


def images_of(page: Page) -> tuple[Image, ...]:
    """og:image / twitter:image and the JSON-LD article's images, absolute http(s) only."""
    raws: list[str] = []
    if page.article is not None:
        raws.extend(_image_urls(page.article.get("image")))
    for key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image"):
        raws.extend(page.meta.get(key, ()))
    urls = dict.fromkeys(u for raw in raws if (u := absolute_http(raw, page.url)) is not None)
    return tuple(Image(url=url, media_type=guess_image_type(url)) for url in list(urls)[:10])


def _image_urls(value: object) -> Iterator[str]:
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict) and depth < 4:
            stack.append((item.get("url") or item.get("contentUrl"), depth + 1))
        elif isinstance(item, list) and depth < 4:
            stack.extend((x, depth + 1) for x in reversed(item[:10]))
