"""The database tables (SQLAlchemy Core), one MetaData for every migration to match.

Every timestamp column is a UTCDateTime: stored in UTC, read back as an aware
UTC datetime on SQLite and PostgreSQL alike, and a naive value is refused.
Constraint names follow NAMING so that migrations can name them too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
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

# -- push -------------------------------------------------------------------
# Webhook and WebSub subscriptions; the outbox of deliveries (one row per
# subscription x article version x event x push id, created before any
# network IO and marked delivered only after a 2xx); every attempt; the
# journal of public changes (cron pushes read what changed since their last
# run); cron runs (one per feed and scheduled time across the cluster);
# IndexNow URLs; worker heartbeats; the audit list.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kind", String(16), nullable=False),  # webhook | websub
    Column("feed_id", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("name", Text, nullable=True),
    Column("secret", Text, nullable=True),
    Column("previous_secret", Text, nullable=True),
    Column("previous_secret_until", UTCDateTime, nullable=True),
    Column("embargoed", Boolean, nullable=False),
    Column("filters", Text, nullable=True),
    Column("state", String(16), nullable=False),
    Column("state_reason", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("last_success_at", UTCDateTime, nullable=True),
    Column("last_failure_at", UTCDateTime, nullable=True),
    Column("consecutive_failures", Integer, nullable=False),
    Column("failing_since", UTCDateTime, nullable=True),
    Index("ix_subscriptions_feed_id_state", "feed_id", "state"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Text, primary_key=True),
    Column(
        "subscription_id", Text, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False
    ),
    Column("article_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event", String(32), nullable=False),
    Column("push_id", Text, nullable=False),
    Column("state", String(16), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_by", Text, nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("event_at", UTCDateTime, nullable=False),
    UniqueConstraint("subscription_id", "article_id", "version", "event", "push_id"),
    Index("ix_deliveries_state_next_attempt_at_version", "state", "next_attempt_at", "version"),
    Index("ix_deliveries_article_id", "article_id"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Text, ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False),
    Column("attempted_at", UTCDateTime, nullable=False),
    Column("status", Integer, nullable=True),
    Column("ms", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("response", Text, nullable=True),
    Column("worker", Text, nullable=True),
    Index("ix_attempts_delivery_id", "delivery_id"),
)

changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("article_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event", String(32), nullable=False),
    Index("ix_changes_at", "at"),
)

push_runs = Table(
    "push_runs",
    metadata,
    Column("feed_id", Text, nullable=False),
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("ran_at", UTCDateTime, nullable=False),
    Column("enqueued", Integer, nullable=False),
    PrimaryKeyConstraint("feed_id", "scheduled_at"),
)

indexnow = Table(
    "indexnow",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("queued_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Index("ix_indexnow_sent_at", "sent_at"),
)

workers = Table(
    "workers",
    metadata,
    Column("worker_id", Text, primary_key=True),
    Column("host", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("host", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("article_id", Text, nullable=True),
    Column("version", Integer, nullable=True),
    Column("detail", Text, nullable=True),
    Index("ix_audit_article_id", "article_id"),
)
