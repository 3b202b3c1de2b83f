"""publication state of each story, and feed membership

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 12:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("public_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("first_public_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("first_public_at", instant(), nullable=True))
        batch.add_column(sa.Column("public_at", instant(), nullable=True))
        batch.add_column(sa.Column("retracted_at", instant(), nullable=True))
    op.create_index(op.f("ix_articles_first_public_at"), "articles", ["first_public_at"])
    op.create_table(
        "feed_state",
        sa.Column("feed_id", sa.Text(), nullable=False),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", instant(), nullable=False),
        sa.PrimaryKeyConstraint("feed_id", name=op.f("pk_feed_state")),
    )
    op.create_table(
        "feed_items",
        sa.Column("feed_id", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("added_at", instant(), nullable=False),
        sa.Column("removed_at", instant(), nullable=True),
        sa.PrimaryKeyConstraint("feed_id", "article_id", name=op.f("pk_feed_items")),
        sa.UniqueConstraint("feed_id", "seq", name=op.f("uq_feed_items_feed_id_seq")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_feed_items_article_id_articles"),
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("feed_items")
    op.drop_table("feed_state")
    op.drop_index(op.f("ix_articles_first_public_at"), table_name="articles")
    with op.batch_alter_table("articles") as batch:
        for column in (
            "retracted_at",
            "public_at",
            "first_public_at",
            "first_public_version",
            "public_version",
        ):
            batch.drop_column(column)
