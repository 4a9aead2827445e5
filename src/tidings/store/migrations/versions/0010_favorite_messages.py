"""favourites of any message, with the files they carry (decision 0036)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "favorite_messages",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=True),
        sa.Column("sender_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_favorite_messages_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favorite_messages")),
        sa.UniqueConstraint(
            "user_id",
            "conversation_id",
            "seq",
            name=op.f("uq_favorite_messages_user_id_conversation_id_seq"),
        ),
    )
    op.create_index("ix_favorite_messages_user_id", "favorite_messages", ["user_id", "id"])
    op.create_table(
        "favorite_message_files",
        sa.Column("favorite_id", sa.BigInteger(), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["favorite_id"],
            ["favorite_messages.id"],
            name=op.f("fk_favorite_message_files_favorite_id_favorite_messages"),
        ),
        sa.PrimaryKeyConstraint("favorite_id", "file_id", name=op.f("pk_favorite_message_files")),
    )
    op.create_index(
        "ix_favorite_message_files_user_file", "favorite_message_files", ["user_id", "file_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_favorite_message_files_user_file", table_name="favorite_message_files")
    op.drop_table("favorite_message_files")
    op.drop_index("ix_favorite_messages_user_id", table_name="favorite_messages")
    op.drop_table("favorite_messages")
