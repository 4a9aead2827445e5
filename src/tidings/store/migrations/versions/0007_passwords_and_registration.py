"""passwords and registration: forced password change, registration invites

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
# Chained after the other issue-11 migrations at merge.
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("password_change_required", sa.Boolean(), nullable=False, server_default="0"),
    )
    op.create_table(
        "registration_invites",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("code", name="pk_registration_invites"),
    )


def downgrade() -> None:
    op.drop_table("registration_invites")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_change_required")
