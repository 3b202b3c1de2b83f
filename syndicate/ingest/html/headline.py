"""The article's headline.

In order: the JSON-LD article's headline (unless it was cut short with an
ellipsis and a longer source starts the same way), og:title / twitter:title /
itemprop=headline with a trailing site name removed (or the visible <h1> when
the meta title is that <h1> plus a suffix), the <h1> that also appears in the
<title>, and the <title> with its site name removed.

A site name is only removed when it is known to be one (og:site_name, the
publisher, the host, segments the <title> adds): a separator alone never
splits a headline ("Jay-Z", "«Name»: quote" stay whole).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .metadata import SEPARATOR, Page, field_text
from .parse import text_of

MIN_H1 = 9
_TRUNCATED = re.compile(r"(?:\.\.\.|…)$")
_BREADCRUMB = re.compile(r"[»|/]")


def _alnum(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


def _is_site(segment: str, sites: set[str]) -> bool:
    key = _alnum(segment)
    if not key:
        return False
    if key in sites:
        return True
    return len(segment.split()) <= 4 and any(
        len(site) >= 4 and (key.startswith(site) or key.endswith(site)) for site in sites
    )


def strip_site(title: str, names: Iterable[str]) -> str:
    """`title` without the site-name segment (and the breadcrumbs before it) at its
    end, or a site name at its start."""
    parts = re.split(f"({SEPARATOR})", title)
    if len(parts) < 3:
        return title
    segments = parts[0::2]
    sites = {key for name in names if (key := _alnum(name))}
    for i in range(1, len(segments)):
        if _is_site(segments[i], sites):
            while (
                i > 1
                and len(segments[i - 1].split()) <= 3
                and _BREADCRUMB.search(parts[2 * i - 1])
                and _BREADCRUMB.search(parts[2 * i - 3])
            ):
                i -= 1
            return " ".join("".join(parts[: 2 * i - 1]).split())
    if _is_site(segments[0], sites):
        return " ".join("".join(parts[2:]).split())
    return title


def visible_h1(page: Page) -> str | None:
    """The <h1> that is the article's: one contained in the <title> (or a child of an
    <h1> that also holds the site's logo), else the only <h1> of <article>/<main>,
    else the page's only <h1>."""
    h1s = list(page.root.iter("h1"))
    texts = [t for t in map(text_of, h1s) if t]
    if not texts:
        return None
    if page.title:
        inside = [t for t in texts if len(t) >= MIN_H1 and t in page.title]
        for h1 in h1s:
            for child in h1:
                child_text = text_of(child) if isinstance(child.tag, str) else ""
                if len(child_text) >= MIN_H1 and child_text in page.title:
                    inside.append(child_text)
        if inside:
            return max(inside, key=len)
    in_article = [t for el in page.root.xpath("//article//h1 | //main//h1") if (t := text_of(el))]
    if len(in_article) == 1:
        return in_article[0]
    if len(texts) == 1 and len(texts[0]) >= MIN_H1:
        return texts[0]
    return None


def choose_headline(page: Page) -> str | None:
    h1 = visible_h1(page)
    candidates: list[tuple[str, str]] = []
    jsonld = page.article_text("headline", "name")
    if jsonld:
        candidates.append(("jsonld", jsonld))
    for key in ("og:title", "twitter:title"):
        value = page.first_meta(key)
        if value:
            candidates.append(("meta", value))
    for el in page.root.xpath('//*[@itemprop="headline"]')[:1]:
        value = field_text(el.get("content")) or text_of(el)
        if value:
            candidates.append(("meta", value))
    if h1:
        candidates.append(("h1", h1))
    if page.title:
        candidates.append(("title", strip_site(page.title, page.site_names)))
    for i, (source, value) in enumerate(candidates):
        if source == "jsonld" and _TRUNCATED.search(value):
            stem = value.rstrip(".… ")
            longer = [
                c for _, c in candidates[i + 1 :] if c.startswith(stem) and len(c) > len(stem)
            ]
            if longer:
                return strip_site(longer[0], page.site_names)
        if source == "meta":
            stripped = strip_site(value, page.site_names)
            if h1 and stripped != h1 and re.match(re.escape(h1) + f"(?:{SEPARATOR})", stripped):
                return h1
            return stripped
        return value
    return None
