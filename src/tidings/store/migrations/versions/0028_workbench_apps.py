"""workbench apps and their one-time tickets (issue 14, J6, decision 0069)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workbench_apps",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("icon_url", sa.String(length=2000), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False, server_default=""),
        sa.Column("app_id", sa.BigInteger(), nullable=True),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_workbench_apps_app_id_apps")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_workbench_apps_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workbench_apps")),
    )
    op.create_table(
        "workbench_tickets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("workbench_app_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workbench_app_id"],
            ["workbench_apps.id"],
            name=op.f("fk_workbench_tickets_workbench_app_id_workbench_apps"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_workbench_tickets_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workbench_tickets")),
        sa.UniqueConstraint("ticket_hash", name=op.f("uq_workbench_tickets_ticket_hash")),
    )
    op.create_index("ix_workbench_tickets_expires_at", "workbench_tickets", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_workbench_tickets_expires_at", table_name="workbench_tickets")
    op.drop_table("workbench_tickets")
    op.drop_table("workbench_apps")
