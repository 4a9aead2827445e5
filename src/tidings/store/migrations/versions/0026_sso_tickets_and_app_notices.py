"""one-time sign-in tickets for apps' users and the notices apps sent (issue 14,
decision 0067)

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sso_tickets",
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("app_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("next_path", sa.String(length=512), nullable=False, server_default="/"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_sso_tickets_app_id_apps")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sso_tickets_user_id_users")
        ),
        sa.PrimaryKeyConstraint("ticket_hash", name=op.f("pk_sso_tickets")),
    )
    op.create_index("ix_sso_tickets_expires", "sso_tickets", ["expires_at"])
    op.create_table(
        "app_notices",
        sa.Column("app_id", sa.BigInteger(), nullable=False),
        sa.Column("client_msg_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_app_notices_app_id_apps")),
        sa.PrimaryKeyConstraint("app_id", "client_msg_id", name=op.f("pk_app_notices")),
    )


def downgrade() -> None:
    op.drop_table("app_notices")
    op.drop_index("ix_sso_tickets_expires", table_name="sso_tickets")
    op.drop_table("sso_tickets")
