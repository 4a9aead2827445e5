"""customer-service visitors forgotten after a retention (issue 14, decision 0066)

Revision ID: 0030
Revises: 0031
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("service_chats", sa.Column("forgotten_at", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_service_chats_retention", "service_chats", ["state", "forgotten_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_service_chats_retention", table_name="service_chats")
    op.drop_column("service_chats", "forgotten_at")
