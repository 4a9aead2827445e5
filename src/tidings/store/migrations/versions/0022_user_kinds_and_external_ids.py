"""users of other kinds (an app's bot, a customer-service visitor) and the host system's own
ids of users and departments (issue 14, decision 0065)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="person")
        )
        batch.add_column(sa.Column("external_id", sa.String(length=128), nullable=True))
    op.create_index("ix_users_external_id", "users", ["external_id"], unique=True)
    with op.batch_alter_table("departments") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=128), nullable=True))
    op.create_index("ix_departments_external_id", "departments", ["external_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_departments_external_id", table_name="departments")
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("external_id")
    op.drop_index("ix_users_external_id", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("external_id")
        batch.drop_column("kind")
