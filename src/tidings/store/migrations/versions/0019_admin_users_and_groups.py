"""the back office's users and groups: last sign-in on the user, indexes for the lists

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The last sign-in, kept on the user (0: never) so the console's list filters and sorts
    # by it with an index over 100,000 users instead of grouping every session.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("last_sign_in_at", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("last_sign_in_ip", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column(
                "last_sign_in_device", sa.String(length=100), nullable=False, server_default=""
            )
        )
    # Filled from the newest session of each user who signed in before.
    op.execute(
        """
        UPDATE users SET
            last_sign_in_at = (SELECT s.created_at FROM sessions s WHERE s.user_id = users.id
                               ORDER BY s.created_at DESC, s.id DESC LIMIT 1),
            last_sign_in_ip = (SELECT s.ip FROM sessions s WHERE s.user_id = users.id
                               ORDER BY s.created_at DESC, s.id DESC LIMIT 1),
            last_sign_in_device = (SELECT s.device_name FROM sessions s
                                   WHERE s.user_id = users.id
                                   ORDER BY s.created_at DESC, s.id DESC LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = users.id)
        """
    )
    # Keyset paging by each sort of the list: (key, id) walks in order and resumes exactly.
    op.create_index("ix_users_last_sign_in", "users", ["last_sign_in_at", "id"])
    op.create_index("ix_users_nickname", "users", ["nickname", "id"])
    op.create_index("ix_users_work_email", "users", ["work_email", "id"])
    # Groups found by owner: the owner's row among the members.
    op.create_index("ix_members_role", "members", ["role", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_members_role", table_name="members")
    op.drop_index("ix_users_work_email", table_name="users")
    op.drop_index("ix_users_nickname", table_name="users")
    op.drop_index("ix_users_last_sign_in", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_sign_in_device")
        batch.drop_column("last_sign_in_ip")
        batch.drop_column("last_sign_in_at")
