"""outbox and media; alert delivery moves from alert_log to the outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 09:40:00.000000

Every alert_log row that had a Telegram chat becomes an outbox row with the same outcome, so no
delivery record is lost; a pending one gets a day from its creation to go out, as a reminder
left over from yesterday is worthless.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# alert_log.status → outbox.state
_STATES = {"pending": "pending", "sent": "sent", "failed": "failed", "skipped": "failed"}
_BLOCKED = "blocked the bot"
_MOMENT = sa.DateTime(timezone=True)
_OUTBOX = sa.table(
    "outbox",
    *(sa.column(name) for name in ("channel", "chat_id", "user_id", "alert_id", "kind", "text")),
    *(sa.column(name) for name in ("choices", "token", "columns", "attempts", "state", "reason")),
    sa.column("parts_sent"),
    *(sa.column(name, _MOMENT) for name in ("created_at", "not_before", "expires_at")),
    *(sa.column(name, _MOMENT) for name in ("next_attempt_at", "sent_at")),
)


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'failed', 'expired', 'blocked')",
            name=op.f("ck_outbox_state"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert_log.id"], name=op.f("fk_outbox_alert_id_alert_log")
        ),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_outbox_media_id_media"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_outbox_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index("ix_outbox_due", ["channel", "state", "chat_id", "id"], unique=False)
    # Read first, drop after, insert last: SQLite rebuilds alert_log to drop its columns, which
    # it refuses (foreign keys are on) while outbox rows point at it.
    deliveries = _alert_deliveries()
    with op.batch_alter_table("alert_log", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("reason")
        batch_op.drop_column("status")
    if deliveries:
        op.bulk_insert(_OUTBOX, deliveries)


def _alert_deliveries() -> list[dict[str, object]]:
    """Returns an outbox row for each alert_log row that had a Telegram chat, as it ended."""
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT a.id, a.user_id, a.text, a.created_at, a.status, a.reason, a.delivered_at,"
                " i.chat_id FROM alert_log a JOIN identities i"
                " ON i.user_id = a.user_id AND i.channel = 'telegram' AND i.chat_id IS NOT NULL"
                " ORDER BY a.id"
            )
        )
        .all()
    )
    moved: list[dict[str, object]] = []
    for row in rows:
        created = _aware(row.created_at)
        state = "blocked" if row.reason == _BLOCKED else _STATES.get(row.status, "failed")
        moved.append(
            {
                "channel": "telegram",
                "chat_id": row.chat_id,
                "user_id": row.user_id,
                "alert_id": row.id,
                "kind": "text",
                "text": row.text,
                "choices": None,
                "token": "",
                "columns": 2,
                "created_at": created,
                "not_before": created,
                "expires_at": created + timedelta(days=1),
                "next_attempt_at": created,
                "attempts": 0 if state == "pending" else 1,
                "state": state,
                "reason": row.reason,
                "sent_at": _aware(row.delivered_at) if row.delivered_at else None,
                "parts_sent": 0,
            }
        )
    return moved


def _aware(value: datetime | str) -> datetime:
    """Returns a stored timestamp as an aware UTC datetime (SQLite hands back text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def downgrade() -> None:
    connection = op.get_bind()
    waiting = connection.scalar(
        sa.text("SELECT count(*) FROM outbox WHERE state = 'pending' AND alert_id IS NULL")
    )
    if waiting:
        raise RuntimeError(
            f"{waiting} replies are still waiting in the outbox; run the bot until they are "
            "sent before going back to a version without it"
        )
    outcomes = connection.execute(
        sa.text(
            "SELECT alert_id, state, reason, sent_at FROM outbox"
            " WHERE alert_id IS NOT NULL AND channel = 'telegram' ORDER BY id"
        )
    ).all()
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index(batch_op.f("ix_outbox_alert_id"))
    op.drop_table("outbox")
    op.drop_table("media")
    with op.batch_alter_table("alert_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="skipped")
        )
        batch_op.add_column(sa.Column("reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    for alert_id, state, reason, sent_at in outcomes:
        status = {"pending": "pending", "sent": "sent"}.get(state, "failed")
        connection.execute(
            sa.text(
                "UPDATE alert_log SET status = :status, reason = :reason,"
                " delivered_at = :sent_at WHERE id = :alert_id"
            ),
            {
                "status": status,
                "reason": _BLOCKED if state == "blocked" else reason,
                "sent_at": sent_at,
                "alert_id": alert_id,
            },
        )
