"""Article -> IPTC ninjs 3.1 (camelCase), using only names the official schema defines.

    standard                 {name: ninjs, version: 3.1, schema: the 3.1 schema URI}
    uri, version             the story id; the version number as a string
    type                     text
    slugline                 the slug
    firstCreated             published, as an instant (a date alone is midnight in
                             [site] timezone)
    versionCreated           updated, else published (an instant)
    pubStatus                usable | withheld | canceled
    embargoedUntil           the embargo, when there is one
    language                 BCP 47 tag
    headlines                role main (the headline), role sub (the subheadline)
    descriptions             role summary
    by                       the bylines as one display string
    people, organisations    one per byline, rel author, uri when the byline has a URL
    located                  the dateline
    subjects                 IPTC Media Topics: uri http://cv.iptc.org/newscodes/mediatopic/N, name
    bodies                   role main, application/xhtml+xml (syndicate.render.xhtml)
    associations             one picture per article image: uri, caption as a description
                             (role caption), credit as by, one rendition with what is known
    copyrightHolder          [publisher] name
    copyrightNotice, usageTerms   from [render]

What ninjs 3.1 has no property for is left out: the section, keywords, byline roles
(except inside `by`), an image's alt text, correction notes (they stay visible in
the body), the content hash.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from ..config import Config
from ..ingest.dates import as_instant
from ..model import Article, Byline, Image
from .xhtml import body_xhtml

NINJS_VERSION = "3.1"
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"
XHTML = "application/xhtml+xml"
PLAIN = "text/plain"
AUTHOR = "author"
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]~_"
_AND = {"da": "og", "de": "und", "fr": "et", "nb": "og", "nn": "og", "no": "og", "sv": "och"}


def render_ninjs(article: Article, config: Config) -> dict[str, Any]:
    """The ninjs 3.1 document of one article version (pure: same input, same dict)."""
    zone = config.site.timezone
    published = as_instant(article.published, zone)
    latest = as_instant(article.updated, zone) if article.updated is not None else published
    doc: dict[str, Any] = {
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": NINJS_SCHEMA},
        "uri": ascii_uri(article.id),
        "type": "text",
        "version": str(article.version),
        "slugline": article.slug,
        "firstCreated": instant_text(published),
        "versionCreated": instant_text(latest),
        "pubStatus": article.pubstatus.value,
    }
    if article.embargo is not None:
        doc["embargoedUntil"] = instant_text(article.embargo)
    doc["language"] = article.language
    doc["headlines"] = headlines(article)
    if article.summary:
        doc["descriptions"] = [{"role": "summary", "contentType": PLAIN, "value": article.summary}]
    bylines = [b for b in article.bylines if b.name]
    if bylines:
        doc["by"] = by_line(bylines, article.language)
        people = [_party(b) for b in bylines if b.kind == "person"]
        organisations = [_party(b) for b in bylines if b.kind == "organization"]
        if people:
            doc["people"] = people
        if organisations:
            doc["organisations"] = organisations
    if article.dateline:
        doc["located"] = article.dateline
    if article.subjects:
        doc["subjects"] = [{"uri": s.uri, "name": s.name} for s in article.subjects]
    doc["bodies"] = [{"role": "main", "contentType": XHTML, "value": body_xhtml(article)}]
    if article.images:
        doc["associations"] = [
            association(image, n) for n, image in enumerate(article.images, start=1)
        ]
    for key, value in (
        ("copyrightHolder", config.publisher.name),
        ("copyrightNotice", config.render.copyright_notice),
        ("usageTerms", config.render.usage_terms),
    ):
        if value:
            doc[key] = value
    return doc


def instant_text(value: datetime) -> str:
    """RFC 3339 with the article's own offset; an offset with seconds (which
    RFC 3339 cannot write) is given in UTC instead."""
    offset = value.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
    return value.isoformat()


def ascii_uri(value: str) -> str:
    """A URI as ninjs wants it: what a URI cannot hold (an IRI's non-ASCII
    letters, spaces, quotes, angle brackets) percent-encoded as UTF-8; a valid
    URI is left as it is."""
    return quote(value, safe=_URI_SAFE)


def headlines(article: Article) -> list[dict[str, str]]:
    out = [{"role": "main", "contentType": PLAIN, "value": article.headline}]
    if article.subheadline:
        out.append({"role": "sub", "contentType": PLAIN, "value": article.subheadline})
    return out


def by_line(bylines: list[Byline], language: str) -> str:
    """`Jane Roe and John Doe, Seoul correspondents` when they share one role,
    `Jane Roe (reporter) and John Doe` when roles differ. Names are joined
    without commas, so a reader never mistakes a name for a role."""
    word = _AND.get(language.split("-", 1)[0].lower(), "and")
    roles = {b.role for b in bylines}
    shared = next(iter(roles)) if len(roles) == 1 else None
    if shared:
        return f" {word} ".join(b.name for b in bylines) + f", {shared}"
    parts = [f"{b.name} ({b.role})" if b.role else b.name for b in bylines]
    return f" {word} ".join(parts)


def _party(byline: Byline) -> dict[str, str]:
    out = {"name": byline.name, "rel": AUTHOR}
    if byline.url:
        out["uri"] = ascii_uri(byline.url)
    return out


def association(image: Image, n: int) -> dict[str, Any]:
    """One picture: the caption as a description, the credit as `by`, and one
    rendition (the image itself) with its media type and the sizes known."""
    rendition: dict[str, Any] = {
        "name": "original",
        "href": ascii_uri(image.url),
        "contentType": image.media_type,
    }
    for key, value in (
        ("width", image.width),
        ("height", image.height),
        ("sizeInBytes", image.length),
    ):
        if value is not None:
            rendition[key] = value
    out: dict[str, Any] = {"name": f"picture{n}", "type": "picture", "uri": ascii_uri(image.url)}
    if image.caption:
        out["descriptions"] = [{"role": "caption", "contentType": PLAIN, "value": image.caption}]
    if image.credit:
        out["by"] = image.credit
    out["renditions"] = [rendition]
    return out
