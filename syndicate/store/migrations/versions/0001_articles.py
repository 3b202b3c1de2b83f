"""articles and their versions

Revision ID: 0001
Revises:
Create Date: 2026-03-10 12:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", instant(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_articles_slug")),
        sa.UniqueConstraint("source_key", name=op.f("uq_articles_source_key")),
    )
    op.create_table(
        "article_versions",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("pubstatus", sa.String(16), nullable=False),
        sa.Column("published_at", instant(), nullable=False),
        sa.Column("updated_at", instant(), nullable=True),
        sa.Column("embargo_until", instant(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", instant(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "version", name=op.f("pk_article_versions")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_versions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_article_versions_version_positive")),
        sa.CheckConstraint(
            "pubstatus IN ('usable', 'withheld', 'canceled')",
            name=op.f("ck_article_versions_pubstatus_known"),
        ),
    )
    op.create_index(op.f("ix_article_versions_published_at"), "article_versions", ["published_at"])
    op.create_index(
        op.f("ix_article_versions_section_published_at"),
        "article_versions",
        ["section", "published_at"],
    )
    op.create_index(
        op.f("ix_article_versions_pubstatus_published_at"),
        "article_versions",
        ["pubstatus", "published_at"],
    )
    op.create_index(
        op.f("ix_article_versions_embargo_until"), "article_versions", ["embargo_until"]
    )


def downgrade() -> None:
    op.drop_table("article_versions")
    op.drop_table("articles")
