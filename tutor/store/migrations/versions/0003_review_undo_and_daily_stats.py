"""review undo data and daily review statistics

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Additive only: three nullable columns on review_log, one index on card and one new table, so upgrading keeps every row.
"""

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (no batch copy): instant on SQLite even with a large review log
    op.add_column("review_log", sa.Column("card_before", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("review_log", sa.Column("study_day", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("review_log", sa.Column("counted", sa.Integer(), nullable=True))
    op.create_index("ix_card_state", "card", ["state", "retired", "stability"], unique=False)
    op.create_table(
        "review_day",
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("new_cards", sa.Integer(), nullable=False),
        sa.Column("young_pass", sa.Integer(), nullable=False),
        sa.Column("young_total", sa.Integer(), nullable=False),
        sa.Column("mature_pass", sa.Integer(), nullable=False),
        sa.Column("mature_total", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("review_day")
    op.drop_index("ix_card_state", table_name="card")
    with op.batch_alter_table("review_log", schema=None) as batch_op:
        batch_op.drop_column("counted")
        batch_op.drop_column("study_day")
        batch_op.drop_column("card_before")
