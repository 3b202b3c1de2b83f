"""What the public sees as a story is published, updated, held, embargoed and
retracted: feeds, pages, sitemaps and the static build."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree

from syndicate import publish
from syndicate.build import build
from syndicate.cli import cli
from syndicate.errors import NotFoundError
from syndicate.model import Correction, PubStatus
from syndicate.public import Gone, Public

from .newsroom import T0, Newsroom, article

LATER = T0 + timedelta(days=1)


def slug(newsroom: Newsroom, article_id: str) -> str:
    return newsroom.store.get(article_id).slug


def feed_ids(public: Public, feed_id: str, fmt: str) -> list[str]:
    data = public.feed_document(feed_id, fmt, LATER).data  # type: ignore[arg-type]
    if fmt == "jsonfeed":
        return [item["id"] for item in json.loads(data)["items"]]
    return [e.id for e in feedparser.parse(data).entries]


def test_published_story_is_everywhere(any_newsroom: Newsroom) -> None:
    story = article(1)
    change = any_newsroom.publish(story, T0)
    assert change is not None and change.event == "published"
    assert set(change.feeds) == {"all", "world"}
    public = Public(any_newsroom.store, any_newsroom.config)
    for fmt in ("rss", "atom", "jsonfeed"):
        assert feed_ids(public, "all", fmt) == [story.id]
    page = public.article(slug(any_newsroom, story.id), "html").data.decode()
    assert 'type="application/atom+xml" title="World (Atom)"' in page
    assert slug(any_newsroom, story.id) in public.sitemap_page(1).data.decode()


def test_updated_twice_is_in_each_feed_once_with_the_newest_date(newsroom: Newsroom) -> None:
    newsroom.publish(article(1), T0)
    newsroom.publish(article(2), T0 + timedelta(minutes=5))
    first = newsroom.publish(article(1, headline="Second version"), T0 + timedelta(hours=1))
    second = newsroom.publish(article(1, headline="Third version"), T0 + timedelta(hours=2))
    assert first is not None and first.event == "updated"
    assert second is not None and (second.previous, second.version) == (2, 3)
    public = Public(newsroom.store, newsroom.config)
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(public.feed_document("all", fmt, LATER).data)
        mine = [e for e in parsed.entries if e.id == article(1).id]
        assert len(mine) == 1
        assert mine[0].title.endswith("Third version")
        assert parsed.entries[0].id == article(1).id  # the newest change first
        assert mine[0].updated_parsed[:5] == (T0 + timedelta(hours=2)).utctimetuple()[:5]
    assert feed_ids(public, "all", "jsonfeed").count(article(1).id) == 1


def test_a_correction_is_an_event_of_its_own(newsroom: Newsroom) -> None:
    newsroom.publish(article(1), T0)
    note = Correction("An earlier version misspelled the minister's name.", T0 + timedelta(hours=1))
    change = newsroom.publish(article(1, corrections=(note,)), T0 + timedelta(hours=1))
    assert change is not None and change.event == "corrected"


def test_retracted_story_leaves_feeds_pages_and_sitemaps(any_newsroom: Newsroom) -> None:
    story = article(1)
    any_newsroom.publish(story, T0)
    any_newsroom.publish(article(3), T0)
    change = any_newsroom.publish(
        replace(story, pubstatus=PubStatus.CANCELED), T0 + timedelta(hours=3)
    )
    assert change is not None and change.event == "retracted" and change.version == 2
    public = Public(any_newsroom.store, any_newsroom.config)
    assert feed_ids(public, "all", "rss") == [article(3).id]
    assert feed_ids(public, "all", "jsonfeed") == [article(3).id]
    atom = public.feed_document("all", "atom", LATER).data
    stones = etree.fromstring(atom).findall("{http://purl.org/atompub/tombstones/1.0}deleted-entry")
    assert [s.get("ref") for s in stones] == [story.id]
    gone = slug(any_newsroom, story.id)
    with pytest.raises(Gone):
        public.article(gone, "html")
    kill = public.article(gone, "newsml").data
    assert b'qcode="stat:canceled"' in kill
    assert json.loads(public.article(gone, "ninjs").data)["pubStatus"] == "canceled"
    assert gone not in public.sitemap_page(1).data.decode()
    assert gone not in public.news_sitemap(LATER).data.decode()


def test_embargoed_story_is_nowhere_until_its_time(newsroom: Newsroom) -> None:
    when = T0 + timedelta(hours=6)
    story = article(1, embargo=when)
    assert newsroom.publish(story, T0) is None  # nothing public yet
    public = Public(newsroom.store, newsroom.config)

    def everywhere() -> list[bool]:
        at = slug(newsroom, story.id)
        found = [story.id in feed_ids(public, "all", fmt) for fmt in ("rss", "atom", "jsonfeed")]
        found.append(at in public.news_sitemap(when + timedelta(minutes=1)).data.decode())
        found.append(at in public.home().data.decode())
        found.append(any(e.url.endswith(at) for page in public.sitemap_pages() for e in page))
        for fmt in ("html", "newsml", "ninjs"):
            try:
                found.append(bool(public.article(at, fmt).data))  # type: ignore[arg-type]
            except NotFoundError:
                found.append(False)
        return found

    assert not any(everywhere())
    assert (
        publish.release_embargoes(newsroom.store, newsroom.feeds, when - timedelta(seconds=1)) == []
    )
    assert not any(everywhere())
    released = publish.release_embargoes(newsroom.store, newsroom.feeds, when)
    assert [(c.article_id, c.event) for c in released] == [(story.id, "published")]
    assert all(everywhere())


def test_a_held_update_keeps_the_public_version(newsroom: Newsroom) -> None:
    newsroom.publish(article(1), T0)
    held = newsroom.publish(
        article(1, headline="Draft", pubstatus=PubStatus.WITHHELD), T0 + timedelta(hours=1)
    )
    assert held is None
    public = Public(newsroom.store, newsroom.config)
    page = public.article(slug(newsroom, article(1).id), "html").data.decode()
    assert "Draft" not in page and "Story number 1" in page
    fresh = article(5, pubstatus=PubStatus.WITHHELD)
    newsroom.publish(fresh, T0)
    with pytest.raises(NotFoundError):
        public.article(slug(newsroom, fresh.id), "newsml")


def test_news_sitemap_holds_the_last_48_hours_up_to_1000(newsroom: Newsroom) -> None:
    now = T0 + timedelta(days=3)
    stories = [
        article(n, published=now - timedelta(hours=60) + timedelta(seconds=144 * n))
        for n in range(1500)
    ]
    newsroom.fill(stories, ["all"], T0)
    public = Public(newsroom.store, newsroom.config)
    data = public.news_sitemap(now).data
    urls = etree.fromstring(data).findall("{http://www.sitemaps.org/schemas/sitemap/0.9}url")
    recent = [s for s in stories if now - s.published <= timedelta(hours=48)]  # type: ignore[operator]
    assert len(recent) > 1000
    assert len(urls) == 1000
    newest = sorted(recent, key=lambda s: s.published, reverse=True)[:1000]  # type: ignore[arg-type, return-value]
    locs = [u.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") for u in urls]
    assert locs == [public.urls.article(s.slug) for s in newest]


def test_build_writes_the_site_and_a_failed_build_changes_nothing(
    newsroom: Newsroom, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        newsroom.publish(article(n), T0)
    out = tmp_path / "site"
    done = build(newsroom.store, newsroom.config, out, LATER)
    one = slug(newsroom, article(1).id)
    expected = {
        "index.html",
        "robots.txt",
        "sitemap.xml",
        "news-sitemap.xml",
        "sitemaps/1.xml",
        "feeds/all.rss",
        "feeds/world.json",
        f"articles/{one}/index.html",
        f"articles/{one}.xml",
        f"articles/{one}.ninjs.json",
        "sections/world/index.html",
    }
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert expected <= written and done.files == len(written)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    newsroom.publish(article(9), T0)

    def broken(self: Public) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Public, "robots", broken)
    with pytest.raises(RuntimeError):
        build(newsroom.store, newsroom.config, out, LATER)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_feeds_check_fails_on_a_broken_definition(newsroom: Newsroom) -> None:
    config_file = str(newsroom.config.source)
    runner = CliRunner()
    ok = runner.invoke(cli, ["--config", config_file, "feeds", "check"])
    assert ok.exit_code == 0, ok.output
    (newsroom.config.feeds.dir / "bad.toml").write_text('title = "x"\nformat = ["rss"]\n')
    bad = runner.invoke(cli, ["--config", config_file, "feeds", "check"])
    assert bad.exit_code == 1
    assert "bad.toml:2: unknown key 'format'" in bad.stderr


@pytest.mark.parametrize(
    ("toml", "reason"),
    [
        ('title = "Bad\\u0001 title"\n', "bad.toml:1: title: U+0001 cannot appear in a feed"),
        (
            'title = "Fine"\ndescription = "x\\uFFFE"\n',
            "bad.toml:2: description: U+FFFE cannot appear in a feed",
        ),
        (
            'title = "Fine"\n[filters]\nsections = ["a\\u0085"]\n',
            "bad.toml:3: filters.sections: U+0085 cannot appear in a feed",
        ),
    ],
)
def test_feeds_check_refuses_characters_a_feed_cannot_carry(
    newsroom: Newsroom, toml: str, reason: str
) -> None:
    (newsroom.config.feeds.dir / "bad.toml").write_text(toml, encoding="utf-8")
    for command in (["feeds", "check"], ["feeds", "list"]):
        result = CliRunner().invoke(cli, ["--config", str(newsroom.config.source), *command])
        assert result.exit_code == 1, result.output
        assert reason in result.stderr and "internal error" not in result.stderr


def test_build_and_feeds_commands_from_the_cli(tmp_path: Path) -> None:
    from syndicate.store import Store

    from .newsroom import settings

    feeds = {
        "all": 'title = "Everything"\nitems = 2\n',  # pages of 2: archives to build
        "wire": 'title = "Wire"\naccess = "partners"\ncontent = "full"\n',
    }
    config = settings(tmp_path, "sqlite:///var/syndicate.db", feeds)
    with Store.open(config, auto_upgrade=True) as store:
        room = Newsroom(store, config)
        for n in range(5):
            room.publish(article(n), T0 + timedelta(minutes=n))

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = run("feeds", "list", "--json")
    listed = {f["id"]: f for f in json.loads(out)}
    assert code == 0 and set(listed) == {"all", "wire"}
    assert listed["wire"]["access"] == "partners" and listed["all"]["formats"] == [
        "rss",
        "atom",
        "jsonfeed",
    ]
    assert listed["all"]["urls"]["atom"].endswith("/feeds/all.atom")
    code, out, _ = run("feeds", "show", "all", "--format", "atom", "--page", "1")
    page = feedparser.parse(out.encode())
    assert code == 0 and page.bozo == 0 and len(page.entries) == 2
    code, _, err = run("feeds", "show", "all", "--page", "9")
    assert code == 1 and "no archive page 9" in err
    site = tmp_path / "site"
    code, out, err = run("build", "--out", str(site))
    assert code == 0, err
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert f"{len(written)} files" in out
    assert {"feeds/all.rss", "feeds/all/archive/1.rss", "feeds/all/archive/1.json"} <= written
    assert not any("wire" in path for path in written)  # partner-only feeds stay off static hosts
    assert (
        "/feeds/wire." not in (site / "robots.txt").read_text() + (site / "index.html").read_text()
    )
