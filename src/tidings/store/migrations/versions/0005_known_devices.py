"""known devices

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A device that signed in to an account before (issue 11): the per-account sign-in
    # lock-out skips it, so an attacker guessing passwords cannot lock its owner out.
    op.create_table(
        "known_devices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("device_name", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("first_used_at", sa.BigInteger(), nullable=False),
        sa.Column("last_used_at", sa.BigInteger(), nullable=False),
        sa.Column("last_ip", sa.String(length=64), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_known_devices_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_known_devices_token_hash")),
    )
    op.create_index("ix_known_devices_user_last_used", "known_devices", ["user_id", "last_used_at"])


def downgrade() -> None:
    op.drop_index("ix_known_devices_user_last_used", table_name="known_devices")
    op.drop_table("known_devices")
