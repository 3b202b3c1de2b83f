"""Article -> IPTC NewsML-G2 2.35 newsItem (power conformance), built with lxml.

    newsItem guid=article.id version=article.version xml:lang=article.language
      catalogRef href=[render] catalog
      rightsInfo      copyrightHolder (uri + name: the publisher), copyrightNotice, usageTerms
      itemMeta        itemClass ninat:text, provider (the publisher), versionCreated,
                      firstCreated, embargoed?, pubStatus stat:*, edNote* (corrections),
                      signal? (sig:correction, else sig:update from version 2 on)
      contentMeta     contentCreated, contentModified?, located?, creator* (cpnat type,
                      cpprole role), language, subject+ (Media Topics, then the section as
                      a literal), keyword*, slugline, headline, headline role=hlrole:sub?,
                      dateline?, by*, description role=drol:summary?
      contentSet      inlineXML contenttype=application/xhtml+xml: one XHTML <html>

Every time is a full date-time with its UTC offset; a date without a time is
midnight in the site's timezone. Text is only ever set as text or attribute
values, so lxml escapes it exactly once. The output is described exactly by
schemas/newsml-g2-profile.xsd, and the same article and config always give the
same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard

from lxml import etree

from ..config import Config
from ..errors import RenderError
from ..ingest.dates import as_instant
from ..model import Article, Byline, Timestamp
from .xhtml import body_document

NAR_NS = "http://iptc.org/std/nar/2006-10-01/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/xhtml+xml"
INDENT = "  "
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

Element = etree._Element
_NSMAP: Mapping[Any, str] = {None: NAR_NS}

_LINE_BREAKS = re.compile(r"[\t\n\r]+")
_ROLE_WORDS: tuple[tuple[str, str], ...] = (
    ("correspondent", "cpprole:correspondent"),
    ("editor", "cpprole:editor"),
)


def _q(tag: str) -> str:
    return f"{{{NAR_NS}}}{tag}"


def _sub(parent: Element, tag: str, text: str | None = None, /, **attrs: str) -> Element:
    node = etree.SubElement(parent, _q(tag))
    for key, value in attrs.items():
        node.set(key, value)
    if text is not None:
        node.text = text
    return node


def _named(parent: Element, tag: str, name: str, /, **attrs: str) -> Element:
    """A concept property with one `name` child."""
    node = _sub(parent, tag, **attrs)
    _sub(node, "name", one_line(name))
    return node


def one_line(text: str) -> str:
    """Tabs and line breaks as one space: what g2normalizedString allows."""
    return _LINE_BREAKS.sub(" ", text)


def _present(text: str | None) -> TypeGuard[str]:
    return text is not None and bool(text.strip())


def stamp(value: datetime) -> str:
    """xs:dateTime with its offset; an offset with seconds (old local mean
    times) cannot be written in XML Schema, so that instant is given in UTC."""
    offset = value.utcoffset()
    if offset is None:
        raise RenderError("a time without a UTC offset", fmt="newsml")
    if offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
    return value.isoformat()


def instant(value: Timestamp, config: Config) -> str:
    return stamp(as_instant(value, config.site.timezone))


def creator_role(byline: Byline) -> str:
    """IPTC Content Production Party Role for a byline's free-text role."""
    role = (byline.role or "").casefold()
    for word, qcode in _ROLE_WORDS:
        if word in role:
            return qcode
    return "cpprole:author"


def byline_text(byline: Byline) -> str:
    return one_line(f"{byline.name}, {byline.role}" if _present(byline.role) else byline.name)


def _rights(root: Element, config: Config) -> None:
    rights = _sub(root, "rightsInfo")
    _named(rights, "copyrightHolder", config.publisher.name, uri=config.publisher.url)
    _sub(rights, "copyrightNotice", config.render.copyright_notice)
    _sub(rights, "usageTerms", config.render.usage_terms)


def _item_meta(root: Element, article: Article, config: Config) -> None:
    meta = _sub(root, "itemMeta")
    _sub(meta, "itemClass", qcode="ninat:text")
    _named(meta, "provider", config.publisher.name, uri=config.publisher.url)
    _sub(meta, "versionCreated", instant(article.updated or article.published, config))
    _sub(meta, "firstCreated", instant(article.published, config))
    if article.embargo is not None:
        _sub(meta, "embargoed", stamp(article.embargo))
    _sub(meta, "pubStatus", qcode=f"stat:{article.pubstatus.value}")
    for correction in article.corrections:
        _sub(meta, "edNote", f"Correction ({stamp(correction.time)}): {correction.note}")
    if article.corrections:
        _sub(meta, "signal", qcode="sig:correction")
    elif article.version > 1:
        _sub(meta, "signal", qcode="sig:update")


def _content_meta(root: Element, article: Article, config: Config) -> None:
    meta = _sub(root, "contentMeta")
    _sub(meta, "contentCreated", instant(article.published, config))
    if article.updated is not None:
        _sub(meta, "contentModified", instant(article.updated, config))
    if _present(article.dateline):
        _named(meta, "located", article.dateline, type="cpnat:geoArea")
    for byline in article.bylines:
        kind = "cpnat:person" if byline.kind == "person" else "cpnat:organisation"
        attrs = {"type": kind, "role": creator_role(byline)}
        if byline.url:
            attrs["uri"] = byline.url
        _named(meta, "creator", byline.name, **attrs)
    _sub(meta, "language", tag=article.language)
    for subject in article.subjects:
        _named(meta, "subject", subject.name, type="cpnat:abstract", qcode=subject.qcode)
    section = one_line(article.section)
    _named(meta, "subject", section, type="cpnat:abstract", literal=section)
    for keyword in article.keywords:
        if _present(keyword):
            _sub(meta, "keyword", one_line(keyword))
    _sub(meta, "slugline", article.slug)
    _sub(meta, "headline", article.headline)
    if _present(article.subheadline):
        _sub(meta, "headline", article.subheadline, role="hlrole:sub")
    if _present(article.dateline):
        _sub(meta, "dateline", article.dateline)
    for byline in article.bylines:
        _sub(meta, "by", byline_text(byline))
    if _present(article.summary):
        _sub(meta, "description", article.summary, role="drol:summary")


def build_newsml(article: Article, config: Config) -> Element:
    """The newsItem element (see the module docstring for its shape)."""
    root = etree.Element(_q("newsItem"), nsmap=_NSMAP)
    root.set("guid", article.id)
    root.set("version", str(article.version))
    root.set("standard", "NewsML-G2")
    root.set("standardversion", "2.35")
    root.set("conformance", "power")
    root.set(XML_LANG, article.language)
    _sub(root, "catalogRef", href=config.render.catalog)
    _rights(root, config)
    _item_meta(root, article, config)
    _content_meta(root, article, config)
    inline = _sub(_sub(root, "contentSet"), "inlineXML", contenttype=CONTENT_TYPE)
    etree.indent(root, space=INDENT)
    html = body_document(article)
    inline.text = "\n" + INDENT * 3
    html.tail = "\n" + INDENT * 2
    inline.append(html)
    return root


def render_newsml(article: Article, config: Config) -> bytes:
    """The article as a NewsML-G2 newsItem: UTF-8 bytes with an XML declaration."""
    try:
        root = build_newsml(article, config)
    except ValueError as exc:
        raise RenderError(f"cannot build the item: {exc}", fmt="newsml") from None
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return XML_DECLARATION + data + b"\n"
