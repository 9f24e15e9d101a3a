"""satisfied answers as one JSON array per row, so that a campaign may ask any number of questions

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 21:30:00.000000

Tallies and hamlets' running totals kept one column per question, q1 … q10, which fixed every
campaign at ten questions. Each row now keeps its satisfied answers as a JSON array, question
1's first, as long as the campaign's list of questions; the reference campaign's rows move
over with their ten figures in order, nothing else changes. The CHECK that each figure stayed
within the valid forms can no longer be written on one row; the tally service still checks it,
and the database checks that an array holds at least two figures.

The measures were renamed after what they judge in any campaign: the verdicts last seen for
"average_q1_q9" and "q10" are now those of "average" and "overall".

Going back is possible while every row holds exactly ten figures; otherwise it is refused.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("tallies", "hamlet_totals")
REFERENCE_QUESTIONS = 10
COLUMNS = [f"q{q}" for q in range(1, REFERENCE_QUESTIONS + 1)]
OLD_RULE = " AND ".join(f"{q} >= 0 AND {q} <= collected - invalid" for q in COLUMNS)
NEW_RULE = "json_array_length(satisfied) >= 2"
RENAMED = {"average_q1_q9": "average", "q10": "overall"}


def upgrade() -> None:
    array = "json_array" if op.get_bind().dialect.name == "sqlite" else "json_build_array"
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("satisfied", sa.JSON(), nullable=True))
        op.execute(f"UPDATE {table} SET satisfied = {array}({', '.join(COLUMNS)})")
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_satisfied_range"), type_="check")
            for column in COLUMNS:
                batch_op.drop_column(column)
            batch_op.alter_column("satisfied", existing_type=sa.JSON(), nullable=False)
            batch_op.create_check_constraint(op.f(f"ck_{table}_satisfied_shape"), NEW_RULE)
    for old, new in RENAMED.items():
        op.execute(f"UPDATE verdict_states SET measure = '{new}' WHERE measure = '{old}'")


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        other = bind.scalar(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE json_array_length(satisfied) != 10")
        )
        if other:
            raise RuntimeError(
                f"{other} rows of {table} hold a number of answers other than ten:"
                " a campaign with other questions cannot go back to ten columns"
            )
    sqlite = bind.dialect.name == "sqlite"
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            for column in COLUMNS:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
        picks = ", ".join(
            f"{column} = "
            + (
                f"json_extract(satisfied, '$[{place}]')"
                if sqlite
                else f"(satisfied->>{place})::integer"
            )
            for place, column in enumerate(COLUMNS)
        )
        op.execute(f"UPDATE {table} SET {picks}")
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_satisfied_shape"), type_="check")
            for column in COLUMNS:
                batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
            batch_op.drop_column("satisfied")
            batch_op.create_check_constraint(op.f(f"ck_{table}_satisfied_range"), OLD_RULE)
    for old, new in RENAMED.items():
        op.execute(f"UPDATE verdict_states SET measure = '{old}' WHERE measure = '{new}'")
