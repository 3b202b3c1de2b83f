"""News pages as published on the web in, articles out.

    charset.py    bytes -> text (BOM, declared charset, UTF-8, detection)
    parse.py      text -> a bounded lxml tree (no DTD, no network, depth capped)
    metadata.py   <meta>, JSON-LD, the page's URL, site names, summary, images
    headline.py   the headline
    people.py     the bylines
    when.py       the publication and update dates
    body.py       the main text (trafilatura), as model blocks
    language.py   the language

The reader is pure: the bytes handed in are all it reads; nothing a page
references (DTDs, entities, images, links) is fetched. Pages over
`[limits] max_article_bytes` are refused before decoding.
"""

from __future__ import annotations

import re
from datetime import datetime

from ...config import Config
from ...errors import ReadError
from ..assemble import assemble
from ..base import Extracted, Meta, ReadRequest, ReadResult
from ..lints import Lint
from .body import block_texts, extract_body
from .charset import Decoded, decode_page
from .headline import choose_headline
from .language import choose_language
from .metadata import images_of, read_page, summary_of
from .parse import MAX_DEPTH, Parsed, parse_page, text_of
from .people import choose_authors
from .when import choose_published, choose_updated


def read_html(request: ReadRequest, config: Config, now: datetime) -> ReadResult:
    """Read one HTML (or XHTML) news page into an article."""
    name = request.name
    limit = config.limits.max_article_bytes
    if len(request.data) > limit:
        raise ReadError(
            f"document is {len(request.data)} bytes, over the {limit}-byte limit", file=name
        )
    decoded = decode_page(request.data)
    parsed = parse_page(decoded.text, name)
    page = read_page(parsed.root)
    headline = choose_headline(page)
    body = extract_body(
        parsed,
        headline=headline,
        base_url=page.url,
        max_list_depth=config.limits.max_list_depth,
        now=now,
        boilerplate=[re.compile(p) for p in config.ingest.boilerplate],
    )
    if parsed.truncated and not body.blocks:
        raise ReadError(
            "elements are nested deeper than the HTML parser allows; the text is lost", file=name
        )
    zones = config.ingest.zone_abbreviations
    published = choose_published(page, now, zones)
    text = " ".join(t for block in body.blocks for t in block_texts(block))
    found = Extracted(
        headline=headline,
        bylines=choose_authors(page),
        published=published,
        updated=choose_updated(page, now, zones, published),
        body=body.blocks,
        lints=page_lints(decoded, parsed) + body.lints,
    )
    meta = Meta(
        language=choose_language(page, text or text_of(parsed.root.find("body"))),
        summary=summary_of(page),
        images=images_of(page) or None,
    )
    return assemble(request, config, now, meta, found)


def page_lints(decoded: Decoded, parsed: Parsed) -> list[Lint]:
    lints = []
    if decoded.how in ("detected", "fallback"):
        lints.append(
            Lint(
                "charset-guessed",
                f"no charset declared and not UTF-8; read as {decoded.encoding}",
            )
        )
    if decoded.replaced:
        lints.append(
            Lint("charset-replaced", f"bytes that are not {decoded.encoding} were replaced")
        )
    if parsed.unwrapped:
        lints.append(
            Lint(
                "html-deep",
                f"{parsed.unwrapped} elements nested deeper than {MAX_DEPTH} levels unwrapped",
            )
        )
    if parsed.truncated:
        lints.append(
            Lint("html-truncated", "nesting beyond the parser's limit: what follows is lost")
        )
    return lints


__all__ = ["read_html"]
