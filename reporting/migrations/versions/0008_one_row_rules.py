"""tally rules stated on one row as CHECK constraints; one open confirmation per commune

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:20:00.000000

What the tally service already checks, the database now refuses too, whichever process
writes: counts are never negative, invalid forms never exceed the collected ones, nor
satisfied answers the valid forms (for a day's tally and for a hamlet's running totals, which
are sums of such days), households are never negative. And a partial unique index allows one
open (not unlocked) confirmation per commune: two commune users confirming at once can no
longer both store one. Should an older database hold two open confirmations of one commune
(that race), the later ones are closed where they were made; the earliest stays in force, so
the commune stays confirmed. Going back drops the index and the constraints.

On SQLite the tables are rebuilt (batch mode); env.py turns foreign keys off for that.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "unlocked_at IS NULL"
SATISFIED = " AND ".join(f"q{q} >= 0 AND q{q} <= collected - invalid" for q in range(1, 11))
CHECKS = {
    "tallies": {"collected_range": "collected >= 0", "satisfied_range": SATISFIED},
    "hamlet_totals": {
        "collected_range": "collected >= 0",
        "invalid_range": "invalid >= 0 AND invalid <= collected",
        "satisfied_range": SATISFIED,
    },
    "units": {"households_range": "households >= 0"},
}


def upgrade() -> None:
    op.execute(
        f"UPDATE confirmations SET unlocked_at = confirmed_at WHERE {OPEN} AND id NOT IN"
        f" (SELECT MIN(id) FROM confirmations WHERE {OPEN} GROUP BY commune_id)"
    )
    op.create_index(
        "uq_confirmations_open",
        "confirmations",
        ["commune_id"],
        unique=True,
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, rule in checks.items():
                batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), rule)


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in checks:
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    op.drop_index("uq_confirmations_open", table_name="confirmations")
