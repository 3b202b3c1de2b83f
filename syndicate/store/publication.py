"""What the public sees: each story's public version, and feed membership.

syndicate.publish decides; this module only reads and writes the rows:
`articles.public_*` (which version is public, since when, and the first one
ever), `feed_items` (a feed's items with their fixed sequence numbers) and
`feed_state` (the next number and a revision that changes with the feed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, insert, or_, select, update

from .. import codec
from ..model import Article, PubStatus
from .base import StoreBase
from .tables import article_versions, articles, feed_items, feed_state


@dataclass(frozen=True, slots=True)
class VersionState:
    version: int
    pubstatus: PubStatus
    embargo_until: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PublicState:
    public_version: int | None = None
    first_public_version: int | None = None
    first_public_at: datetime | None = None
    public_at: datetime | None = None
    retracted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One item of a feed with what its entry needs, without the document."""

    article_id: str
    seq: int
    added_at: datetime
    removed_at: datetime | None
    version: int | None  # the public version; None once retracted or withdrawn
    first_public_version: int | None
    public_at: datetime | None
    retracted_at: datetime | None
    version_created_at: datetime | None
    published_at: datetime | None  # the article's own dates, as instants
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class PublicRow:
    """A public story for listings (pages, sitemaps), without the document."""

    article_id: str
    slug: str
    version: int
    headline: str
    section: str
    language: str
    published_at: datetime
    first_public_at: datetime
    public_at: datetime


@dataclass(frozen=True, slots=True)
class SlugState:
    article_id: str
    latest_version: int
    public_version: int | None
    retracted: bool


@dataclass(frozen=True, slots=True)
class FeedCounts:
    assigned: int  # sequence numbers handed out so far
    revision: int
    changed_at: datetime | None


_public_version = and_(
    article_versions.c.article_id == articles.c.id,
    article_versions.c.version == articles.c.public_version,
)


