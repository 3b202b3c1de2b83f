"""The Store contract, on a real SQLite file and on real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from syndicate import codec
from syndicate.config import Config
from syndicate.errors import NotFoundError, RuntimeFailure
from syndicate.model import (
    Article,
    Byline,
    Correction,
    Faq,
    FaqItem,
    Heading,
    Image,
    ImageBlock,
    Inline,
    ListBlock,
    ListItem,
    Mark,
    Paragraph,
    PubStatus,
    Quote,
    Subject,
    Table,
)
from syndicate.slugs import make_slug
from syndicate.store import SaveItem, Store
from syndicate.store.tables import article_versions, articles

from .conftest import NOW

LATER = NOW + timedelta(hours=3)
KST = timezone(timedelta(hours=9))
CEST = timezone(timedelta(hours=2))


def full_article(**changes: object) -> Article:
    """An article with every field set and every block type in its body."""
    image = Image(
        url="https://example.org/images/harbour.jpg",
        media_type="image/jpeg",
        length=123456,
        caption="The harbour at dawn.",
        credit="Photo: A. Photographer",
        width=1600,
        height=900,
        alt="Boats in a harbour",
    )
    text = "Ships leave the harbour early, see the port authority."
    article = Article(
        id="urn:uuid:11111111-2222-3333-4444-555555555555",
        slug="ignored-by-the-store",
        headline="Harbour reopens after the storm",
        subheadline="Ferries run again from Monday",
        language="en",
        dateline="BUSAN",
        bylines=(
            Byline("Kim Min-ji", role="Correspondent", url="https://example.org/kim"),
            Byline("Example Wire", kind="organization"),
        ),
        published=datetime(2026, 3, 3, 8, 15, tzinfo=KST),
        updated=datetime(2026, 3, 4, 9, 30, tzinfo=CEST),
        section="World",
        keywords=("harbour", "storm", "ferries"),
        subjects=(Subject("medtop:20000551", "ferry"),),
        summary="The harbour reopened on Tuesday.",
        images=(image,),
        pubstatus=PubStatus.WITHHELD,
        embargo=datetime(2026, 3, 5, 6, 0, tzinfo=UTC),
        corrections=(Correction("An earlier version misspelled the port.", LATER),),
        body=(
            Paragraph(
                Inline(
                    text,
                    (
                        Mark("em", 0, 5),
                        Mark("strong", 6, 11),
                        Mark("code", 16, 23),
                        Mark("link", 35, 53, href="https://example.org/port"),
                    ),
                )
            ),
            Heading("What changed", level=2),
            Heading("Timetable", level=3),
            ListBlock(
                (
                    ListItem(Inline("First ferry"), ListBlock((ListItem(Inline("06:00")),), True)),
                    ListItem(Inline("Last ferry")),
                ),
                ordered=False,
            ),
            Table(
                (Inline("Route"), Inline("Departures")),
                ((Inline("Busan-Jeju"), Inline("4")), (Inline("Busan-Fukuoka"), Inline("2"))),
            ),
            Faq((FaqItem(Inline("Is the port open?"), Inline("Yes, since Tuesday.")),)),
            Quote(Inline("We are back."), attribution="the harbour master"),
            ImageBlock(image),
        ),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def simple(
    article_id: str, headline: str = "Council approves budget", **changes: object
) -> Article:
    article = Article(
        id=article_id,
        slug="x",
        headline=headline,
        language="en",
        published=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        section="News",
        body=(Paragraph(Inline(f"Body of {article_id}.")),),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def test_round_trip_keeps_every_field(store: Store) -> None:
    article = full_article()
    saved = store.save(article, source_key="harbour.md", id_explicit=True, now=NOW)
    assert saved.status == "created"
    expected = replace(article, slug=make_slug(article.headline), version=1)
    assert saved.article == expected
    for got in (
        store.get(article.id),
        store.get(article.id, 1),
        store.get_by_slug(expected.slug),
    ):
        assert got == expected
        assert codec.to_dict(got) == codec.to_dict(expected)  # offsets and all
    assert store.count() == 1


def test_unchanged_content_is_a_no_op(store: Store) -> None:
    article = simple("urn:a")
    first = store.save(article, source_key="a.md", now=NOW)
    again = store.save(replace(article, slug="other", version=7), source_key="a.md", now=LATER)
    assert again.status == "unchanged"
    assert again.article == first.article
    assert [v.version for v in store.versions("urn:a")] == [1]
    assert store.versions("urn:a")[0].created_at == NOW


def test_changed_content_makes_the_next_version_and_keeps_the_old(store: Store) -> None:
    first = simple("urn:a")
    store.save(first, source_key="a.md", now=NOW)
    changed = replace(
        first, headline="Council approves revised budget", pubstatus=PubStatus.CANCELED
    )
    saved = store.save(changed, source_key="a.md", now=LATER)
    assert saved.status == "updated"
    assert saved.article.version == 2
    assert store.get("urn:a").headline == "Council approves revised budget"
    assert store.get("urn:a", 1) == replace(first, slug=saved.article.slug, version=1)
    versions = store.versions("urn:a")
    assert [(v.version, v.headline, v.pubstatus, v.created_at) for v in versions] == [
        (1, first.headline, PubStatus.USABLE, NOW),
        (2, changed.headline, PubStatus.CANCELED, LATER),
    ]
    assert versions[0].content_hash == first.content_hash
    assert versions[1].content_hash == changed.content_hash
    third = store.save(replace(changed, summary="More."), source_key="a.md", now=LATER)
    assert third.article.version == 3
    assert store.count() == 1


def test_identity_by_explicit_id(store: Store) -> None:
    store.save(simple("urn:x"), source_key="a.md", id_explicit=True, now=NOW)
    moved = store.save(
        simple("urn:x", summary="moved"), source_key="b.md", id_explicit=True, now=LATER
    )
    assert (moved.status, moved.article.id, moved.article.version) == ("updated", "urn:x", 2)
    other = store.save(simple("urn:y"), source_key="b.md", id_explicit=True, now=LATER)
    assert (other.status, other.article.id) == ("created", "urn:y")
    assert store.count() == 2
    # The source key now names the story most recently saved from it.
    again = store.save(simple("urn:computed", summary="z"), source_key="b.md", now=LATER)
    assert (again.status, again.article.id) == ("updated", "urn:y")


def test_identity_by_source_key_keeps_the_first_id(store: Store) -> None:
    store.save(simple("urn:first"), source_key="stories/budget.txt", now=NOW)
    saved = store.save(
        simple("urn:second", summary="Now with a summary."),
        source_key="stories/budget.txt",
        now=LATER,
    )
    assert (saved.status, saved.article.id, saved.article.version) == ("updated", "urn:first", 2)
    assert store.count() == 1
    with pytest.raises(NotFoundError):
        store.get("urn:second")


def test_slug_made_once_unique_and_permanent(store: Store) -> None:
    one = store.save(simple("urn:1"), source_key="1.md", now=NOW).article
    two = store.save(simple("urn:2"), source_key="2.md", now=NOW).article
    assert one.slug == "council-approves-budget"
    assert two.slug == "council-approves-budget-2"
    renamed = store.save(
        simple("urn:1", headline="A different headline"), source_key="1.md", now=LATER
    ).article
    assert (renamed.slug, renamed.version) == ("council-approves-budget", 2)
    assert store.get_by_slug("council-approves-budget").headline == "A different headline"
    three = store.save(simple("urn:3", headline="A different headline"), now=LATER).article
    assert three.slug == "a-different-headline"


def test_date_inferred_keeps_the_first_versions_published(store: Store) -> None:
    first = simple("urn:d", published=NOW)
    store.save(first, source_key="d.md", date_inferred=True, now=NOW)
    again = store.save(
        replace(first, published=LATER), source_key="d.md", date_inferred=True, now=LATER
    )
    assert again.status == "unchanged"
    assert again.article.published == NOW
    changed = store.save(
        replace(first, published=LATER, summary="s"),
        source_key="d.md",
        date_inferred=True,
        now=LATER,
    )
    assert changed.status == "updated"
    assert store.get("urn:d").published == NOW
    explicit = store.save(
        replace(first, published=LATER, summary="s"), source_key="d.md", now=LATER
    )
    assert explicit.status == "updated"
    assert store.get("urn:d").published == LATER


def test_date_only_published_sorts_as_midnight_in_the_site_timezone(store: Store) -> None:
    store.save(simple("urn:date", published=date(2026, 3, 1)), now=NOW)
    store.save(simple("urn:late", published=datetime(2026, 2, 28, 23, 30, tzinfo=UTC)), now=NOW)
    store.save(simple("urn:early", published=datetime(2026, 2, 28, 22, 30, tzinfo=UTC)), now=NOW)
    listed = store.list_articles()
    assert [s.id for s in listed] == ["urn:late", "urn:date", "urn:early"]
    assert listed[1].published == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # Europe/Berlin
    assert store.get("urn:date").published == date(2026, 3, 1)


def test_list_articles_shows_latest_versions_newest_first(store: Store) -> None:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(4):
        section = "Sport" if n % 2 else "News"
        store.save(
            simple(f"urn:{n}", f"Story {n}", published=day + timedelta(hours=n), section=section),
            now=NOW,
        )
    store.save(
        simple("urn:0", "Story 0 updated", published=day, pubstatus=PubStatus.CANCELED), now=NOW
    )
    listed = store.list_articles()
    assert [s.id for s in listed] == ["urn:3", "urn:2", "urn:1", "urn:0"]
    assert (listed[-1].version, listed[-1].headline, listed[-1].slug) == (
        2,
        "Story 0 updated",
        "story-0",
    )
    assert listed[-1].pubstatus is PubStatus.CANCELED
    assert [s.id for s in store.list_articles(section="Sport")] == ["urn:3", "urn:1"]
    assert [s.id for s in store.list_articles(pubstatus=PubStatus.CANCELED)] == ["urn:0"]
    assert [s.id for s in store.list_articles(limit=2, offset=1)] == ["urn:2", "urn:1"]
    assert listed[0].as_dict()["published"] == "2026-03-01T03:00:00+00:00"
    assert store.count() == 4


def _failing(items: list[SaveItem]) -> Iterator[SaveItem]:
    yield from items
    raise RuntimeError("the second file could not be read")


def test_batch_failure_all_or_nothing_stores_nothing(store: Store) -> None:
    items = [SaveItem(simple("urn:b1"), "b1.md"), SaveItem(simple("urn:b2", "Other"), "b2.md")]
    with pytest.raises(RuntimeError):
        store.save_many(_failing(items), now=NOW, all_or_nothing=True)
    assert store.count() == 0
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save(simple("urn:b1"), now=NOW)
            assert store.count() == 1  # reads inside see the transaction's writes
            raise RuntimeError("abandon")
    assert store.count() == 0


def test_batch_failure_otherwise_keeps_whole_articles(store: Store) -> None:
    items = [SaveItem(simple("urn:b1"), "b1.md")]
    with pytest.raises(RuntimeError):
        store.save_many(_failing(items), now=NOW, all_or_nothing=False)
    assert store.count() == 1
    assert store.get("urn:b1").version == 1
    saved = store.save_many(
        [SaveItem(simple("urn:b1"), "b1.md"), SaveItem(simple("urn:b3", "Third"), "b3.md")],
        now=NOW,
        all_or_nothing=True,
    )
    assert [s.status for s in saved] == ["unchanged", "created"]


class BrokenStore(Store):
    """Fails after the story row is written, before its version is."""

    def _insert_version(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")


def test_a_failing_save_leaves_no_partial_article(db_url: str) -> None:
    with BrokenStore(db_url) as broken:
        with pytest.raises(RuntimeError):
            broken.save(simple("urn:p"), source_key="p.md", now=NOW)
        assert broken.count() == 0
        with pytest.raises(NotFoundError):
            broken.get("urn:p")


def test_timestamps_come_back_aware_utc(store: Store) -> None:
    landed = datetime(2026, 3, 10, 14, 0, tzinfo=CEST)
    store.save(full_article(), now=landed)
    with store.engine.connect() as connection:
        row = connection.execute(sa.select(article_versions)).one()
        story = connection.execute(sa.select(articles)).one()
    instants = {
        "published_at": datetime(2026, 3, 2, 23, 15, tzinfo=UTC),
        "updated_at": datetime(2026, 3, 4, 7, 30, tzinfo=UTC),
        "embargo_until": datetime(2026, 3, 5, 6, 0, tzinfo=UTC),
        "created_at": datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
    }
    for name, expected in instants.items():
        value = getattr(row, name)
        assert value == expected
        assert value.tzinfo is UTC, name
    assert story.created_at == landed and story.created_at.tzinfo is UTC
    info = store.versions(full_article().id)[0]
    assert info.created_at.tzinfo is UTC
    summary = store.list_articles()[0]
    assert summary.published.tzinfo is UTC and summary.updated is not None
    assert summary.updated.tzinfo is UTC


def test_naive_datetimes_are_refused(store: Store) -> None:
    naive = datetime(2026, 3, 10, 12, 0)  # noqa: DTZ001 - the value under test
    with pytest.raises(ValueError, match="aware"):
        store.save(simple("urn:n"), now=naive)
    with store.engine.begin() as connection, pytest.raises(sa.exc.StatementError, match="naive"):
        connection.execute(
            sa.insert(articles).values(id="x", slug="x", latest_version=1, created_at=naive)
        )
    assert store.count() == 0


def test_missing_articles_raise_not_found(store: Store) -> None:
    store.save(simple("urn:here"), now=NOW)
    with pytest.raises(NotFoundError):
        store.get("urn:missing")
    with pytest.raises(NotFoundError, match="version 2"):
        store.get("urn:here", 2)
    with pytest.raises(NotFoundError):
        store.get_by_slug("no-such-slug")
    with pytest.raises(NotFoundError):
        store.versions("urn:missing")


def test_concurrent_saves_get_distinct_slugs(store: Store) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(5):
                store.save(simple(f"urn:{n}-{k}", "Same headline"), source_key=f"{n}-{k}", now=NOW)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    slugs = {s.slug for s in store.list_articles()}
    assert len(slugs) == store.count() == 20


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'db' / 'x.db'}", auto_upgrade=True) as opened:
        with opened.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 30_000


def test_default_location_is_var_under_the_config_folder(config: Config) -> None:
    assert config.database.url == f"sqlite:///{config.root / 'var' / 'syndicate.db'}"
    assert not (config.root / "var").exists()
    with Store.open(config, auto_upgrade=True) as opened:
        assert opened.count() == 0
        assert opened.site_tz == "Europe/Berlin"
    assert (config.root / "var" / "syndicate.db").is_file()


def test_unreachable_database_is_a_runtime_failure(tmp_path: Path) -> None:
    with pytest.raises(RuntimeFailure) as caught:
        Store("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    message = str(caught.value)
    assert "cannot reach the database" in message and "127.0.0.1:1" in message
    assert "Traceback" not in message and "\n" not in message
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(RuntimeFailure, match="cannot create the database folder"):
        Store(f"sqlite:///{blocker / 'sub' / 'x.db'}")
    with pytest.raises(RuntimeFailure, match="unsupported database"):
        Store("mysql://localhost/x")
    with pytest.raises(RuntimeFailure, match="use the psycopg driver"):
        Store("postgresql+psycopg2://postgres@127.0.0.1:1/nothing")
    with pytest.raises(RuntimeFailure, match="cannot reach the database"):
        Store("postgresql://postgres@127.0.0.1:1/nothing")  # psycopg 3 is the default


def test_the_model_refuses_naive_datetimes() -> None:
    from datetime import datetime

    from syndicate.model import Article, ModelError

    from .newsroom import article

    story = article(1)
    for field in ("published", "updated", "embargo"):
        with pytest.raises(ModelError, match=field):
            naive = datetime(2026, 3, 1, 9, 0)  # noqa: DTZ001 - naive on purpose
            replace(story, **{field: naive})  # type: ignore[arg-type]
    assert isinstance(replace(story, updated=story.published), Article)
