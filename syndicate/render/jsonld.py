"""schema.org JSON-LD for an article page: one `@graph` of

    NewsArticle      url#article: headline (cut at a word boundary to 110
                     characters, the full text then in alternativeHeadline),
                     dates with the offset they were given, authors (Person or
                     Organization; the publisher when there is no byline),
                     publisher (NewsMediaOrganization), images, subjects as
                     IPTC DefinedTerms under `about`, dateline and its Place,
                     corrections as CorrectionComments
    FAQPage          url#faq, when the body holds FAQ blocks: Question/Answer
    BreadcrumbList   url#breadcrumb: home > section > article

Values are plain text and plain data; escaping for the HTML page is the
page's business. The rules the output follows are in syndicate.vocabulary
and schemas/jsonld-profile.schema.json.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

from ..codec import format_timestamp
from ..config import Config
from ..model import (
    Article,
    Byline,
    Faq,
    Heading,
    Image,
    ImageBlock,
    Inline,
    ListBlock,
    Paragraph,
    Quote,
    Table,
)
from ..urls import Urls

CONTEXT: Final = "https://schema.org"
MAX_HEADLINE: Final = 110
ELLIPSIS: Final = "…"
MEDIATOPIC_SET: Final = "http://cv.iptc.org/newscodes/mediatopic/"
_TRAILING: Final = ",;:–—-/|"
_ZWJ: Final = "\u200d"
_NO_BREAK_BEFORE: Final = frozenset(
    "\u200d\ufe0e\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"
)


def render_jsonld(article: Article, config: Config) -> dict[str, Any]:
    """The JSON-LD document of the article's page (not yet checked)."""
    urls = Urls(config.site.base_url)
    page = urls.article(article.slug)
    headline = cut_headline(article.headline)
    graph: list[dict[str, Any]] = [_news_article(article, config, page, headline)]
    faq = _faq_page(article, page)
    if faq is not None:
        graph.append(faq)
    graph.append(_breadcrumbs(article, config, urls, headline))
    return {"@context": CONTEXT, "@graph": graph}


def cut_headline(text: str, limit: int = MAX_HEADLINE) -> str:
    """`text` when it fits, else its longest prefix ending at a word boundary
    that fits, with an ellipsis when there is room for one. Text without a
    usable space is cut between characters, never inside a joined sequence."""
    if len(text) <= limit:
        return text
    for i in range(limit, 0, -1):
        if text[i].isspace():
            prefix = _trim(text[:i])
            if prefix:
                return prefix + ELLIPSIS if len(prefix) < limit else prefix
            break
    cut = limit - 1
    while cut > 1 and _joined(text, cut):
        cut -= 1
    return text[:cut] + ELLIPSIS


def _trim(prefix: str) -> str:
    """Trailing spaces and dangling separators off; the prefix itself when
    nothing but those would be left."""
    trimmed = prefix.rstrip()
    while True:
        shorter = trimmed.rstrip(_TRAILING).rstrip()
        if not shorter or shorter == trimmed:
            return trimmed
        trimmed = shorter


def _joined(text: str, at: int) -> bool:
    """True when a cut before text[at] would split a character sequence:
    a combining mark, a joiner, a variation selector or a skin tone, or
    the second half of a regional-indicator flag."""
    char = text[at]
    if unicodedata.combining(char) or char in _NO_BREAK_BEFORE or text[at - 1] == _ZWJ:
        return True
    if _regional(char):
        run = 0
        while at - run - 1 >= 0 and _regional(text[at - run - 1]):
            run += 1
        return run % 2 == 1
    return False


def _regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _present(text: str | None) -> bool:
    """Set and not only white space (a blank value is left out, not emitted)."""
    return text is not None and text != "" and not text.isspace()


def section_name(article: Article, config: Config) -> str:
    return article.section if _present(article.section) else config.ingest.default_section


def publisher_id(config: Config) -> str:
    return config.publisher.url + "#publisher"