class PublicationStore(StoreBase):
    # -- a story's public state ----------------------------------------------------

    def version_states(self, article_id: str) -> list[VersionState]:
        query = (
            select(
                article_versions.c.version,
                article_versions.c.pubstatus,
                article_versions.c.embargo_until,
                article_versions.c.created_at,
            )
            .where(article_versions.c.article_id == article_id)
            .order_by(article_versions.c.version)
        )
        with self._connect() as connection:
            rows = connection.execute(query).all()
        return [
            VersionState(r.version, PubStatus(r.pubstatus), r.embargo_until, r.created_at)
            for r in rows
        ]

    def public_state(self, article_id: str) -> PublicState:
        query = select(
            articles.c.public_version,
            articles.c.first_public_version,
            articles.c.first_public_at,
            articles.c.public_at,
            articles.c.retracted_at,
        ).where(articles.c.id == article_id)
        with self._connect() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            return PublicState()
        return PublicState(*row)

    def set_public_state(self, article_id: str, state: PublicState) -> None:
        with self._connect(write=True) as connection:
            connection.execute(
                update(articles)
                .where(articles.c.id == article_id)
                .values(
                    public_version=state.public_version,
                    first_public_version=state.first_public_version,
                    first_public_at=state.first_public_at,
                    public_at=state.public_at,
                    retracted_at=state.retracted_at,
                )
            )

    def slug_state(self, slug: str) -> SlugState | None:
        """What a public URL of the story needs: which version, or why none."""
        query = select(
            articles.c.id,
            articles.c.latest_version,
            articles.c.public_version,
            articles.c.retracted_at,
        ).where(articles.c.slug == slug)
        with self._connect() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            return None
        return SlugState(
            row.id, row.latest_version, row.public_version, row.retracted_at is not None
        )

    def due_embargoes(self, now: datetime) -> list[str]:
        """Stories with a usable version whose embargo has passed but which is
        not public yet: what the embargo release makes public."""
        query = (
            select(article_versions.c.article_id)
            .join(articles, articles.c.id == article_versions.c.article_id)
            .where(
                article_versions.c.embargo_until <= now,
                article_versions.c.pubstatus == PubStatus.USABLE.value,
                articles.c.retracted_at.is_(None),
                or_(
                    articles.c.public_version.is_(None),
                    article_versions.c.version > articles.c.public_version,
                ),
            )
            .distinct()
        )
        with self._connect() as connection:
            return sorted(connection.execute(query).scalars())

    def next_embargo(self, after: datetime) -> datetime | None:
        """The earliest embargo still ahead, for scheduling its release."""
        query = select(article_versions.c.embargo_until).where(
            article_versions.c.embargo_until > after,
            article_versions.c.pubstatus == PubStatus.USABLE.value,
        )
        with self._connect() as connection:
            found = connection.execute(
                query.order_by(article_versions.c.embargo_until).limit(1)
            ).scalar_one_or_none()
        return found

    # -- public stories ------------------------------------------------------------

    def public_articles(
        self, *, section: str | None = None, limit: int | None = None
    ) -> list[PublicRow]:
        """Public stories, newest first publication first."""
        query = (
            select(
                articles.c.id,
                articles.c.slug,
                articles.c.public_version,
                article_versions.c.headline,
                article_versions.c.section,
                article_versions.c.language,
                article_versions.c.published_at,
                articles.c.first_public_at,
                articles.c.public_at,
            )
            .join(article_versions, _public_version)
            .order_by(article_versions.c.published_at.desc(), articles.c.id)
            .limit(limit)
        )
        if section is not None:
            query = query.where(article_versions.c.section == section)
        with self._connect() as connection:
            return [PublicRow(*row) for row in connection.execute(query)]

    def public_ids(self) -> list[str]:
        """Every public story, in the order it first became public."""
        query = (
            select(articles.c.id)
            .where(articles.c.public_version.is_not(None))
            .order_by(articles.c.first_public_at, articles.c.id)
        )
        with self._connect() as connection:
            return list(connection.execute(query).scalars())

    def retracted_slugs(self) -> list[str]:
        query = (
            select(articles.c.slug)
            .where(articles.c.retracted_at.is_not(None))
            .order_by(articles.c.slug)
        )
        with self._connect() as connection:
            return list(connection.execute(query).scalars())

    def public_sections(self) -> list[str]:
        query = (
            select(article_versions.c.section)
            .join(articles, _public_version)
            .distinct()
            .order_by(article_versions.c.section)
        )
        with self._connect() as connection:
            return list(connection.execute(query).scalars())

    def documents(self, wanted: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Article]:
        """Several versions at once, by (article id, version)."""
        keys = list(dict.fromkeys(wanted))
        found: dict[tuple[str, int], Article] = {}
        with self._connect() as connection:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                ids = {k[0] for k in chunk}
                rows = connection.execute(
                    select(
                        article_versions.c.article_id,
                        article_versions.c.version,
                        article_versions.c.document,
                    ).where(article_versions.c.article_id.in_(ids))
                )
                wanted_here = set(chunk)
                for row in rows:
                    key = (row.article_id, row.version)
                    if key in wanted_here:
                        found[key] = codec.from_dict(json.loads(row.document))
        return found

    # -- feed membership -------------------------------------------------------------

    def feed_membership(self, feed_id: str) -> dict[str, tuple[int, datetime | None]]:
        """article id -> (seq, removed_at) for every item the feed ever had."""
        query = select(feed_items.c.article_id, feed_items.c.seq, feed_items.c.removed_at).where(
            feed_items.c.feed_id == feed_id
        )
        with self._connect() as connection:
            return {r.article_id: (r.seq, r.removed_at) for r in connection.execute(query)}

    def add_feed_items(self, feed_id: str, article_ids: Sequence[str], now: datetime) -> None:
        """Append new items, in the order given, after the feed's last one."""
        if not article_ids:
            return
        with self._connect(write=True) as connection:
            state = connection.execute(
                select(feed_state.c.next_seq).where(feed_state.c.feed_id == feed_id)
            ).scalar_one_or_none()
            first = state or 1
            connection.execute(
                insert(feed_items),
                [
                    {"feed_id": feed_id, "article_id": a, "seq": first + i, "added_at": now}
                    for i, a in enumerate(article_ids)
                ],
            )
            self._bump(
                connection, feed_id, now, next_seq=first + len(article_ids), new=state is None
            )

    def set_feed_items_removed(
        self, feed_id: str, article_ids: Sequence[str], removed_at: datetime | None, now: datetime
    ) -> None:
        """Mark items removed (or back, with None); their places are kept."""
        if not article_ids:
            return
        with self._connect(write=True) as connection:
            connection.execute(
                update(feed_items)
                .where(feed_items.c.feed_id == feed_id, feed_items.c.article_id.in_(article_ids))
                .values(removed_at=removed_at)
            )
            self._bump(connection, feed_id, now)

    def touch_feeds(self, feed_ids: Iterable[str], now: datetime) -> None:
        """A member changed (a new public version): the feed's documents change."""
        with self._connect(write=True) as connection:
            for feed_id in feed_ids:
                self._bump(connection, feed_id, now)

    def item_states(self, article_id: str) -> dict[str, tuple[int, datetime | None]]:
        """feed id -> (seq, removed_at) of every feed the article was ever an item of."""
        query = select(feed_items.c.feed_id, feed_items.c.seq, feed_items.c.removed_at).where(
            feed_items.c.article_id == article_id
        )
        with self._connect() as connection:
            return {r.feed_id: (r.seq, r.removed_at) for r in connection.execute(query)}

    def feeds_of(self, article_id: str) -> list[str]:
        """The feeds an article is an active item of."""
        query = select(feed_items.c.feed_id).where(
            feed_items.c.article_id == article_id, feed_items.c.removed_at.is_(None)
        )
        with self._connect() as connection:
            return sorted(connection.execute(query).scalars())

    def _bump(
        self,
        connection: Connection,
        feed_id: str,
        now: datetime,
        *,
        next_seq: int | None = None,
        new: bool = False,
    ) -> None:
        if new:
            connection.execute(
                insert(feed_state).values(
                    feed_id=feed_id, next_seq=next_seq or 1, revision=1, changed_at=now
                )
            )
            return
        values: dict[str, object] = {"revision": feed_state.c.revision + 1, "changed_at": now}
        if next_seq is not None:
            values["next_seq"] = next_seq
        result = connection.execute(
            update(feed_state).where(feed_state.c.feed_id == feed_id).values(**values)
        )
        if result.rowcount == 0:
            connection.execute(
                insert(feed_state).values(
                    feed_id=feed_id, next_seq=next_seq or 1, revision=1, changed_at=now
                )
            )

    def feed_counts(self, feed_id: str) -> FeedCounts:
        query = select(feed_state.c.next_seq, feed_state.c.revision, feed_state.c.changed_at).where(
            feed_state.c.feed_id == feed_id
        )
        with self._connect() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            return FeedCounts(0, 0, None)
        return FeedCounts(row.next_seq - 1, row.revision, row.changed_at)

    def feed_rows(
        self,
        feed_id: str,
        *,
        seq_from: int | None = None,
        seq_to: int | None = None,
        changed_since_added: bool = False,
        active_only: bool = False,
        removed_since: datetime | None = None,
        limit: int | None = None,
    ) -> list[FeedRow]:
        """Items of a feed, newest public change first (then highest seq).

        `seq_from`/`seq_to` bound the sequence numbers (inclusive);
        `changed_since_added` keeps items whose public version is newer than
        their joining the feed; `removed_since` keeps items retracted since then."""
        query = (
            select(
                feed_items.c.article_id,
                feed_items.c.seq,
                feed_items.c.added_at,
                feed_items.c.removed_at,
                articles.c.public_version,
                articles.c.first_public_version,
                articles.c.public_at,
                articles.c.retracted_at,
                article_versions.c.created_at,
                article_versions.c.published_at,
                article_versions.c.updated_at,
            )
            .join(articles, articles.c.id == feed_items.c.article_id)
            .outerjoin(article_versions, _public_version)
            .where(feed_items.c.feed_id == feed_id)
            .order_by(articles.c.public_at.desc(), feed_items.c.seq.desc())
            .limit(limit)
        )
        if seq_from is not None:
            query = query.where(feed_items.c.seq >= seq_from)
        if seq_to is not None:
            query = query.where(feed_items.c.seq <= seq_to)
        if changed_since_added:
            query = query.where(articles.c.public_at > feed_items.c.added_at)
        if active_only:
            query = query.where(feed_items.c.removed_at.is_(None))
        if removed_since is not None:
            query = query.where(
                feed_items.c.removed_at >= removed_since, articles.c.retracted_at.is_not(None)
            )
        with self._connect() as connection:
            return [FeedRow(*row) for row in connection.execute(query)]
