"""Articles and their versions.

A story is one row in `articles` (its stable id, its slug, the source it was
last read from) and one row per version in `article_versions`, each holding
the canonical JSON document plus the columns listings sort and filter on.

Saving: the story is found by its id when the id was given explicitly, else
by the source key (keeping the id it was first stored under), else by id.
A new story gets a slug, once. A content hash equal to the latest version's
is a no-op; anything else becomes the next version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Row, and_, func, insert, select, update

from .. import codec
from ..errors import ConflictError, NotFoundError
from ..ingest.dates import as_instant
from ..model import Article, PubStatus, Timestamp
from ..slugs import make_slug
from .base import StoreBase
from .tables import article_versions, articles

SaveStatus = Literal["created", "updated", "unchanged"]

ARTICLES_LOCK_KEY = 0x53594E44_41525443
"""pg_advisory_xact_lock key held by every article save ("SYNDARTC")."""

_latest = and_(
    article_versions.c.article_id == articles.c.id,
    article_versions.c.version == articles.c.latest_version,
)


@dataclass(frozen=True, slots=True)
class Saved:
    """The article as stored (its id, slug and version assigned) and what happened."""

    article: Article
    status: SaveStatus


@dataclass(frozen=True, slots=True)
class SaveItem:
    """One article of a batch for `save_many`, with how it was read."""

    article: Article
    source_key: str | None = None
    id_explicit: bool = False
    date_inferred: bool = False


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: int
    pubstatus: PubStatus
    content_hash: str
    created_at: datetime
    headline: str


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """The latest version of a story, for listings. `published` and `updated`
    are UTC instants (a date-only value is midnight in the site's timezone)."""

    id: str
    version: int
    slug: str
    headline: str
    section: str
    published: datetime
    updated: datetime | None
    pubstatus: PubStatus

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: times in ISO 8601 with their offset."""
        return {
            "id": self.id,
            "version": self.version,
            "slug": self.slug,
            "headline": self.headline,
            "section": self.section,
            "published": self.published.isoformat(),
            "updated": self.updated.isoformat() if self.updated is not None else None,
            "pubstatus": self.pubstatus.value,
        }


class ArticleStore(StoreBase):
    def save(
        self,
        article: Article,
        *,
        source_key: str | None = None,
        id_explicit: bool = False,
        date_inferred: bool = False,
        now: datetime,
    ) -> Saved:
        """Store `article` as a new story, a new version of its story, or
        nothing new ("unchanged"); all of it or none of it.

        `id_explicit`: the id came from the document (front matter, sidecar),
        so it alone identifies the story. `date_inferred`: `published` is the
        ingest time, so an existing story keeps its first version's date.
        `now` is when this version lands."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        with self._connect(write=True) as connection:
            self._lock(connection, ARTICLES_LOCK_KEY)
            return self._save(connection, article, source_key, id_explicit, date_inferred, now)

    def save_many(
        self, items: Iterable[SaveItem], *, now: datetime, all_or_nothing: bool
    ) -> list[Saved]:
        """Save each item in turn. With `all_or_nothing`, in one transaction: a
        failure (from the database or from `items` itself) stores none of them;
        otherwise every article is its own transaction and those saved before
        a failure stay stored. The failure is raised either way."""
        if all_or_nothing:
            with self.transaction():
                return self._save_each(items, now)
        return self._save_each(items, now)

    def _save_each(self, items: Iterable[SaveItem], now: datetime) -> list[Saved]:
        return [
            self.save(
                item.article,
                source_key=item.source_key,
                id_explicit=item.id_explicit,
                date_inferred=item.date_inferred,
                now=now,
            )
            for item in items
        ]

    def _save(
        self,
        connection: Connection,
        article: Article,
        source_key: str | None,
        id_explicit: bool,
        date_inferred: bool,
        now: datetime,
    ) -> Saved:
        row = _find_story(connection, article.id, source_key, id_explicit)
        if row is None:
            slug = make_slug(article.headline, taken=lambda s: _slug_taken(connection, s))
            _claim_source_key(connection, article.id, source_key, new=True)
            connection.execute(
                insert(articles).values(
                    id=article.id,
                    slug=slug,
                    source_key=source_key,
                    latest_version=1,
                    created_at=now,
                )
            )
            stored = replace(article, slug=slug, version=1)
            self._insert_version(connection, stored, stored.content_hash, now)
            return Saved(stored, "created")

        latest = connection.execute(
            select(article_versions.c.content_hash, article_versions.c.document).where(
                article_versions.c.article_id == row.id,
                article_versions.c.version == row.latest_version,
            )
        ).one()
        if date_inferred:
            article = replace(article, published=_published_of(latest.document))
        stored = replace(article, id=row.id, slug=row.slug, version=row.latest_version)
        if source_key is not None and source_key != row.source_key:
            _claim_source_key(connection, row.id, source_key, new=False)
        digest = stored.content_hash
        if digest == latest.content_hash:
            return Saved(stored, "unchanged")
        stored = replace(stored, version=row.latest_version + 1)
        self._insert_version(connection, stored, digest, now)
        moved = connection.execute(
            update(articles)
            .where(articles.c.id == row.id, articles.c.latest_version == row.latest_version)
            .values(latest_version=stored.version)
        )
        if moved.rowcount != 1:
            raise ConflictError(f"article {row.id} changed while being saved; try again")
        return Saved(stored, "updated")

    def _insert_version(
        self, connection: Connection, article: Article, digest: str, now: datetime
    ) -> None:
        connection.execute(
            insert(article_versions).values(
                article_id=article.id,
                version=article.version,
                headline=article.headline,
                section=article.section,
                language=article.language,
                pubstatus=article.pubstatus.value,
                published_at=self._instant(article.published),
                updated_at=self._instant(article.updated),
                embargo_until=article.embargo,
                content_hash=digest,
                document=codec.dumps(article, indent=None),
                created_at=now,
            )
        )

    def _instant(self, value: Timestamp | None) -> datetime | None:
        return None if value is None else as_instant(value, self.site_tz)

    def get(self, article_id: str, version: int | None = None) -> Article:
        """The latest version of a story, or the given one; NotFoundError if none."""
        query = select(article_versions.c.document)
        if version is None:
            query = query.join(articles, _latest).where(articles.c.id == article_id)
        else:
            query = query.where(
                article_versions.c.article_id == article_id,
                article_versions.c.version == version,
            )
        with self._connect() as connection:
            document = connection.execute(query).scalar_one_or_none()
        if document is None:
            which = f"version {version} of article" if version is not None else "article"
            raise NotFoundError(f"no {which} {article_id}")
        return _decode(document)

    def get_by_slug(self, slug: str) -> Article:
        """The latest version of the story with this slug; NotFoundError if none."""
        query = (
            select(article_versions.c.document)
            .join(articles, _latest)
            .where(articles.c.slug == slug)
        )
        with self._connect() as connection:
            document = connection.execute(query).scalar_one_or_none()
        if document is None:
            raise NotFoundError(f"no article with slug {slug!r}")
        return _decode(document)

    def find(self, ref: str, version: int | None = None) -> Article:
        """By id, else (the latest version only) by slug: people name a story
        by either. NotFoundError if neither matches."""
        try:
            return self.get(ref, version)
        except NotFoundError:
            if version is not None:
                raise
        return self.get_by_slug(ref)

    def versions(self, article_id: str) -> list[VersionInfo]:
        """Every version of a story, oldest first; NotFoundError if there is no story."""
        query = (
            select(
                article_versions.c.version,
                article_versions.c.pubstatus,
                article_versions.c.content_hash,
                article_versions.c.created_at,
                article_versions.c.headline,
            )
            .where(article_versions.c.article_id == article_id)
            .order_by(article_versions.c.version)
        )
        with self._connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            raise NotFoundError(f"no article {article_id}")
        return [
            VersionInfo(r.version, PubStatus(r.pubstatus), r.content_hash, r.created_at, r.headline)
            for r in rows
        ]

    def list_articles(
        self,
        *,
        section: str | None = None,
        pubstatus: PubStatus | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ArticleSummary]:
        """The latest version of every story (optionally of one section or
        status), newest published first."""
        query = (
            select(
                articles.c.id,
                article_versions.c.version,
                articles.c.slug,
                article_versions.c.headline,
                article_versions.c.section,
                article_versions.c.published_at,
                article_versions.c.updated_at,
                article_versions.c.pubstatus,
            )
            .join(articles, _latest)
            .order_by(article_versions.c.published_at.desc(), articles.c.id)
            .offset(offset)
            .limit(limit)
        )
        if section is not None:
            query = query.where(article_versions.c.section == section)
        if pubstatus is not None:
            query = query.where(article_versions.c.pubstatus == pubstatus.value)
        with self._connect() as connection:
            rows = connection.execute(query).all()
        return [_summary(row) for row in rows]

    def count(self) -> int:
        """How many stories are stored."""
        with self._connect() as connection:
            return int(connection.execute(select(func.count()).select_from(articles)).scalar_one())


def _find_story(
    connection: Connection, article_id: str, source_key: str | None, id_explicit: bool
) -> Row[Any] | None:
    if not id_explicit and source_key is not None:
        row = connection.execute(
            select(articles).where(articles.c.source_key == source_key)
        ).one_or_none()
        if row is not None:
            return row
    return connection.execute(select(articles).where(articles.c.id == article_id)).one_or_none()


def _slug_taken(connection: Connection, slug: str) -> bool:
    found = connection.execute(select(articles.c.id).where(articles.c.slug == slug)).first()
    return found is not None


def _claim_source_key(
    connection: Connection, article_id: str, source_key: str | None, *, new: bool
) -> None:
    """The source key names the story most recently saved from that source."""
    if source_key is None:
        return
    connection.execute(
        update(articles)
        .where(articles.c.source_key == source_key, articles.c.id != article_id)
        .values(source_key=None)
    )
    if not new:
        connection.execute(
            update(articles).where(articles.c.id == article_id).values(source_key=source_key)
        )


def _published_of(document: str) -> Timestamp:
    return codec.parse_timestamp(json.loads(document)["published"])


def _decode(document: str) -> Article:
    return codec.from_dict(json.loads(document))


def _summary(row: Any) -> ArticleSummary:
    return ArticleSummary(
        id=row.id,
        version=row.version,
        slug=row.slug,
        headline=row.headline,
        section=row.section,
        published=row.published_at,
        updated=row.updated_at,
        pubstatus=PubStatus(row.pubstatus),
    )
