"""join requests record who invited

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain member's invite into an approval group becomes a join request (issue 3).
    op.add_column("join_requests", sa.Column("invited_by", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("join_requests", "invited_by")
