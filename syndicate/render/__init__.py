"""Renderers: pure functions of an article and the config. `render` also
passes the output through the gate (syndicate.validate) before handing it out.

    json     the canonical article JSON           application/json
    newsml   IPTC NewsML-G2 2.35 newsItem         application/vnd.iptc.g2.newsitem+xml
    ninjs    IPTC ninjs 3.1                       application/ninjs+json
    jsonld   schema.org JSON-LD                   application/ld+json
    html     the article page (with its JSON-LD)  text/html
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from .. import codec, validate
from ..config import Config
from ..errors import RenderError
from ..metrics import RENDER_FAILURES, VALIDATION_FAILURES
from ..model import Article

FORMATS: Final = ("json", "newsml", "ninjs", "jsonld", "html")
MEDIA_TYPES: Final = {
    "json": "application/json",
    "newsml": "application/vnd.iptc.g2.newsitem+xml",
    "ninjs": "application/ninjs+json",
    "jsonld": "application/ld+json",
    "html": "text/html; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Output:
    fmt: str
    media_type: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


def _json_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def render(
    article: Article,
    fmt: str,
    config: Config,
    *,
    feeds: Sequence[Any] = (),
    sections: Sequence[str] = (),
    jsonld: dict[str, Any] | None = None,
) -> Output:
    """Render one format and check it; RenderError when the output is invalid.
    `jsonld` hands the page a JSON-LD document that has already been checked."""
    try:
        return _render(article, fmt, config, feeds=feeds, sections=sections, jsonld=jsonld)
    except RenderError:
        VALIDATION_FAILURES.labels(fmt).inc()
        raise
    except Exception:
        RENDER_FAILURES.labels(fmt).inc()
        raise


def _render(
    article: Article,
    fmt: str,
    config: Config,
    *,
    feeds: Sequence[Any] = (),
    sections: Sequence[str] = (),
    jsonld: dict[str, Any] | None = None,
) -> Output:
    """Render one format and check it; RenderError when the output is invalid.
    `jsonld` hands the page a JSON-LD document that has already been checked."""
    if fmt == "json":
        doc = codec.to_dict(article)
        validate.check_article_json(doc)
        data = _json_bytes(doc)
    elif fmt == "newsml":
        from .newsml import render_newsml

        data = render_newsml(article, config)
        validate.check_newsml(data)
    elif fmt == "ninjs":
        from .ninjs import render_ninjs

        doc = render_ninjs(article, config)
        validate.check_ninjs(doc)
        data = _json_bytes(doc)
    elif fmt == "jsonld":
        from .jsonld import render_jsonld

        doc = render_jsonld(article, config)
        validate.check_jsonld(doc)
        data = _json_bytes(doc)
    elif fmt == "html":
        from .html import render_article_page
        from .jsonld import render_jsonld

        doc = jsonld if jsonld is not None else render_jsonld(article, config)
        if jsonld is None:
            validate.check_jsonld(doc)
        data = render_article_page(
            article, config, feeds=feeds, sections=sections, jsonld=doc
        ).encode("utf-8")
    else:
        raise ValueError(f"unknown output format {fmt!r}")
    return Output(fmt, MEDIA_TYPES[fmt], data)


def render_all(article: Article, config: Config) -> dict[str, Output]:
    """Every format, each checked: what ingest requires before storing."""
    outputs = {fmt: render(article, fmt, config) for fmt in FORMATS if fmt != "html"}
    checked = json.loads(outputs["jsonld"].data)
    outputs["html"] = render(article, "html", config, jsonld=checked)
    return outputs
