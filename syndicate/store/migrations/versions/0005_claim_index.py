"""claim_index: the outbox's due index also orders by version, so a claim
reads its batch in index order and stops, instead of sorting every pending row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 14:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("ix_deliveries_state_next_attempt_at"), table_name="deliveries")
    op.create_index(
        op.f("ix_deliveries_state_next_attempt_at_version"),
        "deliveries",
        ["state", "next_attempt_at", "version"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_deliveries_state_next_attempt_at_version"), table_name="deliveries")
    op.create_index(
        op.f("ix_deliveries_state_next_attempt_at"), "deliveries", ["state", "next_attempt_at"]
    )
