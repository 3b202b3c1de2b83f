"""push: subscriptions, the deliveries outbox and its attempts, the change
journal, cron runs, IndexNow queue, worker heartbeats and the audit list

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 13:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("feed_id", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_secret_until", instant(), nullable=True),
        sa.Column("embargoed", sa.Boolean(), nullable=False),
        sa.Column("filters", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("created_at", instant(), nullable=False),
        sa.Column("updated_at", instant(), nullable=False),
        sa.Column("lease_until", instant(), nullable=True),
        sa.Column("last_success_at", instant(), nullable=True),
        sa.Column("last_failure_at", instant(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("failing_since", instant(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(op.f("ix_subscriptions_feed_id_state"), "subscriptions", ["feed_id", "state"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("subscription_id", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("push_id", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", instant(), nullable=False),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("claimed_until", instant(), nullable=True),
        sa.Column("created_at", instant(), nullable=False),
        sa.Column("delivered_at", instant(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("event_at", instant(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_deliveries_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "subscription_id",
            "article_id",
            "version",
            "event",
            "push_id",
            name=op.f("uq_deliveries_subscription_id_article_id_version_event_push_id"),
        ),
    )
    op.create_index(
        op.f("ix_deliveries_state_next_attempt_at"), "deliveries", ["state", "next_attempt_at"]
    )
    op.create_index(op.f("ix_deliveries_article_id"), "deliveries", ["article_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Text(), nullable=False),
        sa.Column("attempted_at", instant(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("worker", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_attempts_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_attempts_delivery_id"), "attempts", ["delivery_id"])
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", instant(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    op.create_index(op.f("ix_changes_at"), "changes", ["at"])
    op.create_table(
        "push_runs",
        sa.Column("feed_id", sa.Text(), nullable=False),
        sa.Column("scheduled_at", instant(), nullable=False),
        sa.Column("ran_at", instant(), nullable=False),
        sa.Column("enqueued", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("feed_id", "scheduled_at", name=op.f("pk_push_runs")),
    )
    op.create_table(
        "indexnow",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("queued_at", instant(), nullable=False),
        sa.Column("sent_at", instant(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indexnow")),
    )
    op.create_index(op.f("ix_indexnow_sent_at"), "indexnow", ["sent_at"])
    op.create_table(
        "workers",
        sa.Column("worker_id", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", instant(), nullable=False),
        sa.Column("seen_at", instant(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_workers")),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", instant(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_article_id"), "audit", ["article_id"])


def downgrade() -> None:
    for table in (
        "audit",
        "workers",
        "indexnow",
        "push_runs",
        "changes",
        "attempts",
        "deliveries",
        "subscriptions",
    ):
        op.drop_table(table)
