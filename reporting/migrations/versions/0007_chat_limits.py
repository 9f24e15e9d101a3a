"""counts of messages from strangers and of wrong invite codes, per chat account

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:30:00.000000

One row per chat account and limit (`message`, `invite`), reset when its window has passed;
going back drops the counts, which only ever matter for the next few minutes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_limits",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id", "kind", name=op.f("pk_chat_limits")),
    )


def downgrade() -> None:
    op.drop_table("chat_limits")
