"""Hostile pages for the HTML reader: each is read safely or refused with a
reason, never crashing, expanding entities, reading local files or guessing
the charset wrong."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from syndicate import ingest
from syndicate.codec import to_dict
from syndicate.config import Config
from syndicate.errors import ReadError
from syndicate.ingest.base import ReadRequest, ReadResult
from syndicate.ingest.html import read_html
from syndicate.model import Paragraph
from syndicate.render import render_all

from .conftest import NOW

SENTENCE = (
    "This is a perfectly ordinary sentence of article text, long enough to look like a story. "
)


def article(headline: str = "Ordinary headline", paragraphs: int = 6) -> str:
    body = "".join(f"<p>{SENTENCE * 4}</p>" for _ in range(paragraphs))
    return f"<article><h1>{headline}</h1>{body}</article>"


def document(body: str, *, doctype: str = "<!DOCTYPE html>", head: str = "") -> bytes:
    return (
        f'{doctype}<html lang="en"><head><meta charset="utf-8"><title>T</title>{head}</head>'
        f"<body><nav><a href='/'>Home</a></nav>{body}<footer>Footer text</footer></body></html>"
    ).encode()


def read(config: Config, data: bytes, name: str = "hostile.html") -> ReadResult:
    return read_html(ReadRequest(name, data), config, NOW)


def output_of(result: ReadResult) -> str:
    lints = " ".join(lint.message for lint in result.lints)
    return json.dumps(to_dict(result.article), ensure_ascii=False) + lints


def test_thousand_deep_divs_give_an_article(config: Config) -> None:
    depth = 1_000
    data = document("<div>" * depth + article("Deep headline") + "</div>" * depth)
    result = read(config, data)
    assert result.article.headline == "Deep headline"
    texts = [b.content.text for b in result.article.body if isinstance(b, Paragraph)]
    assert texts and all(SENTENCE.strip() in text for text in texts)
    assert "html-deep" in {lint.code for lint in result.lints}


def _laughs() -> str:
    """A DOCTYPE whose &lol9; would expand to a billion "lol"s."""
    lines = ["<!DOCTYPE html [", '<!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = f"&lol{level - 1};" if level > 1 else "&lol;"
        lines.append(f'<!ENTITY lol{level} "{previous * 10}">')
    return "\n".join(lines) + "\n]>"


LAUGHS = _laughs()


def test_billion_laughs_are_not_expanded(config: Config) -> None:
    data = document(
        article("Laughs &lol9; here") + "<p>&lol9;&lol9;</p>",
        doctype=LAUGHS,
        head='<meta property="og:description" content="&lol9;">',
    )
    result = read(config, data)
    out = output_of(result)
    assert "lollol" not in out
    assert len(json.dumps(to_dict(result.article))) <= len(data)


def test_external_entity_never_reads_a_local_file(config: Config, tmp_path: Path) -> None:
    secret = f"secret-{uuid.uuid4().hex}"
    target = tmp_path / "secret.txt"
    target.write_text(secret, encoding="utf-8")
    uri = target.resolve().as_uri()
    doctype = f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{uri}"><!ENTITY % pe SYSTEM "{uri}"> %pe;]>'
    jsonld = '{"@type": "NewsArticle", "headline": "&xxe;", "author": {"name": "&xxe;"}}'
    head = (
        f'<script type="application/ld+json">{jsonld}</script>'
        '<meta property="og:title" content="&xxe;"><meta name="author" content="&xxe;">'
    )
    data = document(article("XXE &xxe; headline") + "<p>&xxe;</p>", doctype=doctype, head=head)
    for name in ("xxe.html", "xxe.xhtml", "xxe"):
        try:
            result = ingest.read(ReadRequest(name, data), config, NOW)
        except ReadError as exc:
            assert secret not in str(exc)
            continue
        assert secret not in output_of(result)
        for output in render_all(result.article, config).values():
            assert secret not in output.text


def test_fifty_thousand_links_are_accepted(config: Config) -> None:
    links = "".join(
        f'<li><a href="https://example.com/{i}">link {i}</a></li>' for i in range(50_000)
    )
    data = document(article("Links") + f"<ul>{links}</ul>")
    assert len(data) < config.limits.max_article_bytes
    result = read(config, data)
    assert result.article.headline == "Links"
    assert result.article.body


def test_windows_1251_without_a_declaration(config: Config) -> None:
    phrase = "Министр финансов заявил, что бюджет будет сбалансированным"
    paragraphs = "".join(
        f"<p>{phrase}, а расходы на образование и здравоохранение вырастут в следующем году.</p>"
        for _ in range(5)
    )
    data = (
        "<html><head><title>Правительство обсудило бюджет</title></head><body>"
        f"<h1>Правительство обсудило бюджет</h1>{paragraphs}</body></html>"
    ).encode("cp1251")
    result = read(config, data)
    assert result.article.headline == "Правительство обсудило бюджет"
    assert phrase in output_of(result)
    assert result.article.language == "ru"


def test_deeply_nested_structure_is_read_without_the_extractor(config: Config) -> None:
    depth = 1_500
    data = document(f"<h1>Nested quotes</h1>{f'<blockquote><p>{SENTENCE}</p>' * depth}")
    result = read(config, data)
    assert result.article.headline == "Nested quotes"
    assert SENTENCE.strip() in output_of(result)
    assert "html-large" in {lint.code for lint in result.lints}
