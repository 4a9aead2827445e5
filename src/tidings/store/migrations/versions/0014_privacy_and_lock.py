"""privacy choices, the password lock, avatars found by file

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Who may find me, add me, see me online, see my reading (issue 12); no row: defaults.
    op.create_table(
        "user_privacy",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("find_by_phone", sa.String(length=16), nullable=False, server_default="everyone"),
        sa.Column(
            "find_by_account", sa.String(length=16), nullable=False, server_default="everyone"
        ),
        sa.Column("add_me", sa.String(length=16), nullable=False, server_default="verify"),
        sa.Column("show_online", sa.Boolean(), nullable=False, server_default="1"),
        sa.Column("send_read_receipts", sa.Boolean(), nullable=False, server_default="1"),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_privacy_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_privacy")),
    )
    # The password lock (seed: 聊天记录加密): the code's argon2id hash, idle minutes, chats.
    op.create_table(
        "chat_locks",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=True),
        sa.Column("idle_minutes", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("conversation_ids", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_chat_locks_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_chat_locks")),
    )
    # A file that is someone's avatar (`file:<id>`) is readable by any signed-in user.
    op.create_index("ix_users_avatar", "users", ["avatar"])


def downgrade() -> None:
    op.drop_index("ix_users_avatar", table_name="users")
    op.drop_table("chat_locks")
    op.drop_table("user_privacy")
