"""conversations count the changes to who may post in them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Bumped by every change to a conversation's members or rules; a send is appended only
    # if it is still the version the send was checked against (decision 12).
    op.add_column(
        "conversations",
        sa.Column("roster_version", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("conversations", "roster_version")
