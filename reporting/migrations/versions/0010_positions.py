"""each person's position (chức vụ) from the district's assignment table

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 18:45:00.000000

`tallybot assignments import` names the people who answer for the communes: each becomes a
user (with no chat account until they redeem a code made with `invite --user`) whose position
is stored here. A user with a position is one of the table's people; users who came in only by
an invite code have none. Going back drops the column; the users stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("position", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.drop_column("position")
