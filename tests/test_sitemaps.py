"""Sitemaps and the Google News sitemap: valid against the project's XSDs,
stable pages as articles are added, the 48-hour window and 1,000 cap of the
news sitemap, text escaped exactly once, and empty inputs still valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from syndicate.errors import RenderError
from syndicate.ingest.normalize import clean
from syndicate.model import ModelError
from syndicate.render.sitemaps import (
    NEWS_LIMIT,
    NEWS_NS,
    NEWS_WINDOW,
    PAGE_SIZE,
    SITEMAP_NS,
    SitemapEntry,
    news_language,
    news_sitemap,
    page_lastmod,
    paginate,
    sitemap_index,
    sitemap_page,
    w3c_datetime,
)
from syndicate.urls import Urls
from syndicate.validate import SAFE_XML, check_news_sitemap, check_sitemap, check_sitemap_index

from .conftest import NOW

URLS = Urls("https://news.example.com")
BERLIN_WINTER = timezone(timedelta(hours=1))
KATHMANDU = timezone(timedelta(hours=5, minutes=45))
NEW_YORK = timezone(timedelta(hours=-5))
PUBLICATION = "The Example Times"
S = f"{{{SITEMAP_NS}}}"
N = f"{{{NEWS_NS}}}"


def entry(
    n: int,
    published: datetime,
    *,
    lastmod: datetime | None = None,
    title: str | None = None,
    language: str = "en",
) -> SitemapEntry:
    return SitemapEntry(
        url=URLS.article(f"story-{n:05d}"),
        lastmod=lastmod or published,
        published=published,
        title=title or f"Story number {n}",
        language=language,
    )


def series(count: int, *, step: timedelta = timedelta(minutes=7)) -> list[SitemapEntry]:
    """`count` entries, one every `step`, the last published at NOW."""
    start = NOW - step * (count - 1)
    return [
        entry(i, start + step * i, lastmod=start + step * i + timedelta(hours=1))
        for i in range(count)
    ]


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, SAFE_XML)


def texts(root: etree._Element, path: str) -> list[str]:
    return [node.text or "" for node in root.iterfind(path, {"s": SITEMAP_NS, "news": NEWS_NS})]


# --------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 24, 7, 30, tzinfo=BERLIN_WINTER), "2026-11-24T07:30:00+01:00"),
        (datetime(2026, 11, 24, 6, 30, tzinfo=UTC), "2026-11-24T06:30:00Z"),
        (datetime(2026, 11, 24, 1, 30, 5, 123456, tzinfo=NEW_YORK), "2026-11-24T01:30:05-05:00"),
        (datetime(2026, 11, 24, 12, 15, tzinfo=KATHMANDU), "2026-11-24T12:15:00+05:45"),
        (
            datetime(1890, 1, 1, 12, 0, tzinfo=timezone(timedelta(minutes=53, seconds=28))),
            "1890-01-01T11:06:32Z",
        ),
    ],
)
def test_times_are_w3c_datetimes_with_their_offset(value: datetime, expected: str) -> None:
    assert w3c_datetime(value) == expected


def test_naive_times_are_refused() -> None:
    naive = datetime(2026, 11, 24, 7, 30)  # noqa: DTZ001
    with pytest.raises(ModelError):
        SitemapEntry(URLS.article("a"), naive, NOW, "Title", "en")
    with pytest.raises(RenderError) as caught:
        w3c_datetime(naive, "sitemap-index")
    assert caught.value.fmt == "sitemap-index"
    with pytest.raises(RenderError):
        news_sitemap([], publication=PUBLICATION, now=naive)


# --------------------------------------------------------------------- pages


def test_page_validates_and_reads_back() -> None:
    entries = [
        entry(1, datetime(2026, 3, 9, 8, 0, tzinfo=BERLIN_WINTER)),
        entry(2, datetime(2026, 3, 9, 9, 0, tzinfo=UTC), lastmod=NOW.astimezone(KATHMANDU)),
    ]
    data = sitemap_page(entries)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset ')
    root = check_sitemap(data).getroot()
    assert root.tag == f"{S}urlset"
    assert texts(root, "s:url/s:loc") == [e.url for e in entries]
    assert texts(root, "s:url/s:lastmod") == [
        "2026-03-09T08:00:00+01:00",
        "2026-03-10T17:45:00+05:45",
    ]
    assert [child.tag for child in root[0]] == [f"{S}loc", f"{S}lastmod"]


def test_pages_are_ordered_oldest_first_by_published_then_url() -> None:
    same = NOW - timedelta(hours=3)
    entries = [entry(5, NOW), entry(9, same), entry(1, NOW - timedelta(days=9)), entry(2, same)]
    pages = paginate(entries, page_size=3)
    assert [[e.url for e in page] for page in pages] == [
        [entries[2].url, entries[3].url, entries[1].url],
        [entries[0].url],
    ]
    assert paginate(list(reversed(entries)), page_size=3) == pages


def test_pagination_is_stable_when_a_newer_article_is_added() -> None:
    entries = series(25)
    before = [sitemap_page(page) for page in paginate(entries, page_size=10)]
    newer = entry(99, NOW + timedelta(minutes=1))
    after = [sitemap_page(page) for page in paginate([newer, *entries], page_size=10)]
    assert len(before) == len(after) == 3
    assert after[:2] == before[:2]
    assert after[2] != before[2]
    assert parse(after[2])[-1][0].text == newer.url
    for page in after:
        check_sitemap(page)


def test_full_pages_hold_page_size_urls() -> None:
    entries = series(2 * PAGE_SIZE + 1, step=timedelta(seconds=30))
    pages = paginate(entries)
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 1]
    root = check_sitemap(sitemap_page(pages[0])).getroot()
    assert len(root) == PAGE_SIZE


def test_page_limits() -> None:
    with pytest.raises(ValueError):
        paginate([], page_size=0)
    with pytest.raises(ValueError):
        paginate([], page_size=50_001)
    with pytest.raises(RenderError):
        sitemap_page([entry(1, NOW)] * 50_001)


def test_the_gate_refuses_what_the_profile_does_not_allow() -> None:
    one = entry(1, NOW)
    with pytest.raises(RenderError, match="OneEntryPerUrl") as caught:
        check_sitemap(sitemap_page([one, one]))
    assert caught.value.fmt == "sitemap"
    for bad in (
        "/articles/relative",
        "https://news.example.com/" + "a" * 2030,
        "ftp://x.example/a",
    ):
        with pytest.raises(RenderError):
            check_sitemap(sitemap_page([SitemapEntry(bad, NOW, NOW, "T", "en")]))
    longest = URLS.base + "/" + "a" * (2048 - len(URLS.base) - 1)
    check_sitemap(sitemap_page([SitemapEntry(longest, NOW, NOW, "T", "en")]))
    with pytest.raises(RenderError, match="maxLength"):
        check_sitemap(sitemap_page([SitemapEntry(longest + "a", NOW, NOW, "T", "en")]))
    with pytest.raises(RenderError, match="not well-formed") as caught:
        check_sitemap_index(b"<sitemapindex")
    assert caught.value.fmt == "sitemap-index"
    doctype = b'<!DOCTYPE urlset [<!ENTITY x "y">]><urlset xmlns="' + SITEMAP_NS.encode() + b'"/>'
    with pytest.raises(RenderError, match="DOCTYPE") as caught:
        check_news_sitemap(doctype)
    assert caught.value.fmt == "news-sitemap"
    with pytest.raises(RenderError):
        check_sitemap(sitemap_index([]))


# --------------------------------------------------------------------- index


def test_index_lists_every_page_with_its_latest_lastmod_then_the_news_sitemap() -> None:
    entries = series(25)
    corrected = entries[3]
    entries[3] = SitemapEntry(
        corrected.url, NOW.astimezone(BERLIN_WINTER), corrected.published, corrected.title, "en"
    )
    pages = paginate(entries, page_size=10)
    listed = [(URLS.sitemap_page(n), page_lastmod(page)) for n, page in enumerate(pages, 1)]
    data = sitemap_index(listed, (URLS.news_sitemap(), NOW))
    root = check_sitemap_index(data).getroot()
    assert root.tag == f"{S}sitemapindex"
    assert texts(root, "s:sitemap/s:loc") == [
        "https://news.example.com/sitemaps/1.xml",
        "https://news.example.com/sitemaps/2.xml",
        "https://news.example.com/sitemaps/3.xml",
        "https://news.example.com/news-sitemap.xml",
    ]
    expected = [w3c_datetime(max(e.lastmod for e in page)) for page in pages]
    assert texts(root, "s:sitemap/s:lastmod") == [*expected, "2026-03-10T12:00:00Z"]
    assert expected[0] == "2026-03-10T13:00:00+01:00"


def test_index_leaves_out_an_unknown_lastmod_and_refuses_a_page_twice() -> None:
    root = check_sitemap_index(sitemap_index([], (URLS.news_sitemap(), None))).getroot()
    assert texts(root, "s:sitemap/s:loc") == [URLS.news_sitemap()]
    assert texts(root, "s:sitemap/s:lastmod") == []
    page = (URLS.sitemap_page(1), NOW)
    with pytest.raises(RenderError, match="OneEntryPerSitemap"):
        check_sitemap_index(sitemap_index([page, page]))


# ---------------------------------------------------------------- news sitemap


def test_news_sitemap_holds_the_newest_thousand_of_the_last_48_hours() -> None:
    recent = [entry(i, NOW - timedelta(seconds=144 * i)) for i in range(1200)]
    older = [entry(2000 + i, NOW - NEWS_WINDOW - timedelta(minutes=1 + i)) for i in range(300)]
    assert all(NOW - e.published <= NEWS_WINDOW for e in recent)
    entries = [*older, *recent]
    data = news_sitemap(entries, publication=PUBLICATION, now=NOW)
    root = check_news_sitemap(data).getroot()
    locs = texts(root, "s:url/s:loc")
    assert len(locs) == NEWS_LIMIT
    assert locs == [e.url for e in recent[:NEWS_LIMIT]]
    dates = [
        datetime.fromisoformat(d) for d in texts(root, "s:url/news:news/news:publication_date")
    ]
    assert dates == sorted(dates, reverse=True)
    assert all(NOW - NEWS_WINDOW <= d <= NOW for d in dates)
    assert set(texts(root, "s:url/news:news/news:publication/news:name")) == {PUBLICATION}


def test_news_window_bounds_and_ties() -> None:
    at_edge = entry(1, NOW - NEWS_WINDOW)
    too_old = entry(2, NOW - NEWS_WINDOW - timedelta(seconds=1))
    now_b, now_a = entry(4, NOW.astimezone(NEW_YORK)), entry(3, NOW)
    future = entry(5, NOW + timedelta(seconds=1))
    data = news_sitemap([at_edge, too_old, now_b, future, now_a], publication=PUBLICATION, now=NOW)
    root = check_news_sitemap(data).getroot()
    assert texts(root, "s:url/s:loc") == [now_a.url, now_b.url, at_edge.url]
    news = root[0][1]
    assert [child.tag for child in news] == [f"{N}publication", f"{N}publication_date", f"{N}title"]
    assert [child.tag for child in news[0]] == [f"{N}name", f"{N}language"]
    assert texts(root, "s:url/news:news/news:publication_date")[1] == "2026-03-10T07:00:00-05:00"


def test_the_news_profile_refuses_more_than_a_thousand_urls() -> None:
    entries = [entry(i, NOW - timedelta(minutes=i)) for i in range(NEWS_LIMIT)]
    root = parse(news_sitemap(entries, publication=PUBLICATION, now=NOW))
    extra = etree.fromstring(etree.tostring(root[0]))
    extra[0].text = URLS.article("one-too-many")
    root.append(extra)
    with pytest.raises(RenderError, match="not expected"):
        check_news_sitemap(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("pt_BR", "pt"),
        ("DE-CH-1996", "de"),
        ("fil", "fil"),
        ("iw", "he"),
        ("sr-Latn-RS", "sr"),
        ("zh", "zh-cn"),
        ("zh-CN", "zh-cn"),
        ("zh-Hans", "zh-cn"),
        ("zh-Hans-HK", "zh-cn"),
        ("zh-SG", "zh-cn"),
        ("zh-TW", "zh-tw"),
        ("zh-HK", "zh-tw"),
        ("zh-Hant", "zh-tw"),
        ("zh-Hant-CN", "zh-tw"),
        ("cmn-Hant-TW", "zh-tw"),
    ],
)
def test_news_language_is_what_google_accepts(tag: str, expected: str) -> None:
    assert news_language(tag) == expected


@pytest.mark.parametrize("tag", ["", "x-klingon", "i-navajo", "english"])
def test_news_language_without_an_iso_639_code_is_refused(tag: str) -> None:
    with pytest.raises(RenderError) as caught:
        news_language(tag)
    assert caught.value.fmt == "news-sitemap"


# ------------------------------------------------------------------ escaping


HOSTILE = "Tom & Jerry <b>\"bold\"</b> &amp; 'quotes' ]]> &#x41; <!-- x -->"


def test_text_is_escaped_exactly_once() -> None:
    url = URLS.base + "/articles/a?b=1&c=%3Cd%3E"
    item = SitemapEntry(url, NOW, NOW, HOSTILE, "fr-CA")
    news = news_sitemap([item], publication="Smith & Sons <News>", now=NOW)
    root = check_news_sitemap(news).getroot()
    assert texts(root, "s:url/s:loc") == [url]
    assert texts(root, "s:url/news:news/news:title") == [HOSTILE]
    assert texts(root, "s:url/news:news/news:publication/news:name") == ["Smith & Sons <News>"]
    assert texts(root, "s:url/news:news/news:publication/news:language") == ["fr"]
    assert b"&amp;amp;" in news and b"<b>" not in news and b"&amp;#x41;" in news
    page = sitemap_page([item])
    assert texts(check_sitemap(page).getroot(), "s:url/s:loc") == [url]
    assert b"?b=1&amp;c=%3Cd%3E" in page


def test_text_that_xml_cannot_carry_is_refused() -> None:
    item = SitemapEntry(URLS.article("a"), NOW, NOW, "bell \x07", "en")
    with pytest.raises(RenderError) as caught:
        news_sitemap([item], publication=PUBLICATION, now=NOW)
    assert caught.value.fmt == "news-sitemap"


# --------------------------------------------------------------------- empty


def test_empty_inputs_give_valid_documents() -> None:
    assert paginate([]) == []
    assert page_lastmod([]) is None
    assert len(check_sitemap(sitemap_page([])).getroot()) == 0
    assert len(check_sitemap_index(sitemap_index([])).getroot()) == 0
    old = [entry(1, NOW - timedelta(days=3))]
    for entries in ([], old):
        root = check_news_sitemap(news_sitemap(entries, publication=PUBLICATION, now=NOW)).getroot()
        assert len(root) == 0


def test_same_input_same_bytes() -> None:
    entries = series(30)
    assert sitemap_page(entries) == sitemap_page(list(entries))
    first = news_sitemap(entries, publication=PUBLICATION, now=NOW)
    assert first == news_sitemap(list(reversed(entries)), publication=PUBLICATION, now=NOW)


# ------------------------------------------------------------------ property


ZONES = st.sampled_from([UTC, BERLIN_WINTER, KATHMANDU, NEW_YORK, timezone(timedelta(hours=14))])
TIMES = st.datetimes(
    min_value=(NOW - timedelta(days=3)).replace(tzinfo=None),
    max_value=(NOW + timedelta(hours=2)).replace(tzinfo=None),
    timezones=ZONES,
)
SLUGS = st.text(alphabet="abcxyz0189-_.~", min_size=1, max_size=40)
TITLES = st.text(max_size=120).map(clean).filter(lambda t: bool(t.strip()))
LANGUAGES = st.sampled_from(["en", "en-US", "de", "fr-CA", "zh-Hans", "zh-TW", "ar", "fil", "ja"])
ENTRIES = st.lists(
    st.builds(
        SitemapEntry,
        url=SLUGS.map(URLS.article),
        lastmod=TIMES,
        published=TIMES,
        title=TITLES,
        language=LANGUAGES,
    ),
    max_size=25,
    unique_by=lambda e: e.url,
)


@given(entries=ENTRIES, page_size=st.integers(min_value=1, max_value=10))
def test_generated_entries_always_give_valid_sitemaps(
    entries: list[SitemapEntry], page_size: int
) -> None:
    pages = paginate(entries, page_size)
    assert [e for page in pages for e in page] == sorted(
        entries, key=lambda e: (e.published, e.url)
    )
    for page in pages:
        root = check_sitemap(sitemap_page(page)).getroot()
        assert texts(root, "s:url/s:loc") == [e.url for e in page]
    listed = [(URLS.sitemap_page(n), page_lastmod(page)) for n, page in enumerate(pages, 1)]
    check_sitemap_index(sitemap_index(listed, (URLS.news_sitemap(), NOW)))
    root = check_news_sitemap(news_sitemap(entries, publication=PUBLICATION, now=NOW)).getroot()
    by_url = {e.url: e for e in entries}
    chosen = [by_url[loc] for loc in texts(root, "s:url/s:loc")]
    assert chosen == sorted(
        (e for e in entries if NOW - NEWS_WINDOW <= e.published <= NOW),
        key=lambda e: (-e.published.timestamp(), e.url),
    )
    assert texts(root, "s:url/news:news/news:title") == [e.title for e in chosen]
