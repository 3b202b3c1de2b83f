"""The HTML article page: semantic markup, its JSON-LD, and article text that
can never become markup."""

from __future__ import annotations

import json
from pathlib import Path

import html5lib
import pytest
from hypothesis import given
from lxml import html as lxml_html

from syndicate.config import Config, load_config
from syndicate.ingest import read
from syndicate.ingest.files import load_request
from syndicate.model import Article, Paragraph
from syndicate.render import render
from syndicate.render.jsonld import render_jsonld
from syndicate.urls import Urls

from .conftest import EXAMPLES, NOW, REPO
from .strategies import articles

HYPOTHESIS_CONFIG = load_config(REPO / "tests" / "data" / "config.toml", environ={})


def page_of(article: Article, config: Config) -> lxml_html.HtmlElement:
    """The page, after a strict HTML5 parse (any parse error fails the test)."""
    data = render(article, "html", config).data
    html5lib.HTMLParser(strict=True).parse(data)
    return lxml_html.document_fromstring(data)


def ld_scripts(doc: lxml_html.HtmlElement) -> list[dict[str, object]]:
    return [json.loads(s.text) for s in doc.xpath('//script[@type="application/ld+json"]')]


def test_sample_page_structure(config: Config) -> None:
    article = read(load_request(EXAMPLES / "city-council-budget.md", config), config, NOW).article
    doc = page_of(article, config)
    url = Urls(config.site.base_url).article(article.slug)
    assert doc.get("lang") == "en"
    assert doc.xpath("string(//article/header/h1)") == article.headline
    assert doc.xpath("//link[@rel='canonical']/@href") == [url]
    assert doc.xpath("//link[@rel='alternate'][@hreflang='en']/@href") == [url]
    assert doc.xpath("//meta[@property='og:title']/@content") == [article.headline]
    assert doc.xpath("//meta[@name='twitter:card']/@content") == ["summary_large_image"]
    assert doc.xpath("//article//time/@datetime")[0] == "2026-11-26T23:40:00+01:00"
    assert doc.xpath("//p[@class='byline']//span[@class='author']/text()")[0] == "Amara Nwosu"
    assert len(doc.xpath("//div[@class='body']/h2")) == 2
    assert doc.xpath("//table/thead/tr/th/@scope") == ["col"] * 4
    assert ld_scripts(doc) == [render_jsonld(article, config)]


def test_faq_and_correction_markup(config: Config) -> None:
    article = read(load_request(EXAMPLES / "jazz-festival-lineup.md", config), config, NOW).article
    doc = page_of(article, config)
    assert len(doc.xpath("//section[@class='faq']/dl/dt")) == 3
    assert not doc.xpath("//aside[@class='correction']")


@given(articles(hostile=True))
def test_hostile_text_stays_text(article: Article) -> None:
    config = HYPOTHESIS_CONFIG
    doc = page_of(article, config)
    assert doc.xpath("string(//article/header/h1)") == article.headline
    scripts = doc.xpath("//script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert ld_scripts(doc) == [render_jsonld(article, config)]
    paragraphs = [b.content.text for b in article.body if isinstance(b, Paragraph)]
    shown = [p.text_content() for p in doc.xpath("//div[@class='body']/p")]
    assert shown[: len(paragraphs)] == paragraphs
    assert not doc.xpath("//div[@class='body']//*[@onload]")


def test_right_to_left_language_sets_direction(config: Config) -> None:
    article = read(load_request(EXAMPLES / "heat-plan.md", config), config, NOW).article
    doc = page_of(article, config)
    assert (doc.get("lang"), doc.get("dir")) == ("ar", "rtl")
    assert not doc.xpath("//link[@rel='stylesheet'] | //script[@src]")


@pytest.mark.parametrize(
    "path",
    sorted(p for p in EXAMPLES.iterdir() if not p.name.endswith(".meta.toml")),
    ids=lambda p: p.name,
)
def test_every_sample_page_is_valid_html5(path: Path, config: Config) -> None:
    page_of(read(load_request(path, config), config, NOW).article, config)
