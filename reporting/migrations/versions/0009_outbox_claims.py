"""outbox claims (which process is delivering a chat's rows, until when), verdict changes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 15:20:00.000000

With several bot processes on PostgreSQL, a sender claims a chat's due rows for a while
(`claimed_by`, `claimed_until`) in a short transaction, sends them holding no session, and
clears the claim as it records each ending; a claim whose process died runs out and another
process takes the rows over. Going back drops the claims: one process needs none.

Each remembered verdict counts its changes: a verdict alert is keyed by the change it reports
(no longer by the second it was evaluated), so two processes evaluating at once claim one
alert. Going back drops the count; verdict alerts then repeat at most once per change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        outbox.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("verdict_states") as states:
        states.add_column(sa.Column("changes", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("verdict_states") as states:
        states.drop_column("changes")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("claimed_until")
        outbox.drop_column("claimed_by")
