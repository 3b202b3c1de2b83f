"""Turn what a reader found plus explicit metadata into an Article.

Explicit metadata (front matter, sidecar) wins over what was recovered from
the text; config supplies what neither carries (section, language).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ..config import Config
from ..errors import ReadError
from ..model import Article, Block, Byline, Heading, ModelError, Paragraph, PubStatus
from ..slugs import make_slug
from .base import Extracted, Meta, ReadRequest, ReadResult, story_id
from .conventions import tidy_block, tidy_text
from .lints import Lint, article_lints
from .normalize import is_blank


def assemble(
    request: ReadRequest, config: Config, now: datetime, meta: Meta, found: Extracted
) -> ReadResult:
    name = request.name
    headline = meta.headline or found.headline
    if headline is None or is_blank(headline):
        raise ReadError("no headline", file=name, line=found.headline_line)
    lints = list(found.lints)
    published = meta.published or found.published
    date_inferred = published is None
    if published is None:
        published = now.astimezone(UTC)
        lints.append(Lint("no-date", "no date; the ingest time of the first version is used"))
    summary = meta.summary or found.summary or _first_paragraph(found)
    try:
        article = Article(
            id=meta.id or story_id(config.site.base_url, request.source_key or name),
            slug=make_slug(headline),
            headline=line(headline) or headline,
            subheadline=line(meta.subheadline),
            language=meta.language or config.site.language,
            dateline=line(meta.dateline or found.dateline),
            bylines=_bylines(meta.bylines if meta.bylines is not None else tuple(found.bylines)),
            published=published,
            updated=meta.updated or found.updated,
            section=line(meta.section) or config.ingest.default_section,
            keywords=tuple(k for k in map(line, meta.keywords or ()) if k),
            subjects=meta.subjects or (),
            summary=line(summary),
            images=meta.images or (),
            pubstatus=meta.pubstatus or PubStatus.USABLE,
            embargo=meta.embargo,
            corrections=meta.corrections or (),
            body=tuple(b for b in map(tidy_block, found.body) if not _empty(b)),
        )
    except ModelError as exc:
        raise ReadError(str(exc), file=name) from None
    if not article.body:
        raise ReadError("no body text", file=name)
    lints.extend(article_lints(article, headline_line=found.headline_line))
    lints.sort(key=lambda lint: lint.line)
    return ReadResult(article, tuple(lints), date_inferred, id_explicit=meta.id is not None)


def line(text: str | None) -> str | None:
    """A one-line field: runs of spaces as one, no whitespace at the ends
    (a no-break space included); None when nothing is left."""
    if text is None:
        return None
    return tidy_text(text).strip() or None


def _bylines(bylines: tuple[Byline, ...]) -> tuple[Byline, ...]:
    out = []
    for byline in bylines:
        name = line(byline.name)
        if name:
            out.append(replace(byline, name=name, role=line(byline.role)))
    return tuple(out)


def _empty(block: Block) -> bool:
    return isinstance(block, Paragraph | Heading) and not (
        block.content.text if isinstance(block, Paragraph) else block.text
    )


SUMMARY_CHARS = 320


def _first_paragraph(found: Extracted) -> str | None:
    """The fallback summary: the first paragraph, cut at a word boundary."""
    for block in found.body:
        if isinstance(block, Paragraph) and block.content.text.strip():
            return shorten(block.content.text, SUMMARY_CHARS)
    return None


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:–—-") + "…"
