"""server admin roles and the audit log

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One role per server admin (issue 13); the admins of before become super admins.
    op.add_column("users", sa.Column("admin_role", sa.String(length=16), nullable=True))
    op.execute("UPDATE users SET admin_role = 'super_admin' WHERE is_admin")
    op.drop_column("users", "is_admin")
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_account", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("target_type", sa.String(length=32), nullable=False, server_default=""),
        sa.Column("target_id", sa.String(length=128), nullable=False, server_default=""),
        sa.Column("details", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("ip", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("user_agent", sa.String(length=256), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_action_id", "audit_log", ["action", "id"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id", "id"])
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id", "id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.add_column("users", sa.Column("is_admin", sa.Boolean(), server_default="0", nullable=False))
    op.execute("UPDATE users SET is_admin = (admin_role IN ('super_admin', 'org_admin'))")
    op.drop_column("users", "admin_role")
