"""A newsroom for tests: settings with their own feeds folder, a real store,
articles built directly with the model, published the way ingest does (save
+ publish.refresh in one transaction) or filled in bulk where the ingest path
is not what a test is about."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from syndicate import codec, publish
from syndicate.config import Config, load_config
from syndicate.feeddefs import FeedDef, load_feeds
from syndicate.ingest.dates import as_instant
from syndicate.model import Article, Byline, Image, Inline, Paragraph, PubStatus, Subject
from syndicate.publish import Change
from syndicate.store import Store
from syndicate.store.tables import article_versions, articles, feed_items, feed_state

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)

FEEDS = {
    "all": 'title = "Everything"\ncontent = "full"\nitems = 100\n',
    "world": 'title = "World"\n[filters]\nsections = ["World"]\n',
}


def settings(
    folder: Path, db_url: str, feeds: dict[str, str] | None = None, **extra: str
) -> Config:
    (folder / "feeds").mkdir(parents=True, exist_ok=True)
    for name, text in (feeds or FEEDS).items():
        (folder / "feeds" / f"{name}.toml").write_text(text, encoding="utf-8")
    lines = ['[site]\ntimezone = "Europe/Berlin"', f'[database]\nurl = "{db_url}"']
    lines += [f"[{section}]\n{body}" for section, body in extra.items()]
    (folder / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(folder / "config.toml", environ={})


def article(n: int, **changes: object) -> Article:
    """Article number n: distinct id, slug and text; a picture on even numbers."""
    base = Article(
        id=f"urn:uuid:{uuid.UUID(int=n + 1)}",
        slug=f"story-{n}",
        headline=f"Story number {n} <b>&amp;</b>",
        language="en",
        published=T0 + timedelta(minutes=n),
        section="World" if n % 2 else "Local",
        body=(
            Paragraph(Inline(f"First paragraph of story {n}, with <beta> & friends.")),
            Paragraph(Inline("A second paragraph.")),
        ),
        bylines=(Byline(f"Reporter {n % 7}"),),
        keywords=("news", f"k{n % 5}"),
        subjects=(Subject("medtop:11000000", "politics"),),
        summary=f"Summary {n}: a literal <beta> tag & an ampersand.",
        images=(
            Image(
                f"https://img.example.org/{n}.jpg",
                "image/jpeg",
                1000 + n,
                "A caption",
                "Credit",
                800,
                600,
            ),
        )
        if n % 2 == 0
        else (),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass
class Newsroom:
    store: Store
    config: Config

    @property
    def feeds(self) -> list[FeedDef]:
        return load_feeds(self.config)

    def feed(self, feed_id: str) -> FeedDef:
        return next(f for f in self.feeds if f.id == feed_id)

    def publish(self, story: Article, now: datetime) -> Change | None:
        """What ingest does after its checks: save, then refresh the public state."""
        with self.store.transaction():
            saved = self.store.save(story, source_key=None, id_explicit=True, now=now)
            if saved.status == "unchanged":
                return None
            return publish.refresh(self.store, saved.article.id, self.feeds, now)

    def fill(self, stories: Sequence[Article], feed_ids: Iterable[str], start: datetime) -> None:
        """Bulk rows for published version-1 stories, each joining the given
        feeds in order, one second apart from `start`."""
        engine = self.store.engine
        tz = self.config.site.timezone
        rows_a, rows_v, rows_f = [], [], []
        ids = list(feed_ids)
        for i, story in enumerate(stories):
            at = start + timedelta(seconds=i)
            rows_a.append(
                {
                    "id": story.id,
                    "slug": story.slug,
                    "source_key": None,
                    "latest_version": 1,
                    "created_at": at,
                    "public_version": 1,
                    "first_public_version": 1,
                    "first_public_at": at,
                    "public_at": at,
                    "retracted_at": None,
                }
            )
            rows_v.append(
                {
                    "article_id": story.id,
                    "version": 1,
                    "headline": story.headline,
                    "section": story.section,
                    "language": story.language,
                    "pubstatus": PubStatus.USABLE.value,
                    "published_at": as_instant(story.published, tz),
                    "updated_at": as_instant(story.updated, tz) if story.updated else None,
                    "embargo_until": None,
                    "content_hash": story.content_hash,
                    "document": codec.dumps(replace(story, version=1), indent=None),
                    "created_at": at,
                }
            )
            rows_f += [
                {
                    "feed_id": f,
                    "article_id": story.id,
                    "seq": i + 1,
                    "added_at": at,
                    "removed_at": None,
                }
                for f in ids
            ]
        end = start + timedelta(seconds=len(stories))
        with engine.begin() as connection:
            connection.execute(sa.insert(articles), rows_a)
            connection.execute(sa.insert(article_versions), rows_v)
            connection.execute(sa.insert(feed_items), rows_f)
            connection.execute(
                sa.insert(feed_state),
                [
                    {"feed_id": f, "next_seq": len(stories) + 1, "revision": 1, "changed_at": end}
                    for f in ids
                ],
            )
