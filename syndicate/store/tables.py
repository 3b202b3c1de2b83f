"""The database tables (SQLAlchemy Core), one MetaData for every migration to match.

Every timestamp column is a UTCDateTime: stored in UTC, read back as an aware
UTC datetime on SQLite and PostgreSQL alike, and a naive value is refused.
Constraint names follow NAMING so that migrations can name them too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from ..model import PubStatus

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: written as UTC, always read back timezone-aware in UTC.

    SQLite has no zone-aware type, so there it is stored as naive UTC text (in
    a fixed-width format, so text order is time order); PostgreSQL stores a
    `timestamp with time zone`."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: give it a UTC offset")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


PUBSTATUS_CHECK = "pubstatus IN ({})".format(", ".join(f"'{s.value}'" for s in PubStatus))

articles = Table(
    "articles",
    metadata,
    Column("id", Text, primary_key=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("source_key", Text, nullable=True, unique=True),
    Column("latest_version", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Publication state, kept by syndicate.publish: the version the public
    # sees (None while held or embargoed, and after a retraction), the first
    # one it ever saw and when, when the current one became public.
    Column("public_version", Integer, nullable=True),
    Column("first_public_version", Integer, nullable=True),
    Column("first_public_at", UTCDateTime, nullable=True),
    Column("public_at", UTCDateTime, nullable=True),
    Column("retracted_at", UTCDateTime, nullable=True),
    Index("ix_articles_first_public_at", "first_public_at"),
)

article_versions = Table(
    "article_versions",
    metadata,
    Column(
        "article_id",
        Text,
        ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("headline", Text, nullable=False),
    Column("section", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("pubstatus", String(16), nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=True),
    Column("embargo_until", UTCDateTime, nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("article_id", "version"),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint(PUBSTATUS_CHECK, name="pubstatus_known"),
    Index("ix_article_versions_published_at", "published_at"),
    Index("ix_article_versions_section_published_at", "section", "published_at"),
    Index("ix_article_versions_pubstatus_published_at", "pubstatus", "published_at"),
    Index("ix_article_versions_embargo_until", "embargo_until"),
)


# A feed's items in the order they joined it: `seq` never changes, so RFC 5005
# archive pages (fixed ranges of seq) never reshuffle. A removed item keeps
# its place (a retraction is a tombstone there).
feed_state = Table(
    "feed_state",
    metadata,
    Column("feed_id", Text, primary_key=True),
    Column("next_seq", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
)

feed_items = Table(
    "feed_items",
    metadata,
    Column("feed_id", Text, nullable=False),
    Column("article_id", Text, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime, nullable=True),
    PrimaryKeyConstraint("feed_id", "article_id"),
    UniqueConstraint("feed_id", "seq"),
)

# Partners who may read partner-only feeds: a token each, kept only as its
# sha256 (the token itself is shown once, when it is made).
partners = Table(
    "partners",
    metadata,
    Column("name", Text, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)