def _news_article(article: Article, config: Config, page: str, headline: str) -> dict[str, Any]:
    published = format_timestamp(article.published)
    node: dict[str, Any] = {
        "@type": "NewsArticle",
        "@id": page + "#article",
        "url": page,
        "mainEntityOfPage": page,
        "identifier": article.id,
        "headline": headline,
    }
    if headline != article.headline:
        node["alternativeHeadline"] = article.headline
    if _present(article.summary):
        node["description"] = article.summary
    node["datePublished"] = published
    node["dateModified"] = format_timestamp(article.updated) or published
    node["inLanguage"] = article.language
    node["articleSection"] = section_name(article, config)
    authors = [_author(b) for b in article.bylines if _present(b.name)]
    node["author"] = authors or [_publisher(config)]
    node["publisher"] = _publisher(config)
    images = _images(article)
    if images:
        node["image"] = [_image(i) for i in images]
    keywords = [k for k in article.keywords if _present(k)]
    if keywords:
        node["keywords"] = keywords
    subjects = [s for s in article.subjects if _present(s.name)]
    if subjects:
        node["about"] = [
            {
                "@type": "DefinedTerm",
                "name": s.name,
                "termCode": s.qcode.split(":", 1)[-1],
                "inDefinedTermSet": MEDIATOPIC_SET,
                "url": s.uri,
            }
            for s in subjects
        ]
    if _present(article.dateline):
        node["dateline"] = article.dateline
        node["locationCreated"] = {"@type": "Place", "name": article.dateline}
    corrections = [c for c in article.corrections if _present(c.note)]
    if corrections:
        node["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": c.note,
                "datePublished": format_timestamp(c.time),
            }
            for c in corrections
        ]
    node["isAccessibleForFree"] = True
    node["copyrightHolder"] = {"@id": publisher_id(config)}
    node["copyrightNotice"] = config.render.copyright_notice
    node["copyrightYear"] = article.published.year
    node["wordCount"] = word_count(article)
    return node


def _author(byline: Byline) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "Organization" if byline.kind == "organization" else "Person",
        "name": byline.name,
    }
    if _present(byline.url):
        node["url"] = byline.url
    return node


def _publisher(config: Config) -> dict[str, Any]:
    pub = config.publisher
    return {
        "@type": "NewsMediaOrganization",
        "@id": publisher_id(config),
        "name": pub.name,
        "url": pub.url,
        "logo": {"@type": "ImageObject", "url": pub.logo, "contentUrl": pub.logo},
    }


def _images(article: Article) -> list[Image]:
    """The article's images, then those in the body, each URL once."""
    seen: set[str] = set()
    out: list[Image] = []
    body = (b.image for b in article.body if isinstance(b, ImageBlock))
    for image in (*article.images, *body):
        if image.url not in seen:
            seen.add(image.url)
            out.append(image)
    return out


def _image(image: Image) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "ImageObject", "url": image.url, "contentUrl": image.url}
    if image.width:
        node["width"] = image.width
    if image.height:
        node["height"] = image.height
    if _present(image.caption):
        node["caption"] = image.caption
    if _present(image.credit):
        node["creditText"] = image.credit
    node["encodingFormat"] = image.media_type
    return node


def _faq_page(article: Article, page: str) -> dict[str, Any] | None:
    questions = [
        {
            "@type": "Question",
            "name": item.question.text,
            "acceptedAnswer": {"@type": "Answer", "text": item.answer.text},
        }
        for block in article.body
        if isinstance(block, Faq)
        for item in block.items
        if _present(item.question.text) and _present(item.answer.text)
    ]
    if not questions:
        return None
    return {
        "@type": "FAQPage",
        "@id": page + "#faq",
        "url": page,
        "inLanguage": article.language,
        "mainEntity": questions,
    }


def _breadcrumbs(article: Article, config: Config, urls: Urls, headline: str) -> dict[str, Any]:
    page = urls.article(article.slug)
    trail = (
        (config.site.name, urls.home()),
        (section_name(article, config), urls.section(article.section)),
        (headline, page),
    )
    return {
        "@type": "BreadcrumbList",
        "@id": page + "#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(trail, start=1)
        ],
    }


def word_count(article: Article) -> int:
    """Words (runs of non-space characters) in the body's text, without recursion."""
    count = 0
    stack: list[Any] = list(article.body)
    while stack:
        block = stack.pop()
        if isinstance(block, Heading):
            count += len(block.text.split())
        elif isinstance(block, Paragraph | Quote):
            count += len(block.content.text.split())
        elif isinstance(block, Inline):
            count += len(block.text.split())
        elif isinstance(block, ListBlock):
            for item in block.items:
                stack.append(item.content)
                if item.children is not None:
                    stack.append(item.children)
        elif isinstance(block, Table):
            stack.extend(block.header)
            for row in block.rows:
                stack.extend(row)
        elif isinstance(block, Faq):
            for faq in block.items:
                stack.extend((faq.question, faq.answer))
    return count
