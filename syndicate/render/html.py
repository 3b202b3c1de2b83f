"""HTML pages from autoescaped Jinja2 templates.

Article text only ever reaches a page as escaped text: through Jinja2's
autoescaping, through lxml's serializer (the body) or as JSON with every `<`
written as \\u003c (the JSON-LD script), so no article can inject markup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from lxml import etree
from markupsafe import Markup

from ..codec import format_timestamp
from ..config import Config
from ..model import Article, Image, ImageBlock, Timestamp
from ..urls import Urls
from .jsonld import render_jsonld
from .xhtml import body_div


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed that carries the article, linked from its page."""

    title: str
    url: str
    media_type: str


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("syndicate.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=False,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def script_json(doc: dict[str, Any]) -> Markup:
    """JSON for a <script> element: `<`, `>` and `&` as \\u escapes, so no
    `</script>` or `<!--` can ever end or confuse the element."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def body_html(article: Article) -> Markup:
    """The shared XHTML body, serialized as HTML5 (same elements, no namespace)."""
    div = body_div(article)
    for node in div.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(div)
    div.set("class", "body")
    return Markup(etree.tostring(div, method="html", encoding="unicode"))


def shown(value: Timestamp | None) -> str:
    """A time as readers see it: `2026-11-24 07:30 (+01:00)`, a date as it is."""
    text = format_timestamp(value) or ""
    if len(text) <= 10:
        return text
    return f"{text[:10]} {text[11:16]} ({text[-6:] if text[-6] in '+-' else 'UTC'})"


RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})


def direction(language: str) -> str:
    """`rtl` for right-to-left languages, else `ltr`."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def og_locale(language: str) -> str:
    """`en-GB` -> `en_GB`, `ko` -> `ko`."""
    parts = language.replace("_", "-").split("-")
    return parts[0].lower() + ("_" + parts[1].upper() if len(parts) > 1 else "")


def lead_image(article: Article) -> Image | None:
    """The first image, unless the body already shows it."""
    if not article.images:
        return None
    shown_urls = {b.image.url for b in article.body if isinstance(b, ImageBlock)}
    first = article.images[0]
    return None if first.url in shown_urls else first


def render_article_page(
    article: Article,
    config: Config,
    *,
    feeds: Sequence[FeedLink] = (),
    sections: Sequence[str] = (),
    jsonld: dict[str, Any] | None = None,
) -> str:
    urls = Urls(config.site.base_url)
    page = {
        "url": urls.article(article.slug),
        "language": article.language,
        "dir": direction(article.language),
        "locale": og_locale(article.language),
        "published": format_timestamp(article.published),
        "published_text": shown(article.published),
        "modified": format_timestamp(article.updated),
        "modified_text": shown(article.updated),
        "image": article.images[0] if article.images else None,
        "lead_image": lead_image(article),
        "jsonld": script_json(jsonld if jsonld is not None else render_jsonld(article, config)),
        "body": body_html(article),
        "feeds": feeds,
        "sections": sections,
    }
    template = environment().get_template("article.html")
    return template.render(
        article=article, page=page, site=config.site, publisher=config.publisher, urls=urls
    )
