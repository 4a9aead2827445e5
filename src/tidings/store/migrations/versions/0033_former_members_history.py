"""a former member's history up to the entry that took them out (issue 15, decision 0075)

Revision ID: 0033
Revises: 0029
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null for everyone: those who left before this stay unable to read the group, as then.
    op.add_column("members", sa.Column("left_seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("left_seq")
