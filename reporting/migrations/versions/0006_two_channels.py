"""invites for an existing user; when each chat account was last written from

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:15:00.000000

An invite with `user_id` adds the chat account that redeems it to that user. Going back, an
unused one is made to expire where it was created: the older version would read it as an
invite for a new user with the same role. Nothing is deleted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invites_user_id_users"), "users", ["user_id"], ["id"]
        )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute(
        "UPDATE invites SET expires_at = created_at WHERE user_id IS NOT NULL AND used_at IS NULL"
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_invites_user_id_users"), type_="foreignkey")
        batch_op.drop_column("user_id")
